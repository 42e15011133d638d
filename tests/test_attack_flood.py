"""Attack 5: a page of numbers must not exhaust the pass's memory nor flood the channels.

A 215 KB page listing thousands of figures once gave 6,991 findings, 35 messages per channel and 1.7 GB
in the pass's process. Here a real `newswatch run` reads such a page (our own), then, in a pass of its
own, a control page of prose of the same size; the bounds are counts and the ratio of peak memory.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from httpserver import LocalServer, Reply
from sqlalchemy import create_engine, func
from sqlmodel import Session, select
from test_crash import Webhook, pass_env, prefect_api, start_pass

from newswatch.workers import tree_rss_bytes
from storage.models import Finding

pytestmark = pytest.mark.slow
__all__ = ["prefect_api"]
PAGE_BYTES = 215_000


def numbers_page() -> bytes:
    """215 KB of paragraphs, each naming a dozen troop figures of one claimant."""
    paras, n = [], 1000
    while sum(map(len, paras)) < PAGE_BYTES:
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


def _page(title: str, body: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>".encode()


def feed(link: str) -> bytes:
    return (
        f'<rss version="2.0"><channel><title>Numbers</title><item><title>The numbers</title><link>{link}</link>'
        f"<guid>{link}</guid><pubDate>Thu, 24 Oct 2024 10:00:00 GMT</pubDate></item></channel></rss>"
    ).encode()


@pytest.fixture
def room() -> Iterator[LocalServer]:
    with LocalServer("127.0.0.1") as running:
        yield running


def watch_peak(proc: subprocess.Popen[bytes]) -> Callable[[], int]:
    """Sample the resident memory of the pass's whole process tree until it ends; returns the peak."""
    peak = 0

    def sample() -> None:
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, tree_rss_bytes(proc.pid))
            time.sleep(0.1)

    threading.Thread(target=sample, daemon=True).start()
    return lambda: peak


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
