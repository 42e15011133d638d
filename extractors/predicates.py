"""What happens to a counted thing, by the watch file's units: the verb, adjective or participle that
gives a count its class ("51 people were killed", "are feared dead", "remain missing")."""

from __future__ import annotations

from extractors.lexicon import Lexicon
from extractors.parse import Parse, Word

_COPULAS = frozenset(
    {"be", "remain", "fear", "feared", "believe", "report", "leave", "declare", "confirm", "presume"}
)
_NOUNISH = ("NOUN", "PROPN", "NUM", "PRON", "ADJ")
Found = tuple[str, str, int]  # the deciding word as written, its class, where it ends


def unit_class_of(p: Parse, w: Word, lex: Lexicon) -> str | None:
    """The unit class of a word, with the compound before it ("death toll", "special forces")."""
    first = min([w.i, *(c.i for c in p.children(w.i, "compound", "amod") if c.i < w.i)])
    ends = [w.i]
    for k in range(w.i + 1, min(len(p.words), w.i + 4)):  # "unaccounted for", "brought to the surface"
        if p.words[k].pos not in ("ADP", "ADV", "NOUN", "DET", "ADJ", "PART"):
            break
        ends.insert(0, k)
    for end in ends:
        for start in range(first, w.i + 1):
            cls = lex.class_of(p.text[p.words[start].start : p.words[end].end])
            if cls is not None:
                return cls
    if w.tag.startswith(("VB", "NN")):
        return lex.class_of_lemma(w.lemma, verb=w.tag.startswith("VB"))
    return None


def phrase_text(p: Parse, w: Word) -> str:
    """The word with the compounds and adjectives right before it, as written."""
    first = w.i
    for c in p.children(w.i, "compound", "amod"):
        if c.i == first - 1:
            first = c.i
    return p.text[p.words[first].start : w.end]


def word_class(p: Parse, w: Word, lex: Lexicon) -> str | None:
    """The class of a predicate word: a verb, adjective or noun of the units, with "killed or wounded" read whole."""
    conj = p.children(w.i, "conj")
    if conj:
        whole = lex.class_of(p.text[w.start : conj[0].end])
        if whole is not None:
            return whole
    return unit_class_of(p, w, lex)


def predicate_class(p: Parse, target: Word, lex: Lexicon) -> Found | None:
    """The class given by what happens to the counted thing: its verb, or an adjective or participle on it."""
    for c in p.children(target.i, "acl", "amod", "relcl"):
        if c.i > target.i and (cls := word_class(p, c, lex)):
            return c.text, cls, c.end  # "51 people killed", "dozens dead"
        for x in p.children(c.i, "xcomp") if c.i > target.i else []:
            if cls := word_class(p, x, lex):
                return x.text, cls, x.end  # "hundreds queueing to flee"
    head = p.head_of(target.i)
    if head is None:
        return None
    if target.dep in ("nsubj", "nsubjpass", "dobj", "attr", "appos", "conj"):
        verb = head
        if target.dep in ("appos", "conj") and head.pos in _NOUNISH:
            return predicate_class(p, head, lex)  # "hundreds, perhaps thousands, may have died"
        if (cls := word_class(p, verb, lex)) and verb.tag.startswith(("VB", "JJ")):
            return verb.text, cls, verb.end  # "kills 15", "dozens killed", "30 died"
        if (verb.lemma in _COPULAS or target.dep == "dobj") and (found := _complement_class(p, verb, lex)):
            return found  # "are feared dead", "remain missing", "forced 2,500 to flee", "are under orders"
        for c in p.children(verb.i, "conj"):
            if c.tag.startswith("VB") and (cls := word_class(p, c, lex)):
                return c.text, cls, c.end  # "killed and wounded", "were killed or went missing"
    return None


def _complement_class(p: Parse, verb: Word, lex: Lexicon, depth: int = 0) -> Found | None:
    """The class a copula's complement gives: "feared dead", "thought to be dead" (through "to be"),
    "under evacuation orders", "in shelters", "among those released"."""
    for c in p.children(verb.i, "acomp", "oprd", "attr", "xcomp"):
        if cls := word_class(p, c, lex):
            return c.text, cls, c.end
        if depth < 2 and c.dep == "xcomp" and (found := _complement_class(p, c, lex, depth + 1)):
            return found
    for prep in p.children(verb.i, "prep"):
        for obj in p.children(prep.i, "pobj"):
            if prep.low in ("under", "in", "into") and (cls := unit_class_of(p, obj, lex)):
                return obj.text, cls, obj.end
            if prep.low == "among" and (found := predicate_class(p, obj, lex)):
                return found  # "Among those released were 2 children"
    return None
