"""A topic's vocabulary compiled once: terms, unit nouns, claimant aliases, and what they say about text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.inflection import lemma_classes, word_forms
from extractors.text import is_title_case, trie_pattern
from extractors.topic import Topic, slug

# Endings a term may take in running text: North Korea-n, DPRK-'s, Nordkorea-s, nordkoreanisch-en.
_INFLECTION = r"(?:n|ns|s|e|en|er|es|em|ern|ner|nern|ische[nmrs]?)?"
_MONEY_NOUNS = frozenset({"$", "us$", "usd", "dollars", "dollar", "euros", "€", "won"})


def _word(word: str, forms: bool) -> str:
    """A regex for one word: either apostrophe; a lowercase word in any of its forms when `forms`."""
    variants = word_forms(word) if forms else [word]
    alts = sorted({re.sub(r"['’]", "['’]", re.escape(v)) for v in variants}, key=len, reverse=True)
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def _phrase(term: str, inflect: bool, forms: bool = True) -> str:
    """A regex for a phrase: flexible spaces, either apostrophe, optional inflection at the end.

    Lowercase words inside a capitalised term match capitalised too ("Spanish floods" matches the
    headline "Spanish Floods"); a lowercase last word matches its singular or plural ("deaths" matches
    "death")."""
    words = term.split()
    parts = []
    for i, w in enumerate(words):
        part = _word(w, forms=(inflect or forms) and i == len(words) - 1)
        if w[:1].islower() and w != term and not term.islower():
            part = f"(?i:{part})"
        parts.append(part)
    body = r"\s+".join(parts)
    if inflect and words and words[-1][-1:].isalpha() and len(words[-1]) >= 6:
        body += _INFLECTION  # "Nordkoreas", "Pyongyang's"; not "North" -> "Northern"
    return body


def _terms_regex(terms: tuple[str, ...], inflect: bool = True, strict: bool = True) -> re.Pattern[str] | None:
    """One regex matching any of `terms` as whole words.

    A term with capitals is a name and matches case-sensitively (its first letter either way when it
    starts lowercase, as in "the North"); a lowercase term matches in any case. When `strict`, a term
    whose name part is one word is not matched inside a longer name ("North" is not "North Atlantic",
    "the North" is not "the North Sea"); title-case headlines are read with strict=False.
    """
    alts = []
    for term in sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True):
        body = _phrase(term, inflect)
        if term == term.lower():
            alts.append(f"(?i:{body})")
            continue
        if strict and sum(1 for w in term.split() if w[0].isupper()) == 1:
            body += r"(?![ ]+(?:[A-Z]|of\b))"
        alts.append(body)
        upper = term.upper()
        if upper != term:
            alts.append(_phrase(upper, False))
    if not alts:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(alts) + r")(?![\w])")


@dataclass(frozen=True)
class Lexicon:
    """The compiled vocabulary of one topic."""

    topic: Topic
    terms: re.Pattern[str] | None
    terms_loose: re.Pattern[str] | None  # for title-case headlines
    context: re.Pattern[str] | None
    not_about: re.Pattern[str] | None
    aspects: re.Pattern[str] | None
    events: re.Pattern[str] | None
    units: re.Pattern[str] | None  # any counted noun, longest first
    other_units: re.Pattern[str] | None  # nouns of the classes that qualify the base class (killed, ...)
    unit_class: dict[str, str]
    lemma_class: dict[str, str]  # base forms of the unit words ("kill" for "killed", "death" for "deaths")
    base_class: str
    money_class: str | None
    aliases: re.Pattern[str] | None  # every alias, longest first, each in a group named after its claimant
    alias_keys: dict[str, str]  # group name -> claimant key
    alias_names: tuple[str, ...]  # aliases written as personal names ("Lloyd Austin")
    claimant_keys: frozenset[str]  # every claimant's key
    needles: dict[str, re.Pattern[str] | None]  # per vocabulary: words one of which any match must contain
    _keys_seen: dict[str, str | None] = field(default_factory=dict, compare=False, hash=False)

    def class_of(self, noun: str) -> str | None:
        """The unit class of a counted noun as written."""
        key = " ".join(noun.lower().replace("’", "'").split())
        return self.unit_class.get(key)

    def class_of_lemma(self, lemma: str, verb: bool) -> str | None:
        """The unit class of a verb or noun by its base form, so that every inflection counts ("kills", "killing")."""
        return self.lemma_class.get(("v:" if verb else "n:") + lemma.lower())

    def claimant_key(self, surface: str) -> str | None:
        """The watch-file key of the claimant named in `surface` (the longest alias wins)."""
        if surface in self._keys_seen:
            return self._keys_seen[surface]
        best: tuple[int, str] | None = None
        for m in self.aliases.finditer(surface) if self.aliases else ():
            if m.lastgroup and (best is None or len(m.group()) > best[0]):
                best = (len(m.group()), self.alias_keys[m.lastgroup])
        key = best[1] if best else None
        if len(self._keys_seen) < 10_000:
            self._keys_seen[surface] = key
        return key

    def counts_base(self, text: str) -> bool:
        """Whether `text` names a noun of the topic's first unit class ("soldier", "troops")."""
        base = self.topic.units[0].nouns if self.topic.units else ()
        return (
            any(self.class_of(m.group()) == self.base_class for m in self.units.finditer(text))
            if (self.units and base)
            else False
        )

    def may_have(self, vocabulary: str, text: str) -> bool:
        """A cheap test before a regex: whether lowercase `text` holds a word of `vocabulary` at all."""
        needles = self.needles[vocabulary]
        return bool(needles and needles.search(text))

    def has_aspect(self, text: str) -> bool:
        """Whether `text` names what the topic follows about its subject (always true without aspects)."""
        return self.aspects is None or bool(self.aspects.search(text))

    def has_term(self, text: str) -> bool:
        """Whether `text` names the topic (one of its terms)."""
        if not self.may_have("terms", text.lower()):
            return False
        if self.terms_loose is None or not self.terms_loose.search(text):
            return False
        return bool(self.terms and self.terms.search(text)) or is_title_case(text)

    def about_other(self, text: str) -> bool:
        """Whether `text` (a modifier or a short window) names someone the topic is not about."""
        return bool(self.not_about and self.not_about.search(text))

    def owns_number(self, before: str) -> bool:
        """Whether a not-about phrase governs the number right after `before` ("army of", "Russian")."""
        if not self.not_about:
            return False
        last = None
        for m in self.not_about.finditer(before):
            last = m
        return last is not None and before[last.end() :].split() in ([], ["of"])

    def has_event(self, text: str) -> bool:
        """Whether `text` names the topic's event by a common noun ("the floods", "the deployment")."""
        return bool(self.events and self.events.search(text))

    def has_context(self, text: str) -> bool:
        """Whether `text` has a context word not owned by someone else ("troops", not "Russian troops")."""
        if not self.context or not self.may_have("context", text.lower()):
            return False
        for m in self.context.finditer(text):
            # the words before it in its clause: "Russian forces lost 1,420 soldiers" is someone else's
            window = re.split(r",\s|[;:(]|\s[-–—]\s", text[max(0, m.start() - 80) : m.start()])[-1]
            if not self.about_other(" ".join(window.split()[-6:])):
                return True
        return False


