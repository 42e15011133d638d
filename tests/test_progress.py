"""Progress while a pass reads its articles: plain lines when piped, with read and stored counts that move."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpserver import LocalServer, Reply, Request
from rich.console import Console

from newswatch.cli.running import show_progress
from newswatch.progress import Progress, due

ARTICLES = 24
HELD = ARTICLES // 2  # articles whose pages answer only once a line has shown reading under way
LINE = re.compile(r"(\d+)/(\d+) feeds polled \| articles: (\d+)/(\d+) read, (\d+)/(\d+) stored")


def _feed(server: LocalServer) -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>{server.url(f'/a/{i}.html')}</link>"
        f"<guid>story-{i}</guid><pubDate>Mon, 21 Oct 2024 {i % 24:02d}:00:00 GMT</pubDate></item>"
        for i in range(ARTICLES)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()


@pytest.fixture
def slow_newsroom() -> Iterator[tuple[LocalServer, threading.Event]]:
    """A feed of ARTICLES stories; the pages of the second half wait for `release` (at most a minute)."""
    release = threading.Event()

    def page(request: Request) -> Reply:
        number = int(request.path.removeprefix("/a/").removesuffix(".html"))
        if number >= HELD:
            release.wait(60)
        body = f"<html><body><article><h1>Story {number}</h1>" + "<p>A quiet day in the port town.</p>" * 20
        return Reply(body=(body + "</article></body></html>").encode(), headers={"Content-Type": "text/html"})

    with LocalServer() as server:
        server.route("/feed.xml", Reply(body=_feed(server), headers={"Content-Type": "application/rss+xml"}))
        for i in range(ARTICLES):
            server.route(f"/a/{i}.html", page)
        yield server, release


@pytest.mark.slow
def test_piped_progress_shows_reading_move_in_plain_lines(
    prefect_harness: None,
    slow_newsroom: tuple[LocalServer, threading.Event],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from flows.monitor import monitor

    server, release = slow_newsroom
    db_url = f"sqlite:///{tmp_path / 'progress.db'}"
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("NEWSWATCH_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("NEWSWATCH_APPRISE_URLS", "")
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=200)  # stderr piped into a file

    def release_when_reading_shows() -> None:
        # Half the pages wait until a plain line has shown some, not all, articles read.
        done = threading.Event()
        while not done.wait(0.05):
            if any(0 < int(m[3]) < ARTICLES for m in LINE.finditer(out.getvalue())):
                release.set()
                return
            if release.wait(0):
                return

    watcher = threading.Thread(target=release_when_reading_shows, daemon=True)
    watcher.start()
    feed = server.url("/feed.xml")
    try:
        with show_progress(console, feed_urls=[feed], database_url=db_url, every=0.0):
            summary = monitor(feeds=[feed])
    finally:
        release.set()  # never leave the server's threads waiting
        watcher.join(5)
    text = out.getvalue()
    lines = [m.groups() for m in LINE.finditer(text)]
    assert summary.articles_read + summary.articles_kept == ARTICLES
    assert "\x1b" not in text and "\r" not in text  # plain lines: no control characters
    read = [int(line[2]) for line in lines]
    assert any(0 < n < ARTICLES for n in read), text  # reading seen under way
    assert read == sorted(read) and read[-1] == ARTICLES, text
    assert lines[-1][4] == lines[-1][5] == str(ARTICLES)  # the last line: every article stored
    assert {line[3] for line in lines if line[3] != "0"} == {str(ARTICLES)}  # out of N throughout


def test_a_plain_line_waits_for_a_change_and_for_time_or_a_tenth_more() -> None:
    before = Progress(1, 1, 10, 0, 400)
    assert due(before, None, seconds_since=0, every=3)
    assert not due(before, before, seconds_since=100, every=3)  # nothing new: no line
    a_little = Progress(1, 1, 20, 0, 400)
    assert not due(a_little, before, seconds_since=1, every=3)
    assert due(a_little, before, seconds_since=3, every=3)
    assert due(Progress(1, 1, 50, 0, 400), before, seconds_since=0.1, every=3)  # a tenth more: at once
    assert Progress(1, 1, 3, 5, 8).line() == "1/1 feeds polled | articles: 5/8 read, 5/8 stored"
    assert Progress(2, 3, 0, 0, 0).line() == "2/3 feeds polled | no new articles yet"
