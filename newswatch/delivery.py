"""Sending what the ledger holds: channels from the watch file and environment, health alerts."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import Engine

from alerts.channels import channel_id, deliver
from alerts.message import AlertItem, HealthItem, Message
from alerts.render import render_digest, render_health, render_instant
from extractors.findings import Figure, Statement
from newswatch.settings import Settings
from newswatch.watchfile import ENV_URLS, Watch
from storage.db import session_scope
from storage.feeds import all_feeds
from storage.ledger import Target, claim_due, enqueue, mark_failed, mark_sent
from storage.models import AlertDelivery, utcnow

console = Console(soft_wrap=True)
logger = logging.getLogger("newswatch.alerts")
TERMINAL = "terminal"  # the channel used when no apprise URL is configured: alerts are printed


@dataclass(frozen=True)
class Channel:
    """Where messages go: an apprise URL (None for the terminal), its id, mode and topics."""

    id: str
    url: str | None
    mode: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class SendReport:
    """What one sending round did."""

    sent: int
    failed: int
    messages: int


def resolve_channels(watch: Watch, settings: Settings) -> list[Channel]:
    """The channels of the watch file's routes; `env` expands to NEWSWATCH_APPRISE_URLS, or the terminal."""
    channels: dict[str, Channel] = {}
    for route in watch.routes:
        urls: list[str | None] = list(settings.apprise_url_list) if route.url == ENV_URLS else [route.url]
        if route.url == ENV_URLS and not urls:
            urls = [None]
        for url in urls:
            cid = TERMINAL if url is None else f"{channel_id(url)}:{route.mode}"
            old = channels.get(cid)
            topics = tuple(sorted(set(route.topics) | set(old.topics if old else ())))
            channels[cid] = Channel(id=cid, url=url, mode=route.mode, topics=topics)
    return list(channels.values())


def targets_by_topic(channels: Sequence[Channel]) -> dict[str, list[Target]]:
    """For each topic, the ledger targets its findings are queued for."""
    targets: dict[str, list[Target]] = defaultdict(list)
    for channel in channels:
        for topic in channel.topics:
            targets[topic].append(Target(channel=channel.id, mode=channel.mode))
    return dict(targets)


def _item(payload: dict[str, Any]) -> AlertItem:
    data = dict(payload["finding"])
    kind = data.pop("kind", "figure")
    finding = Figure(**data) if kind == "figure" else Statement(**data)
    published = payload.get("published")
    return AlertItem(
        topic=payload["topic"],
        topic_title=payload["topic_title"],
        change=payload["change"],
        finding=finding,
        previous=tuple(payload.get("previous") or ()),
        article_title=payload.get("article_title") or "",
        outlet=payload.get("outlet") or "",
        published=datetime.fromisoformat(published) if published else None,
        url=payload.get("url") or "",
    )


def _health_item(payload: dict[str, Any]) -> HealthItem:
    since = payload.get("since")
    return HealthItem(
        feed_url=payload["feed_url"],
        state=payload["state"],
        failures=int(payload.get("failures", 0)),
        last_error=payload.get("last_error"),
        since=datetime.fromisoformat(since) if since else None,
    )


def compose(rows: Sequence[AlertDelivery]) -> list[tuple[Message, list[AlertDelivery]]]:
    """Group taken rows into messages: one per article (instant) or one per run (digest), health apart."""
    groups: dict[tuple[str, str], list[AlertDelivery]] = defaultdict(list)
    for row in rows:
        group = row.subject if row.payload.get("type") == "health" else row.group_key
        groups[(row.channel, group)].append(row)
    messages = []
    for (_channel, _group), members in groups.items():
        if members[0].payload.get("type") == "health":
            messages.append((render_health(_health_item(members[0].payload)), members))
            continue
        items = [_item(r.payload) for r in members]
        render = render_digest if members[0].mode == "digest" else render_instant
        messages.append((render(items), members))
    return messages


def print_message(message: Message) -> None:
    """The terminal channel: the alert on standard output and in the log (the Prefect UI shows it)."""
    console.print(f"\n[bold]{escape(message.title)}[/bold]\n{escape(message.text)}", highlight=False)
    logger.info("alert: %s\n%s", message.title, message.text)


def send_due(
    engine: Engine,
    channels: Sequence[Channel],
    settings: Settings,
    *,
    echo: Callable[[Message], None] | None = None,
) -> SendReport:
    """Send every due ledger row of these channels; rows become sent only when the channel accepted them."""
    by_id = {c.id: c for c in channels}
    rows = claim_due(engine, channels=list(by_id))
    sent = failed = 0
    messages = compose(rows)
    for message, members in messages:
        channel = by_id[members[0].channel]
        if channel.url is None:
            (echo or print_message)(message)
            ok, error = True, None
        else:
            result = deliver(channel.url, message)
            ok, error = result.ok, result.error
        ids = [r.id for r in members if r.id is not None]
        if ok:
            mark_sent(engine, ids)
            sent += len(ids)
        else:
            mark_failed(engine, members, error or "delivery failed", max_attempts=settings.alert_max_attempts)
            failed += len(ids)
    return SendReport(sent=sent, failed=failed, messages=len(messages))


def check_health(engine: Engine, channels: Sequence[Channel], settings: Settings) -> int:
    """Queue one alert when a feed starts failing or goes silent, and one when it recovers."""
    targets = [Target(channel=c.id, mode="instant") for c in channels]
    now = utcnow()
    silence = timedelta(hours=settings.health_silence_hours)
    raised = 0
    with session_scope(engine) as session:
        for feed in all_feeds(session):
            last_news = feed.last_new_entry_at or feed.created_at
            if feed.failures_in_row >= settings.health_failures:
                state = "failing"
            elif feed.last_success_at is not None and last_news is not None and now - last_news > silence:
                state = "silent"
            else:
                state = "ok"
            if state == feed.health:
                continue
            alert_state = "recovered" if state == "ok" else state
            payload = {
                "type": "health",
                "feed_url": feed.url,
                "state": alert_state,
                "failures": feed.failures_in_row,
                "last_error": feed.last_error,
                "since": (feed.last_success_at or feed.created_at or now).isoformat(),
            }
            subject = f"health:{feed.id}:{alert_state}:{now.isoformat()}"
            enqueue(session, subject=subject, targets=targets, group_key=subject, payload=payload)
            feed.health = state
            session.add(feed)
            raised += 1
    return raised
