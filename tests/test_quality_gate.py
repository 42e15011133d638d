"""Quality gate: detection on labelled sentences must not fall below the floors pinned in quality_floors.json."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest
import yaml
from scoring import load_rows, run_cli, run_inprocess, score

from extractors.detect import detect
from extractors.topic import Topic, topic_from_mapping

ROOT = Path(__file__).resolve().parents[1]
FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text(encoding="utf-8"))
OWN = Path(__file__).parent / "fixtures" / "detect" / "sentences.jsonl"


def bundled_topic() -> Topic:
    """The bundled watch file's topic, loaded as the product loads it."""
    topics = yaml.safe_load((ROOT / "newswatch" / "watch.yaml").read_text(encoding="utf-8"))["topics"]
    name = next(iter(topics))
    return topic_from_mapping(name, topics[name])


def _check(metrics: dict[str, float], floors: dict[str, float], misses: list[str]) -> None:
    low = {k: round(metrics[k], 3) for k, floor in floors.items() if metrics[k] < floor}
    assert not low, f"below the floors {floors}: {low}\n" + "\n".join(misses)


@pytest.mark.shared
def test_dev_sentences_meet_the_floors(shared_dir: Path) -> None:
    """The real labelled dev sentences, through `newswatch detect --batch` (in-process if it is missing)."""
    rows = load_rows(shared_dir / "eval" / "dev" / "sentences.jsonl")
    preds = run_cli(rows, ROOT)
    if preds is None:
        preds = run_inprocess(rows, partial(detect, topic=bundled_topic()))
    result = score(rows, preds)
    _check(result.metrics(), FLOORS["dev"], result.misses)


def test_own_sentences_meet_the_floors() -> None:
    """Our own labelled sentences (one or more per detection rule) always run."""
    rows = load_rows(OWN)
    result = score(rows, run_inprocess(rows, partial(detect, topic=bundled_topic())))
    _check(result.metrics(), FLOORS["own"], result.misses)


def test_the_scorer_rejects_a_detector_that_finds_nothing() -> None:
    """The gate can fail: no findings score zero on figures and statements."""
    rows = load_rows(OWN)
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
