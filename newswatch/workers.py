"""A bounded pool of worker processes for CPU work on strangers' bytes: killed and replaced on a hang or bloat.

Feed parsing, page extraction and detection run here, on every core, each job with a time and a
memory limit. A worker is a plain `python -c "...serve()"` child talking pickles over its
stdin/stdout: unlike multiprocessing's spawn, it never re-imports the parent's `__main__` (Prefect's
engine, under a Prefect worker), inherits no database connection or socket, and can be killed at any
moment without leaving a broken pool behind. `serve` is the worker's side.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import pickle
import queue
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from newswatch.jobs import JOBS
from newswatch.memory import PAGE_SIZE, rss_bytes

HEADER = 8  # bytes of the length prefix before each pickled message
POLL_SECONDS = 0.05  # how often a waiting job checks its worker's clock and memory


class WorkerSettings(BaseSettings):
    """Limits of the work on one page or feed: NEWSWATCH_WORKERS, _JOB_TIMEOUT, _WORKER_MEMORY_MB, ...

    Each field's docstring is its meaning in `.env.example` (see newswatch/scaffold.py).
    """

    model_config = SettingsConfigDict(
        env_prefix="NEWSWATCH_", env_file=".env", extra="ignore", use_attribute_docstrings=True
    )

    workers: int = Field(default_factory=lambda: os.cpu_count() or 2)
    """Worker processes for parsing, extraction and detection; the number of cores by default."""
    job_timeout: float = 20.0  # trafilatura can take minutes on a hostile page
    """Seconds one page or feed may take before its worker is killed."""
    worker_memory_mb: int = 600  # lxml on a hostile page: GBs
    """Megabytes a worker may grow to before it is killed."""
    worker_max_jobs: int = 2000  # so slow leaks in parsers stay bounded
    """Jobs after which a worker is replaced by a fresh one."""
    # A new worker loads trafilatura and the English parser (1-2 s) before its first job, whose time limit
    # starts only then.
    worker_start_timeout: float = 120.0
    """Seconds a new worker may take to load its parsers."""
    # The largest of 200 real news pages is 1.4 MB, while a 3 MB page of links kept trafilatura busy for 14 s.
    max_page_bytes: int = 3_000_000
    """Larger pages are not extracted (too_large)."""


@dataclass(frozen=True)
class JobOutcome:
    """A job's return value, or why there is none: "timeout", "memory", "crashed" or "failed"."""

    value: Any
    error: str | None = None
    detail: str | None = None


