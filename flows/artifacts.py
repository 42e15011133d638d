"""A pass's Prefect artifacts, keyed by its topics: the summary, the new findings, their articles, charts."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from sqlmodel import Session

from alerts.escaping import markdown_link, markdown_text
from flows.report import RunSummary
from newswatch.settings import get_settings
from storage.queries import ArticleRef

MAX_LINKS = 100  # articles listed in the run's one links artifact (the table names every finding's article)
MAX_CHARTS = 4


def artifact_key(kind: str, topics: list[str]) -> str:
    """`newswatch-<kind>-<topics>` within Prefect's key rules: lowercase letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(topics).lower()).strip("-") or "all"
    return f"newswatch-{kind}-{slug}"[:100].rstrip("-")


@dataclass(frozen=True)
class _Context:
    """What the artifacts read back from the database: articles, the ledger, the figures' history."""

    refs: dict[int, ArticleRef]
    charts: list[str]  # Markdown images


def _read_context(summary: RunSummary) -> _Context:
    """Articles, alert ledger counts and charts for the artifacts (nothing when the database fails)."""
    from newswatch.chart import chart_markdown
    from newswatch.timeline import build_charts
    from newswatch.watchfile import WatchFileError, read_watch
    from storage.db import get_engine
    from storage.queries import article_refs, delivery_counts, figure_points

    changed = {(f.topic, f.unit_class) for f in summary.new if f.kind == "figure"}
    settings = get_settings()
    try:
        topics = read_watch(Path(summary.watch_file) if summary.watch_file else settings.watch_file).topics
    except WatchFileError:
        topics = ()
    try:
        with Session(get_engine(settings.database_url)) as session:
            refs = article_refs(session, (f.article_id for f in summary.new if f.article_id))
            counts = delivery_counts(session)
            points = [p for p in figure_points(session) if (p.topic, p.unit_class) in changed]
    except Exception as exc:  # noqa: BLE001  (the counts are already safe; the extras must not fail the pass)
        get_run_logger().warning("artifacts without article links and charts: %s", type(exc).__name__)
        return _Context({}, [])
    summary.alerts_pending = counts.get("pending", 0) + counts.get("sending", 0)
    summary.alerts_given_up = counts.get("failed", 0)
    names = {c.key: c.name for t in topics for c in t.claimants}
    charts = build_charts(points, names, {t.name: t.title for t in topics})
    return _Context(refs, [chart_markdown(c) for c in charts[:MAX_CHARTS]])


def publish_artifacts(summary: RunSummary) -> None:
    """Publish, under keys of the pass's topics, the summary, the table of new findings, one list of the
    articles they came from, and the figures' charts."""
    context = _read_context(summary)
    topics = summary.topics
    create_markdown_artifact(
        key=artifact_key("summary", topics), markdown=summary.markdown(), description="Pass summary"
    )
    rows = summary.findings_table(context.refs)
    create_table_artifact(
        key=artifact_key("findings", topics),
        table=rows or [{"change": "none", "finding": "no new findings in this pass"}],
        description=f"{len(rows)} new and revised findings of this pass",
    )
    links = articles_markdown(summary, context.refs)
    if links:  # one list per run: a card per article crowded the run's page
        create_markdown_artifact(
            key=artifact_key("articles", topics),
            markdown=links,
            description="The articles with new findings in this pass",
        )
    if context.charts:
        create_markdown_artifact(
            key=artifact_key("timeline", topics),
            markdown="# How the figures moved\n\n" + "\n\n".join(context.charts),
            description="Each claimant's figures over time, for the unit classes this pass changed",
        )


def articles_markdown(summary: RunSummary, refs: dict[int, ArticleRef]) -> str:
    """The pass's articles with new findings as one Markdown table, most findings first ("" for none)."""
    per_article = Counter(f.article_id for f in summary.new if f.article_id)
    lines = []
    for article_id, count in per_article.most_common(MAX_LINKS):
        ref = refs.get(article_id)
        if ref is not None:  # the article's own http(s) URL: the only link made
            title = markdown_link(ref.title or ref.url, ref.url, limit=100)
            lines.append(f"| {count} | {title} | {markdown_text(ref.outlet, 60)} |")
    if not lines:
        return ""
    more = len(per_article) - len(lines)
    return "\n".join(
        [
            f"# Articles with new findings: {len(per_article)}",
            "",
            "| findings | article | outlet |",
            "|---|---|---|",
            *lines,
            *([f"\n{more} more not listed."] if more > 0 else []),
        ]
    )
