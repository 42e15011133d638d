"""The alert delivery ledger: pending rows, atomic claiming for sending, backoff and retries.

A row is one alert subject (a claim, a feed-health change) for one channel. It moves pending ->
sending (claimed by exactly one run) -> sent once the channel accepted it, or back to pending with a
backoff when it did not, and to failed after the cap. A run that dies leaves rows in "sending"; they
are claimed again once their lease ran out.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.db import session_scope
from storage.models import AlertDelivery, utcnow

# A row left in "sending" longer than this belongs to a process that died mid-send: send it again.
SENDING_LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
_ERROR_MAX = 500


@dataclass(frozen=True)
class Target:
    """A channel as the ledger knows it: its non-secret id, its mode, the kinds it takes (None: all), and
    whose statements (identified: a watch-file claimant, a named person or institution; all)."""

    channel: str
    mode: str  # instant or digest
    kinds: frozenset[str] | None = None
    speakers: str = "all"


def alert_kind(payload: dict[str, Any]) -> str:
    """A row's kind as routes name it: the finding's change, or "feed_health"."""
    if payload.get("type") == "health":
        return "feed_health"
    return str(payload.get("change") or "")


def takes(target: Target, payload: dict[str, Any]) -> bool:
    """Whether a channel takes this alert: its kind, and for a statement its speaker (unnamed narration,
    "officials said", goes only to channels taking every speaker)."""
    if target.kinds is not None and alert_kind(payload) not in target.kinds:
        return False
    return target.speakers == "all" or payload.get("speaker_class", "named") != "unnamed"


def enqueue(
    session: Session, *, subject: str, targets: Sequence[Target], group_key: str, payload: dict[str, Any]
) -> int:
    """Add one pending row per target that takes this kind (idempotent per subject and channel); the caller commits."""
    added = 0
    for target in targets:
        if not takes(target, payload):
            continue
        row = AlertDelivery(
            subject=subject,
            channel=target.channel,
            mode=target.mode,
            # One message per article when instant; per topic in a digest (feed health: its own).
            group_key=group_key if target.mode == "instant" else f"digest:{payload.get('topic', '')}",
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


def claim_due(
    engine: Engine,
    *,
    channels: Sequence[str],
    now: datetime | None = None,
    created_before: datetime | None = None,
    lease: timedelta = SENDING_LEASE,
    limit: int | None = None,
) -> list[AlertDelivery]:
    """Atomically take the rows due for sending on `channels`; another run can never take the same row.

    `created_before` holds back rows of a digest period that is not over yet; `limit` bounds one claim.
    Every row taken carries the same random `claimed_by`, which the later calls check.
    """
    now = now or utcnow()
    token = secrets.token_hex(8)
    due = or_(
        (col(AlertDelivery.status) == "pending") & (col(AlertDelivery.next_attempt_at) <= now),
        (col(AlertDelivery.status) == "sending") & (col(AlertDelivery.claimed_at) <= now - lease),
    )
    with session_scope(engine) as session:
        query = select(AlertDelivery.id).where(due, col(AlertDelivery.channel).in_(channels))
        if created_before is not None:
            query = query.where(col(AlertDelivery.created_at) < created_before)
        query = query.order_by(col(AlertDelivery.id)).limit(limit)
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        candidates = [i for i in session.exec(query).all() if i is not None]
        if not candidates:
            return []
        # One conditional update: a row another run took meanwhile is no longer due, so it is not ours.
        claimed = session.execute(
            update(AlertDelivery)
            .where(col(AlertDelivery.id).in_(candidates), due)
            .values(status="sending", claimed_at=now, claimed_by=token, attempts=AlertDelivery.attempts + 1)
            .returning(col(AlertDelivery.id))
            .execution_options(synchronize_session=False)
        )
        taken = [row_id for (row_id,) in claimed]
    if not taken:
        return []
    with Session(engine) as session:
        rows = session.exec(select(AlertDelivery).where(col(AlertDelivery.id).in_(taken))).all()
        return sorted(rows, key=lambda r: r.id or 0)


def _ours(row: AlertDelivery) -> Any:
    """The condition that a row is still held by the claim that returned it."""
    return (
        (col(AlertDelivery.id) == row.id)
        & (col(AlertDelivery.status) == "sending")
        & (col(AlertDelivery.claimed_by) == row.claimed_by)
    )


def renew(engine: Engine, rows: Sequence[AlertDelivery], now: datetime | None = None) -> list[AlertDelivery]:
    """Renew the lease of rows about to be sent; returns those still ours (another run took the rest)."""
    now = now or utcnow()
    by_claim: dict[str | None, list[int]] = {}
    for row in rows:
        if row.id is not None:
            by_claim.setdefault(row.claimed_by, []).append(row.id)
    renewed: set[int] = set()
    with session_scope(engine) as session:
        for token, ids in by_claim.items():  # one claim's rows share its token: one statement for them
            result = session.execute(
                update(AlertDelivery)
                .where(
                    col(AlertDelivery.id).in_(ids),
                    col(AlertDelivery.status) == "sending",
                    col(AlertDelivery.claimed_by) == token,
                )
                .values(claimed_at=now)
                .returning(col(AlertDelivery.id))
                .execution_options(synchronize_session=False)
            )
            renewed.update(row_id for (row_id,) in result)
    return [row for row in rows if row.id in renewed]


def mark_sent(engine: Engine, ids: Sequence[int]) -> None:
    """Record that the channel accepted these rows (whoever holds them now: they were delivered)."""
    with session_scope(engine) as session:
        session.execute(
            update(AlertDelivery)
            .where(col(AlertDelivery.id).in_(ids))
            .values(status="sent", sent_at=utcnow(), last_error=None, next_attempt_at=None, claimed_by=None)
        )


def backoff(attempts: int, base: timedelta = BACKOFF_BASE, cap: timedelta = BACKOFF_MAX) -> timedelta:
    """How long to wait before the next attempt after `attempts` failures."""
    delay: timedelta = base * (2 ** min(max(attempts - 1, 0), 30))
    return min(delay, cap)


def mark_failed(
    engine: Engine,
    rows: Sequence[AlertDelivery],
    error: str,
    *,
    max_attempts: int,
    retry_after: timedelta | None = None,
    base: timedelta = BACKOFF_BASE,
    cap: timedelta = BACKOFF_MAX,
    now: datetime | None = None,
) -> datetime | None:
    """Record a failed attempt; returns when the rows are due again (None: failed for good).

    They are pending again after a backoff (or the service's Retry-After, up to `cap`), or failed
    after `max_attempts`.
    """
    now = now or utcnow()
    due: datetime | None = None
    with session_scope(engine) as session:
        for row in rows:
            done = row.attempts >= max_attempts
            wait = min(retry_after, cap) if retry_after is not None else backoff(row.attempts, base, cap)
            due = None if done else now + wait
            session.execute(
                update(AlertDelivery)
                .where(_ours(row))
                .values(
                    status="failed" if done else "pending", last_error=error[:_ERROR_MAX], next_attempt_at=due
                )
            )
    return due


def release(engine: Engine, rows: Sequence[AlertDelivery], *, until: datetime | None = None) -> None:
    """Give back claimed rows that were not tried (their channel just failed): the attempt is not counted."""
    with session_scope(engine) as session:
        for row in rows:
            session.execute(
                update(AlertDelivery)
                .where(_ours(row))
                .values(
                    status="pending",
                    attempts=AlertDelivery.attempts - 1,
                    next_attempt_at=until or row.next_attempt_at,
                    claimed_by=None,
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


def count_unsent(engine: Engine, channel: str) -> int:
    """How many rows of a channel are not sent yet (pending, sending or failed)."""
    with Session(engine) as session:
        query = select(func.count()).where(
            col(AlertDelivery.channel) == channel, col(AlertDelivery.status) != "sent"
        )
        return int(session.exec(query).one())


def count_by_status(session: Session) -> dict[str, int]:
    """How many rows are in each status."""
    counts: dict[str, int] = {}
    for status in session.exec(select(AlertDelivery.status)).all():
        counts[status] = counts.get(status, 0) + 1
    return counts
