"""Qualifiers and increments around a number: "around 3,000", "more than 1,000", "another 1,500", "1,500 more"."""

from __future__ import annotations

import re
from dataclasses import dataclass

QUALIFIERS = {
    "more than": "more than", "over": "more than", "well over": "more than", "just over": "more than",
    "slightly more than": "more than", "upwards of": "more than", "in excess of": "more than",
    "exceeded": "more than", "exceeding": "more than", "exceeds": "more than", "topped": "more than",
    "surpassed": "more than", "mehr als": "more than", "über": "more than",
    "at least": "at least", "no fewer than": "at least", "no less than": "at least", "mindestens": "at least",
    "up to": "up to", "as many as": "up to", "no more than": "up to", "bis zu": "up to",
    "around": "around", "rund": "around",
    "about": "about", "some": "about", "approximately": "about", "roughly": "about", "an estimated": "about",
    "estimated": "about", "etwa": "about", "ungefähr": "about", "circa": "about", "ca.": "about",
    "nearly": "nearly", "almost": "nearly", "close to": "nearly", "fast": "nearly", "knapp": "nearly",
    "beinahe": "nearly", "nahezu": "nearly",
    "fewer than": "fewer than", "less than": "fewer than", "under": "fewer than", "weniger als": "fewer than",
    "exactly": "exactly", "genau": "exactly",
}  # fmt: skip

_QUAL = re.compile(
    r"(?:^|(?<=[\s(\"“]))(?P<q>"
    + "|".join(re.escape(q) for q in sorted(QUALIFIERS, key=len, reverse=True))
    + r")\s+$",
    re.IGNORECASE,
)
_DELTA_BEFORE = re.compile(
    r"(?:\b(?:another|an\s+additional|additional|a\s+further|further|weitere|zusätzliche)\s+)$", re.IGNORECASE
)
_DELTA_AFTER = re.compile(r"\s+(?:more|additional|weitere)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Marks:
    """What is written around a number: its qualifier, where that starts, and whether it is an increment."""

    qualifier: str  # canonical: none, around, about, nearly, up to, more than, at least, fewer than, exactly
    surface: str | None  # as written ("some", "Over", "mehr als")
    lead: int  # where the qualifier or "another" begins (the number's start when there is none)
    after: int  # just past the number and a following "more"
    delta: bool  # "1,500 more troops", "another 1,500", "an additional 1,000": an increment, not a total


def read_marks(text: str, start: int, end: int) -> Marks:
    """The qualifier and increment words around the number text[start:end]."""
    ws = max(0, start - 40)
    prefix = re.sub(r"\b(?:between|from|zwischen)\s+$", "", text[ws:start], flags=re.IGNORECASE)
    delta = False
    dm = _DELTA_BEFORE.search(prefix)
    if dm:
        delta = True
        prefix = prefix[: dm.start()]
    qualifier, surface = "none", None
    qm = _QUAL.search(prefix)
    if qm:
        surface = qm.group("q")
        qualifier = QUALIFIERS[surface.lower()]
        prefix = prefix[: qm.start()]
        dm = _DELTA_BEFORE.search(prefix)
        if dm and not delta:
            delta = True
            prefix = prefix[: dm.start()]
    after = end
    am = _DELTA_AFTER.match(text, end)
    if am:
        delta = True
        after = am.end()
    return Marks(qualifier, surface, ws + len(prefix), after, delta)
