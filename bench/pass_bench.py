"""Benchmark (not a test): whole passes over a local newsroom of N feeds x M new items, on this machine.

Article pages are the real pages of ../shared/corpus/pages, each served under many distinct URLs; feeds and
pages answer conditional GETs (ETag, Last-Modified). In one run it measures:
  1. the first pass as a Prefect flow run (`newswatch run`, Prefect server on 127.0.0.1): wall time,
     articles per second, peak RSS of the pass's whole process tree;
  2. the extraction floor: the same pages through trafilatura.extract alone, on every core;
  3. the second pass with nothing changed: wall time, requests, pages downloaded, 304s;
  4. the first pass again with the pipeline's functions called without Prefect.

Run: make bench   or   .venv/bin/python bench/pass_bench.py [--feeds 1000] [--items 5] [--latency 0]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from newswatch.workers import tree_rss_bytes

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PAGES = SHARED / "corpus" / "pages"
LAST_MODIFIED = format_datetime(datetime(2024, 11, 1, tzinfo=UTC), usegmt=True)


@contextmanager
def newsroom(feeds: int, items: int, latency: float) -> Iterator[str]:
    """Serve N feeds x M items on 127.0.0.1 (a thread of this process); yields the base URL.

    Item k of feed n links /p/n/k.html, which serves corpus page (n * M + k) mod 200. Every answer has an
    ETag and a Last-Modified and a matching conditional GET gets a 304. /_stats counts the requests.
    """
    pages = [p.read_bytes() for p in sorted(PAGES.glob("*.html"))]
    # Hashed once: the newsroom shares the cores with the pass, and its own work is not the pass's.
    page_tags = [_etag(page) for page in pages]
    counters: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        first_request = True  # per connection: counts the connections the passes open

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path == "/_stats":
                with lock:
                    body = json.dumps(dict(counters)).encode()
                    if query == "reset=1":
                        counters.clear()
                return self._send(200, body, "application/json", None)
            if latency:
                time.sleep(latency)
            parts = path.strip("/").removesuffix(".xml").removesuffix(".html").split("/")
            if len(parts) == 2 and parts[0] == "feeds" and parts[1].isdigit():
                body, kind, counted = self._feed(int(parts[1])), "application/rss+xml; charset=utf-8", "feeds"
                etag = _etag(body)
            elif len(parts) == 3 and parts[0] == "p" and parts[1].isdigit() and parts[2].isdigit():
                page = (int(parts[1]) * items + int(parts[2])) % len(pages)
                body, etag = pages[page], page_tags[page]
                kind, counted = "text/html; charset=utf-8", "pages"
            else:
                return self._send(404, b"not found", "text/plain", None)
            with lock:
                counters["requests"] += 1
                counters["connections"] += self.first_request
                self.first_request = False
                if self.headers.get("If-None-Match") == etag:
                    counters["not_modified"] += 1
                else:
                    counters[counted] += 1
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", None, etag)
            return self._send(200, body, kind, etag)

        def _feed(self, n: int) -> bytes:
            start = datetime(2024, 11, 1, tzinfo=UTC)
            entries = "".join(
                f"<item><title>Story {n}-{k}</title><link>http://{self.headers['Host']}/p/{n}/{k}.html</link>"
                f"<guid>story-{n}-{k}</guid><pubDate>{format_datetime(start - timedelta(minutes=n * items + k), usegmt=True)}"
                f"</pubDate><description>Summary of story {n}-{k}.</description></item>"
                for k in range(items)
            )
            return f'<rss version="2.0"><channel><title>Feed {n}</title>{entries}</channel></rss>'.encode()

        def _send(self, status: int, body: bytes, kind: str | None, etag: str | None) -> None:
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # the default 5 drops connections sixteen polling threads open at once

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def _floor_chunk(indexes: list[int]) -> int:
    """Extract the pages at `indexes` (of the sorted corpus) with trafilatura alone; how many gave text."""
    import trafilatura

    logging.disable(logging.WARNING)
    paths = sorted(PAGES.glob("*.html"))
    cache = {p: p.read_bytes() for p in paths}
    done = 0
    for i in indexes:
        done += trafilatura.extract(cache[paths[i % len(paths)]]) is not None
    return done


def extraction_floor(count: int) -> tuple[float, float]:
    """Wall and CPU seconds of trafilatura.extract over `count` pages (the pass's own), on every core."""
    cores = os.cpu_count() or 2
    chunks = [list(range(start, count, cores)) for start in range(cores)]
    cpu, started = children_cpu(), time.monotonic()
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(_floor_chunk, chunks))
    return time.monotonic() - started, children_cpu() - cpu


