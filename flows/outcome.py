"""How a pass ends in Prefect: a one-line state message, and Failed when nothing of it could work.

The UI lists runs by state and message: a pass in which every feed failed must not look like a good one.
"""

from __future__ import annotations

from prefect import State
from prefect.states import Completed, Failed

from alerts.markup import clean
from flows.report import RunSummary

MAX_MESSAGE = 500  # a state message is one line in the runs list


class PassFailedError(RuntimeError):
    """A pass that ran but achieved nothing (every feed, the database or every channel failed)."""

    def __init__(self, message: str, summary: RunSummary) -> None:
        super().__init__(message)
        self.summary = summary


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def run_message(summary: RunSummary) -> str:
    """The pass in one line: "12 feeds, 2 failed; 5 new findings; 3 alerts sent" (alerts are messages)."""
    polled = sum(summary.feeds.values())
    parts = [
        f"{_plural(polled, 'feed')}, {summary.feeds['failed']} failed",
        f"{_plural(summary.findings_new, 'new finding')}"
        + (f", {summary.findings_revised} revised" if summary.findings_revised else ""),
        f"{_plural(summary.alert_messages, 'alert')} sent",
    ]
    if summary.channels_failed:
        parts.append(f"{_plural(len(summary.channels_failed), 'channel')} failed")
    if summary.events_over_cap:
        parts.append(f"{summary.events_over_cap} events over the per-pass cap not emitted")
    return "; ".join(parts)


def failure_reason(summary: RunSummary) -> str | None:
    """Why the pass counts as failed, or None: every feed failed, the database failed, or every channel
    that had something to send failed (partial feed failures are reported, not fatal)."""
    if summary.database_error is not None:
        return f"the database failed ({summary.database_error})"
    polled = sum(summary.feeds.values())
    if polled and summary.feeds["failed"] == polled:
        classes = sorted({error_class for _url, error_class, _detail in summary.failures})
        return f"every feed failed ({', '.join(classes[:5])})"
    if summary.channels_failed and not summary.channels_ok:
        return f"every alert channel failed ({', '.join(summary.channels_failed[:3])})"
    return None


def state_message(summary: RunSummary) -> str:
    """The final state's message: the reason first when the pass failed, then the counts."""
    reason = failure_reason(summary)
    text = run_message(summary) if reason is None else f"{reason}: {run_message(summary)}"
    return " ".join(text.split())[:MAX_MESSAGE]


def describe_database_error(exc: BaseException) -> str:
    """A database error in one short line: the driver's class and first line, never the statement (its
    parameters can hold page text) nor a password (our own DatabaseError names the URL masked)."""
    cause = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    first = next(iter(str(cause).splitlines()), "")
    return f"{type(cause).__name__}: {clean(first)[:160]}" if first else type(cause).__name__


def final_state(summary: RunSummary) -> State:
    """Completed with the message, or Failed with it (its data a PassFailedError that carries the summary)."""
    message = state_message(summary)
    if failure_reason(summary) is None:
        return Completed(message=message, data=summary)
    return Failed(message=message, data=PassFailedError(message, summary))
