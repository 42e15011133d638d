"""When channels send: quiet hours hold messages and deliver them after, digests per pass or per period,
and feed-health alerts raised once per change (also when two runs see the change at once)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from alerts.message import Message
from alerts.schedule import QuietHours, parse_quiet, window_start
from extractors.findings import Figure
from newswatch.channels import Channel, resolve_channels, targets_by_topic
from newswatch.delivery import check_health, send_due
from newswatch.settings import Settings
from newswatch.watchfile import parse_watch
from storage.db import session_scope
from storage.feeds import ensure_feeds
from storage.ledger import enqueue
from storage.models import AlertDelivery, Feed, utcnow

BERLIN = ZoneInfo("Europe/Berlin")
TOPICS = """
topics:
  nk:
    title: North Korean troops in Russia
    terms: [North Korea]
    units: {troops: [troops, soldiers]}
"""


def settings(**changes: Any) -> Settings:
    return Settings(_env_file=None, apprise_urls="", **changes)  # type: ignore[call-arg]


def terminal(route: str) -> Channel:
    """The one channel of a watch file with this route (no URLs configured: the terminal)."""
    (channel,) = resolve_channels(parse_watch(TOPICS + "alerts:\n  - " + route), settings())
    return channel


def queue(engine: Engine, channel: Channel, articles: range) -> None:
    with session_scope(engine) as s:
        for n in articles:
            f = Figure(1000 + n, 1000 + n, 1000 + n, False, "around", "soldiers", "troops", "NIS", "nis",
                       "claimed", f"NIS said around {1000 + n:,} soldiers.", 0, 1)  # fmt: skip
            data = {"type": "finding", "topic": "nk", "topic_title": "NK", "change": "new_figure",
                    "finding": f.to_dict(), "previous": [], "article_title": f"Article {n}", "outlet": "Wire",
                    "published": None, "url": f"https://news.example.org/a/{n}"}  # fmt: skip
            targets = targets_by_topic([channel])["nk"]
            enqueue(s, subject=f"claim:{n}", targets=targets, group_key=f"article:{n}", payload=data)


def tomorrow(hour: int, minute: int = 0) -> datetime:
    """Tomorrow at this Berlin wall-clock time (in the future, so every queued row is due by then)."""
    return datetime.combine(date.today() + timedelta(days=1), time(hour, minute), tzinfo=BERLIN)


def test_quiet_hours_cross_midnight_in_their_own_time_zone() -> None:
    quiet = parse_quiet("22:00-07:00", "Europe/Berlin")
    assert quiet == QuietHours(time(22), time(7), "Europe/Berlin")
    winter = datetime(2024, 1, 15, tzinfo=BERLIN)
    assert [quiet.contains(winter.replace(hour=h)) for h in (21, 22, 23, 0, 6, 7, 12)] == [
        False, True, True, True, True, False, False,
    ]  # fmt: skip
    assert quiet.contains(datetime(2024, 7, 1, 20, 30, tzinfo=UTC))  # 22:30 in Berlin's summer time
    assert quiet.ends_after(datetime(2024, 1, 15, 23, 0, tzinfo=BERLIN)) == datetime(
        2024, 1, 16, 6, 0, tzinfo=UTC
    )
    daytime = parse_quiet("12:00-13:30")
    assert daytime.contains(datetime(2024, 1, 15, 13, 29, tzinfo=UTC))
    assert not daytime.contains(datetime(2024, 1, 15, 13, 30, tzinfo=UTC))


def test_digest_windows_start_at_local_midnight() -> None:
    at = datetime(2024, 3, 31, 10, 47, tzinfo=BERLIN)  # the day summer time starts: 23 hours long
    assert window_start(at, timedelta(hours=1), "Europe/Berlin") == datetime(
        2024, 3, 31, 10, 0, tzinfo=BERLIN
    )
    assert window_start(at, timedelta(days=1), "Europe/Berlin") == datetime(2024, 3, 31, 0, 0, tzinfo=BERLIN)
    assert window_start(at, timedelta(minutes=30)) == datetime(2024, 3, 31, 8, 30, tzinfo=UTC)


def test_quiet_hours_hold_messages_and_deliver_them_after(sqlite_engine: Engine) -> None:
    channel = terminal('{url: env, quiet: "22:00-07:00", timezone: Europe/Berlin}')
    queue(sqlite_engine, channel, range(3))
    shown: list[Message] = []
    night = send_due(sqlite_engine, [channel], settings(), echo=shown.append, now=tomorrow(23, 30))
    assert (night.sent, night.held, shown) == (0, 3, [])
    assert night.skipped == ("terminal: quiet hours (22:00-07:00 Europe/Berlin)",)
    assert send_due(sqlite_engine, [channel], settings(), echo=shown.append, now=tomorrow(6, 59)).sent == 0
    morning = send_due(sqlite_engine, [channel], settings(), echo=shown.append, now=tomorrow(7, 0))
    assert (morning.sent, morning.messages, len(shown)) == (3, 3, 3)
    queue(sqlite_engine, channel, range(3, 4))  # a retry by hand does not wait for the morning
    forced = send_due(
        sqlite_engine, [channel], settings(), echo=shown.append, now=tomorrow(23, 0), force=True
    )
    assert forced.sent == 1


def test_a_digest_per_pass_is_one_message(sqlite_engine: Engine) -> None:
    channel = terminal("{url: env, mode: digest}")
    queue(sqlite_engine, channel, range(4))
    shown: list[Message] = []
    report = send_due(sqlite_engine, [channel], settings(), echo=shown.append)
    assert (report.sent, report.messages) == (4, 1)
    # The most important finding leads the subject; the body says what the digest holds.
    assert shown[0].title == "New: ~1,000 troops (NIS) +3 more in 4 articles"
    assert shown[0].text.startswith("Digest: 4 new findings from 4 articles · NK")


def test_a_digest_per_period_waits_for_the_period_to_end(sqlite_engine: Engine) -> None:
    channel = terminal("{url: env, digest: 1h}")
    queue(sqlite_engine, channel, range(5))
    shown: list[Message] = []
    now = utcnow()
    assert send_due(sqlite_engine, [channel], settings(), echo=shown.append, now=now).sent == 0
    next_hour = window_start(now, timedelta(hours=1)) + timedelta(hours=1, seconds=1)
    report = send_due(sqlite_engine, [channel], settings(), echo=shown.append, now=next_hour)
    assert (report.sent, report.messages, len(shown)) == (5, 1, 1)
    assert "5 new findings from 5 articles" in shown[0].text and shown[0].title.endswith("in 5 articles")


def test_feed_health_alerts_once_per_change_even_from_two_runs_at_once(engine: Engine) -> None:
    channel = terminal("{url: env}")
    muted = terminal("{url: env, kinds: [new_figure]}")
    assert (channel.health, muted.health) == (True, False)
    with session_scope(engine) as s:
        ensure_feeds(s, urls=["https://feeds.example.org/rss"])
    with session_scope(engine) as s:
        s.execute(update(Feed).values(failures_in_row=5, last_error="HTTP 503", last_success_at=utcnow()))
    counts: list[int] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        counts.append(check_health(engine, [channel], settings()))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == [0, 0, 0, 1]
    assert check_health(engine, [channel], settings()) == 0  # still failing: nothing new to say
    with session_scope(engine) as s:
        s.execute(update(Feed).values(failures_in_row=0, last_new_entry_at=utcnow()))
    assert check_health(engine, [channel], settings()) == 1
    with Session(engine) as s:
        states = [
            r.payload["state"] for r in s.exec(select(AlertDelivery).order_by(col(AlertDelivery.id))).all()
        ]
    assert states == ["failing", "recovered"]
    shown: list[Message] = []
    send_due(engine, [channel], settings(), echo=shown.append)
    assert [m.title for m in shown] == [
        "[newswatch] Feed failing: feeds.example.org (5 failures in a row)",
        "[newswatch] Feed recovered: feeds.example.org",
    ]


@pytest.mark.parametrize("hours", [25, 23])
def test_a_silent_feed_raises_one_alert_after_a_day(sqlite_engine: Engine, hours: int) -> None:
    channel = terminal("{url: env}")
    with session_scope(sqlite_engine) as s:
        ensure_feeds(s, urls=["https://feeds.example.org/rss"])
        s.flush()
        s.execute(
            update(Feed).values(last_success_at=utcnow(), last_new_entry_at=utcnow() - timedelta(hours=hours))
        )
    raised = [check_health(sqlite_engine, [channel], settings()) for _ in range(3)]
    assert raised == ([1, 0, 0] if hours > 24 else [0, 0, 0])
