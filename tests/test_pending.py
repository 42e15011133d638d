"""`newswatch alerts pending`: each undelivered alert described by its finding, with why it waits and
until when, by the same rules a pass sends by; and the user's own channels named with --watch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from alerts.message import Message
from alerts.schedule import parse_quiet, window_end
from extractors.findings import Figure, Statement
from newswatch.channels import Channel, resolve_channels
from newswatch.cli import app
from newswatch.delivery import send_due
from newswatch.pending import describe, explain_all
from newswatch.settings import Settings
from newswatch.watchfile import parse_watch
from storage.db import session_scope
from storage.ledger import undelivered
from storage.models import AlertDelivery

NOW = datetime(2024, 10, 23, 17, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
INSTANT = Channel(id="hook:instant", url="json://hooks.example.org/desk", mode="instant", topics=("nk",))
DIGEST = Channel(id="terminal:digest", url=None, mode="digest", topics=("nk",), period=HOUR)
NIGHT = Channel(
    id="night:instant",
    url="json://hooks.example.org/night",
    mode="instant",
    topics=("nk",),
    quiet=parse_quiet("22:00-07:00", "Europe/Berlin"),
    timezone="Europe/Berlin",
)


def nis(value: int, qualifier: str = "around") -> Figure:
    return Figure(
        value=value, low=value, high=value, vague=False, qualifier=qualifier, unit="soldiers",
        unit_class="troops", claimant="South Korea's spy agency", claimant_key="nis", stance="claimed",
        sentence=f"South Korea's spy agency said {value:,} soldiers were in Russia.", start=0, end=1,
    )  # fmt: skip


KIM = Statement(
    speaker="Kim Jong Un", speaker_key="kim-jong-un", role=None, verb="said",
    quote="We will stand with our Russian comrades until victory.", direct=True,
    sentence="“We will stand with our Russian comrades until victory,” Kim Jong Un said.", start=1, end=55,
)  # fmt: skip


def finding(change: str, found: Figure | Statement, previous: tuple[str, ...] = ()) -> dict[str, Any]:
    """A ledger payload as the pipeline freezes it (see alerts.payload.finding_payload)."""
    return {
        "type": "finding", "topic": "nk", "topic_title": "North Korean troops in Russia", "change": change,
        "finding": found.to_dict(), "previous": list(previous), "known_as": "National Intelligence Service (NIS)"
        if isinstance(found, Figure) else "", "article_title": "Troops", "outlet": "Han River Wire",
        "published": NOW.isoformat(), "url": "https://hanriver.example/a/1",
    }  # fmt: skip


HEALTH = {
    "type": "health", "feed_url": "https://en.yna.co.kr/RSS/news.xml", "state": "failing", "failures": 5,
    "last_error": "http_status: HTTP 503", "since": NOW.isoformat(),
}  # fmt: skip


def add(engine: Engine, channel: str, payload: dict[str, Any], **fields: Any) -> None:
    """One ledger row, as a pass left it."""
    defaults: dict[str, Any] = {"created_at": NOW - timedelta(minutes=10), "next_attempt_at": NOW}
    with session_scope(engine) as session:
        session.add(
            AlertDelivery(
                subject=f"claim:{payload.get('change', 'health')}:{channel}",
                channel=channel,
                mode="digest" if channel.endswith("digest") else "instant",
                group_key="a1",
                payload=payload,
                **{**defaults, **fields},
            )
        )


def listed(engine: Engine, channels: list[Channel], now: datetime = NOW) -> dict[str, tuple[str, str]]:
    """Each row's channel -> (description, reason)."""
    with Session(engine) as session:
        return {
            a.channel: (a.description, a.reason) for a in explain_all(undelivered(session), channels, now)
        }


def test_rows_are_described_by_their_finding() -> None:
    assert describe(finding("new_figure", nis(3000))) == "new figure: ~3,000 troops (NIS)"
    revised = finding("revised_figure", nis(3000), ("about 1,500 special forces (Oct 18)",))
    assert describe(revised) == "revised figure: ~3,000 troops (NIS), was about 1,500 special forces (Oct 18)"
    assert describe(finding("new_statement", KIM)) == (
        "statement: Kim Jong Un: “We will stand with our Russian comrades until victory.”"
    )
    assert describe(HEALTH) == "feed failing: en.yna.co.kr (5 failures in a row)"
    assert describe({"type": "finding", "change": "new_figure"}, "claim:17") == "claim:17 new_figure"


def test_each_reason_says_why_and_until_when(sqlite_engine: Engine) -> None:
    add(sqlite_engine, INSTANT.id, finding("new_figure", nis(3000)), attempts=2,
        last_error="HTTP 503 from hooks.example.org", next_attempt_at=NOW + timedelta(minutes=2))  # fmt: skip
    add(
        sqlite_engine,
        DIGEST.id,
        finding("new_statement", KIM),
        created_at=datetime(2024, 10, 23, 17, 20, tzinfo=UTC),
    )
    add(sqlite_engine, "gone:instant", HEALTH)
    add(sqlite_engine, "capped:instant", finding("new_figure", nis(5000)), status="failed", attempts=8,
        last_error="HTTP 400", next_attempt_at=None)  # fmt: skip
    capped = Channel(id="capped:instant", url="json://capped.example.org/x", mode="instant", topics=("nk",))
    rows = listed(sqlite_engine, [INSTANT, DIGEST, capped])

    assert rows[INSTANT.label] == (
        "new figure: ~3,000 troops (NIS)",
        "channel failed: HTTP 503 from hooks.example.org; next try at 17:32 UTC",
    )
    assert rows["terminal"] == (
        "statement: Kim Jong Un: “We will stand with our Russian comrades until victory.”",
        "held for digest until 18:00 UTC",
    )
    assert rows["gone:instant (not configured now)"][1].startswith("its channel is not configured now")
    assert rows[capped.label] == (
        "new figure: ~5,000 troops (NIS)",
        "failed after 8 attempts: HTTP 400; `newswatch alerts retry` sends it again",
    )


