"""Feed health as alerts: one when a feed starts failing or goes silent, and one when it recovers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col

from storage.db import session_scope
from storage.feeds import all_feeds
from storage.ledger import Target, enqueue
from storage.models import Feed, utcnow


def queue_health_changes(
    engine: Engine, targets: Sequence[Target], *, failures: int, silence: timedelta
) -> int:
    """Queue one alert per feed whose health changed: failing, silent for `silence`, or recovered.

    The feed's health changes by a conditional update, so of two overlapping runs that see the same
    change only one queues it.
    """
    now = utcnow()
    raised = 0
    with session_scope(engine) as session:
        for feed in all_feeds(session):
            last_news = feed.last_new_entry_at or feed.created_at
            if feed.failures_in_row >= failures:
                state = "failing"
            elif feed.last_success_at is not None and last_news is not None and now - last_news > silence:
                state = "silent"
            else:
                state = "ok"
            if state == feed.health:
                continue
            changed = session.execute(
                update(Feed)
                .where(col(Feed.id) == feed.id, col(Feed.health) == feed.health)
                .values(health=state)
            )
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                continue  # an overlapping run queued this change
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
            raised += 1
    return raised
