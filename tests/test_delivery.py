"""Routes, channels and sending rounds: kinds and topics per route, one channel's failure kept to itself,
backoff and the cap, by-hand retries, and what the `alerts` commands show."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import apprise
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

import alerts.channels  # noqa: F401  (loads apprise's plugins once, without imghdr's warning)
from alerts.urls import channel_id, split_urls
from extractors.findings import Figure, Statement
from newswatch.channels import Channel, resolve_channels, targets_by_topic
from newswatch.cli import app
from newswatch.delivery import send_due
from newswatch.settings import Settings
from newswatch.watchfile import WatchFileError, parse_watch
from storage.db import session_scope
from storage.ledger import enqueue
from storage.models import AlertDelivery, utcnow

SENTINEL = "Dlv-SENTINEL-t0ken"
TOPICS = """
topics:
  nk:
    title: North Korean troops in Russia
    terms: [North Korea]
    units: {troops: [troops, soldiers]}
  strike:
    title: Rail strike
    terms: [strike]
    units: {workers: [workers]}
"""
SENT: list[tuple[str, str, str]] = []  # (host, title, body) of every message a dlvcap:// channel accepted
DOWN: set[str] = set()  # hosts that refuse everything
REFUSED: set[str] = set()  # words in a title that every dlvcap:// channel refuses


@apprise.decorators.notify(on="dlvcap")  # type: ignore[no-untyped-call, untyped-decorator]
def _capture(
    body: str, title: str, notify_type: str, *args: Any, meta: dict[str, Any], **kwargs: Any
) -> bool:
    host = str(meta.get("host"))
    if host in DOWN or any(word in title for word in REFUSED):
        return False
    SENT.append((host, title, body))
    return True


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    SENT.clear()
    DOWN.clear()
    REFUSED.clear()
    yield


def settings(urls: str = "", **changes: Any) -> Settings:
    """Settings from these values only (no environment, no .env)."""
    return Settings(_env_file=None, apprise_urls=urls, alert_backoff_seconds=60, **changes)  # type: ignore[call-arg]


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def figure(value: int, claimant: str = "NIS") -> Figure:
    return Figure(
        value=value, low=value, high=value, vague=False, qualifier="around", unit="soldiers",
        unit_class="troops", claimant=claimant, claimant_key=claimant.lower(), stance="claimed",
        sentence=f"{claimant} said around {value:,} North Korean soldiers were in Russia.", start=0, end=1,
    )  # fmt: skip


def payload(
    finding: Figure | Statement, article: int, change: str = "new_figure", topic: str = "nk"
) -> dict[str, Any]:
    """What pipeline.alert_payload stores for a finding of article `article`."""
    return {
        "type": "finding", "topic": topic, "topic_title": topic.upper(), "change": change,
        "finding": finding.to_dict(), "previous": [], "article_title": f"Article {article}",
        "outlet": "Wire", "published": utcnow().isoformat(), "url": f"https://news.example.org/a/{article}",
    }  # fmt: skip


def queue(engine: Engine, channels: list[Channel], items: list[tuple[int, dict[str, Any]]]) -> None:
    """Queue (subject number, payload) pairs the way the pipeline does, one transaction."""
    targets = targets_by_topic(channels)
    with session_scope(engine) as s:
        for n, data in items:
            group = data["url"].rsplit("/", 1)[-1]
            enqueue(
                s, subject=f"claim:{n}", targets=targets.get(data["topic"], []), group_key=group, payload=data
            )


def rows(engine: Engine) -> list[AlertDelivery]:
    with Session(engine) as s:
        return list(s.exec(select(AlertDelivery).order_by(col(AlertDelivery.id))).all())


# --- the watch file's routes ---------------------------------------------------------------------

ROUTES = (
    TOPICS
    + """alerts:
  - url: env
    topics: [nk]
    kinds: [new_figure, revised_figure]
  - tag: desk
    digest: 1h
    quiet: "22:00-07:00"
    timezone: Europe/Berlin
  - url: json://hooks.example.org/strike
    topics: [strike]
    mode: digest
