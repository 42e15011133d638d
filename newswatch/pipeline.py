"""One monitoring pass as plain functions: poll a feed, read its entries' articles, store what is new."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from alerts.message import Previous
from alerts.payload import finding_payload
from extractors.articles import Article as ExtractedArticle
from extractors.articles import article_from_entry, not_html_reason
from extractors.feeds import FeedEntry, ParsedFeed
from extractors.findings import Finding as Detected
from extractors.gate import Gate
from extractors.limits import bound_findings
from extractors.topic import Topic
from extractors.untrusted import DETAIL_CHARS, clean_line
from newswatch.discovery import HTML_PAGE, PageFeed, follow_feeds, followed_note, page_feed
from newswatch.fetcher import Fetcher, FetchResult
from newswatch.guard import AddressGuard
from newswatch.progress import count_read
from newswatch.settings import Settings
from newswatch.workers import JobOutcome, PageReading, WorkerPool, WorkerSettings
from newswatch.workers import document_text as document_text  # re-exported: reprocessing reads it here
from storage.claims import ClaimChange
from storage.feeds import NewEntry, Poll, record_group, unprocessed_entries
from storage.models import Article, Entry, Feed
from storage.rawpages import kept_urls

HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
FEED_ACCEPT = "application/rss+xml,application/atom+xml,application/rdf+xml,application/xml;q=0.9,*/*;q=0.5"
_INLINE = WorkerPool(WorkerSettings(workers=0))  # plain calls, for callers without a pool
RETRY_DELAYS = (1.0, 5.0)  # seconds before the second and third try of a feed that timed out
FETCHES_PER_CALL = 2  # feeds fetched at once by one poll_feeds call (the fetcher bounds the total)


@dataclass(frozen=True)
class PollResult:
    """One feed's poll: its status (ok, not_modified or an error class) and its entries to read."""

    feed_id: int
    url: str
    status: str
    error: str | None
    new_entries: int
    to_read: tuple[int, ...]
    bozo: bool = False


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


def poll_feeds(
    fetcher: Fetcher,
    engine: Engine,
    *,
    feed_ids: Sequence[int],
    settings: Settings,
    pool: WorkerPool | None = None,
    retry_delays: Sequence[float] = RETRY_DELAYS,
    discover: bool = False,
) -> list[PollResult]:
    """Fetch feeds with conditional GET (timeouts and transport errors tried again after each of
    `retry_delays`), parse the changed ones in the pool, then store their new entries and record every
    poll in one transaction; returns each feed's result with the entries still to read. A feed URL that
    answers with a web page fails as html_page naming the feed the page links to; with `discover`, that
    feed is read instead."""
    with Session(engine) as session:
        feeds = session.exec(
            select(Feed.id, Feed.url, Feed.etag, Feed.last_modified).where(col(Feed.id).in_(feed_ids))
        ).all()
    fetched: dict[int | None, FetchResult] = {}
    todo = list(feeds)
    with ThreadPoolExecutor(max_workers=max(1, min(FETCHES_PER_CALL, len(todo)))) as threads:
        for delay in (0.0, *retry_delays):
            if not todo:
                break
            time.sleep(delay)
            answers = threads.map(
                lambda f: fetcher.fetch(f[1], etag=f[2], last_modified=f[3], accept=FEED_ACCEPT), todo
            )
            fetched.update((feed[0], answer) for feed, answer in zip(todo, answers, strict=True))
            # A server that says when to come back is not asked again within the pass.
            todo = [f for f in todo if fetched[f[0]].retryable and fetched[f[0]].retry_after is None]
        guard = AddressGuard.from_setting(settings.allowed_networks)
        pages = {i: page for i, r in fetched.items() if i is not None and (page := page_feed(r, guard))}
        followed = follow_feeds(lambda u: fetcher.fetch(u, accept=FEED_ACCEPT), pages) if discover else {}
        fetched.update(followed.items())
        read = list(
            threads.map(
                lambda f: _read_page_or_feed(
                    pool or _INLINE, fetched[f[0]], settings, pages.get(f[0]), f[0] in followed
                ),
                feeds,
            )
        )
    polls = [_poll(feed[0], fetched[feed[0]], *parse) for feed, parse in zip(feeds, read, strict=True)]
    listed = {
        poll.feed_id: [_new_entry(e) for e in parsed.entries]
        for poll, (status, _error, parsed) in zip(polls, read, strict=True)
        if parsed is not None and status == "ok"
    }
    # The entries first: a feed's new entries move its quiet time, and so when it is polled next.
    added = record_group(engine, entries=listed, polls=polls)
    with Session(engine) as session:
        waiting = unprocessed_entries(session, feed_ids=feed_ids, limit=settings.max_articles_per_feed)
    urls = {feed[0]: feed[1] for feed in feeds}
    order = {feed_id: n for n, feed_id in enumerate(feed_ids)}
    return [
        PollResult(
            p.feed_id,
            urls[p.feed_id],
            p.status,
            p.error,
            added.get(p.feed_id, 0),
            waiting.get(p.feed_id, ()),
            p.bozo,
        )
        for p in sorted(polls, key=lambda p: order[p.feed_id])
    ]


