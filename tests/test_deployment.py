"""prefect.yaml: every deployment's entrypoint loads as Prefect loads it (as a script), with a schedule; `monitor`
clones and installs the repository (tests/test_deploy_anywhere.py runs it), `monitor-local` runs the checkout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.flows import Flow, load_flow_from_entrypoint

ROOT = Path(__file__).resolve().parents[1]
PROJECT = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
DEPLOYMENTS = PROJECT["deployments"]


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=[d["name"] for d in DEPLOYMENTS])
def test_entrypoint_loads_as_a_flow(deployment: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # entrypoints are relative to the project, as a worker's pull step sets
    flow = load_flow_from_entrypoint(str(deployment["entrypoint"]))
    assert isinstance(flow, Flow)
    assert flow.name == "newswatch-monitor"


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=[d["name"] for d in DEPLOYMENTS])
def test_each_deployment_runs_every_15_minutes_on_a_process_pool(deployment: dict[str, Any]) -> None:
    assert deployment["schedules"] == [{"interval": 900}]
    assert deployment["work_pool"]["name"] == "newswatch"
    assert not any("apprise" in k for k in deployment.get("parameters") or {})


def test_monitor_clones_the_repository_named_by_variables_and_installs_it() -> None:
    (monitor,) = (d for d in DEPLOYMENTS if d["name"] == "monitor")
    assert "pull" not in monitor  # the project's pull steps, below
    clone, install, workdir = (next(iter(step.items())) for step in PROJECT["pull"])
    assert clone[0] == "prefect.deployments.steps.git_clone"
    assert clone[1]["repository"] == "{{ prefect.variables.newswatch_repository }}"
    assert clone[1]["branch"] == "{{ prefect.variables.newswatch_branch }}"
    assert install[0] == "prefect.deployments.steps.run_shell_script"
    assert install[1]["directory"] == workdir[1]["directory"] == "{{ clone.directory }}"
    lock, project = install[1]["script"].splitlines()
    assert "--require-hashes -r requirements.lock" in lock and "--no-deps" in lock
    assert project.endswith("--no-deps --no-build-isolation .")
    assert workdir[0] == "prefect.deployments.steps.set_working_directory"


def test_monitor_local_runs_from_the_checkout_it_was_deployed_from() -> None:
    (local,) = (d for d in DEPLOYMENTS if d["name"] == "monitor-local")
    assert local["pull"] == [{"prefect.deployments.steps.set_working_directory": {"directory": "{{ $PWD }}"}}]


def test_no_flow_module_shadows_a_stdlib_module_or_our_packages() -> None:
    import sys

    ours = {"newswatch", "extractors", "alerts", "storage", "flows"}
    for path in (ROOT / "flows").glob("*.py"):
        assert path.stem not in sys.stdlib_module_names | ours, path.name
