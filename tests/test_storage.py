"""Storage on SQLite and PostgreSQL: migrations, novelty (new, revised, repeat) and the ledger."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import inspect, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from extractors.findings import Figure, Statement
from storage.claims import store_findings
from storage.db import session_scope, upgrade
from storage.feeds import NewEntry, add_entries, ensure_feeds, record_poll, unprocessed_entries
from storage.ledger import Target, backoff, claim_due, enqueue, mark_failed, mark_sent, retry_now, undelivered
from storage.models import AlertDelivery, Article, Claim, Feed, Finding, utcnow


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
    assert {"feed", "entry", "article", "claim", "finding", "alertdelivery", "alembic_version"} <= names
    upgrade(engine)  # a second upgrade changes nothing
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"


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
        assert add_entries(s, feed_id=feed_id, entries=entries) == 3
        assert add_entries(s, feed_id=feed_id, entries=entries) == 0
        record_poll(
            s, feed_id=feed_id, status="ok", etag='"v1"', last_modified="Mon, 21 Oct 2024 10:00:00 GMT"
        )
    with session_scope(engine) as s:
        assert len(unprocessed_entries(s, feed_id=feed_id, limit=10)) == 3
        record_poll(s, feed_id=feed_id, status="timeout", error="read timed out")
        record_poll(s, feed_id=feed_id, status="not_modified")
        feed = s.get_one(Feed, feed_id)
        assert (feed.etag, feed.failures_in_row, feed.last_status) == ('"v1"', 0, "not_modified")


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
