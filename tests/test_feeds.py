"""Feeds: our own fixtures for each case, the real feeds in ../shared/eval/feeds, hostile XML."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.feeds import PARSE_ERROR, ParsedFeed, parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
FEED_URL = "https://rel.example/news/feeds/main.xml"


def parse_fixture(name: str, content_type: str | None = "application/rss+xml", **kwargs: int) -> ParsedFeed:
    """Parse one of our fixture files as if fetched from FEED_URL."""
    return parse_feed((FIXTURES / name).read_bytes(), url=FEED_URL, content_type=content_type, **kwargs)


def test_rss20_entries_are_normalised() -> None:
    feed = parse_fixture("rss20.xml")
    assert (feed.error, feed.bozo, feed.bozo_reason) == (None, False, None)
    assert feed.title == "Harbour Gazette: Top stories"
    assert feed.ttl_minutes == 30
    ferry, market, lighthouse = feed.entries
    assert ferry.guid == "gazette-ferry-1001"
    assert ferry.link == "https://gazette.example/news/ferry-resumes?id=42"
    assert ferry.published == datetime(2024, 10, 23, 0, 30, tzinfo=UTC)  # 09:30 +0900
    # content:encoded is richer than the description, and keeps its paragraphs
    assert (
        ferry.summary
        == "Boats are running again after a two-day halt.\nThe operator said 12 crossings were cancelled."
    )
    assert market.guid == market.link == "https://gazette.example/news/market-hall"
    assert market.summary == "The market hall closes in November for roof repairs."
    assert lighthouse.link == "https://gazette.example/news/lighthouse?a=1&b=2"
    assert lighthouse.published == datetime(2024, 10, 21, 12, 5, tzinfo=UTC)  # 07:05 -0500


def test_atom_resolves_xml_base_and_falls_back_to_updated() -> None:
    feed = parse_fixture("atom.xml", content_type="application/atom+xml")
    assert feed.error is None and feed.title == "Tide & Time"
    tides, dredging = feed.entries
    assert tides.title == "Spring tide tables published"
    assert tides.link == "https://atom.example/blog/posts/spring-tides"
    assert tides.published == datetime(2024, 5, 1, 6, 0, tzinfo=UTC)  # published, not updated
    assert (
        tides.summary
        == "The harbour office published the spring tide tables.\nHigh water peaks at 5.2 metres."
    )
    assert dredging.link == "https://atom.example/news/dredging"
    assert dredging.published == datetime(2024, 4, 28, 16, 45, tzinfo=UTC)  # only <updated>


def test_rdf_items_beside_the_channel() -> None:
    feed = parse_fixture("rdf.xml", content_type="application/rdf+xml")
    assert feed.error is None and feed.title == "Estuary Science Notes"
    assert [e.guid.rsplit("/", 1)[1] for e in feed.entries] == ["salinity", "eelgrass"]
    assert feed.entries[1].published == datetime(2024, 3, 9, 8, 30, tzinfo=UTC)
    assert feed.ttl_minutes == 30  # hourly, twice


def test_missing_and_invalid_dates_are_none() -> None:
    entries = {entry.title: entry for entry in parse_fixture("dates.xml").entries}
    for title in ("No date at all", "Not a date", "Impossible day", "From the future"):
        assert entries[title].published is None, title
    assert entries["Dublin Core only"].published == datetime(2024, 1, 2, 1, 4, 5, tzinfo=UTC)


def test_duplicate_and_missing_guids() -> None:
    feed = parse_fixture("guids.xml")
    assert [e.title for e in feed.entries] == ["First telling", "Link only", "Neither guid nor link"]
    first, link_only, bare = feed.entries
    assert first.guid == "story-1" and first.summary == "first"
    assert link_only.guid == link_only.link == "https://guids.example/link-only"
    assert bare.link == ""
    assert bare.guid.startswith("sha256:") and len(bare.guid) > len("sha256:")
    # the hash is of the text, so the same item keeps its key on the next poll
    assert parse_fixture("guids.xml").entries[2].guid == bare.guid


def test_relative_links_resolve_against_the_feed_url() -> None:
    links = {e.guid: e.link for e in parse_fixture("relative_links.xml").entries}
    assert links == {
        "r1": "https://rel.example/articles/one",
        "r2": "https://rel.example/news/two",
        "r3": "https://rel.example/news/feeds/three.html",
        "r4": "https://cdn.rel.example/four",
        "r5": "",  # javascript: is not a link to read
    }


def test_html_and_scripts_in_titles_become_plain_text() -> None:
    feed = parse_fixture("html_titles.xml")
    assert feed.title == "Loud Channel"
    assert [e.title for e in feed.entries] == [
        "Breaking: harbour closed",
        "Tides & currents explained",
        "Fish & chips – a history",
        "Padded title",
    ]


def test_empty_feed_is_fine() -> None:
    feed = parse_fixture("empty.xml")
    assert (feed.error, feed.entries, feed.bozo, feed.title) == (None, (), False, "Quiet Week")


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/xml", None])
def test_html_page_instead_of_feed_is_a_parse_error(content_type: str | None) -> None:
    feed = parse_fixture("html_page.html", content_type=content_type)
    assert feed.error == PARSE_ERROR and feed.entries == ()
    assert feed.bozo_reason


@pytest.mark.parametrize(
    "data",
    [b"", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), b"just some words", b'{"items": []}'],
    ids=["empty", "png", "text", "json"],
)
def test_garbage_is_a_parse_error(data: bytes) -> None:
    feed = parse_feed(data, url=FEED_URL, content_type="application/rss+xml")
    assert feed.error == PARSE_ERROR and feed.entries == ()


@pytest.mark.parametrize("content_type", ["text/xml", "application/rss+xml", None])
def test_declared_latin1_decodes_accents(content_type: str | None) -> None:
    feed = parse_fixture("latin1_declared.xml", content_type=content_type)
    assert feed.title == "Café du Port"
    assert feed.entries[0].title == "Été à la plage : naïveté et crème brûlée"
    assert feed.entries[0].summary == "Résumé à lire"
    assert not feed.bozo  # no charset in the Content-Type is normal, not malformed


def test_http_charset_decides_the_encoding() -> None:
    # No XML declaration: only the Content-Type header can say these bytes are Cyrillic.
    doc = '<rss version="2.0"><channel><title>Новости</title><item><title>Мир</title>'
    data = (doc + "<link>https://cyr.example/1</link></item></channel></rss>").encode("windows-1251")
    told = parse_feed(data, url=FEED_URL, content_type="application/rss+xml; charset=windows-1251")
    assert (told.title, told.entries[0].title) == ("Новости", "Мир")
    guessed = parse_feed(data, url=FEED_URL, content_type="application/rss+xml")
    assert guessed.title != "Новости" and guessed.bozo  # decoded by fallback, and flagged


def test_entries_are_capped() -> None:
    items = "".join(
        f"<item><title>Story {i}</title><link>https://cap.example/{i}</link></item>" for i in range(50)
    )
    data = f'<rss version="2.0"><channel><title>Many</title>{items}</channel></rss>'.encode()
    feed = parse_feed(data, url=FEED_URL, max_entries=10)
    assert [e.title for e in feed.entries] == [f"Story {i}" for i in range(10)]


def assert_refused(feed: ParsedFeed, started: float) -> None:
    assert feed.error == PARSE_ERROR and feed.entries == ()
    assert feed.bozo_reason is not None and "entity" in feed.bozo_reason.lower()
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("codec", ["utf-8", "utf-16", "utf-16-be", "utf-32"])
def test_billion_laughs_is_refused_in_any_encoding(codec: str) -> None:
    data = (FIXTURES / "billion_laughs.xml").read_text().encode(codec)
    started = time.perf_counter()
    assert_refused(parse_feed(data, url=FEED_URL), started)


def test_quadratic_blowup_is_refused() -> None:
    # feedparser itself keeps such "safe" entities and its fallback parser expands them in full.
    body = "&big;" * 20_000
    data = (
        f'<!DOCTYPE rss [<!ENTITY big "{"x" * 50_000}">]>'
        f'<rss version="2.0"><channel><title>q</title><item><title>{body}</title></item></channel></rss>'
    ).encode()
    started = time.perf_counter()
    assert_refused(parse_feed(data, url=FEED_URL), started)


def canary(tmp_path: Path) -> tuple[Path, str]:
    secret = f"CANARY-{time.time_ns()}"
    path = tmp_path / "secret.txt"
    path.write_text(secret)
    return path, secret


def test_external_entity_never_reads_the_file(tmp_path: Path) -> None:
    path, secret = canary(tmp_path)
    data = (FIXTURES / "external_entity.xml").read_text().replace("CANARY_URI", path.as_uri()).encode()
    started = time.perf_counter()
    feed = parse_feed(data, url=FEED_URL)
    assert_refused(feed, started)
    assert secret not in repr(feed)


def test_external_dtd_is_never_read(tmp_path: Path) -> None:
    path, secret = canary(tmp_path)
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY secret SYSTEM "{path.as_uri()}">')
    data = (FIXTURES / "external_dtd.xml").read_text().replace("DTD_URI", dtd.as_uri()).encode()
    feed = parse_feed(data, url=FEED_URL)
    assert secret not in repr(feed)
    assert [e.link for e in feed.entries] == ["https://dtd.example/1"]  # still readable, just unexpanded


def test_bytes_that_look_like_a_path_are_not_opened(tmp_path: Path) -> None:
    # feedparser.parse(bytes) would open a file of that name; we only ever hand it a stream.
    secret = f"CANARY-{time.time_ns()}"
    path = tmp_path / "feed.xml"
    path.write_text(f'<rss version="2.0"><channel><item><title>{secret}</title></item></channel></rss>')
    assert parse_feed(path.read_bytes(), url=FEED_URL).entries[0].title == secret  # a feed, if read
    feed = parse_feed(str(path).encode(), url=FEED_URL)
    assert feed.error == PARSE_ERROR and secret not in repr(feed)


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=300)
    | st.text(max_size=300).map(lambda t: f"<rss><channel>{t}</channel></rss>".encode())
)
def test_never_raises_and_keeps_its_promises(data: bytes) -> None:
    feed = parse_feed(data, url=FEED_URL)
    assert (feed.error is None) or (feed.error == PARSE_ERROR and not feed.entries)
    for entry in feed.entries:
        assert entry.guid
        assert entry.link == "" or entry.link.startswith(("http://", "https://"))
        assert entry.published is None or entry.published.tzinfo is UTC


@pytest.mark.parametrize("markup", ["&lt;![0", "&lt;![CDATA[x", "&lt;!x&lt;![if"])
def test_markup_python_cannot_parse_still_becomes_text(markup: str) -> None:
    """Python's HTMLParser asserts on some broken declarations; the entry keeps its other text."""
    data = f"<rss><channel><item><title>A {markup} b</title><link>/a</link></item></channel></rss>"
    [entry] = parse_feed(data.encode(), url=FEED_URL).entries
    assert entry.title.startswith("A")
    assert entry.link == "https://rel.example/a"


