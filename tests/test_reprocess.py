"""`newswatch reprocess`: detection again over stored text; what appeared and disappeared; no re-alerts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from extractors.findings import Figure
from newswatch.cli import app
from newswatch.reprocess import reprocess
from newswatch.settings import BUNDLED_WATCH_FILE
from newswatch.watchfile import load_watch
from storage.claims import store_findings
from storage.db import session_scope
from storage.ledger import Target, enqueue
from storage.models import AlertDelivery, Article, Claim, Finding

# Our own text, written for this test.
TEXT = (
    "North Korea has sent about 1,500 special forces troops to Russia, South Korea's spy agency said on Friday.\n\n"
    "Despite its standing army of 1.2 million troops, the North has little recent combat experience."
)
TOPIC = load_watch(BUNDLED_WATCH_FILE).topic("nk-troops-russia")
TARGETS = {TOPIC.name: [Target(channel="c1", mode="instant")]}


def stale_figure() -> Figure:
    """What an older, worse detector stored: the standing army as a figure."""
    start = TEXT.index("1.2 million")
    return Figure(
        value=1_200_000, low=1_200_000, high=1_200_000, vague=False, qualifier="none", unit="troops",
        unit_class="troops", claimant=None, claimant_key=None, stance="reported",
        sentence=TEXT.split("\n\n")[1], start=start, end=start + 11,
    )  # fmt: skip


def seed(engine: Engine) -> int:
    with session_scope(engine) as s:
        article = Article(url="http://news.test/a", title="", outlet="Test Wire", text=TEXT)
        s.add(article)
        s.flush()
        stored = store_findings(s, article=article, topic=TOPIC.name, findings=[stale_figure()])
        for change in stored.new:  # it was alerted back then
            enqueue(s, subject=f"claim:{change.claim_id}", targets=TARGETS["nk-troops-russia"],
                    group_key="a", payload={})  # fmt: skip
        assert article.id is not None
        return article.id


def test_reprocess_reports_what_appeared_and_disappeared_and_is_idempotent(engine: Engine) -> None:
    seed(engine)
    report = reprocess(engine, topics=[TOPIC])
    assert report.articles == 1
    (diff,) = report.diffs
    assert diff.disappeared == ("1,200,000 troops (unattributed)",)
    assert any("1,500" in a for a in diff.appeared)
    assert report.alerts_queued == 0  # a detector change is not news unless asked
    with Session(engine) as s:
        values = {f.data.get("value") for f in s.exec(select(Finding)).all()}
        assert 1_200_000 not in values
        assert 1500 in values
        # the stale claim stays known, so it can never be alerted as new again
        assert s.exec(select(Claim).where(Claim.value == 1_200_000)).one()
    again = reprocess(engine, topics=[TOPIC])
    assert again.diffs == ()


def test_reprocess_with_alert_queues_only_claims_never_seen(engine: Engine) -> None:
    seed(engine)
    report = reprocess(engine, topics=[TOPIC], targets=TARGETS)
    assert report.alerts_queued == report.diffs[0].new_claims > 0
    with Session(engine) as s:
        rows = s.exec(select(AlertDelivery)).all()
    assert len(rows) == 1 + report.alerts_queued
    assert reprocess(engine, topics=[TOPIC], targets=TARGETS).alerts_queued == 0


def test_reprocess_command(tmp_path: Path, sqlite_engine: Engine) -> None:
    seed(sqlite_engine)
    url = str(sqlite_engine.url)
    result = CliRunner().invoke(app, ["reprocess", "--db", url])
    assert result.exit_code == 0, result.output
    assert "1 articles read again" in result.output
    assert "1 disappeared" in result.output
    assert "- 1,200,000 troops" in result.output
