"""Detection: the figures and statements about a topic in an article's plain text.

An article is read sentence by sentence. Which sentences are about the topic is decided from the
watch file's words (terms, aspects, context words, event nouns) and from the article so far: once a
headline or sentence has named the topic, later sentences that count one of its units or name its
event count too. Those sentences are parsed (spaCy), in one batch per call, and the parse says who
says what (`speech`) and what each number counts (`counting`); patterns read what a parse cannot:
headline attributions ("...: Seoul"), German text, qualifiers and vague amounts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.attribution import Attribution, find_attribution
from extractors.counting import read_count
from extractors.figures import Counted, clause_of, count_units
from extractors.findings import Figure, Finding, Statement
from extractors.lexicon import Lexicon, key_for, lexicon_for
from extractors.numbers import Quantity, find_quantities
from extractors.parse import Parse, parse_all
from extractors.quotes import Quote, find_quotes
from extractors.reporting import SPEAKER_NOUNS
from extractors.sentences import Sentence, split_sentences
from extractors.speakers import DETERMINERS, PRONOUNS, QUANTIFIERS, SpeakerBook
from extractors.speech import speech_events
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
_STATEMENT_WINDOW = 2  # sentences before (and one after) a topic term that can still carry its statements
_GERMAN = re.compile(r"\b(?:der|die|das|und|nicht|ist|mit|von|zu|den|dem|des|sich|auf|für|wurde|hat|nach)\b")


@dataclass(frozen=True)
class _Plan:
    """An article split into sentences, with which ones are about the topic and which need a parse."""

    src: Source
    sentences: tuple[Sentence, ...]
    about: tuple[bool, ...]  # its statements count
    near: tuple[bool, ...]  # its figures count
    parsed: tuple[int, ...]  # indexes of the sentences to parse


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
    plans = [_plan(text, lex) for text in texts]
    wanted = [plan.sentences[i].text for plan in plans for i in plan.parsed]
    parses = iter(parse_all(wanted))
    out = []
    for plan in plans:
        by_sentence = {i: next(parses) for i in plan.parsed}
        out.append(_read(plan, by_sentence, lex))
    return out


def _plan(text: str, lex: Lexicon) -> _Plan:
    """Which sentences of `text` are about the topic, for statements and for figures."""
    src = read_source(text)
    if not lex.has_term(src.work) and not lex.has_context(src.work):
        return _Plan(src, (), (), (), ())  # most articles of a general feed: nothing to read closely
    sentences = tuple(split_sentences(src.work))
    term = [lex.has_term(s.text) for s in sentences]
    aspect = [lex.has_aspect(s.text) for s in sentences]
    about, near = [], []
    established = False
    for i, sent in enumerate(sentences):
        lo, hi = max(0, i - _STATEMENT_WINDOW), min(len(sentences), i + 2)
        a = any(term[lo:hi]) and any(aspect[lo:hi])
        a = a or lex.has_context(sent.text) or (established and lex.has_event(sent.text))
        n = term[i] or (i > 0 and term[i - 1] and sentences[i - 1].paragraph == sent.paragraph) or established
        about.append(a)
        near.append(n)
        established = established or (term[i] and aspect[i])
    parsed = tuple(i for i, s in enumerate(sentences) if (about[i] or near[i]) and _english(s.text))
    return _Plan(src, sentences, tuple(about), tuple(near), parsed)


def _english(text: str) -> bool:
    """Whether a sentence is English enough for the English parser (German sentences are read by patterns)."""
    return len(_GERMAN.findall(text)) < 2


def _read(plan: _Plan, parses: dict[int, Parse], lex: Lexicon) -> list[Finding]:
    """The findings of the planned sentences."""
    src = plan.src
    book = SpeakerBook(src.work, lex.alias_names)
    found: list[Finding] = []
    last: Statement | None = None
    for i, sent in enumerate(plan.sentences):
        if not (plan.about[i] or plan.near[i]):
            last = None
            continue
        quotes = find_quotes(sent.text)
        parse = parses.get(i)
        events = _events(sent.text, parse, quotes)
        statements = _statements(src, sent, events, quotes, lex, book, last)
        if plan.about[i]:
            found.extend(statements)
        last = next((s for s in reversed(statements) if s.direct), statements[-1] if statements else None)
        if plan.near[i]:
            found.extend(_figures(src, sent, events, parse, lex, book))
    found.sort(key=lambda f: (f.start, f.end))
    return found


def _events(text: str, parse: Parse | None, quotes: list[Quote]) -> list[Attribution]:
    """The attributions of a sentence: from its parse, plus the one patterns find where the parse saw none
    (headline forms such as "...: Seoul", German text, and verbs the parser mistook for adjectives)."""
    events = speech_events(parse, quotes) if parse is not None else []
    attr = find_attribution(text, quotes)
    if attr is not None and not any(e.subject_start < attr.subject_end and attr.subject_start < e.subject_end
                                    for e in events):  # fmt: skip
        events.append(attr)
    return events


_BELIEFS = frozenset(
    {
        "believe",
        "believes",
        "believed",
        "think",
        "thinks",
        "thought",
        "suspect",
        "suspects",
        "suspected",
        "expect",
        "expects",
        "expected",
        "understand",
        "understands",
        "reckon",
        "reckons",
    }
)


def _belief(attr: Attribution) -> bool:
    """Whether an attribution is a belief ("believes", "thinks") rather than something said or published."""
    return bool(attr.verb) and attr.verb.split()[-1].lower() in _BELIEFS


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


def _statements(
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


def _containing(events: list[Attribution], pos: int) -> tuple[Attribution | None, Attribution | None]:
    """(outermost, innermost) attribution whose reported content holds position `pos`."""
    holding = [
        e
        for e in events
        if e.content_start <= pos < e.content_end and not (e.subject_start <= pos < e.subject_end)
    ]
    if not holding:
        return None, None
    holding.sort(key=lambda e: e.content_end - e.content_start)
    return holding[-1], holding[0]


def _figures(
    src: Source,
    sent: Sentence,
    events: list[Attribution],
    parse: Parse | None,
    lex: Lexicon,
    book: SpeakerBook,
) -> list[Figure]:
    """The figures in one sentence, each with the claimant and stance of the attribution that holds it."""
    out = []
    lexical = {c.quantity.start: c for c in count_units(sent.text, lex)}
    for q in find_quantities(sent.text):
        reading = _reading(sent.text, q, lexical, parse, lex)
        if reading is None:
            continue
        unit, unit_class, noun_end, subset = reading
        clause = clause_of(sent.text, q.start)
        if not lex.has_term(clause) and lex.about_other(clause):
            continue  # "Russia and Ukraine swapped 150 prisoners of war, as North Korean troops ..."
        outer, inner = _containing(events, q.start)
        claimant, key, stance = _claim(sent.text, q, noun_end, outer, inner, lex, book, sent.start)
        start, end = src.span(sent.start + q.start, sent.start + q.end)
        out.append(
            Figure(
                value=q.value,
                low=q.low,
                high=q.high,
                vague=q.vague,
                qualifier=q.qualifier,
                unit=unit,
                unit_class=unit_class,
                claimant=claimant,
                claimant_key=key,
                stance=stance,
                sentence=src.shown[sent.start : sent.end],
                start=start,
                end=end,
                delta=q.delta,
                subset=subset,
            )
        )
    return out


def _reading(
    text: str, q: Quantity, lexical: dict[int, Counted], parse: Parse | None, lex: Lexicon
) -> tuple[str, str, int, bool] | None:
    """(unit, class, end of the deciding word, part of a bigger count) for a quantity, by pattern or parse."""
    c = lexical.get(q.start)
    if c is not None:
        return c.unit, c.unit_class, c.noun_end, False
    if parse is None or q.year_like or q.money or lex.owns_number(text[max(0, q.lead - 30) : q.lead]):
        return None  # "a standing army of 1.2 million troops"
    r = read_count(parse, q, lex)
    return (r.unit, r.unit_class, r.noun_end, r.subset) if r is not None else None


def _claim(
    text: str,
    q: Quantity,
    noun_end: int,
    outer: Attribution | None,
    inner: Attribution | None,
    lex: Lexicon,
    book: SpeakerBook,
    offset: int,
) -> tuple[str | None, str | None, str]:
    """(claimant as written, claimant key, stance) of a figure from the attributions that hold it."""
    if outer is None:
        stance = "estimated" if _HEDGE.search(text) else "reported"
        if stance == "reported" and _HEDGE_AFTER.match(text, noun_end):
            stance = "estimated"
        return None, None, stance
    claimant = outer.subject
    if claimant.strip().lower() in ("he", "she", "it", "they"):
        claimant = book.resolve(claimant, offset + outer.subject_start)[0]
    relayed = inner.subject if inner is not None and inner is not outer else outer.relayed
    key = lex.claimant_key(claimant) or (lex.claimant_key(relayed) if relayed else None) or key_for(claimant)
    stance = _STANCE.get(outer.stance, "claimed")
    inner_stance = inner.stance if inner is not None and inner is not outer else outer.relayed_stance
    if stance == "claimed" and (
        inner_stance == "estimated" or _HEDGE.search(text, outer.content_start, q.start)
    ):
        stance = "estimated"
    if stance in ("claimed", "reported") and (
        _HEDGE_AFTER.match(text, noun_end) or (q.qualifier_surface or "").lower().endswith("estimated")
    ):
        stance = "estimated"  # "the 10,000 soldiers believed to be in Russia", "an estimated 11,000"
    return claimant, key, stance
