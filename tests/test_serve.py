"""`newswatch serve`: the first pass starts at once, not one interval later, and each pass says one line."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from newswatch.serving import PassEnd, pass_line
from storage.queries import PassCounts


@pytest.mark.slow
def test_serve_runs_a_pass_at_once_and_says_a_line_for_it(
    prefect_harness: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flows.monitor import monitor
    from newswatch.newsroom import Newsroom
    from newswatch.serving import serve_monitor

    db_url = f"sqlite:///{tmp_path / 'serve.db'}"
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("NEWSWATCH_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("NEWSWATCH_APPRISE_URLS", "")
    monkeypatch.setenv("NEWSWATCH_FIRST_POLL_BASELINE", "false")
    monkeypatch.setenv("NEWSWATCH_ALERT_MAX_AGE", "0")
    lines: list[str] = []
    with Newsroom() as room:
        # A day between passes: only a pass started at once can run in the runner's one look for work.
        serve_monitor(
            monitor,
            parameters={"feeds": room.feed_urls},
            schedule={"interval": 86_400},
            database_url=db_url,
            say=lines.append,
            once=True,
        )
    assert len(lines) == 1, lines
    assert " Completed " in lines[0]
    assert f"{len(room.feed_urls)} feeds (0 failed)" in lines[0]
    counts = re.search(r"(\d+) new findings, (\d+) alerts sent", lines[0])
    assert counts is not None and int(counts[1]) > 0 and int(counts[2]) > 0, lines[0]


def test_a_pass_line_names_time_state_counts_and_a_clean_message() -> None:
    ended = datetime(2024, 10, 24, 9, 15, 4, tzinfo=UTC)
    done = PassEnd(uuid4(), ended - timedelta(seconds=30), ended, "Failed", "every feed failed\x1b[2J")
    line = pass_line(done, PassCounts(feeds=8, failed=8, new_findings=0, alerts_sent=0))
    assert line.startswith(
        "2024-10-24 09:15:04 UTC  Failed  8 feeds (8 failed), 0 new findings, 0 alerts sent"
    )
    assert "every feed failed" in line and "\x1b" not in line
    assert "counts unavailable" in pass_line(done, None)
