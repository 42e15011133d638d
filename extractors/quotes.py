"""Quotations in a sentence: straight, curly, German and single marks, paired with their offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN_CLOSE = {"“": "”", "„": "“”", "«": "»", "»": "«", '"': '"'}
_SINGLE_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))[‘'](?=[^\s'‘’])")
_SINGLE_CLOSE = re.compile(r"(?<=[^\s])[’'](?![A-Za-zÀ-ÿ0-9])")


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
    quotes = _double(text)
    if not quotes:
        quotes = _single(text)
    return [q for q in quotes if q.end > q.start]


def _double(text: str) -> list[Quote]:
    """Quotations in double marks (“ ”, " ", „ “, « »)."""
    out: list[Quote] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        closers = _OPEN_CLOSE.get(ch)
        if closers is None or ch == "”":
            i += 1
            continue
        j = i + 1
        while j < n and text[j] not in closers:
            j += 1
        if j < n:
            out.append(Quote(i + 1, j, i, j + 1, True))
            i = j + 1
        else:
            end = len(text.rstrip())
            out.append(Quote(i + 1, end, i, end, False))
            break
    return out


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
