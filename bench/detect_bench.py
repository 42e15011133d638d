"""Benchmark (not a test): detect() against trafilatura's extraction, per page of ../shared/corpus/pages.

Detection must cost at most 10% of extraction. For each page: time trafilatura.extract (best of
--rounds), then detect() on the text it returned, with the bundled topic. Prints the medians and
the ratio of the medians, plus the ratio per page at the median and the 90th percentile.

Run: .venv/bin/python bench/detect_bench.py [--rounds N] [--limit N]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import trafilatura
import yaml

from extractors.detect import detect
from extractors.topic import Topic, topic_from_mapping

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def bundled_topic() -> Topic:
    """The first topic of the bundled watch file."""
    topics = yaml.safe_load((ROOT / "newswatch" / "watch.yaml").read_text(encoding="utf-8"))["topics"]
    name = next(iter(topics))
    return topic_from_mapping(name, topics[name])


def best_ms(work: Callable[[], object], rounds: int) -> float:
    """The fastest of `rounds` runs of `work`, in milliseconds."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def main() -> int:
    """Time extraction and detection over the corpus pages and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="runs per page; the best is kept")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (0: all)")
    args = parser.parse_args()
    pages_dir = SHARED / "corpus" / "pages"
    if not pages_dir.is_dir():
        print(f"skipped: {SHARED.name}/corpus/pages is not beside the project", file=sys.stderr)
        return 0
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    topic = bundled_topic()
    detect("warm-up: North Korea sent 3,000 troops, the NIS said.", topic)  # compile the topic's regexes once
    pages = sorted(pages_dir.iterdir())[: args.limit or None]
    extract_ms: list[float] = []
    detect_ms: list[float] = []
    ratios: list[float] = []
    chars: list[int] = []
    found = 0
    for page in pages:
        html = page.read_bytes().decode("utf-8", errors="replace")
        text = trafilatura.extract(html) or ""
        if not text:
            continue
        e = best_ms(partial(trafilatura.extract, html), args.rounds)
        d = best_ms(partial(detect, text, topic), args.rounds)
        extract_ms.append(e)
        detect_ms.append(d)
        ratios.append(d / e)
        chars.append(len(text))
        found += len(detect(text, topic))
    if not extract_ms:
        print("no page gave any text", file=sys.stderr)
        return 1
    med_e, med_d = statistics.median(extract_ms), statistics.median(detect_ms)
    ordered = sorted(ratios)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    print(
        f"pages with text: {len(extract_ms)} of {len(pages)}; median text {statistics.median(chars):.0f} chars"
    )
    print(f"trafilatura.extract: median {med_e:.2f} ms per page")
    print(
        f"detect():            median {med_d:.3f} ms per page, max {max(detect_ms):.2f} ms ({found} findings)"
    )
    print(f"per-page ratio detect/extract: median {statistics.median(ratios):.1%}, p90 {p90:.1%}")
    print(f"ratio of medians: {med_d / med_e:.1%} (budget 10%)")
    example = SHARED / "examples" / "ap-2024-10-nk-troops-russia.txt"
    if example.is_file():  # the worst case: every sentence is about the topic and is read closely
        text = example.read_text(encoding="utf-8")
        d = best_ms(partial(detect, text, topic), max(args.rounds, 10))
        print(f"detect() on the example article ({len(text)} chars, all on topic): {d:.2f} ms")
    return 0 if med_d / med_e <= 0.10 else 1


if __name__ == "__main__":
    sys.exit(main())
