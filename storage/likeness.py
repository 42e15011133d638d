"""Near-duplicate statements: normalised keys, then rapidfuzz scores with cutoffs and length guards.

One quote carried by ten outlets with small differences in wording or punctuation is one statement. Every
comparison here is bounded: keys are cut to KEY_CHARS, pairs whose lengths differ too much are never
scored, and rapidfuzz scores in C with a cutoff (bit-parallel, near-linear in the length), where difflib's
SequenceMatcher took a quarter of a second for one pair of similar kilobyte-long quotes.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from typing import TypeVar

from rapidfuzz import fuzz

KEY_CHARS = 2_000  # a quote longer than this is compared by its first 2,000 characters
SAME_QUOTE = 80.0  # percent of the words in the same order (Indel similarity over word sequences)
SAME_REPORT = 90.0  # percent of the shorter text's words found in the other, in any order
MIN_CONTAINED = 6  # words of a shorter quote that another outlet quotes inside a longer stretch
MIN_LENGTH_RATIO = 0.6  # word counts further apart than this are different remarks
MAX_COMPARED = 300  # statements of one speaker compared per lookup, the most recent first

_PUNCT = re.compile(r"[^\w\s]")
_QUOTE_MARKS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
T = TypeVar("T")


def statement_key(quote: str) -> str:
    """A quote normalised for comparison across outlets: case, quote marks, punctuation and spaces folded."""
    text = unicodedata.normalize("NFKC", html.unescape(quote[: KEY_CHARS * 2]))
    text = text.translate(_QUOTE_MARKS).lower().replace("'", "")
    return " ".join(_PUNCT.sub(" ", text).split())[:KEY_CHARS]


def _comparable(short: list[str], long: list[str]) -> bool:
    return len(short) >= MIN_LENGTH_RATIO * len(long)


def same_statement(key_a: str, key_b: str) -> bool:
    """Whether two statement keys are the same remark: equal, one quoting a stretch of the other, or at
    least SAME_QUOTE percent alike word by word."""
    if not key_a or not key_b:
        return False
    if key_a == key_b:
        return True
    words_a, words_b = key_a.split(), key_b.split()
    short, long = (words_a, words_b) if len(words_a) <= len(words_b) else (words_b, words_a)
    if len(short) >= MIN_CONTAINED and f" {' '.join(short)} " in f" {' '.join(long)} ":
        return True  # one outlet quotes a longer stretch of the same remark
    if not _comparable(short, long):
        return False
    return fuzz.ratio(words_a, words_b, score_cutoff=SAME_QUOTE) > 0


def same_report(key_a: str, key_b: str) -> bool:
    """Whether two reported statements say the same in other words or another order ("X said Y" and "Y,
    X said"): the shorter's words nearly all in the other (token-set similarity), lengths alike."""
    if not key_a or not key_b:
        return False
    words_a, words_b = key_a.split(), key_b.split()
    short, long = (words_a, words_b) if len(words_a) <= len(words_b) else (words_b, words_a)
    if len(short) < MIN_CONTAINED or not _comparable(short, long):
        return False
    return fuzz.token_set_ratio(key_a, key_b, score_cutoff=SAME_REPORT) > 0


def first_same(key: str, candidates: Iterable[tuple[str, T]], *, limit: int = MAX_COMPARED) -> T | None:
    """The first candidate (key, value) whose key is the same statement as `key`, looking at no more than
    `limit` of them (callers give the most recent first)."""
    for seen, (other, value) in enumerate(candidates):
        if seen >= limit:
            return None
        if same_statement(key, other):
            return value
    return None
