"""Reporting verbs and the phrases around them: tokens, speaker noun phrases, audiences, clause ends."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import NamedTuple

from extractors.speakers import DETERMINERS, PRONOUNS, QUANTIFIERS, ROLE_WORDS, norm_word
from extractors.text import trie_pattern, word_set

_V = {
    "claimed": "say says said tell tells told add adds added state states stated claim claims claimed "
    "announce announces announced note notes noted inform informs informed brief briefs briefed insist insists "
    "insisted stress stresses stressed emphasize emphasizes emphasized emphasise emphasises emphasised explain "
    "explains explained argue argues argued write writes wrote predict predicts predicted urge urges urged "
    "praise praises praised condemn condemns condemned offer offers offered vow vows vowed pledge pledges "
    "pledged threaten threatens threatened allege alleges alleged disclose discloses disclosed declare "
    "declares declared assert asserts asserted suggest suggests suggested hint hints hinted accuse accuses "
    "accused warn warns warned reveal reveals revealed called calls comment comments commented remark "
    "remarks remarked respond responds responded reply replies replied tweeted posted recall recalls recalled "
    "demand demands demanded sagte sagt sagten erklärte erklärt erklärten warnte warnt betonte betont schrieb "
    "schreibt teilte teilt",
    "estimated": "estimate estimates estimated believe believes believed assess assesses assessed think thinks "
    "thought suspect suspects suspected calculate calculates calculated schätzt schätzte",
    "confirmed": "confirm confirms confirmed acknowledge acknowledges acknowledged admit admits admitted "
    "concede concedes conceded bestätigte bestätigt",
    "denied": "deny denies denied dismiss dismisses dismissed reject rejects rejected refute refutes refuted "
    "dementierte dementiert",
    "reported": "report reports reported berichtete berichtet",
}
_MULTI = {
    "refused to confirm or deny": "neither", "declined to confirm or deny": "neither",
    "refuses to confirm or deny": "neither", "declines to confirm or deny": "neither",
    "declines to comment": "neither", "refuse to confirm or deny": "neither",
    "would neither confirm nor deny": "neither", "declined to comment": "neither",
    "refused to comment": "neither", "declined to confirm": "neither", "called on": "claimed",
    "called for": "claimed", "calls on": "claimed", "calls for": "claimed", "quoted as saying": "claimed",
}  # fmt: skip
STANCE_OF = {w: stance for stance, words in _V.items() for w in words.split()} | _MULTI
VERB = re.compile(r"(?<![\w’'-])(?:" + trie_pattern(list(STANCE_OF)) + r")(?![\w’'-])", re.IGNORECASE)
TELL = word_set("""tell tells told inform informs informed brief briefs briefed warned warns urged urges""")
# "said on Thursday, bringing the total to ...": the verb ends a trailing attribution.
PARTICIPLE_AFTER = re.compile(r"[^,.;“\"]{0,40}?,\s+[a-z]+ing\b")
# Time phrases between a reporting verb and what is reported: "said on Monday (that) ...".
TIME_AFTER = re.compile(
    r"(?:,?\s*(?:on|late|early|last|this|earlier|later)?\s*(?:(?:on|in|late|early)\s+)?"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month|year|weekend|morning|evening|night"
    r"|today|yesterday)\b|\s+in\s+(?:a|an|his|her|its|their)\s+(?:statement|interview|briefing|address|post)\b)+",
    re.IGNORECASE,
)
AUX_WORDS = word_set(
    """has have had also previously earlier long initially officially publicly repeatedly again already recently
    just later separately further explicitly privately once now then first still openly formally directly do does
    did will would could may might can must should not never was were is are been be being neither nor reportedly
    monday tuesday wednesday thursday friday saturday sunday today yesterday"""
)
_AUX_PHRASES = (
    ("for", "the", "first", "time"), ("in", "a", "statement"), ("in", "an", "interview"),
    *((a, b) for a in ("last", "this", "on") for b in ("week", "month", "year", "weekend", "morning", "evening",
                                                      "night", "monday", "tuesday", "wednesday", "thursday",
                                                      "friday", "saturday", "sunday")),
)  # fmt: skip
_NEG_WORDS = word_set("not never neither nor")
_PASSIVE_WORDS = word_set("was were is are been be being")


def aux_before(toks: list[Tok], v0: int, floor: int) -> tuple[int, bool, bool]:
    """Walk back over auxiliaries and adverbs before the verb at token v0 ("has previously", "did not",
    "for the first time", "on Monday"): (index of the first of them, negated, passive)."""
    j = v0 - 1
    negated = passive = False
    while j >= floor:
        low = toks[j].low
        if low in AUX_WORDS or low.endswith("n't"):
            negated = negated or low in _NEG_WORDS or low.endswith("n't")
            passive = passive or low in _PASSIVE_WORDS
            j -= 1
            continue
        for phrase in _AUX_PHRASES:
            n = len(phrase)
            if j - n + 1 >= floor and tuple(t.low for t in toks[j - n + 1 : j + 1]) == phrase:
                j -= n
                break
        else:
            break
    return j + 1, negated, passive


NEG = re.compile(r"\b(?:not|never|neither|nor)\b|n['’]t\b", re.IGNORECASE)
PASSIVE = re.compile(r"\b(?:was|were|is|are|been|be|being)\b", re.IGNORECASE)
NOUN_BEFORE = word_set(
    """amid of the a an such these those its his her their by with to and in on following after over about"""
)
NOUN_BEFORE_LOWER = word_set("media news press")  # "media reports", but "NK News reported"
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
ADVERBIAL = word_set(
    """on in at last this earlier a an the statement interview briefing week month year told"""
)
_WORD = re.compile(r"\(\w[\w.]*\)|[\w][\w’'&/.-]*|[,;:—–“”\"‘’«»„()]")
_AUDIENCE = word_set(
    """reporters lawmakers journalists parliament legislators members colleagues counterparts allies
    audience briefing conference meeting session committee lawmaker reporter interviewer the a an his
    her its their news"""
)
OUTLETS = word_set(
    """reuters ap afp associated press bbc cnn yonhap nk news al jazeera the guardian guardian bloomberg
    nyt new york times washington post kyiv independent ukrainska pravda korea herald korea times japan
    times moscow times npr dw politico axios newsweek"""
)
ACCORDING = re.compile(
    r"\b(?:according\s+to|citing|per|laut|nach\s+(?:(?P<adj>\w+en)\s+)?angaben(?:\s+(?:von|des|der))?)\s+",
    re.IGNORECASE,
)
APPOSITION_START = DETERMINERS | ROLE_WORDS | word_set("former who")
QUOTE_LEAD_IN = re.compile(r"[^“\"‘«„.;]{0,60}?[:,]\s*(?=[“\"‘«„])")
ADD_VERB = re.compile(r"adds?|added", re.IGNORECASE)
ADD_FOLLOW = re.compile(r"\s*(?:$|[.,:;“\"‘«„]|that\b|\s(?:in|on|at|during|later|earlier)\b)", re.IGNORECASE)
_HINT_WORDS = frozenset(v.split()[0].lower() for v in STANCE_OF) | word_set(
    "according citing per laut angaben zufolge"
)
_SOURCE_WORDS = word_set("according citing per laut angaben zufolge")
_LOWER_WORD = re.compile(r"[a-zäöüß]+")


def may_attribute(s: str) -> bool:
    """A cheap test before parsing: a reporting verb, a source phrase, a colon or a dash in the sentence."""
    if ":" in s or " - " in s or "–" in s or "—" in s:
        return True
    return not _HINT_WORDS.isdisjoint(_LOWER_WORD.findall(s.lower()))


def may_cite(s: str) -> bool:
    """A cheap test before looking for "according to X" and its German forms."""
    return not _SOURCE_WORDS.isdisjoint(_LOWER_WORD.findall(s.lower()))


GERMAN_ARTICLES = word_set("des der dem den die das von vom")
GERMAN_ADJECTIVE = re.compile(r"(?:e|en|er|es|em)$")
ZUFOLGE = re.compile(r"\bzufolge\b", re.IGNORECASE)
NOT_SPEAKER_HEADS = word_set(
    """analysis explainer live watch opinion update updates breaking exclusive video photos editorial
    factbox timeline q&a review comment interview"""
)  # fmt: skip


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
        if not (t.text[:1].isupper() or t.low in _AUDIENCE or t.low in ROLE_WORDS or t.low.endswith("'s")):
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


INVERTIBLE = word_set(
    """says said tells told adds added warns warned claims claimed confirms confirmed notes noted sagte
    sagt erklärte teilte betonte schrieb"""
)  # fmt: skip