class _Worker:
    """One child process and the pipes to it."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from newswatch.workers import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in, self._out = self.proc.stdin, self.proc.stdout.fileno()
        self.jobs = 0
        # Kept open: memory is checked after every job, and opening /proc each time cost a pass 0.5 s.
        try:
            self._statm: int | None = os.open(f"/proc/{self.proc.pid}/statm", os.O_RDONLY)
        except OSError:
            self._statm = None

    def ready(self, timeout: float) -> bool:
        """Wait until the worker has loaded what its jobs need (it writes an empty message), or give up."""
        deadline = time.monotonic() + timeout
        got = b""
        while len(got) < HEADER:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._out], [], [], left)[0]:
                return False
            chunk = os.read(self._out, HEADER - len(got))
            if not chunk:
                return False
            got += chunk
        return int.from_bytes(got, "big") == 0

    def rss(self) -> int:
        """The worker's resident memory in bytes (0 when unknown)."""
        if self._statm is None:
            return rss_bytes(self.proc.pid)
        try:
            return int(os.pread(self._statm, 128, 0).split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            return 0

    def call(self, payload: bytes, timeout: float, memory: int) -> JobOutcome:
        """Send one job and wait for its answer within `timeout` seconds and `memory` bytes."""
        self.jobs += 1
        try:
            self._in.write(len(payload).to_bytes(HEADER, "big") + payload)
            self._in.flush()
        except (BrokenPipeError, OSError):
            return JobOutcome(None, "crashed", "the worker process died")
        deadline = time.monotonic() + timeout
        buffer = bytearray()
        needed = HEADER
        while True:
            if len(buffer) >= needed:
                if needed == HEADER:
                    needed = HEADER + int.from_bytes(buffer[:HEADER], "big")
                    continue
                # Our own child wrote it; a worker subverted by a parser bug already runs as this user.
                status, value = pickle.loads(bytes(buffer[HEADER:needed]))  # noqa: S301
                return JobOutcome(value) if status == "ok" else JobOutcome(None, "failed", str(value))
            left = deadline - time.monotonic()
            if left <= 0:
                return JobOutcome(None, "timeout", f"took longer than {timeout:g} s")
            if memory and self.rss() > memory:
                return JobOutcome(None, "memory", f"needed more than {memory // 1_000_000} MB")
            ready, _, _ = select.select([self._out], [], [], min(POLL_SECONDS, left))
            if ready:
                chunk = os.read(self._out, max(65_536, needed - len(buffer)))
                if not chunk:
                    code = self.proc.wait()
                    return JobOutcome(None, "crashed", f"the worker process exited (code {code})")
                buffer += chunk

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.proc.poll() is None

    def stop(self) -> None:
        """Kill the process and reap it (a hung or bloated worker gets no chance to clean up)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self._statm is not None:
            os.close(self._statm)
            self._statm = None
        self._in.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class WorkerPool:
    """At most `workers` child processes; `run` blocks until one is free. Thread-safe.

    With workers=0 jobs run in the calling thread, without limits (for debugging and tiny tools).
    """

    def __init__(self, settings: WorkerSettings | None = None) -> None:
        self.settings = settings or WorkerSettings()
        self._slots: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(max(0, self.settings.workers)):
            self._slots.put(None)  # started on first use
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()
        self._closed = False
        self.replaced = 0  # workers killed for a timeout, memory or crash (reported by tests and bench)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def run(self, job: str, *args: Any, timeout: float | None = None) -> JobOutcome:
        """Run JOBS[job](*args) in a worker; a hang, bloat or crash becomes an error outcome."""
        function: Callable[..., Any] = JOBS[job]
        if self.settings.workers <= 0:
            return JobOutcome(function(*args))
        limit = self.settings.job_timeout if timeout is None else timeout
        memory = self.settings.worker_memory_mb * 1_000_000
        payload = pickle.dumps((job, args), protocol=pickle.HIGHEST_PROTOCOL)
        worker = self._slots.get()
        try:
            if self._closed:
                raise RuntimeError("the worker pool is closed")
            if worker is None or not worker.alive():
                worker = self._start()
                if not worker.ready(self.settings.worker_start_timeout):
                    self._retire(worker, counted=True)
                    worker = None
                    return JobOutcome(None, "crashed", "a new worker process could not start")
            outcome = worker.call(payload, limit, memory)
            recycle = worker.jobs >= self.settings.worker_max_jobs or worker.rss() > memory // 2
            if outcome.error in ("timeout", "memory", "crashed") or recycle:
                self._retire(worker, counted=outcome.error is not None)
                worker = None
            return outcome
        finally:
            self._slots.put(worker)

    def pids(self) -> list[int]:
        """The process ids of the running workers."""
        with self._lock:
            return [w.proc.pid for w in self._all if w.alive()]

    def close(self) -> None:
        """Stop every worker (waiting jobs get an error)."""
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()

    def _start(self) -> _Worker:
        worker = _Worker()
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker, *, counted: bool) -> None:
        with self._lock:
            self._all.discard(worker)
            self.replaced += counted
        worker.stop()


def _watch_parent(parent: int) -> None:
    """Exit as soon as the parent is gone, even in the middle of a job (a killed pass leaves no orphan)."""
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def serve() -> None:
    """The worker's loop: read a job from stdin, run it, write the answer to stdout; EOF ends it."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print from a library must not corrupt the answers
    logging.disable(logging.WARNING)  # trafilatura reports every discarded page
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    # Loaded before the first job (extractors import them lazily), so that its time limit is its own.
    importlib.import_module("trafilatura.metadata")
    importlib.import_module("htmldate")
    for module in ("extractors.detect", "feedparser"):  # the pass's own process never loads these
        importlib.import_module(module)
    # A missing pipeline is reported by the first job that needs it.
    with contextlib.suppress(Exception):
        importlib.import_module("extractors.parse").load_pipeline()
    sink.write((0).to_bytes(HEADER, "big"))  # ready: the first job's clock starts now
    sink.flush()
    while True:
        header = source.read(HEADER)
        if len(header) < HEADER:
            return
        job, args = pickle.loads(source.read(int.from_bytes(header, "big")))  # noqa: S301 - from our parent
        try:
            answer: tuple[str, Any] = ("ok", JOBS[job](*args))
        except Exception as exc:  # noqa: BLE001 - a job's bug is reported to the caller, not fatal here
            answer = ("error", f"{type(exc).__name__}: {exc}"[:500])
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        sink.write(len(data).to_bytes(HEADER, "big") + data)
        sink.flush()
