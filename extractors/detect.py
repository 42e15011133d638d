"""Detection: the figures and statements about a topic in an article's plain text."""

from __future__ import annotations

import re

from extractors.attribution import Attribution, find_attribution
from extractors.figures import clause_of, count_units
from extractors.findings import Figure, Finding, Statement
from extractors.lexicon import Lexicon, key_for, lexicon_for
from extractors.quotes import find_quotes
from extractors.sentences import Sentence, split_sentences
from extractors.speakers import PRONOUNS, SpeakerBook
from extractors.statements import is_self, what_is_said, whole_sentence_quote
from extractors.text import Source, read_source
from extractors.topic import Topic

_STANCE = {"claimed": "claimed", "estimated": "estimated", "confirmed": "confirmed", "denied": "denied",
           "reported": "reported", "neither": "claimed"}  # fmt: skip
_HEDGE = re.compile(
    r"\b(?:believed|thought|estimated|expected|assessed|suspected)\s+to\b|\b(?:believes?|assess(?:es)?|estimates?|"
    r"thinks?|suspects?)\b|\bappears?\s+to\b",
    re.IGNORECASE,
)
_HEDGE_AFTER = re.compile(r"[^,.;]{0,40}?\b(?:believed|thought|estimated|assessed|suspected)\s+to\b", re.I)
_REPORTED = re.compile(r"\breportedly\b|\breports?\s+(?:that|say|said|suggest)|\bit\s+is\s+reported\b", re.I)
_STATEMENT_WINDOW = 2  # sentences before (and one after) a topic term that can still carry its statements


def is_relevant(text: str, topic: Topic) -> bool:
    """Whether an article is about the topic at all: it names a term and, when the topic has aspects, one."""
    lex = lexicon_for(topic)
    work = read_source(text).work
    return lex.has_term(work) and lex.has_aspect(work)


def detect(text: str, topic: Topic) -> list[Finding]:
    """Every figure and statement about `topic` in `text`, sorted by start offset."""
    src = read_source(text)
    lex = lexicon_for(topic)
    if not lex.has_term(src.work) and not lex.has_context(src.work):
        return []  # most articles of a general feed: nothing to read closely
    sentences = split_sentences(src.work)
    book = SpeakerBook(src.work, lex.alias_names)
    has_term = [lex.has_term(s.text) for s in sentences]
    aspect: dict[int, bool] = {}
    found: list[Finding] = []
    last: Statement | None = None
    for i, sent in enumerate(sentences):
        lo, hi = max(0, i - _STATEMENT_WINDOW), min(len(sentences), i + 2)
        about = any(has_term[lo:hi]) and any(_aspect(aspect, sentences, j, lex) for j in range(lo, hi))
        about = about or lex.has_context(sent.text)
        near = has_term[i] or (i > 0 and has_term[i - 1] and sentences[i - 1].paragraph == sent.paragraph)
        if not (about or near):
            last = None
            continue
        quotes = find_quotes(sent.text)
        attr = find_attribution(sent.text, quotes)
        who = None
        if attr is not None:
            speaker, role, is_person = book.resolve(attr.subject, sent.start + attr.subject_start)
            who = (speaker, role, is_person)
        stmt = _statement(src, sent, attr, who, quotes, lex, last)
        if stmt is not None:
            if who is not None:
                book.remember(*who, known=lex.claimant_key(stmt.speaker) is not None)
            if about:
                found.append(stmt)
                last = stmt
        else:
            last = None
        if near:
            found.extend(_figures(src, sent, attr, who, lex))
    found.sort(key=lambda f: (f.start, f.end))
    return found


def _aspect(memo: dict[int, bool], sentences: list[Sentence], j: int, lex: Lexicon) -> bool:
    """Whether sentence j names an aspect of the topic (memoised: windows overlap)."""
    if j not in memo:
        memo[j] = lex.has_aspect(sentences[j].text)
    return memo[j]


def _statement(
    src: Source,
    sent: Sentence,
    attr: Attribution | None,
    who: tuple[str, str | None, bool] | None,
    quotes: list,  # type: ignore[type-arg]
    lex: Lexicon,
    last: Statement | None,
) -> Statement | None:
    """The statement a sentence makes, if it attributes words to an identifiable speaker."""
    if attr is None or who is None:
        q = whole_sentence_quote(sent.text, quotes)
        if q is None or last is None or not last.direct:
            return None
        start, end = src.span(sent.start + q.start, sent.start + q.end)
        return Statement(last.speaker, last.speaker_key, last.role, last.verb, src.shown[sent.start + q.start :
                         sent.start + q.end], True, src.shown[sent.start : sent.end], start, end)  # fmt: skip
    if is_self(attr.subject):
        return None
    speaker, role, _person = who
    if speaker.strip().lower() in PRONOUNS and speaker.strip().lower() not in ("he", "she", "it"):
        return None
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


def _figures(
    src: Source,
    sent: Sentence,
    attr: Attribution | None,
    who: tuple[str, str | None, bool] | None,
    lex: Lexicon,
) -> list[Figure]:
    """The figures in one sentence, with the sentence's claimant and stance."""
    out = []
    for c in count_units(sent.text, lex):
        q = c.quantity
        clause = clause_of(sent.text, q.start)
        if not lex.has_term(clause) and lex.about_other(clause):
            continue  # "Russia and Ukraine swapped 150 prisoners of war, as North Korean troops ..."
        claimant, key = None, None
        stance = "reported"
        if attr is not None and not (attr.subject_start <= q.start < attr.subject_end):
            claimant = attr.subject
            if who is not None and attr.subject.strip().lower() in ("he", "she"):
                claimant = who[0]
            key = lex.claimant_key(claimant) or (lex.claimant_key(attr.relayed) if attr.relayed else None)
            key = key or (lex.claimant_key(who[0]) if who else None) or key_for(who[0] if who else claimant)
            stance = _STANCE.get(attr.stance, "claimed")
            if stance == "claimed" and (
                attr.relayed_stance == "estimated" or _HEDGE.search(sent.text, attr.content_start, q.start)
            ):
                stance = "estimated"
        elif _HEDGE.search(sent.text):
            stance = "estimated"
        elif _REPORTED.search(sent.text):
            stance = "reported"
        if stance in ("claimed", "reported") and (
            _HEDGE_AFTER.match(sent.text, c.noun_end)
            or (q.qualifier_surface or "").lower().endswith("estimated")
        ):
            stance = "estimated"  # "the 10,000 soldiers believed to be in Russia", "an estimated 11,000"
        start, end = src.span(sent.start + q.start, sent.start + q.end)
        out.append(
            Figure(
                value=q.value,
                low=q.low,
                high=q.high,
                vague=q.vague,
                qualifier=q.qualifier,
                unit=c.unit,
                unit_class=c.unit_class,
                claimant=claimant,
                claimant_key=key,
                stance=stance,
                sentence=src.shown[sent.start : sent.end],
                start=start,
                end=end,
                delta=q.delta,
            )
        )
    return out