def test_problems_of_a_usable_feed_are_noted() -> None:
    items = "".join(
        f"<item><guid>g{n % 3}</guid><title>t{n}</title><pubDate>soon</pubDate></item>" for n in range(6)
    )
    feed = parse_feed(f"<rss><channel>{items}</channel></rss>".encode(), url=FEED_URL, max_entries=4)
    assert [n.partition(":")[0] for n in feed.notes] == ["too_many_entries", "duplicate_guid", "invalid_date"]
    empty = parse_feed(b"<rss version='2.0'><channel><title>x</title></channel></rss>", url=FEED_URL)
    assert (empty.error, empty.notes) == (None, ("empty_feed: the feed lists no entries",))


# --- the real feeds beside the project -------------------------------------------------------

# Entries we count in each (lecerclepsy has 10 <item>s, one of them empty) and the first title.
REAL_FEEDS = {
    "bbc_chinese.atom.xml": (2, "白宫提名艾伦为北约最高司令官"),
    "bbc_news_frontpage.rss.xml": (16, "Firm in data scandal 'made election boasts'"),
    "bbc_urdu.rss.xml": (26, None),
    "golem_de_iso-8859-1.rss.xml": (40, None),
    "heise_rdf_rss090.xml": (60, "OLED-TVs: Vorsichtsmaßnahmen gegen Einbrennen"),
    "japantimes_latest.rss.xml": (30, "Syphilis cases hit record high for third straight year in Japan"),
    "lecerclepsy_undeclared_latin1.rss.xml": (
        9,
        "Perturbateurs endocriniens : quels effets sur le cerveau ?",
    ),
    "malformed_rss_namespaced.xml": (2, "Test Entry 1"),
    "npr_news.rss.xml": (15, None),
    "nyt_top_stories.rss.xml": (25, "Can the Palestinian Authority Really Govern Gaza After the War?"),
}