def test_a_row_left_sending_by_a_pass_that_died_is_said_to_go_with_the_next(sqlite_engine: Engine) -> None:
    add(sqlite_engine, INSTANT.id, finding("new_figure", nis(3000)), status="sending", attempts=1,
        claimed_at=NOW - timedelta(minutes=1))  # fmt: skip
    assert listed(sqlite_engine, [INSTANT])[INSTANT.label][1] == "being sent by a running pass"
    later = NOW + timedelta(minutes=5)  # the lease (5 minutes) has run out: any pass may claim it again
    assert listed(sqlite_engine, [INSTANT], later)[INSTANT.label][1] == (
        "a pass stopped while sending it: the next pass sends it"
    )


def test_quiet_hours_say_when_they_end_in_the_channels_time_zone(sqlite_engine: Engine) -> None:
    add(sqlite_engine, NIGHT.id, finding("new_figure", nis(3000)))
    late = datetime(2024, 10, 23, 21, 0, tzinfo=UTC)  # 23:00 in Berlin (CEST)
    assert (
        listed(sqlite_engine, [NIGHT], late)[NIGHT.label][1] == "quiet hours until 24 Oct 07:00 Europe/Berlin"
    )
    assert listed(sqlite_engine, [NIGHT], NOW)[NIGHT.label][1] == "due: the next pass sends it"


def test_a_digest_is_sent_when_the_reason_says_and_not_before(sqlite_engine: Engine) -> None:
    add(sqlite_engine, DIGEST.id, finding("new_figure", nis(3000)), created_at=NOW - timedelta(minutes=10))
    (_, reason) = listed(sqlite_engine, [DIGEST])["terminal"]
    until = datetime(2024, 10, 23, 18, 0, tzinfo=UTC)
    assert reason == f"held for digest until {until:%H:%M} UTC"
    printed: list[Message] = []
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (
        send_due(
            sqlite_engine, [DIGEST], settings, echo=printed.append, now=until - timedelta(minutes=1)
        ).sent
        == 0
    )
    assert send_due(sqlite_engine, [DIGEST], settings, echo=printed.append, now=until).sent == 1
    assert len(printed) == 1


@pytest.mark.parametrize(
    ("moment", "period", "end"),
    [
        (datetime(2024, 10, 23, 17, 20, tzinfo=UTC), HOUR, datetime(2024, 10, 23, 18, 0, tzinfo=UTC)),
        # 7h windows from midnight: 21:00-24:00 is the day's last, cut short at midnight
        (datetime(2024, 10, 23, 22, 0, tzinfo=UTC), 7 * HOUR, datetime(2024, 10, 24, 0, 0, tzinfo=UTC)),
        (datetime(2024, 10, 23, 8, 0, tzinfo=UTC), 7 * HOUR, datetime(2024, 10, 23, 14, 0, tzinfo=UTC)),
    ],
)
def test_a_digest_window_ends_where_the_next_begins(
    moment: datetime, period: timedelta, end: datetime
) -> None:
    assert window_end(moment, period) == end


WATCH = """
topics:
  nk:
    title: North Korean troops in Russia
    terms: [North Korea]
    units: {troops: [troops, soldiers]}
alerts:
  - url: json://hooks.example.org/desk
"""


def test_pending_with_watch_names_the_users_own_channels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.db import get_engine

    db = f"sqlite:///{tmp_path / 'pending.db'}"
    watch = tmp_path / "mine.yaml"
    watch.write_text(WATCH, encoding="utf-8")
    monkeypatch.setenv("NEWSWATCH_WATCH_FILE", str(tmp_path / "elsewhere.yaml"))  # not the user's file
    (channel,) = resolve_channels(parse_watch(WATCH), Settings(_env_file=None))  # type: ignore[call-arg]
    add(get_engine(db), channel.id, finding("new_figure", nis(3000)))

    runner = CliRunner()
    without = runner.invoke(app, ["alerts", "pending", "--db", db])
    assert without.exit_code == 0, without.output
    assert "not configured now" in without.output
    mine = runner.invoke(app, ["alerts", "pending", "--db", db, "--watch", str(watch)])
    assert mine.exit_code == 0, mine.output
    assert "not configured now" not in mine.output
    assert "json://hooks.example.org" in mine.output and "new figure: ~3,000 troops (NIS)" in mine.output
    assert (
        runner.invoke(app, ["alerts", "pending", "--db", db, "--watch", str(tmp_path / "no.yaml")]).exit_code
        == 2
    )
