"""Shared fixtures: databases (SQLite and PostgreSQL), the Prefect harness, the shared data folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from endpoints import LocalController, Mailbox, Webhook, running_smtp, running_webhook
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PG_ENV = "NEWSWATCH_TEST_POSTGRES_URL"
# One database per test process, so that two suites running at once on one server (CI beside other
# work, two checkouts) never drop each other's schema; each is dropped when its session ends.
PG_DB = f"newswatch_test_{os.getpid()}"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The real feeds, pages and sentences beside the project; skip when absent."""
    if not (SHARED / "PRODUCT.md").exists():
        pytest.skip("../shared (real feeds, pages and labelled sentences) is not beside the project")
    return SHARED


def _postgres_url() -> str:
    """A fresh database on the test PostgreSQL server, or skip with the reason."""
    admin = os.environ.get(PG_ENV)
    if not admin:
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    try:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_DB}).first()
            if not exists:
                conn.execute(text(f"CREATE DATABASE {PG_DB}"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001  (any driver error means: no server to test against)
        pytest.skip(
            f"PostgreSQL at {make_url(admin).render_as_string(hide_password=True)} unreachable: {exc}"
        )
    url = make_url(admin).set(database=PG_DB).render_as_string(hide_password=False)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:  # a clean schema for every test
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session", autouse=True)
def _drop_test_database() -> Iterator[None]:
    """Drop this process's PostgreSQL test database after the session, when one was made."""
    yield
    admin = os.environ.get(PG_ENV)
    if not admin:
        return
    try:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
        engine.dispose()
    except Exception:  # noqa: BLE001, S110  (no server, nothing to drop; cleanup never fails a run)
        pass


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database URL: a temp SQLite file, then PostgreSQL when a server is configured."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'newswatch.db'}"
    return _postgres_url()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on a fresh database (both backends)."""
    from storage.db import create_db_engine, upgrade

    eng = create_db_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated engine on a fresh temp SQLite file."""
    from storage.db import create_db_engine, upgrade

    eng = create_db_engine(f"sqlite:///{tmp_path / 'newswatch.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server and database for the whole session (starting one costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    """A webhook on 127.0.0.1 that records each POST (see tests/endpoints.py)."""
    with running_webhook() as hook:
        yield hook


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, LocalController]]:
    """A plain SMTP server on 127.0.0.1 that keeps each message (see tests/endpoints.py)."""
    with running_smtp() as server:
        yield server


CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's, driven by playwright); skip with the reason when it is absent."""
    if CHROMIUM is None:
        pytest.skip("no Chromium (/usr/bin/chromium or chromium on PATH): `.ci/run` installs Debian's")
    pytest.importorskip("playwright.sync_api", reason="playwright (a dev dependency) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS, timeout=30_000
        )
        yield chromium
        chromium.close()
