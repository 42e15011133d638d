"""Pages kept unread, read after all: those the watch file's gate now admits are extracted into articles."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from extractors.articles import Article as Extracted
from extractors.articles import article_from_entry
from extractors.feeds import FeedEntry
from extractors.gate import gate_for
from extractors.topic import Topic
from newswatch.jobs import PageReading
from newswatch.packing import unpack
from newswatch.storing import new_article
from newswatch.workers import WorkerPool
from storage.db import session_scope
from storage.models import Article, Entry, RawPage
from storage.rawpages import pages_to_retest


@dataclass(frozen=True)
class Rereading:
    """Kept pages tested again with the current gate, and how many it admitted (now articles)."""

    tested: int
    read: int


def read_kept_pages(engine: Engine, *, topics: Sequence[Topic], pool: WorkerPool | None = None) -> Rereading:
    """Test every page kept under another gate (the watch file changed) with the gate of `topics`: extract
    the admitted ones into articles, each in its own transaction, and mark the rest as tested. Their
    findings are then detected like every stored article's (`newswatch reprocess` does both)."""
    gate = gate_for(topics)
    with Session(engine) as session:
        ids = pages_to_retest(session, gate=gate.fingerprint)
    if not ids:
        return Rereading(0, 0)
    read = 0
    with contextlib.nullcontext(pool) if pool else WorkerPool() as workers:
        cap = workers.settings.max_page_bytes
        for page_id in ids:
            with session_scope(engine) as session:
                page = session.get(RawPage, page_id)
                entry = session.get(Entry, page.entry_id) if page is not None else None
                if page is None or entry is None:
                    continue
                content = unpack(page.content, limit=cap)
                if not gate.admits(content, entry.title, entry.summary):
                    page.gate = gate.fingerprint
                    continue
                article = _article(workers, page.url, entry, content)
                session.add(article)
                session.flush()
                session.execute(  # every entry linking the page (other feeds' too) now has its article
                    update(Entry)
                    .where(col(Entry.link) == page.url, col(Entry.article_id).is_(None))
                    .values(article_id=article.id)
                )
                session.delete(page)
                read += 1
    return Rereading(len(ids), read)


def _article(pool: WorkerPool, url: str, entry: Entry, content: bytes) -> Article:
    """The article row of a kept page, extracted in a worker; the feed's text when there is no main text."""
    outcome = pool.run("read_page", content, url, entry.title, (), entry.published is None)
    reading: PageReading | None = outcome.value if outcome.error is None else None
    extracted: Extracted | None = reading.article if reading is not None else None
    reason = None if extracted else f"extraction_failed: {outcome.detail or 'no main text found in the page'}"
    if extracted is None:
        extracted = article_from_entry(
            FeedEntry(guid=entry.guid, link=entry.link, title=entry.title, published=entry.published,
                      summary=entry.summary)
        )  # fmt: skip
    return new_article(url, entry, extracted, reason)
