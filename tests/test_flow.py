"""The whole pass under Prefect's test harness, against the local newsroom, alerts to a capturing channel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apprise
import pytest
from sqlmodel import Session, col, select

import alerts.channels  # noqa: F401  (loads apprise's plugins once, without imghdr's warning)
from newswatch.newsroom import Newsroom
from storage.db import get_engine
from storage.models import AlertDelivery, Article, Claim, Entry, Feed, Finding

pytestmark = pytest.mark.slow
CAPTURED: list[dict[str, Any]] = []


@apprise.decorators.notify(on="nwcapture")
def _capture(body: str, title: str, notify_type: str, *args: Any, **kwargs: Any) -> bool:
    CAPTURED.append({"title": title, "body": body})
    return True


@pytest.fixture
def newsroom() -> Iterator[Newsroom]:
    with Newsroom() as room:
        yield room


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'flow.db'}"
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", url)
    monkeypatch.setenv("NEWSWATCH_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("NEWSWATCH_APPRISE_URLS", "nwcapture://flow-test")
    # The newsroom's stories are its feeds' backlog: alerted on purpose, as the demo does.
    monkeypatch.setenv("NEWSWATCH_FIRST_POLL_BASELINE", "false")
    monkeypatch.setenv("NEWSWATCH_ALERT_MAX_AGE", "0")
    CAPTURED.clear()
    return url


def test_two_passes_alert_once_then_cost_one_304_per_feed(
    prefect_harness: None, newsroom: Newsroom, env: str
) -> None:
    from flows.monitor import monitor

    first = monitor(feeds=newsroom.feed_urls)
    assert first.feeds["ok"] == len(newsroom.feed_urls)
    assert first.articles_read >= 8
    assert first.findings_new > 0
    # Every new finding is alerted, except unnamed narration ("officials said"), which instant routes skip.
    assert 0 < first.alerts_sent <= first.findings_new + first.findings_revised
    messages = " ".join(m["title"] + m["body"] for m in CAPTURED)
    assert "New figure" in messages
    assert "New statement" in messages
    engine = get_engine(env)
    with Session(engine) as s:
        on_topic = len({f.article_id for f in s.exec(select(Finding)).all()})
    assert first.alert_messages == len(CAPTURED) == on_topic  # one per article on the topic
    with Session(engine) as s:
        assert all(e.processed_at is not None for e in s.exec(select(Entry)).all())
        assert s.exec(select(AlertDelivery).where(col(AlertDelivery.status) != "sent")).all() == []
        assert {a.source for a in s.exec(select(Article)).all()} == {"page"}
        findings = s.exec(select(Finding)).all()
        assert all(f.sentence and f.end > f.start for f in findings)

    before = len(newsroom.requests)
    captured = len(CAPTURED)
    second = monitor(feeds=newsroom.feed_urls)
    assert second.feeds["not_modified"] == len(newsroom.feed_urls)
    assert (second.findings_new, second.findings_revised, second.alerts_sent) == (0, 0, 0)
    assert len(CAPTURED) == captured
    pass_two = newsroom.requests[before:]
    assert {status for _method, _path, status in pass_two} == {304}
    with Session(engine) as s:
        assert {f.last_status for f in s.exec(select(Feed)).all()} == {"not_modified"}


def test_failed_feeds_are_reported_and_the_pass_goes_on(
    prefect_harness: None, newsroom: Newsroom, env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.monitor import monitor

    bad = [f"{newsroom.base_url}/missing.xml", "http://10.0.0.1/feed.xml", "not a url"]
    summary = monitor(feeds=[*newsroom.feed_urls, *bad])
    assert summary.feeds["ok"] == len(newsroom.feed_urls)
    assert summary.feeds["failed"] == len(bad)
    classes = {url: cls for url, cls, _detail in summary.failures}
    assert classes[bad[0]] == "http_status"
    assert classes[bad[1]] == "refused_address"
    assert summary.findings_new > 0


def test_a_baseline_pass_stores_what_would_have_alerted_and_sends_nothing(
    prefect_harness: None, newsroom: Newsroom, env: str
) -> None:
    from flows.monitor import monitor

    summary = monitor(feeds=newsroom.feed_urls, baseline=True)  # `newswatch run --baseline`
    assert summary.findings_new > 0
    assert summary.findings_baseline == summary.findings_new + summary.findings_revised
    assert (summary.alerts_sent, summary.alert_messages, CAPTURED) == (0, 0, [])
    assert "of them baseline, not alerted" in summary.one_line()
    with Session(get_engine(env)) as s:
        assert s.exec(select(AlertDelivery)).all() == []
        assert {c.baseline for c in s.exec(select(Claim)).all()} == {"baseline_run"}


def test_the_flow_run_is_tagged_by_topic_and_its_tasks_are_not(
    prefect_harness: None, newsroom: Newsroom, env: str
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterTags,
        TaskRunFilter,
        TaskRunFilterFlowRunId,
    )

    from flows.monitor import monitor

    state = monitor(feeds=newsroom.feed_urls[:1], return_state=True)
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
        tasks = client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[run.id]))
        )
        tagged = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=["topic:nk-troops-russia"]))
        )
    assert "topic:nk-troops-russia" in run.tags
    assert run.id in {r.id for r in tagged}
    # Tagged task runs would each ask the server for a concurrency slot: a round trip per task.
    assert tasks and all(not t.tags for t in tasks)


def test_shards_split_the_feeds_without_overlap() -> None:
    from flows.monitor import in_shard

    urls = [f"https://news{n}.example/feed.xml" for n in range(300)]
    shares = [[u for u in urls if in_shard(u, f"{i}/3")] for i in range(3)]
    assert sorted(u for share in shares for u in share) == sorted(urls)  # each feed in exactly one
    assert all(60 <= len(share) <= 140 for share in shares)
    assert all(in_shard(u, "0/1") for u in urls)
    for bad in ("3/3", "1", "a/b", "-1/2"):
        with pytest.raises(ValueError, match="shard"):
            in_shard(urls[0], bad)


def test_a_malformed_shard_fails_the_run_before_anything_is_polled(
    prefect_harness: None, newsroom: Newsroom, env: str
) -> None:
    from flows.monitor import monitor

    state = monitor(feeds=newsroom.feed_urls[:1], shard="2/2", return_state=True)
    assert state.is_failed()
    with pytest.raises(ValueError, match="shard '2/2'"):
        state.result()
    assert newsroom.requests == []  # no feed polled


def test_a_pass_whose_database_fails_ends_failed_in_one_line(
    prefect_harness: None, newsroom: Newsroom, env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flows.monitor import monitor
    from flows.outcome import PassFailedError

    garbage = tmp_path / "not-a-database.db"
    garbage.write_bytes(b"this is not an SQLite file, " * 100)
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", f"sqlite:///{garbage}")
    state = monitor(feeds=newsroom.feed_urls[:1], return_state=True)
    assert state.is_failed()
    assert state.message is not None and state.message.startswith("the database failed (")
    assert "\n" not in state.message and "SELECT" not in state.message
    error = state.result(raise_on_failure=False)
    assert isinstance(error, PassFailedError)
    assert newsroom.requests == []  # nothing polled: the feeds could not even be recorded
