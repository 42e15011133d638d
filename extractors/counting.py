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
from extractors.reporting import COUNTED_NOUNS, MEASURES, NOT_AGENTS, SUBSET_NOUNS, TOTAL_NOUNS, TOTAL_VERBS

_COPULAS = frozenset(
    {"be", "remain", "fear", "feared", "believe", "report", "leave", "declare", "confirm", "presume"}
)
_NOUNISH = ("NOUN", "PROPN", "NUM", "PRON", "ADJ")
_PEOPLE = ("ers", "ors", "ists", "ians", "ents", "ants")  # "hikers", "tourists", "civilians", "residents"


@dataclass(frozen=True)
class Reading:
    """What the parse says a number counts: the word that decided its class, the class, and whether it is a part."""

    unit: str
    unit_class: str
    noun_end: int  # where the deciding word ends in the sentence
    subset: bool  # counts a part of a bigger figure ("including at least five children")


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
            if cls == lex.base_class and (predicate := _predicate_class(p, noun, lex)):
                cls = predicate[1]  # "soldiers killed or wounded" count casualties
            return Reading(_phrase_text(p, noun), cls, noun.end, subset)
    verb_before = _verb_before(p, q, lex)
    if noun is not None and verb_before is None and not _countable(noun):
        return None  # "40 mandarin ducks": no verb of the topic's units says what happened to them
    found = (
        verb_before
        or (_predicate_class(p, noun, lex) if noun is not None else None)
        or _predicate_class(p, number, lex)
        or _adjacent_class(p, number, noun, lex)
        or _total_class(p, noun or number, lex)
        or _part_class(p, number, lex)
        or _among_class(p, noun or number, lex)
    )
    if found is None:
        return None
    unit = _phrase_text(p, noun) if noun is not None else found[0]  # "51 people killed": people; "kills 15"
    return Reading(unit, found[1], max(found[2], noun.end if noun is not None else 0), subset)


def _verb_before(p: Parse, q: Quantity, lex: Lexicon) -> tuple[str, str, int] | None:
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


def _adjacent_class(p: Parse, number: Word, noun: Word | None, lex: Lexicon) -> tuple[str, str, int] | None:
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
    while w.dep in ("quantmod", "compound", "nummod") and w.head != w.i:
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


def _phrase_text(p: Parse, w: Word) -> str:
    """The word with the compounds and adjectives right before it, as written."""
    first = w.i
    for c in p.children(w.i, "compound", "amod"):
        if c.i == first - 1:
            first = c.i
    return p.text[p.words[first].start : w.end]


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


def _word_class(p: Parse, w: Word, lex: Lexicon) -> str | None:
    """The class of a predicate word: a verb, adjective or noun of the units, with "killed or wounded" read whole."""
    conj = p.children(w.i, "conj")
    if conj:
        whole = lex.class_of(p.text[w.start : conj[0].end])
        if whole is not None:
            return whole
    return unit_class_of(p, w, lex)


def _predicate_class(p: Parse, target: Word, lex: Lexicon) -> tuple[str, str, int] | None:
    """The class given by what happens to the counted thing: its verb, or an adjective or participle on it."""
    for c in p.children(target.i, "acl", "amod", "relcl"):
        if c.i > target.i and (cls := _word_class(p, c, lex)):
            return c.text, cls, c.end  # "51 people killed", "dozens dead"
        for x in p.children(c.i, "xcomp") if c.i > target.i else []:
            if cls := _word_class(p, x, lex):
                return x.text, cls, x.end  # "hundreds queueing to flee"
    head = p.head_of(target.i)
    if head is None:
        return None
    if target.dep in ("nsubj", "nsubjpass", "dobj", "attr", "appos", "conj"):
        verb = head
        if target.dep in ("appos", "conj") and head.pos in _NOUNISH:
            return _predicate_class(p, head, lex)  # "hundreds, perhaps thousands, may have died"
        if (cls := _word_class(p, verb, lex)) and verb.tag.startswith(("VB", "JJ")):
            return verb.text, cls, verb.end  # "kills 15", "dozens killed", "30 died"
        if (verb.lemma in _COPULAS or target.dep == "dobj") and (found := _complement_class(p, verb, lex)):
            return found  # "are feared dead", "remain missing", "forced 2,500 to flee", "are under orders"
        for c in p.children(verb.i, "conj"):
            if c.tag.startswith("VB") and (cls := _word_class(p, c, lex)):
                return c.text, cls, c.end  # "killed and wounded", "were killed or went missing"
    return None


