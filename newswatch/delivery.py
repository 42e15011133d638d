"""Sending what the ledger holds: channels from the watch file's routes, one channel at a time, health alerts.

A failure stops only its own channel for the round (its other rows wait as long as the failed one).
Messages that failed before go after fresh ones: one that a service refuses holds back no other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import Engine

from alerts.compose import compose
from alerts.message import Message
from alerts.schedule import QuietHours, window_start
from alerts.urls import TaggedUrl, channel_id, mask_url, split_urls
from newswatch.settings import Settings
from newswatch.watchfile import ENV_URLS, Route, Watch
from storage import ledger
from storage.health import queue_health_changes
from storage.ledger import Target
from storage.models import AlertDelivery, utcnow

console = Console(soft_wrap=True)
logger = logging.getLogger("newswatch.alerts")
TERMINAL = "terminal"  # the channel used when no apprise URL is configured: alerts are printed
ALL_TAGS = "all"  # a route with `tag: all` takes every configured URL, tagged or not (as in apprise)

__all__ = ["Channel", "ChannelError", "SendReport", "compose", "resolve_channels", "send_due"]


class ChannelError(RuntimeError):
    """The alert channels cannot be read (e.g. a missing Prefect Secret block); the message names no secret."""


@dataclass(frozen=True)
class Channel:
    """Where messages go: an apprise URL (None for the terminal; never shown), its id, mode and schedule."""

    id: str
    url: str | None = field(repr=False)
    mode: str
    topics: tuple[str, ...]
    # For each topic, the kinds this channel takes (new_figure, ...); empty: every kind of `topics`.
    kinds: tuple[tuple[str, frozenset[str]], ...] = ()
    # For each topic, whose statements it takes ("identified" or "all"); a topic not listed: "all".
    speakers: tuple[tuple[str, str], ...] = ()
    health: bool = True  # takes feed-health alerts
    period: timedelta | None = None
    quiet: QuietHours | None = None
    timezone: str = "UTC"
    templates: Path | None = None  # email templates replacing the bundled ones

    @property
    def label(self) -> str:
        """The channel as people may see it: the masked URL, or "terminal"."""
        return TERMINAL if self.url is None else mask_url(self.url)


@dataclass(frozen=True)
class SendReport:
    """What one sending round did: rows sent and failed, messages sent, rows held by quiet hours."""

    sent: int
    failed: int
    messages: int
    held: int = 0  # rows of channels in quiet hours
    skipped: tuple[str, ...] = ()  # channels not tried now, and why
    # Rows are finding x channel: four messages to two channels can carry 22 rows but 11 findings.
    subjects: int = 0  # distinct findings (and feed-health changes) delivered, however many channels
    channels_ok: int = 0  # channels that delivered at least one message
    channels_failed: tuple[str, ...] = ()  # channels (masked) whose delivery failed and sent nothing


def _secret_block_urls(name: str) -> str:
    """The URLs kept in a Prefect Secret block (a string, or a list of strings)."""
    try:
        from prefect.blocks.system import Secret

        block = Secret.load(name)  # (a coroutine only when called from async code)
        if not isinstance(block, Secret):
            raise TypeError(f"{name!r} is not a Secret block")
        value = block.get()
    except Exception as exc:  # noqa: BLE001 - any failure means the same to the user: no URLs from it
        raise ChannelError(
            f"cannot read the Prefect Secret block {name!r} named by NEWSWATCH_APPRISE_SECRET_BLOCK "
            f"({type(exc).__name__}); create it with Secret(value=...).save({name!r})"
        ) from None
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    raise ChannelError(f"the Prefect Secret block {name!r} must hold a string of URLs or a list of them")


def configured_urls(settings: Settings) -> list[TaggedUrl]:
    """Every apprise URL from NEWSWATCH_APPRISE_URLS (environment or .env) and the Secret block, once each."""
    found = split_urls(settings.apprise_urls.get_secret_value())
    if settings.apprise_secret_block.strip():
        found += split_urls(_secret_block_urls(settings.apprise_secret_block.strip()))
    unique: dict[str, TaggedUrl] = {}
    for tagged in found:
        old = unique.get(tagged.url)
        unique[tagged.url] = TaggedUrl(tagged.url, tagged.tags | (old.tags if old else frozenset()))
    return list(unique.values())


def route_urls(route: Route, urls: Sequence[TaggedUrl]) -> list[str | None]:
    """The URLs a route sends to; `env` takes the untagged ones (as apprise does), a tag those carrying it."""
    if route.tag is not None:
        tag = route.tag.lower()
        return [u.url for u in urls if tag == ALL_TAGS or tag in u.tags]
    if route.url != ENV_URLS:
        return [route.url]
    if not urls:
        return [None]  # nothing configured: the terminal
    return [u.url for u in urls if not u.tags]


def resolve_channels(watch: Watch, settings: Settings) -> list[Channel]:
    """The channels of the watch file's routes, with the URLs each route reaches.

    Routes to the same URL and mode share one channel (and its first route's schedule), so a finding
    reaches a URL once however many routes name it; it takes every speaker of a topic when one of them does.
    """
    urls = configured_urls(settings)
    templates = settings.templates or watch.templates
    channels: dict[str, Channel] = {}
    for route in watch.routes:
        targets = route_urls(route, urls)
        if not targets:
            which = (
                f"tag {route.tag!r}" if route.tag is not None else "'env' (all configured URLs are tagged)"
            )
            logger.warning("the alert route to %s reaches no configured apprise URL", which)
        kinds = frozenset(route.kinds) - {"feed_health"}
        for url in targets:
            suffix = "" if route.mode == "instant" else ":digest"
            cid = TERMINAL + suffix if url is None else f"{channel_id(url)}:{route.mode}"
            old = channels.get(cid)
            merged = dict(old.kinds) if old else {}
            speakers = dict(old.speakers) if old else {}
            for topic in route.topics:
                merged[topic] = merged.get(topic, frozenset()) | kinds
                if speakers.get(topic) != "all":
                    speakers[topic] = route.speakers
            channels[cid] = Channel(
                id=cid,
                url=url,
                mode=route.mode,
                topics=tuple(sorted(t for t, k in merged.items() if k)),
                kinds=tuple(sorted(merged.items())),
                speakers=tuple(sorted(speakers.items())),
                health=(old.health if old else False) or "feed_health" in route.kinds,
                period=old.period if old else route.period,
                quiet=old.quiet if old else route.quiet,
                timezone=old.timezone if old else route.timezone,
                templates=templates,
            )
    return list(channels.values())


def targets_by_topic(channels: Sequence[Channel]) -> dict[str, list[Target]]:
    """For each topic, the ledger targets its findings are queued for (with the kinds each takes)."""
    targets: dict[str, list[Target]] = {}
    for channel in channels:
        pairs: Sequence[tuple[str, frozenset[str] | None]] = channel.kinds or [
            (t, None) for t in channel.topics
        ]
        speakers = dict(channel.speakers)
        for topic, kinds in pairs:
            if kinds is None or kinds:
                targets.setdefault(topic, []).append(
                    Target(channel.id, channel.mode, kinds, speakers.get(topic, "all"))
                )
    return targets


def print_message(message: Message) -> None:
    """The terminal channel: the alert on standard output and in the log (the Prefect UI shows it)."""
    console.print(f"\n[bold]{escape(message.title)}[/bold]\n{escape(message.text)}", highlight=False)
    logger.info("alert: %s\n%s", message.title, message.text)


@dataclass
class _Round:
    sent: int = 0
    failed: int = 0
    messages: int = 0
    held: int = 0
    skipped: list[str] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    delivered: set[str] = field(default_factory=set)  # channel ids
    broken: dict[str, str] = field(default_factory=dict)  # channel id -> its masked label


def _deliver(
    channel: Channel, message: Message, echo: Callable[[Message], None] | None
) -> tuple[bool, str | None, float | None]:
    if channel.url is None:
        (echo or print_message)(message)
        return True, None, None
    from alerts.channels import deliver  # loads apprise's plugins: only when there is something to send

    result = deliver(channel.url, message)
    return result.ok, result.error, result.retry_after


def _send_rows(
    engine: Engine,
    channel: Channel,
    rows: Sequence[AlertDelivery],
    settings: Settings,
    tally: _Round,
    *,
    now: datetime,
    echo: Callable[[Message], None] | None,
) -> bool:
    """Send one claim's rows to their channel; False when it failed (the rest were given back) or none was ours."""
    base = timedelta(seconds=settings.alert_backoff_seconds)
    cap = timedelta(seconds=settings.alert_backoff_max_seconds)
    messages = compose(rows, templates=channel.templates)
    # Messages that failed before go last: one message a service refuses cannot hold back the others.
    messages.sort(key=lambda m: (max(r.attempts for r in m[1]), min(r.id or 0 for r in m[1])))
    progressed = False
    for index, (message, members) in enumerate(messages):
        # Renewed from the clock, not the round's start: a long round must not look dead to other runs.
        mine = ledger.renew(engine, members, max(now, utcnow()))  # rows another run took over are not ours
        if not mine:
            continue
        progressed = True
        if len(mine) < len(members):
            (message, mine), *_ = compose(mine, digest_max=len(mine), templates=channel.templates)
        if message is None:
            ledger.mark_failed(
                engine, mine, "cannot render this alert (a malformed ledger row)", max_attempts=0, now=now
            )
            tally.failed += len(mine)
            continue
        ok, error, retry_after = _deliver(channel, message, echo)
        if ok:
            ledger.mark_sent(engine, [r.id for r in mine if r.id is not None])
            tally.sent += len(mine)
            tally.messages += 1
            tally.subjects.update(r.subject for r in mine)
            tally.delivered.add(channel.id)
            continue
        wait = timedelta(seconds=retry_after) if retry_after is not None else None
        due = ledger.mark_failed(
            engine,
            mine,
            error or "delivery failed",
            max_attempts=settings.alert_max_attempts,
            retry_after=wait,
            base=base,
            cap=cap,
            now=now,
        )
        tally.failed += len(mine)
        tally.broken[channel.id] = channel.label
        rest = [r for _, group in messages[index + 1 :] for r in group]
        ledger.release(engine, rest, until=due)
        logger.warning("alerts to %s failed, %d more wait: %s", channel.label, len(rest), error)
        return False
    return progressed  # (nothing was ours: other runs hold these rows, leave them to them)


def send_due(
    engine: Engine,
    channels: Sequence[Channel],
    settings: Settings,
    *,
    echo: Callable[[Message], None] | None = None,
    now: datetime | None = None,
    force: bool = False,
    batch: int = 200,
) -> SendReport:
    """Send every due ledger row of these channels, channel by channel; a row is sent once accepted.

    `force` (a retry by hand) ignores quiet hours and digest periods that are not over.
    """
    now = now or utcnow()
    lease = timedelta(seconds=settings.alert_lease_seconds)
    tally = _Round()
    for channel in channels:
        if not force and channel.quiet is not None and channel.quiet.contains(now):
            tally.held += ledger.count_unsent(engine, channel.id)
            tally.skipped.append(f"{channel.label}: quiet hours ({channel.quiet.describe()})")
            continue
        before = None
        if channel.period is not None and not force:
            before = window_start(now, channel.period, channel.timezone)
        while rows := ledger.claim_due(
            engine, channels=[channel.id], now=now, created_before=before, lease=lease, limit=batch
        ):
            if not _send_rows(engine, channel, rows, settings, tally, now=now, echo=echo):
                break
    broken = tuple(label for cid, label in tally.broken.items() if cid not in tally.delivered)
    return SendReport(
        tally.sent,
        tally.failed,
        tally.messages,
        tally.held,
        tuple(tally.skipped),
        subjects=len(tally.subjects),
        channels_ok=len(tally.delivered),
        channels_failed=broken,
    )


def check_health(engine: Engine, channels: Sequence[Channel], settings: Settings) -> int:
    """Queue one alert when a feed starts failing or goes silent, and one when it recovers."""
    targets = [
        Target(channel=c.id, mode=c.mode, kinds=frozenset({"feed_health"})) for c in channels if c.health
    ]
    return queue_health_changes(
        engine,
        targets,
        failures=settings.health_failures,
        silence=timedelta(hours=settings.health_silence_hours),
    )
