"""The command line as a user meets it: documented, clear errors, JSON Lines out, exit codes."""

from __future__ import annotations

import csv
import json
import os
import re
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
        ["db", "upgrade"],  # creates it: reading commands never do
        ["findings"],
        ["findings", "--format", "csv"],
        ["feeds"],
        ["alerts", "pending"],
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
def test_run_reports_each_unreachable_feed_and_exits_1_when_every_feed_failed(tmp_path: Path) -> None:
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
    assert proc.returncode == 1, proc.stderr[-2000:]  # a pass in which every feed failed is a failure
    assert "3 failed" in proc.stdout
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: every feed failed (refused_address, transport): 3 feeds, 3 failed"), last
    # The temporary Prefect server newswatch started stays up until the run's last logs are sent.
    assert "Error logging to API" not in proc.stderr
    # Not a terminal: plain progress lines on stderr, no cursor tricks, the summary alone on stdout.
    assert "starting a Prefect flow run to poll 3 feeds" in proc.stderr
    assert "\x1b[" not in proc.stderr + proc.stdout
    assert proc.stdout.startswith("feeds: 3 polled")
    # Each failed feed with the step that fixes it, on the terminal as in `newswatch feeds`.
    assert (
        "    next step: set NEWSWATCH_ALLOWED_NETWORKS=192.168.1.1/32 if this feed is on your own network"
        in (proc.stdout.splitlines())
    )
    assert proc.stdout.count("next step: the connection failed") == 2
    listing = runner.invoke(app, ["feeds", "--db", env["NEWSWATCH_DATABASE_URL"]])
    assert listing.output.count("transport") == 2
    assert "refused_address" in listing.output


