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
from extractors.phrases import AUDIENCE
from extractors.quotes import Quote, inside
from extractors.reported import content_of, passive_content, to_quote, trim
from extractors.reporting import (
    CLAUSE_ONLY,
    ESTIMATING,
    NEEDS_CONTENT,
    OBJECT_SPEECH,
    REFUSED,
    REFUSING,
    SPEECH_OBJECTS,
    STANCE_OF_LEMMA,
    TOTAL_NOUNS,
)
from extractors.sources import according_event, source_event
from extractors.subjects import SUBJECTS, negating_subject, speaker_ok, speaker_span, subject_of


def speech_events(p: Parse, quotes: list[Quote]) -> list[Attribution]:
    """Every attribution in a parsed sentence: reporting verbs, "according to X", and sources of estimates."""
    found: list[tuple[Word, Attribution]] = []
    for w in p.words:
        if inside(quotes, w.start):
            continue
        event = _verb_event(p, w, quotes) or according_event(p, w) or source_event(p, w)
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
            and not p.children(w.i, *SUBJECTS)
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
        if w.dep not in ("conj", "advcl", "parataxis") or not p.children(w.i, *SUBJECTS):
            continue
        for k, o in enumerate(out):
            if o is not e and o.content_start <= e.subject_start < o.content_end:
                c0, c1 = trim(p.text, o.content_start, e.subject_start)
                c1 = _drop_joiner(p.text, c0, c1)
                out[k] = replace(o, content_end=c1) if c1 - c0 >= 2 else o
    return out


def _drop_joiner(s: str, start: int, end: int) -> int:
    """The end of a span without a trailing conjunction ("... talks and", "... 'unrealistic' as")."""
    words = s[start:end].rsplit(None, 1)
    if len(words) == 2 and words[1].lower() in ("and", "but", "as", "while", "whereas", "though", "although"):
        return trim(s, start, start + len(words[0]))[1]
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
    negated = bool(p.children(w.i, "neg")) or negating_subject(p, w)
    if negated:
        perfect = any(c.lemma == "have" for c in p.children(w.i, "aux"))
        if w.lemma not in ("deny", "confirm", "comment", "rule") or perfect or negating_subject(p, w):
            return None  # "KCNA did not say", "Hamas has yet to comment", "had not confirmed"
        stance = "neither"  # "does not deny", "would not confirm"
    subject = subject_of(p, w)
    if subject is None or not speaker_ok(p, subject) or _apposition_speaker(p, w, subject):
        return None
    if w.lemma in ("tell", "inform", "brief") and w.i == _last_word(p) and subject.lemma in AUDIENCE:
        return None  # "..., lawmakers told": a headline's passive; the audience is no speaker
    s0, s1 = speaker_span(p, subject)
    if p.children(
        w.i, "auxpass", "nsubjpass"
    ):  # "whose death was confirmed by the military": what it confirmed
        c0, c1 = passive_content(p, w)
    else:
        c0, c1 = to_quote(*content_of(p, w, verb_last, (s0, s1), quotes), quotes)
    if c1 - c0 < 2:
        return None
    form = "leading" if c0 >= w.start else ("inverted" if s0 > w.start else "trailing")
    verb = p.text[_verb_start(p, w) : verb_last.end]
    return Attribution(p.text[s0:s1], s0, s1, verb, stance, c0, c1, form)


def _apposition_speaker(p: Parse, w: Word, subject: Word) -> bool:
    """Whether the parser made the place before a speaker the subject ("after Storm Hilda, the city's mayor
    said": "mayor" hung on "Hilda" as an apposition); the patterns read such a sentence instead."""
    start = _verb_start(p, w)
    before = next((x for x in reversed(p.words) if x.end <= start), None)
    # "commander, Col Hamish de Bretton-Gordon told": a role and its name, read right by the parser
    return (
        before is not None
        and before.dep == "appos"
        and before.pos == "NOUN"
        and subject.pos == "PROPN"
        and before.head == subject.i
    )


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
