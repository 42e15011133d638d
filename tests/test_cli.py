"""The command line as a user meets it: documented, clear errors, JSON Lines out, exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from newswatch.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def walk(command: Any, prefix: str = "newswatch") -> list[tuple[str, Any]]:
    """Every command and group under `command` (typer ships its own click: duck-typed)."""
    out = [(prefix, command)]
    for name, sub in getattr(command, "commands", {}).items():
        out += walk(sub, f"{prefix} {name}")
    return out


def test_every_command_and_option_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = []
    for name, command in walk(typer.main.get_command(app)):
        if name != "newswatch" and f"`{name}" not in readme:
            missing.append(name)
        for param in command.params:
            missing += [f"{name} {opt}" for opt in param.opts if opt.startswith("--") and opt not in readme]
    assert missing == []


def test_every_command_has_help_with_an_example() -> None:
    for name, command in walk(typer.main.get_command(app)):
        if hasattr(command, "commands"):
            continue
        args = [*name.split()[1:], "--help"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, name
        assert "Example:" in result.output, name


def test_detect_prints_json_lines_in_the_product_schema() -> None:
    text = (
        "South Korea's spy agency said around 3,000 North Korean soldiers were in Russia. "
        'U.S. Defense Secretary Lloyd Austin said: "This is a very serious issue for North Korea."'
    )
    result = runner.invoke(app, ["detect", "-"], input=text)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = {r["kind"] for r in rows}
    assert "figure" in kinds
    fig = next(r for r in rows if r["kind"] == "figure")
    assert text[fig["start"] : fig["end"]] == "3,000"
    assert {
        "value",
        "low",
        "high",
        "vague",
        "qualifier",
        "unit",
        "unit_class",
        "claimant",
        "claimant_key",
        "stance",
        "sentence",
        "start",
        "end",
    } <= set(fig)


def test_detect_batch_tags_each_finding_with_its_id() -> None:
    rows = [
        {"id": "a", "text": "North Korea has sent 1,500 troops to Russia, the NIS said."},
        {"id": 7, "text": "Nothing."},
    ]
    stdin = "".join(json.dumps(r) + "\n" for r in rows)
    result = runner.invoke(app, ["detect", "--batch"], input=stdin)
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["id"] for line in result.stdout.splitlines()} == {"a"}


def test_detect_batch_names_the_bad_line() -> None:
    result = runner.invoke(app, ["detect", "--batch"], input='{"id": 1, "text": "x"}\nnot json\n')
    assert result.exit_code == 2
    assert "line 2" in result.stderr
    assert "Traceback" not in result.output


def test_detect_on_the_example_article(shared_dir: Path) -> None:
    result = runner.invoke(app, ["detect", str(shared_dir / "examples" / "ap-2024-10-nk-troops-russia.txt")])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    values = {r["value"] or r["low"] for r in rows if r["kind"] == "figure"}
    assert {3000, 1500, 10000, 13000} <= values
    assert 1_200_000 not in values
    assert any(r["kind"] == "statement" and r["speaker"] == "Lloyd Austin" for r in rows)


def test_a_bad_watch_file_is_one_clear_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "watch.yaml"
    bad.write_text("topics:\n  t:\n    terms: nope\n    units: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["detect", "--watch", str(bad), "-"], input="x")
    assert result.exit_code == 2
    assert "watch.yaml, line 3" in result.stderr
    assert "Traceback" not in result.output


def test_reading_commands_work_on_an_empty_database(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    for args in (
        ["findings"],
        ["findings", "--format", "csv"],
        ["feeds"],
        ["alerts", "pending"],
        ["db", "upgrade"],
    ):
        result = runner.invoke(app, [*args, "--db", db])
        assert result.exit_code == 0, (args, result.output)
    assert runner.invoke(app, ["findings", "--db", db, "--since", "last tuesday"]).exit_code == 2
    assert runner.invoke(app, ["findings", "--db", db, "--format", "xml"]).exit_code == 2


def test_an_unreachable_database_names_the_url_masked() -> None:
    url = "postgresql+psycopg://alice:s3cr3t-pw@127.0.0.1:1/nope"
    result = runner.invoke(app, ["feeds", "--db", url])
    assert result.exit_code == 1
    assert "127.0.0.1:1/nope" in result.stderr
    assert "s3cr3t-pw" not in result.output


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_run_exits_0_and_reports_each_unreachable_feed(tmp_path: Path) -> None:
    port = _closed_port()
    env = {
        **os.environ,
        "NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "NEWSWATCH_ALLOWED_NETWORKS": "127.0.0.1/32",
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    feeds = [f"http://127.0.0.1:{port}/a.xml", f"http://127.0.0.1:{port}/b.xml", "http://192.168.1.1/feed"]
    args = [sys.executable, "-m", "newswatch", "run"] + [x for f in feeds for x in ("--feed", f)]
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "3 failed" in proc.stdout
    listing = runner.invoke(app, ["feeds", "--db", env["NEWSWATCH_DATABASE_URL"]])
    assert listing.output.count("transport") == 2
    assert "refused_address" in listing.output
