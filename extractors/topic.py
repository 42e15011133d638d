"""A topic as detection sees it: the terms, unit classes and claimants of one watch-file topic."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class UnitClass:
    """A class of counted nouns: troops = soldiers, troops, forces, personnel."""

    name: str
    nouns: tuple[str, ...]


@dataclass(frozen=True)
class Claimant:
    """A source with its aliases: nis = National Intelligence Service = South Korea's spy agency."""

    key: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    """Everything detection needs to know about one topic."""

    name: str
    title: str
    terms: tuple[str, ...]
    units: tuple[UnitClass, ...]
    claimants: tuple[Claimant, ...]
    # Weaker words ("troops") that make a sentence about the topic for statements when no term is there.
    context_terms: tuple[str, ...] = ()
    # Modifiers that put a count about someone else ("Russian soldiers", "standing army of 1.2 million").
    not_about: tuple[str, ...] = ()
    # What about the subject the topic follows ("troops", "war", "Kursk"): a statement counts only with a
    # term and one of these nearby ("Seoul says North Korea fired a missile" is not about a deployment).
    aspects: tuple[str, ...] = ()
    # Common nouns that name the topic's event once an article has established it ("the floods", "the
    # crash", "the deployment"): later sentences that use them are about the topic too.
    events: tuple[str, ...] = ()


_GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def slug(text: str) -> str:
    """A lowercase, dash-separated ASCII key for a name ("Lloyd Austin" -> "lloyd-austin", "Südkorea" -> "suedkorea")."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_GERMAN_LETTERS)).encode("ascii", "ignore").decode()
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


TOPIC_FIELDS = ("title", "terms", "aspects", "context_terms", "events", "not_about", "units", "claimants")
CLAIMANT_FIELDS = ("name", "aliases")


class TopicFieldError(ValueError):
    """A topic field that cannot be used; `path` is where it is (("claimants", "nis", "alias"))."""

    def __init__(self, message: str, *path: str) -> None:
        super().__init__(message)
        self.path = path


def unknown_field(field: str, known: tuple[str, ...], where: str) -> str:
    """ "unknown field 'aspect' in topics.x: did you mean 'aspects'?" (or the fields it may be)."""
    close = difflib.get_close_matches(field, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(known)}"
    return f"unknown field {field!r} in {where}: {hint}"


def topic_from_mapping(name: str, data: Mapping[str, Any]) -> Topic:
    """Build a Topic from its watch-file mapping; raises TopicFieldError naming the bad field."""
    if not isinstance(data, Mapping):
        raise TopicFieldError(f"topic {name!r} must be a mapping")
    for field in data:
        if field not in TOPIC_FIELDS:
            raise TopicFieldError(unknown_field(str(field), TOPIC_FIELDS, f"topics.{name}"), str(field))
    terms = data.get("terms") or []
    if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
        raise TopicFieldError(f"topic {name!r}: 'terms' must be a non-empty list of strings", "terms")
    units_raw = data.get("units") or {}
    if not isinstance(units_raw, Mapping) or not units_raw:
        raise TopicFieldError(f"topic {name!r}: 'units' must map each unit class to its nouns", "units")
    units = []
    for unit_name, nouns in units_raw.items():
        if not isinstance(nouns, list) or not nouns or not all(isinstance(n, str) for n in nouns):
            raise TopicFieldError(
                f"topic {name!r}: units.{unit_name} must be a list of nouns", "units", str(unit_name)
            )
        units.append(UnitClass(name=str(unit_name), nouns=tuple(nouns)))
    claimants = []
    raw_claimants = data.get("claimants") or {}
    if not isinstance(raw_claimants, Mapping):
        raise TopicFieldError(
            f"topic {name!r}: 'claimants' must map each key to a name and aliases", "claimants"
        )
    for key, spec in raw_claimants.items():
        if isinstance(spec, list):
            spec = {"name": spec[0] if spec else key, "aliases": spec}
        if not isinstance(spec, Mapping):
            raise TopicFieldError(
                f"topic {name!r}: claimants.{key} must be a mapping with name and aliases",
                "claimants",
                str(key),
            )
        for field in spec:
            if field not in CLAIMANT_FIELDS:
                where = f"topics.{name}.claimants.{key}"
                raise TopicFieldError(
                    unknown_field(str(field), CLAIMANT_FIELDS, where), "claimants", str(key), str(field)
                )
        aliases = spec.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise TopicFieldError(
                f"topic {name!r}: claimants.{key}.aliases must be a list of strings", "claimants", str(key)
            )
        claimants.append(
            Claimant(key=str(key), name=str(spec.get("name") or key), aliases=tuple(str(a) for a in aliases))
        )
    return Topic(
        name=name,
        title=str(data.get("title") or name),
        terms=tuple(terms),
        units=tuple(units),
        claimants=tuple(claimants),
        context_terms=_strings(name, data, "context_terms"),
        not_about=_strings(name, data, "not_about"),
        aspects=_strings(name, data, "aspects"),
        events=_strings(name, data, "events"),
    )


def _strings(name: str, data: Mapping[str, Any], field: str) -> tuple[str, ...]:
    """An optional list of strings from a topic mapping; raises ValueError naming the bad field."""
    raw = data.get(field) or []
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise TopicFieldError(f"topic {name!r}: '{field}' must be a list of strings", field)
    return tuple(raw)
