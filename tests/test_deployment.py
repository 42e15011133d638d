"""prefect.yaml: every deployment's entrypoint loads as Prefect loads it (as a script), with a schedule."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from prefect.flows import Flow, load_flow_from_entrypoint

ROOT = Path(__file__).resolve().parents[1]
DEPLOYMENTS = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=[d["name"] for d in DEPLOYMENTS])
def test_entrypoint_loads_as_a_flow(deployment: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # entrypoints are relative to the project, as a worker's pull step sets
    flow = load_flow_from_entrypoint(str(deployment["entrypoint"]))
    assert isinstance(flow, Flow)
    assert flow.name == "newswatch-monitor"


def test_the_deployment_runs_every_15_minutes_on_a_process_pool() -> None:
    (monitor,) = DEPLOYMENTS
    assert monitor["schedules"] == [{"interval": 900}]
    assert monitor["work_pool"]["name"] == "newswatch"
    assert "parameters" not in monitor or not any("apprise" in k for k in monitor["parameters"])


def test_no_flow_module_shadows_a_stdlib_module_or_our_packages() -> None:
    import sys

    ours = {"newswatch", "extractors", "alerts", "storage", "flows"}
    for path in (ROOT / "flows").glob("*.py"):
        assert path.stem not in sys.stdlib_module_names | ours, path.name
