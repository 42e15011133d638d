"""Who says what, read from the dependency parse: every reporting verb with its speaker and what it reports.

The parse generalises where patterns cannot: the speaker is the subject of a reporting verb wherever it
stands ("..., said the Pentagon's deputy press secretary, who spoke to reporters"), the verb is known in
any inflection by its lemma ("sidestepped", "decried"), and what is reported is the verb's clausal
complement or object, before or after it.
"""

from __future__ import annotations

from dataclasses import replace

from extractors.attribution import Attribution
from extractors.parse import Parse, Word
from extractors.phrases import AUDIENCE, content_end
from extractors.quotes import Quote, inside
from extractors.reporting import (
    CLAUSE_ONLY,
    ESTIMATE_NOUNS,
    ESTIMATING,
    NEEDS_CONTENT,
    NOT_AGENTS,
    NOT_SPEAKERS,
    OBJECT_SPEECH,
    REFUSED,
    REFUSING,
    SOURCE_NOUNS,
    SPEAKER_NOUNS,
    SPEECH_OBJECTS,
    STANCE_OF_LEMMA,
    TOTAL_NOUNS,
)
from extractors.speakers import QUANTIFIERS
from extractors.text import dateline_end, word_set

_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
_CONTENT = ("ccomp", "xcomp", "dobj", "oprd", "parataxis", "attr")
_CONTENT_PREPS = frozenset({"of", "for", "about", "over", "on", "against", "to", "that", "as"})
_TIME_WORDS = word_set(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tonight week month year weekend
    morning evening night day hours statement interview briefing address post conference news reporters
    journalists lawmakers parliament"""
)
_PARTITIVE_HEADS = word_set("one two three some many several most all none each either neither few")
TELLING = frozenset({"tell", "inform", "brief", "warn", "urge", "ask", "assure", "remind", "advise"})
_PERSONAL_SELF = frozenset({"he", "she", "it", "they", "we", "i"})  # "we" speaks in transcripts
_AGENTIVE = ("ist", "ists", "ian", "ians", "man", "men", "woman", "women", "person", "er", "ers", "or", "ors")


def speech_events(p: Parse, quotes: list[Quote]) -> list[Attribution]:
    """Every attribution in a parsed sentence: reporting verbs, "according to X", and sources of estimates."""
    found: list[tuple[Word, Attribution]] = []
    for w in p.words:
        if inside(quotes, w.start):
            continue
        event = _verb_event(p, w, quotes) or _according(p, w) or _source(p, w)
        if event is not None:
            found.append((w, event))
    return _split_coordinated(p, _merge_participles(p, _relays(p, found)))


def _relays(p: Parse, found: list[tuple[Word, Attribution]]) -> list[tuple[Word, Attribution]]:
    """ "Kim said according to KCNA": a source attached to a reporting verb relays that verb's speaker;
    it is no statement of its own. (A sentence that opens "According to X, ..." is X's.)"""
    verbs = {w.i: k for k, (w, e) in enumerate(found) if e.form not in ("according", "source")}
    out = list(found)
    drop = set()
    for k, (w, e) in enumerate(found):
        if (
            e.form == "according" and w.head in verbs and w.head < w.i
        ):  # after its verb, not "According to X, ..."
            vk = verbs[w.head]
            vw, ve = out[vk]
            out[vk] = (vw, replace(ve, relayed=e.subject, relayed_stance=e.stance))
            drop.add(k)
    return [x for k, x in enumerate(out) if k not in drop]


def _merge_participles(p: Parse, found: list[tuple[Word, Attribution]]) -> list[tuple[Word, Attribution]]:
    """ "The network denied the allegations, saying Israel wanted to 'silence' its journalists" is one statement:
    a participle that shares its verb's subject adds to what that verb reports."""
    out: list[tuple[Word, Attribution]] = []
    for w, e in found:
        head = p.head_of(w.i)
        main = next((k for k, (mw, _me) in enumerate(out) if head is not None and mw.i == head.i), None)
        if (
            w.tag == "VBG"
            and w.dep in ("advcl", "xcomp", "conj")
            and not p.children(w.i, *_SUBJECTS)
            and main is not None
        ):
            mw, me = out[main]
            out[main] = (mw, replace(me, content_end=max(me.content_end, e.content_end)))
            continue
        out.append((w, e))
    return out


def _split_coordinated(p: Parse, found: list[tuple[Word, Attribution]]) -> list[Attribution]:
    """Statements joined in one sentence are two: "Israel said A and Hamas vowed B", "... as Israel vows B".

    A reporting verb coordinated with (or subordinate to) another clause, with a subject of its own, is not
    part of what an earlier verb reports: that one's content ends before it."""
    out = [e for _w, e in found]
    for w, e in found:
        if w.dep not in ("conj", "advcl", "parataxis") or not p.children(w.i, *_SUBJECTS):
            continue
        for k, o in enumerate(out):
            if o is not e and o.content_start <= e.subject_start < o.content_end:
                c0, c1 = _trim(p.text, o.content_start, e.subject_start)
                c1 = _drop_joiner(p.text, c0, c1)
                out[k] = replace(o, content_end=c1) if c1 - c0 >= 2 else o
    return out


def _drop_joiner(s: str, start: int, end: int) -> int:
    """The end of a span without a trailing conjunction ("... talks and", "... 'unrealistic' as")."""
    words = s[start:end].rsplit(None, 1)
    if len(words) == 2 and words[1].lower() in ("and", "but", "as", "while", "whereas", "though", "although"):
        return _trim(s, start, start + len(words[0]))[1]
    return end


def _verb_event(p: Parse, w: Word, quotes: list[Quote]) -> Attribution | None:
    """The attribution of a reporting verb, or None when w is not one (or is negated, or has no speaker)."""
    if not w.tag.startswith("VB") or w.dep in ("amod", "compound", "nmod"):
        return None  # a verb the parser read as a modifier: the patterns read that sentence instead
    if w.tag == "VBG" and p.children(w.i, "nsubj") and not p.children(w.i, "aux"):
        return None  # "Leaked US warning to Israel": a noun, whatever the tagger says
    stance = STANCE_OF_LEMMA.get(w.lemma)
    verb_last = w
    if w.lemma in REFUSING:
        refused = [c for c in p.children(w.i, "xcomp") if c.lemma in REFUSED]
        if not refused:
            return None
        stance, verb_last = "neither", _last_conj(p, refused[0])
    elif stance is None:
        return None
    if w.lemma in NEEDS_CONTENT and not _has_content(p, w, quotes):
        return None  # "called an emergency meeting", "adds 2,000 soldiers"
    if w.lemma in ESTIMATING and not any(c.lemma in TOTAL_NOUNS for c in p.children(w.i, "dobj")):
        return None  # "put pressure on", "placed under arrest"; but "put the number of dead at 23"
    if w.lemma == "report" and (not p.children(w.i, "ccomp", "dobj", "parataxis") or _byline(p, w)):
        return None  # "NBC News' Matt Bradley reports from Gaza": a byline, not a statement
    if (w.lemma in CLAUSE_ONLY or w.lemma in ("brief", "inform")) and not (
        p.children(w.i, "ccomp", "parataxis") or any(0 <= q.outer_start - w.end < 40 for q in quotes)
    ):
        return None  # "maintains a standing army"; but "maintained that ..."
    if w.lemma in ("talk", "speak") and not _talks_about(p, w):
        return None  # "spoke to reporters"; but "talks about why the talks are posturing"
    if w.lemma in OBJECT_SPEECH and not any(
        c.lemma in SPEECH_OBJECTS or c.low in SPEECH_OBJECTS or c.lemma in TOTAL_NOUNS
        for c in p.children(w.i, "dobj")
    ):
        return None  # "raised funds"; but "expressed concern over", "raised the number of dead to 530"
    if _not_yet(p, w):
        return None  # "Hamas has yet to comment", "has yet to be confirmed": nothing said yet
    negated = bool(p.children(w.i, "neg")) or _neither(p, w)
    if negated:
        perfect = any(c.lemma == "have" for c in p.children(w.i, "aux"))
        if w.lemma not in ("deny", "confirm", "comment", "rule") or perfect or _neither(p, w):
            return None  # "KCNA did not say", "Hamas has yet to comment", "had not confirmed"
        stance = "neither"  # "does not deny", "would not confirm"
    subject = _subject(p, w)
    if subject is None or not speaker_ok(p, subject):
        return None
    if w.lemma in ("tell", "inform", "brief") and w.i == _last_word(p) and subject.lemma in AUDIENCE:
        return None  # "..., lawmakers told": a headline's passive; the audience is no speaker
    s0, s1 = _phrase(p, subject)
    if p.children(
        w.i, "auxpass", "nsubjpass"
    ):  # "whose death was confirmed by the military": what it confirmed
        c0, c1 = _passive_content(p, w)
    else:
        c0, c1 = _to_quote(*_content(p, w, verb_last, (s0, s1), quotes), quotes)
    if c1 - c0 < 2:
        return None
    form = "leading" if c0 >= w.start else ("inverted" if s0 > w.start else "trailing")
    verb = p.text[_verb_start(p, w) : verb_last.end]
    return Attribution(p.text[s0:s1], s0, s1, verb, stance, c0, c1, form)


def _byline(p: Parse, w: Word) -> bool:
    """ "NBC's Hala Gorani reports new details": a reporter of an outlet, named with it, is no source."""
    subj = p.children(w.i, "nsubj")
    return (
        bool(subj)
        and subj[0].pos == "PROPN"
        and any(c.dep == "poss" or c.low.endswith(("'s", "’s", "'", "’")) for c in p.children(subj[0].i))
        and not p.children(w.i, "ccomp")
    )


def _talks_about(p: Parse, w: Word) -> bool:
    """Whether "talks/spoke about X" reports a proposition: X holds a clause ("about why ...", "her fear that")."""
    for prep in p.children(w.i, "prep"):
        if prep.low == "about":
            lo, hi = p.subtree(prep.i)
            if any(
                p.words[k].tag.startswith("VB") or p.words[k].low in ("why", "how", "that")
                for k in range(lo, hi + 1)
            ):
                return True
    return False


def _passive_content(p: Parse, w: Word) -> tuple[int, int]:
    """What a passive reporting verb reports: its subject, with the verb ("whose death was confirmed Thursday")."""
    subj = p.children(w.i, "nsubjpass")
    lo = p.subtree(subj[0].i)[0] if subj else w.i
    return p.span(min(lo, w.i), w.i)


def _last_word(p: Parse) -> int:
    """Index of the sentence's last word that is not punctuation."""
    return next((w.i for w in reversed(p.words) if w.pos != "PUNCT"), -1)


def _last_conj(p: Parse, w: Word) -> Word:
    """The last verb coordinated with w ("confirm or deny")."""
    conj = p.children(w.i, "conj")
    return conj[-1] if conj else w


def _has_content(p: Parse, w: Word, quotes: list[Quote]) -> bool:
    """Whether a verb that reports only with content has some: a clause, a quotation, "that", "for"/"on"."""
    kids = p.children(w.i)
    if any(c.dep in ("ccomp", "parataxis") for c in kids):
        return True
    if any(q.outer_start >= w.end and q.outer_start - w.end < 60 for q in quotes):
        return True
    if any(c.dep == "prep" and c.low in ("for", "on") for c in kids) or any(c.dep == "prt" for c in kids):
        return w.lemma in ("call", "raise", "voice", "express")
    if w.lemma in OBJECT_SPEECH:
        return bool(p.children(w.i, "dobj"))
    for obj in p.children(w.i, "dobj"):  # "call the killing a deep blow": an object and what it is called
        lo, hi = p.subtree(obj.i)
        if any(p.words[k].dep in ("appos", "oprd", "attr") for k in range(lo, hi + 1)):
            return w.lemma == "call"
    return any(c.dep == "oprd" for c in kids) or (w.lemma == "add" and not p.children(w.i, "dobj"))


def _not_yet(p: Parse, w: Word) -> bool:
    """ "has yet to comment", "is yet to confirm": not said (yet)."""
    head = p.head_of(w.i)
    return w.dep == "xcomp" and head is not None and any(c.low == "yet" for c in p.children(head.i))


def _neither(p: Parse, w: Word) -> bool:
    """ "neither the U.S. nor NATO had confirmed", "no one has said": a subject that negates the verb."""
    for subj in p.children(w.i, *_SUBJECTS):
        if any(c.low in ("neither", "no", "none") for c in p.children(subj.i, "preconj", "det")):
            return True
        if subj.low in ("nobody", "none", "no-one"):
            return True
    return False


def _subject(p: Parse, w: Word) -> Word | None:
    """The speaker's head word: the verb's subject, its passive agent, or the subject it shares."""
    if p.children(w.i, "auxpass", "nsubjpass"):
        if w.lemma in TELLING:
            return None  # "who was briefed by the spy agency": the briefed one speaks, if anyone
        for agent in p.children(w.i, "agent"):
            objs = p.children(agent.i, "pobj")
            if objs:
                return objs[0]
        return None  # "soldiers were told": the audience, not a speaker
    subj = p.children(w.i, *_SUBJECTS) or [
        s for aux in p.children(w.i, "aux") for s in p.children(aux.i, *_SUBJECTS)
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
        return _subject(p, head) if head.tag.startswith("VB") else None  # "..., saying", "vowed to ..."
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


def _phrase(p: Parse, head: Word) -> tuple[int, int]:
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
    while lo < hi and p.words[lo].pos == "PUNCT":
        lo += 1
    while hi > lo and p.words[hi].pos == "PUNCT":
        hi -= 1
    return p.span(lo, hi)


def _verb_start(p: Parse, w: Word) -> int:
    """Where the verb group starts: its auxiliaries and adverbs before it ("has previously accused", "has
    for the first time confirmed")."""
    start = w.i
    for c in p.children(w.i):
        if c.i < w.i and w.i - c.i <= 6 and c.dep in ("aux", "auxpass", "neg"):
            start = min(start, c.i)
        elif c.i < w.i and c.dep == "advmod" and c.i == start - 1:
            start = c.i
    return p.words[start].start


def _content(p: Parse, w: Word, last: Word, subject: tuple[int, int], quotes: list[Quote]) -> tuple[int, int]:
    """Character span of what the verb reports: from its complement or object to the end of its clause,
    or the clause before it ("..., the NIS said"), or the text before its subject ('"...," Austin added')."""
    kids = p.children(last.i) + ([] if last is w else p.children(w.i))
    clause = [c for c in kids if c.dep in ("ccomp", "parataxis") and c.i < w.i]
    if clause and not any(c.dep in ("ccomp", "parataxis") and c.i > w.i for c in kids):
        c0, c1 = p.span(*p.subtree(clause[0].i))
        return _trim(p.text, c0, min(c1, subject[0]) if c0 < subject[0] < c1 else c1)
    parts = [c for c in kids if c.i > last.i and _is_content(p, w, c)]
    if parts:
        first = min(p.subtree(c.i)[0] for c in parts)
        final = max(p.subtree(c.i)[1] for c in parts)
        for c in p.children(
            w.i
        ):  # adjuncts after the content belong to it ("vows to back Russia 'until victory'")
            if c.i > final and c.dep in ("prep", "advmod", "npadvmod", "oprd", "dative", "acomp", "punct"):
                final = max(final, p.subtree(c.i)[1]) if c.dep != "punct" else final
            elif c.i > final:
                break  # "..., while the agency said ...": another clause, another statement
        if final + 1 < len(p.words) and p.words[final + 1].tag == "MD":
            final = _clause_end(p, final + 1)  # "warns move will 'deepen the suffering'": a clause misread
        c0, c1 = p.span(first, final)
        if c0 < subject[0] < c1:
            c1 = subject[0]  # an inverted subject after the content
        return _trim(p.text, c0, c1)
    if subject[0] > w.start:
        return _trim(p.text, dateline_end(p.text), w.start)  # '"...," said the general'
    nxt = p.words[last.i + 1] if last.i + 1 < len(p.words) else None
    audience = nxt is not None and nxt.dep in ("dobj", "dative") and w.lemma in TELLING  # "tells Blinken"
    if nxt is not None and nxt.pos != "PUNCT" and subject[0] < w.start and not audience:
        return _trim(
            p.text, nxt.start, p.words[_clause_end(p, nxt.i)].end
        )  # "medics say Gaza hospital raided ..."
    if subject[0] > 0:
        return _trim(p.text, dateline_end(p.text), subject[0])  # '"...," Austin added.'
    after = [q for q in quotes if q.outer_start >= w.end]
    if after:
        return after[0].outer_start, after[0].outer_end
    return _trim(p.text, w.end, content_end(p.text))


def _clause_end(p: Parse, i: int) -> int:
    """Index of the last word of the clause that word i is in (up to a comma, semicolon or the end)."""
    while i + 1 < len(p.words) and p.words[i + 1].text not in (",", ";", "—", "–"):
        i += 1
    return i


def _to_quote(c0: int, c1: int, quotes: list[Quote]) -> tuple[int, int]:
    """The content widened to the quotation marks around it, when it is the words of one quotation."""
    for q in quotes:
        starts = q.outer_start <= c0 <= q.start + 1
        ends = q.end - 2 <= c1 <= q.outer_end + 1
        if (starts and c1 <= q.outer_end + 1) or (ends and q.start <= c0 < q.end):
            return q.outer_start, q.outer_end  # the parse stops at the first sentence inside a quotation
        if c0 == q.start:
            c0 = (
                q.outer_start
            )  # a reported clause that opens with a quotation: 'says "3,000 soldiers" are ...'
    return c0, c1


def _is_content(p: Parse, w: Word, c: Word) -> bool:
    """Whether a dependent of a reporting verb starts what it reports (not its audience or a time)."""
    if c.dep in ("ccomp", "xcomp", "oprd", "parataxis", "attr"):
        return True
    if c.dep == "dobj":
        # "told reporters that ...", "tells Blinken": the audience is not what is said
        if w.lemma in ("tell", "inform", "brief", "assure", "remind"):
            return False
        return w.lemma not in TELLING or not any(k.dep in ("ccomp", "xcomp") for k in p.children(w.i))
    return c.dep == "prep" and c.low in _CONTENT_PREPS and not _adjunct(p, c)


def _adjunct(p: Parse, prep: Word) -> bool:
    """Whether a prepositional phrase only says when, where or to whom ("on Monday", "to reporters")."""
    objs = p.children(prep.i, "pobj")
    return bool(objs) and (objs[0].low in _TIME_WORDS or objs[0].lemma in _TIME_WORDS)


def _trim(s: str, start: int, end: int) -> tuple[int, int]:
    """A span without surrounding spaces, commas, colons, dashes, a leading "that" and a final full stop."""
    while start < end and s[start] in " ,;:—–-":
        start += 1
    if s[start : start + 5].lower() == "that ":
        start += 5
    while end > start and s[end - 1] in " ,;:—–-.…":
        end -= 1
    return start, end


def _according(p: Parse, w: Word) -> Attribution | None:
    """ "according to X": X is the source of the rest of the sentence."""
    if w.low != "according":
        return None
    to = next((c for c in p.children(w.i, "prep") if c.low == "to"), None)
    objs = p.children(to.i, "pobj") if to is not None else []
    if not objs or not speaker_ok(p, objs[0]):
        return None
    s0, s1 = _phrase(p, objs[0])
    s0 = min(s0, p.words[to.i + 1].start) if to is not None and to.i + 1 < len(p.words) else s0
    end = content_end(p.text)
    if w.start <= 3:  # "According to X, Y": X runs to the comma before Y's subject
        main = p.head_of(w.i)
        subj = p.children(main.i, *_SUBJECTS) if main is not None else []
        if subj:
            comma = p.text.rfind(",", s1, p.words[p.subtree(subj[0].i)[0]].start)
            s1 = max(s1, comma) if comma > 0 else s1
        c0, c1 = _trim(p.text, s1, end)
    else:  # "Y, according to X.": X runs to the end of the sentence when no verb follows
        if not any(v.tag.startswith("VB") and v.start >= s1 for v in p.words):
            s1 = end
        c0, c1 = _trim(p.text, dateline_end(p.text), w.start)
    s0, s1 = _trim(p.text, s0, s1)
    if c1 - c0 < 2:
        return None
    return Attribution(p.text[s0:s1], s0, s1, "according to", "claimed", c0, c1, "according")


def _source(p: Parse, w: Word) -> Attribution | None:
    """A source named on an estimate: "U.S. estimates were lower, at about 1,000" (the U.S. estimates it)."""
    if w.lemma not in SOURCE_NOUNS or w.dep not in ("nsubj", "nsubjpass"):
        return None
    mods = [c for c in p.children(w.i, "compound", "amod", "poss", "nmod") if c.text[:1].isupper()]
    head = p.head_of(w.i)
    if not mods or head is None:
        return None
    s0, s1 = p.span(min(p.subtree(m.i)[0] for m in mods), max(p.subtree(m.i)[1] for m in mods))
    s1 -= len(p.text[s0:s1]) - len(
        p.text[s0:s1].removesuffix("'s").removesuffix("’s")
    )  # "President Sisi's plan"
    c0, c1 = p.span(*p.subtree(head.i))
    stance = "estimated" if w.lemma in ESTIMATE_NOUNS else "claimed"
    return Attribution(p.text[s0:s1], s0, s1, None, stance, c0, c1, "source")