"""
)


def test_routes_name_kinds_tags_digest_periods_and_quiet_hours() -> None:
    env, desk, hook = parse_watch(ROUTES).routes
    assert (env.url, env.topics, env.kinds, env.mode) == (
        "env",
        ("nk",),
        ("new_figure", "revised_figure"),
        "instant",
    )
    assert (desk.tag, desk.mode, str(desk.period), desk.topics) == (
        "desk",
        "digest",
        "1:00:00",
        ("nk", "strike"),
    )
    assert desk.quiet is not None and desk.quiet.describe() == "22:00-07:00 Europe/Berlin"
    assert "feed_health" in desk.kinds
    assert (hook.mode, hook.period) == ("digest", None)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'quiet: "22:00-07:00"',
            'quiet: "22-7"',
            "line 17: alerts[1]: 'quiet' must be a span of local time such as \"22:00-07:00\"",
        ),
        (
            "timezone: Europe/Berlin",
            "timezone: Mars/Olympus",
            "line 18: alerts[1]: 'timezone' must be an IANA time zone",
        ),
        (
            "digest: 1h",
            "digest: hourly",
            "line 16: alerts[1]: 'digest' must be a period such as 30m, 1h or 1d",
        ),
        ("digest: 1h", "digest: 1m", "line 16: alerts[1]: 'digest' must be at least 5 minutes"),
        (
            "kinds: [new_figure, revised_figure]",
            "kinds: [new_figures]",
            "line 14: alerts[0]: unknown kind 'new_figures'",
        ),
        ("topics: [strike]", "topics: [stike]", "line 20: alerts[2]: unknown topic(s) stike"),
        ("  - tag: desk", "  - tag: desk\n    url: env", "line 15: alerts[1]: needs a 'url'"),
        (
            "mode: digest",
            "mode: instant\n    digest: 1d",
            "line 22: alerts[2]: 'digest' sets a digest period",
        ),
        ("mode: digest", "mode: hourly", "line 21: alerts[2]: mode must be 'instant' or 'digest'"),
        ("mode: digest", "kind: digest", "line 21: alerts[2]: unknown field 'kind'"),
    ],
)
def test_a_bad_route_names_the_line_and_the_field(old: str, new: str, message: str) -> None:
    assert old in ROUTES
    with pytest.raises(WatchFileError) as info:
        parse_watch(ROUTES.replace(old, new), path="watch.yaml")
    assert str(info.value).startswith(f"watch.yaml, {message}"), str(info.value)


def test_url_lists_split_on_blanks_and_commas_and_carry_apprise_tags() -> None:
    raw = "slack://T/B/C, mailto://u:p@mail.example.org?to=a@x.org,b@x.org desk,night=json://h.example.org/x junk"
    assert [(t.url, sorted(t.tags)) for t in split_urls(raw)] == [
        ("slack://T/B/C", []),
        ("mailto://u:p@mail.example.org?to=a@x.org,b@x.org", []),
        ("json://h.example.org/x", ["desk", "night"]),
        ("junk", []),
    ]
    assert split_urls(" , ") == []
    assert SENTINEL not in repr(split_urls(f"json://{SENTINEL}@h"))


def test_routes_resolve_env_to_untagged_urls_a_tag_to_its_urls_and_nothing_to_the_terminal() -> None:
    watch = parse_watch(ROUTES)
    urls = f"dlvcap://plain.example.org desk=dlvcap://{SENTINEL}"
    by_label = {c.label: c for c in resolve_channels(watch, settings(urls))}
    assert set(by_label) == {"dlvcap://plain.example.org", "dlvcap://***", "json://hooks.example.org/..."}
    plain, desk = by_label["dlvcap://plain.example.org"], by_label["dlvcap://***"]
    assert (plain.id, plain.topics, plain.health) == (
        channel_id("dlvcap://plain.example.org") + ":instant",
        ("nk",),
        False,
    )
    assert desk.mode == "digest" and desk.quiet is not None and desk.health
    assert all(SENTINEL not in repr(c) + c.id + c.label for c in by_label.values())
    terminal = resolve_channels(parse_watch(TOPICS), settings(""))
    assert [(c.id, c.url, c.topics) for c in terminal] == [("terminal", None, ("nk", "strike"))]


def test_each_finding_goes_only_to_routes_taking_its_topic_and_kind(sqlite_engine: Engine) -> None:
    watch = parse_watch(
        TOPICS
        + """alerts:
  - {url: "dlvcap://figures.example.org", topics: [nk], kinds: [new_figure]}
  - {url: "dlvcap://all.example.org"}
  - {url: "dlvcap://figures.example.org", topics: [strike], kinds: [new_statement]}
