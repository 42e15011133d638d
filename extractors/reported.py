"""What a reporting verb reports: its clausal complement or object, the clause before it, or a quotation."""

from __future__ import annotations

from extractors.parse import Parse, Word
from extractors.phrases import content_end
from extractors.quotes import Quote
from extractors.reporting import TELLING
from extractors.text import dateline_end, word_set

_CONTENT_PREPS = frozenset({"of", "for", "about", "over", "on", "against", "to", "that", "as"})
_TIME_WORDS = word_set(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tonight week month year weekend
    morning evening night day hours statement interview briefing address post conference news reporters
    journalists lawmakers parliament"""
)


def content_of(
    p: Parse, w: Word, last: Word, subject: tuple[int, int], quotes: list[Quote]
) -> tuple[int, int]:
    """Character span of what the verb reports: from its complement or object to the end of its clause,
    or the clause before it ("..., the NIS said"), or the text before its subject ('"...," Austin added')."""
    kids = p.children(last.i) + ([] if last is w else p.children(w.i))
    clause = [c for c in kids if c.dep in ("ccomp", "parataxis") and c.i < w.i]
    if clause and not any(c.dep in ("ccomp", "parataxis") and c.i > w.i for c in kids):
        c0, c1 = p.span(*p.subtree(clause[0].i))
        return trim(p.text, c0, min(c1, subject[0]) if c0 < subject[0] < c1 else c1)
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
        return trim(p.text, c0, c1)
    if subject[0] > w.start:
        return trim(p.text, dateline_end(p.text), w.start)  # '"...," said the general'
    nxt = p.words[last.i + 1] if last.i + 1 < len(p.words) else None
    audience = nxt is not None and nxt.dep in ("dobj", "dative") and w.lemma in TELLING  # "tells Blinken"
    if nxt is not None and nxt.pos != "PUNCT" and subject[0] < w.start and not audience:
        return trim(
            p.text, nxt.start, p.words[_clause_end(p, nxt.i)].end
        )  # "medics say Gaza hospital raided ..."
    if subject[0] > 0:
        return trim(p.text, dateline_end(p.text), subject[0])  # '"...," Austin added.'
    after = [q for q in quotes if q.outer_start >= w.end]
    if after:
        return after[0].outer_start, after[0].outer_end
    return trim(p.text, w.end, content_end(p.text))


def passive_content(p: Parse, w: Word) -> tuple[int, int]:
    """What a passive reporting verb reports: its subject, with the verb ("whose death was confirmed Thursday")."""
    subj = p.children(w.i, "nsubjpass")
    lo = p.subtree(subj[0].i)[0] if subj else w.i
    return p.span(min(lo, w.i), w.i)


def _clause_end(p: Parse, i: int) -> int:
    """Index of the last word of the clause that word i is in (up to a comma, semicolon or the end)."""
    while i + 1 < len(p.words) and p.words[i + 1].text not in (",", ";", "—", "–"):
        i += 1
    return i


def to_quote(c0: int, c1: int, quotes: list[Quote]) -> tuple[int, int]:
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


def trim(s: str, start: int, end: int) -> tuple[int, int]:
    """A span without surrounding spaces, commas, colons, dashes, a leading "that" and a final full stop."""
    while start < end and s[start] in " ,;:—–-":
        start += 1
    if s[start : start + 5].lower() == "that ":
        start += 5
    while end > start and s[end - 1] in " ,;:—–-.…":
        end -= 1
    return start, end
