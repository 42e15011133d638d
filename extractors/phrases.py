"""Speaker phrases in a sentence: tokens, noun phrases that can name a speaker, audiences, clause ends."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import NamedTuple

from extractors.speakers import DETERMINERS, PRONOUNS, QUANTIFIERS, ROLE_WORDS, norm_word
from extractors.text import word_set

BOUNDARY_WORDS = word_set(
    """and but after before when while as since because although though that so yet where whereas once
    until if unless whether however meanwhile despite also earlier separately still now then instead
    indeed moreover"""
)
# Words that never sit inside a speaker's noun phrase, even capitalised at the start of a sentence.
_NOT_NP = BOUNDARY_WORDS | word_set(
    """in on at for from with by to into over under about speaking responding asked writing according
    following later today yesterday tonight amid during without within"""
)
_WORD = re.compile(r"\(\w[\w.]*\)|[\w][\w’'&/.-]*|[,;:—–“”\"‘’«»„()]")
AUDIENCE = word_set(
    """reporters lawmakers journalists parliament legislators members colleagues counterparts allies
    audience briefing conference meeting session committee lawmaker reporter interviewer the a an his
    her its their news broadcaster channel newspaper outlet programme program radio television tv network"""
)
APPOSITION_START = DETERMINERS | ROLE_WORDS | word_set("former who")


class Tok(NamedTuple):
    """A word or punctuation mark of a sentence, with its offsets and its lowercase form."""

    text: str
    start: int
    end: int
    low: str


_KEEP_DOT = word_set("gen col lt")


def tokens(s: str) -> list[Tok]:
    """Word and punctuation tokens; a full stop stays only on abbreviations and initials."""
    out: list[Tok] = []
    append = out.append
    new = tuple.__new__  # skips NamedTuple's Python-level __new__: tokens are made by the thousand
    for m in _WORD.finditer(s):
        t = m.group()
        start = m.start()
        if t[-1] == "." and len(t) > 2 and t.count(".") == 1 and t[:-1].lower() not in _KEEP_DOT:
            t = t[:-1]
        low = t.lower()
        append(new(Tok, (t, start, start + len(t), low.replace("’", "'") if "’" in low else low)))
    return out


def first_at(toks: list[Tok], pos: int) -> int:
    """Index of the first token that starts at or after `pos` (len(toks) when none)."""
    return bisect_left(toks, pos, key=lambda t: t.start)


def last_before(toks: list[Tok], pos: int) -> int:
    """Index of the last token that ends at or before `pos` (-1 when none)."""
    return bisect_right(toks, pos, key=lambda t: t.end) - 1


_GERMAN_NP = word_set("der des dem den das")
_GERMAN_ADJ = ("ische", "ischen", "ischer", "isches", "ischem")


def np_ok(t: Tok) -> bool:
    """Whether a token can sit inside a speaker's noun phrase."""
    low = t.low
    if low in _NOT_NP and low != "and":
        return False
    if t.text[:1].isupper() or t.text.startswith("(") or low in PRONOUNS:
        return True
    if low.endswith("'s"):
        return True  # a possessive: "the sheriff's office", "Pyongyang's military"
    if low in _GERMAN_NP or low.endswith(_GERMAN_ADJ):
        return True  # "der ukrainische Präsident", "des südkoreanischen Geheimdienstes"
    return (
        low in ROLE_WORDS or low in DETERMINERS or low in ("of", "and", "&", "de", "van", "von", "bin", "al")
    )


def _is_boundary(t: Tok | None) -> bool:
    """Whether a token can precede the start of a clause's subject."""
    if t is None:
        return True
    return t.text in ',;:—–(“”"‘’«»„' or t.low in BOUNDARY_WORDS


def valid_subject(words: list[str]) -> bool:
    """Whether words form an identifiable speaker ("Western officials", not "Many" or "some analysts")."""
    core = [w for w in words if w != ","]
    if not core or len(core) > 14:
        return False
    first = norm_word(core[0])
    if first in QUANTIFIERS or first in ("and", "of", "you"):
        return False
    return not all(norm_word(w) in DETERMINERS for w in core)


def subject_before(toks: list[Tok], k: int, floor: int = 0) -> tuple[int, int] | None:
    """Token index range [i, k] of the speaker phrase that ends at token k, or None.

    Tokens before `floor` count as a clause boundary (the start of reported content).
    """
    while k >= 0 and toks[k].text == ",":
        k -= 1
    j = k
    while j >= floor:
        t = toks[j]
        if t.text == ",":
            j -= 1
            continue
        if not np_ok(t):
            break
        j -= 1
        if t.low in PRONOUNS:
            if j == k - 1:
                break
            return None  # a pronoun is a whole phrase
        if t.low in DETERMINERS and (j < floor or toks[j].text != ","):
            break
    i = j + 1
    while i <= k and (toks[i].text == "," or toks[i].low in ("and", "of")):
        i += 1
    if i > k:
        return None
    left = toks[i - 1] if i > floor else None
    commas = [x for x in range(i, k + 1) if toks[x].text == ","]
    if left is not None and not _is_boundary(left):
        if not commas:
            return None  # "the first time Moscow has acknowledged": no clause starts at "Moscow"
        i = commas[-1] + 1  # "Speaking to reporters on Wednesday, Austin said"
    elif commas and left is not None and left.text not in '“”"‘’«»—–(':
        i = commas[-1] + 1  # an apposition needs a quotation or the sentence start on its left
    return (i, k) if i <= k else None


def object_end(s: str, toks: list[Tok], v: int) -> int:
    """Token index just past the audience of a telling verb ("told the BBC", "informed lawmakers")."""
    j = v + 1
    n = 0
    while j < len(toks) and n < 6:
        t = toks[j]
        if t.low in ("that",) or t.text in ',;:“”"‘’«»„':
            break
        if t.low in PRONOUNS and t.low not in ("it",):
            break
        if not (t.text[:1].isupper() or t.low in AUDIENCE or t.low in ROLE_WORDS or t.low.endswith("'s")):
            break
        j += 1
        n += 1
    return j


def np_after(toks: list[Tok], j: int, limit: int = 10) -> int:
    """Token index just past the noun phrase that starts at token j."""
    n = 0
    while j < len(toks) and n < limit and toks[j].text != "," and np_ok(toks[j]):
        j += 1
        n += 1
    return j


def content_end(s: str) -> int:
    """The end of a sentence's content, without its final full stop."""
    end = len(s.rstrip())
    while end > 0 and s[end - 1] in ".…;":
        end -= 1
    return end


def word_count(toks: list[Tok]) -> int:
    """How many word tokens there are."""
    return sum(1 for t in toks if t.text[:1].isalnum())
