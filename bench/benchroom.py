"""What the pass benchmarks share: a local newsroom of N feeds x M items, the extraction floor, and how a
pass is run and measured (wall time, CPU and peak RSS of its whole process tree).

The newsroom serves real pages of ../shared/corpus/pages, each under many distinct URLs, with our own
on-topic pages (the demo newsroom's and the gate's test fixtures) mixed in at 3 in every 100 positions;
feeds and pages answer conditional GETs (ETag, Last-Modified).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from newswatch.memory import tree_rss_bytes

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PAGES = SHARED / "corpus" / "pages"
# Our own pages about the bundled topic: the demo newsroom's (less its three off-topic stories) and the
# relevance gate's test fixtures.
OWN = sorted(
    p
    for p in [
        *(ROOT / "newswatch" / "newsroom" / "site").rglob("*.html"),
        *(ROOT / "tests" / "fixtures" / "pages" / "gate").glob("*.html"),
    ]
    if not any(word in p.name for word in ("record-profit", "late-winner", "november-snow"))
)
ON_TOPIC_PER_100 = 3
LAST_MODIFIED = format_datetime(datetime(2024, 11, 1, tzinfo=UTC), usegmt=True)


def page_bodies() -> tuple[list[bytes], list[bytes]]:
    """The corpus pages and our on-topic pages, in a fixed order."""
    return [p.read_bytes() for p in sorted(PAGES.glob("*.html"))], [p.read_bytes() for p in OWN]


def page_at(index: int, corpus: list[bytes], own: list[bytes], *, mix: bool = True) -> bytes:
    """The page served at position `index` (item k of feed n is n * items + k): one of ours at 3 positions
    in every 100 (0, 33 and 66), a corpus page elsewhere."""
    if mix and index % 100 in (0, 33, 66)[:ON_TOPIC_PER_100]:
        return own[(index // 33) % len(own)]
    return corpus[index % len(corpus)]


@contextmanager
def newsroom(feeds: int, items: int, latency: float = 0.0, *, mix: bool = True) -> Iterator[str]:
    """Serve N feeds x M items on 127.0.0.1 (a thread of this process); yields the base URL. Every answer
    has an ETag and a Last-Modified, and a matching conditional GET gets a 304. /_stats counts requests."""
    corpus, own = page_bodies()
    tags: dict[int, str] = {}
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
                index = int(parts[1]) * items + int(parts[2])
                body = page_at(index, corpus, own, mix=mix)
                with lock:  # hashed once per page: the newsroom's own work is not the pass's
                    etag = tags.setdefault(id(body), _etag(body))
                kind, counted = "text/html; charset=utf-8", "pages"
            else:
                return self._send(404, b"not found", "text/plain", None)
            with lock:
                counters["requests"] += 1
                counters["connections"] += self.first_request
                self.first_request = False
                counters["not_modified" if self.headers.get("If-None-Match") == etag else counted] += 1
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
    """Extract the pages at `indexes` of the mix with trafilatura alone; how many gave text."""
    import trafilatura

    logging.disable(logging.WARNING)
    corpus, own = page_bodies()
    return sum(trafilatura.extract(page_at(i, corpus, own)) is not None for i in indexes)


def extraction_floor(count: int) -> tuple[float, float]:
    """Wall and CPU seconds of trafilatura.extract over the pass's `count` pages, on every core."""
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
    return {k: counters.get(k, 0) for k in ("requests", "connections", "feeds", "pages", "not_modified")}


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


def pass_env(port: int) -> dict[str, str]:
    """The environment of a pass against the newsroom, with the Prefect server at `port`."""
    return {
        **os.environ,
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "NEWSWATCH_ALLOWED_NETWORKS": "127.0.0.1/32",
        "NEWSWATCH_APPRISE_URLS": "",
        # One local server stands for a thousand outlets: the per-host limit would make it one.
        "NEWSWATCH_MAX_PER_HOST": "16",
    }


def watch_file(path: Path, feeds: list[str]) -> Path:
    """The bundled watch file's topics with the newsroom's feeds."""
    import yaml

    from newswatch.settings import BUNDLED_WATCH_FILE

    spec = yaml.safe_load(BUNDLED_WATCH_FILE.read_text())
    spec["feeds"] = [{"url": url, "topics": list(spec["topics"])} for url in feeds]
    spec.pop("alerts", None)  # alerts are printed: no channel to wait for
    path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    return path