def _read(
    pool: WorkerPool, result: FetchResult, settings: Settings
) -> tuple[str, str | None, ParsedFeed | None]:
    """A fetched feed's status, error (or noted malformation) and parsed entries."""
    if result.not_modified:
        return "not_modified", None, None
    if not result.ok:
        return result.error or "transport", result.detail, None
    return _parse(pool, result, settings)


def _read_page_or_feed(
    pool: WorkerPool, result: FetchResult, settings: Settings, page: PageFeed | None, followed: bool
) -> tuple[str, str | None, ParsedFeed | None]:
    """`_read`, for a feed URL that may have answered with a web page (`page`) and had its link followed."""
    if page is None:
        return _read(pool, result, settings)
    if not followed:
        return HTML_PAGE, page.detail, None
    status, error, parsed = _read(pool, result, settings)
    if status == "ok":  # a note, as for a malformed feed: the poll is ok, the note says how
        error = "; ".join([followed_note(page), *([error] if error else [])])
    else:  # the failure is the linked feed's, not the page's: say which URL failed
        error = f"the feed this HTML page links to, {page.feed_url}: {error or status}"
    return status, error, parsed


def _poll(
    feed_id: int | None, result: FetchResult, status: str, error: str | None, parsed: ParsedFeed | None
) -> Poll:
    """One feed's poll as storage records it."""
    assert feed_id is not None
    return Poll(
        feed_id=feed_id,
        status=status,
        error=error,
        etag=result.etag,
        last_modified=result.last_modified,
        title=parsed.title if parsed else None,
        bozo=bool(parsed and parsed.bozo),
        next_poll_in=_asked_wait(parsed, result),
        retry_after=timedelta(seconds=result.retry_after) if result.retry_after else None,
    )


def _parse(
    pool: WorkerPool, result: FetchResult, settings: Settings
) -> tuple[str, str | None, ParsedFeed | None]:
    """Parse fetched feed bytes in a worker: status, error (or the malformation noted) and the feed."""
    outcome = pool.run(
        "read_feed", result.content, result.final_url, result.content_type, settings.max_entries_per_feed
    )
    if outcome.error is not None:
        kind = "too_large" if outcome.error == "memory" else "parse_error"
        return kind, f"parsing the feed {outcome.detail}", None
    parsed: ParsedFeed = outcome.value
    if parsed.error:
        return parsed.error, parsed.bozo_reason, None
    # A feed that was readable but malformed keeps status ok; the note says what was wrong with it.
    notes = [*parsed.notes, *([parsed.bozo_reason] if parsed.bozo and parsed.bozo_reason else [])]
    return "ok", "; ".join(notes)[:500] or None, parsed


def _asked_wait(parsed: ParsedFeed | None, result: FetchResult) -> timedelta | None:
    """How long the feed asks us to wait: its TTL, else its Cache-Control max-age."""
    if parsed is not None and parsed.ttl_minutes:
        return timedelta(minutes=parsed.ttl_minutes)
    return timedelta(seconds=result.max_age) if result.max_age else None


def _new_entry(entry: FeedEntry) -> NewEntry:
    return NewEntry(
        guid=entry.guid, link=entry.link, title=entry.title, summary=entry.summary, published=entry.published
    )


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
