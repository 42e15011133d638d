"""`newswatch init` and `.env.example`: an editable watch file, every setting with its default and meaning,
written from the Settings class so that the shipped `.env.example` cannot drift from it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswatch.cli import app
from newswatch.scaffold import env_example
from newswatch.settings import BUNDLED_WATCH_FILE, Settings
from newswatch.watchfile import load_watch
from newswatch.workers import WorkerSettings

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.startswith("NEWSWATCH_"):
            monkeypatch.delenv(name)


def test_the_shipped_env_example_is_the_generated_one() -> None:
    shipped = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert shipped == env_example(), "run: python -c 'from newswatch.scaffold import env_example; ...'"


def test_every_setting_is_listed_once_with_a_meaning() -> None:
    text = env_example()
    for name, field in {**Settings.model_fields, **WorkerSettings.model_fields}.items():
        assert field.description, f"{name}: give it a docstring (its line in .env.example)"
        assert text.count(f"# NEWSWATCH_{name.upper()}=") == 1, name


def test_uncommented_the_example_changes_no_default(tmp_path: Path) -> None:
    # Each value written is the default: a .env made of every line with a value reads as no .env at all.
    lines = [line[2:] for line in env_example().splitlines() if line.startswith("# NEWSWATCH_")]
    values = [line for line in lines if not line.endswith("=")]
    assert len(values) > 15
    dotenv = tmp_path / ".env"
    dotenv.write_text("\n".join(values) + "\n", encoding="utf-8")
    read = Settings(_env_file=dotenv)  # type: ignore[call-arg]
    assert read.model_dump() == Settings(_env_file=None).model_dump()  # type: ignore[call-arg]
    limits = WorkerSettings(_env_file=dotenv)  # type: ignore[call-arg]
    assert limits.model_dump() == WorkerSettings(_env_file=None).model_dump()  # type: ignore[call-arg]
    changed = Settings(_env_file=None, max_redirects=6)  # type: ignore[call-arg]
    assert read.model_dump() != changed.model_dump()  # (the comparison sees a changed value)


def test_init_writes_an_editable_watch_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "monitor"
    first = runner.invoke(app, ["init", str(target)])
    assert first.exit_code == 0, first.output
    watch, example = target / "watch.yaml", target / ".env.example"
    assert watch.read_text(encoding="utf-8") == BUNDLED_WATCH_FILE.read_text(encoding="utf-8")
    assert load_watch(watch).topics  # a valid watch file, as `newswatch check` reads it
    assert example.read_text(encoding="utf-8") == env_example()
    assert f"check --watch {watch}" in first.output

    watch.write_text("# mine\n", encoding="utf-8")
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 1
    assert "already exist" in again.stderr and "--force" in again.stderr
    assert watch.read_text(encoding="utf-8") == "# mine\n"  # nothing written
    forced = runner.invoke(app, ["init", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert watch.read_text(encoding="utf-8") == BUNDLED_WATCH_FILE.read_text(encoding="utf-8")
