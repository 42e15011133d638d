"""A running pass's progress: feeds polled, articles read and stored, out of how many, as one line.

Feeds polled and articles stored are read from the database the pass writes to. Articles read are not
written until they are stored (in one transaction with their findings), so the readers count them here,
in this process: `newswatch run` runs its flow in the same process that shows the progress.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

_lock = threading.Lock()
_read = 0  # entries read (fetched, extracted and detected) by this process since it started


def count_read(entries: int = 1) -> None:
    """Count entries read in this process (called by the readers, from any thread)."""
    global _read  # one counter per process, shared by every reading thread
    with _lock:
        _read += entries


def read_so_far() -> int:
    """Entries read in this process so far (subtract a value taken at a pass's start)."""
    with _lock:
        return _read


@dataclass(frozen=True)
class Progress:
    """How far a pass has got: feeds polled of all, articles read and stored of those to read."""

    feeds_polled: int
    feeds: int
    read: int
    stored: int
    to_read: int  # the articles of the polled feeds' new entries: stored ones and those still waiting

    def line(self) -> str:
        """`8/8 feeds polled | articles: 120/400 read, 40/400 stored`: plain text, no control character."""
        polled = f"{min(self.feeds_polled, self.feeds)}/{self.feeds} feeds polled"
        if not self.to_read:
            return f"{polled} | no new articles yet"
        read = min(max(self.read, self.stored), self.to_read)  # stored ones were read, even by another pass
        return f"{polled} | articles: {read}/{self.to_read} read, {self.stored}/{self.to_read} stored"


def measure(database_url: str, started: datetime, feeds: int, read_before: int) -> Progress | None:
    """The progress of the pass that started at `started` (None while it is still starting, or when the
    database cannot be read: progress is decoration, the pass reports real errors itself)."""
    from sqlmodel import Session

    from storage.db import get_engine
    from storage.queries import pass_progress

    try:
        with Session(get_engine(database_url)) as session:
            done = pass_progress(session, since=started)
    except Exception:  # noqa: BLE001  (see the docstring)
        return None
    read = read_so_far() - read_before
    if done.feeds_polled == 0 and done.articles_stored == 0 and read == 0:
        return None
    return Progress(
        done.feeds_polled, feeds, read, done.articles_stored, done.entries_waiting + done.articles_stored
    )


def due(progress: Progress, shown: Progress | None, *, seconds_since: float, every: float) -> bool:
    """Whether a plain (piped) progress line is due: something changed, and `every` seconds have passed
    or a tenth more of the articles has been read or stored since the last line."""
    if shown is None:
        return True
    if progress.line() == shown.line():
        return False
    step = max(1, progress.to_read // 10)
    moved = abs(progress.read - shown.read) >= step or abs(progress.stored - shown.stored) >= step
    return seconds_since >= every or moved
