"""Feed locks: which feeds a running pass holds, so that an overlapping pass skips them."""

from __future__ import annotations

import os
import struct
import threading
from collections.abc import Sequence
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from storage.db import ADVISORY_NAMESPACE


class FeedLocks:
    """The feeds a pass holds, so that an overlapping pass skips them rather than read their articles too.

    A pass takes all its feeds at once, under a short mutex: two passes started together over the same
    feeds never split them, so the one that reads them stores them all in publication order, as a single
    pass would. A dead process holds nothing: PostgreSQL drops advisory locks with the connection, and the
    OS drops byte-range locks on the file beside an SQLite database. Thread-safe; in-memory SQLite has no
    other pass to exclude and locks nothing.
    """

    def __init__(self, engine: Engine) -> None:
        self._guard = threading.Lock()
        self._held: set[int] = set()
        self._conn: Connection | None = None
        self._fd: int | None = None
        if engine.dialect.name == "postgresql":
            self._conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        elif engine.url.database not in (None, "", ":memory:"):
            self._fd = os.open(f"{engine.url.database}.feedlocks", os.O_RDWR | os.O_CREAT, 0o600)

    def __enter__(self) -> FeedLocks:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def acquire(self, feed_ids: Sequence[int]) -> list[int]:
        """Take every feed no other pass holds (never waits for a feed); returns those taken."""
        wanted = [i for i in dict.fromkeys(feed_ids) if i > 0]
        with self._guard:
            if self._conn is not None:
                params = {"ns": ADVISORY_NAMESPACE, "ids": wanted}
                self._conn.execute(text("SELECT pg_advisory_lock(:ns, 0)"), params)
                try:
                    taken = (
                        self._conn.execute(
                            text(
                                "SELECT id FROM unnest(CAST(:ids AS integer[])) AS id WHERE pg_try_advisory_lock(:ns, id)"
                            ),
                            params,
                        )
                        .scalars()
                        .all()
                    )
                finally:
                    self._conn.execute(text("SELECT pg_advisory_unlock(:ns, 0)"), params)
            elif self._fd is not None:
                _byte_lock(self._fd, 0, exclusive=True, wait=True)
                try:
                    taken = [i for i in wanted if i in self._held or _byte_lock(self._fd, i, exclusive=True)]
                finally:
                    _byte_lock(self._fd, 0, exclusive=False)
            else:
                taken = wanted
            held = set(taken)
            self._held.update(held)
            return [i for i in wanted if i in held]

    def release(self, feed_id: int) -> None:
        """Let other passes have the feed again."""
        with self._guard:
            if feed_id not in self._held:
                return
            self._held.discard(feed_id)
            if self._conn is not None:
                self._conn.execute(
                    text("SELECT pg_advisory_unlock(:ns, :id)"), {"ns": ADVISORY_NAMESPACE, "id": feed_id}
                )
            elif self._fd is not None:
                _byte_lock(self._fd, feed_id, exclusive=False)

    def close(self) -> None:
        """Release every feed still held."""
        with self._guard:
            self._held.clear()
            if self._conn is not None:
                # Closing the PostgreSQL session ends its advisory locks; a pooled connection would keep them.
                self._conn.invalidate()
                self._conn = None
            if self._fd is not None:
                os.close(self._fd)  # the byte-range locks go with the file description
                self._fd = None


def _byte_lock(fd: int, offset: int, *, exclusive: bool, wait: bool = False) -> bool:
    """Lock (or unlock) one byte of the lock file; without `wait`, False when another holder has it."""
    import fcntl

    kind = fcntl.F_WRLCK if exclusive else fcntl.F_UNLCK
    # Open-file-description locks belong to this open file, not to the whole process (Linux); elsewhere
    # fall back to POSIX record locks, which are per process.
    if wait:
        command = getattr(fcntl, "F_OFD_SETLKW", fcntl.F_SETLKW)
    else:
        command = getattr(fcntl, "F_OFD_SETLK", fcntl.F_SETLK)
    request = struct.pack("hhqqi", kind, os.SEEK_SET, offset, 1, 0)
    try:
        fcntl.fcntl(fd, command, request)
    except OSError:
        return False
    return True
