"""Attack 5: a page of numbers must not exhaust the pass's memory nor flood the channels; and every hostile
page of issue 14 at once leaves a pass within a gigabyte and two minutes.

A 215 KB page listing thousands of figures once gave 6,991 findings, 35 messages per channel and 1.7 GB
in the pass's process. Here a real `newswatch run` reads such a page (our own), then, in a pass of its
own, a control page of prose of the same size; the bounds are counts and the ratio of peak memory. Then
one pass reads all the hostile pages together, with the product's default limits.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpserver import LocalServer, Reply
from processes import watch_peak
from sqlalchemy import create_engine, func
from sqlmodel import Session, select
from test_crash import Webhook, pass_env, prefect_api, start_pass

from storage.models import Finding

pytestmark = pytest.mark.slow
__all__ = ["prefect_api"]
PAGE_BYTES = 215_000


def numbers_page(size: int = PAGE_BYTES) -> bytes:
    """`size` bytes of paragraphs, each naming a dozen troop figures of one claimant."""
    paras, n = [], 1000
    while sum(map(len, paras)) < size:
        figures = ", ".join(f"{n + i:,} soldiers" for i in range(12))
        paras.append(f"<p>North Korea has sent {figures} to Russia, South Korea's spy agency said.</p>")
        n += 12
    return _page("North Korean troops in Russia: the numbers", "".join(paras))


def prose_page() -> bytes:
    """The control: 215 KB of paragraphs about the topic without a single figure."""
    sentence = (
        "<p>North Korean soldiers were seen near the front in Kursk, where officials in Seoul said the "
        "deployment was growing and that Russia had trained them in drone warfare over recent weeks.</p>"
    )
    return _page("North Korean troops in Russia: the scene", sentence * (PAGE_BYTES // len(sentence) + 1))


def quotes_page() -> bytes:
    """Fourteen similar kilobyte-long quotes of one speaker."""
    quotes = [" ".join("ha" if i % 2 == 0 else f"w{k}x{i}" for i in range(300)) for k in range(14)]
    said = "".join(
        f'<p>Kim Yo Jong said: "{q}." She spoke of North Korean troops in Russia.</p>' for q in quotes
    )
    return _page("North Korean troops in Russia: what was said", said)


def _page(title: str, body: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>".encode()


def feed(link: str, *, title: str = "The numbers", summary: str = "", channel: str = "Numbers") -> bytes:
    return (
        f'<rss version="2.0"><channel><title>{channel}</title><item><title>{title}</title><link>{link}</link>'
        f"<guid>{link}</guid><description>{summary}</description>"
        "<pubDate>Thu, 24 Oct 2024 10:00:00 GMT</pubDate></item></channel></rss>"
    ).encode()


@pytest.fixture
def room() -> Iterator[LocalServer]:
    with LocalServer("127.0.0.1") as running:
        yield running


def run_pass(
    room: LocalServer, prefect_api: str, tmp_path: Path, name: str, page: bytes
) -> tuple[int, int, int]:
    """One pass over a feed of one page: (peak RSS of the process tree, findings stored, messages sent)."""
    room.route(f"/{name}.html", Reply(body=page, headers={"Content-Type": "text/html"}))
    room.route(f"/{name}.xml", Reply(body=feed(room.url(f"/{name}.html"))))
    db = f"sqlite:///{tmp_path / name}.db"
    hook = Webhook()
    log = tmp_path / f"{name}.log"
    try:
        proc = start_pass([room.url(f"/{name}.xml")], pass_env(db, prefect_api, hook), log)
        peak = watch_peak(proc)
        code = proc.wait(timeout=600)
        messages = sum(hook.take().values())
    finally:
        hook.stop()
    assert code == 0, log.read_text(errors="replace")[-3000:]
    engine = create_engine(db)
    with Session(engine) as s:
        findings = s.exec(select(func.count()).select_from(Finding)).one()
    engine.dispose()
    return peak(), findings, messages


def test_a_page_of_numbers_neither_exhausts_memory_nor_floods_channels(
    room: LocalServer, prefect_api: str, tmp_path: Path
) -> None:
    hostile = numbers_page()
    control = prose_page()
    assert abs(len(hostile) - len(control)) < 0.05 * len(control)
    peak, findings, messages = run_pass(room, prefect_api, tmp_path, "numbers", hostile)
    calm, _none, _messages = run_pass(room, prefect_api, tmp_path, "prose", control)
    print(
        f"a {len(hostile) // 1000} KB page of numbers: {findings} findings stored, {messages} messages to the "
        f"channel, peak RSS {peak / 1e6:.0f} MB (prose of the same size: {calm / 1e6:.0f} MB, "
        f"ratio {peak / calm:.2f})"
    )
    assert findings <= 200
    assert messages <= 2
    assert peak < 1.5 * calm


def test_every_hostile_page_at_once_stays_within_a_gigabyte_and_two_minutes(
    room: LocalServer, prefect_api: str, tmp_path: Path
) -> None:
    """Issue 14's pages together in one pass with the default limits: pages of numbers (215 KB, 1.6 MB),
    similar quotes, headlines of 56 KB of hyphens and of 5 MB, NUL and Markdown in titles, links to
    other outlets answering 404, escape sequences in a reason phrase."""
    html = {"Content-Type": "text/html"}
    planted = "South Korea&apos;s spy agency said 44,444 North Korean soldiers had arrived in Russia."
    pages = {
        "numbers": numbers_page(),
        "numbers-big": numbers_page(1_600_000),
        "quotes": quotes_page(),
    }
    feeds = []
    for name, body in pages.items():
        room.route(f"/{name}.html", Reply(body=body, headers=html))
        room.route(f"/{name}.xml", Reply(body=feed(room.url(f"/{name}.html"))))
        feeds.append(room.url(f"/{name}.xml"))
    room.route("/story.html", Reply(body=prose_page(), headers=html))
    titles = {
        "hyphens": "a-" * 28_000,
        "huge-title": "Troops move north " * 300_000,
        "nul": "North &#0; Korea &#x1b;]0;pwned&#7;",
        "markdown": "[text](http://evil.example/x) ![pixel](http://evil.example/p.png) [/x]",
    }
    for name, title in titles.items():
        room.route(
            f"/{name}.xml",
            Reply(body=feed(room.url("/story.html"), title=title, channel=f"Wire &#0; {name}")),
        )
        feeds.append(room.url(f"/{name}.xml"))
    for n in range(3):  # links on "other outlets" that answer 404, the claim in the feed's own summary
        room.route(f"/forged{n}.xml", Reply(body=feed(room.url(f"/outlet{n}/story"), summary=planted)))
        feeds.append(room.url(f"/forged{n}.xml"))
    reason = "Oops \x9b2J \x9d0;pwned\x9c [x](http://evil.example/) ![p](http://evil.example/p.png)"
    room.route("/reason.xml", Reply(status=500, reason=reason))
    feeds.append(room.url("/reason.xml"))

    db = f"sqlite:///{tmp_path / 'all.db'}"
    hook = Webhook()
    log = tmp_path / "all.log"
    try:
        started = time.monotonic()
        proc = start_pass(feeds, pass_env(db, prefect_api, hook), log)
        peak = watch_peak(proc)
        code = proc.wait(timeout=600)
        elapsed = time.monotonic() - started
        messages = hook.take()
    finally:
        hook.stop()
    assert code == 0, log.read_text(errors="replace")[-3000:]
    engine = create_engine(db)
    with Session(engine) as s:
        per_article = s.exec(select(Finding.article_id, func.count()).group_by(Finding.article_id)).all()
    engine.dispose()
    largest = max((len(m) for m in messages), default=0)
    print(
        f"every hostile page at once: {elapsed:.1f} s, peak RSS {peak() / 1e6:.0f} MB, "
        f"{sum(n for _a, n in per_article)} findings (at most {max((n for _a, n in per_article), default=0)} "
        f"per article), {sum(messages.values())} messages, the largest {largest:,} characters"
    )
    assert peak() < 1_000_000_000
    assert elapsed < 120
    assert all(n <= 200 for _a, n in per_article)
    assert largest <= 40_000
