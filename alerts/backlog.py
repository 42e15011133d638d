"""The baseline: what a feed already carried, or published too long ago, is stored but never alerted.

A new feed's first pass used to alert everything it listed, articles 16 months old included. Now a feed's
first successful poll is its baseline (changedetection.io's first check records one too), and so is any
entry published before it or more than `max_age` ago (by its published time, or when first seen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FIRST_POLL = "first_poll"  # listed by the feed's first successful poll, or published before it
MAX_AGE = "max_age"  # published (or first seen) longer than the maximum age ago
BASELINE_RUN = "baseline_run"  # stored by `newswatch run --baseline`
REASONS = {
    FIRST_POLL: "its feed's first poll",
    MAX_AGE: "published before the alert age limit",
    BASELINE_RUN: "a --baseline pass",
}


@dataclass(frozen=True)
class BacklogRule:
    """What a pass stores without alerting."""

    max_age: timedelta | None = timedelta(hours=48)  # None: no age limit
    first_poll: bool = True  # a feed's first successful poll is its baseline
    everything: bool = False  # `newswatch run --baseline`: the whole pass is baseline


def backlog_reason(
    rule: BacklogRule,
    *,
    published: datetime | None,
    first_seen: datetime | None,
    baseline_at: datetime | None,
    now: datetime,
) -> str | None:
    """Why an entry's new findings are stored without an alert (FIRST_POLL, MAX_AGE, BASELINE_RUN), or
    None when they are news. `baseline_at` is its feed's first successful poll."""
    if rule.everything:
        return BASELINE_RUN
    if rule.first_poll and baseline_at is not None:
        if first_seen is not None and first_seen <= baseline_at:
            return FIRST_POLL
        if published is not None and published < baseline_at:
            return FIRST_POLL
    moment = published or first_seen
    if rule.max_age is not None and moment is not None and now - moment > rule.max_age:
        return MAX_AGE
    return None


def describe(reason: str | None) -> str:
    """A baseline reason in words ("its feed's first poll"); "" for None."""
    return REASONS.get(reason or "", reason or "")
