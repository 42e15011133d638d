"""The figures of one sentence: what each number counts, whether it adds up with the next, and who claims it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from extractors.attribution import Attribution
from extractors.counting import read_count
from extractors.figures import Counted, clause_of, count_units
from extractors.findings import Figure
from extractors.history import earlier_event
from extractors.lexicon import Lexicon, key_for
from extractors.numbers import Quantity, find_quantities
from extractors.parse import Parse
from extractors.sentences import Sentence
from extractors.speakers import SpeakerBook
from extractors.text import Source

_STANCE = {"claimed": "claimed", "estimated": "estimated", "confirmed": "confirmed", "denied": "denied",
           "reported": "reported", "neither": "claimed"}  # fmt: skip
_HEDGE = re.compile(
    r"\b(?:believed|thought|estimated|expected|assessed|suspected)\s+to\b|\b(?:believes?|assess(?:es)?|estimates?|"
    r"thinks?|suspects?)\b|\bappears?\s+to\b",
    re.IGNORECASE,
)
_HEDGE_AFTER = re.compile(r"[^,.;]{0,40}?\b(?:believed|thought|estimated|assessed|suspected)\s+to\b", re.I)


@dataclass(frozen=True)
class _Read:
    """What a quantity counts: the unit as written, its class, where the deciding word ends, and whether
    it is a part of a bigger count."""

    unit: str
    unit_class: str
    noun_end: int
    subset: bool


def _reading(
    text: str, q: Quantity, lexical: dict[int, Counted], parse: Parse | None, lex: Lexicon
) -> _Read | None:
    """What a quantity counts, by pattern (the rules tuned on the bundled topic) or else by the parse."""
    c = lexical.get(q.start)
    if c is not None:
        # People of another class ("four firefighters"): what the sentence says happened to them wins
        r = read_count(parse, q, lex) if parse is not None and c.unit_class != lex.base_class else None
        if r is not None and r.fate and r.unit_class != c.unit_class:
            return _Read(c.unit, r.unit_class, max(c.noun_end, r.noun_end), r.subset)
        return _Read(c.unit, c.unit_class, c.noun_end, False)
    if parse is None or q.year_like or q.money or lex.owns_number(text[max(0, q.lead - 30) : q.lead]):
        return None  # "a standing army of 1.2 million troops"
    r = read_count(parse, q, lex)
    return _Read(r.unit, r.unit_class, r.noun_end, r.subset) if r is not None else None


def sentence_figures(
    src: Source,
    sent: Sentence,
    events: list[Attribution],
    parse: Parse | None,
    lex: Lexicon,
    book: SpeakerBook,
    *,
    weak: bool = False,
) -> list[Figure]:
    """The figures in one sentence, each with the claimant and stance of the attribution that holds it.

    A `weak` sentence counts only by a context word: its figures must be claimed by one of the topic's
    claimants ("Mine collapse: 9 dead, 27 still trapped, says ministry"), and money in it is never one."""
    text = sent.text
    lexical = {c.quantity.start: c for c in count_units(text, lex)}
    read: list[tuple[Quantity, _Read]] = []
    for q in find_quantities(text):
        r = _reading(text, q, lexical, parse, lex)
        if (
            r is None
            and read
            and any(e.form == "source" and e.content_start <= q.start < e.content_end for e in events)
        ):
            r = _Read(
                read[-1][1].unit, read[-1][1].unit_class, q.after, False
            )  # "U.S. estimates were lower, at 1,000"
        if r is None or _elsewhere(text, q, lex) or (weak and q.money):
            continue
        if parse is not None and earlier_event(parse, q):
            continue  # "the 1987 disaster, which left 60 dead": history set beside the news
        read.append((q, r))
    out = []
    for q, r, parts in _totals(text, read, lex):
        outer, inner = _containing(events, q.start)
        claimant, key, stance = _claim(text, q, r.noun_end, outer, inner, lex, book, sent.start)
        if weak and key not in lex.claimant_keys:
            continue  # by a context word alone, only one of the topic's own sources makes a count its figure
        start, end = src.span(sent.start + q.start, sent.start + q.end)
        out.append(
            Figure(
                value=q.value,
                low=q.low,
                high=q.high,
                vague=q.vague,
                qualifier=q.qualifier,
                unit=r.unit,
                unit_class=r.unit_class,
                claimant=claimant,
                claimant_key=key,
                stance=stance,
                sentence=src.shown[sent.start : sent.end],
                start=start,
                end=end,
                delta=q.delta,
                subset=r.subset,
                parts=parts,
            )
        )
    return out


_INTRO = re.compile(r"(?:In|At|Across|Elsewhere|Separately|Meanwhile|Outside|Over|Near)\b[^,]{0,60},")


def _elsewhere(text: str, q: Quantity, lex: Lexicon) -> bool:
    """Whether a count belongs to someone the topic is not about: its clause (or the sentence's opening
    "In neighbouring Spain, ...") names them and no topic term ("Russia and Ukraine swapped 150 prisoners")."""
    clause = clause_of(text, q.start)
    if lex.has_term(clause):
        return False
    intro = _INTRO.match(text)
    return lex.about_other(clause) or (
        intro is not None and intro.end() <= q.start and lex.about_other(intro.group())
    )


def _totals(
    text: str, read: list[tuple[Quantity, _Read]], lex: Lexicon
) -> list[tuple[Quantity, _Read, tuple[int, ...]]]:
    """The counts of a sentence, with "52 passengers and four crew members" (two nouns of one unit class)
    added up into one total of 56 with its parts; parts of a toll ("13 children and three women") stay apart."""
    out: list[tuple[Quantity, _Read, tuple[int, ...]]] = []
    for q, r in read:
        if out and _adds_up(text, out[-1], (q, r), lex):
            pq, pr, parts = out.pop()
            total = (pq.value or 0) + (q.value or 0)
            merged = replace(pq, end=q.end, value=total, low=total, high=total, after=q.after)
            unit = f"{pr.unit} and {r.unit}"
            out.append(
                (
                    merged,
                    _Read(unit, pr.unit_class, r.noun_end, False),
                    (*(parts or (pq.value or 0,)), q.value or 0),
                )
            )
            continue
        out.append((q, r, ()))
    return out


def _adds_up(
    text: str, prev: tuple[Quantity, _Read, tuple[int, ...]], cur: tuple[Quantity, _Read], lex: Lexicon
) -> bool:
    """Whether two counts in a row are parts of one total: joined by "and", each with its own unit noun of
    the same class, exact, and not parts of something bigger."""
    (pq, pr, _parts), (q, r) = prev, cur
    joined = text[pr.noun_end : q.lead].strip(" ,").lower() in ("and", "plus")
    exact = pq.value is not None and q.value is not None and not (pq.delta or q.delta)
    nouns = lex.class_of(pr.unit.split(" and ")[-1]) is not None and lex.class_of(r.unit) is not None
    return (
        joined
        and exact
        and nouns
        and pr.unit_class == r.unit_class
        and not (pr.subset or r.subset)
        and pr.unit != r.unit
    )


def _containing(events: list[Attribution], pos: int) -> tuple[Attribution | None, Attribution | None]:
    """(outermost, innermost) attribution whose reported content holds position `pos`."""
    holding = [
        e
        for e in events
        if e.content_start <= pos < e.content_end and not (e.subject_start <= pos < e.subject_end)
    ]
    if not holding:
        return None, None
    holding.sort(key=lambda e: e.content_end - e.content_start)
    return holding[-1], holding[0]


def _claim(
    text: str,
    q: Quantity,
    noun_end: int,
    outer: Attribution | None,
    inner: Attribution | None,
    lex: Lexicon,
    book: SpeakerBook,
    offset: int,
) -> tuple[str | None, str | None, str]:
    """(claimant as written, claimant key, stance) of a figure from the attributions that hold it."""
    if outer is None:
        stance = "estimated" if _HEDGE.search(text) else "reported"
        if stance == "reported" and _HEDGE_AFTER.match(text, noun_end):
            stance = "estimated"
        return None, None, stance
    claimant = outer.subject
    if claimant.strip().lower() in ("he", "she", "it", "they"):
        claimant = book.resolve(claimant, offset + outer.subject_start)[0]
    relayed = inner.subject if inner is not None and inner is not outer else outer.relayed
    key = lex.claimant_key(claimant) or (lex.claimant_key(relayed) if relayed else None) or key_for(claimant)
    stance = _STANCE.get(outer.stance, "claimed")
    inner_stance = inner.stance if inner is not None and inner is not outer else outer.relayed_stance
    if stance == "claimed" and (
        inner_stance == "estimated" or _HEDGE.search(text, outer.content_start, q.start)
    ):
        stance = "estimated"
    if stance in ("claimed", "reported") and (
        _HEDGE_AFTER.match(text, noun_end) or (q.qualifier_surface or "").lower().endswith("estimated")
    ):
        stance = "estimated"  # "the 10,000 soldiers believed to be in Russia", "an estimated 11,000"
    return claimant, key, stance
