"""The worker pool: real child processes, killed and replaced on a hang, a bloat or a crash; never orphaned."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from extractors.topic import Claimant, Topic, UnitClass
from newswatch.memory import rss_bytes, tree_rss_bytes
from newswatch.workers import WorkerPool, WorkerSettings

TOPIC = Topic(
    name="t",
    title="T",
    terms=("North Korea", "North Korean"),
    units=(UnitClass("troops", ("troops", "soldiers")),),
    claimants=(Claimant("nis", "NIS", ("NIS", "spy agency")),),
)
ARTICLE = (
    "<html><head><title>Spy agency: 3,000 North Korean troops in Russia</title></head><body><article>"
    "<p>South Korea's spy agency said on Friday that about 3,000 North Korean troops had been sent to "
    "Russia for training before moving to the front.</p>"
    + "".join(
        f"<p>Paragraph {n} of the report adds background on the deployment and its route.</p>"
        for n in range(6)
    )
    + "</article></body></html>"
).encode()
# trafilatura needs several seconds for this (a page of links); a slow page without any sleep.
SLOW_PAGE = b"<html><body><p>" + b"<a href='/x'>link text</a> words " * 60_000 + b"</p></body></html>"
# And hundreds of MB for this one (a wide table).
FAT_PAGE = b"<html><body><table>" + (b"<tr>" + b"<td>cell words</td>" * 20 + b"</tr>") * 20_000 + b"</table>"


def pool(**limits: object) -> WorkerPool:
    values: dict[str, object] = {"workers": 2, "job_timeout": 10.0, "worker_memory_mb": 600}
    values.update(limits)
    return WorkerPool(WorkerSettings(_env_file=None, **values))  # type: ignore[arg-type,call-arg]


def test_a_page_is_read_in_a_child_without_prefect_or_inherited_sockets() -> None:
    with socket.socket() as listening, pool() as workers:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        outcome = workers.run("read_page", ARTICLE, "https://news.test/a", "", (TOPIC,))
        assert outcome.error is None
        assert outcome.value.article.title == "Spy agency: 3,000 North Korean troops in Russia"
        assert 3000 in {getattr(f, "value", None) for f in outcome.value.findings["t"]}
        [pid] = workers.pids()
        assert pid != os.getpid()
        # The child holds nothing of ours: its descriptors are its pipes, stdio and what it opened itself.
        inode = os.fstat(listening.fileno()).st_ino
        targets = {str(fd.readlink()) for fd in Path(f"/proc/{pid}/fd").iterdir()}
        assert f"socket:[{inode}]" not in targets
        assert not any(t.startswith("socket:") for t in targets)
        worker_pid, loaded = workers.run("ping").value
        assert worker_pid == pid
        assert "trafilatura" in loaded  # control: the listing is real
        # No Prefect and no database in a worker. (httpx is imported by spaCy's command line, through weasel,
        # but nothing in a worker opens a socket: the descriptors above say so.)
        assert not {"prefect", "sqlalchemy"} & set(loaded)


def test_a_hanging_page_is_given_up_and_its_worker_replaced() -> None:
    with pool(job_timeout=1.0) as workers:
        assert workers.run("read_page", ARTICLE, "https://news.test/a", "", (TOPIC,)).error is None
        [first] = workers.pids()
        started = time.monotonic()
        outcome = workers.run("read_page", SLOW_PAGE, "https://news.test/slow", "", (TOPIC,))
        assert time.monotonic() - started < 3
        assert (outcome.error, outcome.value) == ("timeout", None)
        assert "1 s" in (outcome.detail or "")
        assert workers.replaced == 1
        assert not Path(f"/proc/{first}").exists() or _zombie(first)
        again = workers.run("read_page", ARTICLE, "https://news.test/a", "", (TOPIC,))
        assert again.error is None
        assert workers.pids() != [first]


def test_a_bloating_page_is_killed_at_the_memory_cap() -> None:
    with pool(worker_memory_mb=250, job_timeout=60.0) as workers:
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, *(rss_bytes(p) for p in workers.pids() or [0]))
                time.sleep(0.02)

        watcher = threading.Thread(target=sample)
        watcher.start()
        try:
            outcome = workers.run("read_page", FAT_PAGE, "https://news.test/fat", "", (TOPIC,))
        finally:
            done.set()
            watcher.join()
        assert outcome.error == "memory"
        assert peak < 450_000_000  # stopped near the cap, far below the ~900 MB this page takes
        assert workers.run("read_page", ARTICLE, "https://news.test/a", "", (TOPIC,)).error is None


def test_a_worker_killed_mid_job_is_a_crash_and_the_pool_goes_on() -> None:
    with pool(job_timeout=30.0) as workers:
        workers.run("detect", "warm up", (TOPIC,))
        [pid] = workers.pids()
        threading.Timer(0.5, os.kill, (pid, signal.SIGKILL)).start()
        outcome = workers.run("read_page", SLOW_PAGE, "https://news.test/slow", "", (TOPIC,))
        assert outcome.error == "crashed"
        assert workers.run("detect", "North Korea sent 3,000 troops.", (TOPIC,)).error is None


def test_never_more_workers_than_the_limit() -> None:
    with pool(workers=2) as workers:
        seen: list[int] = []

        def job() -> None:
            workers.run("read_page", ARTICLE, "https://news.test/a", "", (TOPIC,))
            seen.append(len(workers.pids()))

        threads = [threading.Thread(target=job) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert max(seen) <= 2
        assert len(workers.pids()) <= 2
        assert tree_rss_bytes(os.getpid()) >= sum(rss_bytes(p) for p in workers.pids())


def test_no_worker_outlives_a_killed_parent(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, threading\n"
        "from newswatch.workers import WorkerPool, WorkerSettings\n"
        "pool = WorkerPool(WorkerSettings(_env_file=None, workers=1, job_timeout=60))\n"
        "pool.run('detect', 'warm up', ())\n"
        "print(pool.pids()[0], flush=True)\n"
        f"pool.run('read_page', {SLOW_PAGE!r}, 'https://news.test/slow', '', ())\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    time.sleep(0.3)  # the worker is inside the slow job now
    parent.kill()
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{worker}").exists() and not _zombie(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{worker}").exists() or _zombie(worker), "the worker outlived its parent"


def test_without_workers_jobs_run_inline() -> None:
    with pool(workers=0) as workers:
        outcome = workers.run("detect", "North Korea sent 3,000 troops, the spy agency said.", (TOPIC,))
        assert outcome.error is None
        assert workers.pids() == []


@pytest.mark.parametrize("job", ["read_page", "read_feed"])
def test_a_job_error_is_reported_not_raised(job: str) -> None:
    with pool(workers=1) as workers:
        outcome = workers.run(job, 12345, None, None, None)  # not bytes: the job itself raises
        assert outcome.error == "failed"
        assert outcome.detail
        assert workers.run("detect", "still alive", (TOPIC,)).error is None


def _zombie(pid: int) -> bool:
    """Whether `pid` has exited and only waits to be reaped (by init, once its parent is gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
