"""Which sentences of an article are about a topic: for its statements, and for its figures.

A sentence's statements count when a term and an aspect of the topic are near it (two sentences before,
one after), when it has a context word, or, once the article has named the topic, when it names the
topic's event by a common noun ("the floods"). Its figures count when it or the sentence before (in the
same paragraph) names a term, or once the article has named the topic (a figure must still count one of
the topic's units, and its clause must not name what the topic is not about).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.lexicon import Lexicon
from extractors.numbers import may_count
from extractors.reporting import may_report
from extractors.sentences import Sentence, split_sentences
from extractors.text import Source, read_source

_STATEMENT_WINDOW = 2  # sentences before (and one after) a topic term that can still carry its statements
MAX_PARSED = 300  # sentences parsed per article (a long report has 150); the rest are read by patterns only
_ELSEWHERE = re.compile(
    r"\s*(?:Elsewhere|Separately|In other news|In a separate (?:incident|development))\b", re.I
)
_GERMAN = re.compile(
    r"\b(?:der|die|das|und|nicht|ist|mit|von|zu|den|dem|des|sich|auf|für|wurde|wurden|hat|haben|nach|bei|eine?[rsmn]?"
    r"|auch|sagte|laut|zufolge|sind|wird|werden|über|gegen)\b|[äöüß]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Scope:
    """An article split into sentences, with which ones are about the topic and which need a parse."""

    src: Source
    sentences: tuple[Sentence, ...]
    about: tuple[bool, ...]  # its statements count
    near: tuple[bool, ...]  # its figures count
    weak: tuple[bool, ...]  # its figures count only by a context word (no term near, topic not yet named)
    established: tuple[bool, ...]  # an earlier sentence (or the headline) named the topic
    parsed: tuple[int, ...]  # indexes of the sentences to parse


def scope_of(text: str, lex: Lexicon) -> Scope:
    """Which sentences of `text` are about the topic, for statements and for figures."""
    src = read_source(text)
    if not lex.has_term(src.work) and not lex.has_context(src.work):
        return Scope(src, (), (), (), (), (), ())  # most articles of a general feed: nothing to read closely
    sentences = tuple(split_sentences(src.work))
    term = [lex.has_term(s.text) for s in sentences]
    aspect = [lex.has_aspect(s.text) for s in sentences]
    about, near, weak, est = [], [], [], []
    established = False
    # A context word counts for figures only in an article that names nothing the topic is not about
    # ("floods kill 2 in New Mexico" is another flood).
    elsewhere = lex.about_other(src.work)
    for i, sent in enumerate(sentences):
        lo, hi = max(0, i - _STATEMENT_WINDOW), min(len(sentences), i + 2)
        context = lex.has_context(sent.text)
        # "Elsewhere, a bus crash near the border killed 11": another story, unless the opening names the
        # topic ("Elsewhere in Gaza, ...")
        other = _ELSEWHERE.match(sent.text) is not None and not lex.has_term(sent.text.split(",")[0])
        a = any(term[lo:hi]) and any(aspect[lo:hi])
        a = not other and (a or context or (established and lex.has_event(sent.text)))
        n = term[i] or (i > 0 and term[i - 1] and sentences[i - 1].paragraph == sent.paragraph) or established
        n = n and not other
        w = (
            not n and not other and context and not elsewhere
        )  # "Mine collapse: 9 dead, 27 trapped, says ministry"
        about.append(a)
        near.append(n or w)
        weak.append(w)
        est.append(established)
        established = established or (term[i] and aspect[i])
    parsed = tuple(i for i, s in enumerate(sentences) if (about[i] or near[i]) and is_english(s.text))[
        :MAX_PARSED
    ]
    return Scope(src, sentences, tuple(about), tuple(near), tuple(weak), tuple(est), parsed)


def _may_find(text: str) -> bool:
    """Whether a parse can find anything in a sentence: it has a number, a quotation, or a reporting verb.
    (Narration without any of them yields nothing; parsing it would cost a third of an article's time.)"""
    return may_count(text) or may_report(text) or any(c in text for c in '"“”‘’«»„') or " '" in text


def is_english(text: str) -> bool:
    """Whether a sentence is English enough for the English parser (German sentences are read by patterns)."""
    return len(_GERMAN.findall(text)) < 2
