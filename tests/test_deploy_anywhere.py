"""prefect.yaml's `monitor` deployment runs anywhere: a fresh clone is deployed, and a worker started in
another directory, with its own Python, clones the repository (a local bare one stands in for the
remote), installs it and runs the deployment's first scheduled run, a real pass over a local newsroom, to
Completed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import yaml
from processes import started
from sqlalchemy import create_engine, text

from newswatch.newsroom import Newsroom
from newswatch.settings import BUNDLED_WATCH_FILE

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
RUN_TIMEOUT = 300  # seconds: clone, install and a pass on a busy 2-core machine take far less
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
GIT = shutil.which("git")


def git(*args: str, cwd: Path = ROOT) -> str:
    assert GIT is not None
    done = subprocess.run([GIT, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def remote(tmp_path: Path) -> str:
    """A bare repository holding this checkout's HEAD as `main`: the remote a worker clones."""
    if GIT is None or git_dir_missing():
        pytest.skip("needs git and a git checkout of the project")
    bare = tmp_path / "newswatch.git"
    git("init", "--quiet", "--bare", str(bare))
    git("push", "--quiet", str(bare), "HEAD:refs/heads/main")
    return f"file://{bare}"


def git_dir_missing() -> bool:
    assert GIT is not None
    return (
        subprocess.run([GIT, "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, timeout=60).returncode != 0
    )


def worker_python(tmp_path: Path) -> Path:
    """A Python of the worker's own (a virtual environment that sees ours, read-only, for the dependencies):
    the install step puts the clone into it and leaves ours untouched."""
    venv = tmp_path / "worker-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    ours = sysconfig.get_paths()["purelib"]
    theirs = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    (theirs / "our-dependencies.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n", encoding="utf-8"
    )
    return venv / "bin" / "python"


def read_deployment(name: str) -> Any:
    """The deployment as the server keeps it."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_deployment_by_name(name)


def wait_for_final_state(run_id: UUID, log: Path) -> str:
    """The flow run's final state type, waiting (bounded) for it."""
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + RUN_TIMEOUT
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            state = client.read_flow_run(run_id).state_type
            if state is not None and state.value in FINAL:
                return state.value
            time.sleep(1)
    pytest.fail(f"the deployment run did not finish: {log.read_text(errors='replace')[-3000:]}")


def next_scheduled_run(deployment_id: UUID) -> UUID:
    """The next run of the deployment's 15-minute schedule, made due now.

    A full Prefect server's scheduler service makes these runs; the temporary server tests use runs only
    the event services, so the test asks the API's schedule endpoint, which makes them the same way
    (auto-scheduled, at the schedule's next time), and then moves that run's time to now (a test does not
    wait a quarter of an hour)."""
    import httpx
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.settings import PREFECT_API_URL
    from prefect.states import Scheduled

    api = str(PREFECT_API_URL.value()).rstrip("/")
    made = httpx.post(f"{api}/deployments/{deployment_id}/schedule", json={"min_runs": 1}, timeout=60)
    made.raise_for_status()
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
            limit=1,
        )
        assert runs and runs[0].auto_scheduled and runs[0].state_type is not None
        assert runs[0].state_type.value == "SCHEDULED"
        client.set_flow_run_state(runs[0].id, Scheduled(), force=True)  # due now
        return runs[0].id


@pytest.mark.timeout(900)  # bounded waits inside: deploy 300 s, the run RUN_TIMEOUT; seconds when idle
def test_a_fresh_clone_deploys_and_a_worker_elsewhere_runs_it(
    prefect_harness: None, remote: str, tmp_path: Path
) -> None:
    from prefect.settings import PREFECT_API_URL
    from prefect.variables import Variable

    checkout, elsewhere = tmp_path / "checkout", tmp_path / "worker-home"
    elsewhere.mkdir()
    git("clone", "--quiet", "--branch", "main", remote, str(checkout), cwd=tmp_path)
    python = worker_python(tmp_path)
    database = f"sqlite:///{tmp_path / 'deployed.db'}"
    watch = tmp_path / "watch.yaml"
    env = {
        **os.environ,
        "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}",  # the `python` of the install step
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "1",
        "NEWSWATCH_DATABASE_URL": database,
        "NEWSWATCH_WATCH_FILE": str(watch),
        "NEWSWATCH_ALLOWED_NETWORKS": "127.0.0.1/32",
    }
    env.pop("VIRTUAL_ENV", None)
    Variable.set("newswatch_repository", remote, overwrite=True)
    Variable.set("newswatch_branch", "main", overwrite=True)
    prefect = [str(python), "-m", "prefect"]
    for args in (["work-pool", "create", "newswatch", "--type", "process", "--overwrite"],
                 ["--no-prompt", "deploy", "--name", "monitor"]):  # fmt: skip
        done = subprocess.run(
            [*prefect, *args], cwd=checkout, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    deployed = read_deployment("newswatch-monitor/monitor")
    # Kept as templates: the variables are read when each run starts, so changing them needs no new deploy.
    clone = deployed.pull_steps[0]["prefect.deployments.steps.git_clone"]
    assert clone["repository"] == "{{ prefect.variables.newswatch_repository }}"
    assert [s.schedule.interval.total_seconds() for s in deployed.schedules] == [900]

    log = tmp_path / "worker.log"
    with Newsroom() as room:
        bundled = yaml.safe_load(BUNDLED_WATCH_FILE.read_text(encoding="utf-8"))
        bundled["feeds"] = [{"url": room.feed_urls[0]}]
        watch.write_text(yaml.safe_dump(bundled), encoding="utf-8")
        worker = [*prefect, "worker", "start", "--pool", "newswatch", "--limit", "1"]
        with started(worker, env, log, cwd=elsewhere):
            run_id = next_scheduled_run(deployed.id)
            assert wait_for_final_state(run_id, log) == "COMPLETED", log.read_text(errors="replace")[-3000:]
        pages = [path for _method, path, status in room.requests if path.endswith(".html") and status == 200]

    installed = python.parent.parent.glob("lib/python*/site-packages/newswatch/pipeline.py")
    assert list(installed), "the install step did not put the clone into the worker's Python"
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM article")).scalar_one()
            kept = conn.execute(text("SELECT count(*) FROM rawpage")).scalar_one()
    finally:
        engine.dispose()
    assert pages and stored + kept == len(pages)  # the pass read the newsroom's feed and its articles
