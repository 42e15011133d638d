"""Figures: quantities that count one of the topic's nouns, with the class of what they count."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.lexicon import Lexicon
from extractors.numbers import Quantity, find_quantities
from extractors.text import word_set

# Words that cannot sit between a number and the noun it counts ("3,000 years ago soldiers").
_STOP = word_set(
    """of in on at to from for by with into than were was are is be been have has had will would could
    should may might who which that this these those said says per a an the during over under after
    before since until while as or but not also each every ago last next about around some its their his
    her our when where if then now than among including"""
)
_MEASURES = word_set(
    """year years month months week weeks day days hour hours minute minutes km kilometres kilometers miles
    mile metres meters tonnes tons kg people persons percent times civilians residents children women
    villages towns cities countries nations people's"""
)
_CLAUSE_END = re.compile(r"[,;:!?()“”\"]|\.(?:\s|$)|\s[-–—]\s")
_PRED_AUX = word_set(
    """have has had were was are is been being reportedly already now likely probably also all either both"""
)
_PRED_STOP = word_set("""to and but while as after before than because since or""")
_PARTITIVE = re.compile(r"\s+of\s+(?:the|those|these|its|their|an\s+estimated|some|about|around|roughly)?\s*",
                        re.IGNORECASE)  # fmt: skip
_TOTAL_OF = re.compile(
    r"(?:number|total|tally|toll|count|strength|figure|size)(?:\s+of)?\s+(?:[\w’'-]+\s+){0,4}$", re.I
)
_TOTAL_LINK = re.compile(
    r"(?:\s+[\w’'-]+){0,6}?\s+(?:to|at|of|is|was|reached|hit|stood\s+at|stands\s+at|rose\s+to)\s*", re.I
)
_PP_AUX = re.compile(
    r"(?:\s+(?:in|on|at|among|from|since)\s+(?:the\s+)?[\w’'-]+(?:\s+[\w’'-]+)?|\s+so\s+far)?"
    r"(?:\s+(?:have|has|had|now|already|reportedly|likely|probably|may\s+have|could\s+have))*\s*",
    re.I,
)
_LINKED = re.compile(
    _PP_AUX.pattern + r"(?:reached|exceeded|topped|surpassed|passed|stand\s+at|stood\s+at|stands\s+at"
    r"|rose\s+to|risen\s+to|climbed\s+to|numbered|number|numbering|totall?ed|total|totall?ing|hit)\s*",
    re.I,
)
_BARE_AFTER = re.compile(r"\s*(?:[.,;:!?)]|$|\s(?:by|in|on|at|as|and|according|since|last|this|so\s+far)\b)")
_ELLIPTIC_AUX = re.compile(
    r"\s+(?:(?:have|has|had|were|was|are|is)\s+)?(?:(?:been|reportedly|already|now|since)\s+)*", re.I
)
_VERB_BEFORE = re.compile(
    r"\b(?P<v>kill(?:s|ed|ing)?|captur(?:e|es|ed|ing)|wound(?:s|ed|ing)?|injur(?:e|es|ed|ing))"
    r"(?:\s+(?:or|and)\s+\w+)?\s+$",
    re.IGNORECASE,
)
_VERB_CLASS_NOUN = {"kill": "killed", "captur": "captured", "wound": "wounded", "injur": "injured"}
_WORD = re.compile(r"[^\s]+")


_CLAUSE_SEP = re.compile(
    r"[;:()—–]|,(?!\d{3})|\s(?:as|while|but|whereas|although|though|because|when|after|before|since|where)\s",
    re.IGNORECASE,
)
_NOT_A_BREAK = ("many", "much", "such", "well", "soon", "just")  # "as many as", "such as", "soon after"


def clause_of(text: str, pos: int) -> str:
    """The clause of a sentence around `pos`: between commas, colons, dashes or conjunctions."""
    a, b = 0, len(text)
    for m in _CLAUSE_SEP.finditer(text):
        if text[max(0, m.start() - 5) : m.start()].lower().endswith(_NOT_A_BREAK):
            continue
        if m.end() <= pos:
            a = m.end()
        elif m.start() >= pos:
            b = m.start()
            break
    return text[a:b]


@dataclass(frozen=True)
class Counted:
    """A quantity with the noun it counts and that noun's unit class."""

    quantity: Quantity
    unit: str
    unit_class: str
    noun_end: int  # where the counted noun ends in the sentence


def _clause(text: str, start: int, limit: int) -> str:
    """Text from `start` up to the end of its clause (or `limit` characters)."""
    window = text[start : start + limit]
    m = _CLAUSE_END.search(window)
    return window[: m.start()] if m else window


def _modifiers_ok(between: str, lex: Lexicon) -> bool:
    """Whether the words between a number and its noun can all be modifiers of that noun."""
    words = _WORD.findall(between)
    if len(words) > 5:
        return False
    for w in words:
        low = w.lower().strip("’'")
        if low in _STOP or low in _MEASURES or any(c.isdigit() for c in w):
            return False
        plural = (
            w.islower() and low.endswith("s") and not low.endswith(("ss", "us", "is", "ous")) and len(low) > 3
        )
        if plural and lex.class_of(low) is None:
            return False  # another plural noun: "40 mandarin ducks", "three years"
    return not lex.about_other(between)


