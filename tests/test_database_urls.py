"""Database URLs as users write them: postgres:// accepted, and a mistyped SQLite path never read as empty."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswatch.cli import app
from storage.db import create_db_engine, missing_sqlite_file, normalise_db_url

runner = CliRunner()
READERS = (
    ["findings"],
    ["timeline"],
    ["feeds"],
    ["alerts", "pending"],
    ["alerts", "retry"],
    ["reprocess"],
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:pw@db.example:5432/news", "postgresql+psycopg://u:pw@db.example:5432/news"),
        (
            "postgresql://u@db.example/news?sslmode=require",
            "postgresql+psycopg://u@db.example/news?sslmode=require",
        ),
        ("POSTGRES://u@db.example/news", "postgresql+psycopg://u@db.example/news"),
        ("postgresql+psycopg://u@db.example/news", "postgresql+psycopg://u@db.example/news"),
        ("sqlite:///news.db", "sqlite:///news.db"),
    ],
)
def test_postgres_urls_get_the_installed_driver(url: str, expected: str) -> None:
    assert normalise_db_url(url) == expected


def test_a_postgres_url_makes_a_psycopg_engine() -> None:
    engine = create_db_engine("postgres://u:pw@127.0.0.1:1/news")  # no connection yet
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")
    engine.dispose()


def test_an_unreachable_postgres_url_is_a_sentence_not_a_missing_module() -> None:
    result = runner.invoke(app, ["feeds", "--db", "postgres://alice:s3cr3t@127.0.0.1:1/news"])
    assert result.exit_code == 1
    assert "cannot open database postgresql+psycopg://alice:***@127.0.0.1:1/news" in result.stderr
    assert "NoSuchModuleError" not in result.output and "s3cr3t" not in result.output


@pytest.mark.postgres
def test_a_postgres_scheme_url_opens_the_test_database() -> None:
    url = os.environ.get("NEWSWATCH_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("needs NEWSWATCH_TEST_POSTGRES_URL")
    plain = "postgres://" + url.partition("://")[2]
    result = runner.invoke(app, ["db", "upgrade", "--db", plain])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a))
def test_reading_a_missing_sqlite_file_fails_and_creates_nothing(args: list[str], tmp_path: Path) -> None:
    path = tmp_path / "nwes.db"
    result = runner.invoke(app, [*args, "--db", f"sqlite:///{path}"])
    assert result.exit_code == 1, result.output
    assert result.stderr.replace("\n", " ").startswith(
        f"error: no database at {path}: check the path in --db or NEWSWATCH_DATABASE_URL"
    )
    assert not path.exists()


def test_commands_that_write_create_the_database(tmp_path: Path) -> None:
    path = tmp_path / "new" / "news.db"
    assert missing_sqlite_file(f"sqlite:///{path}") == path
    result = runner.invoke(app, ["db", "upgrade", "--db", f"sqlite:///{path}"])
    assert result.exit_code == 0, result.output
    assert path.exists() and missing_sqlite_file(f"sqlite:///{path}") is None
    assert runner.invoke(app, ["feeds", "--db", f"sqlite:///{path}"]).exit_code == 0


def test_the_default_database_not_created_yet_says_to_run_a_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # where the per-user default database lives
    monkeypatch.delenv("NEWSWATCH_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    result = runner.invoke(app, ["findings"])
    assert result.exit_code == 1
    assert "no database yet at" in result.stderr and "no monitoring pass has run" in result.stderr
    assert not (tmp_path / "newswatch" / "newswatch.db").exists()
