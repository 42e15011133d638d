"""The relevance gate: whether a fetched page can be about any watched topic, tested before extraction.

Detection finds nothing in a text that names none of a topic's terms or context terms, so a page that
names none of them need not go through trafilatura. The gate looks for every term, context term and
event noun of every topic (claimant aliases too, when asked) in the page's whole text, cheaply read (no
parse: scripts, styles and comments cut, tags and invisible characters turned into markers, entities
unescaped), and in the entry's title and summary from the feed. It must never say no where detection
could say yes, so it is looser than detection everywhere but in case, where it follows detection's rule
(a term with capitals matches as written or in capitals, a lowercase one in any case): it reads
boilerplate too, allows the word endings detection allows, and lets a marker (a tag, a soft hyphen, a
zero-width space) stand anywhere inside a name or between its words.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from extractors.inflection import word_forms
from extractors.topic import Topic

GATE_VERSION = 2  # part of the fingerprint: pages kept under other rules are tested again
MARK = "\x00"  # where a tag or an invisible character was: optional, and a word boundary
_GAP = "\x00*+"  # between the letters of a needle: any markers (possessive: never backtracked into)
# Endings a term may take in running text, as detection allows them on last words of 6 letters or more.
_ENDINGS = ("n", "ns", "s", "e", "en", "er", "es", "em", "ern", "ner", "nern",
            "ische", "ischen", "ischem", "ischer", "isches")  # fmt: skip
_ALIAS_ENDING = f"(?:{_GAP}[a-zA-ZäöüßÄÖÜẞ]){{0,3}}"  # aliases: up to three letters on words of 4+, any case
_CHAR_CLASSES = {
    "'": "['’\u2032\u02bc`\u00b4]",  # detection folds these primes and accents into an apostrophe
    "’": "['’\u2032\u02bc`\u00b4]",
    "-": "[-\u2010\u2011\u2212]",  # and these dashes into a hyphen
}
_DROPPED = re.compile(r"<(?:(script|style)\b([^<>]*)>|!--)", re.IGNORECASE)
_CLOSERS = {
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
    None: re.compile(r"-->"),
}
_LD_JSON = re.compile(r"ld\+json", re.IGNORECASE)
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
# A tag is '<' then a letter, '/', '!' or '?' (a bare '<' is text to a browser too). Meta tags stay as
# text: titles come from their content attributes.
_TAG = re.compile(r"<(?![Mm][Ee][Tt][Aa]\b)[A-Za-z/!?][^<>]*>")
# What trafilatura deletes (neither printable nor a space), and every character beyond the BMP: read as
# markers, which can only make the gate looser.
_INVISIBLE = re.compile(
    "["
    + "".join(
        re.escape(chr(c)) for c in range(1, 0x10000) if not chr(c).isprintable() and not chr(c).isspace()
    )
    + "\U00010000-\U0010ffff]"
)


@dataclass(frozen=True)
class Gate:
    """One matcher for every topic of a watch file. `exact`: needles with capitals, matched as detection
    matches them; `anycase`: lowercase needles, and claimant aliases (detection ignores their case).
    Pickled as its needles; compiled once per process."""

    exact: tuple[str, ...]
    anycase: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the needles and the gate's rules: pages kept under another gate are re-tested."""
        spec = [GATE_VERSION, sorted(self.exact), sorted(self.anycase), sorted(self.aliases)]
        return hashlib.sha256(json.dumps(spec, ensure_ascii=False).encode()).hexdigest()[:16]

    def admits(self, page: bytes | str | None, *texts: str) -> bool:
        """Whether the page (markup) or any of `texts` (plain text: the entry's title, summary) may name
        a topic."""
        return self.first_match(page, *texts) is not None

    def first_match(self, page: bytes | str | None, *texts: str) -> str | None:
        """The first needle found, as written in the text (markers left out), or None."""
        pattern = _compile(self.exact, self.anycase, self.aliases)
        for text in (*(plain_text(t) for t in texts if t), page_text(page) if page else ""):
            found = pattern.search(text)
            if found is not None:
                return found.group().replace(MARK, "")
        return None


