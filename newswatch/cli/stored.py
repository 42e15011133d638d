"""The commands over stored data: `findings`, `timeline`, `feeds` and `db upgrade`."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlmodel import Session

from alerts.escaping import csv_cell, terminal_text
from newswatch.cli.base import (
    DbOpt,
    WatchOpt,
    app,
    cell,
    check_topic,
    console,
    db_app,
    fail,
    open_engine,
    open_watch,
    parse_since,
    watch_topics,
    when,
)
from newswatch.hints import hint_for


@app.command()
def findings(
    topic: Annotated[str | None, typer.Option("--topic", help="Only this topic.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Found since a date or an age (2d, 12h).")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="figure or statement.")] = None,
    claimant: Annotated[
        str | None, typer.Option("--claimant", help="Claimant or speaker contains this.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json (JSON Lines).")] = "table",
    db: DbOpt = None,
) -> None:
    """What is stored: every finding with its evidence.

    Example: newswatch findings --kind figure --since 2d --format csv > figures.csv
    """
    from storage.queries import FINDING_COLUMNS, list_findings

    if kind not in (None, "figure", "statement"):
        fail(f"--kind must be figure or statement, not {kind!r}")
    if fmt not in ("table", "csv", "json"):
        fail(f"--format must be table, csv or json, not {fmt!r}")
    when = parse_since(since)
    with Session(open_engine(db)) as session:
        check_topic(session, topic)
        rows = list_findings(session, topic=topic, kind=kind, since=when, claimant=claimant)
    if fmt == "json":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=FINDING_COLUMNS)
        writer.writeheader()
        # A cell starting with = + - @ is a formula to a spreadsheet: such text starts with ' instead.
        writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    else:
        table = Table("when", "change", "finding", "by", "outlet", title=f"{len(rows)} findings")
        for row in rows:
            what = _figure_text(row) if row["kind"] == "figure" else f"“{(row['quote'] or '')[:90]}”"
            who = row["claimant"] or row["speaker"] or "(unattributed)"
            change = row["change"] + (" (baseline)" if row["baseline"] else "")
            table.add_row(*map(cell, ((row["found_at"] or "")[:16], change, what, who, row["outlet"])))
        console.print(table)


def _figure_text(row: dict[str, object]) -> str:
    from extractors.findings import Figure, describe_figure

    fields = {k: row[k] for k in Figure.__dataclass_fields__ if k in row and k != "kind"}
    fields.update(delta=False)
    return describe_figure(Figure(**fields))  # type: ignore[arg-type]


@app.command()
def timeline(
    topic: Annotated[str | None, typer.Option("--topic", help="Only this topic.")] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write a self-contained page with the charts.")
    ] = None,
    db: DbOpt = None,
) -> None:
    """How each figure evolved: every claimant's values over time, per topic and unit class.

    Example: newswatch timeline --html timeline.html   (then open timeline.html in a browser; works offline)
    """
    from newswatch.chart import timeline_html
    from newswatch.timeline import build_charts, timeline_tables
    from storage.queries import figure_points

    with Session(open_engine(db)) as session:
        check_topic(session, topic)
        points = figure_points(session, topic=topic)
    topics = watch_topics()
    names = {c.key: c.name for t in topics for c in t.claimants}
    charts = build_charts(points, names, {t.name: t.title for t in topics})
    if not charts:
        console.print("no figures stored yet: run `newswatch run` (or `newswatch demo`) first")
    for table in timeline_tables(charts):
        console.print(table)
    if html is not None:
        page = timeline_html(charts, generated=datetime.now(UTC))
        try:
            html.write_text(page, encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {html}: {exc.strerror}; choose a writable path for --html", code=1)
        console.print(f"wrote {html} ({len(charts)} charts)")


@app.command()
def feeds(
    db: DbOpt = None,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="Delete the feeds no longer in the watch file (their articles stay)."),
    ] = False,
    watch: WatchOpt = None,
) -> None:
    """Health of every feed: last status, last success, failures in a row, next poll.

    Example: newswatch feeds --prune --watch my-topic.yaml
    """
    from newswatch.feedlist import listed_urls, not_listed_sentence, prune_listed
    from storage.feeds import all_feeds

    engine = open_engine(db)
    listed = listed_urls(open_watch(watch) if prune or watch else None)
    if prune and listed is not None:
        console.print(prune_listed(engine, listed), highlight=False, markup=False, soft_wrap=True)
    with Session(engine) as session:
        rows = all_feeds(session)
    table = Table(
        "feed", "last status", "last success", "failures in a row", "next poll", "health", "last error"
    )
    for f in rows:
        table.add_row(
            *map(
                cell,
                (
                    f.url,
                    (f.last_status or "never polled") + (" (malformed)" if f.bozo else ""),
                    when(f.last_success_at),
                    str(f.failures_in_row),
                    when(f.next_poll_at) or "next pass",
                    f.health,
                    (f.last_error or "")[:80],
                ),
            )
        )
    console.print(table)
    for f in rows:
        if hint := hint_for(f.last_status, f.last_error):
            console.print(Text(terminal_text(f"{f.url}: next step: {hint}")), soft_wrap=True)
    if listed is not None and (gone := [f.url for f in rows if f.url not in listed]):
        console.print(Text(terminal_text(not_listed_sentence(gone))), soft_wrap=True)


@db_app.command("upgrade")
def db_upgrade(db: DbOpt = None) -> None:
    """Apply the database migrations (also done automatically on first use).

    Example: NEWSWATCH_DATABASE_URL=postgresql+psycopg://user@host/newswatch newswatch db upgrade
    """
    from storage.db import mask_db_url

    engine = open_engine(db, create=True)
    console.print(f"{mask_db_url(str(engine.url))} is at the newest schema")
