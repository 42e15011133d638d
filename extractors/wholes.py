"""Counts read through a whole: a total's new value ("the death toll rose to 158", "a toll of 41"), a part
of a count ("at least 30 of the deaths", "two in Castilla-La Mancha"), a part of a toll ("including 13
children", "among those killed")."""

from __future__ import annotations

from extractors.lexicon import Lexicon
from extractors.parse import Parse, Word
from extractors.predicates import Found, phrase_text, predicate_class, unit_class_of, word_class
from extractors.reporting import TOTAL_NOUNS, TOTAL_VERBS


def total_class(p: Parse, number: Word, lex: Lexicon) -> Found | None:
    """A total's new value: "the death toll rose to 158", "stands at 9", "a toll of 41", "put the number at"."""
    head = p.head_of(number.i)
    if head is None:
        return None
    if number.dep == "pobj" and head.pos == "ADP":
        verb = p.head_of(head.i)
        if verb is None:
            return None
        if head.low == "of" and verb.lemma in TOTAL_NOUNS:
            return __total_noun_class(p, verb, lex)  # "a death toll of 41"
        if head.low == "of" and verb.pos == "NOUN" and (cls := unit_class_of(p, verb, lex)):
            return verb.text, cls, verb.end  # "the bodies of two more were recovered"
        if head.low in ("to", "at") and verb.lemma in TOTAL_VERBS:
            for subj in p.children(verb.i, "nsubj", "nsubjpass", "dobj"):
                if found := __total_noun_class(p, subj, lex):
                    return found
    if number.dep in ("attr", "dobj") and head.lemma in TOTAL_VERBS:
        for subj in p.children(head.i, "nsubj"):
            if found := __total_noun_class(p, subj, lex):
                return found  # "the death toll is 158", "the toll reached 95"
    return None


def __total_noun_class(p: Parse, noun: Word, lex: Lexicon) -> Found | None:
    """The class of a total ("death toll", "the number of dead", "the toll from the floods")."""
    cls = unit_class_of(p, noun, lex)
    if cls is not None:
        return phrase_text(p, noun), cls, noun.end
    if noun.lemma not in TOTAL_NOUNS:
        return None
    for c in p.children(noun.i, "acl", "amod"):
        if cls := word_class(p, c, lex):
            return c.text, cls, c.end  # "the number released", "the number missing"
    for prep in p.children(noun.i, "prep"):
        for obj in p.children(prep.i, "pobj"):
            if prep.low not in ("of", "among"):
                continue
            if (cls := unit_class_of(p, obj, lex)) is not None:
                return obj.text, cls, obj.end  # "the number of dead"
            if found := predicate_class(p, obj, lex):
                return found  # "the number of people evacuated"
    return None


def part_class(p: Parse, number: Word, lex: Lexicon) -> Found | None:
    """A part of a counted whole: "at least 30 of the deaths", "two in Castilla-La Mancha" (after "155 deaths")."""
    for prep in p.children(number.i, "prep"):
        if prep.low in ("of", "among"):
            for obj in p.children(prep.i, "pobj"):
                if cls := unit_class_of(p, obj, lex):
                    return obj.text, cls, obj.end
    head = p.head_of(number.i)
    counted = head is not None and (
        head.pos == "NUM" or any(c.pos == "NUM" for c in p.children(head.i, "nummod"))
    )
    # "155 deaths in Valencia, two in Castilla-La Mancha"; not an age: "the soldier, 24, said"
    if head is not None and counted and number.dep in ("appos", "conj"):
        cls = unit_class_of(p, head, lex)
        return (head.text, cls, head.end) if cls is not None else None
    return None


def among_class(p: Parse, target: Word, lex: Lexicon) -> Found | None:
    """A part named with its whole: "including at least five children" (of the killed), "13 children and
    three women among those killed"."""
    for prep in p.children(target.i, "prep"):
        if prep.low == "among":
            for obj in p.children(prep.i, "pobj"):
                if found := predicate_class(p, obj, lex):
                    return found
    chain = [target, *p.ancestors(target.i)[:3]]
    for k, w in enumerate(chain[:-1]):
        up = chain[k + 1]
        if w.dep == "pobj" and up.low in ("including", "among"):
            whole = p.head_of(up.i)
            if whole is None:
                return None
            if whole.tag.startswith("VB") and (cls := unit_class_of(p, whole, lex)):
                return whole.text, cls, whole.end
            found = predicate_class(p, whole, lex) or (
                (whole.text, c, whole.end) if (c := unit_class_of(p, whole, lex)) else None
            )
            # "1,200 troops had been activated (at the base), including 300 who ...": the clause's count
            verb = next((a for a in (whole, *p.ancestors(whole.i)[:3]) if a.tag.startswith("VB")), None)
            return found or (_counted_by(p, verb, lex) if verb is not None else None)
    return None


def _counted_by(p: Parse, verb: Word, lex: Lexicon) -> Found | None:
    """The class of the counted subject or object of a verb: the whole a part "including" belongs to."""
    for w in p.children(verb.i, "nsubjpass", "dobj", "nsubj"):
        if any(c.pos == "NUM" for c in p.children(w.i, "nummod")) and (cls := unit_class_of(p, w, lex)):
            return w.text, cls, w.end
    return None
