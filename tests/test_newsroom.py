"""The demo newsroom: a real local server, its feeds, its pages, and that its content is our own."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import httpx
import pytest
import trafilatura
import yaml

from newswatch.newsroom import Newsroom
from newswatch.settings import BUNDLED_WATCH_FILE

SITE = Path(__file__).resolve().parents[1] / "newswatch" / "newsroom" / "site"
FEED_TYPES = {".rss": ("application/rss+xml", "rss20"), ".atom": ("application/atom+xml", "atom10")}


class PageParts(HTMLParser):
    """Splits an article page into its body paragraphs, nav labels, footer text and meta tags."""

    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self.nav: list[str] = []
        self.footer: list[str] = []
        self.meta: dict[str, str] = {}
        self._stack: list[str] = []
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            named = dict(attrs)
            key = named.get("property") or named.get("name")
            if key and named.get("content"):
                self.meta[key] = named["content"] or ""
            return
        self._stack.append(tag)
        if tag in {"p", "a"}:
            self._text = ""

    def handle_endtag(self, tag: str) -> None:
        if self._stack and self._stack[-1] == tag:
            text = " ".join(self._text.split())
            if tag == "p" and "article" in self._stack and "header" not in self._stack[-3:]:
                self.paragraphs.append(text)
            elif tag == "a" and "nav" in self._stack:
                self.nav.append(text)
            elif tag == "p" and "footer" in self._stack:
                self.footer.append(text)
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        self._text += data


def parts(html: str) -> PageParts:
    """Parse one page."""
    parser = PageParts()
    parser.feed(html)
    return parser


def topic_pattern() -> re.Pattern[str]:
    """The bundled topic's terms as whole words; capitalised terms are names and keep their case."""
    watch = yaml.safe_load(BUNDLED_WATCH_FILE.read_text(encoding="utf-8"))
    terms = [term for topic in watch["topics"].values() for term in topic["terms"]]
    alternatives = [f"(?i:{re.escape(t)})" if t == t.lower() else re.escape(t) for t in terms]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


@pytest.fixture(scope="module")
def newsroom() -> Iterator[Newsroom]:
    with Newsroom() as room:
        yield room


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


@pytest.fixture(scope="module")
def feeds(newsroom: Newsroom, client: httpx.Client) -> dict[str, httpx.Response]:
    return {url: client.get(url) for url in newsroom.feed_urls}


def test_starts_on_a_free_local_port_and_stops(client: httpx.Client) -> None:
    with Newsroom() as first, Newsroom() as second:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", first.base_url)
        assert first.base_url != second.base_url
        url = first.feed_urls[0]
        assert client.get(url).status_code == 200
    with pytest.raises(httpx.TransportError):
        client.get(url)


def test_feeds_are_served_with_the_placeholder_filled_in(
    newsroom: Newsroom, feeds: dict[str, httpx.Response]
) -> None:
    assert len(feeds) == len(list((SITE / "feeds").iterdir())) >= 3
    for url, response in feeds.items():
        content_type, _ = FEED_TYPES[url[url.rfind(".") :]]
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith(content_type)
        assert "{base}" not in response.text
        assert newsroom.base_url + "/" in response.text


def test_feeds_parse_cleanly_and_list_every_article_once(feeds: dict[str, httpx.Response]) -> None:
    listed: list[str] = []
    for url, response in feeds.items():
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        assert parsed.version == FEED_TYPES[url[url.rfind(".") :]][1]
        outlet = parsed.entries[0].link.split("/")[3]
        assert len(parsed.entries) == len(list((SITE / outlet).rglob("*.html"))), url
        for entry in parsed.entries:
            assert entry.id and entry.title and entry.summary and entry.published_parsed, entry
            # One or two sentences (a capital before the full stop is an abbreviation: "U.S.").
            assert len(re.findall(r"(?<![A-Z])[.!?](?:\s|$)", entry.summary)) in {1, 2}, entry.summary
            listed.append(httpx.URL(entry.link).path)
    pages = sorted("/" + p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html"))
    assert sorted(listed) == pages


def test_every_feed_link_answers_with_an_html_page(
    feeds: dict[str, httpx.Response], client: httpx.Client
) -> None:
    links = [e.link for r in feeds.values() for e in feedparser.parse(r.content).entries]
    assert any("utm_source=" in link for link in links)  # tracking parameters for canonicalisation
    for link in links:
        page = client.get(link)
        assert page.status_code == 200, link
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.text.startswith("<!DOCTYPE html>")


def test_conditional_get_answers_304_only_when_the_validator_matches(
    newsroom: Newsroom, client: httpx.Client
) -> None:
    for url in [*newsroom.feed_urls, newsroom.article_urls[0]]:
        first = client.get(url)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert etag.startswith('"') and not etag.startswith("W/")
        same = client.get(url, headers={"If-None-Match": etag})
        assert (same.status_code, same.content, same.headers["etag"]) == (304, b"", etag)
        assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2020), usegmt=True)
        assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
        # If-None-Match decides when both are sent, even if the date alone would match.
        both = {"If-None-Match": '"stale"', "If-Modified-Since": modified}
        assert client.get(url, headers=both).status_code == 200


