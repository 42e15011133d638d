"""Properties over generated input (hypothesis): the feed normaliser, the number parser and the detectors
never raise, keep every offset inside their input, and the text at a figure's offsets is its number."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import escape, unescape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.detect import detect
from extractors.feeds import parse_feed
from extractors.findings import Figure, Statement
from extractors.numbers import Quantity, find_quantities
from extractors.text import read_source
from newswatch.settings import BUNDLED_WATCH_FILE
from newswatch.watchfile import load_watch

TOPIC = load_watch(BUNDLED_WATCH_FILE).topics[0]
BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- generated news-like text: the topic's own words, numbers in every form news writes, punctuation ---
_NUMBER = st.one_of(
    st.integers(0, 10**7).map(lambda n: f"{n:,}"),
    st.integers(0, 10**6).map(str),
    st.integers(1, 999).map(lambda n: f"{n}K"),
    st.integers(1, 99).map(lambda n: f"{n}.{n % 10} million"),
    st.integers(1000, 99_000).map(lambda n: f"{n:,}".replace(",", ".")),  # German thousands
    st.sampled_from(
        [
            "two",
            "three thousand",
            "a dozen",
            "twenty-five",
            "hundreds of",
            "thousands of",
            "dozens of",
            "several thousand",
            "a few hundred",
            "tens of thousands of",
            "zwölf",
            "Tausende",
            "eleven",
        ]
    ),
    st.tuples(st.integers(0, 10**5), st.integers(0, 10**5), st.sampled_from([" to ", "-", "–", " and "])).map(
        lambda t: f"{'between ' if t[2] == ' and ' else ''}{t[0]:,}{t[2]}{t[1]:,}"
    ),
)
_QUALIFIER = st.sampled_from(
    ["", "about ", "up to ", "more than ", "at least ", "nearly ", "another ", "some "]
)
_VOCABULARY = sorted(
    {*TOPIC.terms, *TOPIC.context_terms, *(n for u in TOPIC.units for n in u.nouns)}
    | {a for c in TOPIC.claimants for a in c.aliases}
    | {
        "said",
        "told reporters",
        "according to",
        "said on Monday",
        "estimated",
        "denied",
        "the",
        "in",
        "Russia",
    }
)
_GLUE = st.sampled_from(
    [",", ".", ". ", '"', "“", "”", "'", "(", ")", "—", "&amp;", "&#8217;", "\u00a0", "\n", "$"]
)
_TOKEN = st.one_of(
    st.sampled_from(_VOCABULARY),
    st.tuples(_QUALIFIER, _NUMBER).map("".join),
    _GLUE,
    st.text(max_size=6),
)
_ALIAS = st.sampled_from(sorted({a for c in TOPIC.claimants for a in c.aliases} | {"Lloyd Austin", "He"}))
_NOUN = st.sampled_from(sorted({n for u in TOPIC.units for n in u.nouns}))
_FILL = st.lists(st.one_of(st.sampled_from(_VOCABULARY), _GLUE, st.text(max_size=5)), max_size=4).map(
    " ".join
)
_AMOUNT = st.tuples(_QUALIFIER, _NUMBER).map("".join)
# Sentences shaped like the ones detection looks for, with noise where news has other words.
_SENTENCE = st.one_of(
    st.builds("{} said {} North Korean {} {} had been sent to Russia.".format, _ALIAS, _AMOUNT, _NOUN, _FILL),
    st.builds("{} {} from North Korea were killed, {} said {}.".format, _AMOUNT, _NOUN, _ALIAS, _FILL),
    st.builds('"{} North Korea {}," {} said.'.format, _FILL, _FILL, _ALIAS),
    st.builds('{} said: "{} North Korean troops {}."'.format, _ALIAS, _FILL, _FILL),
    st.builds("According to {}, Pyongyang sent {} {} {}.".format, _ALIAS, _AMOUNT, _NOUN, _FILL),
    st.builds('"{}," {} told reporters, "North Korea {}."'.format, _FILL, _ALIAS, _FILL),
)
NEWSY = st.lists(st.one_of(_SENTENCE, _TOKEN), max_size=12).map(" ".join)
ANY_TEXT = st.one_of(NEWSY, st.text(max_size=300))


def _reparsed(span: str) -> list[Quantity]:
    """The quantities of a figure's own text, read as detection reads it (entities unescaped, spaces folded)."""
    return find_quantities(read_source(span).work)