def _needles(phrases: list[str] | tuple[str, ...]) -> re.Pattern[str] | None:
    """For each phrase its longest word in each of its forms, lowercased and cut before any apostrophe: one
    of them is a substring of any match."""
    out: set[str] = set()
    for phrase in phrases:
        words = [re.split(r"['’]", w.lower())[0] for w in phrase.split()]
        if words:
            longest = max(words, key=len)
            out.update(word_forms(longest) if longest.isalpha() else [longest])
    found = [n for n in out if n]
    return re.compile(trie_pattern(found)) if found else None


def _unit_regex(nouns: list[str]) -> re.Pattern[str] | None:
    """A case-insensitive regex for counted nouns, longest first."""
    words = [" ".join(n.split()) for n in nouns if any(c.isalpha() for c in n)]
    if not words:
        return None
    return re.compile(r"(?<![\w])(?:" + trie_pattern(words) + r")(?![\w])", re.IGNORECASE)


def _alias_pattern(alias: str) -> str:
    """A regex for a claimant alias (used case-insensitively), allowing German case endings on long words."""
    parts = []
    for w in alias.split():
        p = re.sub(r"['’]", "['’]", re.escape(w))
        if len(w) >= 4 and w[-1].islower():
            p += r"[a-zäöüß]{0,3}"
        parts.append(p)
    return r"\s+".join(parts)


def _is_name(alias: str) -> bool:
    """Whether an alias looks like a personal name: two or more capitalised words, no acronym."""
    words = alias.split()
    return len(words) >= 2 and all(w[0].isupper() and not w.isupper() for w in words)


@lru_cache(maxsize=64)
def lexicon_for(topic: Topic) -> Lexicon:
    """The compiled vocabulary of `topic` (cached: topics are immutable)."""
    unit_class: dict[str, str] = {}
    nouns: list[str] = []
    other: list[str] = []
    money_class = None
    base = topic.units[0].name if topic.units else "count"
    for uc in topic.units:
        for n in uc.nouns:
            key = " ".join(n.lower().replace("’", "'").split())
            unit_class.setdefault(key, uc.name)
            nouns.append(n)
            if uc.name != base:
                other.append(n)
            if key in _MONEY_NOUNS and money_class is None:
                money_class = uc.name
    pairs = sorted({(a.strip(), c.key) for c in topic.claimants for a in (*c.aliases, c.name) if a.strip()},
                   key=lambda p: -len(p[0]))  # fmt: skip
    groups = [f"(?P<a{i}>{_alias_pattern(a)})" for i, (a, _k) in enumerate(pairs)]
    aliases = re.compile(r"(?<![\w])(?:" + "|".join(groups) + r")(?![\w])", re.IGNORECASE) if groups else None
    names = [a for a, _k in pairs if _is_name(a)]
    return Lexicon(
        topic=topic,
        terms=_terms_regex(topic.terms),
        terms_loose=_terms_regex(topic.terms, strict=False),
        context=_terms_regex(topic.context_terms, inflect=False),
        not_about=_terms_regex(topic.not_about, inflect=False),
        aspects=_terms_regex(tuple(a.lower() for a in topic.aspects)),
        events=_terms_regex(tuple(e.lower() for e in topic.events)),
        units=_unit_regex(nouns),
        other_units=_unit_regex(other),
        unit_class=unit_class,
        lemma_class=lemma_classes(unit_class),
        base_class=base,
        money_class=money_class,
        aliases=aliases,
        alias_keys={f"a{i}": k for i, (_a, k) in enumerate(pairs)},
        alias_names=tuple(names),
        claimant_keys=frozenset(c.key for c in topic.claimants),
        needles={
            "terms": _needles(topic.terms),
            "context": _needles(topic.context_terms),
            "units": _needles(nouns),
        },
    )


def key_for(name: str) -> str:
    """A stable key for a name as written: "Park Sun-won" and "Park Sunwon" both give "park-sunwon"."""
    name = re.sub(r"^(?:the|a|an|der|die|das|dem|den|des)\s+", "", name.strip(), flags=re.IGNORECASE)
    return slug(re.sub(r"(?<=\w)-(?=\w)", "", name.replace("’", "'").replace("'s", "s")))
