"""Benchmark (not a test): parse_feed over ../shared/eval/feeds, extract_article over ../shared/corpus/pages.

Run: .venv/bin/python bench/extract_bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from extractors.articles import extract_article
from extractors.feeds import parse_feed

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def timed(items: list[Path], work: Callable[[Path, bytes], bool], rounds: int) -> tuple[list[float], int]:
    """Milliseconds per item (best of `rounds`, file already in memory) and how many succeeded."""
    times, ok = [], 0
    for path in items:
        data = path.read_bytes()
        best = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            success = work(path, data)
            best = min(best, (time.perf_counter() - started) * 1000)
        times.append(best)
        ok += success
    return times, ok


def report(name: str, items: list[Path], times: list[float], ok: int) -> None:
    """Median, p90, max and throughput, plus the slowest items."""
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    total_s = sum(times) / 1000
    size_mb = sum(p.stat().st_size for p in items) / 1e6
    print(
        f"{name}: {len(items)} files, {size_mb:.1f} MB, {ok} usable | median {statistics.median(times):.1f} ms, "
        f"p90 {p90:.1f} ms, max {ordered[-1]:.1f} ms | {len(items) / total_s:.1f} per s, {size_mb / total_s:.2f} MB/s"
    )
    slowest = sorted(zip(times, items, strict=True), reverse=True)[:3]
    print(
        "  slowest: " + ", ".join(f"{p.name} ({t:.0f} ms, {p.stat().st_size // 1000} kB)" for t, p in slowest)
    )


def main() -> int:
    """Time both extractors over the shared data and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=1, help="runs per file; the best is kept")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(
            f"skipped: {SHARED.name}/ (the real feeds and pages) is not beside the project", file=sys.stderr
        )
        return 0
    logging.disable(logging.WARNING)  # trafilatura logs every discarded page

    feeds = sorted((SHARED / "eval" / "feeds").glob("*.xml"))
    feed_times, feed_ok = timed(
        feeds,
        lambda p, data: (
            not parse_feed(data, url=f"https://feeds.example/{p.name}", content_type="text/xml").error
        ),
        max(args.rounds, 5),  # feeds take milliseconds: several rounds steady the figure
    )
    report("parse_feed", feeds, feed_times, feed_ok)

    pages = sorted((SHARED / "corpus" / "pages").glob("*.html"))
    page_times, page_ok = timed(
        pages,
        lambda p, data: extract_article(data, url=f"https://{p.stem}.example/") is not None,
        args.rounds,
    )
    report("extract_article", pages, page_times, page_ok)
    return 0


if __name__ == "__main__":
    sys.exit(main())
