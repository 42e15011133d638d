"""Feeds and their entries: fetch state for conditional GET, when to poll next, health, entries to read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError
from sqlmodel import Session, col, select

from storage.db import insert_ignore, session_scope
from storage.models import Entry, Feed, utcnow

# A pass polls every feed due before the following pass would come (the default schedule is every
# 15 minutes): at most one interval early, rather than up to one interval late.
PASS_INTERVAL = timedelta(minutes=15)
FAILURE_BACKOFF = timedelta(minutes=5)  # after the first failure in a row; doubled after each next one
MAX_INTERVAL = timedelta(hours=6)  # however long a feed asks us to wait, or keeps failing
QUIET_SHARE = 8  # a feed silent for 8 hours is polled about hourly
POLLED = ("ok", "not_modified")


@dataclass(frozen=True)
class NewEntry:
    """An entry as a feed lists it (the storage side of extractors.feeds.FeedEntry)."""

    guid: str
    link: str
    title: str
    summary: str
    published: datetime | None


def ensure_feeds(session: Session, *, urls: Sequence[str]) -> dict[str, int]:
    """Make sure a row exists for each feed URL (an overlapping run may add the same); url -> feed id."""
    wanted = list(dict.fromkeys(urls))
    now = utcnow()
    insert_ignore(session, Feed, [{"url": u, "created_at": now} for u in wanted], unique=["url"])
    ids: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.exec(select(Feed.url, Feed.id).where(col(Feed.url).in_(chunk))).all()
        ids.update({url: feed_id for url, feed_id in rows if feed_id is not None})
    return {url: ids[url] for url in wanted}


def due_feeds(session: Session, *, feed_ids: Sequence[int], now: datetime | None = None) -> list[int]:
    """The feeds a pass starting now should poll: never polled, or due before the next pass."""
    horizon = (now or utcnow()) + PASS_INTERVAL
    due: set[int | None] = set()
    for start in range(0, len(feed_ids), 500):
        chunk = feed_ids[start : start + 500]
        query = select(Feed.id).where(
            col(Feed.id).in_(chunk), or_(col(Feed.next_poll_at).is_(None), col(Feed.next_poll_at) <= horizon)
        )
        due.update(session.exec(query).all())
    return [i for i in feed_ids if i in due]


def poll_delay(
    *,
    ok: bool,
    failures: int,
    hint: timedelta | None = None,
    retry_after: timedelta | None = None,
    quiet_for: timedelta | None = None,
) -> timedelta:
    """How long a feed should rest: the longest of what it asks (TTL, Cache-Control, Retry-After),
    its failure backoff and what its history suggests, never more than MAX_INTERVAL."""
    waits = [hint or timedelta(0), retry_after or timedelta(0)]
    if not ok:
        waits.append(FAILURE_BACKOFF * 2 ** min(max(failures - 1, 0), 10))
    elif quiet_for is not None:
        waits.append(quiet_for / QUIET_SHARE)
    return min(max(waits), MAX_INTERVAL)


@dataclass(frozen=True)
class Poll:
    """One poll's outcome to record: ok, not_modified, or an error class with its message."""

    feed_id: int
    status: str
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    bozo: bool = False
    next_poll_in: timedelta | None = None  # what the feed asks for (TTL, Cache-Control)
    retry_after: timedelta | None = None  # what the server said (Retry-After)


def record_polls(session: Session, *, polls: Sequence[Poll]) -> None:
    """Record each poll's outcome and when to poll its feed next: one read, then one UPDATE per kind of
    outcome with every feed's values as its parameters (an ORM flush cost half a millisecond per feed)."""
    now = utcnow()
    history: dict[int | None, tuple[int, datetime | None, bool]] = {}
    ids = [p.feed_id for p in polls]
    for start in range(0, len(ids), 500):
        rows = session.execute(
            sa_select(
                col(Feed.id),
                col(Feed.failures_in_row),
                col(Feed.last_new_entry_at),
                col(Feed.created_at),
                col(Feed.baseline_at),
            ).where(col(Feed.id).in_(ids[start : start + 500]))
        ).all()
        history.update(
            (feed_id, (failures, last_new or created, baseline is not None))
            for feed_id, failures, last_new, created, baseline in rows
        )
    changes: list[dict[str, object]] = []
    for poll in polls:
        failures, last_news, has_baseline = history[poll.feed_id]
        ok = poll.status in POLLED
        failures = 0 if ok else failures + 1
        values: dict[str, object] = {"id": poll.feed_id, "last_polled_at": now, "last_status": poll.status}
        values.update(last_error=poll.error, failures_in_row=failures)
        if ok:
            values["last_success_at"] = now
            if not has_baseline:  # the first successful poll: what the feed carries now is its baseline
                values["baseline_at"] = now
        if poll.status == "ok":
            # Only a full response carries validators; a 304 keeps the ones we have.
            values.update(etag=poll.etag, last_modified=poll.last_modified, bozo=poll.bozo)
            if poll.title:
                values["title"] = poll.title
        delay = poll_delay(
            ok=ok,
            failures=failures,
            hint=poll.next_poll_in,
            retry_after=poll.retry_after,
            quiet_for=now - last_news if last_news else None,
        )
        values["next_poll_at"] = now + delay if delay > PASS_INTERVAL / 60 else None  # None: the next pass
        changes.append(values)
    if changes:
        # ORM bulk UPDATE by primary key: rows with the same keys go out as one executemany.
        session.execute(update(Feed), changes)


