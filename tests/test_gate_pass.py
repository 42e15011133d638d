"""The gate in a pass: skipped pages are kept, not fetched twice, expire, are read by reprocess once the
watch file names them, and a pass finds exactly what it finds without the gate."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from httpserver import LocalServer, Reply
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from extractors.gate import Gate, gate_for
from extractors.topic import Topic
from newswatch.cli import app
from newswatch.fetcher import Fetcher
from newswatch.pipeline import prepare_entries
from newswatch.polling import poll_feeds
from newswatch.settings import BUNDLED_WATCH_FILE, Settings
from newswatch.storing import store_in_order
from newswatch.watchfile import load_watch
from newswatch.workers import WorkerPool, WorkerSettings
from storage.db import create_db_engine, session_scope, upgrade
from storage.feeds import ensure_feeds
from storage.models import Article, Entry, Finding, RawPage, utcnow
from storage.rawpages import purge_pages

FIXTURES = Path(__file__).parent / "fixtures"
NEWSROOM = Path(__file__).parents[1] / "newswatch" / "newsroom" / "site"
BUNDLED = load_watch(BUNDLED_WATCH_FILE).topic("nk-troops-russia")
WILDFIRE = FIXTURES / "topics" / "wildfire.yaml"
# Our own pages, written for these tests.
OFF_TOPIC = b"""<!DOCTYPE html><html><head><title>Harbour festival</title></head><body><article>
<h1>Harbour festival draws record crowds</h1><p>More than 40,000 visitors came to the harbour festival
on Saturday, the organisers said, twice as many as last year. Boats, music and food stalls lined the
quay until late in the evening, and the ferries added extra crossings to carry everyone home.</p>
<p>The organisers said they would extend the festival to three days next summer.</p></article></body></html>"""
CEDAR_CREEK = b"""<!DOCTYPE html><html><head><title>Cedar Creek Fire grows overnight</title></head><body><article>
<h1>Cedar Creek Fire grows overnight</h1><p>The Cedar Creek Fire has forced about 4,000 residents from
their homes in the foothills, the Sheriff's Office said on Tuesday, as crews fought the flames through
the night. Shelters were opened at two schools and the county fairground.</p><p>Officials said the
fire had burned more than 9,000 acres and was five percent contained by the morning.</p>
</article></body></html>"""


def settings() -> Settings:
    return Settings(_env_file=None, allowed_networks="127.0.0.1/32", apprise_urls="")  # type: ignore[call-arg]


def rss(server: LocalServer, paths: Sequence[str]) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{server.url(p)}</link><guid>{p}</guid>"
        f"<pubDate>Mon, 0{1 + n % 9} Dec 2024 10:00:00 GMT</pubDate></item>"
        for n, p in enumerate(paths)
    )
    return f'<rss version="2.0"><channel><title>Feed</title>{items}</channel></rss>'.encode()


def one_pass(
    engine: Engine, feeds: Sequence[str], topics: Sequence[Topic], gate: Gate | None, pool: WorkerPool
) -> None:
    """Poll, read and store, as the flow does (without Prefect)."""
    with session_scope(engine) as session:
        ids = ensure_feeds(session, urls=list(feeds))
    with Fetcher(settings()) as fetcher:
        polls = poll_feeds(fetcher, engine, feed_ids=list(ids.values()), settings=settings(), pool=pool)
        prepared = prepare_entries(
            fetcher, engine, entry_ids=[e for p in polls for e in p.to_read],
            topics=dict.fromkeys(ids.values(), tuple(topics)), pool=pool, readers=4, gate=gate,
        )  # fmt: skip
    store_in_order(engine, prepared, topics={t.name: t for t in topics}, targets={})


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(WorkerSettings(workers=2)) as workers:
        yield workers


def test_pages_naming_no_topic_are_kept_unread_and_not_fetched_again(
    engine: Engine, pool: WorkerPool
) -> None:
    on_topic = (FIXTURES / "pages" / "gate" / "eastern-courier-dropcap.html").read_bytes()
    with LocalServer() as server:
        server.route("/a.html", Reply(body=on_topic, headers={"Content-Type": "text/html"}))
        server.route("/b.html", Reply(body=OFF_TOPIC, headers={"Content-Type": "text/html"}))
        server.route("/one.xml", Reply(body=rss(server, ["/a.html", "/b.html"])))
        server.route("/two.xml", Reply(body=rss(server, ["/b.html"])))
        gate = gate_for([BUNDLED])
        one_pass(engine, [server.url("/one.xml")], [BUNDLED], gate, pool)
        one_pass(engine, [server.url("/two.xml")], [BUNDLED], gate, pool)
        fetched = server.paths()
    assert fetched.count("/b.html") == 1  # the second feed's entry finds the page kept already
    with Session(engine) as s:
        assert all(e.processed_at is not None for e in s.exec(select(Entry)).all())
        (kept,) = s.exec(select(RawPage)).all()
        assert kept.url.endswith("/b.html") and kept.gate == gate.fingerprint and kept.size == len(OFF_TOPIC)
        assert 0 < len(kept.content) < len(OFF_TOPIC)
        (article,) = s.exec(select(Article)).all()
        assert article.url.endswith("/a.html")
        assert s.exec(select(Finding)).all()


def test_kept_pages_expire(engine: Engine, pool: WorkerPool) -> None:
    with LocalServer() as server:
        server.route("/b.html", Reply(body=OFF_TOPIC, headers={"Content-Type": "text/html"}))
        server.route("/one.xml", Reply(body=rss(server, ["/b.html"])))
        one_pass(engine, [server.url("/one.xml")], [BUNDLED], gate_for([BUNDLED]), pool)
    with session_scope(engine) as s:
        assert purge_pages(s, before=utcnow() - timedelta(days=30)) == 0
        assert purge_pages(s, before=utcnow() + timedelta(seconds=1)) == 1
    with Session(engine) as s:
        assert s.exec(select(RawPage)).all() == []
    assert Settings(_env_file=None, raw_retention="12h").raw_retention == timedelta(hours=12)  # type: ignore[call-arg]


def test_reprocess_after_adding_a_term_finds_a_figure_in_a_page_the_gate_skipped(
    tmp_path: Path, sqlite_engine: Engine, pool: WorkerPool
) -> None:
    first = load_watch(WILDFIRE)
    with LocalServer() as server:
        server.route("/cedar.html", Reply(body=CEDAR_CREEK, headers={"Content-Type": "text/html"}))
        server.route("/fire.xml", Reply(body=rss(server, ["/cedar.html"])))
        one_pass(sqlite_engine, [server.url("/fire.xml")], first.topics, gate_for(first.topics), pool)
    with Session(sqlite_engine) as s:
        assert len(s.exec(select(RawPage)).all()) == 1  # no term of the topic names this fire
        assert s.exec(select(Finding)).all() == []

    spec = yaml.safe_load(WILDFIRE.read_text())
    spec["topics"]["wildfire-evacuations"]["terms"].append("Cedar Creek Fire")
    changed = tmp_path / "watch.yaml"
    changed.write_text(yaml.safe_dump(spec))
    result = CliRunner().invoke(app, ["reprocess", "--watch", str(changed), "--db", str(sqlite_engine.url)])
    assert result.exit_code == 0, result.output
    assert "1 pages kept unread were tested again" in result.output and "1 named a topic" in result.output
    with Session(sqlite_engine) as s:
        assert s.exec(select(RawPage)).all() == []
        (article,) = s.exec(select(Article)).all()
        assert s.exec(select(Entry)).one().article_id == article.id
        values = [f.data.get("value") for f in s.exec(select(Finding)).all() if f.kind == "figure"]
    assert 4000 in values
    again = CliRunner().invoke(app, ["reprocess", "--watch", str(changed), "--db", str(sqlite_engine.url)])
    assert "tested again" not in again.output  # nothing is kept under another gate any more


def _findings(engine: Engine) -> list[tuple[str, ...]]:
    with Session(engine) as s:
        rows = s.exec(select(Finding, Article).where(Finding.article_id == Article.id)).all()
    return sorted(
        (a.url, f.topic, f.kind, f.sentence, str(f.start), str(f.end), str(f.data)) for f, a in rows
    )


def _pages(shared: Path | None) -> dict[str, bytes]:
    """Our own on-topic pages (the gate's fixtures and the demo newsroom's), and the real corpus pages."""
    pages = {f"/own/{p.name}": p.read_bytes() for p in sorted((FIXTURES / "pages" / "gate").glob("*.html"))}
    pages.update(
        {f"/newsroom/{n}/{p.name}": p.read_bytes() for n, p in enumerate(sorted(NEWSROOM.rglob("*.html")))}
    )
    if shared is not None:
        pages.update(
            {
                f"/corpus/{p.name}": p.read_bytes()
                for p in sorted((shared / "corpus" / "pages").glob("*.html"))
            }
        )
    return pages


@pytest.mark.shared
def test_findings_with_and_without_the_gate_are_identical(
    tmp_path: Path, shared_dir: Path, pool: WorkerPool
) -> None:
    pages = _pages(shared_dir)
    assert len(pages) > 200
    watch = load_watch(BUNDLED_WATCH_FILE)
    results = []
    with LocalServer() as server:
        for path, body in pages.items():
            server.route(path, Reply(body=body, headers={"Content-Type": "text/html; charset=utf-8"}))
        paths = list(pages)
        feeds = []
        for n, start in enumerate(range(0, len(paths), 40)):  # a pass reads 50 articles of a feed at most
            server.route(f"/f{n}.xml", Reply(body=rss(server, paths[start : start + 40])))
            feeds.append(server.url(f"/f{n}.xml"))
        for name, gate in (("on", gate_for(watch.topics)), ("off", None)):
            engine = create_db_engine(f"sqlite:///{tmp_path / name}.db")
            upgrade(engine)
            one_pass(engine, feeds, watch.topics, gate, pool)
            results.append(_findings(engine))
            with Session(engine) as s:
                kept = len(s.exec(select(RawPage)).all())
            engine.dispose()
            assert (kept > 0) == (gate is not None)
    with_gate, without = results
    assert without, "the pages must give findings for the comparison to mean anything"
    assert with_gate == without
