"""A topic as detection sees it: the terms, unit classes and claimants of one watch-file topic."""

from __future__ import annotations

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


def topic_from_mapping(name: str, data: Mapping[str, Any]) -> Topic:
    """Build a Topic from its watch-file mapping; raises ValueError naming the bad field."""
    if not isinstance(data, Mapping):
        raise ValueError(f"topic {name!r} must be a mapping")
    terms = data.get("terms") or []
    if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
        raise ValueError(f"topic {name!r}: 'terms' must be a non-empty list of strings")
    units_raw = data.get("units") or {}
    if not isinstance(units_raw, Mapping) or not units_raw:
        raise ValueError(f"topic {name!r}: 'units' must map each unit class to its nouns")
    units = []
    for unit_name, nouns in units_raw.items():
        if not isinstance(nouns, list) or not all(isinstance(n, str) for n in nouns):
            raise ValueError(f"topic {name!r}: units.{unit_name} must be a list of nouns")
        units.append(UnitClass(name=str(unit_name), nouns=tuple(nouns)))
    claimants = []
    for key, spec in (data.get("claimants") or {}).items():
        if isinstance(spec, list):
            spec = {"name": spec[0] if spec else key, "aliases": spec}
        if not isinstance(spec, Mapping):
            raise ValueError(f"topic {name!r}: claimants.{key} must be a mapping with name and aliases")
        aliases = spec.get("aliases") or []
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
        raise ValueError(f"topic {name!r}: '{field}' must be a list of strings")
    return tuple(raw)
