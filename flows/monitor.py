"""The monitoring flow: poll every feed, read new articles, store findings, send alerts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from prefect import State, flow, get_run_logger, tags, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run, task_run
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.topic import Topic
from flows.report import RunSummary, publish_artifacts
from newswatch.delivery import Channel, SendReport, check_health, resolve_channels, send_due, targets_by_topic
from newswatch.fetcher import Fetcher
from newswatch.pipeline import PollResult, PreparedEntry, ReadResult, poll_feed, prepare_entry, store_in_order
from newswatch.settings import Settings, get_settings
from newswatch.watchfile import Watch, WatchFileError, load_watch
from storage.db import get_engine, session_scope
from storage.feeds import ensure_feeds
from storage.ledger import Target

FEED_RETRIES = 2


class TransientFeedError(RuntimeError):
    """A timeout or transport error on a feed: worth another try."""


def _transient_only(_task: object, _run: object, state: State) -> bool:
    """Retry a feed on timeouts and transport errors only, never on a bug or a bad feed."""
    return isinstance(state.data, TransientFeedError)


@task(
    task_run_name="poll {url}",
    retries=FEED_RETRIES,
    retry_delay_seconds=[1, 5],
    retry_condition_fn=_transient_only,
    cache_policy=NO_CACHE,
)
def poll(fetcher: Fetcher, settings: Settings, feed_id: int, url: str) -> PollResult:
    """Poll one feed; transport errors are retried, the last failure is recorded on the feed."""
    engine = get_engine(settings.database_url)
    last_try = (task_run.run_count or 1) > FEED_RETRIES
    result = poll_feed(fetcher, engine, feed_id=feed_id, settings=settings, record_transient=last_try)
    if result.status == "retry":
        raise TransientFeedError(f"{url}: {result.error}")
    if result.error:
        get_run_logger().warning("feed %s failed: %s (%s)", url, result.status, result.error)
    return result


@task(task_run_name="read {count} articles from {url}", cache_policy=NO_CACHE)
def read_articles(
    fetcher: Fetcher,
    settings: Settings,
    url: str,
    entry_ids: Sequence[int],
    count: int,
    topics: Sequence[Topic],
) -> list[PreparedEntry]:
    """Fetch, extract and detect a feed's new entries (each article once); nothing is written yet."""
    engine = get_engine(settings.database_url)
    prepared = (prepare_entry(fetcher, engine, entry_id=e, topics=topics) for e in entry_ids)
    return [p for p in prepared if p is not None]


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

    summary = RunSummary.start(topics=[t.name for t in watch.topics])
    with Fetcher(settings) as fetcher, tags(*(f"topic:{t.name}" for t in watch.topics)):
        polls = [poll.submit(fetcher, settings, i, u) for u, i in feed_ids.items()]
        reads: list[PrefectFuture[list[PreparedEntry]]] = []
        for future in as_completed(polls):
            result = future.result(raise_on_failure=False)
            if not isinstance(result, PollResult):
                summary.add_crashed_poll(str(result))
                continue
            summary.add_poll(result)
            if result.to_read:
                topics = topics_of.get(result.url, watch.topics)
                entry_ids = list(result.to_read)
                reads.append(
                    read_articles.submit(fetcher, settings, result.url, entry_ids, len(entry_ids), topics)
                )
        prepared = [p for read in reads for p in read.result()]
    by_name = {t.name: t for t in watch.topics}
    summary.add_reads(store_articles(settings, prepared, len(prepared), by_name, targets))
    summary.add_sends(send_alerts(settings, channels))
    publish_artifacts(summary)
    get_run_logger().info("%s", summary.one_line())
    return summary
