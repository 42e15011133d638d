"""Counts of an earlier event, set beside the current one: "the 1987 disaster there, which left 60 dead",
"Marevia's last major earthquake, in 1987, killed more than 3,000 people", "since a methane explosion
at the Brenna pit in 2011 killed 41 miners". Such a number is history, not a figure of the topic."""

from __future__ import annotations

import re

from extractors.numbers import Quantity
from extractors.parse import Parse, Word

_YEAR = re.compile(r"(?:1[89]\d\d|20\d\d)s?")
# a year after these dates a running total ("since October 2023", "so far in 2024"), not an old event
_RUNNING = frozenset({"since", "through", "until", "till"})


def earlier_event(p: Parse, q: Quantity) -> bool:
    """Whether the count `q` belongs to a dated earlier event named in its own clause."""
    number = next((w for w in p.words if w.start >= q.start and w.end <= q.end + 1), None)
    if number is None:
        return False
    verb = next((a for a in p.ancestors(number.i) if a.pos in ("VERB", "AUX")), None)
    if verb is None:
        return False
    while verb.dep == "conj" and (first := p.head_of(verb.i)) is not None and first.pos in ("VERB", "AUX"):
        verb = first  # "which destroyed 1,100 homes and killed 14 people": the first verb's subject
    who: list[Word] = p.children(verb.i, "nsubj", "nsubjpass")
    if verb.dep == "relcl" and (antecedent := p.head_of(verb.i)) is not None:
        who.append(antecedent)  # "the 1987 disaster there, which left 60 dead"
    dated_verb = any(  # "killed more than 3,000 people in 1987"
        _YEAR.fullmatch(o.text)
        for prep in p.children(verb.i, "prep")
        if prep.low == "in"
        for o in p.children(prep.i, "pobj")
    )
    return dated_verb or any(_dated(p, w) for w in who)


def _dated(p: Parse, noun: Word) -> bool:
    """Whether a noun phrase dates its event by a year ("the 2018 fire", "the Pine Ridge Fire of 2018",
    "an explosion in 2011", "its last major earthquake, in 1987"). Not "an earlier raid": the same war."""
    lo, hi = p.subtree(noun.i)
    for w in p.words[lo : hi + 1]:
        if not _YEAR.fullmatch(w.text):
            continue
        head = p.head_of(w.i)
        if head is not None and head.low in _RUNNING:
            continue
        return True
    return False
