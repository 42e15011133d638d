"""The relevance gate: what it admits, what it cannot miss, and that it stays cheap on hostile markup."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import pytest

from extractors.articles import extract_article
from extractors.detect import detect
from extractors.gate import gate_for, page_text
from extractors.topic import topic_from_mapping
from newswatch.jobs import document_text
from newswatch.settings import BUNDLED_WATCH_FILE
from newswatch.watchfile import load_watch

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
BUNDLED = load_watch(BUNDLED_WATCH_FILE).topic("nk-troops-russia")
# A small topic of our own: one capitalised term, one lowercase context term, a German term.
TOPIC = topic_from_mapping(
    "t",
    {
        "terms": ["Pyongyang", "North Korea", "nordkoreanisch", "Straße"],
        "context_terms": ["troops"],
        "events": ["deployment"],
        "units": {"troops": ["soldiers", "troops"]},
        "claimants": {"nis": {"name": "NIS", "aliases": ["spy agency"]}},
    },
)
GATE = gate_for([TOPIC])


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>Wire</title>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "body",
    [
        "<p>Pyongyang said so.</p>",
        "<p>PYONGYANG SAID SO.</p>",  # detection matches a capitalised term in capitals too
        "<p>The North Korea file.</p>",
        "<p>North<br>Korea</p>",  # a tag between the words
        "<p>North&nbsp;Korea and North\u00a0Korea</p>",
        "<p><span class=dropcap>P</span>yongyang said so.</p>",  # a tag inside the word
        "<p>Pyong&shy;yang and Pyong\u200byang</p>",  # invisible characters inside
        "<p>&#80;yongyang said so.</p>",  # the first letter as an entity
        "<p>Spam</p><p>Pyongyang</p>",
        "<div>spam</div><div>Pyongyang</div>",  # minified: no space between the blocks
        "<p>Der nordkoreanischen Armee</p>",  # an ending detection allows
        "<p>Die STRASSE</p>",  # the capitals of 'ß'
        "<p>More TROOPS arrived.</p>",  # a lowercase term in any case
        "<p>The deployment began.</p>",  # an event noun
        "<p>Pj&ouml;ngjang</p>",
    ],
)
def test_admits_a_term_however_the_markup_writes_it(body: str) -> None:
    topic = topic_from_mapping("p", {"terms": ["Pjöngjang"], "units": {"x": ["y"]}})
    assert GATE.admits(page(body)) or gate_for([topic]).admits(page(body))


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:title" content="Pyongyang says no">',
        '<script type="application/ld+json">{"headline": "Pyongyang says no"}</script>',
        '<script type="application/ld+json">{"headline": "North Kor\\u0065a says no"}</script>',
    ],
)
def test_admits_a_title_that_only_the_metadata_gives(head: str) -> None:
    assert GATE.admits(page("<p>Nothing here.</p>", head))


@pytest.mark.parametrize(
    "body",
    [
        "<p>Weather is mild over the region.</p>",
        "<p>pyongyang in lowercase is not the capitalised term, for detection either</p>",
        "<p>Pyongyangers and NorthKorea are other words.</p>",
        '<p><a href="/pyongyang/troops">a link</a></p>',  # words in attributes are no text
        "<script>var s = 'Pyongyang troops';</script><style>.troops{}</style><!-- Pyongyang -->",
        "<p>North Carolina is no north korea</p>",  # neither a term nor its capitalisation
    ],
)
def test_refuses_a_page_that_names_nothing(body: str) -> None:
    assert not GATE.admits(page(body))


def test_title_and_summary_from_the_feed_count_too() -> None:
    assert GATE.admits(page("<p>nothing</p>"), "Pyongyang sends envoy", "")
    assert GATE.admits(page("<p>nothing</p>"), "", "More troops were seen.")
    assert not GATE.admits(page("<p>nothing</p>"), "Weather", "Sunny.")


def test_claimant_aliases_only_when_asked() -> None:
    text = page("<p>The spy agency said so.</p>")
    assert not GATE.admits(text)
    assert gate_for([TOPIC], aliases=True).admits(text)


def test_fingerprint_follows_the_needles_and_pickles_as_them() -> None:
    other = topic_from_mapping("t", {"terms": ["Pyongyang", "Seoul"], "units": {"x": ["y"]}})
    assert gate_for([TOPIC]).fingerprint == GATE.fingerprint
    assert gate_for([other]).fingerprint != GATE.fingerprint
    copy = pickle.loads(pickle.dumps(GATE))  # noqa: S301 - our own bytes, as the worker pool sends them
    assert copy == GATE and copy.fingerprint == GATE.fingerprint
    assert len(pickle.dumps(GATE)) < 2_000


def test_unclosed_scripts_and_tags_are_read_in_one_pass() -> None:
    """Hostile markup: thousands of unclosed scripts, comments and tags; each is scanned once."""
    hostile = "<script>" * 20_000 + "<!--" * 20_000 + "<a " * 100_000 + " Pyongyang"
    assert GATE.admits(hostile)
    assert "Pyongyang" in page_text(hostile)


def test_non_utf8_pages_are_decoded_as_extraction_decodes_them() -> None:
    latin = page("<p>Nordkoreanische Truppen: Pjöngjang schweigt.</p>").encode("cp1252")
    topic = topic_from_mapping("p", {"terms": ["Pjöngjang"], "units": {"x": ["y"]}})
    assert gate_for([topic]).admits(latin)
    utf16 = page("<p>Pyongyang</p>").encode("utf-16")
    assert GATE.admits(utf16)


# Markup that hides a term in ways a browser and trafilatura still read as the word.
DISGUISES = [
    lambda term: term,
    lambda term: f"<b>{term}</b>",
    lambda term: f"<span>{term[0]}</span>{term[1:]}",
    lambda term: term.replace(" ", "&nbsp;"),
    lambda term: term[:2] + "&shy;" + term[2:],
    lambda term: term.upper(),
    lambda term: term + "s",
    lambda term: term + "’s",
]


def _article_page(term: str) -> bytes:
    sentences = (
        f"{term} has sent about 3,000 men to the Kursk region, officials in Kyiv said on Monday. "
        "The units were moved by rail over several weeks and are now close to the front line, they said. "
        "Officials said more could follow before the winter, and that talks on the matter continue. "
    )
    return page(f"<article><h1>Report</h1><p>{sentences}</p><p>{sentences}</p></article>").encode()


@pytest.mark.parametrize("term", BUNDLED.terms + BUNDLED.context_terms)
def test_whenever_detection_finds_something_the_gate_admits_the_page(term: str) -> None:
    """The contract the gate rests on, end to end: extraction, then detection, never beats the gate."""
    gate = gate_for([BUNDLED])
    logging.disable(logging.WARNING)
    try:
        for disguise in DISGUISES:
            content = _article_page(disguise(term))
            article = extract_article(content, url="https://wire.example/a")
            assert article is not None
            if detect(document_text(article.title, article.text), BUNDLED):
                assert gate.admits(content), (term, disguise(term))
            if not gate.admits(content):  # and a refused page has nothing for detection
                assert not detect(document_text(article.title, article.text), BUNDLED)
    finally:
        logging.disable(logging.NOTSET)


def test_fixture_pages_of_ours_are_admitted() -> None:
    gate = gate_for([BUNDLED])
    for path in sorted((FIXTURES / "gate").glob("*.html")):
        assert gate.admits(path.read_bytes()), path.name


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("floods", "Spain: the flood killed 200 people, officials said."),
        ("flood", "Spain: the floods killed 200 people, officials said."),
        ("ceasefire", "The Gaza Ceasefire Talks Resume As 40 Hostages Wait"),
        ("aid convoys", "An aid convoy of 30 trucks crossed on Monday."),
    ],
)
def test_admits_the_word_forms_and_title_case_detection_accepts(term: str, text: str) -> None:
    """A lowercase term matches its other number and any case, as detection matches it."""
    topic = topic_from_mapping("w", {"terms": [term], "units": {"people": ["people"]}})
    assert gate_for([topic]).admits(page(f"<p>{text}</p>").encode())
