"""Feeds and their entries: fetch state for conditional GET, health, and the entries still to read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import Entry, Feed, utcnow


@dataclass(frozen=True)
class NewEntry:
    """An entry as a feed lists it (the storage side of extractors.feeds.FeedEntry)."""

    guid: str
    link: str
    title: str
    summary: str
    published: datetime | None


def ensure_feeds(session: Session, *, urls: Sequence[str]) -> dict[str, int]:
    """Make sure a row exists for each feed URL; returns url -> feed id."""
    ids: dict[str, int] = {}
    for url in urls:
        feed = session.exec(select(Feed).where(Feed.url == url)).first()
        if feed is None:
            feed = Feed(url=url, created_at=utcnow())
            try:
                with session.begin_nested():  # an overlapping run may add the same feed
                    session.add(feed)
            except IntegrityError:
                feed = session.exec(select(Feed).where(Feed.url == url)).one()
        assert feed.id is not None
        ids[url] = feed.id
    return ids


def record_poll(
    session: Session,
    *,
    feed_id: int,
    status: str,
    error: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    title: str | None = None,
    bozo: bool = False,
    next_poll_in: timedelta | None = None,
) -> Feed:
    """Record one poll's outcome: ok, not_modified, or an error class with its message."""
    feed = session.get_one(Feed, feed_id)
    now = utcnow()
    feed.last_polled_at = now
    feed.last_status = status
    feed.last_error = error
    if status in ("ok", "not_modified"):
        feed.failures_in_row = 0
        feed.last_success_at = now
        if status == "ok":
            # Only a full response carries validators; a 304 keeps the ones we have.
            feed.etag, feed.last_modified = etag, last_modified
            feed.bozo = bozo
            feed.title = title or feed.title
    else:
        feed.failures_in_row += 1
    feed.next_poll_at = now + next_poll_in if next_poll_in else None
    session.add(feed)
    return feed


def add_entries(session: Session, *, feed_id: int, entries: Sequence[NewEntry]) -> int:
    """Insert entries not seen before (by feed and guid); returns how many were new."""
    if not entries:
        return 0
    guids = [e.guid for e in entries]
    known = set(
        session.exec(select(Entry.guid).where(Entry.feed_id == feed_id, col(Entry.guid).in_(guids))).all()
    )
    added = 0
    now = utcnow()
    for entry in entries:
        if entry.guid in known:
            continue
        known.add(entry.guid)  # a feed may list the same guid twice
        row = Entry(
            feed_id=feed_id,
            guid=entry.guid,
            link=entry.link,
            title=entry.title,
            summary=entry.summary,
            published=entry.published,
            first_seen_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
            added += 1
        except IntegrityError:
            continue
    if added:
        session.get_one(Feed, feed_id).last_new_entry_at = now
    return added


def unprocessed_entries(session: Session, *, feed_id: int, limit: int) -> list[Entry]:
    """Entries of a feed whose article has not been read and stored yet, oldest first.

    Oldest first so that a claimant's figures are stored in the order they were published and a later
    value reads as a revision of an earlier one.
    """
    return list(
        session.exec(
            select(Entry)
            .where(Entry.feed_id == feed_id, col(Entry.processed_at).is_(None))
            .order_by(col(Entry.published).asc().nulls_last(), col(Entry.id))
            .limit(limit)
        ).all()
    )


def all_feeds(session: Session) -> list[Feed]:
    """Every feed, by URL."""
    return list(session.exec(select(Feed).order_by(col(Feed.url))).all())
