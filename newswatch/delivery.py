"""Sending what the ledger holds to the channels (newswatch/channels.py), one channel at a time; health alerts.

A failure stops only its own channel for the round (its other rows wait as long as the failed one).
Messages that failed before go after fresh ones: one that a service refuses holds back no other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import Engine

from alerts.compose import compose
from alerts.message import Message
from alerts.schedule import window_start
from newswatch.channels import Channel
from newswatch.settings import Settings
from storage import ledger
from storage.health import queue_health_changes
from storage.ledger import Target
from storage.models import AlertDelivery, utcnow

console = Console(soft_wrap=True)
logger = logging.getLogger("newswatch.alerts")

__all__ = ["SendReport", "compose", "send_due"]


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
