"""Benchmark (not a test): a pass over N feeds that have not changed (every one answers 304), with a
running Prefect server, on this machine: wall time, CPU of the pass's process tree, peak RSS; then the
same feeds as two shards ("0/2", "1/2") run at once, as two workers of a work pool would run them.

The newsroom (bench/benchroom.py) serves N feeds with no items; a first pass records their ETags, then
the measured passes find every feed unchanged. Run: .venv/bin/python bench/unchanged_bench.py
[--feeds 10000] [--passes 2] [--shards 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchroom import (
    children_cpu,
    cpu_seconds,
    free_port,
    newsroom,
    pass_env,
    prefect_server,
    run_pass,
    stats,
    watch_file,
)

# One shard's pass: the flow with its `shard` parameter, as a deployment of prefect.yaml runs it.
SHARD_RUN = (
    "import sys; from flows.monitor import monitor; monitor(watch_file=sys.argv[1], shard=sys.argv[2])"
)


def main() -> int:
    """Serve the feeds, run the first pass, then measure the unchanged ones."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=2, help="unchanged passes measured")
    parser.add_argument("--shards", type=int, default=2, help="then the feeds as this many shards at once")
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
            if args.shards > 1:
                sharded = run_shards(watch, env, args.shards)
                counters = stats(base, reset=True)
                print(
                    f"unchanged, {args.shards} shards at once: {sharded[0]:.1f} s | requests {counters['requests']},"
                    f" 304s {counters['not_modified']} | CPU s: passes {sharded[1]:.1f}",
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


def run_shards(watch: Path, env: dict[str, str], count: int) -> tuple[float, float]:
    """Run the `count` shards of the feeds at once, each in its own process: the wall time until the last
    ends, and their CPU time."""
    cpu, started = children_cpu(), time.monotonic()
    procs = [
        subprocess.Popen([sys.executable, "-c", SHARD_RUN, str(watch), f"{i}/{count}"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for i in range(count)
    ]  # fmt: skip
    codes = [p.wait() for p in procs]
    if any(codes):
        raise SystemExit(f"a shard's pass failed (exit codes {codes})")
    return time.monotonic() - started, children_cpu() - cpu


if __name__ == "__main__":
    sys.exit(main())