@pytest.fixture(scope="module")
def real_feeds(shared_dir: Path) -> dict[str, ParsedFeed]:
    paths = sorted((shared_dir / "eval" / "feeds").glob("*.xml"))
    url = "https://feeds.example/feed.xml"
    return {path.name: parse_feed(path.read_bytes(), url=url, content_type="text/xml") for path in paths}


@pytest.mark.shared
def test_every_real_feed_parses_or_has_an_error_class(real_feeds: dict[str, ParsedFeed]) -> None:
    assert real_feeds.keys() >= REAL_FEEDS.keys()
    for name, feed in real_feeds.items():
        assert feed.entries or feed.error == PARSE_ERROR, name
        assert len({e.guid for e in feed.entries}) == len(feed.entries), name
        for entry in feed.entries:
            assert entry.guid and entry.title == entry.title.strip(), name
            assert entry.link.startswith(("http://", "https://")), name
    for name, (count, first_title) in REAL_FEEDS.items():
        assert len(real_feeds[name].entries) == count, name
        assert first_title is None or real_feeds[name].entries[0].title == first_title, name


@pytest.mark.shared
def test_real_latin1_feeds_decode_accents(real_feeds: dict[str, ParsedFeed]) -> None:
    golem = " ".join(e.title + " " + e.summary for e in real_feeds["golem_de_iso-8859-1.rss.xml"].entries)
    assert "wünschen" in golem and "\ufffd" not in golem and "Ã" not in golem
    assert not real_feeds["golem_de_iso-8859-1.rss.xml"].bozo
    psy = real_feeds["lecerclepsy_undeclared_latin1.rss.xml"]
    text = " ".join(e.title + " " + e.summary for e in psy.entries)
    assert "études" in text and "être" in text and "\ufffd" not in text
    assert psy.bozo and psy.bozo_reason is not None  # declared nothing, so UTF-8, yet Latin-1


