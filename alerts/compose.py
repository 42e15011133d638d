"""Ledger rows into messages: one per article's findings (instant), one per topic (digest), health apart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from alerts.message import Message
from alerts.payload import health_of, item_of
from alerts.render import render_digest, render_health, render_instant

__all__ = ["DIGEST_MAX", "LedgerRow", "compose", "health_of", "item_of"]

# Rows one message carries: a digest of more makes several (the ledger hands out 200 at a time anyway).
DIGEST_MAX = 200


class LedgerRow(Protocol):
    """What composing needs of a delivery row (storage.models.AlertDelivery has it)."""

    subject: str
    channel: str
    mode: str
    group_key: str
    payload: dict[str, Any]


Row = TypeVar("Row", bound=LedgerRow)


def _render(members: Sequence[LedgerRow], templates: Path | None) -> Message | None:
    """The message for rows sent together; None when a payload cannot be read (it is never sent)."""
    try:
        if members[0].payload.get("type") == "health":
            return render_health(health_of(members[0].payload), templates=templates)
        items = [item_of(r.payload) for r in members]
        render = render_digest if members[0].mode == "digest" else render_instant
        return render(items, templates=templates)
    except (KeyError, TypeError, ValueError):
        return None


def compose(
    rows: Sequence[Row], *, digest_max: int = DIGEST_MAX, templates: Path | None = None
) -> list[tuple[Message | None, list[Row]]]:
    """Group rows into messages, each with the rows it carries (None: rows that cannot be rendered).

    Per channel: one message per instant group (an article), per digest group (a topic), per health change.
    `templates`: a directory of email templates that replace the bundled ones.
    """
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        group = row.subject if row.payload.get("type") == "health" else row.group_key
        groups.setdefault((row.channel, group), []).append(row)
    messages: list[tuple[Message | None, list[Row]]] = []
    for members in groups.values():
        chunk = max(digest_max if members[0].mode == "digest" else len(members), 1)
        for start in range(0, len(members), chunk):
            part = members[start : start + chunk]
            messages.append((_render(part, templates), part))
    return messages
