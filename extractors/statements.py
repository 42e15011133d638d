"""Statements: direct quotes, mixed and reported speech with their speaker; near-duplicate quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.attribution import Attribution
from extractors.quotes import Quote

_SELF = frozenset({"we", "We", "I", "you", "You", "they", "They", "WE"})  # not "US", the United States
_PUNCT = re.compile(r"[^\w\s]")
_OPENERS = "“\"‘«„'"


@dataclass(frozen=True)
class Said:
    """What a sentence says and how: the words (offsets into the sentence) and whether quoted whole."""

    quote: str
    start: int
    end: int
    direct: bool


def _strip_span(s: str, start: int, end: int) -> tuple[int, int]:
    """A span without surrounding spaces, commas and dashes."""
    while start < end and s[start] in " ,;:—–-":
        start += 1
    while end > start and s[end - 1] in " ,;:—–-":
        end -= 1
    return start, end


def _whole_quote(s: str, start: int, end: int, quotes: list[Quote]) -> Quote | None:
    """The quotation that makes up the whole span (marks and trailing punctuation aside), if any."""
    start, end = _strip_span(s, start, end)
    for q in quotes:
        if (
            q.outer_start <= start + 1
            and q.outer_start >= start
            and q.outer_end >= end - 1
            and q.outer_end <= end + 1
        ):
            return q
    return None


def what_is_said(s: str, attr: Attribution, quotes: list[Quote]) -> Said | None:
    """The quote (direct) or reported words (mixed, indirect) that `attr` attributes, or None."""
    cs, ce = _strip_span(s, attr.content_start, attr.content_end)
    if ce - cs < 3 or not re.search(r"\w\w", s[cs:ce]):
        return None
    whole = _whole_quote(s, cs, ce, quotes)
    if whole is None and attr.form == "leading" and s[cs : cs + 1] in _OPENERS:
        first = next((q for q in quotes if q.outer_start == cs), None)
        if first is not None and not re.search(r"\w", s[first.outer_end : ce].split(",")[0]):
            whole = first  # 'Austin said, "...," in comments captured by ...'
        elif first is not None and re.match(r"\s*,?\s*(?:in|at|on|during|according|while|before|after)\b",
                                            s[first.outer_end : ce]):  # fmt: skip
            whole = first
    if whole is not None:
        split = _split_partner(s, attr, whole, quotes)
        if split is not None:
            a, b = (split, whole) if split.start < whole.start else (whole, split)
            text = s[a.start : a.end].rstrip() + " " + s[b.start : b.end].lstrip()
            return Said(text, a.start, b.end, True)
        return Said(s[whole.start : whole.end], whole.start, whole.end, True)
    return Said(s[cs:ce], cs, ce, False)


def _split_partner(s: str, attr: Attribution, whole: Quote, quotes: list[Quote]) -> Quote | None:
    """The other half of a quote split by its attribution: '"A," he said, "B."'."""
    if attr.form == "leading":
        before = [q for q in quotes if q.outer_end <= attr.subject_start]
        if before and not re.search(r"\w", s[before[-1].outer_end : attr.subject_start]):
            return before[-1]
    elif attr.form in ("trailing", "inverted"):
        after = [q for q in quotes if q.outer_start >= attr.subject_end]
        if after and re.fullmatch(
            r"[\s,:]*[\w\s’'.-]{0,40}?[\s,:]*", s[attr.subject_end : after[0].outer_start]
        ):
            gap = s[attr.subject_end : after[0].outer_start]
            if len(gap.split()) <= 4:
                return after[0]
    return None


def is_self(speaker: str) -> bool:
    """Whether the speaker phrase is first or second person (a transcript's "we"): not a named speaker."""
    return speaker.strip() in _SELF


def whole_sentence_quote(s: str, quotes: list[Quote]) -> Quote | None:
    """The quotation that is the whole sentence (a quote continuing the previous speaker's remarks)."""
    if not quotes:
        return None
    q = quotes[0]
    body = s.strip()
    if q.outer_start == len(s) - len(s.lstrip()) and len(quotes) == 1 and q.outer_end >= len(body) - 1:
        return q
    return None