def gate_for(topics: Iterable[Topic], *, aliases: bool = False) -> Gate:
    """The gate of a watch file's topics: their terms, context terms and event nouns (and claimant names
    and aliases when `aliases`)."""
    needles: set[str] = set()
    names: set[str] = set()
    for topic in topics:
        for phrase in (*topic.terms, *topic.context_terms, *topic.events):
            needles.update(_forms(_clean(phrase)))
        if aliases:
            names.update(_clean(a) for c in topic.claimants for a in (c.name, *c.aliases))
    needles.discard("")
    names.discard("")
    exact = tuple(sorted(n for n in needles if n != n.lower()))
    return Gate(exact, tuple(sorted(needles - set(exact))), tuple(sorted(names)))


def page_text(content: bytes | str) -> str:
    """A page's text as the gate reads it: scripts, styles and comments cut (not JSON-LD, where titles
    live), tags and invisible characters turned into markers, entities unescaped, NFC."""
    markup = content if isinstance(content, str) else _decode(content)
    kept: list[str] = []
    pos = 0
    while (opener := _DROPPED.search(markup, pos)) is not None:
        kind = opener.group(1).lower() if opener.group(1) else None
        closer = _CLOSERS[kind].search(markup, opener.end())
        if kind == "script" and _LD_JSON.search(opener.group(2)):
            block = markup[opener.end() : closer.start() if closer else len(markup)]
            kept += [markup[pos : opener.start()], MARK, block, MARK, _JSON_ESCAPE.sub(_unescape_json, block)]
            pos = closer.end() if closer else len(markup)
            continue
        kept.append(markup[pos : opener.start()] + MARK)
        if closer is None:  # never closed: the rest stays (looser), and nothing is scanned twice
            pos = opener.end()
            break
        pos = closer.end()
    kept.append(markup[pos:])
    return plain_text(_TAG.sub(MARK, "".join(kept)))


