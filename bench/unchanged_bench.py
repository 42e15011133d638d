"""Benchmark (not a test): a pass over N feeds that have not changed (every one answers 304), with a
running Prefect server, on this machine: wall time, CPU of the pass's process tree, peak RSS.

The newsroom (bench/benchroom.py) serves N feeds with no items; a first pass records their ETags, then
the measured passes find every feed unchanged. Run: .venv/bin/python bench/unchanged_bench.py
[--feeds 10000] [--passes 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from benchroom import cpu_seconds, free_port, newsroom, pass_env, prefect_server, run_pass, stats, watch_file


def main() -> int:
    """Serve the feeds, run the first pass, then measure the unchanged ones."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=2, help="unchanged passes measured")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name, newsroom(args.feeds, 0, mix=False) as base:
        tmp = Path(tmp_name)
        watch = watch_file(tmp / "bench.yaml", [f"{base}/feeds/{n}.xml" for n in range(args.feeds)])
        port = free_port()
        server = prefect_server(tmp, port)
        env = {**pass_env(port), "NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp / 'feeds.db'}"}
        flow = [sys.executable, "-m", "newswatch", "run", "--watch", str(watch)]
        try:
            wall, _rss, _cpu = run_pass(flow, env, tmp / "passes.log")
            print(f"{args.feeds} feeds, first pass (every feed new): {wall:.1f} s", flush=True)
            stats(base, reset=True)
            results = []
            for n in range(args.passes):
                before = (cpu_seconds(server.pid), cpu_seconds())
                wall, rss, cpu = run_pass(flow, env, tmp / "passes.log")
                others = (cpu_seconds(server.pid) - before[0], cpu_seconds() - before[1])
                counters = stats(base, reset=True)
                results.append((wall, rss))
                print(
                    f"unchanged pass {n + 1}: {wall:.1f} s, peak RSS {rss / 1e6:.0f} MB | requests "
                    f"{counters['requests']} on {counters['connections']} connections, 304s {counters['not_modified']},"
                    f" feeds downloaded {counters['feeds']} | CPU s: pass {cpu:.1f}, Prefect server {others[0]:.1f},"
                    f" newsroom {others[1]:.1f}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait()
    worst_wall, worst_rss = max(w for w, _ in results), max(r for _, r in results)
    print(
        f"  [{'met' if worst_wall <= 15 else 'MISSED'}] unchanged pass over {args.feeds} feeds: {worst_wall:.1f} s (target <= 15 s)"
    )
    print(f"  [{'met' if worst_rss <= 1e9 else 'MISSED'}] peak RSS {worst_rss / 1e9:.2f} GB (target <= 1 GB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
