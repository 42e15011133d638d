"""Detection quality (not a test): every labelled dev file scored with the eval's own scorer, side by side.

A gain on one topic must be seen next to the others. For each dev file of ../shared/eval (the bundled
deployment, each topic of eval/topics with its user's watch file, the hard negatives with every topic's
watch file) and for our own labelled sentences, run detect() in this process and score the findings with
../shared/eval/score.py, loaded at run time. Prints one line per file; --errors prints every miss.

With --entries, the title and summary rows of one feed entry (ids ending -t and -d) are read as one
article, headline first, as `newswatch run` reads an entry whose page cannot be fetched; the gold of both
rows is scored against it. That is closer to how the product meets these texts than row by row.

Run: .venv/bin/python bench/detect_quality.py [--errors] [--only NAME] [--json] [--entries]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from extractors.detect import detect_many
from extractors.topic import Topic
from newswatch.watchfile import load_watch

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
OWN = ROOT / "tests" / "fixtures" / "detect"


def load_scorer() -> ModuleType:
    """The eval's scorer, imported from its file (it is not part of this project)."""
    spec = importlib.util.spec_from_file_location("eval_score", EVAL / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dev_files() -> list[tuple[str, Path, Path]]:
    """(name, labelled rows, watch file) for every dev file and our own sentences."""
    bundled = ROOT / "newswatch" / "watch.yaml"
    out = [("deployment", EVAL / "dev" / "sentences.jsonl", bundled)]
    watches = sorted((EVAL / "topics").glob("*.yaml"))
    out += [(w.stem, w.with_suffix(".jsonl"), w) for w in watches]
    out += [(f"negatives/{w.stem}", EVAL / "topics" / "negatives.jsonl", w) for w in watches]
    out += [(f"own/{p.stem}", p, _own_watch(p, bundled)) for p in sorted(OWN.glob("*.jsonl"))]
    return out


def _own_watch(rows: Path, bundled: Path) -> Path:
    """Our own labelled files name their watch file beside them (`x.jsonl` -> `x.yaml`), else the bundled one."""
    beside = rows.with_suffix(".yaml")
    return beside if beside.exists() else bundled


def as_entries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows joined per feed entry: "<entry>-t" (title) and "<entry>-d" (summary) become one article."""
    entries: dict[str, dict[str, Any]] = {}
    for row in rows:
        base, _sep, part = row["id"].rpartition("-")
        key = base if part in ("t", "d") else row["id"]
        entry = entries.setdefault(key, {"id": key, "parts": {}, "figures": [], "statements": []})
        entry["parts"][part if part in ("t", "d") else "d"] = row["text"]
        entry["figures"] += row["figures"]
        entry["statements"] += row["statements"]
    for entry in entries.values():
        parts = entry.pop("parts")
        entry["text"] = "\n\n".join(p for p in (parts.get("t"), parts.get("d")) if p)
    return list(entries.values())


def predict(rows: list[dict[str, Any]], topic: Topic) -> dict[str, list[dict[str, Any]]]:
    """Findings for every row, as the scorer reads them."""
    found = detect_many([r["text"] for r in rows], topic)
    return {r["id"]: [f.to_dict() for f in fs] for r, fs in zip(rows, found, strict=True)}


def main() -> int:
    """Score every dev file and print one line each (and the misses with --errors)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="print every miss and false alarm")
    parser.add_argument("--only", help="only the files whose name contains this")
    parser.add_argument("--json", action="store_true", help="one JSON object per file")
    parser.add_argument(
        "--entries", action="store_true", help="read each feed entry's title and summary together"
    )
    args = parser.parse_args()
    if not (EVAL / "score.py").exists():
        print("skipped: ../shared/eval is not beside the project", file=sys.stderr)
        return 0
    scorer = load_scorer()
    for name, path, watch in dev_files():
        if args.only and args.only not in name:
            continue
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if args.entries:
            rows = as_entries(rows)
        topic = load_watch(watch).topics[0]
        started = time.perf_counter()
        preds = predict(rows, topic)
        elapsed = time.perf_counter() - started
        c, errs = scorer.score(rows, preds, args.errors)
        fp, fr, ff = scorer.prf(c["ftp"], c["ffp"], c["ffn"])
        sp, sr, sf = scorer.prf(c["stp"], c["sfp"], c["sfn"])

        def acc(k: str, c: dict[str, int] = c) -> float:
            return c[k + "_ok"] / c[k + "_n"] if c[k + "_n"] else 1.0

        if args.errors:
            for e in errs:
                print(f"  [{name}] " + " | ".join(str(x) for x in e)[:400])
        result = {"file": name, "fig_f1": ff, "stmt_f1": sf, "claimant": acc("cl"), "speaker": acc("sp")}
        if args.json:
            print(json.dumps(result))
            continue
        print(
            f"{name:28} figures P {fp:.2f} R {fr:.2f} F1 {ff:.2f} ({c['ftp']}/{c['ffp']}/{c['ffn']})  "
            f"statements P {sp:.2f} R {sr:.2f} F1 {sf:.2f} ({c['stp']}/{c['sfp']}/{c['sfn']})  "
            f"claimant {acc('cl'):.2f} speaker {acc('sp'):.2f}  {elapsed:.1f}s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