def stats(base: str, *, reset: bool = False) -> dict[str, int]:
    """The newsroom's request counters (reset afterwards when asked)."""
    with urllib.request.urlopen(f"{base}/_stats{'?reset=1' if reset else ''}") as answer:
        counters: dict[str, int] = json.load(answer)
    return {
        key: counters.get(key, 0) for key in ("requests", "connections", "feeds", "pages", "not_modified")
    }


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time of process `pid` and its reaped children (Linux /proc); of this process when None."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """CPU time of this process's reaped children (and theirs): a pass's whole process tree once done."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_pass(command: list[str], env: dict[str, str], log: Path) -> tuple[float, int, float]:
    """Run one pass as a subprocess: its wall time, the peak RSS and the CPU time of its process tree."""
    peak = 0
    cpu = children_cpu()
    started = time.monotonic()
    with log.open("ab") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)

        def sample() -> None:
            nonlocal peak
            while proc.poll() is None:
                peak = max(peak, tree_rss_bytes(proc.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        wall = time.monotonic() - started  # before joining the sampler, which may be in its 0.2 s sleep
        sampler.join()
    if code != 0:
        raise SystemExit(f"the pass failed (exit {code}); see {log}")
    return wall, peak, children_cpu() - cpu


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prefect_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    """A Prefect server for the flow runs (its own home, SQLite), ready when this returns."""
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    log = (home / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the Prefect server did not start")


def watch_file(path: Path, feeds: list[str]) -> Path:
    """The bundled watch file's topics with the newsroom's feeds."""
    import yaml

    from newswatch.settings import BUNDLED_WATCH_FILE

    spec = yaml.safe_load(BUNDLED_WATCH_FILE.read_text())
    spec["feeds"] = [{"url": url, "topics": list(spec["topics"])} for url in feeds]
    spec.pop("alerts", None)  # alerts are printed: no channel to wait for
    path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    return path


def main() -> int:
    """Serve the newsroom, run the passes and the floor, print the figures and the targets."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--no-plain", action="store_true", help="skip the pass without Prefect")
    parser.add_argument("--plain", metavar="WATCH", help=argparse.SUPPRESS)  # internal: run that pass
    args = parser.parse_args()
    if args.plain:
        return plain_pass(Path(args.plain))
    if not PAGES.is_dir():
        print(
            f"skipped: {SHARED.name}/corpus/pages (the real pages) is not beside the project", file=sys.stderr
        )
        return 0
    count = args.feeds * args.items
    with tempfile.TemporaryDirectory() as tmp_name, newsroom(args.feeds, args.items, args.latency) as base:
        tmp = Path(tmp_name)
        log = tmp / "passes.log"
        feeds = [f"{base}/feeds/{n}.xml" for n in range(args.feeds)]
        watch = watch_file(tmp / "bench.yaml", feeds)
        print(f"newsroom: {args.feeds} feeds x {args.items} items = {count} articles at {base}", flush=True)

        floor = extraction_floor(count)
        print(f"extraction floor: {floor[0]:.1f} s on {os.cpu_count()} cores", flush=True)

        port = free_port()
        server = prefect_server(tmp, port)
        env = {
            **os.environ,
            "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "NEWSWATCH_ALLOWED_NETWORKS": "127.0.0.1/32",
            "NEWSWATCH_APPRISE_URLS": "",
            # One local server stands for a thousand outlets: the per-host limit would make it one.
            "NEWSWATCH_MAX_PER_HOST": "16",
        }
        flow = [sys.executable, "-m", "newswatch", "run", "--watch", str(watch)]
        plain = [sys.executable, __file__, "--plain", str(watch)]
        rows = []
        try:
            stats(base, reset=True)
            passes = [("first pass (Prefect)", flow, "flow.db"), ("second pass (Prefect)", flow, "flow.db")]
            passes += [] if args.no_plain else [("first pass (no Prefect)", plain, "plain.db")]
            for name, command, db in passes:
                before = (cpu_seconds(server.pid), cpu_seconds())
                wall, rss, cpu = run_pass(
                    command, {**env, "NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp / db}"}, log
                )
                others = (cpu_seconds(server.pid) - before[0], cpu_seconds() - before[1])
                rows.append((name, wall, rss, stats(base, reset=True), (cpu, *others)))
        finally:
            server.terminate()
            server.wait()
        report(rows, floor, count)
    return 0


Row = tuple[str, float, int, dict[str, int], tuple[float, float, float]]


def report(rows: list[Row], floor: tuple[float, float], count: int) -> None:
    """The figures, and each target with whether it is met."""
    floor_wall, floor_cpu = floor
    print(f"extraction floor: {floor_wall:.1f} s, {count / floor_wall:.1f} pages/s, CPU {floor_cpu:.0f} s")
    for name, wall, rss, counters, (cpu, prefect_cpu, room_cpu) in rows:
        print(
            f"{name}: {wall:.1f} s, {count / wall if 'first' in name else 0:.1f} articles/s, peak RSS {rss / 1e6:.0f} MB"
            f" | requests {counters['requests']} on {counters['connections']} connections,"
            f" pages downloaded {counters['pages']}, 304s {counters['not_modified']}"
            f" | CPU s: pass {cpu:.0f}, Prefect server {prefect_cpu:.0f}, newsroom {room_cpu:.0f}"
        )
    first, second = rows[0], rows[1]
    checks = [
        (
            f"first pass throughput {floor_wall / first[1]:.2f} x the extraction floor",
            floor_wall / first[1] >= 0.7,
            ">= 0.7",
        ),
        (f"second pass {second[1] / first[1]:.1%} of the first", second[1] <= 0.05 * first[1], "<= 5%"),
        (f"second pass: {second[3]['pages']} pages downloaded", second[3]["pages"] == 0, "0"),
        (
            f"second pass: {second[3]['not_modified']} of {second[3]['requests']} feeds answered 304",
            second[3]["not_modified"] == second[3]["requests"] > 0,
            "all",
        ),
        (f"peak RSS {max(r[2] for r in rows) / 1e9:.2f} GB", max(r[2] for r in rows) <= 1.5e9, "<= 1.5 GB"),
    ]
    if len(rows) > 2:
        ratio = first[1] / rows[2][1]
        checks.append((f"with Prefect {ratio:.2f} x without", ratio <= 1.25, "<= 1.25"))
    for text, met, target in checks:
        print(f"  [{'met' if met else 'MISSED'}] {text} (target {target})")


def plain_pass(watch_path: Path) -> int:
    """The pass the flow runs, with the same pipeline functions called from plain threads: no Prefect."""
    from newswatch.delivery import check_health, resolve_channels, send_due, targets_by_topic
    from newswatch.fetcher import Fetcher
    from newswatch.pipeline import PreparedEntry, poll_feeds, prepare_entries
    from newswatch.settings import get_settings
    from newswatch.storing import store_in_order
    from newswatch.watchfile import load_watch
    from newswatch.workers import WorkerPool
    from storage.db import get_engine, session_scope
    from storage.feeds import FeedLocks, due_feeds, ensure_feeds

    settings = get_settings()
    watch = load_watch(watch_path)
    engine = get_engine(settings.database_url)
    with session_scope(engine) as session:
        feed_ids = ensure_feeds(session, urls=[f.url for f in watch.feeds])
    channels = resolve_channels(watch, settings)
    targets = {k: tuple(v) for k, v in targets_by_topic(channels).items()}

    def read(group: list[int]) -> list[PreparedEntry]:
        polls = poll_feeds(fetcher, engine, feed_ids=group, settings=settings, pool=pool)
        to_read = [entry_id for poll in polls for entry_id in poll.to_read]
        topics = dict.fromkeys(group, watch.topics)
        return prepare_entries(fetcher, engine, entry_ids=to_read, topics=topics, pool=pool, readers=4)

    with Fetcher(settings) as fetcher, WorkerPool() as pool, FeedLocks(engine) as locks:
        held = locks.acquire(list(feed_ids.values()))
        with session_scope(engine) as session:
            due = set(due_feeds(session, feed_ids=held))
        mine = [i for i in feed_ids.values() if i in due]
        groups = [mine[start : start + 63] for start in range(0, len(mine), 63)]  # as the flow groups them
        with ThreadPoolExecutor(16) as threads:
            prepared = [p for batch in threads.map(read, groups) for p in batch]
        stored = store_in_order(engine, prepared, topics={t.name: t for t in watch.topics}, targets=targets)
    check_health(engine, channels, settings)
    send_due(engine, channels, settings)
    print(f"plain pass: {len(due)} feeds polled, {len(stored)} articles stored")
    return 0


if __name__ == "__main__":
    sys.exit(main())
