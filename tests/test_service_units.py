"""The systemd unit examples in docs/: they parse as INI, run as a user of their own with the settings from
an .env file, restart on failure, and start commands that exist with options they accept."""

from __future__ import annotations

import configparser
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from newswatch.cli import app

ROOT = Path(__file__).resolve().parents[1]
UNITS = sorted((ROOT / "docs").glob("*.service"))


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment, method-assign]  # systemd keys are case-sensitive
    unit.read_string(path.read_text(encoding="utf-8"), source=path.name)
    return unit


def test_there_is_a_unit_for_serve_and_one_for_a_worker() -> None:
    assert [p.name for p in UNITS] == ["newswatch-serve.service", "prefect-worker.service"]


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_a_unit_runs_unprivileged_with_its_env_file_and_restarts_on_failure(path: Path) -> None:
    unit = read_unit(path)
    assert {"Unit", "Service", "Install"} <= set(unit.sections())
    service = unit["Service"]
    assert service.get("User") not in (None, "root", "0")
    assert service["EnvironmentFile"].startswith("/") and service["EnvironmentFile"].endswith("/.env")
    assert service["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_serve_unit_starts_newswatch_serve_with_options_it_accepts() -> None:
    program, *args = shlex.split(read_unit(ROOT / "docs/newswatch-serve.service")["Service"]["ExecStart"])
    assert Path(program).name == "newswatch"
    commands: dict[str, Any] = getattr(typer.main.get_command(app), "commands", {})  # typer's own click
    assert args[0] in commands, f"newswatch has no command {args[0]!r}"
    command = commands[args[0]]
    with command.make_context(args[0], args[1:]) as context:  # raises on an unknown option or bad value
        assert context.params["every"] == 15


def test_the_worker_unit_starts_a_prefect_worker_on_the_deployments_pool() -> None:
    service = read_unit(ROOT / "docs/prefect-worker.service")["Service"]
    program, *args = shlex.split(service["ExecStart"])
    assert Path(program).name == "prefect" and args[:2] == ["worker", "start"]
    assert args[2:] == ["--pool", "newswatch"]  # the work pool of prefect.yaml's deployments
    assert service["Environment"].startswith(f"PATH={Path(program).parent}:")  # the install step's python
    usage = subprocess.run(
        [sys.executable, "-m", "prefect", "worker", "start", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert usage.returncode == 0 and "--pool" in usage.stdout, usage.stderr
