"""A baseline, not a flood: what a feed carries at its first poll, or published too long ago, is stored and
shown but never alerted; what is published after it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from httpserver import LocalServer, Reply
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import alerts.channels  # noqa: F401  (loads apprise's plugins once, without imghdr's warning)
from alerts.backlog import BacklogRule, backlog_reason
from alerts.message import Message
from newswatch.channels import resolve_channels, targets_by_topic
from newswatch.delivery import send_due
from newswatch.fetcher import Fetcher
from newswatch.pipeline import ReadResult, prepare_entries
from newswatch.polling import poll_feeds
from newswatch.settings import Settings, backlog_rule
from newswatch.storing import store_in_order
from newswatch.watchfile import ENV_URLS, Route, Watch, load_watch
from storage.db import session_scope
from storage.feeds import ensure_feeds
from storage.models import AlertDelivery, Claim, Feed
from storage.queries import list_findings

TOPIC = load_watch(Path(__file__).resolve().parents[1] / "newswatch" / "watch.yaml").topics[0]
NOW = datetime.now(UTC)
YEAR_AGO = NOW - timedelta(days=400)  # more than a year: always another year
# Fictional articles of our own.
PAGES = {
    "/2023/spy-agency-1500.html": (
        "Spy agency: North Korea has sent 1,500 troops to Russia",
        "SEOUL — South Korea's spy agency said on Friday that about 1,500 North Korean soldiers had been "
        "sent to Russia, the first such estimate from Seoul. The agency said the troops had been moved by "
        "Russian navy ships from North Korea's east coast.",
    ),
    "/2023/zelenskyy-10000.html": (
        "Zelenskyy says North Korea is readying troops",
        "KYIV — Ukrainian President Volodymyr Zelenskyy said on Thursday that up to 10,000 North Korean "
        "soldiers were being prepared to fight for Russia. “We see them training near our border,” "
        "Zelenskyy told reporters in Kyiv.",
    ),
    "/2023/late-listed.html": (
        "Kursk fighting: North Korean units seen near the front",
        "KYIV — Ukraine's military intelligence said on Sunday that about 500 North Korean soldiers had "
        "been seen near the front line in the Kursk region.",
    ),
    "/today/spy-agency-3000.html": (
        "North Korean troop numbers in Russia double, lawmakers told",
        "SEOUL — South Korea's spy agency told lawmakers on Wednesday that around 3,000 North Korean "
        "soldiers were now in Russia, twice its earlier estimate. The agency said more were expected.",
    ),
}


def page(path: str) -> bytes:
    """An article page of its own outlet."""
    title, text = PAGES[path]
    return (
        f'<html><head><title>{title}</title><meta property="og:site_name" content="Baseline Wire">'
        f"</head><body><article><h1>{title}</h1><p>{text}</p><p>{text}</p></article></body></html>"
    ).encode()


def rss(server: LocalServer, items: list[tuple[str, datetime]]) -> bytes:
    """An RSS feed listing these (path, published) items."""
    body = "".join(
        f"<item><title>{PAGES[path][0]}</title><link>{server.url(path)}</link><guid>{path}</guid>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for path, when in items
    )
    return f'<rss version="2.0"><channel><title>Baseline Wire</title>{body}</channel></rss>'.encode()


def settings(**changes: object) -> Settings:
    return Settings(_env_file=None, allowed_networks="127.0.0.1/32", apprise_urls="", **changes)  # type: ignore[call-arg]


def one_pass(
    engine: Engine, feed: str | list[str], config: Settings, *, baseline: bool = False
) -> tuple[list[ReadResult], list[Message]]:
    """A pass over feeds through the flow's own functions (no Prefect); the alerts it printed."""
    watch = Watch("<test>", (TOPIC,), (), (Route(url=ENV_URLS, topics=(TOPIC.name,)),))
    channels = resolve_channels(watch, config)
    with session_scope(engine) as s:
        ids = list(ensure_feeds(s, urls=[feed] if isinstance(feed, str) else feed).values())
    with Fetcher(config) as fetcher:
        polls = poll_feeds(fetcher, engine, feed_ids=ids, settings=config, retry_delays=())
        entries = [e for p in polls for e in p.to_read]
        prepared = prepare_entries(fetcher, engine, entry_ids=entries, topics=dict.fromkeys(ids, (TOPIC,)))
    stored = store_in_order(
        engine,
        prepared,
        topics={TOPIC.name: TOPIC},
        targets=targets_by_topic(channels),
        backlog=backlog_rule(config, baseline=baseline),
    )
    shown: list[Message] = []
    send_due(engine, channels, config, echo=shown.append)
    return stored, shown


