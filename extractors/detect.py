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
from dataclasses import dataclass, replace

from extractors.attribution import Attribution, find_attribution
from extractors.counting import read_count
from extractors.figures import Counted, clause_of, count_units
from extractors.findings import Figure, Finding, Statement
from extractors.headlines import quote_events
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
_GERMAN = re.compile(
    r"\b(?:der|die|das|und|nicht|ist|mit|von|zu|den|dem|des|sich|auf|für|wurde|wurden|hat|haben|nach|bei|eine?[rsmn]?"
    r"|auch|sagte|laut|zufolge|sind|wird|werden|über|gegen)\b|[äöüß]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Plan:
    """An article split into sentences, with which ones are about the topic and which need a parse."""

    src: Source
    sentences: tuple[Sentence, ...]
    about: tuple[bool, ...]  # its statements count
    near: tuple[bool, ...]  # its figures count
    established: tuple[bool, ...]  # an earlier sentence (or the headline) named the topic
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
        return _Plan(src, (), (), (), (), ())  # most articles of a general feed: nothing to read closely
    sentences = tuple(split_sentences(src.work))
    term = [lex.has_term(s.text) for s in sentences]
    aspect = [lex.has_aspect(s.text) for s in sentences]
    about, near, est = [], [], []
    established = False
    for i, sent in enumerate(sentences):
        lo, hi = max(0, i - _STATEMENT_WINDOW), min(len(sentences), i + 2)
        a = any(term[lo:hi]) and any(aspect[lo:hi])
        a = a or lex.has_context(sent.text) or (established and lex.has_event(sent.text))
        n = term[i] or (i > 0 and term[i - 1] and sentences[i - 1].paragraph == sent.paragraph) or established
        about.append(a)
        near.append(n)
        est.append(established)
        established = established or (term[i] and aspect[i])
    parsed = tuple(i for i, s in enumerate(sentences) if (about[i] or near[i]) and _english(s.text))
    return _Plan(src, sentences, tuple(about), tuple(near), tuple(est), parsed)


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
        events = _events(sent.text, parse, quotes, lex)
        statements = _statements(src, sent, events, quotes, lex, book, last)
        # In an article about the topic, the topic's own sources speak about it ("Investigators said ...").
        found.extend(
            s
            for s in statements
            if (plan.about[i] or (plan.established[i] and _known(s, lex))) and not _other_front(s, sent, lex)
        )
        last = next((s for s in reversed(statements) if s.direct), statements[-1] if statements else None)
        if plan.near[i]:
            found.extend(_figures(src, sent, events, parse, lex, book))
    found.sort(key=lambda f: (f.start, f.end))
    return found


def _other_front(s: Statement, sent: Sentence, lex: Lexicon) -> bool:
    """Whether a statement is about someone else: its sentence names no topic term and its words name
    what the topic is not about ("The Israeli military said it struck targets in Lebanon")."""
    return not lex.has_term(sent.text) and not lex.has_context(sent.text) and lex.about_other(s.quote)


def _known(s: Statement, lex: Lexicon) -> bool:
    """Whether a statement's speaker is one of the topic's claimants."""
    return s.speaker_key in lex.claimant_keys


def _events(text: str, parse: Parse | None, quotes: list[Quote], lex: Lexicon) -> list[Attribution]:
    """The attributions of a sentence: from its parse, plus the one patterns find where the parse could not
    read it (a headline's "...: Seoul", German text, a verb the parser mistook for an adjective)."""
    events = speech_events(parse, quotes) if parse is not None else []
    for worn in quote_events(parse, quotes) if parse is not None else []:
        # a quotation worn by its speaker replaces that speaker's verb in a headline ("'X': Al Jazeera demands")
        events = [
            e
            for e in events
            if not (e.subject_start < worn.subject_end and worn.subject_start < e.subject_end)
        ]
        events.append(worn)
    attr = find_attribution(text, quotes)
    if attr is None or any(
        e.subject_start < attr.subject_end and attr.subject_start < e.subject_end for e in events
    ):
        return events
    if attr.form == "headline" and _topic_label(attr, text, lex):
        return events  # "Storm Hilda: what we know" is about the storm, not said by it
    if parse is not None and attr.form != "headline" and not _misread(parse, attr):
        return events  # the parse read that verb and found no speech in it ("reports from Gaza", "citing")
    return [*events, attr]


_LABELS = re.compile(r"(?i)^\s*(?:what\s+(?:we|you)\s+know|what\s+to\s+know|live|latest|explained|in\s+pictures|"
                     r"timeline|the\s+latest|key\s+facts|scenes?\s+from)\b")  # fmt: skip


def _topic_label(attr: Attribution, text: str, lex: Lexicon) -> bool:
    """Whether a headline's "X: ..." names the topic itself, or only labels a piece ("...: what we know")."""
    label = attr.content_start > attr.subject_start and _LABELS.match(text, attr.content_start) is not None
    own = lex.has_term(attr.subject) and lex.claimant_key(attr.subject) is None
    return label or own or (lex.has_event(attr.subject) and lex.claimant_key(attr.subject) is None)


def _misread(parse: Parse, attr: Attribution) -> bool:
    """Whether the parser read the pattern's reporting verb as something else (a modifier, a noun's part)."""
    verb = (attr.verb or "").split()[-1:] or [""]
    words = [w for w in parse.words if w.text == verb[0] and w.start >= attr.subject_end]
    return (
        bool(words) and words[0].dep in ("amod", "compound", "nmod", "acl") and words[0].tag.startswith("VB")
    )


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
    text = sent.text
    lexical = {c.quantity.start: c for c in count_units(text, lex)}
    read: list[tuple[Quantity, _Read]] = []
    for q in find_quantities(text):
        r = _reading(text, q, lexical, parse, lex)
        if (
            r is None
            and read
            and any(e.form == "source" and e.content_start <= q.start < e.content_end for e in events)
        ):
            r = _Read(
                read[-1][1].unit, read[-1][1].unit_class, q.after, False
            )  # "U.S. estimates were lower, at 1,000"
        if r is None or _elsewhere(text, q, lex):
            continue
        read.append((q, r))
    out = []
    for q, r, parts in _totals(text, read, lex):
        outer, inner = _containing(events, q.start)
        claimant, key, stance = _claim(text, q, r.noun_end, outer, inner, lex, book, sent.start)
        start, end = src.span(sent.start + q.start, sent.start + q.end)
        out.append(
            Figure(
                value=q.value,
                low=q.low,
                high=q.high,
                vague=q.vague,
                qualifier=q.qualifier,
                unit=r.unit,
                unit_class=r.unit_class,
                claimant=claimant,
                claimant_key=key,
                stance=stance,
                sentence=src.shown[sent.start : sent.end],
                start=start,
                end=end,
                delta=q.delta,
                subset=r.subset,
                parts=parts,
            )
        )
    return out


_INTRO = re.compile(r"(?:In|At|Across|Elsewhere|Separately|Meanwhile|Outside|Over|Near)\b[^,]{0,60},")


def _elsewhere(text: str, q: Quantity, lex: Lexicon) -> bool:
    """Whether a count belongs to someone the topic is not about: its clause (or the sentence's opening
    "In neighbouring Spain, ...") names them and no topic term ("Russia and Ukraine swapped 150 prisoners")."""
    clause = clause_of(text, q.start)
    if lex.has_term(clause):
        return False
    intro = _INTRO.match(text)
    return lex.about_other(clause) or (
        intro is not None and intro.end() <= q.start and lex.about_other(intro.group())
    )


def _totals(
    text: str, read: list[tuple[Quantity, _Read]], lex: Lexicon
) -> list[tuple[Quantity, _Read, tuple[int, ...]]]:
    """The counts of a sentence, with "52 passengers and four crew members" (two nouns of one unit class)
    added up into one total of 56 with its parts; parts of a toll ("13 children and three women") stay apart."""
    out: list[tuple[Quantity, _Read, tuple[int, ...]]] = []
    for q, r in read:
        if out and _adds_up(text, out[-1], (q, r), lex):
            pq, pr, parts = out.pop()
            total = (pq.value or 0) + (q.value or 0)
            merged = replace(pq, end=q.end, value=total, low=total, high=total, after=q.after)
            unit = f"{pr.unit} and {r.unit}"
            out.append(
                (
                    merged,
                    _Read(unit, pr.unit_class, r.noun_end, False),
                    (*(parts or (pq.value or 0,)), q.value or 0),
                )
            )
            continue
        out.append((q, r, ()))
    return out


def _adds_up(
    text: str, prev: tuple[Quantity, _Read, tuple[int, ...]], cur: tuple[Quantity, _Read], lex: Lexicon
) -> bool:
    """Whether two counts in a row are parts of one total: joined by "and", each with its own unit noun of
    the same class, exact, and not parts of something bigger."""
    (pq, pr, _parts), (q, r) = prev, cur
    joined = text[pr.noun_end : q.lead].strip(" ,").lower() in ("and", "plus")
    exact = pq.value is not None and q.value is not None and not (pq.delta or q.delta)
    nouns = lex.class_of(pr.unit.split(" and ")[-1]) is not None and lex.class_of(r.unit) is not None
    return (
        joined
        and exact
        and nouns
        and pr.unit_class == r.unit_class
        and not (pr.subset or r.subset)
        and pr.unit != r.unit
    )


@dataclass(frozen=True)
class _Read:
    """What a quantity counts: the unit as written, its class, where the deciding word ends, and whether
    it is a part of a bigger count."""

    unit: str
    unit_class: str
    noun_end: int
    subset: bool


def _reading(
    text: str, q: Quantity, lexical: dict[int, Counted], parse: Parse | None, lex: Lexicon
) -> _Read | None:
    """What a quantity counts, by pattern (the rules tuned on the bundled topic) or else by the parse."""
    c = lexical.get(q.start)
    if c is not None:
        return _Read(c.unit, c.unit_class, c.noun_end, False)
    if parse is None or q.year_like or q.money or lex.owns_number(text[max(0, q.lead - 30) : q.lead]):
        return None  # "a standing army of 1.2 million troops"
    r = read_count(parse, q, lex)
    return _Read(r.unit, r.unit_class, r.noun_end, r.subset) if r is not None else None


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