def test_user_mistakes_are_one_sentence_never_a_traceback(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--db", db]).exit_code == 0
    missing = str(tmp_path / "no" / "such")
    mistakes: list[tuple[list[str], int]] = [
        (["findings", "--db", f"sqlite:///{missing}.db"], 1),
        (["feeds", "--db", "postgres://u:pw@127.0.0.1:1/x"], 1),
        (["run", "--feed", "not a url"], 2),
        (["run", "--feed", "ftp://example.org/feed.xml"], 2),
        (["run", "--feed", "http://[::1/feed"], 2),
        (["run", "--watch", f"{missing}.yaml"], 2),
        (["serve", "--every", "0"], 2),
        (["serve", "--every", "5", "--cron", "*/5 * * * *"], 2),
        (["serve", "--cron", "every day at noon"], 2),
        (["detect", f"{missing}.txt"], 2),
        (["detect", "--topic", "no-such-topic", "-"], 2),
        (["findings", "--kind", "person", "--db", db], 2),
        (["findings", "--format", "xml", "--db", db], 2),
        (["findings", "--since", "last tuesday", "--db", db], 2),
        (["findings", "--topic", "no-such-topic", "--db", db], 2),
        (["timeline", "--topic", "no-such-topic", "--db", db], 2),
        (["timeline", "--html", f"{missing}/t.html", "--db", db], 1),
        (["feeds", "--db", "not-a-database-url"], 1),
        (["db", "upgrade", "--db", "postgresql+psycopg://u:pw@127.0.0.1:1/x"], 1),
        (["alerts", "test", "--watch", f"{missing}.yaml"], 2),
        (["reprocess", "--since", "last tuesday", "--db", db], 2),
    ]
    for args, code in mistakes:
        result = runner.invoke(app, args, input="some text")
        assert result.exit_code == code, (args, result.output)
        assert isinstance(result.exception, SystemExit), (args, result.exception)
        assert "Traceback" not in result.output, args
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, result.stderr)
    for args in (["no-such-command"], ["findings", "--no-such-option"], ["timeline", "--html"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output and "Error: " in result.output, args


def test_the_command_exits_with_its_status_and_every_line_of_its_output() -> None:
    # The command skips the interpreter's teardown: its status and its piped output must survive that.
    batch = (ROOT / "tests" / "fixtures" / "detect" / "sentences.jsonl").read_text(encoding="utf-8")
    expected = runner.invoke(app, ["detect", "--batch"], input=batch).stdout
    command = [sys.executable, "-m", "newswatch"]
    proc = subprocess.run(
        [*command, "detect", "--batch"], input=batch, capture_output=True, text=True, timeout=60, check=False
    )
    assert (proc.returncode, proc.stdout) == (0, expected)
    assert len(expected.splitlines()) > 50
    mistake = subprocess.run(
        [*command, "findings", "--kind", "person"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (mistake.returncode, mistake.stderr.startswith("error: ")) == (2, True)
    bug = (
        "import sys\n"
        "from newswatch.cli import app, main\n"
        "@app.command('boom')\n"
        "def boom() -> None:\n"
        "    raise RuntimeError('a bug')\n"
        "sys.argv = ['newswatch', 'boom']\n"
        "main()\n"
    )
    crash = subprocess.run(
        [sys.executable, "-c", bug], capture_output=True, text=True, timeout=60, check=False
    )
    assert crash.returncode == 1 and "RuntimeError: a bug" in crash.stderr


def _coloured(env_extra: dict[str, str]) -> bool:
    env = {**os.environ, "FORCE_COLOR": "1", **env_extra}
    env.pop("NO_COLOR", None) if "NO_COLOR" not in env_extra else None
    args = [sys.executable, "-m", "newswatch", "findings", "--kind", "person"]
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2, proc.stderr
    return re.search(r"\x1b\[(3\d|38;|9\d)", proc.stderr) is not None


def test_no_color_turns_colour_off() -> None:
    assert _coloured({})  # forced colour shows: the check below can fail
    assert not _coloured({"NO_COLOR": "1"})


def test_the_demo_prints_the_readmes_next_steps() -> None:
    from newswatch.cli.demo import NEXT_STEPS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    steps = [line.split("  ")[0].strip() for line in NEXT_STEPS.splitlines() if line.startswith("  ")]
    assert len(steps) >= 5
    for step in steps:
        assert f".venv/bin/{step}" in readme, step


def _quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return [
        line.split("#")[0].strip().removeprefix(".venv/bin/newswatch ")
        for line in quickstart.splitlines()
        if line.startswith(".venv/bin/newswatch ")
    ]


@pytest.mark.slow
def test_the_readmes_next_steps_work_on_the_demos_data(
    prefect_harness: None,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from test_timeline import shared_demo_pass

    demo_db = shared_demo_pass(tmp_path_factory).db_url
    monkeypatch.chdir(tmp_path)
    commands = _quickstart_commands()
    assert len(commands) >= 5
    for command in commands:
        command, _, target = command.partition(" > ")
        args = [demo_db if word == "demo" else word for word in command.split()]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (command, result.output)
        assert "Traceback" not in result.output
        if target:
            Path(target).write_text(result.stdout, encoding="utf-8")
    rows = list(csv.DictReader((tmp_path / "figures.csv").read_text(encoding="utf-8").splitlines()))
    assert rows and {r["kind"] for r in rows} == {"figure"}
    assert "<svg" in (tmp_path / "timeline.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_findings_filters_and_export_columns(
    prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from test_timeline import shared_demo_pass

    from storage.queries import FINDING_COLUMNS

    db = shared_demo_pass(tmp_path_factory).db_url

    def rows(*args: str) -> list[dict[str, Any]]:
        result = runner.invoke(app, ["findings", "--db", db, "--format", "json", *args])
        assert result.exit_code == 0, (args, result.output)
        return [json.loads(line) for line in result.stdout.splitlines()]

    every = rows()
    assert every and all(list(r) == list(FINDING_COLUMNS) for r in every)
    figures, statements = rows("--kind", "figure"), rows("--kind", "statement")
    assert {r["kind"] for r in figures} == {"figure"} and {r["kind"] for r in statements} == {"statement"}
    assert len(figures) + len(statements) == len(every)
    assert rows("--topic", "nk-troops-russia") == every
    zelenskyy = rows("--claimant", "ZELENSKYY")
    assert zelenskyy and len(zelenskyy) < len(every)
    assert all(
        "zelenskyy" in f"{r['claimant']} {r['claimant_key']} {r['speaker']}".lower() for r in zelenskyy
    )
    assert rows("--since", "2d") == every and rows("--since", "2000-01-01") == every
    assert rows("--since", "2999-01-01") == []
    header = runner.invoke(app, ["findings", "--db", db, "--format", "csv"]).stdout.splitlines()[0]
    assert header == ",".join(FINDING_COLUMNS)


@pytest.mark.slow
def test_a_pass_that_cannot_run_is_a_failed_run_and_exit_1(
    prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.monitor import monitor

    url = "postgresql+psycopg://alice:s3cr3t-pw@127.0.0.1:1/nope"
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", url)
    monkeypatch.setenv("NEWSWATCH_APPRISE_URLS", "")
    for db, named in (
        (url, "alice:***@127.0.0.1:1/nope"),
        ("nosuchdialect://host/db", "nosuchdialect://host/db"),
    ):
        result = runner.invoke(
            app, ["run", "--feed", "http://127.0.0.1:9/feed.xml"], env={"NEWSWATCH_DATABASE_URL": db}
        )
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # said before Prefect starts
        assert named in result.stderr and "s3cr3t-pw" not in result.output
    state = monitor(feeds=["http://127.0.0.1:9/feed.xml"], return_state=True)  # as a deployment runs it
    assert state.is_failed()