def test_last_modified_is_the_files_own_date_and_stable_across_servers(client: httpx.Client) -> None:
    with Newsroom() as one, Newsroom() as two:
        for url_one, url_two in zip(one.article_urls, two.article_urls, strict=True):
            a, b = client.get(url_one), client.get(url_two)
            published = datetime.fromisoformat(parts(a.text).meta["article:published_time"])
            assert parsedate_to_datetime(a.headers["last-modified"]) == published
            assert a.headers["last-modified"] == b.headers["last-modified"]
        newest = max(parsedate_to_datetime(client.get(u).headers["last-modified"]) for u in one.article_urls)
        feed_dates = [parsedate_to_datetime(client.get(u).headers["last-modified"]) for u in one.feed_urls]
        assert max(feed_dates) == newest


@pytest.mark.parametrize(
    "path",
    ["/", "/feeds/", "/README.md", "/../server.py", "/feeds/hanriver.rss/x", "/hanriver/section/home"],
)
def test_unknown_paths_are_404(newsroom: Newsroom, client: httpx.Client, path: str) -> None:
    assert client.get(newsroom.base_url + path).status_code == 404


def test_requests_are_logged_not_printed(capfd: pytest.CaptureFixture[str], client: httpx.Client) -> None:
    with Newsroom() as room:
        client.get(room.feed_urls[0])
        client.head(room.article_urls[0])
        client.get(room.base_url + "/missing")
        log = room.requests
    assert log == [
        ("GET", httpx.URL(room.feed_urls[0]).path, 200),
        ("HEAD", httpx.URL(room.article_urls[0]).path, 200),
        ("GET", "/missing", 404),
    ]
    assert capfd.readouterr() == ("", "")


def test_latency_delays_each_answer(client: httpx.Client) -> None:
    with Newsroom(latency=0.2) as room:
        started = time.monotonic()
        client.get(room.feed_urls[0])
        assert time.monotonic() - started >= 0.2


def test_trafilatura_extracts_the_body_and_metadata_not_the_chrome(
    newsroom: Newsroom, client: httpx.Client
) -> None:
    for url in newsroom.article_urls:
        html = client.get(url).text
        page = parts(html)
        assert 4 <= len(page.paragraphs) <= 8, url
        assert 1800 <= len(" ".join(page.paragraphs)) <= 5000, url
        extracted = trafilatura.extract(html, url=url, output_format="json", with_metadata=True)
        assert extracted is not None, url
        document = json.loads(extracted)
        text = document["text"]
        for paragraph in page.paragraphs:
            assert paragraph in text, (url, paragraph)
        # The section kicker above the headline is part of the article; the menu is not.
        menu = set(page.nav) - {page.meta["article:section"]}
        assert not set(text.splitlines()) & menu, url
        for footer in page.footer:
            assert footer not in text, url
        assert "More from" not in text
        assert document["title"] == page.meta["og:title"]
        assert document["source-hostname"] == page.meta["og:site_name"]
        assert document["author"] == page.meta["author"]
        assert document["date"] == page.meta["article:published_time"][:10]


def test_off_topic_articles_never_name_the_topic_and_each_feed_has_both_kinds(
    newsroom: Newsroom, client: httpx.Client
) -> None:
    topic = topic_pattern()
    kinds: dict[str, set[bool]] = {}
    for url in newsroom.article_urls:
        html = client.get(url).text
        body = " ".join(parts(html).paragraphs)
        on_topic = topic.search(body) is not None
        if not on_topic:
            assert topic.search(html) is None, f"{url} names the topic outside its body"
            assert re.search(r"\d", body), f"{url} should carry numbers for the detector to ignore"
        kinds.setdefault(httpx.URL(url).path.split("/")[1], set()).add(on_topic)
    assert kinds and all(k == {True, False} for k in kinds.values()), kinds


def _words(text: str) -> list[str]:
    text = text.translate(str.maketrans("‘’“”—–", "''\"\"--"))
    return re.findall(r"[a-z0-9]+(?:[',.][a-z0-9]+)*", text.lower())


@pytest.mark.shared
def test_content_is_our_own_not_copied_from_the_shared_texts(shared_dir: Path) -> None:
    shared = [shared_dir.joinpath("examples", "ap-2024-10-nk-troops-russia.txt").read_text(encoding="utf-8")]
    with shared_dir.joinpath("eval", "dev", "sentences.jsonl").open(encoding="utf-8") as lines:
        shared += [json.loads(line)["text"] for line in lines if line.strip()]
    # Seven words in a row in common is a copied phrase, not a shared fact or name.
    size = 7
    theirs = {tuple(w[i : i + size]) for t in shared for w in [_words(t)] for i in range(len(w) - size + 1)}
    ours = [p.read_text(encoding="utf-8") for p in SITE.rglob("*") if p.is_file()]
    assert len(ours) > 10 and len(theirs) > 1000
    for text in ours:
        words = _words(re.sub(r"<[^>]+>", " ", text))
        copied = [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]
        assert not [c for c in copied if tuple(c.split()) in theirs]
    flat = " ".join(" ".join(_words(t)) for t in ours)
    assert not [s for s in shared if len(_words(s)) >= 4 and " ".join(_words(s)) in flat]
