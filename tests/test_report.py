"""A pass's summary and artifacts: counts, failed feeds with their class, the findings table, links, charts."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select
from test_timeline import DemoPass, shared_demo_pass

from alerts.escaping import markdown_text
from flows.artifacts import artifact_key
from storage.db import get_engine
from storage.models import AlertDelivery, Article, Finding
from storage.queries import article_refs

pytestmark = pytest.mark.slow


@pytest.fixture
def run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> DemoPass:
    """One real pass over the demo newsroom and a missing feed (shared with test_timeline)."""
    return shared_demo_pass(tmp_path_factory)


def test_the_summary_counts_feeds_findings_and_names_failed_feeds(run: DemoPass) -> None:
    summary = run.summary
    with Session(get_engine(run.db_url)) as session:
        stored = session.exec(select(Finding).where(col(Finding.is_new))).all()
    assert summary.findings_new + summary.findings_revised == len(stored) > 0
    assert summary.findings_revised > 0
    markdown = summary.markdown()
    assert f"{summary.feeds['ok']} ok, 0 not modified, 1 failed" in markdown
    assert (
        f"| {summary.findings_new} / {summary.findings_revised} / {summary.findings_repeated} |" in markdown
    )
    failed = next(line for line in markdown.splitlines() if run.missing_feed in line)
    assert "**http_status**" in failed  # the feed's row names its error class
    assert "1 failed" in summary.one_line()


def test_the_findings_table_names_outlet_and_link_figures_first(run: DemoPass) -> None:
    summary = run.summary
    with Session(get_engine(run.db_url)) as session:
        refs = article_refs(session, (f.article_id for f in summary.new if f.article_id))
        articles = {a.url: a.outlet for a in session.exec(select(Article)).all()}
    rows = summary.findings_table(refs)
    assert len(rows) == len(summary.new) == summary.findings_new + summary.findings_revised
    changes = [r["change"] for r in rows]
    assert changes == sorted(changes, key=lambda c: c.endswith("statement"))  # figures first
    for row in rows:
        # Five columns, the longest text last: eight were cut off on the right in the UI.
        assert list(row) == ["change", "claimant or speaker", "article", "alert", "finding"]
        outlet, _, url = row["article"].removeprefix("[").removesuffix(")").partition("](")
        assert url.startswith("http://127.0.0.1:")  # the article's own link, the only one made
        assert markdown_text(articles[url], 40) == outlet
    zelenskyy = [r for r in rows if "figure" in r["change"] and "Zelenskyy" in r["claimant or speaker"]]
    assert any("10,000" in r["finding"] for r in zelenskyy)


def test_the_run_shows_summary_table_links_and_charts(run: DemoPass) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.flow_run_id]))
        )
        flow_run = client.read_flow_run(run.flow_run_id)
    assert flow_run.state is not None and flow_run.state.is_completed()  # a failed feed is not a failed run
    assert flow_run.name.startswith("nk-troops-russia ")
    by_key = {a.key: a for a in found if a.key}
    keys = {
        kind: artifact_key(kind, ["nk-troops-russia"])
        for kind in ("summary", "findings", "articles", "timeline")
    }
    assert keys["summary"] == "newswatch-summary-nk-troops-russia"
    assert set(keys.values()) == set(by_key)
    assert len(found) == len(keys)  # one links artifact per run, not one per article
    summary = str(by_key[keys["summary"]].data)
    sent = run.summary.alerts_sent
    with Session(get_engine(run.db_url)) as session:
        assert sent == len(session.exec(select(AlertDelivery)).all()) > 0
    assert f"| alerts sent / pending / failed | {sent} / 0 / 0 |" in summary  # pending: read from the ledger
    assert run.missing_feed in summary
    assert str(by_key[keys["timeline"]].data).count("data:image/svg+xml;base64,") >= 1
    table = str(by_key[keys["findings"]].data)
    assert "Volodymyr Zelenskyy" in table and "http://127.0.0.1:" in table
    links = str(by_key[keys["articles"]].data)
    articles = {f.article_id for f in run.summary.new}
    assert links.count("](http://127.0.0.1:") == len(articles) > 1