@pytest.fixture
def server() -> LocalServer:
    with LocalServer() as running:
        for path in PAGES:
            running.route(path, Reply(body=page(path), headers={"Content-Type": "text/html; charset=utf-8"}))
        yield running


def claims(engine: Engine) -> dict[int | None, str | None]:
    """Each figure claim's value and why it was not alerted."""
    with Session(engine) as s:
        return {c.value: c.baseline for c in s.exec(select(Claim).where(Claim.kind == "figure")).all()}


def test_a_year_old_feed_is_stored_as_baseline_and_what_comes_after_it_alerts(
    engine: Engine, server: LocalServer
) -> None:
    old = [
        ("/2023/spy-agency-1500.html", YEAR_AGO),
        ("/2023/zelenskyy-10000.html", YEAR_AGO + timedelta(days=1)),
    ]
    server.route("/feed.xml", Reply(body=rss(server, old)))
    feed = server.url("/feed.xml")

    stored, shown = one_pass(engine, feed, settings())
    assert shown == []  # a first pass alerts nothing...
    assert len(stored) == 2 and all(r.baseline == "first_poll" for r in stored)
    assert sum(len(r.new) for r in stored) >= 3  # ...and stores everything
    assert claims(engine) == {1500: "first_poll", 10_000: "first_poll"}
    with Session(engine) as s:
        assert s.exec(select(AlertDelivery)).all() == []
        feed_row = s.exec(select(Feed)).one()
        assert feed_row.baseline_at is not None
        rows = list_findings(s)
    assert {r["baseline"] for r in rows if r["change"] != "repeat"} == {"first_poll"}  # `findings` shows them

    # Later: a story published after the first poll, and one of the old ones the feed lists only now.
    fresh = ("/today/spy-agency-3000.html", datetime.now(UTC) + timedelta(seconds=2))
    late = ("/2023/late-listed.html", YEAR_AGO + timedelta(days=2))
    server.route("/feed.xml", Reply(body=rss(server, [fresh, late, *old])))
    stored, shown = one_pass(engine, feed, settings())
    assert len(stored) == 2
    assert claims(engine) == {1500: "first_poll", 10_000: "first_poll", 500: "first_poll", 3000: None}
    (message,) = shown  # one message, about the new story: the claimant's revision of its baseline figure
    assert message.title.startswith("Revised: ~3,000 troops (NIS; was 1,500)")
    assert message.text.startswith("North Korean troop numbers in Russia double, lawmakers told\n")
    assert "500" not in message.text.replace("1,500", "")  # the late-listed old story is not in it
    # The baseline is the claimant's earlier value, dated with its year.
    assert f"Previously: 1,500 troops ({YEAR_AGO:%b} {YEAR_AGO.day}, {YEAR_AGO.year})" in message.text

    # And nothing twice: the same feed again alerts nothing.
    assert one_pass(engine, feed, settings())[1] == []


def test_an_entry_older_than_the_age_limit_is_baseline_even_long_after_the_first_poll(
    engine: Engine, server: LocalServer
) -> None:
    server.route("/feed.xml", Reply(body=rss(server, [])))
    feed = server.url("/feed.xml")
    assert one_pass(engine, feed, settings()) == ([], [])
    with session_scope(engine) as s:  # the feed has been polled for a month
        s.exec(select(Feed)).one().baseline_at = NOW - timedelta(days=30)
    ten_days = ("/2023/late-listed.html", NOW - timedelta(days=10))
    server.route("/feed.xml", Reply(body=rss(server, [ten_days])))
    stored, shown = one_pass(engine, feed, settings())
    assert shown == [] and [r.baseline for r in stored] == ["max_age"] and stored[0].new
    assert claims(engine) == {500: "max_age"}
    # With the limit raised past it, the same story would have been news.
    engine_rule = backlog_rule(settings(alert_max_age="15d"))
    first_poll = NOW - timedelta(days=30)
    assert (
        backlog_reason(engine_rule, published=ten_days[1], first_seen=NOW, baseline_at=first_poll, now=NOW)
        is None
    )


