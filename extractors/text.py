"""Text as detection reads it: HTML entities unescaped, odd spaces folded, offsets kept."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# Same-length folds, so offsets in the folded text are offsets in the unescaped text.
_FOLD = str.maketrans(
    {
        "\u00a0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200a": " ",
        "\t": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u2212": "-",
        "\u00ad": " ",
        "\u2032": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
    }
)


_FOLD_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in _FOLD) + "]")


def fold(text: str) -> str:
    """`text` with odd spaces, hyphens and primes replaced one for one (offsets unchanged)."""
    return text.translate(_FOLD) if _FOLD_CHARS.search(text) else text


@dataclass(frozen=True)
class Source:
    """The input text, its unescaped form (`shown`), a folded form for matching (`work`), and offsets."""

    original: str
    shown: str
    work: str
    starts: tuple[int, ...] | None  # original start of each `shown` char; None when nothing was unescaped
    ends: tuple[int, ...] | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of `shown`/`work` back to the original text."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def read_source(text: str) -> Source:
    """Unescape HTML entities (keeping a map back to the input) and fold spaces, dashes and primes."""
    if "&" not in text or not _ENTITY.search(text):
        return Source(text, text, fold(text), None, None)
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in _ENTITY.finditer(text):
        for i in range(pos, m.start()):
            pieces.append(text[i])
            starts.append(i)
            ends.append(i + 1)
        repl = html.unescape(m.group())
        for ch in repl:
            pieces.append(ch)
            starts.append(m.start())
            ends.append(m.end())
        pos = m.end()
    for i in range(pos, len(text)):
        pieces.append(text[i])
        starts.append(i)
        ends.append(i + 1)
    shown = "".join(pieces)
    return Source(text, shown, fold(shown), tuple(starts), tuple(ends))


# "SEOUL — ", "KYIV (AP) — ", "SEOUL, South Korea (AP) — ": where a wire story names its place.
_DATELINE = re.compile(
    r"[A-Z]{2,}[A-Z'’.-]*(?:,?[ ]+[A-Z][\w'’.-]*){0,4}\s*(?:\([^)]{1,20}\))?\s*[—–-]{1,2}\s+"
)


# "Live Briefing: ", "Analysis | ": a label that a headline starts with, no part of its grammar.
_LABEL = re.compile(
    r"(?:Live(?:\s+(?:Briefing|Updates?|Blog))?|Analysis|Opinion|Explainer|Watch|Video|Photos?|Breaking(?:\s+News)?"
    r"|Exclusive|Updates?|Factbox|Fact\s+check|Timeline|Q&A|Review|Editorial|Interview|In\s+pictures|Listen"
    r"|Podcast|Today's\s+\w+|\w+\s+Briefing)\s*[:|–—-]\s+",
    re.IGNORECASE,
)


def dateline_end(text: str) -> int:
    """Where the text starts after a dateline ("SEOUL — ", "KYIV (AP) — ") or a label ("Live Briefing: "), or 0."""
    m = _DATELINE.match(text) or _LABEL.match(text)
    return m.end() if m else 0


# "... - Reuters", "... – officials": a headline's source after a dash, no part of its grammar.
_SOURCE_TAIL = re.compile(r"\s+[-–—]\s+(?:\S+\s+){0,5}\S+\s*$")


def source_tail_start(text: str) -> int:
    """Where a headline's "... - Reuters" begins (the length of the text when it has none)."""
    m = _SOURCE_TAIL.search(text)
    return m.start() if m and not text.rstrip().endswith((".", "?", "!", '"', "”")) else len(text)


_TITLE_WORD = re.compile(r"[A-Za-z][\w’'-]*")


def is_title_case(text: str) -> bool:
    """Whether `text` reads like a title-case headline ("North Korea Sends 1,500 More Troops")."""
    words = [w for w in _TITLE_WORD.findall(text[:300]) if len(w) >= 4]
    return len(words) >= 3 and sum(1 for w in words if w[0].isupper()) >= 0.7 * len(words)


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (keeps vocabulary lists compact)."""
    return frozenset(words.split())


def trie_pattern(words: list[str]) -> str:
    """A regex alternation of literal words with shared prefixes factored out (much faster to match).

    Spaces in a word match any run of whitespace; apostrophes match straight or curly ones.
    """
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in set(words):
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        ends = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            piece = r"\s+" if ch == " " else "['’]" if ch in "'’" else re.escape(ch)
            branches.append(piece + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return emit(trie)
