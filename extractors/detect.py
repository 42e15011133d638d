"""Detection: the figures and statements about a topic in an article's plain text.

An article is read sentence by sentence. Which sentences are about the topic is decided from the
watch file's words (terms, aspects, context words, event nouns) and from the article so far: once a
headline or sentence has named the topic, later sentences that count one of its units or name its
event count too. Those sentences are parsed (spaCy), in one batch per call, and the parse says who
says what (`speech`) and what each number counts (`counting`); patterns read what a parse cannot:
headline attributions ("...: Seoul"), German text, qualifiers and vague amounts.
"""

from __future__ import annotations

from extractors.events import sentence_events
from extractors.findings import Finding, Statement
from extractors.lexicon import Lexicon, lexicon_for
from extractors.parse import Parse, parse_all
from extractors.quotes import find_quotes
from extractors.remarks import known_speaker, other_front, sentence_statements
from extractors.scope import Scope, scope_of
from extractors.speakers import SpeakerBook
from extractors.tally import sentence_figures
from extractors.text import read_source
from extractors.topic import Topic


def is_relevant(text: str, topic: Topic) -> bool:
    """Whether an article is about the topic at all: it names a term and, when the topic has aspects, one."""
    lex = lexicon_for(topic)
    work = read_source(text).work
    return lex.has_term(work) and lex.has_aspect(work)


def detect(text: str, topic: Topic) -> list[Finding]:
    """Every figure and statement about `topic` in `text`, sorted by start offset."""
    return detect_many([text], topic)[0]


def detect_many(texts: list[str], topic: Topic) -> list[list[Finding]]:
    """detect() over several texts of one topic; their sentences are parsed in one batch (twice as fast)."""
    lex = lexicon_for(topic)
    scopes = [scope_of(text, lex) for text in texts]
    wanted = [s.sentences[i].text for s in scopes for i in s.parsed]
    parses = iter(parse_all(wanted))
    out = []
    for scope in scopes:
        by_sentence = {i: next(parses) for i in scope.parsed}
        out.append(_read(scope, by_sentence, lex))
    return out


def _read(scope: Scope, parses: dict[int, Parse], lex: Lexicon) -> list[Finding]:
    """The findings of the sentences in scope, read in order (who spoke last carries to the next)."""
    src = scope.src
    book = SpeakerBook(src.work, lex.alias_names)
    found: list[Finding] = []
    last: Statement | None = None
    for i, sent in enumerate(scope.sentences):
        if not (scope.about[i] or scope.near[i]):
            last = None
            continue
        quotes = find_quotes(sent.text)
        parse = parses.get(i)
        events = sentence_events(sent.text, parse, quotes, lex)
        statements = sentence_statements(src, sent, events, quotes, lex, book, last)
        # In an article about the topic, the topic's own sources speak about it ("Investigators said ...").
        found.extend(
            s
            for s in statements
            if (scope.about[i] or (scope.established[i] and known_speaker(s, lex)))
            and not other_front(s, sent, lex)
        )
        last = next((s for s in reversed(statements) if s.direct), statements[-1] if statements else None)
        if scope.near[i]:
            found.extend(sentence_figures(src, sent, events, parse, lex, book, weak=scope.weak[i]))
    found.sort(key=lambda f: (f.start, f.end))
    return found
