"""A hostile newsroom: 20 good feeds and one bad feed of every kind, in one real `newswatch run`.

Every good article is read and its findings stored; every bad feed ends with its error class (on the feed
or on its articles, shown by `newswatch feeds`); the canary on 127.0.0.2, which every address trick
points at, hears nothing; the pass ends within two minutes and its process tree stays under 1 GB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from httpserver import LocalServer, Reply, bomb, redirect
from processes import watch_peak
from sqlalchemy import create_engine
from sqlmodel import Session, select
from test_crash import Webhook, pass_env, prefect_api, start_pass

from extractors.articles import extract_article
from extractors.detect import detect
from newswatch.jobs import document_text
from newswatch.newsroom.server import load_site
from newswatch.packing import unpack
from newswatch.watchfile import load_watch
from storage.models import Article, Entry, Feed, Finding, RawPage

pytestmark = pytest.mark.slow
__all__ = ["prefect_api"]
GOOD_FEEDS = 20
LIMITS = {  # small limits, so that every bad case hits one within seconds
    "NEWSWATCH_REQUEST_DEADLINE": "6",  # a byte a second still hits it; good feeds meet it on a busy machine
    "NEWSWATCH_READ_TIMEOUT": "4",
    "NEWSWATCH_CONNECT_TIMEOUT": "2",
    "NEWSWATCH_JOB_TIMEOUT": "8",  # good pages and feeds finish well inside it on a busy machine
    "NEWSWATCH_MAX_ENTRIES_PER_FEED": "100",
    "NEWSWATCH_MAX_PER_HOST": "8",  # one local server stands for sixty outlets
}
ENTITY_BOMB = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<rss version="2.0"><channel><title>&d;</title><item><title>&d;</title></item></channel></rss>"""
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "' + b"x" * 50_000 + b'">]><rss version="2.0">'
    b"<channel><title>q</title><item><title>" + b"&x;" * 20_000 + b"</title></item></channel></rss>"
)
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY leak SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>&leak;</title><link>/x</link></item></channel></rss>"""
PDF = b"%PDF-1.7\n" + b"0" * 5000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000
# It names the topic, so that the relevance gate lets it through to the extraction it hangs. Links in
# divs nested as deep as the parser goes (about 250) cost trafilatura time per element times depth: about
# 24 s for these 2.4 MB on an idle 2-core machine, three times the job timeout below. (A flat page of
# links took 3 s: an idle machine read it within the timeout, and the test failed when nothing else ran.)
SLOW_PAGE = (
    b"<html><body><p>North Korea said.</p>"
    + (b"<div><a href='/x'>l</a> w " * 250 + b"</div>" * 250) * 300
    + b"</body></html>"
)


def rss(items: list[str], *, title: str = "Feed", head: str = "", encoding: str = "utf-8") -> bytes:
    """An RSS 2.0 document around `items` (already XML)."""
    body = f'<rss version="2.0"><channel><title>{title}</title>{"".join(items)}</channel></rss>'
    return (head + body).encode(encoding)


def item(
    link: str, n: int, *, title: str | None = None, date: str | None = "auto", guid: str | None = "auto"
) -> str:
    """One <item>; dates step back an hour per n, so publication order is known."""
    when = format_datetime(datetime(2024, 11, 1, tzinfo=UTC) - timedelta(hours=n), usegmt=True)
    parts = [f"<title>{title or f'Item {n}'}</title>", f"<link>{link}</link>" if link else ""]
    ident = (link or str(n)) if guid == "auto" else guid
    permalink = "" if link else ' isPermaLink="false"'  # else feedparser takes the guid for the link
    parts.append("" if ident is None else f"<guid{permalink}>{ident}</guid>")
    parts.append("" if date is None else f"<pubDate>{when if date == 'auto' else date}</pubDate>")
    return "<item>" + "".join(parts) + "<description>A short summary.</description></item>"


@dataclass(frozen=True)
class Bad:
    """A bad feed: where it is served, what it serves, and how the pass must have ended for it."""

    kind: str
    expect_status: str  # the feed's last status
    note: str | None = None  # the error class on the feed's note (its own, or one of its articles')
    check: Callable[[Session, Feed], bool] | None = None  # anything more the kind promises


@pytest.fixture
def canary() -> Iterator[LocalServer]:
    with LocalServer("127.0.0.2") as running:
        yield running


@pytest.fixture
def newsroom() -> Iterator[LocalServer]:
    with LocalServer("127.0.0.1") as running:
        yield running


def serve(room: LocalServer, canary: LocalServer) -> tuple[list[str], dict[str, Bad], dict[str, str]]:
    """Route 20 good feeds and the bad ones; returns good feed URLs, bad ones by URL, good article URLs."""
    site = load_site(room.url("").rstrip("/"))
    pages = [page.body for path, page in sorted(site.items()) if path.endswith(".html")]
    good_feeds, good_articles = [], {}
    for n in range(GOOD_FEEDS):
        links = []
        for i in range(2):
            path = f"/good/{n}/{i}.html"
            room.route(
                path, Reply(body=pages[(2 * n + i) % len(pages)], headers={"Content-Type": "text/html"})
            )
            links.append(room.url(path))
            good_articles[room.url(path)] = f"good {n}"
        room.route(f"/good/{n}.xml", Reply(body=rss([item(u, k) for k, u in enumerate(links)])))
        good_feeds.append(room.url(f"/good/{n}.xml"))
    good = room.url("/good/0/0.html")
    cport = canary.port
    bad: dict[str, tuple[Reply, Bad]] = {
        "/bad/billion-laughs.xml": (Reply(body=ENTITY_BOMB), Bad("xml bomb", "parse_error")),
        "/bad/quadratic.xml": (Reply(body=QUADRATIC), Bad("quadratic blowup", "parse_error")),
        "/bad/external-entity.xml": (Reply(body=EXTERNAL), Bad("external entity", "parse_error")),
        "/bad/wrong-encoding.xml": (
            Reply(
                body=rss(
                    [item(good, 0, title="Caf\u00e9")],
                    head='<?xml version="1.0" encoding="utf-8"?>',
                    encoding="latin-1",
                )
            ),
            Bad(
                "wrong encoding",
                "ok",
                "CharacterEncodingOverride",
                lambda s, f: f.bozo and _titles(s, f) == ["Café"],
            ),
        ),
        "/bad/no-encoding.xml": (
            Reply(
                body=rss([item(good, 0, title="R\u00e9sum\u00e9")], encoding="cp1252"),
                headers={"Content-Type": "text/xml"},
            ),
            Bad(
                "missing encoding",
                "ok",
                "CharacterEncodingOverride",
                lambda s, f: _titles(s, f) == ["Résumé"],
            ),
        ),
        "/bad/dates.xml": (
            Reply(
                body=rss(
                    [item(good, 0, date="yesterday-ish"), item(room.url("/good/0/1.html"), 1, date=None)]
                )
            ),
            Bad(
                "invalid and missing dates",
                "ok",
                "invalid_date",
                lambda s, f: _published(s, f) == [None, None],
            ),
        ),
        "/bad/guids.xml": (
            Reply(
                body=rss(
                    [
                        item(good, 0, guid="same"),
                        item(room.url("/good/1/0.html"), 1, guid="same"),
                        item(room.url("/good/1/1.html"), 2, guid=None),
                    ]
                )
            ),
            Bad(
                "duplicate and missing guids",
                "ok",
                "duplicate_guid",
                # The first of two items sharing a guid is kept; a missing guid falls back to the link.
                lambda s, f: (
                    [e.link for e in _entries(s, f)] == [good, room.url("/good/1/1.html")]
                    and _guids(s, f)[1] == room.url("/good/1/1.html")
                ),
            ),
        ),
        "/bad/relative.xml": (
            Reply(body=rss([item("../good/2/0.html", 0)])),
            Bad("relative links", "ok", None, lambda s, f: _sources(s, f) == ["page"]),
        ),
        "/bad/markup-titles.xml": (
            Reply(
                body=rss(
                    [
                        item(
                            good,
                            0,
                            title="&lt;script&gt;alert(1)&lt;/script&gt;Breaking &lt;b&gt;news&lt;/b&gt;",
                        )
                    ]
                )
            ),
            Bad("html and scripts in titles", "ok", None, lambda s, f: _titles(s, f) == ["Breaking news"]),
        ),
        "/bad/empty.xml": (
            Reply(body=rss([])),
            Bad("empty feed", "ok", "empty_feed", lambda s, f: _titles(s, f) == []),
        ),
        "/bad/html-page.xml": (
            Reply(
                body=b"<!doctype html><html><body><p>Not a feed</p></body></html>",
                headers={"Content-Type": "text/html"},
            ),
            Bad("an html page", "html_page"),
        ),
        "/bad/many.xml": (
            Reply(body=rss([item("", k, title=f"Entry {k}") for k in range(2000)])),
            Bad("too many entries", "ok", "too_many_entries", lambda s, f: len(_titles(s, f)) == 100),
        ),
        "/bad/pdf.xml": (
            Reply(body=rss([item(room.url("/doc.pdf"), 0)])),
            Bad("pdf pages", "ok", "not_html"),
        ),
        "/bad/image.xml": (
            Reply(body=rss([item(room.url("/photo.png"), 0)])),
            Bad("image pages", "ok", "not_html"),
        ),
        "/bad/huge-page.xml": (
            Reply(body=rss([item(room.url("/huge.html"), 0)])),
            Bad("20 MB page", "ok", "too_large"),
        ),
        "/bad/big-page.xml": (
            Reply(body=rss([item(room.url("/big.html"), 0)])),
            Bad("page over the extraction cap", "ok", "too_large"),
        ),
        "/bad/slow-page.xml": (
            Reply(body=rss([item(room.url("/slow.html"), 0)])),
            Bad("page that hangs extraction", "ok", "extraction_timeout"),
        ),
        "/bad/drip-page.xml": (
            Reply(body=rss([item(room.url("/drip.html"), 0)])),
            Bad("page sent a byte a second", "ok", "timeout"),
        ),
        "/bad/404.xml": (Reply(status=404), Bad("404", "http_status")),
        "/bad/410.xml": (Reply(status=410), Bad("410", "http_status")),
        "/bad/500.xml": (Reply(status=500), Bad("500", "http_status")),
        "/bad/503.xml": (
            Reply(status=503, headers={"Retry-After": "3600"}),
            Bad("503 with Retry-After", "http_status", None, _waits_an_hour),
        ),
        "/bad/loop.xml": (redirect("/bad/loop2.xml"), Bad("redirect loop", "too_many_redirects")),
        "/bad/bomb.xml": (bomb(200_000_000), Bad("gzip bomb", "too_large")),
        "/bad/deflate-bomb.xml": (bomb(200_000_000, "deflate"), Bad("deflate bomb", "too_large")),
        "/bad/drip.xml": (Reply(body=rss([item(good, 0)]), drip=1.0), Bad("a byte a second", "timeout")),
        "/bad/to-canary.xml": (
            redirect(f"http://2130706434:{cport}/feed.xml"),
            Bad("redirect to the canary", "refused_address"),
        ),
        "/bad/canary-items.xml": (
            Reply(
                body=rss(
                    [
                        item(canary.url("/a"), 0),
                        item(room.url("/go-canary"), 1),
                        item(f"http://0x7f000002:{cport}/b", 2),
                    ]
                )
            ),
            Bad(
                "items pointing inside",
                "ok",
                "refused_address",
                lambda s, f: set(_reasons(s, f)) == {"refused_address"},
            ),
        ),
    }
    room.route("/bad/loop2.xml", redirect("/bad/loop.xml"))
    room.route("/doc.pdf", Reply(body=PDF, headers={"Content-Type": "application/pdf"}))
    room.route("/photo.png", Reply(body=PNG, headers={"Content-Type": "text/html"}))  # a lying type
    room.route(
        "/huge.html", Reply(body=b"<html><body>" + b"<p>filler text</p>" * 1_200_000, content_length=-1)
    )
    room.route("/big.html", Reply(body=b"<html><body>" + b"<p>filler text</p>" * 200_000))
    room.route("/slow.html", Reply(body=SLOW_PAGE, headers={"Content-Type": "text/html"}))
    room.route("/drip.html", Reply(body=pages[0], drip=1.0, drip_size=10))
    room.route("/go-canary", redirect(canary.url("/c")))
    canary.route("/feed.xml", Reply(body=rss([item(good, 0)])))
    bad_feeds: dict[str, Bad] = {}
    for path, (reply, expect) in bad.items():
        room.route(path, reply)
        bad_feeds[room.url(path)] = expect
    bad_feeds[canary.url("/feed.xml")] = Bad("feed on the canary", "refused_address")
    return good_feeds, bad_feeds, good_articles


def _entries(s: Session, feed: Feed) -> list[Entry]:
    return list(s.exec(select(Entry).where(Entry.feed_id == feed.id).order_by(Entry.id)).all())


def _titles(s: Session, feed: Feed) -> list[str]:
    return [e.title for e in _entries(s, feed)]


def _published(s: Session, feed: Feed) -> list[datetime | None]:
    return [e.published for e in _entries(s, feed)]


def _guids(s: Session, feed: Feed) -> list[str]:
    return [e.guid for e in _entries(s, feed)]


def _articles(s: Session, feed: Feed) -> list[Article]:
    return [s.get_one(Article, e.article_id) for e in _entries(s, feed) if e.article_id]


def _sources(s: Session, feed: Feed) -> list[str]:
    return [a.source for a in _articles(s, feed)]


def _reasons(s: Session, feed: Feed) -> list[str]:
    return [(a.fallback_reason or "").partition(":")[0] for a in _articles(s, feed)]


def _waits_an_hour(s: Session, feed: Feed) -> bool:
    due = feed.next_poll_at
    return due is not None and due - (feed.last_polled_at or due) >= timedelta(minutes=59)


def test_a_hostile_newsroom_changes_nothing(
    tmp_path: Path, prefect_api: str, newsroom: LocalServer, canary: LocalServer
) -> None:
    good_feeds, bad_feeds, good_articles = serve(newsroom, canary)
    db_url = f"sqlite:///{tmp_path / 'hostile.db'}"
    hook = Webhook()
    log = tmp_path / "pass.log"
    try:
        started = time.monotonic()
        proc = start_pass([*good_feeds, *bad_feeds], pass_env(db_url, prefect_api, hook, **LIMITS), log)
        peak = watch_peak(proc)
        code = proc.wait(timeout=180)
        elapsed = time.monotonic() - started
    finally:
        hook.stop()
    assert code == 0, log.read_text(errors="replace")[-3000:]
    print(f"hostile pass: {elapsed:.1f} s, peak RSS {peak() / 1e6:.0f} MB")
    assert elapsed < 120
    assert peak() < 1_000_000_000
    assert canary.requests == [], "the canary on 127.0.0.2 was reached"

    topic = load_watch(Path(__file__).resolve().parents[1] / "newswatch" / "watch.yaml").topics[0]
    engine = create_engine(db_url)
    with Session(engine) as s:
        articles = {a.url: a for a in s.exec(select(Article)).all()}
        kept = {k.url: k for k in s.exec(select(RawPage)).all()}
        for url in good_articles:
            if url in kept:  # the relevance gate kept it unread: it must have nothing for detection
                page = extract_article(unpack(kept[url].content, limit=10_000_000), url=url)
                assert page is not None and not detect(document_text(page.title, page.text), topic), url
                continue
            article = articles[url]
            assert (article.source, article.fallback_reason) == ("page", None), url
            found = s.exec(select(Finding).where(Finding.article_id == article.id)).all()
            expected = detect(document_text(article.title, article.text), topic)
            assert bool(found) == bool(expected), url
            assert all(f.sentence in document_text(article.title, article.text) for f in found)
        feeds = {f.url: f for f in s.exec(select(Feed)).all()}
        for url in good_feeds:
            assert (feeds[url].last_status, feeds[url].last_error) == ("ok", None)
        for url, bad in bad_feeds.items():
            feed = feeds[url]
            assert feed.last_status == bad.expect_status, (bad.kind, feed.last_status, feed.last_error)
            if bad.note:
                assert (feed.last_error or "").startswith(bad.note) or bad.note in (feed.last_error or ""), (
                    bad.kind,
                    feed.last_error,
                )
            if bad.check:
                assert bad.check(s, feed), bad.kind
        assert all("root:" not in a.text for a in articles.values())  # no entity read a local file
        for feed in feeds.values():
            done = [e.processed_at is not None for e in _entries(s, feed)]
            # 50 articles per feed and pass (the default): the long feed's rest waits for later passes.
            assert sum(done) == min(len(done), 50), feed.url
    engine.dispose()

    table = subprocess.run(
        [sys.executable, "-m", "newswatch", "feeds", "--db", db_url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NO_COLOR": "1"},
    ).stdout
    for url, bad in bad_feeds.items():
        line = next(row for row in table.splitlines() if url in row)
        assert (bad.note or bad.expect_status) in line, (bad.kind, line)
