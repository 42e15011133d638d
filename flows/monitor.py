"""The monitoring flow: poll every feed due, read new articles, store findings, send alerts."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar, cast
from uuid import UUID

from prefect import State, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.futures import as_completed
from prefect.runtime import flow_run
from prefect.states import Completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from alerts.backlog import BacklogRule
from extractors.gate import Gate, gate_for
from extractors.topic import Topic
from flows.artifacts import publish_artifacts
from flows.events import emit_pass_events
from flows.outcome import describe_database_error, final_state
from flows.report import RunSummary
from newswatch.channels import Channel, resolve_channels, targets_by_topic
from newswatch.delivery import SendReport, check_health, send_due
from newswatch.environment import warn_unknown_variables
from newswatch.fetcher import Fetcher
from newswatch.pipeline import PreparedEntry, ReadResult, prepare_entries
from newswatch.polling import PollResult, poll_feeds
from newswatch.settings import Settings, backlog_rule, get_settings
from newswatch.storing import store_in_order
from newswatch.watchfile import Watch, WatchFileError, read_watch
from newswatch.workers import WorkerPool
from storage.db import DatabaseError, get_engine, session_scope
from storage.feeds import due_feeds, ensure_feeds
from storage.ledger import Target
from storage.locks import FeedLocks
from storage.models import utcnow
from storage.rawpages import purge_pages

T = TypeVar("T")
# Feeds are read in groups, a task and a transaction per group: with a task and a transaction per feed, a
# pass in which nothing had changed took most of a minute for 1,000 feeds, and a first pass a third longer
# than the same functions called without Prefect. Up to 8 feeds, each feed is a task of its own.
# 8 groups of FETCHES_PER_CALL fetching threads: the fetcher's 16 slots (max_concurrency) busy, and no
# thread waiting for one. Twice as many threads polled no faster and spent a third more CPU contending.
GROUPS = 8
# Groups of at most 2,000 feeds: 10,000 unchanged feeds are 8 groups, not 50 (each a task run and a
# transaction); over two interleaved pairs of passes that took 16.1-16.6 s of CPU instead of 16.9-17.6 s.
MAX_GROUP = 2000
READERS_PER_GROUP = 4  # articles of a group read at once (the fetcher and the worker pool are the limits)


@dataclass(frozen=True)
class GroupRead:
    """A group's share of the pass: each feed's poll, and the new entries read and detected (not stored)."""

    polls: list[PollResult]
    prepared: list[PreparedEntry]


@task(task_run_name="feed {label}", cache_policy=NO_CACHE)
def read_feeds(
    fetcher: Fetcher,
    pool: WorkerPool,
    settings: Settings,
    feed_ids: Sequence[int],
    label: str,
    topics_of: Mapping[str, Sequence[Topic]],
    gate: Gate | None = None,
    discover: bool = False,
) -> GroupRead | State:
    """Poll feeds (a timeout or transport error is tried twice more, 1 s and 5 s later), record each poll,
    then fetch, extract and detect the new entries' articles (each once); nothing of them is written yet."""
    engine = get_engine(settings.database_url)
    polls = poll_feeds(fetcher, engine, feed_ids=feed_ids, settings=settings, pool=pool, discover=discover)
    logger = get_run_logger()
    failed = [p for p in polls if p.status not in ("ok", "not_modified")]
    for poll in failed:
        logger.warning("feed %s: %s (%s)", poll.url, poll.status, poll.error)

    # The whole group's entries in one query, then READERS_PER_GROUP of them read at a time.
    prepared = prepare_entries(
        fetcher,
        engine,
        entry_ids=[entry_id for p in polls for entry_id in p.to_read],
        topics={p.feed_id: topics_of[p.url] for p in polls},
        pool=pool,
        readers=READERS_PER_GROUP,
        gate=gate,
    )
    fallbacks = [p.reason for p in prepared if p.reason]
    logger.info(
        "%d articles read (%d from the feed's own text: %s)", len(prepared), len(fallbacks), fallbacks[:3]
    )
    if failed:
        # Named, so the UI shows which feeds failed, yet Completed: a bad feed never turns the run red.
        message = "; ".join(f"{p.url}: {p.status}: {p.error}" for p in failed)[:2000]
        name = "Feed failed" if len(polls) == 1 else f"{len(failed)} of {len(polls)} feeds failed"
        return Completed(name=name, message=message, data=GroupRead(polls, prepared))
    return GroupRead(polls, prepared)


