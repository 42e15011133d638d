"""Commands over stored data: findings, timeline, feeds and the database."""

from __future__ import annotations

import csv
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from alerts.escaping import csv_cell, terminal_text
from extractors.topic import Topic
from newswatch.cli import app, db_app, err, fail
from newswatch.settings import get_settings

# rich honours NO_COLOR; piped output gets room for whole URLs instead of 80 columns.
console = Console(width=None if sys.stdout.isatty() else 200)
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL, or 'demo' for the demo's database (default: NEWSWATCH_DATABASE_URL)."
    ),
]


def demo_database_url() -> str:
    """Where `newswatch demo` keeps its (fresh each time) SQLite database."""
    from platformdirs import user_data_path

    return f"sqlite:///{user_data_path('newswatch', appauthor=False) / 'demo.db'}"


def open_engine(db: str | None) -> Engine:
    """The engine for --db (or the settings), or exit naming the masked URL."""
    from storage.db import DatabaseError, get_engine, mask_db_url

    url = demo_database_url() if db == "demo" else (db or get_settings().database_url)
    if db == "demo" and not Path(url.removeprefix("sqlite:///")).exists():
        fail("no demo database yet: run `newswatch demo` first")
    if db is None and _fresh_default(url) and Path(demo_database_url().removeprefix("sqlite:///")).exists():
        # Right after `make demo` a new user has no database of their own: show the demo's, and say so.
        err.print("(no monitoring pass has run yet: showing the demo's database; see `newswatch run`)")
        url = demo_database_url()
    try:
        return get_engine(url)
    except DatabaseError as exc:
        fail(str(exc), code=1)
    except Exception as exc:  # noqa: BLE001  (driver errors vary; the user needs the URL, masked)
        fail(f"cannot open database {mask_db_url(url)}: {type(exc).__name__}: {exc}", code=1)


def _fresh_default(url: str) -> bool:
    """True when `url` is the default SQLite database and no pass has created it yet."""
    from newswatch.settings import default_database_url

    return url == default_database_url() and not Path(url.removeprefix("sqlite:///")).exists()


def parse_since(text: str | None) -> datetime | None:
    """`--since`: an ISO date/time, or an age such as 12h, 2d, 30m."""
    if not text:
        return None
    if match := re.fullmatch(r"(\d+)\s*([mhd])", text.strip()):
        amount, unit = int(match[1]), match[2]
        delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount), "d": timedelta(days=amount)}[
            unit
        ]
        return datetime.now(UTC) - delta
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--since {text!r} is neither a date (2024-10-23) nor an age (12h, 2d)")
    return when if when.tzinfo else when.replace(tzinfo=UTC)


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


def cell(value: object) -> Text:
    """Stored text for a table cell: printed as it is (no rich markup: a stored "[/x]" once made every
    listing fail) and without control characters (no escape sequence reaches the terminal)."""
    return Text(terminal_text("" if value is None else str(value)))


def _figure_text(row: dict[str, object]) -> str:
    from extractors.findings import Figure, describe_figure

    fields = {k: row[k] for k in Figure.__dataclass_fields__ if k in row and k != "kind"}
    fields.update(delta=False)
    return describe_figure(Figure(**fields))  # type: ignore[arg-type]


def check_topic(session: Session, topic: str | None) -> None:
    """Exit with the known topics when `topic` is neither stored nor in the watch file."""
    from storage.queries import known_topics

    if topic is None:
        return
    known = set(known_topics(session)) | {t.name for t in _watch_topics()}
    if topic not in known:
        fail(
            f"no topic {topic!r} in the database or the watch file (known: {', '.join(sorted(known)) or 'none'})"
        )


def _watch_topics() -> tuple[Topic, ...]:
    """The default watch file's topics; none when it cannot be read (reading commands do not need it)."""
    from newswatch.watchfile import WatchFileError, load_watch

    try:
        return load_watch(get_settings().watch_file).topics
    except WatchFileError:
        return ()


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
    topics = _watch_topics()
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
def feeds(db: DbOpt = None) -> None:
    """Health of every feed: last status, last success, failures in a row, next poll.

    Example: newswatch feeds
    """
    from storage.feeds import all_feeds

    with Session(open_engine(db)) as session:
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


def when(value: datetime | None) -> str:
    """A stored time for a table cell."""
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else ""


@db_app.command("upgrade")
def db_upgrade(db: DbOpt = None) -> None:
    """Apply the database migrations (also done automatically on first use).

    Example: NEWSWATCH_DATABASE_URL=postgresql+psycopg://user@host/newswatch newswatch db upgrade
    """
    from storage.db import mask_db_url

    engine = open_engine(db)
    console.print(f"{mask_db_url(str(engine.url))} is at the newest schema")
