"""Ledger rows into messages: one per article's findings (instant) or per batch (digest), health apart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from alerts.message import AlertItem, HealthItem, Message
from alerts.render import render_digest, render_health, render_instant
from extractors.findings import Figure, Statement

DIGEST_MAX = 30  # findings in one digest message; more make several (a phone screen, Slack's size limit)


class LedgerRow(Protocol):
    """What composing needs of a delivery row (storage.models.AlertDelivery has it)."""

    subject: str
    channel: str
    mode: str
    group_key: str
    payload: dict[str, Any]


Row = TypeVar("Row", bound=LedgerRow)


def item_of(payload: dict[str, Any]) -> AlertItem:
    """The alert item frozen into a finding row's payload (pipeline.alert_payload wrote it)."""
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


def health_of(payload: dict[str, Any]) -> HealthItem:
    """The feed-health change frozen into a health row's payload."""
    since = payload.get("since")
    return HealthItem(
        feed_url=payload["feed_url"],
        state=payload["state"],
        failures=int(payload.get("failures", 0)),
        last_error=payload.get("last_error"),
        since=datetime.fromisoformat(since) if since else None,
    )


def _render(members: Sequence[LedgerRow]) -> Message | None:
    """The message for rows sent together; None when a payload cannot be read (it is never sent)."""
    try:
        if members[0].payload.get("type") == "health":
            return render_health(health_of(members[0].payload))
        items = [item_of(r.payload) for r in members]
        return (render_digest if members[0].mode == "digest" else render_instant)(items)
    except (KeyError, TypeError, ValueError):
        return None


def compose(rows: Sequence[Row], *, digest_max: int = DIGEST_MAX) -> list[tuple[Message | None, list[Row]]]:
    """Group rows into messages, each with the rows it carries (None: rows that cannot be rendered).

    Per channel: one message per instant group (an article), per digest chunk, per health change.
    """
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        group = row.subject if row.payload.get("type") == "health" else row.group_key
        groups.setdefault((row.channel, group), []).append(row)
    messages: list[tuple[Message | None, list[Row]]] = []
    for members in groups.values():
        chunk = digest_max if members[0].mode == "digest" else len(members)
        for start in range(0, len(members), max(chunk, 1)):
            part = members[start : start + max(chunk, 1)]
            messages.append((_render(part), part))
    return messages
