"""An entry read as plain functions: its page fetched, gated, extracted and detected in a worker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from alerts.message import Previous
from alerts.payload import finding_payload
from extractors.articles import Article as ExtractedArticle
from extractors.articles import article_from_entry, not_html_reason
from extractors.feeds import FeedEntry
from extractors.findings import Finding as Detected
from extractors.gate import Gate
from extractors.limits import bound_findings
from extractors.topic import Topic
from extractors.untrusted import DETAIL_CHARS, clean_line
from newswatch.fetcher import Fetcher
from newswatch.jobs import PageReading, document_text
from newswatch.progress import count_read
from newswatch.workers import JobOutcome, WorkerPool, WorkerSettings
from storage.claims import ClaimChange
from storage.models import Article, Entry
from storage.rawpages import kept_urls

HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
_INLINE = WorkerPool(WorkerSettings(workers=0))  # plain calls, for callers without a pool


@dataclass(frozen=True)
class ReadResult:
    """One entry read: where its text came from and what it added."""

    entry_id: int
    article_id: int | None
    downloaded: bool
    source: str  # page, feed, known (read before), kept (named no topic) or skipped (already processed)
    fallback_reason: str | None  # "<error class>: <detail>" when the feed's text stood in for the page
    new: tuple[ClaimChange, ...]
    repeated: int
    dropped: int = 0  # findings past the per-article cap, not stored
    baseline: str | None = None  # why its new findings were stored without an alert (alerts.backlog)


@dataclass(frozen=True)
class PreparedEntry:
    """An entry read and detected but not stored yet: the slow, parallel half of reading."""

    entry_id: int
    published: datetime | None  # the order in which prepared entries are stored
    known_article_id: int | None  # the article was read before (same canonical URL): not downloaded
    article: ExtractedArticle | None
    reason: str | None  # why the feed's own text stood in for the page ("<error class>: <detail>")
    downloaded: bool
    findings: Mapping[str, Sequence[Detected]]  # by topic name
    feed_id: int = 0
    dropped: int = 0  # findings past the per-article cap (extractors.limits), not stored
    kept_as: str | None = None  # the gate that skipped the page (it names no topic): kept, not read
    kept: bytes | None = None  # the page packed for keeping (None: kept already, under the same gate)
    size: int = 0  # the kept page's bytes before packing


def prepare_entries(
    fetcher: Fetcher,
    engine: Engine,
    *,
    entry_ids: Sequence[int],
    topics: Mapping[int, Sequence[Topic]],
    pool: WorkerPool | None = None,
    readers: int = 1,
    gate: Gate | None = None,
) -> list[PreparedEntry]:
    """Fetch, extract and detect entries' articles (each article once; nothing written), `readers` at a
    time, in the order given; entries already processed are left out. `topics`: by feed id. Extraction and
    detection run in the pool's workers; with a `gate`, pages that name no topic are packed instead, and
    a link kept by the same gate before is not fetched again."""
    workers = pool or _INLINE
    with Session(engine) as session:
        rows = session.exec(
            select(Entry).where(col(Entry.id).in_(entry_ids), col(Entry.processed_at).is_(None))
        ).all()
        links = [e.link for e in rows if e.link]
        known = {
            url: (article_id, title, text)
            for article_id, url, title, text in session.exec(
                select(Article.id, Article.url, Article.title, Article.text).where(
                    col(Article.url).in_(links)
                )
            ).all()
        }
        kept = (
            kept_urls(session, [u for u in links if u not in known], gate=gate.fingerprint) if gate else set()
        )
    order = {entry_id: n for n, entry_id in enumerate(entry_ids)}
    entries = sorted(rows, key=lambda e: order.get(e.id or 0, 0))

    def prepare(entry: Entry) -> PreparedEntry:
        if gate is not None and entry.link in kept:
            assert entry.id is not None
            count_read()
            return PreparedEntry(entry.id, entry.published, None, None, None, False, {}, entry.feed_id, kept_as=gate.fingerprint)  # fmt: skip
        try:
            return _prepare(
                fetcher, workers, entry, known.get(entry.link), topics.get(entry.feed_id, ()), gate
            )
        finally:
            count_read()  # counted as it happens: nothing of a read article is written until it is stored

    if readers <= 1 or len(entries) <= 1:
        return [prepare(e) for e in entries]
    with ThreadPoolExecutor(min(readers, len(entries))) as threads:
        return list(threads.map(prepare, entries))


def _prepare(
    fetcher: Fetcher,
    pool: WorkerPool,
    entry: Entry,
    known: tuple[int | None, str | None, str] | None,
    topics: Sequence[Topic],
    gate: Gate | None = None,
) -> PreparedEntry:
    """An entry read and detected, its findings within the per-article bounds (the rest counted)."""
    prepared, document = _read_entry(fetcher, pool, entry, known, topics, gate)
    bounded = bound_findings(document, prepared.findings)
    return replace(prepared, findings=bounded.findings, dropped=bounded.dropped)


def _read_entry(
    fetcher: Fetcher,
    pool: WorkerPool,
    entry: Entry,
    known: tuple[int | None, str | None, str] | None,
    topics: Sequence[Topic],
    gate: Gate | None,
) -> tuple[PreparedEntry, str]:
    assert entry.id is not None
    if known is not None:
        document = document_text(known[1], known[2])
        findings = _detect(pool, document, topics)
        return PreparedEntry(entry.id, entry.published, known[0], None, None, False, findings, entry.feed_id), document  # fmt: skip
    reading, reason = _read_page(fetcher, pool, entry, topics, gate)
    if reading is not None and reading.kept is not None and gate is not None:
        kept = PreparedEntry(entry.id, entry.published, None, None, None, True, {}, entry.feed_id,
                             kept_as=gate.fingerprint, kept=reading.kept, size=reading.size)  # fmt: skip
        return kept, ""
    if reading is not None and reading.article is not None:
        published = entry.published or reading.article.published
        document = document_text(reading.article.title or entry.title, reading.article.text)
        return PreparedEntry(entry.id, published, None, reading.article, None, True, reading.findings, entry.feed_id), document  # fmt: skip
    feed_entry = FeedEntry(
        guid=entry.guid, link=entry.link, title=entry.title, published=entry.published, summary=entry.summary
    )
    article = article_from_entry(feed_entry)
    document = document_text(article.title or entry.title, article.text)
    findings = _detect(pool, document, topics)
    downloaded = entry.link != ""
    return PreparedEntry(
        entry.id, entry.published, None, article, reason, downloaded, findings, entry.feed_id
    ), document


def _read_page(
    fetcher: Fetcher, pool: WorkerPool, entry: Entry, topics: Sequence[Topic], gate: Gate | None = None
) -> tuple[PageReading | None, str | None]:
    """The page read (or, when the gate skipped it, packed) in a worker, or None with "<error class>:
    <detail>" saying why not."""
    if not entry.link:
        return None, "no_link: the feed entry has no link"
    result = fetcher.fetch(entry.link, accept=HTML_ACCEPT)
    if not result.ok:
        return None, f"{result.error}: {result.detail or ''}".strip(": ")
    refused = not_html_reason(result.content, result.content_type)
    if refused is not None:
        return None, refused
    cap = pool.settings.max_page_bytes
    if len(result.content) > cap:
        return None, f"too_large: the page is {len(result.content)} bytes, over the {cap}-byte extraction cap"
    # A feed's timestamp wins over the page's date (storing prefers it): no need to look for the latter.
    need_date = entry.published is None
    outcome: JobOutcome = pool.run(
        "read_page", result.content, entry.link, entry.title, tuple(topics), need_date, gate, entry.summary
    )
    if outcome.error == "timeout":
        return None, f"extraction_timeout: extracting the page {outcome.detail}"
    if outcome.error == "memory":
        return None, f"too_large: extracting the page {outcome.detail}"
    if outcome.error is not None:
        return None, f"extraction_failed: {clean_line(outcome.detail or '', DETAIL_CHARS)}"
    reading: PageReading = outcome.value
    if reading.kept is not None:
        return reading, None
    if reading.article is None:
        return None, "extraction_failed: no main text found in the page"
    return reading, None


def _detect(pool: WorkerPool, document: str, topics: Sequence[Topic]) -> dict[str, tuple[Detected, ...]]:
    """Findings by topic, found in a worker (an empty result when the worker gave up)."""
    outcome = pool.run("detect", document, tuple(topics))
    return outcome.value if outcome.error is None else {}


def alert_payload(change: ClaimChange, topic: Topic, article: Article) -> dict[str, Any]:
    """What an alert needs, frozen at detection time (the ledger row carries it)."""
    earlier = [Previous(e.display, e.value, e.low, e.high, e.published) for e in change.earlier]
    return finding_payload(
        topic=topic,
        change=change.change,
        finding=change.finding,
        earlier=earlier or [Previous(shown) for shown in change.previous],
        article_title=article.title or "",
        outlet=article.outlet,
        published=article.published,
        url=article.url,
    )
