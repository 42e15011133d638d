"""Pages the relevance gate left unread: kept compressed, found again by URL, purged when they expire."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import RawPage, utcnow


@dataclass(frozen=True)
class KeptPage:
    """A page to keep: whose it is, its packed markup and the gate that skipped it."""

    url: str
    entry_id: int
    content: bytes
    size: int
    gate: str


def keep_pages(session: Session, pages: Sequence[KeptPage]) -> None:
    """Store packed pages, one statement; a URL kept before gets the newer copy (and gate, and time)."""
    if not pages:
        return
    now = utcnow()
    rows = {p.url: {"url": p.url, "entry_id": p.entry_id, "content": p.content, "codec": "zstd",
                    "size": p.size, "gate": p.gate, "kept_at": now} for p in pages}  # fmt: skip
    table = RawPage.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    fresh = {name: statement.excluded[name] for name in ("entry_id", "content", "size", "gate", "kept_at")}
    session.execute(statement.on_conflict_do_update(index_elements=["url"], set_=fresh), list(rows.values()))


def kept_urls(session: Session, urls: Sequence[str], *, gate: str) -> set[str]:
    """Which of `urls` are kept, skipped by this very gate: reading them again would skip them again."""
    found: set[str] = set()
    for start in range(0, len(urls), 500):
        chunk = list(urls[start : start + 500])
        found.update(
            session.exec(select(RawPage.url).where(col(RawPage.url).in_(chunk), RawPage.gate == gate)).all()
        )
    return found


def pages_to_retest(session: Session, *, gate: str) -> list[int]:
    """The ids of the kept pages that another gate skipped (the watch file changed since), oldest first."""
    query = select(RawPage.id).where(RawPage.gate != gate).order_by(col(RawPage.kept_at), col(RawPage.id))
    return [i for i in session.exec(query).all() if i is not None]


def purge_pages(session: Session, *, before: datetime) -> int:
    """Delete the pages kept before `before`; how many went."""
    result = session.execute(delete(RawPage).where(col(RawPage.kept_at) < before))
    return int(getattr(result, "rowcount", 0) or 0)
