"""Errors that say what to do next: every failure class a feed or an article ends in carries a hint, and
`newswatch feeds` and the run summary show it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpserver import LocalServer, Reply, redirect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from extractors.discovery import feed_links, is_html_page
from flows.report import RunSummary
from newswatch.cli import app
from newswatch.cli.running import print_summary
from newswatch.discovery import HTML_PAGE
from newswatch.fetcher import Fetcher
from newswatch.hints import HINTS, hint_for
from newswatch.pipeline import ReadResult
from newswatch.polling import PollResult, poll_feeds
from newswatch.settings import Settings
from storage.db import session_scope
from storage.feeds import ensure_feeds
from storage.models import Entry, Feed

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
    b"<item><guid>a1</guid><title>North Korean troops</title><link>https://news.example/a1</link></item>"
    b"</channel></rss>"
)
PAGE = (
    b"<!DOCTYPE html><html><head><title>Desk</title>"
    b'<link rel="stylesheet" href="/s.css">'
    b'<link rel="alternate" type="application/rss+xml" title="RSS" href="/feeds/world.xml">'
    b"</head><body><p>News</p></body></html>"
)


def settings(**overrides: object) -> Settings:
    """Small limits, so that each one is reached at once."""
    values: dict[str, object] = {
        "allowed_networks": "127.0.0.1/32",
        "read_timeout": 0.3,
        "request_deadline": 2.0,
        "max_response_bytes": 10_000,
        "max_redirects": 2,
        "database_url": "sqlite://",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type,call-arg]


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer("127.0.0.1") as running:
        running.route("/feeds/world.xml", Reply(body=RSS, headers={"Content-Type": "application/rss+xml"}))
        running.route("/world", Reply(body=PAGE, headers={"Content-Type": "text/html"}))
        running.route("/about", Reply(body=b"<!doctype html><html><body>About</body></html>"))
        running.route("/gone", Reply(status=404))
        running.route("/down", Reply(status=503, headers={"Retry-After": "120"}))
        running.route(
            "/text", Reply(body=b"just some words, no feed", headers={"Content-Type": "text/plain"})
        )
        running.route("/loop", redirect("/loop2"))
        running.route("/loop2", redirect("/loop"))
        running.route("/big", Reply(body=b"<rss>" + b"x" * 20_000))
        running.route("/slow", Reply(body=RSS, delay=1.0))
        yield running


def poll(engine: Engine, urls: list[str], config: Settings, *, discover: bool = False) -> list[PollResult]:
    """One poll of `urls`, recorded in the database as a pass records it."""
    with session_scope(engine) as session:
        ids = list(ensure_feeds(session, urls=urls).values())
    with Fetcher(config) as fetcher:
        return poll_feeds(fetcher, engine, feed_ids=ids, settings=config, retry_delays=(), discover=discover)


def test_each_feed_failure_is_listed_with_its_next_step(
    server: LocalServer, sqlite_engine: Engine, tmp_path: Path
) -> None:
    paths = ["/world", "/about", "/gone", "/down", "/text", "/loop", "/big", "/slow"]
    polls = {
        p.url.removeprefix(server.url("")): p
        for p in poll(sqlite_engine, [server.url(p) for p in paths], settings())
    }
    assert {path: polls[path].status for path in paths} == {
        "/world": "html_page",
        "/about": "html_page",
        "/gone": "http_status",
        "/down": "http_status",
        "/text": "parse_error",
        "/loop": "too_many_redirects",
        "/big": "too_large",
        "/slow": "timeout",
    }
    feed = server.url("/feeds/world.xml")
    assert polls["/world"].error == f"this is an HTML page; its feed is at {feed}"
    db = str(sqlite_engine.url)
    listing = runner.invoke(app, ["feeds", "--db", db], env={"COLUMNS": "400"})
    assert listing.exit_code == 0, listing.output
    lines = {
        line.split(": next step: ")[0]: line.split(": next step: ")[1]
        for line in listing.stdout.splitlines()
        if ": next step: " in line
    }
    assert lines[server.url("/world")] == (
        f"put `- url: {feed}` in the watch file's feeds instead, or run with `--feed {feed}`; "
        "`--discover` follows it for you"
    )
    assert "links to no RSS or Atom feed" in polls["/about"].error
    assert "find the site's RSS or Atom URL" in lines[server.url("/about")]
    assert lines[server.url("/gone")].startswith("the URL is gone: check it in a browser")
    assert lines[server.url("/down")].startswith("the server is failing on its side")
    assert lines[server.url("/text")].startswith("the answer is not an RSS or Atom feed")
    assert "NEWSWATCH_MAX_REDIRECTS" in lines[server.url("/loop")]
    assert "NEWSWATCH_MAX_RESPONSE_BYTES" in lines[server.url("/big")]
    assert "NEWSWATCH_READ_TIMEOUT" in lines[server.url("/slow")]


def test_discover_reads_the_feed_the_page_links_to(server: LocalServer, sqlite_engine: Engine) -> None:
    (result,) = poll(sqlite_engine, [server.url("/world")], settings(), discover=True)
    assert result.status == "ok"
    assert result.error == f"read the feed this HTML page links to: {server.url('/feeds/world.xml')}"
    assert server.paths() == ["/world", "/feeds/world.xml"]
    with Session(sqlite_engine) as session:
        assert [e.title for e in session.exec(select(Entry)).all()] == ["North Korean troops"]
        assert session.exec(select(Feed.url)).all() == [server.url("/world")]  # the watch file's URL stays


def test_a_page_pointing_at_a_refused_address_offers_no_feed(
    server: LocalServer, sqlite_engine: Engine
) -> None:
    server.route(
        "/inside",
        Reply(
            body=b'<html><head><link rel="alternate" type="application/atom+xml" href="http://10.0.0.1/f">'
        ),
    )
    (result,) = poll(sqlite_engine, [server.url("/inside")], settings(), discover=True)
    assert result.status == "html_page"
    assert "links to no RSS or Atom feed" in (result.error or "")
    assert server.paths() == ["/inside"]


def test_a_refused_loopback_feed_names_the_setting_that_lets_it_through(
    server: LocalServer, sqlite_engine: Engine
) -> None:
    (result,) = poll(sqlite_engine, [server.url("/feeds/world.xml")], settings(allowed_networks=""))
    assert result.status == "refused_address"
    assert hint_for(result.status, result.error) == (
        "set NEWSWATCH_ALLOWED_NETWORKS=127.0.0.1/32 if this feed is on your own network"
    )
    listed = runner.invoke(app, ["feeds", "--db", str(sqlite_engine.url)], env={"COLUMNS": "400"})
    assert "next step: set NEWSWATCH_ALLOWED_NETWORKS=127.0.0.1/32" in listed.stdout


def test_refusals_on_one_port_and_other_addresses() -> None:
    assert hint_for("refused_address", "private address 10.1.2.3 on port 8080") == (
        "set NEWSWATCH_ALLOWED_NETWORKS=10.1.2.3/32 (or 10.1.2.3:8080 for that port only) "
        "if this feed is on your own network"
    )
    assert "fd00::1/128" in hint_for("refused_address", "host a.example resolves to private address fd00::1")
    assert hint_for("refused_address", "URL carries user info before the host (user@host)").startswith(
        "write the URL plainly"
    )


@pytest.mark.parametrize(
    ("detail", "start"),
    [
        ("the server answered HTTP 410 Gone", "the URL is gone"),
        ("the server answered HTTP 403 Forbidden", "the server refuses us"),
        ("the server answered HTTP 429 Too Many Requests", "the server asks us to slow down"),
        ("the server answered HTTP 418 I'm a teapot", "check the URL in a browser"),
    ],
)
def test_http_statuses_get_the_step_for_their_code(detail: str, start: str) -> None:
    assert hint_for("http_status", detail).startswith(start)


def test_the_run_summary_prints_the_next_step_under_each_failed_feed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = RunSummary.start(topics=["t"])
    summary.add_poll(
        PollResult(1, "http://127.0.0.1:9/feed", "refused_address", "loopback address 127.0.0.1", 0, ())
    )
    summary.add_poll(
        PollResult(2, "https://a.example/f", "http_status", "the server answered HTTP 404 Not Found", 0, ())
    )
    print_summary(summary)
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "  failed: http://127.0.0.1:9/feed  [refused_address] loopback address 127.0.0.1"
    assert (
        out[2]
        == "    next step: set NEWSWATCH_ALLOWED_NETWORKS=127.0.0.1/32 if this feed is on your own network"
    )
    assert out[4].startswith("    next step: the URL is gone")


def test_every_error_class_the_code_writes_has_a_hint() -> None:
    sources = "".join(
        (ROOT / path).read_text(encoding="utf-8")
        for path in (
            "newswatch/fetcher.py",
            "newswatch/guard.py",
            "newswatch/pipeline.py",
            "newswatch/polling.py",
            "extractors/articles.py",
        )
    )
    written = set(re.findall(r'(?:_FailureError|UrlRefusal)\(\s*"([a-z_]+)"', sources))
    # An article's fallback reason starts "<class>: ", a feed's parse failure is chosen by a conditional.
    written |= set(re.findall(r'"([a-z_]+): [^"]*', sources))
    written |= set(re.findall(r'else "([a-z_]+)"', sources)) | {HTML_PAGE}
    assert {"timeout", "refused_address", "parse_error", "not_html", "extraction_timeout"} <= written
    assert sorted(written - set(HINTS)) == []
    assert all(hint_for(name, "") for name in HINTS)


def test_feed_links_resolve_relative_hrefs_and_keep_only_http() -> None:
    page = (
        b'<html><head><base href="https://site.example/news/">'
        b'<link rel="alternate" type="application/atom+xml" href="atom.xml">'
        b'<link rel="Alternate Home" type="application/rss+xml; charset=utf-8" href="//cdn.example/rss">'
        b'<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        b'<link rel="alternate" type="text/html" href="/fr/">'
        b'<link rel="alternate" type="application/rss+xml" href="atom.xml">'
    )
    assert feed_links(page, url="https://site.example/") == (
        "https://site.example/news/atom.xml",
        "https://cdn.example/rss",
    )
    assert is_html_page(b"\xef\xbb\xbf\n<!DOCTYPE html><html>")
    assert not is_html_page(b'<?xml version="1.0"?><rss version="2.0"><description>&lt;html&gt;')
    assert not is_html_page(b"just text")


def test_a_pass_reports_the_page_or_follows_its_feed_with_discover(
    prefect_harness: None, server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.monitor import monitor
    from flows.outcome import PassFailedError

    article = b"<html><body><article><p>North Korea sent 3,000 troops to Russia, Seoul said.</p></article>"
    server.route("/a1", Reply(body=article, headers={"Content-Type": "text/html"}))
    server.route(
        "/local.xml", Reply(body=RSS.replace(b"https://news.example/a1", server.url("/a1").encode()))
    )
    server.route("/site", Reply(body=PAGE.replace(b"/feeds/world.xml", b"/local.xml")))
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'pass.db'}")
    monkeypatch.setenv("NEWSWATCH_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("NEWSWATCH_APPRISE_URLS", "")
    page = server.url("/site")
    state = monitor(feeds=[page], return_state=True)
    assert state.is_failed()  # its only feed failed
    error = state.result(raise_on_failure=False)
    assert isinstance(error, PassFailedError)
    plain = error.summary
    assert plain.failures == [
        (page, "html_page", f"this is an HTML page; its feed is at {server.url('/local.xml')}")
    ]
    followed = monitor(feeds=[page], discover=True)
    assert (followed.failures, followed.feeds["ok"], followed.entries_new) == ([], 1, 1)
    assert "/a1" in server.paths()


def test_the_summary_artifact_lists_the_next_step_of_each_failed_feed() -> None:
    summary = RunSummary.start(topics=["t"])
    summary.add_poll(
        PollResult(1, "http://127.0.0.1:9/feed", "refused_address", "loopback address 127.0.0.1", 0, ())
    )
    summary.add_poll(PollResult(2, "https://a.example/f", "ok", None, 0, ()))
    steps = summary.markdown().partition("Next steps:\n\n")[2].split("\n\n")[0].splitlines()
    assert steps == [
        r"- `http://127.0.0.1:9/feed`: set NEWSWATCH\_ALLOWED\_NETWORKS\=127\.0\.0\.1/32 if this feed is on "
        "your own network"
    ]


def test_a_followed_feed_that_fails_names_its_own_url(server: LocalServer, sqlite_engine: Engine) -> None:
    server.route(
        "/moved",
        Reply(body=PAGE.replace(b"/feeds/world.xml", b"/gone"), headers={"Content-Type": "text/html"}),
    )
    (result,) = poll(sqlite_engine, [server.url("/moved")], settings(), discover=True)
    assert (result.status, result.error) == (
        "http_status",
        f"the feed this HTML page links to, {server.url('/gone')}: the server answered HTTP 404 Not Found",
    )
    assert hint_for(result.status, result.error).startswith("the URL is gone")


def test_the_run_summary_counts_unread_pages_by_class_with_the_step(
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = RunSummary.start(topics=["t"])
    summary.add_reads(
        [
            ReadResult(1, 1, True, "feed", "extraction_timeout: extracting the page took over 20 s", (), 0),
            ReadResult(2, 2, True, "feed", "extraction_timeout: extracting the page took over 20 s", (), 0),
            ReadResult(3, 3, True, "feed", "not_html: the page is a PDF document", (), 0),
            ReadResult(4, 4, True, "page", None, (), 0),
        ]
    )
    print_summary(summary)
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [
        "  2 articles read from the feed's summary [extraction_timeout]: the page took too long to read: "
        "nothing to do, unless every page of a site does (then raise NEWSWATCH_JOB_TIMEOUT)",
        "  1 article read from the feed's summary [not_html]: the link is not a web page (a PDF, an image...): "
        "nothing to do",
    ]
