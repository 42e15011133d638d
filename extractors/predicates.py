"""What happens to a counted thing, by the watch file's units: the verb, adjective or participle that
gives a count its class ("51 people were killed", "are feared dead", "remain missing")."""

from __future__ import annotations

from extractors.lexicon import Lexicon
from extractors.parse import Parse, Word

_COPULAS = frozenset(
    {"be", "remain", "fear", "feared", "believe", "think", "report", "leave", "declare", "confirm", "presume"}
)
_NOUNISH = ("NOUN", "PROPN", "NUM", "PRON", "ADJ")
Found = tuple[str, str, int]  # the deciding word as written, its class, where it ends


def unit_class_of(p: Parse, w: Word, lex: Lexicon) -> str | None:
    """The unit class of a word, with the compound before it ("death toll", "special forces")."""
    if w.pos == "AUX":
        return None  # "were no longer alive" is read from "alive"
    first = min([w.i, *(c.i for c in p.children(w.i, "compound", "amod") if c.i < w.i)])
    k = first
    while k > 0 and k > w.i - 4 and p.words[k - 1].pos in ("ADV", "PART", "AUX"):
        k -= 1  # adverbs before it, whatever they hang on: "no longer alive", "still (be) inside"
        first = k if p.words[k].pos != "AUX" else first
    ends = [w.i]
    for k in range(w.i + 1, min(len(p.words), w.i + 4)):  # "unaccounted for", "brought to the surface"
        if p.words[k].pos not in ("ADP", "ADV", "NOUN", "DET", "ADJ", "PART"):
            break
        ends.insert(0, k)
    for end in ends:
        for start in range(first, w.i + 1):
            cls = lex.class_of(_without_auxiliaries(p, start, end))
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


def _without_auxiliaries(p: Parse, start: int, end: int) -> str:
    """The words from `start` to `end` as written, auxiliaries left out ("still be inside": "still inside")."""
    words = p.words[start : end + 1]
    if all(x.pos != "AUX" for x in words):
        return p.text[words[0].start : words[-1].end]
    return " ".join(p.text[x.start : x.end] for x in words if x.pos != "AUX")


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
        if (verb.lemma in _COPULAS or target.dep == "dobj") and (
            found := _complement_class(p, verb, lex, target.i)
        ):
            return found  # "are feared dead", "remain missing", "forced 2,500 to flee", "are under orders"
        if target.dep == "dobj" and verb.lemma == "include" and (found := _subject_class(p, verb, lex)):
            return found  # "the dead include 23 foreign nationals"
        # "were treated for injuries", "were taken to hospital with burns" (passive: what was done to them)
        for prep in p.children(verb.i, "prep") if target.dep == "nsubjpass" else []:
            for obj in p.children(prep.i, "pobj") if prep.low in ("for", "with") else []:
                if cls := unit_class_of(p, obj, lex):
                    return obj.text, cls, obj.end
        for c in p.children(verb.i, "conj"):
            if c.tag.startswith("VB") and (cls := word_class(p, c, lex)):
                return c.text, cls, c.end  # "killed and wounded", "were killed or went missing"
    return None


def _infinitive(p: Parse, w: Word) -> bool:
    """Whether a verb is an infinitive with "to" ("to flee")."""
    return any(a.low == "to" for a in p.children(w.i, "aux"))


def _subject_class(p: Parse, verb: Word, lex: Lexicon) -> Found | None:
    """The class of a verb's subject: a unit ("the dead", "troops") or what happened to it ("those killed")."""
    for subj in p.children(verb.i, "nsubj", "nsubjpass"):
        if cls := unit_class_of(p, subj, lex):
            return subj.text, cls, subj.end
        if found := predicate_class(p, subj, lex):
            return found
    return None


def _complement_class(p: Parse, verb: Word, lex: Lexicon, counted: int = -1, depth: int = 0) -> Found | None:
    """The class a copula's complement gives: "feared dead", "thought to be dead" (through "to be"),
    "under evacuation orders", "in shelters", "among those released"."""
    complements = p.children(verb.i, "acomp", "oprd", "attr", "xcomp")
    # "Fire forces 30,000 to flee": headlines get the infinitive read as an adverbial clause
    # and "left 3 people missing", a participle right after the counted noun, read the same way
    complements += [c for c in p.children(verb.i, "advcl") if _infinitive(p, c) or c.i == counted + 1]
    for c in [*complements, *p.children(verb.i, "advmod")]:  # "are still inside" last
        if c.i == counted:
            continue  # "among those killed were four firefighters": the counted noun is not its own fate
        if cls := word_class(p, c, lex):
            return c.text, cls, c.end
        if depth < 2 and c.dep == "xcomp" and (found := _complement_class(p, c, lex, counted, depth + 1)):
            return found
    for prep in p.children(verb.i, "prep"):
        if cls := unit_class_of(p, prep, lex):
            return prep.text, cls, prep.end  # "may still be inside the hotel"
        for obj in p.children(prep.i, "pobj"):
            if prep.low in ("under", "in", "into") and (cls := unit_class_of(p, obj, lex)):
                return obj.text, cls, obj.end
            if cls := lex.class_of(p.text[prep.start : obj.end]):
                return (
                    obj.text,
                    cls,
                    obj.end,
                )  # a unit written with its preposition: "in the collapsed section"
            if prep.low == "among" and (found := predicate_class(p, obj, lex)):
                return found  # "Among those released were 2 children"
    return None