def _is_the_number(span: str, *, low: int | None, high: int | None, value: int | None, vague: bool) -> bool:
    """Whether `span` (the text at a quantity's offsets) reads as that quantity: the same floor for a vague
    amount, the same low end first and high end last for a number or range."""
    if vague:  # "hundreds" counts only before "of" or "more": the span ends before that word
        again = _reparsed(span) or _reparsed(f"{span} of")
        return bool(again) and again[0].vague and again[0].low == low
    again = _reparsed(span)
    if not again:
        return False
    if value is not None and len(again) == 1 and again[0].value != value:
        return False
    return again[0].low == low and again[-1].high == high


@BOUNDED
@given(ANY_TEXT)
def test_number_parser_offsets_are_inside_and_point_at_the_number(text: str) -> None:
    for q in find_quantities(text):
        assert 0 <= q.lead <= q.start < q.end <= q.after <= len(text), q
        span = text[q.start : q.end]
        assert _is_the_number(span, low=q.low, high=q.high, value=q.value, vague=q.vague), (span, q)


@BOUNDED
@given(ANY_TEXT)
def test_detectors_never_raise_and_their_offsets_point_at_what_they_report(text: str) -> None:
    findings = detect(text, TOPIC)
    assert [(f.start, f.end) for f in findings] == sorted((f.start, f.end) for f in findings)
    shown = read_source(text).shown
    for f in findings:
        assert 0 <= f.start <= f.end <= len(text), f
        assert f.sentence in shown
        span = text[f.start : f.end]
        if isinstance(f, Figure):
            assert _is_the_number(span, low=f.low, high=f.high, value=f.value, vague=f.vague), (span, f)
        else:
            assert isinstance(f, Statement)
            # A quote split by its attribution ('"A," he said, "B."') spans both halves: its words come in order.
            assert _in_order(_words(f.quote), _words(unescape(span))), (span, f.quote)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", read_source(text).work.lower())


def _in_order(needles: list[str], haystack: list[str]) -> bool:
    rest = iter(haystack)
    return all(word in rest for word in needles)


# --- feeds: RSS items whose every field is arbitrary text (escaped as XML must be) ---
_FIELD = st.one_of(
    st.text(max_size=40), st.sampled_from(["<b>bold</b>", "<script>x()</script>", "&amp;", "/rel", ""])
)
_LINK = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["https://news.test/a", "/relative/b", "javascript:alert(1)", "ftp://x/y", "//host/p", ""]
    ),
)
_DATE = st.one_of(
    st.text(max_size=30),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)).map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT")),
)  # fmt: skip
_ITEM = st.tuples(_FIELD, _LINK, st.one_of(st.none(), _FIELD), _DATE, _FIELD)


def _xml(text: str) -> str:
    """Text as XML character data: escaped, without the characters XML 1.0 forbids."""
    return escape(re.sub(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "", text))


@BOUNDED
@given(st.lists(_ITEM, max_size=12), st.integers(1, 8))
def test_feed_normaliser_keeps_its_promises_on_any_item_text(
    items: list[tuple[str, str, str | None, str, str]], cap: int
) -> None:
    body = "".join(
        f"<item><title>{_xml(t)}</title><link>{_xml(link)}</link>"
        + ("" if guid is None else f"<guid>{_xml(guid)}</guid>")
        + f"<pubDate>{_xml(date)}</pubDate><description>{_xml(d)}</description></item>"
        for t, link, guid, date, d in items
    )
    data = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'
    parsed = parse_feed(data.encode(), url="https://feeds.test/world/rss.xml", max_entries=cap)
    assert parsed.error is None, parsed.bozo_reason
    assert len(parsed.entries) <= min(cap, len(items))
    guids = [e.guid for e in parsed.entries]
    assert len(guids) == len(set(guids)) and all(guids)
    latest = datetime.now(UTC) + timedelta(days=1, minutes=1)
    for e in parsed.entries:
        assert e.link == "" or e.link.startswith(("http://", "https://"))
        assert "\n" not in e.title and e.title == e.title.strip() and "  " not in e.title
        assert "<script" not in e.title.lower() and "x()" not in e.title
        assert e.published is None or (
            e.published.tzinfo is not None and datetime(1970, 1, 1, tzinfo=UTC) <= e.published <= latest
        )
