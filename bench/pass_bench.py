"""Benchmark (not a test): whole passes over a local newsroom of N feeds x M new items, on this machine.

The newsroom (bench/benchroom.py) serves real pages of ../shared/corpus/pages with our own on-topic pages
mixed in at 3 in every 100. In one run it measures:
  1. the extraction floor: the same pages through trafilatura.extract alone, on every core;
  2. the first pass as a Prefect flow run (`newswatch run`, Prefect server on 127.0.0.1): wall time,
     articles per second, pages extracted and kept unread, peak RSS of the pass's whole process tree;
  3. the second pass with nothing changed: wall time, requests, pages downloaded, 304s;
  4. the first pass again with the relevance gate off, and whether both found the same;
  5. the first pass again with the pipeline's functions called without Prefect.

Run: make bench   or   .venv/bin/python bench/pass_bench.py [--feeds 1000] [--items 5] [--latency 0]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from benchroom import (
    PAGES,
    SHARED,
    cpu_seconds,
    extraction_floor,
    free_port,
    newsroom,
    pass_env,
    prefect_server,
    run_pass,
    stats,
    watch_file,
)


@dataclass(frozen=True)
class Row:
    """One pass as measured."""

    name: str
    wall: float
    rss: int
    counters: dict[str, int]
    cpu: tuple[float, float, float]  # the pass's process tree, the Prefect server, the newsroom
    db: Path


def main() -> int:
    """Serve the newsroom, run the floor and the passes, print the figures and the targets."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--no-plain", action="store_true", help="skip the pass without Prefect")
    parser.add_argument("--no-gate-off", action="store_true", help="skip the pass with the gate off")
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
        watch = watch_file(tmp / "bench.yaml", [f"{base}/feeds/{n}.xml" for n in range(args.feeds)])
        print(f"newsroom: {args.feeds} feeds x {args.items} items = {count} articles at {base}", flush=True)
        floor = extraction_floor(count)
        print(f"extraction floor: {floor[0]:.1f} s on {os.cpu_count()} cores", flush=True)
        port = free_port()
        server = prefect_server(tmp, port)
        env = pass_env(port)
        flow = [sys.executable, "-m", "newswatch", "run", "--watch", str(watch)]
        plain = [sys.executable, __file__, "--plain", str(watch)]
        passes = [
            ("first pass (Prefect)", flow, "flow.db", {}),
            ("second pass (Prefect)", flow, "flow.db", {}),
        ]
        if not args.no_gate_off:
            passes.append(("first pass, gate off", flow, "off.db", {"NEWSWATCH_RELEVANCE_GATE": "false"}))
        if not args.no_plain:
            passes.append(("first pass (no Prefect)", plain, "plain.db", {}))
        rows = []
        try:
            stats(base, reset=True)
            for name, command, db, extra in passes:
                before = (cpu_seconds(server.pid), cpu_seconds())
                path = tmp / db
                wall, rss, cpu = run_pass(
                    command, {**env, **extra, "NEWSWATCH_DATABASE_URL": f"sqlite:///{path}"}, log
                )
                others = (cpu_seconds(server.pid) - before[0], cpu_seconds() - before[1])
                rows.append(Row(name, wall, rss, stats(base, reset=True), (cpu, *others), path))
                print(f"{name}: {wall:.1f} s", flush=True)
        finally:
            server.terminate()
            server.wait()
        report(rows, floor, count)
    return 0


