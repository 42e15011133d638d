"""Reporting verbs and source phrases: which words attribute speech, with what stance, and what sits around them."""

from __future__ import annotations

import re

from extractors.phrases import Tok
from extractors.text import trie_pattern, word_set

_V = {
    "claimed": "say says said tell tells told add adds added states stated claim claims claimed "
    "announce announces announced note notes noted inform informs informed brief briefs briefed insist insists "
    "insisted stress stresses stressed emphasize emphasizes emphasized emphasise emphasises emphasised explain "
    "explains explained argue argues argued write writes wrote predict predicts predicted urge urges urged "
    "praise praises praised condemn condemns condemned offer offers offered vow vows vowed pledge pledges "
    "pledged threaten threatens threatened allege alleges alleged disclose discloses disclosed declare "
    "declares declared assert asserts asserted suggest suggests suggested hint hints hinted accuse accuses "
    "accused warn warns warned reveal reveals revealed called calls comment comments commented remark "
    "remarks remarked respond responds responded reply replies replied tweeted posted recall recalls recalled "
    "demand demands demanded know knows describe describes described criticize criticizes criticized "
    "criticise criticises criticised slam slams slammed hail hails hailed welcome welcomes welcomed promise "
    "promises promised reiterate reiterates reiterated caution cautions cautioned labelled labeled dubbed "
    "sagte sagt sagten erklärte erklärt erklärten warnte warnt betonte betont schrieb "
    "schreibt teilte teilt",
    "estimated": "estimate estimates estimated believe believes believed assess assesses assessed think thinks "
    "thought suspect suspects suspected calculate calculates calculated expect expects understand understands "
    "schätzt schätzte",
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
_PHRASES_ENDING: dict[str, list[tuple[str, ...]]] = {}
for _phrase in _AUX_PHRASES:
    _PHRASES_ENDING.setdefault(_phrase[-1], []).append(_phrase)
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
        for phrase in _PHRASES_ENDING.get(low, ()):
            n = len(phrase)
            if j - n + 1 >= floor and tuple(t.low for t in toks[j - n + 1 : j + 1]) == phrase:
                j -= n
                break
        else:
            break
    return j + 1, negated, passive


NOUN_BEFORE = word_set(
    """amid of the a an such these those its his her their by with to and in on following after over about"""
)
NOUN_BEFORE_LOWER = word_set("media news press")  # "media reports", but "NK News reported"
# Verb forms that are also nouns: after "media", "news" they are the nouns ("media reports").
NOUN_LIKE = word_set("report reports claim claims estimate estimates comment comments remarks warns offers")
ACCORDING = re.compile(
    r"\b(?:according\s+to|citing|per|laut|nach\s+(?:(?P<adj>\w+en)\s+)?angaben(?:\s+(?:von|des|der))?)\s+",
    re.IGNORECASE,
)
QUOTE_LEAD_IN = re.compile(r"[^“\"‘«„.;]{0,60}?[:,]\s*(?=[“\"‘«„])")
# Verbs that report speech only when speech follows: "added that", 'posted: "...', not "adds 2,000 soldiers".
ADD_VERB = re.compile(r"adds?|added|posted|tweeted", re.IGNORECASE)
ADD_FOLLOW = re.compile(r"\s*(?:$|[.,:;“\"‘«„]|that\b|\s(?:in|on|at|during|later|earlier)\b)", re.IGNORECASE)
# "called the deployment a “dangerous expansion”" is speech; "called an emergency meeting" is not.
CALLED = re.compile(r"calls?|called|labell?ed|dubbed", re.IGNORECASE)
QUOTE_MARK = re.compile(r"[“\"‘«„']")
INTRO_WORDS = word_set(
    """in on at after before during speaking responding asked according following despite while when as since
    amid with without under for from by to earlier later meanwhile however separately also but and writing"""
)
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
    factbox timeline q&a review comment interview briefing newsletter podcast recap"""
)  # fmt: skip


INVERTIBLE = word_set(
    """says said tells told adds added warns warned claims claimed confirms confirmed notes noted sagte
    sagt erklärte teilte betonte schrieb"""
)  # fmt: skip