@pytest.mark.shared
def test_real_quirks(real_feeds: dict[str, ParsedFeed]) -> None:
    bbc = real_feeds["bbc_news_frontpage.rss.xml"]
    assert all("at_medium" not in e.link for e in bbc.entries)
    assert all(e.link == e.guid for e in bbc.entries)  # once tracking is gone, link and guid agree
    assert bbc.ttl_minutes == 15
    assert real_feeds["japantimes_latest.rss.xml"].ttl_minutes == 60  # sy:updatePeriod hourly
    malformed = real_feeds["malformed_rss_namespaced.xml"]
    assert malformed.bozo and malformed.error is None  # broken, yet readable
    assert malformed.entries[1].published == datetime(2024, 1, 2, 12, 0, tzinfo=UTC)
    heise = real_feeds["heise_rdf_rss090.xml"]
    assert all(e.published is None for e in heise.entries)  # the feed has no dates at all
    assert all("wt_mc" not in e.link for e in heise.entries)  # tracking removed
    atom = real_feeds["bbc_chinese.atom.xml"]
    assert atom.entries[0].published == datetime(2013, 1, 23, 20, 40, 21, tzinfo=UTC)
    for name in ("npr_news.rss.xml", "nyt_top_stories.rss.xml", "bbc_urdu.rss.xml"):
        assert all(e.published is not None for e in real_feeds[name].entries), name
