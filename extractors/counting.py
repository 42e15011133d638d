"""What a number counts, read from the dependency parse: the noun it modifies, or the verb it is the object of.

The counted noun's class comes from the watch file's units, in any inflection ("kill", "kills",
"killing" for `killed`). A number can count a unit noun ("3,000 soldiers"), a person noun whose verb
says what happened to them ("51 people were killed", "killing close to 100 Palestinians"), or stand
alone as a verb's subject or object ("floods kill dozens", "dozens killed"), a total's new value ("the
death toll rose to 158", "the official toll stands at 9"), or a part of another count ("at least 30 of
the deaths", "two in Castilla-La Mancha").
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.lexicon import Lexicon
from extractors.numbers import Quantity
from extractors.parse import Parse, Word
from extractors.predicates import Found, phrase_text, predicate_class, unit_class_of
from extractors.reporting import COUNTED_NOUNS, MEASURES, NOT_AGENTS, SUBSET_NOUNS
from extractors.wholes import among_class, part_class, total_class

_PEOPLE = ("ers", "ors", "ists", "ians", "ents", "ants")  # "hikers", "tourists", "civilians", "residents"


@dataclass(frozen=True)
class Reading:
    """What the parse says a number counts: the word that decided its class, the class, and whether it is a part."""

    unit: str
    unit_class: str
    noun_end: int  # where the deciding word ends in the sentence
    subset: bool  # counts a part of a bigger figure ("including at least five children")
    fate: bool = True  # the class says what happened to them, not only who they are ("soldiers")


def read_count(p: Parse, q: Quantity, lex: Lexicon) -> Reading | None:
    """The class of what quantity `q` counts in the parsed sentence, or None when it counts nothing of the topic."""
    number = _number_word(p, q)
    if number is None or _age(p, number):
        return None
    noun = _counted_noun(p, number, q)
    if noun is not None and (noun.lemma in MEASURES or _owned(p, noun, lex)):
        return None  # "killed over three months", "120 Russian troops": no count of the topic's
    subset = _is_subset(p, noun or number, q)
    if noun is not None:
        cls = unit_class_of(p, noun, lex)
        if cls is not None:
            predicate = predicate_class(p, noun, lex)
            if predicate is not None:
                cls = predicate[1]  # what happened to them: "soldiers killed or wounded", "firefighters hurt"
            return Reading(_noun_text(p, noun, q), cls, noun.end, subset, fate=predicate is not None)
    verb_before = _verb_before(p, q, lex)
    if noun is not None and verb_before is None and not _countable(noun):
        return None  # "40 mandarin ducks": no verb of the topic's units says what happened to them
    found = (
        verb_before
        or (predicate_class(p, noun, lex) if noun is not None else None)
        or predicate_class(p, number, lex)
        or _adjacent_class(p, number, noun, lex)
        or total_class(p, noun or number, lex)
        or part_class(p, number, lex)
        or among_class(p, noun or number, lex)
    )
    if found is None:
        return None
    unit = _noun_text(p, noun, q) if noun is not None else found[0]  # "51 people killed": people; "kills 15"
    return Reading(unit, found[1], max(found[2], noun.end if noun is not None else 0), subset)


def _noun_text(p: Parse, noun: Word, q: Quantity) -> str:
    """The counted noun with its modifiers, without the amount itself ("several people": people)."""
    text = phrase_text(p, noun)
    if noun.end - len(text) < q.end:
        return p.text[q.end : noun.end].strip()
    return text


def _verb_before(p: Parse, q: Quantity, lex: Lexicon) -> Found | None:
    """A unit verb right before the number, whatever the parse says: "killed at least 95 people", "kills 15"
    (headlines often get "kill" tagged as a noun)."""
    before = [w for w in p.words if w.end <= q.lead]
    if not before or before[-1].pos in ("ADP", "DET", "PUNCT"):
        return None
    w = before[-1]
    low = w.low
    bases = {w.lemma, low, low.removesuffix("s"), low.removesuffix("ed"), low.removesuffix("ing")}
    cls = next((c for b in bases if (c := lex.class_of_lemma(b, verb=True))), None)
    if cls is not None and (w.tag.startswith("VB") or low.endswith(("s", "ed", "ing")) or w.pos == "NOUN"):
        return w.text, cls, w.end
    return None


def _adjacent_class(p: Parse, number: Word, noun: Word | None, lex: Lexicon) -> Found | None:
    """A unit participle or adjective right after the count, whatever the parse says: "51 people dead"."""
    last = noun or number
    if last.i + 1 < len(p.words):
        nxt = p.words[last.i + 1]
        if nxt.tag in ("VBN", "JJ") and (cls := unit_class_of(p, nxt, lex)):
            return nxt.text, cls, nxt.end
    return None


def _age(p: Parse, number: Word) -> bool:
    """ "Palestinian boy, 3, killed", "the soldier, 24, said": a number set off by commas after a person."""
    i = number.i
    return (
        i - 1 > 0
        and i + 1 < len(p.words)
        and p.words[i - 1].text == ","
        and p.words[i + 1].text == ","
        and p.words[i - 2].pos in ("NOUN", "PROPN")
    )


def _number_word(p: Parse, q: Quantity) -> Word | None:
    """The word that heads the number q (for "hundreds of thousands", "thousands")."""
    inside = [w for w in p.words if w.start >= q.start and w.end <= q.end + 1 and w.start < q.end]
    if not inside:
        return None
    for w in reversed(inside):
        if w.pos in ("NUM", "NOUN") or w.tag == "CD":
            return w
    return inside[-1]


def _counted_noun(p: Parse, number: Word, q: Quantity) -> Word | None:
    """The noun the number modifies ("73 people", "thousands of troops"), or None when it stands alone."""
    w = number
    # "several people", "a few soldiers": the parse reads a vague amount as the noun's adjective
    modifies = ("quantmod", "compound", "nummod", "amod") if q.vague else ("quantmod", "compound", "nummod")
    while w.dep in modifies and w.head != w.i:
        head = p.words[w.head]
        if head.pos == "NUM" or head.tag == "CD":
            w = head
            continue
        if head.pos in ("NOUN", "PROPN") and head.start >= q.start:
            return head
        break
    if q.vague or number.pos == "NOUN":
        for prep in p.children(number.i, "prep"):
            if prep.low == "of":
                objs = p.children(prep.i, "pobj")
                if objs and objs[0].lemma not in ("the", "them"):
                    det = p.children(objs[0].i, "det")
                    if not det or q.vague:  # "thousands of troops"; "30 of the deaths" is a part
                        return objs[0]
    return None


def _owned(p: Parse, noun: Word, lex: Lexicon) -> bool:
    """Whether the counted noun's own modifiers name someone the topic is not about ("Russian troops")."""
    mods = [c for c in p.children(noun.i, "amod", "compound", "nmod", "poss") if c.i < noun.i]
    return any(lex.about_other(p.text[slice(*p.span(*p.subtree(m.i)))]) for m in mods)


def _countable(w: Word) -> bool:
    """Whether a noun counts people or lives whose fate the sentence's verb can give ("people",
    "Palestinians", "hikers", "tourists", "residents")."""
    if w.lemma in COUNTED_NOUNS or w.low in COUNTED_NOUNS or (w.pos == "PROPN" and w.tag == "NNPS"):
        return True
    return (
        w.tag == "NNS" and w.low.endswith(_PEOPLE) and w.lemma not in NOT_AGENTS and w.low not in NOT_AGENTS
    )


def _is_subset(p: Parse, w: Word, q: Quantity) -> bool:
    """Whether a count is a part of another ("including at least five children", "13 children ... among those")."""
    if w.lemma in SUBSET_NOUNS or w.low in SUBSET_NOUNS:
        return True
    return any(a.low in ("including", "among") for a in p.ancestors(w.i)[:2])
