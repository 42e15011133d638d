"""Who speaks in a parsed sentence: the subject of a reporting verb, and whether a phrase can speak."""

from __future__ import annotations

from extractors.parse import Parse, Word
from extractors.reporting import NOT_AGENTS, NOT_SPEAKERS, SPEAKER_NOUNS, TELLING
from extractors.speakers import QUANTIFIERS
from extractors.text import word_set

SUBJECTS = ("nsubj", "nsubjpass", "csubj")
_PARTITIVE_HEADS = word_set("one two three some many several most all none each either neither few")
_PERSONAL_SELF = frozenset({"he", "she", "it", "they", "we", "i"})  # "we" speaks in transcripts
_AGENTIVE = ("ist", "ists", "ian", "ians", "man", "men", "woman", "women", "person", "er", "ers", "or", "ors")


def negating_subject(p: Parse, w: Word) -> bool:
    """ "neither the U.S. nor NATO had confirmed", "no one has said": a subject that negates the verb."""
    for subj in p.children(w.i, *SUBJECTS):
        if any(c.low in ("neither", "no", "none") for c in p.children(subj.i, "preconj", "det")):
            return True
        if subj.low in ("nobody", "none", "no-one"):
            return True
    return False


def subject_of(p: Parse, w: Word) -> Word | None:
    """The speaker's head word: the verb's subject, its passive agent, or the subject it shares."""
    if p.children(w.i, "auxpass", "nsubjpass"):
        if w.lemma in TELLING:
            return None  # "who was briefed by the spy agency": the briefed one speaks, if anyone
        for agent in p.children(w.i, "agent"):
            objs = p.children(agent.i, "pobj")
            if objs:
                return objs[0]
        return None  # "soldiers were told": the audience, not a speaker
    subj = p.children(w.i, *SUBJECTS) or [
        s for aux in p.children(w.i, "aux") for s in p.children(aux.i, *SUBJECTS)
    ]  # the parser sometimes hangs the subject on the auxiliary ("North Korea has ... confirmed")
    if subj:
        # the nearest subject that can speak ("Dozens killed ..., Palestinian officials say": officials)
        subj.sort(key=lambda c: (not speaker_ok(p, c), abs(w.i - c.i)))
        s = subj[0]
        if s.low in ("who", "that", "which") and w.dep == "relcl":
            return p.head_of(w.i)  # "officials who said"
        return s
    head = p.head_of(w.i)
    before = _noun_before(p, w)
    if before is not None and (head is None or w.dep in ("ROOT", "parataxis")):
        return before  # "..., South Korea's spy agency said": the parser hung the agency elsewhere
    if head is None:
        return None
    if w.dep == "conj" or (w.dep in ("xcomp", "advcl") and w.tag == "VBG") or w.dep == "xcomp":
        return subject_of(p, head) if head.tag.startswith("VB") else None  # "..., saying", "vowed to ..."
    if w.dep == "pcomp" and head.low == "as":  # "was quoted as saying", "KCNA quoted an official as calling"
        quoted = p.head_of(head.i)
        if quoted is not None and quoted.lemma == "quote":
            subj = p.children(quoted.i, "nsubjpass", "dobj")
            return subj[0] if subj else None
    return None


def _noun_before(p: Parse, w: Word) -> Word | None:
    """The noun right before a verb (auxiliaries and adverbs between), when it can speak: the subject a
    parse missed. Only after a comma or at the start, where a trailing attribution's subject stands."""
    k = w.i - 1
    if k >= 0 and p.words[k].text == ",":
        k -= 1  # "..., the operator, Northfield Minerals, said": the apposition's closing comma
    while k >= 0 and p.words[k].dep in ("aux", "auxpass", "advmod", "neg"):
        k -= 1
    if k < 0 or p.words[k].pos not in ("NOUN", "PROPN"):
        return None
    head = p.words[p.words[k].head]
    if p.words[k].dep == "appos" and head.pos in ("NOUN", "PROPN") and k - head.i <= 4:
        k = head.i  # "the operator, Northfield Minerals": the phrase the apposition names
    lo = p.subtree(k)[0]
    left = p.words[lo - 1] if lo > 0 else None
    if left is not None and left.text not in (",", "—", "–", '"', "”", "'", "’"):
        return None
    return p.words[k] if speaker_ok(p, p.words[k]) else None


def speaker_ok(p: Parse, head: Word) -> bool:
    """Whether a phrase with this head word names someone who can speak (a person, an office, a body)."""
    low = head.low
    if low in _PARTITIVE_HEADS:  # "One of the captured soldiers", "some of the residents"
        of = [
            o for prep in p.children(head.i, "prep") if prep.low == "of" for o in p.children(prep.i, "pobj")
        ]
        return bool(of) and speaker_ok(p, of[0])
    if head.text.isupper() and len(head.text) >= 2 and head.text.isalpha():
        return True  # an acronym: "WHO", "IDF", "UNRWA" (WHO is no pronoun here)
    if head.pos == "PRON":
        return low in _PERSONAL_SELF
    if low in ("other", "others", "latter", "former") and any(
        c.low == "the" for c in p.children(head.i, "det")
    ):
        return True  # "The other wrote ..., stating that": a person named before
    if low in QUANTIFIERS or head.pos in ("DET", "NUM", "ADV", "ADP"):
        return False
    if head.pos == "PROPN" and head.i > 0 and p.words[head.i - 1].pos == "PROPN":
        return True  # a name of several words: "Cal Fire", "Storm Hilda" is filtered by the topic
    if head.lemma in NOT_SPEAKERS or low in NOT_SPEAKERS:
        return False
    if head.pos == "PROPN" or head.text[:1].isupper():
        return True
    if head.lemma in SPEAKER_NOUNS or low in SPEAKER_NOUNS:
        return True
    return low.endswith(_AGENTIVE) and low not in NOT_AGENTS and head.lemma not in NOT_AGENTS  # "a hiker"


def speaker_span(p: Parse, head: Word) -> tuple[int, int]:
    """Character span of a speaker's phrase: its subtree without relative clauses, without what stands
    before a comma or dash on its left (a dateline, "In a closed-door meeting,"), and without outer punctuation."""
    lo, hi = head.i, head.i
    stack = [head.i]
    while stack:
        k = stack.pop()
        lo, hi = min(lo, k), max(hi, k)
        stack.extend(
            c.i
            for c in p.children(k)
            if c.dep not in ("relcl", "acl", "advcl", "ccomp") and not (c.dep == "prep" and c.i < k)
        )
    for k in range(head.i - 1, lo - 1, -1):
        if p.words[k].text in (",", "—", "–", ":", ";", "--"):
            lo = k + 1
            break
    for k in range(head.i + 1, hi):  # "A US defence official, speaking on condition of anonymity"
        if p.words[k].text == "," and p.words[k + 1].tag == "VBG":
            hi = k - 1
            break
    while lo < hi and p.words[lo].pos == "PUNCT":
        lo += 1
    while hi > lo and p.words[hi].pos == "PUNCT":
        hi -= 1
    # A bracket the phrase opens, it closes: "the National Intelligence Service (NIS) said", where the
    # parser hangs the ")" on the verb (or the loop above took it for outer punctuation).
    words = [w.text for w in p.words[lo : hi + 1]]
    if words.count("(") > words.count(")") and hi + 1 < len(p.words) and p.words[hi + 1].text == ")":
        hi += 1
    return p.span(lo, hi)