def record_group(
    engine: Engine, *, entries: Mapping[int, Sequence[NewEntry]], polls: Sequence[Poll]
) -> dict[int, int]:
    """Store a group's new entries and record its polls, in one transaction; how many entries were new, by
    feed. Should the database refuse a value one feed brought (text is cleaned where it enters, so this is
    a last line), each feed is stored on its own, and a feed whose entries are refused is recorded as a
    parse_error without them: one bad entry never fails another feed's poll."""
    try:
        with session_scope(engine) as session:
            added = add_entries(session, entries=entries)
            record_polls(session, polls=polls)
            return added
    except (DataError, UnicodeError):
        if len(polls) <= 1 and not entries:
            raise
    added = {}
    for poll in polls:
        mine = {poll.feed_id: entries[poll.feed_id]} if poll.feed_id in entries else {}
        try:
            with session_scope(engine) as session:
                added.update(add_entries(session, entries=mine))
                record_polls(session, polls=[poll])
        except (DataError, UnicodeError) as exc:
            refused = replace(
                poll, status="parse_error", error=f"the database refused an entry ({type(exc).__name__})"
            )
            with session_scope(engine) as session:
                record_polls(session, polls=[replace(refused, title=None)])
    return added


def add_entries(session: Session, *, entries: Mapping[int, Sequence[NewEntry]]) -> dict[int, int]:
    """Insert feeds' entries not seen before (by feed and guid), in one statement; how many were new, by
    feed (feeds with none left out)."""
    now = utcnow()
    rows: list[dict[str, object]] = []
    for feed_id, listed in entries.items():
        # A feed may list a guid twice: the first listing wins.
        first = {e.guid: e for e in reversed(listed)}
        rows += [
            {
                "feed_id": feed_id,
                "guid": e.guid,
                "link": e.link,
                "title": e.title,
                "summary": e.summary,
                "published": e.published,
                "first_seen_at": now,
            }
            for e in reversed(first.values())
        ]
    added = Counter(
        feed_id
        for (feed_id,) in insert_ignore(
            session, Entry, rows, unique=["feed_id", "guid"], returning=["feed_id"]
        )
    )
    if added:
        session.execute(update(Feed), [{"id": feed_id, "last_new_entry_at": now} for feed_id in added])
    return dict(added)


def unprocessed_entries(
    session: Session, *, feed_ids: Sequence[int], limit: int
) -> dict[int, tuple[int, ...]]:
    """For each feed, the ids of its entries whose article has not been read and stored yet, oldest first,
    at most `limit` per feed (one query for all the feeds).

    Oldest first so that a claimant's figures are stored in the order they were published and a later
    value reads as a revision of an earlier one.
    """
    waiting: dict[int, list[int]] = {}
    for start in range(0, len(feed_ids), 500):
        rows = session.exec(
            select(Entry.feed_id, Entry.id)
            .where(col(Entry.feed_id).in_(feed_ids[start : start + 500]), col(Entry.processed_at).is_(None))
            .order_by(col(Entry.feed_id), col(Entry.published).asc().nulls_last(), col(Entry.id))
        ).all()
        for feed_id, entry_id in rows:
            listed = waiting.setdefault(feed_id, [])
            if entry_id is not None and len(listed) < limit:
                listed.append(entry_id)
    return {feed_id: tuple(ids) for feed_id, ids in waiting.items()}


def all_feeds(session: Session) -> list[Feed]:
    """Every feed, by URL."""
    return list(session.exec(select(Feed).order_by(col(Feed.url))).all())
