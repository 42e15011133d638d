"""Overlapping runs: two `newswatch run` over the same feeds at once end as one pass would, on SQLite and
PostgreSQL; the feeds are held by one of them, so no article is downloaded twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_crash import (
    Webhook,
    assert_each_sent_once,
    assert_same_end_state,
    finish,
    fresh_database,
    pass_env,
    prefect_api,
    snapshot,
    start_pass,
    webhook,
)

from newswatch.newsroom import Newsroom

pytestmark = pytest.mark.slow
__all__ = ["prefect_api", "webhook"]  # fixtures shared with the crash test


@pytest.fixture
def newsroom() -> Iterator[Newsroom]:
    # Slow pages: each pass spends seconds reading, so the two surely overlap (their start-up times vary).
    with Newsroom(latency=0.6) as room:
        yield room


def article_gets(room: Newsroom, since: int) -> list[str]:
    """The article pages requested since request number `since` (200s only: a 304 downloads nothing)."""
    return [
        path for method, path, status in room.requests[since:] if path.endswith(".html") and status == 200
    ]


def test_two_passes_at_once_end_as_one_pass(
    db_url: str, tmp_path: Path, prefect_api: str, newsroom: Newsroom, webhook: Webhook
) -> None:
    feeds, log = newsroom.feed_urls, tmp_path / "passes.log"
    reference_url = fresh_database(db_url, tmp_path, "reference")
    before = len(newsroom.requests)
    finish(start_pass(feeds, pass_env(reference_url, prefect_api, webhook), log), log)
    reference, sent = snapshot(reference_url), webhook.take()
    pages = article_gets(newsroom, before)
    assert len(pages) == len(set(pages)) >= 10

    url = fresh_database(db_url, tmp_path, "overlap")
    env = pass_env(url, prefect_api, webhook)
    before = len(newsroom.requests)
    first, second = start_pass(feeds, env, log), start_pass(feeds, env, log)
    finish(first, log)
    finish(second, log)
    assert_same_end_state(snapshot(url), reference)
    assert_each_sent_once(webhook.take(), sent)
    assert sorted(article_gets(newsroom, before)) == sorted(pages), "an article was downloaded twice"
