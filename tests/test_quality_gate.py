"""Quality gate: detection on every labelled file must not fall below the floors pinned in quality_floors.json.

The dev files beside the project (the deployment, each topic of eval/topics with the watch file its user
wrote, and the hard negatives under each of those watch files) and our own labelled sentences (one file
per topic, with its watch file beside it; the bundled one otherwise) are scored with the eval's rules.
Floors only move up.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scoring import Row, load_rows, run_cli, score

from extractors.detect import detect_many
from extractors.topic import Topic
from newswatch.settings import BUNDLED_WATCH_FILE
from newswatch.watchfile import load_watch

ROOT = Path(__file__).resolve().parents[1]
FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text(encoding="utf-8"))
OWN = Path(__file__).parent / "fixtures" / "detect"
OWN_FILES = sorted(OWN.glob("*.jsonl"))


def _topic(watch: Path) -> Topic:
    return load_watch(watch).topics[0]


def _predict(rows: list[Row], topic: Topic) -> dict[str, list[dict[str, object]]]:
    found = detect_many([r["text"] for r in rows], topic)
    return {r["id"]: [f.to_dict() for f in fs] for r, fs in zip(rows, found, strict=True)}


def _check(name: str, metrics: dict[str, float], misses: list[str]) -> None:
    floors = FLOORS[name]
    low = {k: round(metrics[k], 3) for k, floor in floors.items() if metrics[k] < floor}
    assert not low, f"{name}: below the floors {floors}: {low}\n" + "\n".join(misses)


@pytest.mark.shared
def test_deployment_dev_sentences_through_the_cli(shared_dir: Path) -> None:
    """The deployment's labelled dev sentences, through `newswatch detect --batch` as the eval runs it."""
    rows = load_rows(shared_dir / "eval" / "dev" / "sentences.jsonl")
    preds = run_cli(rows, ROOT)
    assert preds is not None, "newswatch detect --batch failed"
    result = score(rows, preds)
    _check("dev", result.metrics(), result.misses)


@pytest.mark.shared
@pytest.mark.parametrize("name", ["gaza-war", "spain-floods"])
def test_topic_dev_files_with_their_users_watch_files(shared_dir: Path, name: str) -> None:
    """Two more real topics, read with the watch file a user wrote for each (not tuned by us)."""
    topics = shared_dir / "eval" / "topics"
    rows = load_rows(topics / f"{name}.jsonl")
    result = score(rows, _predict(rows, _topic(topics / f"{name}.yaml")))
    _check(name, result.metrics(), result.misses)


@pytest.mark.shared
@pytest.mark.parametrize("name", ["gaza-war", "spain-floods"])
def test_hard_negatives_find_almost_nothing(shared_dir: Path, name: str) -> None:
    """Off-topic casualty stories (storms, other fronts) under each topic's watch file: no figures."""
    topics = shared_dir / "eval" / "topics"
    rows = load_rows(topics / "negatives.jsonl")
    result = score(rows, _predict(rows, _topic(topics / f"{name}.yaml")))
    ceiling = FLOORS[f"negatives/{name}"]
    assert result.counts["ffp"] <= ceiling["figure_false_alarms"], "\n".join(result.misses)
    assert result.counts["sfp"] <= ceiling["statement_false_alarms"], "\n".join(result.misses)


@pytest.mark.parametrize("path", OWN_FILES, ids=[p.stem for p in OWN_FILES])
def test_own_labelled_sentences(path: Path) -> None:
    """Our own sentences, one or more per kind of text detection must read (always run)."""
    watch = path.with_suffix(".yaml") if path.with_suffix(".yaml").exists() else BUNDLED_WATCH_FILE
    rows = load_rows(path)
    result = score(rows, _predict(rows, _topic(watch)))
    _check(f"own/{path.stem}", result.metrics(), result.misses)


def test_the_scorer_rejects_a_detector_that_finds_nothing() -> None:
    """The gate can fail: no findings score zero on figures and statements."""
    rows = load_rows(OWN / "sentences.jsonl")
    metrics = score(rows, {}).metrics()
    assert metrics["figure_f1"] == 0.0
    assert metrics["statement_f1"] == 0.0


def test_the_scorer_counts_a_wrong_figure_as_a_miss_and_a_false_alarm() -> None:
    """A figure with the wrong value is one false negative and one false positive."""
    row = {"id": "r", "text": "", "figures": [{"value": 3000, "claimant": "NIS"}], "statements": []}
    wrong = {"r": [{"kind": "figure", "value": 300, "low": 300, "high": 300, "claimant": "NIS"}]}
    counts = score([row], wrong).counts
    assert (counts["ftp"], counts["ffp"], counts["ffn"]) == (0, 1, 1)
    right = {"r": [{"kind": "figure", "value": 3000, "low": 3000, "high": 3000, "claimant": "the NIS"}]}
    counts = score([row], right).counts
    assert (counts["ftp"], counts["cl_ok"], counts["cl_n"]) == (1, 1, 1)