def plain_text(text: str) -> str:
    """Text as the gate reads it: entities unescaped (detection does so too), invisible characters turned
    into markers, NFC (as trafilatura's output is)."""
    if "&" in text:
        text = html.unescape(text)
    invisible = _invisible()
    if invisible.search(text):
        text = invisible.sub(MARK, text)
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _decode(content: bytes) -> str:
    """The page's characters as extraction will read them: UTF-16 with a byte-order mark, UTF-8, else
    trafilatura's own guess (only then is it imported)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        from trafilatura.utils import decode_file

        return decode_file(content)


def _unescape_json(escape: re.Match[str]) -> str:
    return chr(int(escape.group(1), 16))


def _clean(needle: str) -> str:
    return " ".join(needle.split())


def _forms(phrase: str) -> list[str]:
    """A phrase in each form detection matches: its lowercase last word in its other number or tense
    ("soldiers" and "soldier", "floods" and "flood", "killed" and "kill", "kills", "killing")."""
    words = phrase.split(" ")
    if not words or not words[-1].islower():
        return [phrase]
    return [" ".join([*words[:-1], form]) for form in word_forms(words[-1])]


@lru_cache(maxsize=1)
def _invisible() -> re.Pattern[str]:
    """What trafilatura deletes (neither printable nor a space), and every character beyond the BMP: read
    as markers, which can only make the gate looser. Built on first use (a pass's own process never)."""
    hidden = (
        re.escape(chr(c)) for c in range(1, 0x10000) if not chr(c).isprintable() and not chr(c).isspace()
    )
    return re.compile("[" + "".join(hidden) + "\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _case_groups() -> dict[str, str]:
    """For each cased character of the BMP, the class of every character a case-insensitive regex takes
    for it ('i': 'Iiıİ', 's': 'SsſS'): lowercase equal, or equal once 'ı', 'ſ', 'ς'... are made one."""
    groups: dict[str, set[str]] = {}
    keys: dict[str, str] = {}
    for code in range(0x10000):
        char = chr(code)
        lower = char.lower()
        upper = lower.upper() if len(lower) == 1 else ""
        key = upper.lower() if len(upper) == 1 and len(upper.lower()) == 1 else lower
        if char in ("İ", "i", "I", "ı"):
            key = "i"
        keys[char] = key
        groups.setdefault(key, set()).add(char)
    return {char: "".join(sorted(groups[key])) for char, key in keys.items() if len(groups[key]) > 1}


def _anycase(text: str) -> str:
    """`text` as a regex of character classes matching it in any case, as detection's `(?i:...)` does."""
    groups = _case_groups()
    out = []
    for char in text:
        group = groups.get(char)
        out.append("[" + re.escape(group) + "]" if group else char)
    return "".join(out)


@lru_cache(maxsize=16)
def _compile(exact: tuple[str, ...], anycase: tuple[str, ...], aliases: tuple[str, ...]) -> re.Pattern[str]:
    """The gate's one regex, on the text as it is: needles with capitals in each form detection accepts,
    the others (and aliases) in any case; a trie of them all, for speed."""
    paths = []
    for needle in exact:
        paths.append(_atoms(needle, cased=True))
        if needle.upper() != needle:
            paths.append(_atoms(needle.upper(), cased=True, inflect=False))  # "NORTH KOREA"
            if len(needle.upper()) != len(needle):  # "Straße": "STRASSE", and "strasse" to re.I
                paths.append(_atoms(needle.upper().lower(), cased=False))
        if needle[0].islower():
            paths.append(_atoms(needle[0].upper() + needle[1:], cased=True))  # "the North" opens a sentence
    paths += [_atoms(n, cased=False) for n in anycase] + [_atoms(a, cased=False, alias=True) for a in aliases]
    if not paths:
        return re.compile(r"(?!)")
    # The lookahead lets the regex engine skip to a possible first letter (much faster than trying each).
    first = {p[0] for p in paths}
    skip = f"(?=[{''.join(sorted(re.escape(c) for c in first))}])" if all(len(c) == 1 for c in first) else ""
    return re.compile(rf"{skip}(?<!\w)(?:{_trie([p[1] for p in paths])})(?!\w)")


def _atoms(
    needle: str, *, cased: bool, alias: bool = False, inflect: bool = True
) -> tuple[str, tuple[str, ...]]:
    """A needle's possible first characters, and the needle as regex atoms: one per character (markers
    allowed before each but a word's first, any case unless `cased`), then its endings."""

    def char(ch: str) -> str:
        if ch in _CHAR_CLASSES:
            return _CHAR_CLASSES[ch]
        return re.escape(ch) if cased else _anycase(ch)

    atoms: list[str] = []
    words = needle.split(" ")
    for i, word in enumerate(words):
        if i:
            atoms.append(r"[\s\x00]++")
        # A lowercase word of a name matches in any case, as in detection ("Spanish floods", "Spanish Floods").
        as_is = cased and not word.islower()
        atoms += [
            (_GAP if j else "") + (char(ch) if as_is or ch in _CHAR_CLASSES else _anycase(ch))
            for j, ch in enumerate(word)
        ]
        if alias and len(word) >= 4 and word[-1].islower():
            atoms.append(_ALIAS_ENDING)
    last = words[-1]
    if inflect and not alias and last[-1:].isalpha() and len(last) >= 6:
        endings = (_GAP + _GAP.join(map(re.escape if cased else _anycase, e)) for e in _ENDINGS)
        atoms.append("(?:" + "|".join(endings) + ")?")
    head = needle[0]
    firsts = head if cased or head in _CHAR_CLASSES else _case_groups().get(head, head)
    return firsts, tuple(atoms)


def _trie(paths: list[tuple[str, ...]]) -> str:
    """An alternation of atom sequences with shared prefixes factored out (much faster to match)."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for path in paths:
        node = root
        for atom in path:
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        branches = [atom + emit(child) for atom, child in sorted(node.items()) if atom]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)
