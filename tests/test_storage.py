"""Storage on SQLite and PostgreSQL: migrations, novelty (new, revised, repeat) and the ledger."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from extractors.articles import Article as ExtractedArticle
from extractors.findings import Figure, Statement
from extractors.topic import Topic
from newswatch import storing
from newswatch.pipeline import PreparedEntry
from newswatch.storing import store_in_order
from storage.claims import store_findings
from storage.db import MIGRATIONS, SCHEMA_REVISION, session_scope, upgrade
from storage.feeds import (
    FAILURE_BACKOFF,
    MAX_INTERVAL,
    NewEntry,
    Poll,
    add_entries,
    due_feeds,
    ensure_feeds,
    poll_delay,
    record_polls,
    unprocessed_entries,
)
from storage.ledger import Target, backoff, claim_due, enqueue, mark_failed, mark_sent, retry_now, undelivered
from storage.locks import FeedLocks
from storage.models import AlertDelivery, Article, Claim, Entry, Feed, Finding, utcnow


def figure(value: int, claimant_key: str | None = "nis", *, unit_class: str = "troops") -> Figure:
    return Figure(
        value=value,
        low=value,
        high=value,
        vague=False,
        qualifier="none",
        unit="soldiers",
        unit_class=unit_class,
        claimant="spy agency" if claimant_key else None,
        claimant_key=claimant_key,
        stance="claimed",
        sentence=f"{value} soldiers",
        start=0,
        end=len(str(value)),
    )


def statement(quote: str, speaker: str = "Lloyd Austin") -> Statement:
    return Statement(
        speaker=speaker,
        speaker_key=speaker.lower().replace(" ", "-"),
        role=None,
        verb="said",
        quote=quote,
        direct=True,
        sentence=f'"{quote}," he said.',
        start=1,
        end=1 + len(quote),
    )


def article(session: Session, url: str, outlet: str) -> Article:
    row = Article(url=url, title=url, outlet=outlet, text="...")
    session.add(row)
    session.flush()
    return row


def test_migrations_create_every_table_and_are_idempotent(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    tables = {"feed", "entry", "article", "rawpage", "claim", "finding", "alertdelivery", "alembic_version"}
    assert tables <= names
    upgrade(engine)  # a second upgrade changes nothing
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_REVISION


def test_schema_revision_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION


def test_a_database_behind_the_newest_revision_is_migrated(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert "feed" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert "feed" in inspect(engine).get_table_names()


def test_new_revised_and_repeated_figures(engine: Engine) -> None:
    with session_scope(engine) as s:
        first = store_findings(
            s, article=article(s, "http://a/1", "Wire A"), topic="t", findings=[figure(1500)]
        )
    assert [c.change for c in first.new] == ["new_figure"]

    with session_scope(engine) as s:
        revised = store_findings(
            s, article=article(s, "http://a/2", "Wire A"), topic="t", findings=[figure(3000)]
        )
    assert [c.change for c in revised.new] == ["revised_figure"]
    assert revised.new[0].previous[0].startswith("1,500 soldiers")

    with session_scope(engine) as s:  # another outlet repeats it: corroboration, not an alert
        again = store_findings(
            s, article=article(s, "http://b/1", "Daily B"), topic="t", findings=[figure(3000)]
        )
        same_outlet = store_findings(
            s, article=article(s, "http://b/2", "Daily B"), topic="t", findings=[figure(3000)]
        )
    assert (again.new, again.repeated) == ((), 1)
    assert (same_outlet.new, same_outlet.repeated) == ((), 1)
    with Session(engine) as s:
        claim = s.exec(select(Claim).where(Claim.value == 3000)).one()
        assert (claim.outlets, claim.first_outlet) == (2, "Wire A")


def test_unattributed_and_other_unit_classes_are_new_not_revisions(engine: Engine) -> None:
    with session_scope(engine) as s:
        a = article(s, "http://a/1", "A")
        store_findings(s, article=a, topic="t", findings=[figure(1500)])
        out = store_findings(
            s, article=a, topic="t", findings=[figure(300, unit_class="killed"), figure(900, None)]
        )
    assert [c.change for c in out.new] == ["new_figure", "new_figure"]


def test_rereading_an_article_adds_nothing(engine: Engine) -> None:
    with session_scope(engine) as s:
        a = article(s, "http://a/1", "A")
        store_findings(s, article=a, topic="t", findings=[figure(1500), statement("We will respond.")])
        again = store_findings(
            s, article=a, topic="t", findings=[figure(1500), statement("We will respond.")]
        )
    assert (again.new, again.repeated) == ((), 0)
    with Session(engine) as s:
        assert len(s.exec(select(Finding)).all()) == 2


def test_near_duplicate_quotes_are_one_statement(engine: Engine) -> None:
    with session_scope(engine) as s:
        one = store_findings(
            s,
            article=article(s, "http://a/1", "A"),
            topic="t",
            findings=[statement("What exactly they are doing? That's still to be seen.")],
        )
        two = store_findings(
            s,
            article=article(s, "http://b/1", "B"),
            topic="t",
            findings=[statement("What exactly they are doing, that’s still to be seen")],
        )
        other = store_findings(
            s,
            article=article(s, "http://c/1", "C"),
            topic="t",
            findings=[statement("We have seen no evidence of that at all.")],
        )
    assert [c.change for c in one.new] == ["new_statement"]
    assert (two.new, two.repeated) == ((), 1)
    assert [c.change for c in other.new] == ["new_statement"]


def test_entries_are_added_once_and_stay_unprocessed_until_marked(engine: Engine) -> None:
    entries = [NewEntry(guid=g, link=f"http://a/{g}", title=g, summary="", published=None) for g in "abca"]
    with session_scope(engine) as s:
        feed_id = ensure_feeds(s, urls=["http://feed"])["http://feed"]
        assert ensure_feeds(s, urls=["http://feed"]) == {"http://feed": feed_id}
        assert add_entries(s, entries={feed_id: entries}) == {feed_id: 3}
        assert add_entries(s, entries={feed_id: entries}) == {}
        ok = Poll(feed_id, "ok", etag='"v1"', last_modified="Mon, 21 Oct 2024 10:00:00 GMT", title="Feed")
        record_polls(s, polls=[ok])
    with session_scope(engine) as s:
        assert len(unprocessed_entries(s, feed_ids=[feed_id], limit=10)[feed_id]) == 3
        assert len(unprocessed_entries(s, feed_ids=[feed_id], limit=2)[feed_id]) == 2
        record_polls(s, polls=[Poll(feed_id, "timeout", error="read timed out")])
        assert s.get_one(Feed, feed_id).failures_in_row == 1
        s.expunge_all()
        record_polls(s, polls=[Poll(feed_id, "not_modified")])
        feed = s.get_one(Feed, feed_id, populate_existing=True)
        assert (feed.etag, feed.title, feed.failures_in_row, feed.last_status) == (
            '"v1"',
            "Feed",
            0,
            "not_modified",
        )


def test_a_group_of_polls_is_recorded_in_a_few_statements(engine: Engine) -> None:
    urls = [f"http://feed/{n}" for n in range(30)]
    with session_scope(engine) as s:
        ids = list(ensure_feeds(s, urls=urls).values())
    listed = [NewEntry(guid=g, link=f"http://a/{g}", title=g, summary="", published=None) for g in "abb"]
    # Ten feeds answered with entries, ten had not changed, ten failed.
    polls = [Poll(i, "ok", etag=f'"{i}"', title=f"Feed {i}") for i in ids[:10]]
    polls += [Poll(i, "not_modified") for i in ids[10:20]]
    polls += [Poll(i, "http_status", error="HTTP 503", retry_after=timedelta(hours=1)) for i in ids[20:]]
    statements: list[str] = []

    def listen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        with session_scope(engine) as s:
            added = add_entries(s, entries=dict.fromkeys(ids[:10], listed))
            record_polls(s, polls=polls)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert added == dict.fromkeys(ids[:10], 2)  # a guid listed twice is one entry
    # One INSERT, one UPDATE for the feeds with new entries, one read, one UPDATE per kind of outcome.
    assert len([q for q in statements if q.lstrip().upper().startswith(("INSERT", "UPDATE"))]) == 5
    with Session(engine) as s:
        feeds = {f.id: f for f in s.exec(select(Feed)).all()}
    assert [(feeds[i].etag, feeds[i].title, feeds[i].last_new_entry_at is not None) for i in ids[:2]] == [
        (f'"{i}"', f"Feed {i}", True) for i in ids[:2]
    ]
    assert {(f.last_status, f.failures_in_row, f.next_poll_at is None) for f in feeds.values()} == {
        ("ok", 0, True),
        ("not_modified", 0, True),
        ("http_status", 1, False),
    }


def _queue(engine: Engine, n: int, channels: tuple[str, ...] = ("c1",)) -> None:
    targets = [Target(channel=c, mode="instant") for c in channels]
    with session_scope(engine) as s:
        for i in range(n):
            enqueue(s, subject=f"claim:{i}", targets=targets, group_key=f"article:{i}", payload={"i": i})
            enqueue(s, subject=f"claim:{i}", targets=targets, group_key=f"article:{i}", payload={"i": i})


def test_ledger_rows_are_unique_per_subject_and_channel(engine: Engine) -> None:
    _queue(engine, 3, ("c1", "c2"))
    with Session(engine) as s:
        assert len(s.exec(select(AlertDelivery)).all()) == 6


def test_two_runs_claiming_at_once_never_take_the_same_row(engine: Engine) -> None:
    _queue(engine, 40)
    taken: list[list[int]] = [[], [], [], []]
    barrier = threading.Barrier(len(taken))

    def worker(i: int) -> None:
        barrier.wait()
        taken[i] = [r.id for r in claim_due(engine, channels=["c1"]) if r.id is not None]

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(taken))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [i for ids in taken for i in ids]
    assert len(flat) == len(set(flat)) == 40
    assert claim_due(engine, channels=["c1"]) == []


def test_failed_rows_back_off_then_fail_after_the_cap_and_can_be_retried(engine: Engine) -> None:
    _queue(engine, 1)
    rows = claim_due(engine, channels=["c1"])
    mark_failed(engine, rows, "HTTP 500", max_attempts=2)
    assert claim_due(engine, channels=["c1"]) == []  # backing off
    second = claim_due(engine, channels=["c1"], now=utcnow() + backoff(1) + timedelta(seconds=1))
    assert [r.attempts for r in second] == [2]
    mark_failed(engine, second, "x", max_attempts=2)
    assert claim_due(engine, channels=["c1"], now=utcnow() + timedelta(days=1)) == []  # failed: not retried
    with Session(engine) as s:
        (row,) = undelivered(s)
        assert (row.status, row.attempts) == ("failed", 2)
    assert retry_now(engine) == 1
    rows = claim_due(engine, channels=["c1"])
    mark_sent(engine, [r.id for r in rows if r.id is not None])
    with Session(engine) as s:
        assert undelivered(s) == []


def test_a_row_left_sending_by_a_dead_process_is_taken_again_after_the_lease(engine: Engine) -> None:
    _queue(engine, 1)
    assert claim_due(engine, channels=["c1"])  # the process "dies" here: never marks sent
    assert claim_due(engine, channels=["c1"]) == []
    with session_scope(engine) as s:
        s.execute(update(AlertDelivery).values(claimed_at=utcnow() - timedelta(hours=1)))
    assert [r.status for r in claim_due(engine, channels=["c1"])] == ["sending"]
    with Session(engine) as s:
        assert s.exec(select(AlertDelivery.attempts).where(col(AlertDelivery.id) > 0)).one() == 2


# --- when to poll, feed locks, storing prepared entries in batches ---


def test_poll_delay_takes_the_longest_wait_and_caps_it() -> None:
    hour = timedelta(hours=1)
    assert poll_delay(ok=True, failures=0) == timedelta(0)
    assert poll_delay(ok=True, failures=0, hint=hour) == hour  # TTL or Cache-Control
    assert poll_delay(ok=True, failures=0, quiet_for=8 * hour) == hour  # silent feeds are polled less
    assert poll_delay(ok=False, failures=1) == FAILURE_BACKOFF
    assert poll_delay(ok=False, failures=3) == 4 * FAILURE_BACKOFF
    assert poll_delay(ok=False, failures=1, retry_after=2 * hour) == 2 * hour
    assert poll_delay(ok=False, failures=40) == MAX_INTERVAL
    assert poll_delay(ok=True, failures=0, hint=100 * hour) == MAX_INTERVAL


def test_a_pass_polls_only_feeds_due_before_the_next_pass(engine: Engine) -> None:
    with session_scope(engine) as s:
        ids = ensure_feeds(s, urls=["http://a", "http://b", "http://c", "http://d"])
        polls = [
            Poll(ids["http://a"], "ok"),  # nothing asked: every pass
            Poll(ids["http://b"], "ok", next_poll_in=timedelta(minutes=10)),
            Poll(ids["http://c"], "ok", next_poll_in=timedelta(hours=2)),
            Poll(ids["http://d"], "http_status", retry_after=timedelta(hours=1)),
        ]
        record_polls(s, polls=polls)
    with Session(engine) as s:
        every = list(ids.values())
        assert due_feeds(s, feed_ids=every) == [ids["http://a"], ids["http://b"]]
        later = utcnow() + timedelta(hours=2)
        assert due_feeds(s, feed_ids=every, now=later) == every
        assert s.get_one(Feed, ids["http://a"]).next_poll_at is None  # shown as "next pass"


def test_feed_locks_keep_two_passes_apart_and_die_with_them(engine: Engine, tmp_path: Path) -> None:
    with FeedLocks(engine) as first, FeedLocks(engine) as second:
        assert first.acquire([1, 2, 3]) == [1, 2, 3]
        assert second.acquire([3, 2, 4]) == [4]
        first.release(2)
        assert second.acquire([2]) == [2]
    script = tmp_path / "holder.py"
    script.write_text(
        "import sys, time\n"
        "from storage.db import create_db_engine\n"
        "from storage.locks import FeedLocks\n"
        f"locks = FeedLocks(create_db_engine({str(engine.url.render_as_string(hide_password=False))!r}))\n"
        "print(locks.acquire([7]), flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "[7]"
    with FeedLocks(engine) as other:
        assert other.acquire([7]) == []
        holder.kill()  # a crash: no release, no close
        holder.wait()
        holder.stdout.close()
        deadline = time.monotonic() + 5
        while not other.acquire([7]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert other.acquire([7]) == [7]


def _prepared(entry_id: int, feed_id: int, published: datetime, found: list[Figure]) -> PreparedEntry:
    text = "North Korea sent troops. " * 20
    page = ExtractedArticle("http://x", "Title", None, published, "Outlet", "en", text)
    return PreparedEntry(entry_id, published, None, page, None, True, {"t": found}, feed_id)


def test_prepared_entries_are_stored_in_publication_order_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storing, "BATCH", 2)  # several batches, and a page shared across two of them
    day = datetime(2024, 10, 18, tzinfo=UTC)
    with session_scope(engine) as s:
        feed = ensure_feeds(s, urls=["http://feed"])["http://feed"]
        links = ["http://news/a", "http://news/b", "http://news/c", "http://news/a"]
        add_entries(
            s,
            entries={
                feed: [
                    NewEntry(guid=f"g{n}", link=u, title="t", summary="", published=None)
                    for n, u in enumerate(links)
                ]
            },
        )
        ids = list(unprocessed_entries(s, feed_ids=[feed], limit=10)[feed])
    prepared = [
        _prepared(ids[0], feed, day, [figure(1500)]),
        _prepared(ids[1], feed, day + timedelta(days=5), [figure(3000)]),
        _prepared(ids[2], feed, day + timedelta(days=1), [figure(1500), statement("We will respond.")]),
        _prepared(ids[3], feed, day + timedelta(days=6), [figure(1500)]),  # page a again, in another batch
    ]
    topic = Topic("t", "T", ("North Korea",), (), ())
    results = store_in_order(engine, list(reversed(prepared)), topics={"t": topic}, targets={})
    by_entry = {r.entry_id: r for r in results}
    assert [c.change for c in by_entry[ids[0]].new] == ["new_figure"]
    assert [c.change for c in by_entry[ids[1]].new] == ["revised_figure"]  # later than 1,500: a revision
    assert by_entry[ids[1]].new[0].previous[0].startswith("1,500 soldiers")
    assert [c.change for c in by_entry[ids[2]].new] == ["new_statement"]
    assert (by_entry[ids[3]].new, by_entry[ids[3]].repeated) == ((), 0)  # same article, nothing twice
    with Session(engine) as s:
        assert len(s.exec(select(Finding)).all()) == 4
        assert {e.article_id for e in s.exec(select(Entry)).all() if e.link == "http://news/a"} != {None}
    again = store_in_order(engine, prepared, topics={"t": topic}, targets={})
    assert {r.source for r in again} == {"skipped"}  # an overlapping pass stored them first