def whole(value: T) -> T:
    """`value` passed to a task as it is: quote()d, so that Prefect does not walk it (typed as the value)."""
    # Prefect otherwise walks and rebuilds every object of every argument, looking for futures: for a first
    # pass's 5,000 read articles that cost more CPU than all of its polling.
    return cast(T, quote(value))


def _groups(feeds: Mapping[str, int]) -> list[list[tuple[str, int]]]:
    """Feeds split into at most GROUPS groups (of at most MAX_GROUP), which are read in parallel."""
    items = list(feeds.items())
    size = min(MAX_GROUP, max(1, -(-len(items) // GROUPS)))
    return [items[start : start + size] for start in range(0, len(items), size)]


@task(task_run_name="store {count} articles", cache_policy=NO_CACHE)
def store_articles(
    settings: Settings,
    prepared: Sequence[PreparedEntry],
    count: int,
    topics: Mapping[str, Topic],
    targets: Mapping[str, Sequence[Target]],
    backlog: BacklogRule,
) -> list[ReadResult]:
    """Store articles, findings and alert rows in publication order; each entry in one transaction (a
    feed's baseline without alert rows)."""
    engine = get_engine(settings.database_url)
    stored = store_in_order(engine, prepared, topics=topics, targets=targets, backlog=backlog)
    with session_scope(engine) as session:  # pages kept unread expire (one indexed DELETE)
        purge_pages(session, before=utcnow() - settings.raw_retention)
    return stored


@task(task_run_name="send alerts", cache_policy=NO_CACHE)
def send_alerts(settings: Settings, channels: Sequence[Channel]) -> SendReport:
    """Raise feed-health alerts, then deliver everything due (this run's and earlier pending ones)."""
    engine = get_engine(settings.database_url)
    check_health(engine, channels, settings)
    return send_due(engine, channels, settings)


def _tag_run(names: Iterable[str]) -> None:
    """Tag this flow run by topic, so the UI can list a topic's runs. Not its task runs: Prefect asks its
    server for a concurrency slot for every tagged task run, a round trip each (a minute per 1,000)."""
    if flow_run.id is None:
        return
    with get_client(sync_client=True) as client:
        run_id = UUID(flow_run.id)
        current = client.read_flow_run(run_id).tags
        client.update_flow_run(run_id, tags=sorted({*current, *names}))


def parse_shard(shard: str) -> tuple[int, int]:
    """Shard "i/n" as (i, n); ValueError unless 0 <= i < n."""
    index, _, count = shard.partition("/")
    if not (index.isdigit() and count.isdigit() and int(index) < int(count)):
        raise ValueError(f"shard {shard!r} is not i/n with 0 <= i < n (e.g. 0/2)")
    return int(index), int(count)


def in_shard(url: str, shard: str) -> bool:
    """Whether a feed belongs to shard "i/n": a stable hash of its URL, the same on every machine, so n
    deployments with shards 0/n ... n-1/n share the feeds without overlap."""
    index, count = parse_shard(shard)
    return zlib.crc32(url.encode()) % count == index


def _run_name() -> str:
    """`<topics> <time>`: which topics the pass watched, and when (the UI lists runs by name)."""
    params = flow_run.parameters or {}
    path = params.get("watch_file") or get_settings().watch_file
    try:
        topics = ", ".join(t.name for t in read_watch(Path(path)).topics)
    except WatchFileError:
        topics = "newswatch"
    return f"{topics} {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"


@flow(
    name="newswatch-monitor",
    flow_run_name=_run_name,
    # Fetches wait on the network; the fetcher's own semaphores bound load per host and overall.
    task_runner=ThreadPoolTaskRunner(max_workers=16),  # type: ignore[arg-type]  # Prefect types its runners invariantly
)
def monitor(
    watch_file: str | None = None,
    feeds: list[str] | None = None,
    shard: str | None = None,
    baseline: bool = False,
    discover: bool = False,
) -> State:
    """One monitoring pass over the watch file's feeds (or `feeds`, read for all its topics); with `shard`
    "i/n", over the i-th of n shares of them (deployments with different shards run on different workers);
    with `baseline`, everything is stored and nothing alerted; with `discover`, a feed URL that answers with
    a web page is read through the feed the page links to. Ends Completed with a one-line message (its
    result the RunSummary), or Failed when every feed, the database or every channel failed."""
    warn_unknown_variables()  # a deployment's run starts here, not at the command line
    settings = get_settings()
    watch: Watch = read_watch(Path(watch_file) if watch_file else settings.watch_file)
    if feeds:
        watch = watch.with_feeds(feeds)
    if shard is not None:
        parse_shard(shard)  # a malformed shard fails the run before anything is polled, even with no feeds
    summary = RunSummary.start(topics=[t.name for t in watch.topics], watch_file=watch_file)
    try:
        _run_pass(settings, watch, shard, summary, baseline=baseline, discover=discover)
    except (DatabaseError, SQLAlchemyError) as exc:
        # One line in the runs list instead of a driver's traceback (statement and parameters included).
        summary.database_error = describe_database_error(exc)
        get_run_logger().error("the database failed: %s", summary.database_error)
    publish_artifacts(summary)
    get_run_logger().info("%s", summary.one_line())
    return final_state(summary)


def _run_pass(
    settings: Settings,
    watch: Watch,
    shard: str | None,
    summary: RunSummary,
    *,
    baseline: bool,
    discover: bool,
) -> None:
    """The pass itself: poll, read, store, emit events, send; counted into `summary`."""
    urls = [f.url for f in watch.feeds if shard is None or in_shard(f.url, shard)]
    engine = get_engine(settings.database_url)
    with session_scope(engine) as session:
        feed_ids = ensure_feeds(session, urls=urls)
    channels = resolve_channels(watch, settings)
    targets = {k: tuple(v) for k, v in targets_by_topic(channels).items()}
    topics_of = {f.url: tuple(watch.topic(t) for t in f.topics) for f in watch.feeds}
    # One gate for every topic of the watch file: a page kept unread could be about none of them.
    gate = gate_for(watch.topics) if settings.relevance_gate else None

    logger = get_run_logger()
    prepared: list[PreparedEntry] = []
    _tag_run(f"topic:{t.name}" for t in watch.topics)
    with Fetcher(settings) as fetcher, WorkerPool() as pool, FeedLocks(engine) as locks:
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
        reads = []
        failed_polls: list[PollResult] = []
        for group in _groups(mine):
            label = group[0][0] if len(group) == 1 else f"{group[0][0]} and {len(group) - 1} more"
            topics = {u: topics_of.get(u, watch.topics) for u, _i in group}
            ids = [i for _u, i in group]
            reads.append(
                read_feeds.submit(
                    fetcher, pool, whole(settings), ids, label, whole(topics), whole(gate), discover
                )
            )
        for future in as_completed(reads):
            result = future.result(raise_on_failure=False)
            if not isinstance(result, GroupRead):
                summary.add_crashed_poll(str(result))  # a bug: its feeds are released when the pass ends
                continue
            for poll in result.polls:
                summary.add_poll(poll)
                if poll.status not in ("ok", "not_modified"):
                    failed_polls.append(poll)
                if not poll.to_read:
                    locks.release(poll.feed_id)
            prepared.extend(result.prepared)
        by_name = {t.name: t for t in watch.topics}
        # Stored while this pass still holds the feeds: their entries are its own until marked processed.
        backlog = backlog_rule(settings, baseline=baseline)
        stored = store_articles(
            whole(settings), whole(prepared), len(prepared), whole(by_name), whole(targets), backlog
        )
        summary.add_reads(stored)
    # After the commit: an Automation reacting to an event finds the finding stored.
    emitted = emit_pass_events(engine, stored, failed_polls)
    summary.events_emitted, summary.events_over_cap = emitted.emitted, emitted.over_cap
    if not baseline:  # a baseline pass sends nothing, not even what earlier passes left pending
        summary.add_sends(send_alerts(whole(settings), whole(channels)))
