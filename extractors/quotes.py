"""Quotations in a sentence: straight, curly, German and single marks, paired with their offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN_CLOSE = {"“": "”", "„": "“”", "«": "»", "»": "«", '"': '"'}
_SINGLE_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))[‘'](?=[^\s'‘’])")
_SINGLE_CLOSE = re.compile(r"(?<=[^\s])[’'](?![A-Za-zÀ-ÿ0-9])")


_ANY_DOUBLE = re.compile(r"[“„«»\"]")


@dataclass(frozen=True)
class Quote:
    """One quotation: `start`/`end` span the words inside the marks, `outer_*` include the marks."""

    start: int
    end: int
    outer_start: int
    outer_end: int
    closed: bool


def find_quotes(text: str) -> list[Quote]:
    """Every quotation in `text`, in order; an unclosed one runs to the end of the text."""
    quotes = _double(text) if _ANY_DOUBLE.search(text) else []
    if not quotes and ("'" in text or "‘" in text):
        quotes = _single(text)
    return [q for q in quotes if q.end > q.start]


_MARK = re.compile(r"[“„«»\"”]")


def _double(text: str) -> list[Quote]:
    """Quotations in double marks (“ ”, " ", „ “, « »)."""
    out: list[Quote] = []
    pos = 0
    while True:
        m = _MARK.search(text, pos)
        if m is None:
            return out
        i = m.start()
        closers = _OPEN_CLOSE.get(text[i])
        if closers is None or text[i] == "”":
            pos = i + 1
            continue
        j = min((k for k in (text.find(c, i + 1) for c in closers) if k >= 0), default=-1)
        if j < 0:
            end = len(text.rstrip())
            out.append(Quote(i + 1, end, i, end, False))
            return out
        out.append(Quote(i + 1, j, i, j + 1, True))
        pos = j + 1


def _single(text: str) -> list[Quote]:
    """Quotations in single marks (‘ ’ or ' '), told apart from apostrophes by what surrounds them."""
    out: list[Quote] = []
    pos = 0
    while True:
        m = _SINGLE_OPEN.search(text, pos)
        if not m:
            break
        c = _SINGLE_CLOSE.search(text, m.end())
        if not c:
            break
        out.append(Quote(m.end(), c.start(), m.start(), c.end(), True))
        pos = c.end()
    return out


def inside(quotes: list[Quote], pos: int) -> Quote | None:
    """The quotation (marks included) that contains `pos`, if any."""
    for q in quotes:
        if q.outer_start <= pos < q.outer_end:
            return q
    return None
