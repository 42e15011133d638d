"""Scoring detection against labelled sentences, with the matching rules of the eval README.

A predicted figure matches a gold one by value (or range, or vagueness); a predicted statement
matches by quote overlap (>= 0.6 of the shorter quote's words) or, for reported speech without a
quote, by speaker or summary overlap. Claimant and speaker count as right when they share a word
with the gold surface or canonical name. Transcript statements and optional rows are neither
rewarded nor penalised.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Row = dict[str, Any]
Pred = dict[str, Any]
_STOP = set(
    re.findall(
        r"\w+", "the a an of in on at to and or for by from with s his her its their says said told tells"
    )
)
_PRONOUNS = frozenset({"she", "he", "it", "they", "we", "i"})


def _norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", html.unescape(text or ""))
    return text.replace("\u2019", "'").replace("\u2018", "'").lower()


def words(text: str | None) -> set[str]:
    """The content words of a text, normalised."""
    return {w for w in re.findall(r"[a-z0-9]+", _norm(text)) if w not in _STOP}


def overlap(a: str | None, b: str | None) -> float:
    """Shared words over the words of the shorter text."""
    wa, wb = words(a), words(b)
    return len(wa & wb) / min(len(wa), len(wb)) if wa and wb else 0.0


def same_party(gold_names: Iterable[str | None], predicted: str) -> bool:
    """Whether a predicted claimant or speaker shares a word with any gold name."""
    pw = words(predicted)
    return bool(pw) and any(words(g) & pw for g in gold_names)


def figure_matches(gold: Row, pred: Pred) -> bool:
    """A predicted figure counts the same quantity as the gold one."""
    if gold.get("range_low") is not None:
        return bool(pred.get("low") == gold["range_low"] and pred.get("high") == gold["range_high"])
    value = gold.get("value")
    if value is not None:
        if pred.get("value") == value:
            return True
        return bool(
            pred.get("value") is None and pred.get("low") == value and pred.get("high") in (None, value)
        )
    return bool(gold.get("vague")) and bool(pred.get("vague"))


@dataclass
class Scores:
    """Counts from scoring, and the metrics the quality gate reads."""

    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("ftp", "ffp", "ffn", "stp", "sfp", "sfn", "cl_ok", "cl_n", "sp_ok", "sp_n"), 0
        )
    )
    misses: list[str] = field(default_factory=list)

    @staticmethod
    def _f1(tp: int, fp: int, fn: int) -> float:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def metrics(self) -> dict[str, float]:
        """figure_f1, statement_f1, claimant_accuracy, speaker_accuracy."""
        c = self.counts
        return {
            "figure_f1": self._f1(c["ftp"], c["ffp"], c["ffn"]),
            "statement_f1": self._f1(c["stp"], c["sfp"], c["sfn"]),
            "claimant_accuracy": c["cl_ok"] / c["cl_n"] if c["cl_n"] else 1.0,
            "speaker_accuracy": c["sp_ok"] / c["sp_n"] if c["sp_n"] else 1.0,
        }


def _score_figures(row: Row, preds: list[Pred], s: Scores) -> None:
    used: set[int] = set()
    for gold in row.get("figures", []):
        optional = gold.get("optional") or gold.get("fraction") is not None
        hit = next((i for i, p in enumerate(preds) if i not in used and figure_matches(gold, p)), None)
        if hit is None:
            if not optional:
                s.counts["ffn"] += 1
                s.misses.append(f"FN figure {row['id']}: {gold.get('surface')}")
            continue
        used.add(hit)
        if optional:
            continue
        s.counts["ftp"] += 1
        if gold.get("claimant"):
            s.counts["cl_n"] += 1
            got = f"{preds[hit].get('claimant') or ''} {preds[hit].get('claimant_key') or ''}"
            if same_party([gold["claimant"], gold.get("claimant_canonical")], got):
                s.counts["cl_ok"] += 1
            else:
                s.misses.append(f"claimant {row['id']}: {gold['claimant']!r} got {got.strip()!r}")
    for i, p in enumerate(preds):
        if i not in used:
            s.counts["ffp"] += 1
            s.misses.append(
                f"FP figure {row['id']}: {p.get('value')} {p.get('low')}-{p.get('high')} {p.get('unit')}"
            )


def _statement_matches(gold: Row, pred: Pred) -> bool:
    quotes = gold.get("quote")
    quotes = [quotes] if isinstance(quotes, str) else (quotes or [])
    if quotes:
        return any(overlap(q, pred.get("quote")) >= 0.6 for q in quotes)
    if not gold.get("speaker_surface"):
        return True
    return same_party([gold.get("speaker_surface"), gold.get("speaker")], pred.get("speaker") or "") or (
        overlap(gold.get("summary"), pred.get("quote")) >= 0.5
    )


def _score_statements(row: Row, preds: list[Pred], s: Scores) -> None:
    used: set[int] = set()
    for gold in row.get("statements", []):
        optional = gold.get("optional") or gold.get("type") == "transcript"
        hit = next((i for i, p in enumerate(preds) if i not in used and _statement_matches(gold, p)), None)
        if hit is None:
            if not optional:
                s.counts["sfn"] += 1
                s.misses.append(
                    f"FN statement {row['id']}: {gold.get('speaker')}: {gold.get('quote') or gold.get('summary')}"
                )
            continue
        used.add(hit)
        if optional:
            continue
        s.counts["stp"] += 1
        surface = gold.get("speaker_surface")
        if surface and _norm(surface) not in _PRONOUNS:
            s.counts["sp_n"] += 1
            got = f"{preds[hit].get('speaker') or ''} {preds[hit].get('role') or ''}"
            if same_party([surface, gold.get("speaker")], got):
                s.counts["sp_ok"] += 1
            else:
                s.misses.append(f"speaker {row['id']}: {surface!r} got {got.strip()!r}")
    for i, p in enumerate(preds):
        if i not in used:
            s.counts["sfp"] += 1
            s.misses.append(f"FP statement {row['id']}: {p.get('speaker')}: {p.get('quote')}")


def score(rows: list[Row], predictions: dict[str, list[Pred]]) -> Scores:
    """Score predicted findings (by row id) against the gold rows."""
    s = Scores()
    for row in rows:
        preds = predictions.get(row["id"], [])
        _score_figures(row, [p for p in preds if p.get("kind") == "figure"], s)
        _score_statements(row, [p for p in preds if p.get("kind") == "statement"], s)
    return s


def load_rows(path: Path) -> list[Row]:
    """Labelled rows from a JSON Lines file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_cli(rows: list[Row], cwd: Path) -> dict[str, list[Pred]] | None:
    """Findings from `python -m newswatch detect --batch`; None when that command is not available."""
    batch = "".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n" for r in rows)
    try:
        out = subprocess.run(
            [sys.executable, "-m", "newswatch", "detect", "--batch"],
            input=batch, capture_output=True, text=True, timeout=300, cwd=cwd, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    preds: dict[str, list[Pred]] = {}
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            finding = json.loads(line)
            preds.setdefault(str(finding.get("id")), []).append(finding)
    return preds


def run_inprocess(rows: list[Row], detect: Callable[[str], list[Any]]) -> dict[str, list[Pred]]:
    """Findings from calling detect() directly on each row."""
    return {r["id"]: [f.to_dict() for f in detect(r["text"])] for r in rows}
