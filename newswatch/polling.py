"""A feed polled as a plain function: fetched (conditionally), parsed in a worker, its new entries recorded."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from extractors.feeds import FeedEntry, ParsedFeed
from newswatch.discovery import HTML_PAGE, PageFeed, follow_feeds, followed_note, page_feed
from newswatch.fetcher import Fetcher, FetchResult
from newswatch.guard import AddressGuard
from newswatch.settings import Settings
from newswatch.workers import WorkerPool, WorkerSettings
from storage.feeds import NewEntry, Poll, record_group, unprocessed_entries
from storage.models import Feed

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
