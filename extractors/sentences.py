"""Sentences with offsets: split at sentence ends, never inside a quotation or after an abbreviation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.text import word_set

# Words that end with a full stop without ending the sentence (lowercase, without the stop).
ABBREVIATIONS = word_set(
    """mr mrs ms dr gen lt col sgt maj capt adm cmdr cdr rep sen gov prof st no nos vs etc jr sr inc co
    corp ltd dept est approx ca jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat
    sun u.s u.k u.n e.g i.e a.m p.m n.y d.c fig mt ft pres gov't pvt cpl bros"""
)

_PARAGRAPH = re.compile(r"\n\s*")
# A candidate end: terminal punctuation, optional closing quotes/brackets, then whitespace.
_END = re.compile(r"[.!?…]+[\"”’'»)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.’']*)$")
_NEXT_CHAR = re.compile(r"\s*(\S)")
_MAX_SENTENCE = 1200  # longer runs without a sentence end are cut at a space: work per sentence stays bounded
_MAX_OPEN_QUOTE = 700  # an unclosed quotation longer than this is a stray mark, not a quote


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text, offsets into the article, and its paragraph number."""

    start: int
    end: int
    text: str
    paragraph: int


_QUOTE_MARK = re.compile(r"[“„«”»\"]")


def _quote_depth_changes(text: str) -> list[tuple[int, int]]:
    """Positions where a double quotation opens (+1) or closes (-1); straight marks toggle."""
    changes: list[tuple[int, int]] = []
    open_straight = False
    for m in _QUOTE_MARK.finditer(text):
        ch = m.group()
        if ch in "“„«":
            changes.append((m.start(), 1))
        elif ch in "”»":
            changes.append((m.start(), -1))
        else:
            changes.append((m.start(), -1 if open_straight else 1))
            open_straight = not open_straight
    return changes


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at `dot` closes an abbreviation or an initial rather than a sentence."""
    m = _WORD_BEFORE.search(text, max(0, dot - 24), dot)
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    if len(word) == 1:  # an initial: "N. Korea", "Lloyd J. Austin"
        return True
    return word in ABBREVIATIONS


def _split_paragraph(text: str, base: int, paragraph: int) -> list[Sentence]:
    """Split one paragraph into sentences."""
    changes = _quote_depth_changes(text)
    out: list[Sentence] = []
    start = 0
    depth = 0
    opened_at = -1
    ci = 0
    for m in _END.finditer(text):
        while ci < len(changes) and changes[ci][0] < m.end():
            pos, d = changes[ci]
            depth = max(0, depth + d)
            if depth and d > 0 and opened_at < 0:
                opened_at = pos
            if not depth:
                opened_at = -1
            ci += 1
        if depth and opened_at >= 0 and m.start() - opened_at < _MAX_OPEN_QUOTE:
            continue
        nm = _NEXT_CHAR.match(text, m.end())
        nxt = nm.group(1) if nm else ""
        abbreviation = (
            text[m.start()] == "." and m.end() - m.start() == 1 and _is_abbreviation(text, m.start())
        )
        if abbreviation and nxt not in ("“", '"'):
            continue  # "U.S. The" ends a sentence only rarely; keep abbreviations joined unless a quote opens
        if nxt.islower():
            continue
        end = m.end()
        if text[start:end].strip():
            out.extend(_make(text, start, end, base, paragraph))
        start = end
        depth = 0
        opened_at = -1
    if text[start:].strip():
        out.extend(_make(text, start, len(text), base, paragraph))
    return out


def _make(text: str, start: int, end: int, base: int, paragraph: int) -> list[Sentence]:
    """Sentences for text[start:end], trimmed of surrounding whitespace and cut when overlong."""
    out = []
    while True:
        while start < end and text[start].isspace():
            start += 1
        stop = end
        if stop - start > _MAX_SENTENCE:
            space = text.rfind(" ", start + _MAX_SENTENCE // 2, start + _MAX_SENTENCE)
            stop = space if space > start else start + _MAX_SENTENCE
        cut = stop
        while cut > start and text[cut - 1].isspace():
            cut -= 1
        if cut > start:
            out.append(Sentence(base + start, base + cut, text[start:cut], paragraph))
        if stop >= end:
            return out
        start = stop


def split_sentences(text: str) -> list[Sentence]:
    """Every sentence of `text` in order; paragraphs are separated by line breaks."""
    out: list[Sentence] = []
    pos = 0
    paragraph = 0
    for m in _PARAGRAPH.finditer(text):
        if text[pos : m.start()].strip():
            out.extend(_split_paragraph(text[pos : m.start()], pos, paragraph))
            paragraph += 1
        pos = m.end()
    if text[pos:].strip():
        out.extend(_split_paragraph(text[pos:], pos, paragraph))
    return out