"""
    )
    channels = resolve_channels(watch, settings())
    said = Statement(
        "Lloyd Austin", "lloyd-austin", None, "said", "They are there.", True, "“They are there.”", 1, 15
    )
    queue(sqlite_engine, channels, [(1, payload(figure(3000), 1)), (2, payload(said, 2, "new_statement")),
                                    (3, payload(said, 3, "new_statement", topic="strike"))])  # fmt: skip
    got = {(r.subject, r.channel.split(":")[1][:4]) for r in rows(sqlite_engine)}
    figures, every = (
        channel_id("dlvcap://figures.example.org")[7:11],
        channel_id("dlvcap://all.example.org")[7:11],
    )
    assert got == {
        ("claim:1", figures),
        ("claim:1", every),
        ("claim:2", every),
        ("claim:3", figures),
        ("claim:3", every),
    }
    report = send_due(sqlite_engine, channels, settings())
    assert (report.sent, report.messages, len(SENT)) == (5, 5, 5)


# --- sending rounds ------------------------------------------------------------------------------


def two_channels() -> list[Channel]:
    return resolve_channels(
        parse_watch(TOPICS), settings("dlvcap://up.example.org dlvcap://flaky.example.org")
    )


def test_one_failing_channel_neither_blocks_nor_duplicates_the_other(engine: Engine) -> None:
    channels = two_channels()
    queue(engine, channels, [(i, payload(figure(1000 + i), i)) for i in range(6)])
    DOWN.add("flaky.example.org")
    first = send_due(engine, channels, settings())
    assert (first.sent, first.failed) == (6, 1)
    assert sorted(host for host, _, _ in SENT) == ["up.example.org"] * 6
    DOWN.clear()
    assert send_due(engine, channels, settings()).sent == 0  # the flaky channel is backing off
    later = send_due(engine, channels, settings(), now=utcnow() + minutes(2))
    assert later.sent == 6
    assert sorted(host for host, _, _ in SENT) == ["flaky.example.org"] * 6 + ["up.example.org"] * 6
    assert {r.status for r in rows(engine)} == {"sent"}
    assert send_due(engine, channels, settings(), now=utcnow() + minutes(60)).sent == 0


def test_a_down_channel_costs_one_try_per_round_and_a_refused_message_holds_back_no_other(
    sqlite_engine: Engine,
) -> None:
    (channel,) = resolve_channels(parse_watch(TOPICS), settings("dlvcap://one.example.org"))
    queue(sqlite_engine, [channel], [(i, payload(figure(1000 + i), i)) for i in range(4)])
    DOWN.add("one.example.org")
    report = send_due(sqlite_engine, [channel], settings())
    assert (report.sent, report.failed) == (0, 1)
    assert [r.attempts for r in rows(sqlite_engine)] == [1, 0, 0, 0]  # the others were given back untried
    assert len({r.next_attempt_at for r in rows(sqlite_engine)}) == 1  # ...to wait as long as the first
    DOWN.clear()
    REFUSED.add("1,000")  # the service refuses the first message for good; the rest must still arrive
    report = send_due(sqlite_engine, [channel], settings(), now=utcnow() + minutes(2))
    assert (report.sent, report.failed) == (3, 1)
    assert [r.status for r in rows(sqlite_engine)] == ["pending", "sent", "sent", "sent"]


def test_after_the_cap_a_row_is_failed_listed_masked_and_retried_by_hand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    url = f"dlvcap://{SENTINEL}"
    watch = tmp_path / "watch.yaml"
    watch.write_text(TOPICS, encoding="utf-8")
    for name, value in {
        "DATABASE_URL": db,
        "APPRISE_URLS": url,
        "WATCH_FILE": str(watch),
        "ALERT_MAX_ATTEMPTS": "2",
    }.items():
        monkeypatch.setenv(f"NEWSWATCH_{name}", value)
    from storage.db import get_engine

    engine = get_engine(db)
    channels = resolve_channels(parse_watch(TOPICS), settings(url))
    queue(engine, channels, [(1, payload(figure(3000), 1))])
    DOWN.add(SENTINEL)
    capped = settings(url, alert_max_attempts=2)
    send_due(engine, channels, capped)
    send_due(engine, channels, capped, now=utcnow() + minutes(2))
    assert [(r.status, r.attempts) for r in rows(engine)] == [("failed", 2)]
    assert (
        send_due(engine, channels, capped, now=utcnow() + minutes(600)).sent == 0
    )  # failed: never by itself

    runner = CliRunner()
    listing = runner.invoke(app, ["alerts", "pending", "--db", db])
    assert listing.exit_code == 0, listing.output
    assert (
        "1 undelivered" in listing.output and "dlvcap://***" in listing.output and "failed" in listing.output
    )
    assert SENTINEL not in listing.output
    assert runner.invoke(app, ["alerts", "retry", "--db", db]).exit_code == 1  # still down: says so
    DOWN.clear()
    retried = runner.invoke(app, ["alerts", "retry", "--db", db])
    assert retried.exit_code == 0, retried.output
    assert "1 delivery waiting; sent now: 1 message carrying 1 finding; 0 failed again" in retried.output
    assert len(SENT) == 1 and [r.status for r in rows(engine)] == ["sent"]
    assert "0 undelivered" in runner.invoke(app, ["alerts", "pending", "--db", db]).output


def test_alerts_test_says_which_channel_worked_and_why_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch = tmp_path / "watch.yaml"
    watch.write_text(TOPICS + "alerts:\n  - url: env\n  - tag: nobody\n", encoding="utf-8")
    monkeypatch.setenv("NEWSWATCH_APPRISE_URLS", f"dlvcap://works.example.org dlvcap://{SENTINEL}")
    DOWN.add(SENTINEL)
    result = CliRunner().invoke(app, ["alerts", "test", "--watch", str(watch)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(
        line.startswith("dlvcap://works.example.org (instant)") and line.endswith("[ok]") for line in lines
    ), lines
    assert any(line.startswith("dlvcap://*** (instant)") and "[FAILED]" in line for line in lines), lines
    assert any("tag 'nobody': no configured apprise URL carries it" in line for line in lines), lines
    assert SENTINEL not in result.output and [h for h, _, _ in SENT] == ["works.example.org"]


def test_a_row_that_cannot_be_rendered_fails_with_a_reason_and_holds_back_nothing(
    sqlite_engine: Engine,
) -> None:
    (channel,) = resolve_channels(parse_watch(TOPICS), settings("dlvcap://one.example.org"))
    broken = payload(figure(1), 1) | {"finding": {"kind": "figure", "value": "no such field set"}}
    queue(sqlite_engine, [channel], [(1, broken), (2, payload(figure(2000), 2))])
    report = send_due(sqlite_engine, [channel], settings())
    assert (report.sent, report.failed) == (1, 1)
    bad, good = rows(sqlite_engine)
    assert (bad.status, good.status) == ("failed", "sent")
    assert bad.last_error and "cannot render" in bad.last_error


def test_a_round_counts_messages_findings_and_failed_channels_apart_from_rows(engine: Engine) -> None:
    channels = two_channels()
    # Two findings of one article and one of another, to two channels: 6 rows, 4 messages, 3 findings.
    queue(engine, channels, [(1, payload(figure(1000), 1)), (2, payload(figure(2000, "GUR"), 1)),
                             (3, payload(figure(3000), 2))])  # fmt: skip
    DOWN.add("flaky.example.org")
    first = send_due(engine, channels, settings())
    assert (first.sent, first.messages, first.subjects, first.channels_ok) == (3, 2, 3, 1)
    assert len(first.channels_failed) == 1 and "flaky" in first.channels_failed[0]
    DOWN.add("up.example.org")
    queue(engine, channels, [(4, payload(figure(4000), 3))])
    later = send_due(engine, channels, settings(), now=utcnow() + minutes(2))
    assert (later.sent, later.messages, later.channels_ok, len(later.channels_failed)) == (0, 0, 0, 2)
    DOWN.clear()
    last = send_due(engine, channels, settings(), now=utcnow() + minutes(30))
    assert (last.sent, last.messages, last.subjects, last.channels_failed) == (5, 4, 4, ())
