"""What is still undelivered, explained: each ledger row described by its finding, with why it waits.

`newswatch alerts pending` prints these rows; the reasons follow the rules `newswatch.delivery.send_due`
applies (quiet hours, digest periods, a failed channel's backoff), so what it says is what a pass will do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from alerts.payload import health_of, item_of
from alerts.schedule import window_end
from alerts.subject import cut, short_figure, short_name
from extractors.findings import Figure
from newswatch.channels import Channel
from storage.ledger import SENDING_LEASE
from storage.models import AlertDelivery, utcnow

_CHANGES = {"new_figure": "new figure", "revised_figure": "revised figure", "new_statement": "statement"}
_QUOTE_MAX = 60  # characters of a quote in a row: enough to know it again


@dataclass(frozen=True)
class PendingAlert:
    """One undelivered alert as people read it: the channel, the finding, its state and why it waits."""

    channel: str
    description: str
    status: str
    attempts: int
    since: datetime | None
    reason: str


def describe(payload: dict[str, Any], subject: str = "") -> str:
    """A row by its finding: "new figure: ~3,000 troops (NIS)", "statement: Lloyd Austin: “…”"."""
    try:
        if payload.get("type") == "health":
            health = health_of(payload)
            host = urlsplit(health.feed_url).hostname or health.feed_url
            return f"feed {health.state}: {host} ({health.failures} failures in a row)"
        item = item_of(payload)
    except (KeyError, TypeError, ValueError):  # a malformed row is still listed, by what the ledger knows
        return f"{subject} {payload.get('change') or ''}".strip()
    label = _CHANGES.get(item.change, item.change)
    finding = item.finding
    if isinstance(finding, Figure):
        text = f"{label}: {short_figure(finding)} ({short_name(item)})"
        return text + (
            f", was {item.previous[-1]}" if item.change == "revised_figure" and item.previous else ""
        )
    return f"{label}: {cut(finding.speaker, 40)}: “{cut(finding.quote, _QUOTE_MAX)}”"


def clock(moment: datetime, zone: str, now: datetime) -> str:
    """A time as the channel's reader sees it: "18:00 UTC", or "9 Dec 07:00 Europe/Berlin" on another day."""
    tz = ZoneInfo(zone)
    local, today = moment.astimezone(tz), now.astimezone(tz)
    day = "" if local.date() == today.date() else f"{local.day} {local:%b} "
    return f"{day}{local:%H:%M} {zone}"


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive times back; the ledger writes UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def explain(
    row: AlertDelivery, channel: Channel | None, now: datetime, lease: timedelta = SENDING_LEASE
) -> str:
    """Why a row is not delivered yet, and when it will be tried (the rules of `send_due`)."""
    zone = channel.timezone if channel else "UTC"
    due = _aware(row.next_attempt_at)
    if row.status == "failed":
        return f"failed after {row.attempts} attempts: {row.last_error or 'no error given'}; `newswatch alerts retry` sends it again"
    claimed = _aware(row.claimed_at)
    if row.status == "sending" and claimed is not None and claimed + lease <= now:
        return "a pass stopped while sending it: the next pass sends it"
    if row.status == "sending":
        return "being sent by a running pass"
    if channel is None:
        return (
            "its channel is not configured now: no pass sends it (check --watch and NEWSWATCH_APPRISE_URLS)"
        )
    reasons: list[str] = []
    if row.last_error:
        reasons.append(f"channel failed: {row.last_error}")
    if due is not None and due > now:
        reasons.append(f"next try at {clock(due, zone, now)}")
    if channel.quiet is not None and channel.quiet.contains(now):
        reasons.append(f"quiet hours until {clock(channel.quiet.ends_after(now), zone, now)}")
    created = _aware(row.created_at)
    if channel.period is not None and created is not None:
        end = window_end(created, channel.period, channel.timezone)
        if end > now:
            reasons.append(f"held for digest until {clock(end, zone, now)}")
    return "; ".join(reasons) or "due: the next pass sends it"


def explain_all(
    rows: Sequence[AlertDelivery],
    channels: Sequence[Channel],
    now: datetime | None = None,
    lease: timedelta = SENDING_LEASE,
) -> list[PendingAlert]:
    """Every undelivered row with its channel's label (or "(not configured now)"), finding and reason."""
    now = now or utcnow()
    by_id = {c.id: c for c in channels}
    listed: list[PendingAlert] = []
    for row in rows:
        channel = by_id.get(row.channel)
        listed.append(
            PendingAlert(
                channel=channel.label if channel else f"{row.channel} (not configured now)",
                description=describe(row.payload, row.subject),
                status=row.status,
                attempts=row.attempts,
                since=_aware(row.created_at),
                reason=explain(row, channel, now, lease),
            )
        )
    return listed
