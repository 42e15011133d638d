"""Near-duplicate statements: normalised keys, then rapidfuzz scores with cutoffs and length guards.

One quote carried by ten outlets with small differences in wording or punctuation is one statement, and
so is one reported statement that outlets word in another order. Every comparison here is bounded: keys are cut to KEY_CHARS, pairs whose lengths differ too much are never
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


def _words_of(text: str) -> frozenset[str]:
    """The words of a blank-separated list."""
    return frozenset(text.split())


KEY_CHARS = 2_000  # a quote longer than this is compared by its first 2,000 characters
SAME_QUOTE = 80.0  # percent of the words in the same order (Indel similarity over word sequences)
# Percent of the shorter text's content words found in the other, in any order: words added by one outlet
# do not count against it, a word replaced does ("Kursk" and "Kherson" in twelve are other reports).
SAME_REPORT = 95.0
MIN_CONTENT = 4  # content words a reported statement needs before its words can say it is the same
MIN_CONTAINED = 6  # words of a shorter quote that another outlet quotes inside a longer stretch
MIN_LENGTH_RATIO = 0.6  # word counts further apart than this are different remarks
MAX_COMPARED = 300  # statements of one speaker compared per lookup, the most recent first

# Words whose presence on one side only changes what was said: "sent" and "not sent", "3 000" and "10 000"
# troops are other statements however many words they share.
_NEGATIONS = _words_of(
    """not no never nor none nothing nobody neither without cannot cant dont doesnt didnt wont wouldnt isnt
    arent wasnt werent hasnt havent hadnt denied denies deny"""
)
# Words that carry no content of their own: two reports differing only in these say the same (the
# approximations too: "about 11,000" and "some 11,000" soldiers are one report of one figure).
_FILLER = _words_of(
    """a an the and or but of to in on at for by with from as than that this these those it its is are was
    were be been being has have had will would could should may might can shall do does did said says say
    told tells tell according he she they them his her their we our us i you who which what also then
    now about around some roughly approximately nearly almost estimated"""
)
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


def _contradict(words_a: list[str], words_b: list[str]) -> bool:
    """Whether a negation or a number is on one side only: alike in words, different in what they say."""
    return any(w in _NEGATIONS or w[0].isdigit() for w in set(words_a) ^ set(words_b))


def same_statement(key_a: str, key_b: str) -> bool:
    """Whether two statement keys are the same remark: equal, one quoting a stretch of the other, or at
    least SAME_QUOTE percent alike word by word with no negation or number on one side only."""
    if not key_a or not key_b:
        return False
    if key_a == key_b:
        return True
    words_a, words_b = key_a.split(), key_b.split()
    short, long = (words_a, words_b) if len(words_a) <= len(words_b) else (words_b, words_a)
    if len(short) >= MIN_CONTAINED and f" {' '.join(short)} " in f" {' '.join(long)} ":
        return True  # one outlet quotes a longer stretch of the same remark
    if not _comparable(short, long) or _contradict(words_a, words_b):
        return False
    return fuzz.ratio(words_a, words_b, score_cutoff=SAME_QUOTE) > 0


def same_report(key_a: str, key_b: str) -> bool:
    """Whether two reported statements say the same in other words or another order ("X said Y" and "Y,
    X said"): the shorter's content words nearly all in the other, lengths alike, and no negation or
    number on one side only."""
    if not key_a or not key_b:
        return False
    words_a, words_b = key_a.split(), key_b.split()
    short, long = (words_a, words_b) if len(words_a) <= len(words_b) else (words_b, words_a)
    if len(short) < MIN_CONTAINED or not _comparable(short, long):
        return False
    if _contradict(words_a, words_b):
        return False
    # Counted over whole content words: rapidfuzz's token-set ratio scores characters, so "deployed troops to
    # Kursk" and "... to Kherson" came out 93 alike, the shared words outweighing the one that differs.
    content_a, content_b = set(words_a) - _FILLER, set(words_b) - _FILLER
    fewer = min(len(content_a), len(content_b))
    return fewer >= MIN_CONTENT and 100 * len(content_a & content_b) >= SAME_REPORT * fewer


def same_remark(key_a: str, key_b: str) -> bool:
    """Whether two statement keys are one remark: the same quote (`same_statement`) or the same report in
    other words (`same_report`)."""
    return same_statement(key_a, key_b) or same_report(key_a, key_b)


def first_same(key: str, candidates: Iterable[tuple[str, T]], *, limit: int = MAX_COMPARED) -> T | None:
    """The first candidate (key, value) whose key is the same remark as `key`, looking at no more than
    `limit` of them (callers give the most recent first)."""
    for seen, (other, value) in enumerate(candidates):
        if seen >= limit:
            return None
        if same_remark(key, other):
            return value
    return None
