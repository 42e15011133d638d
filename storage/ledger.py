"""The alert delivery ledger: pending rows, atomic claiming for sending, backoff and retries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.db import session_scope
from storage.models import AlertDelivery, utcnow

# A row left in "sending" longer than this belongs to a process that died mid-send: send it again.
SENDING_LEASE = timedelta(minutes=10)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)


@dataclass(frozen=True)
class Target:
    """A channel as the ledger knows it: its non-secret id and its mode."""

    channel: str
    mode: str  # instant or digest


def enqueue(
    session: Session, *, subject: str, targets: Sequence[Target], group_key: str, payload: dict[str, Any]
) -> int:
    """Add one pending row per target (idempotent per subject and channel); the caller commits."""
    added = 0
    for target in targets:
        row = AlertDelivery(
            subject=subject,
            channel=target.channel,
            mode=target.mode,
            group_key=group_key if target.mode == "instant" else "digest",
            payload=payload,
            created_at=utcnow(),
            next_attempt_at=utcnow(),
        )
        try:
            with session.begin_nested():
                session.add(row)
            added += 1
        except IntegrityError:
            continue
    return added


def claim_due(engine: Engine, *, channels: Sequence[str], now: datetime | None = None) -> list[AlertDelivery]:
    """Atomically take the rows due for sending on `channels`; another run can never take the same row."""
    now = now or utcnow()
    due = or_(
        (col(AlertDelivery.status) == "pending") & (col(AlertDelivery.next_attempt_at) <= now),
        (col(AlertDelivery.status) == "sending") & (col(AlertDelivery.claimed_at) <= now - SENDING_LEASE),
    )
    taken: list[AlertDelivery] = []
    with session_scope(engine) as session:
        query = select(AlertDelivery).where(due, col(AlertDelivery.channel).in_(channels))
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        candidates = session.exec(query.order_by(col(AlertDelivery.id))).all()
        for row in candidates:
            # Conditional update: only the run that still sees the row as it was gets it.
            result = session.execute(
                update(AlertDelivery)
                .where(
                    col(AlertDelivery.id) == row.id,
                    col(AlertDelivery.status) == row.status,
                    col(AlertDelivery.attempts) == row.attempts,
                )
                .values(status="sending", claimed_at=now, attempts=AlertDelivery.attempts + 1)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                taken.append(row)
        ids = [row.id for row in taken]
    if not ids:
        return []
    with Session(engine) as session:
        return list(session.exec(select(AlertDelivery).where(col(AlertDelivery.id).in_(ids))).all())


def mark_sent(engine: Engine, ids: Sequence[int]) -> None:
    """Record that the channel accepted these rows."""
    with session_scope(engine) as session:
        session.execute(
            update(AlertDelivery)
            .where(col(AlertDelivery.id).in_(ids))
            .values(status="sent", sent_at=utcnow(), last_error=None)
        )


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next attempt after `attempts` failures."""
    delay: timedelta = BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    return min(delay, BACKOFF_MAX)


def mark_failed(engine: Engine, rows: Sequence[AlertDelivery], error: str, *, max_attempts: int) -> None:
    """Record a failed attempt: pending again after a backoff, or failed after `max_attempts`."""
    now = utcnow()
    with session_scope(engine) as session:
        for row in rows:
            done = row.attempts >= max_attempts
            session.execute(
                update(AlertDelivery)
                .where(col(AlertDelivery.id) == row.id)
                .values(
                    status="failed" if done else "pending",
                    last_error=error[:500],
                    next_attempt_at=None if done else now + backoff(row.attempts),
                )
            )


def undelivered(session: Session) -> list[AlertDelivery]:
    """Every row not yet sent (pending, sending or failed), oldest first."""
    return list(
        session.exec(
            select(AlertDelivery)
            .where(col(AlertDelivery.status) != "sent")
            .order_by(col(AlertDelivery.created_at), col(AlertDelivery.id))
        ).all()
    )


def retry_now(engine: Engine) -> int:
    """Make every pending or failed row due now (by hand: `newswatch alerts retry`); returns how many."""
    with session_scope(engine) as session:
        result = session.execute(
            update(AlertDelivery)
            .where(col(AlertDelivery.status).in_(["pending", "failed"]))
            .values(status="pending", next_attempt_at=utcnow(), attempts=0)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def count_by_status(session: Session) -> dict[str, int]:
    """How many rows are in each status."""
    counts: dict[str, int] = {}
    for status in session.exec(select(AlertDelivery.status)).all():
        counts[status] = counts.get(status, 0) + 1
    return counts
