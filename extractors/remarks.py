"""The statements of one sentence: one per speaker it attributes words to, and whether they are about the topic."""

from __future__ import annotations

import re

from extractors.attribution import Attribution
from extractors.findings import Statement
from extractors.lexicon import Lexicon, key_for
from extractors.quotes import Quote
from extractors.reporting import SPEAKER_NOUNS
from extractors.sentences import Sentence
from extractors.speakers import DETERMINERS, PRONOUNS, QUANTIFIERS, SpeakerBook
from extractors.statements import is_self, what_is_said, whole_sentence_quote
from extractors.text import Source, word_set

_PLACE_INTRO = re.compile(r"(?:In|At|Across|Around)\b[^,]{1,60},\s*they\s+(?:say|said)\b")
_BELIEFS = word_set(
    "believe believes believed think thinks thought suspect suspects suspected expect expects expected understand understands reckon reckons"
)


def _belief(attr: Attribution) -> bool:
    """Whether an attribution is a belief ("believes", "thinks") rather than something said or published."""
    words = (attr.verb or "").split()
    return bool(words) and words[-1].lower() in _BELIEFS


def _named(phrase: str) -> bool:
    """Whether a speaker's phrase has a name in it ("The NIS", "Israel"), not only common nouns ("Some analysts")."""
    words = [w for w in phrase.split() if w.lower() not in DETERMINERS and w.lower() not in QUANTIFIERS]
    return any(w[:1].isupper() and (i > 0 or w.lower() not in SPEAKER_NOUNS) for i, w in enumerate(words))


def _outer(events: list[Attribution]) -> list[Attribution]:
    """The attributions not reported inside another one's content ("X said the NIS believes ...": X only)."""
    return [
        e
        for e in events
        if e.form != "source"
        and not any(o is not e and o.content_start <= e.subject_start < o.content_end for o in events)
    ]


def sentence_statements(
    src: Source,
    sent: Sentence,
    events: list[Attribution],
    quotes: list[Quote],
    lex: Lexicon,
    book: SpeakerBook,
    last: Statement | None,
) -> list[Statement]:
    """The statements a sentence makes: one per speaker it attributes words to."""
    out: list[Statement] = []
    seen: set[str] = set()
    for attr in _outer(events):
        if _belief(attr) and not (_named(attr.subject) or lex.claimant_key(attr.subject)):
            continue  # "some analysts believe ...": a belief gives a figure its stance, but is no statement
        who = book.resolve(attr.subject, sent.start + attr.subject_start)
        stmt = _statement(src, sent, attr, who, quotes, lex)
        if stmt is None or stmt.speaker_key in seen:
            continue
        seen.add(stmt.speaker_key)
        book.remember(*who, known=lex.claimant_key(stmt.speaker) is not None)
        out.append(stmt)
    if not out and not events and last is not None and last.direct:
        q = whole_sentence_quote(sent.text, quotes)
        if q is not None:  # a quotation continuing the previous speaker's remarks
            start, end = src.span(sent.start + q.start, sent.start + q.end)
            quote = src.shown[sent.start + q.start : sent.start + q.end]
            sentence = src.shown[sent.start : sent.end]
            out.append(
                Statement(
                    last.speaker, last.speaker_key, last.role, last.verb, quote, True, sentence, start, end
                )
            )
    return out


def _statement(
    src: Source,
    sent: Sentence,
    attr: Attribution,
    who: tuple[str, str | None, bool],
    quotes: list[Quote],
    lex: Lexicon,
) -> Statement | None:
    """The statement of one attribution, if it attributes words to an identifiable speaker."""
    speaker, role, _person = who
    pronoun = speaker.strip().lower()
    local = pronoun == "they" and _PLACE_INTRO.match(sent.text) is not None
    if is_self(attr.subject) and not local:
        return None
    if pronoun in PRONOUNS and pronoun not in ("he", "she", "it") and not local:
        return None  # "they said" with no one named before; but "In Algemesi, they say ...": the people there
    said = what_is_said(sent.text, attr, quotes)
    if said is None:
        return None
    key = lex.claimant_key(attr.subject) or lex.claimant_key(speaker) or key_for(speaker)
    start, end = src.span(sent.start + said.start, sent.start + said.end)
    quote = said.quote if src.starts is None else src.shown[sent.start + said.start : sent.start + said.end]
    if said.direct and src.starts is not None and said.quote != sent.text[said.start : said.end]:
        quote = said.quote
    return Statement(
        speaker=speaker,
        speaker_key=key,
        role=role,
        verb=attr.verb,
        quote=quote,
        direct=said.direct,
        sentence=src.shown[sent.start : sent.end],
        start=start,
        end=end,
    )


def other_front(s: Statement, sent: Sentence, lex: Lexicon) -> bool:
    """Whether a statement is about someone else: its sentence names no topic term or context word, and
    names what the topic is not about ("The Israeli military said it struck targets in Lebanon")."""
    return not lex.has_term(sent.text) and not lex.has_context(sent.text) and lex.about_other(sent.text)


def known_speaker(s: Statement, lex: Lexicon) -> bool:
    """Whether a statement's speaker is one of the topic's claimants."""
    return s.speaker_key in lex.claimant_keys