def findings(db: Path) -> list[tuple[object, ...]]:
    """Every finding of a pass's database, with its article's URL, in a fixed order."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            'SELECT a.url, f.topic, f.kind, f.sentence, f.start, f."end", f.data FROM finding f '
            "JOIN article a ON a.id = f.article_id"
        ).fetchall()
    return sorted(rows, key=repr)


def pages_read(db: Path) -> tuple[int, int]:
    """How many pages a pass extracted (articles from a page) and how many it kept unread."""
    with sqlite3.connect(db) as conn:
        read = conn.execute("SELECT count(*) FROM article WHERE source = 'page'").fetchone()[0]
        kept = conn.execute("SELECT count(*) FROM rawpage").fetchone()[0]
    return int(read), int(kept)


def report(rows: list[Row], floor: tuple[float, float], count: int) -> None:
    """The figures, and each target with whether it is met."""
    floor_wall, floor_cpu = floor
    print(f"extraction floor: {floor_wall:.1f} s, {count / floor_wall:.1f} pages/s, CPU {floor_cpu:.0f} s")
    for row in rows:
        pass_cpu, prefect_cpu, room_cpu = row.cpu
        rate = f", {count / row.wall:.1f} articles/s" if "first" in row.name else ""
        read, kept = pages_read(row.db)
        print(
            f"{row.name}: {row.wall:.1f} s{rate}, peak RSS {row.rss / 1e6:.0f} MB"
            f" | pages extracted {read}, kept unread {kept}"
            f" | requests {row.counters['requests']} on {row.counters['connections']} connections,"
            f" pages downloaded {row.counters['pages']}, 304s {row.counters['not_modified']}"
            f" | CPU s: pass {pass_cpu:.0f}, Prefect server {prefect_cpu:.0f}, newsroom {room_cpu:.0f}"
        )
    first, second = rows[0], rows[1]
    checks = [
        (
            f"first pass throughput {floor_wall / first.wall:.2f} x the extraction floor",
            floor_wall / first.wall >= 5,
            ">= 5",
        ),
        (f"second pass: {second.counters['pages']} pages downloaded", second.counters["pages"] == 0, "0"),
        (
            f"second pass: {second.counters['not_modified']} of {second.counters['requests']} feeds answered 304",
            second.counters["not_modified"] == second.counters["requests"] > 0,
            "all",
        ),
        (f"peak RSS {max(r.rss for r in rows) / 1e9:.2f} GB", max(r.rss for r in rows) <= 1.5e9, "<= 1.5 GB"),
    ]
    off = next((r for r in rows if "gate off" in r.name), None)
    if off is not None:
        mine, theirs = findings(first.db), findings(off.db)
        same = mine == theirs and len(mine) > 0
        checks.append(
            (
                f"findings with the gate {len(mine)}, without {len(theirs)}, identical: {same}",
                same,
                "identical",
            )
        )
        checks.append(
            (
                f"gate off: {count / off.wall:.1f} articles/s, {floor_wall / off.wall:.2f} x the floor",
                True,
                "-",
            )
        )
    plain = next((r for r in rows if "no Prefect" in r.name), None)
    if plain is not None:
        ratio = first.wall / plain.wall
        checks.append((f"with Prefect {ratio:.2f} x without", ratio <= 1.25, "<= 1.25"))
    for text, met, target in checks:
        print(f"  [{'met' if met else 'MISSED'}] {text} (target {target})")


def plain_pass(watch_path: Path) -> int:
    """The pass the flow runs, with the same pipeline functions called from plain threads: no Prefect."""
    from extractors.gate import gate_for
    from newswatch.channels import resolve_channels, targets_by_topic
    from newswatch.delivery import check_health, send_due
    from newswatch.fetcher import Fetcher
    from newswatch.pipeline import PreparedEntry, prepare_entries
    from newswatch.polling import poll_feeds
    from newswatch.settings import get_settings
    from newswatch.storing import store_in_order
    from newswatch.watchfile import load_watch
    from newswatch.workers import WorkerPool
    from storage.db import get_engine, session_scope
    from storage.feeds import due_feeds, ensure_feeds
    from storage.locks import FeedLocks

    settings = get_settings()
    watch = load_watch(watch_path)
    gate = gate_for(watch.topics) if settings.relevance_gate else None
    engine = get_engine(settings.database_url)
    with session_scope(engine) as session:
        feed_ids = ensure_feeds(session, urls=[f.url for f in watch.feeds])
    channels = resolve_channels(watch, settings)
    targets = {k: tuple(v) for k, v in targets_by_topic(channels).items()}

    def read(group: list[int]) -> list[PreparedEntry]:
        polls = poll_feeds(fetcher, engine, feed_ids=group, settings=settings, pool=pool)
        to_read = [entry_id for poll in polls for entry_id in poll.to_read]
        topics = dict.fromkeys(group, watch.topics)
        return prepare_entries(
            fetcher, engine, entry_ids=to_read, topics=topics, pool=pool, readers=4, gate=gate
        )

    with Fetcher(settings) as fetcher, WorkerPool() as pool, FeedLocks(engine) as locks:
        held = locks.acquire(list(feed_ids.values()))
        with session_scope(engine) as session:
            due = set(due_feeds(session, feed_ids=held))
        mine = [i for i in feed_ids.values() if i in due]
        groups = [mine[start : start + 125] for start in range(0, len(mine), 125)]  # as the flow groups them
        with ThreadPoolExecutor(8) as threads:
            prepared = [p for batch in threads.map(read, groups) for p in batch]
        stored = store_in_order(engine, prepared, topics={t.name: t for t in watch.topics}, targets=targets)
    check_health(engine, channels, settings)
    send_due(engine, channels, settings)
    print(f"plain pass: {len(due)} feeds polled, {len(stored)} articles stored")
    return 0


if __name__ == "__main__":
    sys.exit(main())
