"""Prefect events of a real pass: one per new or revised finding, one per failed feed; and an Automation
that fires on them (the session's Prefect server runs the triggers and actions services)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import httpx
import pytest
from sqlmodel import Session, col, select
from test_timeline import DemoPass, demo_pass, shared_demo_pass

from storage.db import get_engine
from storage.models import Finding

pytestmark = pytest.mark.slow
T = TypeVar("T")
WAIT = 90.0  # seconds: events are persisted in batches, triggers run in the server's background


def wait_for(what: str, check: Callable[[], T | None]) -> T:
    """Poll `check` until it returns something, or fail after WAIT seconds (a condition, not a sleep)."""
    deadline = time.monotonic() + WAIT
    while True:
        found = check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT:.0f} s for {what}")
        time.sleep(0.5)


def api_url() -> str:
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    assert url
    return str(url)


def read_events(**event_filter: Any) -> list[dict[str, Any]]:
    """Every stored event matching the filter, page after page, as the server's API returns them."""
    answer = httpx.post(f"{api_url()}/events/filter", json={"filter": event_filter, "limit": 50}, timeout=10)
    answer.raise_for_status()
    page = answer.json()
    events = list(page["events"])
    while page.get("next_page"):
        answer = httpx.get(page["next_page"], timeout=10)
        answer.raise_for_status()
        page = answer.json()
        events += page["events"]
    return events


def run_events(flow_run_id: UUID, prefix: str) -> list[dict[str, Any]]:
    """The events of one flow run whose name starts with `prefix`."""
    return read_events(event={"prefix": [prefix]}, related={"id": [f"prefect.flow-run.{flow_run_id}"]})


@pytest.fixture
def demo(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> DemoPass:
    return shared_demo_pass(tmp_path_factory)


def test_a_pass_emits_one_event_per_new_finding_and_one_per_failed_feed(demo: DemoPass) -> None:
    with Session(get_engine(demo.db_url)) as session:
        new = {f.id: f for f in session.exec(select(Finding).where(col(Finding.is_new))).all()}
    assert len(new) == demo.summary.findings_new + demo.summary.findings_revised > 0
    assert demo.summary.events_emitted == len(new) + 1  # and the missing feed's

    def all_arrived() -> list[dict[str, Any]] | None:
        got = run_events(demo.flow_run_id, "newswatch.finding.")
        return got if len(got) >= len(new) else None

    events = wait_for(f"{len(new)} finding events", all_arrived)
    ids = [int(e["resource"]["prefect.resource.id"].rsplit(".", 1)[1]) for e in events]
    assert sorted(ids) == sorted(new)  # exactly one per new finding: none missing, none twice
    for event in events:
        finding = new[int(event["resource"]["prefect.resource.id"].rsplit(".", 1)[1])]
        assert event["event"] == f"newswatch.finding.{event['payload']['change']}"
        roles = {r["prefect.resource.role"]: r["prefect.resource.id"] for r in event["related"]}
        assert roles["claim"] == f"newswatch.claim.{finding.claim_id}"
        assert roles["article"] == f"newswatch.article.{finding.article_id}"
        assert roles["topic"] == f"newswatch.topic.{finding.topic}"
        assert event["payload"]["sentence"] == finding.sentence[:500].strip() or len(finding.sentence) > 500
    names = {e["event"] for e in events}
    assert {"newswatch.finding.new_figure", "newswatch.finding.new_statement"} <= names
    revised = [e for e in events if e["event"] == "newswatch.finding.revised_figure"]
    assert len(revised) == demo.summary.findings_revised > 0
    assert all(e["payload"]["previous"] for e in revised)

    failed = wait_for(
        "the failed feed's event", lambda: run_events(demo.flow_run_id, "newswatch.feed.") or None
    )
    assert [(e["payload"]["url"], e["payload"]["error_class"]) for e in failed] == [
        (demo.missing_feed, "http_status")
    ]


@pytest.fixture
def page_me_deployment(prefect_harness: None) -> Iterator[UUID]:
    """A deployment that no worker serves: a run of it appearing is the Automation's visible effect."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        flow_id = client.create_flow_from_name("newswatch-page-me")
        deployment_id = client.create_deployment(flow_id=flow_id, name="page-me")
        yield deployment_id
        client.delete_deployment(deployment_id)


def test_an_automation_on_revised_figures_fires_and_runs_a_deployment(
    page_me_deployment: UUID, tmp_path: Path
) -> None:
    from prefect.automations import Automation, EventTrigger, Posture, RunDeployment
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    # The README's recipe: page me when a revised figure arrives.
    automation = Automation(
        name="newswatch: page me on a revised figure",
        trigger=EventTrigger(
            expect={"newswatch.finding.revised_figure"}, posture=Posture.Reactive, threshold=1
        ),
        actions=[RunDeployment(source="selected", deployment_id=page_me_deployment)],
    ).create()
    try:
        run = demo_pass(f"sqlite:///{tmp_path / 'automation.db'}")
        assert run.summary.findings_revised > 0

        def deployment_runs() -> list[Any] | None:
            with get_client(sync_client=True) as client:
                runs = client.read_flow_runs(
                    deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[page_me_deployment]))
                )
            return runs or None

        assert wait_for("a run of the deployment the Automation starts", deployment_runs)
        ours = f"prefect.flow-run.{run.flow_run_id}"

        def fired_by_our_pass() -> dict[str, Any] | None:
            triggered = read_events(
                event={"name": ["prefect.automation.triggered"]},
                resource={"id": [f"prefect.automation.{automation.id}"]},
            )
            causes = [e["payload"]["triggering_event"] for e in triggered]
            return next((c for c in causes if ours in {r["prefect.resource.id"] for r in c["related"]}), None)

        cause = wait_for("the automation triggered by one of this pass's events", fired_by_our_pass)
        assert cause["event"] == "newswatch.finding.revised_figure"
        assert cause["payload"]["previous"]  # the claimant's earlier values, for the page to show
    finally:
        automation.delete()