def _complement_class(p: Parse, verb: Word, lex: Lexicon, depth: int = 0) -> tuple[str, str, int] | None:
    """The class a copula's complement gives: "feared dead", "thought to be dead" (through "to be"),
    "under evacuation orders", "in shelters", "among those released"."""
    for c in p.children(verb.i, "acomp", "oprd", "attr", "xcomp"):
        if cls := _word_class(p, c, lex):
            return c.text, cls, c.end
        if depth < 2 and c.dep == "xcomp" and (found := _complement_class(p, c, lex, depth + 1)):
            return found
    for prep in p.children(verb.i, "prep"):
        for obj in p.children(prep.i, "pobj"):
            if prep.low in ("under", "in", "into") and (cls := unit_class_of(p, obj, lex)):
                return obj.text, cls, obj.end
            if prep.low == "among" and (found := _predicate_class(p, obj, lex)):
                return found  # "Among those released were 2 children"
    return None


def _total_class(p: Parse, number: Word, lex: Lexicon) -> tuple[str, str, int] | None:
    """A total's new value: "the death toll rose to 158", "stands at 9", "a toll of 41", "put the number at"."""
    head = p.head_of(number.i)
    if head is None:
        return None
    if number.dep == "pobj" and head.pos == "ADP":
        verb = p.head_of(head.i)
        if verb is None:
            return None
        if head.low == "of" and verb.lemma in TOTAL_NOUNS:
            return _total_noun_class(p, verb, lex)  # "a death toll of 41"
        if head.low == "of" and verb.pos == "NOUN" and (cls := unit_class_of(p, verb, lex)):
            return verb.text, cls, verb.end  # "the bodies of two more were recovered"
        if head.low in ("to", "at") and verb.lemma in TOTAL_VERBS:
            for subj in p.children(verb.i, "nsubj", "nsubjpass", "dobj"):
                if found := _total_noun_class(p, subj, lex):
                    return found
    if number.dep in ("attr", "dobj") and head.lemma in TOTAL_VERBS:
        for subj in p.children(head.i, "nsubj"):
            if found := _total_noun_class(p, subj, lex):
                return found  # "the death toll is 158", "the toll reached 95"
    return None


def _total_noun_class(p: Parse, noun: Word, lex: Lexicon) -> tuple[str, str, int] | None:
    """The class of a total ("death toll", "the number of dead", "the toll from the floods")."""
    cls = unit_class_of(p, noun, lex)
    if cls is not None:
        return _phrase_text(p, noun), cls, noun.end
    if noun.lemma not in TOTAL_NOUNS:
        return None
    for c in p.children(noun.i, "acl", "amod"):
        if cls := _word_class(p, c, lex):
            return c.text, cls, c.end  # "the number released", "the number missing"
    for prep in p.children(noun.i, "prep"):
        for obj in p.children(prep.i, "pobj"):
            if prep.low not in ("of", "among"):
                continue
            if (cls := unit_class_of(p, obj, lex)) is not None:
                return obj.text, cls, obj.end  # "the number of dead"
            if found := _predicate_class(p, obj, lex):
                return found  # "the number of people evacuated"
    return None


def _part_class(p: Parse, number: Word, lex: Lexicon) -> tuple[str, str, int] | None:
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


def _among_class(p: Parse, target: Word, lex: Lexicon) -> tuple[str, str, int] | None:
    """A part named with its whole: "including at least five children" (of the killed), "13 children and
    three women among those killed"."""
    for prep in p.children(target.i, "prep"):
        if prep.low == "among":
            for obj in p.children(prep.i, "pobj"):
                if found := _predicate_class(p, obj, lex):
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
            return _predicate_class(p, whole, lex) or (
                (whole.text, c, whole.end) if (c := unit_class_of(p, whole, lex)) else None
            )
    return None


def _is_subset(p: Parse, w: Word, q: Quantity) -> bool:
    """Whether a count is a part of another ("including at least five children", "13 children ... among those")."""
    if w.lemma in SUBSET_NOUNS or w.low in SUBSET_NOUNS:
        return True
    return any(a.low in ("including", "among") for a in p.ancestors(w.i)[:2])
