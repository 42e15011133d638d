"""Scale on PostgreSQL: a Prefect server on PostgreSQL, newswatch's database on PostgreSQL, a process work
pool with two workers, and two deployment runs over the same feeds overlapping in time; and the indexes the
hot path's lookups need, checked with EXPLAIN. Runs when NEWSWATCH_TEST_POSTGRES_URL is set (CI)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from processes import started
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from test_crash import Webhook

from newswatch.newsroom import Newsroom

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[1]
PG_ENV = "NEWSWATCH_TEST_POSTGRES_URL"
# Per process, so that two suites on one server never drop each other's databases.
PREFECT_DB = f"newswatch_prefect_test_{os.getpid()}"
NEWSWATCH_DB = f"newswatch_scale_test_{os.getpid()}"


def _admin() -> str:
    admin = os.environ.get(PG_ENV)
    if not admin:
        pytest.skip(f"needs {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    pytest.importorskip("asyncpg", reason="Prefect's server talks to PostgreSQL through asyncpg")
    return admin


def fresh_database(admin: str, name: str, driver: str = "postgresql+psycopg") -> str:
    """An empty database `name` on the test server (dropped and made again); its URL with `driver`."""
    engine = create_engine(admin, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001  (any driver error means: no server to test against)
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    finally:
        engine.dispose()
    return make_url(admin).set(drivername=driver, database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module", autouse=True)
def _drop_databases() -> Iterator[None]:
    """Drop this process's databases when the module is done, so runs leave nothing behind."""
    yield
    admin = os.environ.get(PG_ENV)
    if not admin:
        return
    engine = create_engine(admin, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            for name in (PREFECT_DB, NEWSWATCH_DB):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    except Exception:  # noqa: BLE001, S110  (no server, nothing to drop; cleanup never fails a run)
        pass
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prefect(env: dict[str, str], script: str) -> str:
    """Run a few lines against the Prefect server in a fresh interpreter; their stdout."""
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_two_deployment_runs_on_two_workers_read_every_article_once(tmp_path: Path) -> None:
    admin = _admin()
    port = _free_port()
    base = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    server_env = {
        **base,
        "PREFECT_API_DATABASE_CONNECTION_URL": fresh_database(admin, PREFECT_DB, "postgresql+asyncpg"),
    }
    newswatch_db = fresh_database(admin, NEWSWATCH_DB)
    hook = Webhook()
    log = tmp_path / "processes.log"
    with (
        Newsroom(latency=0.8) as room,  # slow pages: the two runs are still reading when both have started
        started([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)], server_env, log),
    ):  # fmt: skip
        api = f"http://127.0.0.1:{port}/api"
        _wait_healthy(api, log)
        env = {
            **base,
            "PREFECT_API_URL": api,
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "NEWSWATCH_DATABASE_URL": newswatch_db,
            "NEWSWATCH_ALLOWED_NETWORKS": "127.0.0.1/32",
            "NEWSWATCH_APPRISE_URLS": hook.url,
            # The newsroom's stories are its feeds' backlog: alerted on purpose, as the demo does.
            "NEWSWATCH_FIRST_POLL_BASELINE": "false",
            "NEWSWATCH_ALERT_MAX_AGE": "0",
        }
        subprocess.run(
            [sys.executable, "-m", "prefect", "work-pool", "create", "scale", "--type", "process"],
            env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        _prefect(
            env,
            "from prefect import flow\n"
            f"flow.from_source(source={str(ROOT)!r}, entrypoint='flows/monitor.py:monitor').deploy("
            f"name='scale', work_pool_name='scale', parameters={{'feeds': {room.feed_urls!r}}},"
            " build=False, push=False, print_next_steps=False)\n",
        )
        worker = [sys.executable, "-m", "prefect", "worker", "start", "--pool", "scale", "--limit", "1"]
        with started([*worker, "--name", "one"], env, log), started([*worker, "--name", "two"], env, log):
            ids = _prefect(
                env,
                "from prefect.deployments import run_deployment\n"
                "for _ in range(2):\n"
                "    print(run_deployment('newswatch-monitor/scale', timeout=0).id)\n",
            ).split()
            runs = _wait_for_runs(env, ids, log)
        requests = room.requests
    hook_messages = hook.take()
    hook.stop()

    assert [r["state"] for r in runs] == ["COMPLETED", "COMPLETED"], runs
    starts = [datetime.fromisoformat(r["start"]) for r in runs]
    ends = [datetime.fromisoformat(r["end"]) for r in runs]
    print("deployment runs:", [(r["start"][11:19], r["end"][11:19]) for r in runs])  # shown with -s
    # Each worker runs one flow run at a time (--limit 1): overlapping runs ran on both workers.
    assert max(starts) < min(ends), "the two runs did not overlap in time"

    pages = Counter(path for _m, path, status in requests if path.endswith(".html") and status == 200)
    assert pages and set(pages.values()) == {1}, "an article was downloaded twice"
    engine = create_engine(newswatch_db)
    try:
        _assert_stored_once(engine, articles=len(pages))
    finally:
        engine.dispose()
    assert hook_messages and max(hook_messages.values()) == 1, "a message was sent twice"


def _wait_healthy(api: str, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{api}/health", timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.5)
    pytest.fail(f"the Prefect server did not start: {log.read_text(errors='replace')[-2000:]}")


def _wait_for_runs(env: dict[str, str], ids: list[str], log: Path) -> list[dict[str, str]]:
    """Both flow runs, once finished: state, start and end."""
    script = (
        "import json, sys\n"
        "from uuid import UUID\n"
        "from prefect.client.orchestration import get_client\n"
        "with get_client(sync_client=True) as client:\n"
        "    runs = [client.read_flow_run(UUID(i)) for i in sys.argv[1:]]\n"
        "print(json.dumps([{'state': r.state_type.value if r.state_type else '', 'start': str(r.start_time or ''),"
        " 'end': str(r.end_time or '')} for r in runs]))\n"
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        done = subprocess.run(
            [sys.executable, "-c", script, *ids], env=env, capture_output=True, text=True, timeout=60
        )
        runs: list[dict[str, str]] = json.loads(done.stdout or "[]")
        if runs and all(r["state"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") for r in runs):
            return runs
        time.sleep(1)
    pytest.fail(f"the deployment runs did not finish: {log.read_text(errors='replace')[-3000:]}")


def _assert_stored_once(engine: Engine, *, articles: int) -> None:
    """One article row per page (or one kept page, for those the relevance gate left unread), every entry
    processed, findings and corroboration counted once."""
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM article")).scalar_one()
        kept = conn.execute(text("SELECT count(*) FROM rawpage")).scalar_one()
        assert (stored + kept, stored > 0) == (articles, True)
        assert conn.execute(text("SELECT count(*) FROM entry WHERE processed_at IS NULL")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM finding")).scalar_one() > 0
        # Each claim's outlet count is the number of outlets among its findings: nothing counted twice.
        wrong = conn.execute(
            text(
                "SELECT c.id FROM claim c JOIN finding f ON f.claim_id = c.id JOIN article a ON a.id = f.article_id"
                " GROUP BY c.id, c.outlets HAVING count(DISTINCT a.outlet) <> c.outlets"
            )
        ).all()
        assert wrong == []
        statuses = dict(
            conn.execute(text("SELECT status, count(*) FROM alertdelivery GROUP BY status")).all()
        )
        assert set(statuses) == {"sent"}, statuses


# The lookups of a pass's hot path, with the index each must use (partial, unique or plain).
LOOKUPS = {
    "claims of these keys": (
        "SELECT * FROM claim WHERE topic = 't' AND key IN ('figure:troops:nis:5:5:5', 'statement:x:1')",
        "uq_claim_topic_key",
    ),
    "statements of these speakers": (
        "SELECT * FROM claim WHERE topic = 't' AND kind = 'statement' AND speaker_key IN ('s1', 's2')",
        "ix_claim_speaker",
    ),
    "figures of these claimants": (
        "SELECT * FROM claim WHERE topic = 't' AND kind = 'figure' AND claimant_key IN ('nis')"
        " AND unit_class IN ('troops')",
        "ix_claim_lookup",
    ),
    "outlets of these claims": (
        "SELECT DISTINCT f.claim_id, a.outlet FROM finding f JOIN article a ON a.id = f.article_id"
        " WHERE f.claim_id IN (1, 2, 3)",
        "ix_finding_claim_id",
    ),
    "findings of these articles": (
        "SELECT article_id, claim_id FROM finding WHERE article_id IN (1, 2)",
        "ix_finding_article_id",
    ),
    "entries still to read": (
        "SELECT feed_id, id FROM entry WHERE feed_id IN (1, 2) AND processed_at IS NULL"
        " ORDER BY feed_id, published NULLS LAST, id",
        "ix_entry_unprocessed",
    ),
    "articles read before": (
        "SELECT id, url FROM article WHERE url IN ('http://a/1', 'http://a/2')",
        "article_url_key",
    ),
    "entries seen before": ("SELECT id FROM entry WHERE feed_id = 1 AND guid = 'g1'", "uq_entry_feed_guid"),
}


def test_the_hot_paths_lookups_use_their_indexes(tmp_path: Path) -> None:
    from storage.db import create_db_engine, upgrade

    url = fresh_database(_admin(), NEWSWATCH_DB)
    engine = create_db_engine(url)
    upgrade(engine)
    try:
        with engine.begin() as conn:
            conn.execute(text(_SEED))
            conn.execute(text("ANALYZE"))
            for name, (query, index) in LOOKUPS.items():
                plan = "\n".join(conn.execute(text(f"EXPLAIN {query}")).scalars())
                assert index in plan, f"{name}: {plan}"
                assert "Seq Scan" not in plan, f"{name}: {plan}"
    finally:
        engine.dispose()


# Enough rows (a year of a few hundred feeds, roughly) that PostgreSQL prefers an index to a scan.
_SEED = """
INSERT INTO feed (url, bozo, failures_in_row, health) SELECT 'http://f/' || g, false, 0, 'ok' FROM generate_series(1, 300) g;
INSERT INTO article (url, outlet, text, text_hash, source) SELECT 'http://a/' || g, 'o' || (g % 50), 'text', '', 'page'
  FROM generate_series(1, 60000) g;
INSERT INTO entry (feed_id, guid, link, title, summary, processed_at, article_id)
  SELECT 1 + g % 300, 'g' || g, 'http://a/' || g, 't', '', CASE WHEN g % 100 = 0 THEN NULL ELSE now() END, g
  FROM generate_series(1, 60000) g;
INSERT INTO claim (topic, kind, key, unit_class, claimant_key, speaker_key, display, change, first_outlet, outlets)
  SELECT 't', CASE WHEN g % 2 = 0 THEN 'figure' ELSE 'statement' END, 'k' || g, 'troops', 'c' || (g % 500),
         's' || (g % 700), '', 'new_figure', '', 1
  FROM generate_series(1, 40000) g;
INSERT INTO finding (article_id, claim_id, topic, kind, data, sentence, start, "end", is_new)
  SELECT 1 + g % 60000, 1 + g % 40000, 't', 'figure', '{}', '', 0, 1, false FROM generate_series(1, 80000) g;
"""
