"""Headline forms of speech without a reporting verb: a quotation worn by its speaker.

"'Time for action': Al Jazeera demands protection for journalists" (a leading quotation is the words of
the subject that follows the colon) and "Israeli military 'checking possibility' it has killed leader of
Hamas" (a speaker's noun phrase followed at once by a quotation).
"""

from __future__ import annotations

from extractors.attribution import Attribution
from extractors.parse import Parse, Word
from extractors.quotes import Quote
from extractors.subjects import speaker_ok

_SUBJECTS = ("nsubj", "nsubjpass")
_MAX_SPEAKER_WORDS = 8


def quote_events(p: Parse, quotes: list[Quote]) -> list[Attribution]:
    """Statements a sentence makes by wearing a quotation: after a leading "'...':" or right after a speaker."""
    if not quotes:
        return []
    out = []
    first = quotes[0]
    lead = p.text[: first.outer_start].strip()
    if not lead and p.text[first.outer_end : first.outer_end + 2].strip().startswith(":"):
        event = _leading_quote(p, first)
        if event is not None:
            out.append(event)
    elif lead and first.closed:
        event = _worn_quote(p, first)
        if event is not None:
            out.append(event)
    return out


def _leading_quote(p: Parse, q: Quote) -> Attribution | None:
    """ "'Deeply disturbing': WHO loses touch with staff": the quotation is the words of the clause's subject."""
    after = [w for w in p.words if w.start > q.outer_end and w.text != ":"]
    main = next((w for w in after if w.tag.startswith("VB") and p.children(w.i, *_SUBJECTS)), None)
    if main is None:
        return None
    subject = p.children(main.i, *_SUBJECTS)[0]
    if subject.start < q.outer_end or not speaker_ok(p, subject):
        return None
    s0, s1 = _span(p, subject)
    return Attribution(p.text[s0:s1], s0, s1, None, "claimed", q.outer_start, q.outer_end, "headline")


def _worn_quote(p: Parse, q: Quote) -> Attribution | None:
    """ "Relative of Oct. 7 hostage 'scared' after ...": a short noun phrase, then at once a quotation."""
    before = [w for w in p.words if w.end <= q.outer_start]
    if not before or len(before) > _MAX_SPEAKER_WORDS or any(w.tag.startswith("VB") for w in before):
        return None
    if before[-1].tag == "POS" or before[-1].low.endswith(("'s", "’s")):
        return None  # "Israel's 'war' against the UN": a possessive, not a speaker
    inside = {w.i for w in before}
    heads = [w for w in before if w.head not in inside or w.head == w.i]
    if len(heads) != 1 or heads[0].pos not in ("NOUN", "PROPN") or not speaker_ok(p, heads[0]):
        return None
    s0, s1 = before[0].start, before[-1].end
    return Attribution(p.text[s0:s1], s0, s1, None, "claimed", q.outer_start, q.outer_end, "headline")


def _span(p: Parse, head: Word) -> tuple[int, int]:
    """The subject's words: its subtree (a relative clause included is rare in a headline's subject)."""
    lo, hi = p.subtree(head.i)
    return p.span(lo, hi)