def _forward(text: str, q: Quantity, lex: Lexicon) -> tuple[str, int, int, str] | None:
    """(noun, start, end, words between) of the noun counted by q, read after the number."""
    if lex.units is None:
        return None
    pos = q.after
    if q.vague:
        m = re.match(r"\s+of\b", text[pos:])
        if m:
            pos += m.end()
    window = _clause(text, pos, 90)
    um = lex.units.search(window)
    if not um:
        return None
    between = window[: um.start()]
    if not _modifiers_ok(between, lex):
        return None
    if q.year_like and between.strip():
        return None
    end = um.end()
    cls = lex.class_of(um.group())
    while True:  # "special forces personnel", but not "soldiers killed" (a predicate)
        nxt = lex.units.match(window, end + 1) if window[end : end + 1] == " " else None
        if not nxt or lex.class_of(nxt.group()) != cls:
            break
        end = nxt.end()
    return window[um.start() : end], pos + um.start(), pos + end, between


def _backward(text: str, q: Quantity, lex: Lexicon) -> tuple[str, int, int] | None:
    """(noun, start, end) of a counted noun written before the number ("casualties have exceeded 4,000")."""
    if lex.units is None or q.year_like:
        return None
    if not _BARE_AFTER.match(text, q.after):
        return None
    base = max(0, q.lead - 140)
    prefix = text[base : q.lead]
    cut = max(prefix.rfind(c) for c in ",;:.")
    if cut >= 0 and cut > len(prefix) - 100:
        base, prefix = base + cut + 1, prefix[cut + 1 :]
    found = None
    for um in lex.units.finditer(prefix):
        found = um
    if found is None:
        return None
    before, after = prefix[: found.start()], prefix[found.end() :]
    if lex.owns_number(before):
        return None  # "Russian losses have exceeded 600,000"
    total = _TOTAL_OF.search(before) and _TOTAL_LINK.fullmatch(after)
    linked = _LINKED.fullmatch(after)
    by_verb = q.qualifier_surface is not None and q.qualifier_surface.lower() in (
        "exceeded",
        "topped",
        "surpassed",
    )
    if total or linked or (by_verb and _PP_AUX.fullmatch(after)):
        return found.group(), base + found.start(), base + found.end()
    return None


def _elliptic(text: str, q: Quantity, lex: Lexicon) -> tuple[str, int, int] | None:
    """A count whose noun is left out before a casualty verb: "... and 2,700 had been injured"."""
    if lex.other_units is None or q.year_like or q.money:
        return None
    m = _ELLIPTIC_AUX.match(text, q.after)
    if not m:
        return None
    om = lex.other_units.match(text, m.end())
    return (om.group(), om.start(), om.end()) if om else None


def _predicate_class(text: str, end: int, lex: Lexicon) -> str | None:
    """The class of a predicate after the counted noun: "soldiers killed or wounded", "troops had been killed"."""
    if lex.other_units is None:
        return None
    window = _clause(text, end, 80)
    om = lex.other_units.search(window)
    if not om:
        return None
    words = _WORD.findall(window[: om.start()])
    if len(words) > 7 or any(w.lower() in _PRED_STOP for w in words):
        return None
    if words and words[-1].lower() not in _PRED_AUX and len(words) > 5:
        return None
    return lex.class_of(om.group())


def count_units(text: str, lex: Lexicon) -> list[Counted]:
    """Every quantity in a sentence that counts one of the topic's nouns."""
    if not lex.may_have("units", text.lower()) and "$" not in text:
        return []
    quantities = find_quantities(text)
    out: list[Counted] = []
    hosts: dict[int, int] = {}  # index of a partitive "N of the M troops" -> index of M
    for i, q in enumerate(quantities):
        m = _PARTITIVE.match(text, q.after)
        if m and i + 1 < len(quantities) and quantities[i + 1].lead == m.end():
            hosts[i] = i + 1
    found: dict[int, Counted] = {}
    for i, q in enumerate(quantities):
        c = _count(text, q, lex, is_host=i in hosts.values())
        if c:
            found[i] = c
    for i, q in enumerate(quantities):
        if i in found:
            out.append(found[i])
        elif i in hosts and hosts[i] in found:
            host = found[hosts[i]]
            cls = host.unit_class
            if cls == lex.base_class:
                cls = _predicate_class(text, host.noun_end, lex) or cls
            out.append(Counted(q, host.unit, cls, q.after))
    return out


def _count(text: str, q: Quantity, lex: Lexicon, is_host: bool) -> Counted | None:
    """The Counted for one quantity, or None when it counts nothing of the topic."""
    if q.money:
        if lex.money_class is None or not lex.counts_base(text):
            return None  # money counts when paid for what the topic counts: "$2,000 a month per soldier"
        m = re.search(r"(?:US\$|\$|USD|dollars?)", text[max(0, q.start - 4) : q.after + 9])
        return Counted(q, m.group() if m else "$", lex.money_class, q.after)
    if lex.owns_number(text[max(0, q.lead - 30) : q.lead]):
        return None  # "a standing army of 1.2 million troops"
    fw = _forward(text, q, lex)
    if fw:
        noun, _start, end, between = fw
        cls = lex.class_of(noun) or lex.base_class
        if cls == lex.base_class:
            om = lex.other_units.search(between) if lex.other_units else None
            vb = _VERB_BEFORE.search(text, max(0, q.lead - 30), q.lead)
            if om:
                cls = lex.class_of(om.group()) or cls
            elif vb:
                stem = next(k for k in _VERB_CLASS_NOUN if vb.group("v").lower().startswith(k))
                cls = lex.class_of(_VERB_CLASS_NOUN[stem]) or cls  # "Ukraine captures two soldiers"
            elif not is_host:
                cls = _predicate_class(text, end, lex) or cls
        return Counted(q, noun, cls, end)
    found = _backward(text, q, lex) or _elliptic(text, q, lex)
    if found:
        noun = found[0]
        return Counted(q, noun, lex.class_of(noun) or lex.base_class, max(found[2], q.after))
    return None