def test_a_baseline_pass_stores_everything_and_alerts_nothing(engine: Engine, server: LocalServer) -> None:
    server.route("/feed.xml", Reply(body=rss(server, [("/today/spy-agency-3000.html", NOW)])))
    feed = server.url("/feed.xml")
    # Even with the first-poll baseline off, `newswatch run --baseline` alerts nothing of its pass.
    stored, shown = one_pass(engine, feed, settings(first_poll_baseline=False), baseline=True)
    assert shown == [] and stored[0].baseline == "baseline_run" and stored[0].new
    with Session(engine) as s:
        assert s.exec(select(AlertDelivery)).all() == []


def test_the_age_limit_counts_from_publication_or_first_sight() -> None:
    rule = BacklogRule(max_age=timedelta(hours=48))
    first_poll = NOW - timedelta(hours=1)
    later = NOW - timedelta(minutes=1)

    def reason(published: datetime | None, first_seen: datetime, rule: BacklogRule = rule) -> str | None:
        return backlog_reason(
            rule, published=published, first_seen=first_seen, baseline_at=first_poll, now=NOW
        )

    assert reason(NOW - timedelta(hours=30), first_poll) == "first_poll"  # listed by the first poll
    assert reason(NOW - timedelta(hours=2), later) == "first_poll"  # published before it, listed after
    assert reason(NOW - timedelta(minutes=30), later) is None  # news
    assert (
        reason(NOW - timedelta(hours=49), later, BacklogRule(max_age=timedelta(hours=48), first_poll=False))
        == "max_age"
    )
    assert reason(None, NOW - timedelta(hours=49), BacklogRule(first_poll=False)) == "max_age"  # first seen
    assert reason(None, later) is None
    assert reason(NOW - timedelta(days=400), later, BacklogRule(max_age=None, first_poll=False)) is None
    assert reason(NOW, later, BacklogRule(everything=True)) == "baseline_run"


def test_the_age_limit_reads_hours_or_an_age(monkeypatch: pytest.MonkeyPatch) -> None:
    assert backlog_rule(settings(alert_max_age=0)).max_age is None  # 0: no limit
    assert backlog_rule(settings()).max_age == timedelta(hours=48)
    for given, hours in (("48", 48.0), ("36h", 36.0), ("2d", 48.0), ("90m", 1.5), ("0", 0.0)):
        monkeypatch.setenv("NEWSWATCH_ALERT_MAX_AGE", given)
        assert Settings(_env_file=None).alert_max_age == hours  # type: ignore[call-arg]


def test_feeds_polled_before_the_migration_get_their_first_entries_as_baseline(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from storage.db import MIGRATIONS, upgrade

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    first, later = NOW - timedelta(days=20), NOW - timedelta(days=2)
    with engine.begin() as conn:
        for feed, (url, success) in enumerate(
            [("https://polled.example/rss", NOW), ("https://never.example/rss", None)], 1
        ):
            conn.execute(
                text("INSERT INTO feed (id, url, failures_in_row, health, bozo, created_at, last_success_at) "
                     "VALUES (:id, :url, 0, 'ok', false, :created, :success)"),
                {"id": feed, "url": url, "created": first - timedelta(minutes=1), "success": success},
            )  # fmt: skip
        for n, seen in enumerate([later, first]):
            conn.execute(
                text("INSERT INTO entry (feed_id, guid, link, title, summary, first_seen_at) "
                     "VALUES (1, :guid, :link, 't', '', :seen)"),
                {"guid": f"g{n}", "link": f"https://polled.example/{n}", "seen": seen},
            )  # fmt: skip
    upgrade(engine)
    with Session(engine) as s:
        feeds = {f.url: f.baseline_at for f in s.exec(select(Feed)).all()}
    assert feeds["https://never.example/rss"] is None  # never polled: its first poll is still to come
    baseline = feeds["https://polled.example/rss"]
    assert baseline is not None and abs(baseline - first) < timedelta(seconds=1)
