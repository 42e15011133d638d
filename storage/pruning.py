"""Feeds removed from the watch file: found, and deleted with what belongs to them alone.

The rule: a pruned feed goes with its entries (the items it listed) and the pages kept unread for those
entries. Articles stay, and with them every finding, claim and alert: an article is stored once by its
URL, may be listed by other feeds too, and what was found in it is history that `findings` and
`timeline` keep showing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.models import Entry, Feed, RawPage

_CHUNK = 500  # ids per IN (...) list: SQLite's default limit on parameters is far above it


@dataclass(frozen=True)
class Pruned:
    """What pruning removed: the feeds' URLs, and how many entries and kept pages went with them."""

    urls: tuple[str, ...]
    entries: int
    pages: int


def stale_feeds(session: Session, *, keep: Collection[str]) -> list[Feed]:
    """The stored feeds whose URL is not among `keep` (the watch file's), by URL."""
    wanted = set(keep)
    return [f for f in session.exec(select(Feed).order_by(col(Feed.url))).all() if f.url not in wanted]


def prune_feeds(session: Session, *, keep: Collection[str]) -> Pruned:
    """Delete every feed not among `keep`, with its entries and their kept pages (articles stay)."""
    stale = stale_feeds(session, keep=keep)
    feed_ids = [f.id for f in stale if f.id is not None]
    entries = pages = 0
    for start in range(0, len(feed_ids), _CHUNK):
        chunk = feed_ids[start : start + _CHUNK]
        entry_ids = select(Entry.id).where(col(Entry.feed_id).in_(chunk))
        # Children first: the foreign keys are enforced (SQLite's foreign_keys pragma, PostgreSQL).
        pages += _count(session.execute(delete(RawPage).where(col(RawPage.entry_id).in_(entry_ids))))
        entries += _count(session.execute(delete(Entry).where(col(Entry.feed_id).in_(chunk))))
        session.execute(delete(Feed).where(col(Feed.id).in_(chunk)))
    return Pruned(tuple(f.url for f in stale), entries, pages)


def _count(result: object) -> int:
    """The rows a DELETE removed (0 when the driver cannot say)."""
    count = getattr(result, "rowcount", 0)
    return count if isinstance(count, int) and count > 0 else 0
