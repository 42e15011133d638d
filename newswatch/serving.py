"""`newswatch serve`: the monitoring flow served as a Prefect deployment, its first pass at once, and a
line per pass (time, feeds, new findings, alerts, state) as each one ends."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from sqlmodel import Session

from alerts.escaping import terminal_text
from storage.db import get_engine
from storage.queries import PassCounts, pass_counts

CHECK_SECONDS = 2.0  # how often ended passes are looked for (one query to the Prefect server)


@dataclass(frozen=True)
class PassEnd:
    """One ended pass as the Prefect server tells it: when, its state and its state's message."""

    run_id: UUID
    started: datetime
    ended: datetime
    state: str
    message: str


def pass_line(done: PassEnd, counts: PassCounts | None) -> str:
    """`2024-10-24 09:15:04 UTC  Completed  8 feeds (1 failed), 5 new findings, 3 alerts sent`."""
    what = (
        f"{counts.feeds} feeds ({counts.failed} failed), {counts.new_findings} new findings, "
        f"{counts.alerts_sent} alerts sent"
        if counts is not None
        else "counts unavailable (the database could not be read)"
    )
    message = f"  {terminal_text(done.message, 200)}" if done.message else ""
    return f"{done.ended:%Y-%m-%d %H:%M:%S} UTC  {terminal_text(done.state)}  {what}{message}"


def serve_monitor(
    flow: Any,
    *,
    parameters: dict[str, Any],
    schedule: dict[str, Any],
    database_url: str,
    say: Callable[[str], None],
    once: bool = False,
) -> None:
    """Serve `flow` as the `newswatch` deployment on `schedule` ({"interval": s} or {"cron": expr}) until
    stopped; a pass starts at once rather than one interval later. `once`: serve that first pass only."""
    from prefect.client.orchestration import get_client
    from prefect.runner import Runner

    runner = Runner(name="newswatch")
    # Called outside an event loop, Prefect's sync-or-async method returns the id itself.
    deployment_id = cast(UUID, runner.add_flow(flow, name="newswatch", parameters=parameters, **schedule))
    with get_client(sync_client=True) as client:
        client.create_flow_run_from_deployment(deployment_id)  # scheduled for now: the runner picks it up
    seen: set[UUID] = set()
    stop = threading.Event()

    def report() -> None:
        while not stop.wait(CHECK_SECONDS):
            report_ended(deployment_id, seen, database_url, say)

    thread = threading.Thread(target=report, name="newswatch-serve-report", daemon=True)
    thread.start()
    try:
        asyncio.run(runner.start(run_once=once))
    finally:
        stop.set()
        thread.join(timeout=10)
        report_ended(deployment_id, seen, database_url, say)  # a pass that ended since the last look


def report_ended(deployment_id: UUID, seen: set[UUID], database_url: str, say: Callable[[str], None]) -> None:
    """Say a line for each of the deployment's passes that ended and is not in `seen` (then in it)."""
    for done in ended_passes(deployment_id):
        if done.run_id in seen:
            continue
        seen.add(done.run_id)
        try:
            with Session(get_engine(database_url)) as session:
                counts: PassCounts | None = pass_counts(session, since=done.started, until=done.ended)
        except Exception:  # noqa: BLE001  (the line still says the pass's state; the pass logged its errors)
            counts = None
        say(pass_line(done, counts))


def ended_passes(deployment_id: UUID) -> list[PassEnd]:
    """The deployment's flow runs in a final state, oldest first (the last 50)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    final = [StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED]
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=final))),
            sort=FlowRunSort.END_TIME_DESC,
            limit=50,
        )
    ended = [
        PassEnd(
            run.id,
            _utc(run.start_time or run.expected_start_time),
            _utc(run.end_time),
            (run.state.name or run.state.type.value) if run.state else "?",
            (run.state.message or "") if run.state else "",
        )
        for run in runs
    ]
    return sorted(ended, key=lambda p: p.ended)


def _utc(when: datetime | None) -> datetime:
    """Prefect's time (its own datetime type) as a plain aware datetime in UTC; now when it has none."""
    return datetime.fromtimestamp(when.timestamp(), UTC) if when is not None else datetime.now(UTC)
