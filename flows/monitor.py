"""The monitoring flow: poll every feed due, read new articles, store findings, send alerts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from prefect import State, flow, get_run_logger, tags, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.runtime import flow_run, task_run
from prefect.task_runners import ThreadPoolTaskRunner
from sqlmodel import Session

from extractors.topic import Topic
from flows.report import RunSummary, publish_artifacts
from newswatch.delivery import Channel, SendReport, check_health, resolve_channels, send_due, targets_by_topic
from newswatch.fetcher import Fetcher
from newswatch.pipeline import PollResult, PreparedEntry, ReadResult, poll_feed, prepare_entries
from newswatch.settings import Settings, get_settings
from newswatch.storing import store_in_order
from newswatch.watchfile import Watch, WatchFileError, load_watch
from newswatch.workers import WorkerPool
from storage.db import get_engine, session_scope
from storage.feeds import FeedLocks, due_feeds, ensure_feeds
from storage.ledger import Target

FEED_RETRIES = 2


class TransientFeedError(RuntimeError):
    """A timeout or transport error on a feed: worth another try."""


def _transient_only(_task: object, _run: object, state: State) -> bool:
    """Retry a feed on timeouts and transport errors only, never on a bug or a bad feed."""
    return isinstance(state.data, TransientFeedError)


@dataclass(frozen=True)
class FeedRead:
    """One feed's share of the pass: its poll, and its new entries read and detected (not stored yet)."""

    poll: PollResult
    prepared: list[PreparedEntry]


@task(
    task_run_name="feed {url}",
    retries=FEED_RETRIES,
    retry_delay_seconds=[1, 5],
    retry_condition_fn=_transient_only,
    cache_policy=NO_CACHE,
)
def read_feed(
    fetcher: Fetcher, pool: WorkerPool, settings: Settings, feed_id: int, url: str, topics: Sequence[Topic]
) -> FeedRead:
    """Poll one feed, then fetch, extract and detect its new entries' articles (each once); nothing of the
    articles is written yet. Transport errors on the feed are retried; the last failure is recorded."""
    engine = get_engine(settings.database_url)
    last_try = (task_run.run_count or 1) > FEED_RETRIES
    poll = poll_feed(
        fetcher, engine, feed_id=feed_id, settings=settings, record_transient=last_try, pool=pool
    )
    if poll.status == "retry":
        raise TransientFeedError(f"{url}: {poll.error}")
    logger = get_run_logger()
    if poll.error:
        logger.warning("feed %s: %s (%s)", url, poll.status, poll.error)
    prepared = prepare_entries(fetcher, engine, entry_ids=poll.to_read, topics=topics, pool=pool)
    if prepared:
        fallbacks = [p.reason for p in prepared if p.reason]
        logger.info(
            "read %d articles (%d from the feed's text: %s)", len(prepared), len(fallbacks), fallbacks[:3]
        )
    return FeedRead(poll, prepared)


@task(task_run_name="store {count} articles", cache_policy=NO_CACHE)
def store_articles(
    settings: Settings,
    prepared: Sequence[PreparedEntry],
    count: int,
    topics: Mapping[str, Topic],
    targets: Mapping[str, Sequence[Target]],
) -> list[ReadResult]:
    """Store articles, findings and alert rows in publication order; each entry in one transaction."""
    engine = get_engine(settings.database_url)
    return store_in_order(engine, prepared, topics=topics, targets=targets)


@task(task_run_name="send alerts", cache_policy=NO_CACHE)
def send_alerts(settings: Settings, channels: Sequence[Channel]) -> SendReport:
    """Raise feed-health alerts, then deliver everything due (this run's and earlier pending ones)."""
    engine = get_engine(settings.database_url)
    check_health(engine, channels, settings)
    return send_due(engine, channels, settings)


def _run_name() -> str:
    """`<topics> <time>`: which topics the pass watched, and when (the UI lists runs by name)."""
    params = flow_run.parameters or {}
    path = params.get("watch_file") or get_settings().watch_file
    try:
        topics = ", ".join(t.name for t in load_watch(Path(path)).topics)
    except WatchFileError:
        topics = "newswatch"
    return f"{topics} {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"


@flow(
    name="newswatch-monitor",
    flow_run_name=_run_name,
    # Fetches wait on the network; the fetcher's own semaphores bound load per host and overall.
    task_runner=ThreadPoolTaskRunner(max_workers=16),  # type: ignore[arg-type]  # Prefect types its runners invariantly
)
def monitor(watch_file: str | None = None, feeds: list[str] | None = None) -> RunSummary:
    """One monitoring pass over the watch file's feeds (or `feeds`, read for all its topics)."""
    settings = get_settings()
    watch: Watch = load_watch(Path(watch_file) if watch_file else settings.watch_file)
    if feeds:
        watch = watch.with_feeds(feeds)
    engine = get_engine(settings.database_url)
    with session_scope(engine) as session:
        feed_ids = ensure_feeds(session, urls=[f.url for f in watch.feeds])
    channels = resolve_channels(watch, settings)
    targets = {k: tuple(v) for k, v in targets_by_topic(channels).items()}
    topics_of = {f.url: tuple(watch.topic(t) for t in f.topics) for f in watch.feeds}

    summary = RunSummary.start(topics=[t.name for t in watch.topics], watch_file=watch_file)
    logger = get_run_logger()
    prepared: list[PreparedEntry] = []
    with (
        Fetcher(settings) as fetcher,
        WorkerPool() as pool,
        FeedLocks(engine) as locks,
        tags(*(f"topic:{t.name}" for t in watch.topics)),
    ):
        # A feed held by an overlapping pass is its to read: skipping it means no article is read twice.
        # Whether a feed is due is read once it is held, so the other pass's poll is already recorded.
        held = locks.acquire(list(feed_ids.values()))
        with Session(engine) as session:
            due = set(due_feeds(session, feed_ids=held))
        for feed_id in set(held) - due:
            locks.release(feed_id)
        mine = {u: i for u, i in feed_ids.items() if i in due}
        if len(mine) < len(feed_ids):
            logger.info(
                "%d feeds held by another pass, %d not due yet",
                len(feed_ids) - len(held),
                len(held) - len(due),
            )
        reads = [
            read_feed.submit(fetcher, pool, settings, i, u, topics_of.get(u, watch.topics))
            for u, i in mine.items()
        ]
        for future in as_completed(reads):
            result = future.result(raise_on_failure=False)
            if not isinstance(result, FeedRead):
                summary.add_crashed_poll(str(result))
                continue
            summary.add_poll(result.poll)
            if not result.prepared:
                locks.release(result.poll.feed_id)
            prepared.extend(result.prepared)
        by_name = {t.name: t for t in watch.topics}
        # Stored while this pass still holds the feeds: their entries are its own until marked processed.
        summary.add_reads(store_articles(settings, prepared, len(prepared), by_name, targets))
    summary.add_sends(send_alerts(settings, channels))
    publish_artifacts(summary)
    get_run_logger().info("%s", summary.one_line())
    return summary
