"""Sources that are not reporting verbs: "according to X", and estimates named for who made them."""

from __future__ import annotations

from extractors.attribution import Attribution
from extractors.parse import Parse, Word
from extractors.phrases import content_end
from extractors.reported import trim
from extractors.reporting import ESTIMATE_NOUNS, SOURCE_NOUNS
from extractors.subjects import SUBJECTS, speaker_ok, speaker_span
from extractors.text import dateline_end


def according_event(p: Parse, w: Word) -> Attribution | None:
    """ "according to X": X is the source of the rest of the sentence."""
    if w.low != "according":
        return None
    to = next((c for c in p.children(w.i, "prep") if c.low == "to"), None)
    objs = p.children(to.i, "pobj") if to is not None else []
    if not objs or not speaker_ok(p, objs[0]):
        return None
    s0, s1 = speaker_span(p, objs[0])
    s0 = min(s0, p.words[to.i + 1].start) if to is not None and to.i + 1 < len(p.words) else s0
    end = content_end(p.text)
    if w.start <= 3:  # "According to X, Y": X runs to the comma before Y's subject
        main = p.head_of(w.i)
        subj = p.children(main.i, *SUBJECTS) if main is not None else []
        if subj:
            comma = p.text.rfind(",", s1, p.words[p.subtree(subj[0].i)[0]].start)
            s1 = max(s1, comma) if comma > 0 else s1
        c0, c1 = trim(p.text, s1, end)
    else:  # "Y, according to X.": X runs to the end of the sentence when no verb follows
        if not any(v.tag.startswith("VB") and v.start >= s1 for v in p.words):
            s1 = end
        c0, c1 = trim(p.text, dateline_end(p.text), w.start)
    s0, s1 = trim(p.text, s0, s1)
    if c1 - c0 < 2:
        return None
    return Attribution(p.text[s0:s1], s0, s1, "according to", "claimed", c0, c1, "according")


def source_event(p: Parse, w: Word) -> Attribution | None:
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
