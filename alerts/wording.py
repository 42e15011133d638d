"""How findings are worded in messages: a figure in a few words, an earlier value, a time."""

from __future__ import annotations

from datetime import UTC, datetime

from extractors.findings import Figure

_VAGUE = {12: "dozens", 100: "hundreds", 1000: "thousands", 10_000: "tens of thousands"}


def when(moment: datetime | None) -> str:
    """A time as messages show it: "24 Oct 2024, 14:05 UTC" ("" for None)."""
    if moment is None:
        return ""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%d %b %Y, %H:%M UTC")


def describe_figure(f: Figure) -> str:
    """The figure in a few words: "up to 10,000 troops", "10,000-12,000 troops", "+1,500 troops"."""
    noun = f.unit_class or f.unit
    qualifier = "" if f.qualifier in ("", "none") else f.qualifier + " "
    if f.vague and f.low in _VAGUE:
        # Participle classes read without "of": "thousands killed", but "thousands of troops".
        joiner = " " if noun.endswith("ed") else " of "
        return f"{qualifier}{_VAGUE[f.low]}{joiner}{noun}"
    if f.value is not None:
        amount = f"{f.value:,}"
    elif f.low is not None and f.high is not None and f.low != f.high:
        amount = f"{f.low:,}-{f.high:,}"
    elif f.low is not None or f.high is not None:
        amount = f"{f.low if f.low is not None else f.high:,}"
        qualifier = qualifier or ("at least " if f.vague else "")
    else:
        return f"{qualifier}an unspecified number of {noun}"
    return f"{qualifier}{'+' if f.delta else ''}{amount} {noun}"


def without_date(value: str) -> str:
    """An earlier value without its date: "3,000 troops (Oct 23)" -> "3,000 troops" (no regex: a value of
    many blanks made "\\s*\\(...\\)$" scan quadratically)."""
    head, bracket, inside = value.rpartition("(")
    if bracket and inside.endswith(")") and ")" not in inside[:-1]:
        return head.rstrip()
    return value


def claimant(f: Figure) -> str:
    """Who a figure is credited to, as written ("unattributed" when no one is named)."""
    return f.claimant or "unattributed"
