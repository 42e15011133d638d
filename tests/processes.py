"""Background processes for end-to-end tests (a Prefect server, workers): started in their own process
group, output to a log, and stopped with everything they started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from newswatch.memory import tree_rss_bytes


@contextlib.contextmanager
def started(
    args: list[str], env: dict[str, str], log: Path, *, cwd: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A background process (its own group, output to `log`), killed with everything it started."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def watch_peak(proc: subprocess.Popen[bytes]) -> Callable[[], int]:
    """Sample the resident memory of a process's whole tree until it ends; returns the peak so far."""
    peak = 0

    def sample() -> None:
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, tree_rss_bytes(proc.pid))
            time.sleep(0.1)

    threading.Thread(target=sample, daemon=True).start()
    return lambda: peak
