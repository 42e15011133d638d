"""`newswatch reprocess`: detection again over stored article text, and what changed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from alerts.escaping import terminal_text
from newswatch.cli.base import DbOpt, WatchOpt, app, cell, console, open_engine, open_watch, parse_since
from newswatch.settings import get_settings


@app.command()
def reprocess(
    since: Annotated[
        str | None, typer.Option("--since", help="Only articles read since a date or an age (2d).")
    ] = None,
    watch: WatchOpt = None,
    alert: Annotated[
        bool, typer.Option("--alert", help="Queue alerts for claims no article had reported before.")
    ] = False,
    db: DbOpt = None,
) -> None:
    """Run detection again over stored article text and report what appeared and disappeared.

    Use it after the watch file or the detector changed. Pages the relevance gate kept unread are tested
    again with the watch file's terms, and read when they name a topic now. Nothing alerted before is
    alerted again; new claims are stored silently unless --alert is given.
    Example: newswatch reprocess --since 7d
    """
    from newswatch.channels import resolve_channels, targets_by_topic
    from newswatch.reprocess import reprocess as run_reprocess
    from newswatch.rereading import read_kept_pages

    spec = open_watch(watch)
    engine = open_engine(db)
    targets = targets_by_topic(resolve_channels(spec, get_settings())) if alert else None
    # First the pages the gate left unread that the watch file now makes relevant: they become articles,
    # and their findings are detected below with every other article's.
    kept = read_kept_pages(engine, topics=spec.topics)
    if kept.tested:
        console.print(
            f"{kept.tested} pages kept unread were tested again with the watch file's terms: "
            f"{kept.read} named a topic and were read",
            highlight=False,
        )
    report = run_reprocess(engine, topics=spec.topics, since=parse_since(since), targets=targets)
    table = Table(
        "article", "topic", "appeared", "disappeared", title=f"{report.articles} articles read again"
    )
    for diff in report.diffs:
        # Stored text, as it is: no rich markup, no control characters (base.cell).
        table.add_row(
            cell(diff.url), cell(diff.topic), lines(f"+ {a}" for a in diff.appeared),
            lines(f"- {d}" for d in diff.disappeared),
        )  # fmt: skip
    if report.diffs:
        console.print(table)
    appeared = sum(len(d.appeared) for d in report.diffs)
    gone = sum(len(d.disappeared) for d in report.diffs)
    new = sum(d.new_claims for d in report.diffs)
    console.print(
        f"{report.articles} articles read again: {appeared} findings appeared ({new} new claims), "
        f"{gone} disappeared; {report.alerts_queued} alerts queued"
        + ("" if alert else " (use --alert to queue alerts for new claims)"),
        highlight=False,
    )


def lines(texts: Iterable[str]) -> Text:
    """Stored findings one per line in a table cell, inert ("-" when there are none)."""
    return Text("\n".join(terminal_text(t) for t in texts) or "-")
