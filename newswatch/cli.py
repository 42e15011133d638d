"""The `newswatch` command line: run, serve, demo, detect, findings, feeds, alerts, db."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

# Prefect reads these at import time: no phoning home, and a quiet console unless asked.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# The first start of the temporary Prefect server creates its database: slow on a busy 2-core machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

from newswatch.settings import get_settings
from newswatch.watchfile import Watch, WatchFileError, load_watch

if TYPE_CHECKING:
    from flows.report import RunSummary

app = typer.Typer(
    help="Watch news feeds for a topic; alert on new figures and statements.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
alerts_app = typer.Typer(
    help="Alert channels: test them, list what is undelivered, retry.", no_args_is_help=True
)
db_app = typer.Typer(help="The database: apply migrations.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
app.add_typer(db_app, name="db")
err = Console(stderr=True, soft_wrap=True)  # rich honours NO_COLOR by itself; no hard wraps in errors

WatchOpt = Annotated[Path | None, typer.Option("--watch", help="Watch file (default: NEWSWATCH_WATCH_FILE).")]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one clear sentence to stderr and exit with `code`."""
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def open_watch(path: Path | None) -> Watch:
    """The watch file from --watch or the settings, or exit with the reason."""
    try:
        return load_watch(path or get_settings().watch_file)
    except WatchFileError as exc:
        fail(str(exc))


def print_summary(summary: RunSummary) -> None:
    """The pass in one line, then each failed feed with its error class."""
    out = Console(soft_wrap=True)
    out.print(summary.one_line(), highlight=False)
    for url, error_class, detail in summary.failures:
        out.print(f"  failed: {url}  [{error_class}] {detail}", highlight=False, markup=False)


@app.command()
def run(
    watch: WatchOpt = None,
    feed: Annotated[
        list[str] | None,
        typer.Option("--feed", help="Feed URL (repeatable); replaces the watch file's feeds."),
    ] = None,
) -> None:
    """One monitoring pass now, as a Prefect flow run.

    Example: newswatch run --feed https://en.yna.co.kr/RSS/news.xml
    Exit 0 when the pass ran (failed feeds are reported), 1 when it could not run, 2 on bad input.
    """
    open_watch(watch)  # a bad watch file is a clear error before Prefect starts
    from flows.monitor import monitor
    from storage.db import DatabaseError

    try:
        summary = monitor(watch_file=str(watch) if watch else None, feeds=list(feed or []))
    except DatabaseError as exc:
        fail(str(exc), code=1)
    print_summary(summary)


@app.command()
def serve(
    watch: WatchOpt = None,
    every: Annotated[
        float | None, typer.Option("--every", help="Minutes between passes (default 15).")
    ] = None,
    cron: Annotated[str | None, typer.Option("--cron", help="A cron expression instead of --every.")] = None,
) -> None:
    """Run the monitoring pass on a schedule until stopped (Ctrl-C).

    Example: newswatch serve --every 10
    """
    if every is not None and cron is not None:
        fail("give --every or --cron, not both")
    if every is not None and every <= 0:
        fail("--every must be a positive number of minutes")
    open_watch(watch)
    from flows.monitor import monitor

    params = {"watch_file": str(watch)} if watch else {}
    schedule = {"cron": cron} if cron else {"interval": (every or 15) * 60}
    monitor.serve(name="newswatch", parameters=params, **schedule)


@app.command()
def demo() -> None:
    """One complete pass offline against a local newsroom, then a second to show nothing repeats.

    Example: newswatch demo
    """
    from newswatch.demo import run_demo

    raise typer.Exit(run_demo())


@app.command()
def detect(
    file: Annotated[str, typer.Argument(help="A plain-text article, or - for standard input.")] = "-",
    watch: WatchOpt = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Topic name (default: the first).")] = None,
    batch: Annotated[
        bool, typer.Option("--batch", help='Read JSON Lines {"id", "text"}; tag findings with "id".')
    ] = False,
) -> None:
    """Findings in one article's text as JSON Lines; no network, no database.

    Example: newswatch detect article.txt   |   echo '{"id": 1, "text": "..."}' | newswatch detect --batch
    """
    from extractors.detect import detect as run_detect

    spec = open_watch(watch)
    try:
        chosen = spec.topic(topic) if topic else spec.topics[0]
    except KeyError as exc:
        fail(str(exc.args[0]))
    if file == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}")
    out = sys.stdout
    if not batch:
        for finding in run_detect(text, chosen):
            out.write(json.dumps(finding.to_dict(), ensure_ascii=False) + "\n")
        return
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            row_id, row_text = row["id"], row["text"]
            if not isinstance(row_text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            fail(f'line {number} of the batch is not a JSON object with "id" and "text"')
        for finding in run_detect(row_text, chosen):
            out.write(json.dumps({"id": row_id, **finding.to_dict()}, ensure_ascii=False) + "\n")


from newswatch import alerts_cli, commands  # noqa: E402,F401  (register their commands on the app)


def main() -> None:
    """Entry point for `python -m newswatch`."""
    app()
