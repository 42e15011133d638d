"""The `newswatch` command line: run, serve, demo, detect, findings, feeds, alerts, db."""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

# Prefect reads these at import time: no phoning home, and a quiet console unless asked (the run's
# INFO logs still reach the Prefect UI: only the console handler is raised to WARNING).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")  # Prefect's client-side telemetry
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
# The first start of the temporary Prefect server creates its database: slow on a busy 2-core machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

from alerts.escaping import terminal_text
from newswatch.settings import get_settings
from newswatch.tempserver import TemporaryServer, start_if_unset
from newswatch.watchfile import Watch, WatchFileError, check_feed_url, read_watch

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
    one_line = " ".join(part.strip() for part in message.splitlines() if part.strip())  # drivers add lines
    err.print(f"[red]error:[/red] {escape(one_line)}", highlight=False, markup=True)
    raise typer.Exit(code)


def open_watch(path: Path | None) -> Watch:
    """The watch file from --watch or the settings, or exit with the reason."""
    try:
        return read_watch(path or get_settings().watch_file)
    except WatchFileError as exc:
        fail(str(exc))


def print_summary(summary: RunSummary) -> None:
    """The pass in one line, then each failed feed with its error class."""
    out = Console(soft_wrap=True)
    out.print(summary.one_line(), highlight=False)
    for url, error_class, detail in summary.failures:
        line = f"  failed: {terminal_text(url)}  [{error_class}] {terminal_text(detail)}"
        out.print(line, highlight=False, markup=False)


def check_feed_urls(urls: list[str]) -> None:
    """Exit naming the first --feed value that cannot be polled (the watch file's feeds are checked alike)."""
    for url in urls:
        if problem := check_feed_url(url):
            fail(f"--feed {problem}")


@contextmanager
def show_progress(
    console: Console, *, feed_urls: list[str], database_url: str, every: float = 3.0
) -> Iterator[None]:
    """While a pass runs: a live line of counts on a terminal; piped, a plain line when the counts change,
    at most every `every` seconds unless a tenth more of the articles is done (newswatch.progress)."""
    from rich.live import Live
    from rich.spinner import Spinner

    from newswatch.progress import Progress, due, measure, read_so_far

    started, total, stop = datetime.now(UTC), len(feed_urls), threading.Event()
    read_before = read_so_far()
    first = f"starting a Prefect flow run to poll {total} feed{'' if total == 1 else 's'}…"
    spinner = Spinner("dots", first)
    # Alerts printed to stdout go above the live line when both are the terminal, and stay on stdout when not.
    live = Live(spinner, console=console, transient=True, redirect_stdout=sys.stdout.isatty())
    if console.is_terminal:
        live.start()
    else:
        console.print(first, highlight=False, markup=False)

    shown: list[Progress] = []  # the last plain line printed

    def show(progress: Progress | None, last_print: float) -> float:
        if progress is None:
            return last_print  # still starting: keep the first line
        if console.is_terminal:
            spinner.update(text=progress.line())
        elif due(
            progress, shown[-1] if shown else None, seconds_since=time.monotonic() - last_print, every=every
        ):
            console.print(progress.line(), highlight=False, markup=False)
            shown.append(progress)
            return time.monotonic()
        return last_print

    def watch() -> None:
        last_print = 0.0
        while not stop.wait(min(0.5, max(every, 0.1))):
            last_print = show(measure(database_url, started, total, read_before), last_print)

    thread = threading.Thread(target=watch, name="newswatch-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=2)
        if console.is_terminal:
            live.stop()
        else:  # where the pass ended, unless the last line said it already
            show(measure(database_url, started, total, read_before), -float("inf"))


def run_pass(
    watch_file: str | None, feeds: list[str], server: TemporaryServer | None = None, *, baseline: bool = False
) -> RunSummary:
    """Run the monitoring flow with progress on stderr; exit 1 with one sentence when it could not run.
    `server`: a temporary Prefect server started for this pass (stopped when it ends)."""
    from prefect.settings import get_current_settings, temporary_settings

    from flows.monitor import monitor
    from newswatch.commands import open_engine
    from storage.db import DatabaseError

    settings = get_settings()
    prefect = get_current_settings()
    if server is not None and (prefect.api.url or not prefect.server.ephemeral.enabled):
        server.stop()  # Prefect's profile names a server, or forbids temporary ones: as it says
        server = None
    urls = feeds or [f.url for f in open_watch(Path(watch_file) if watch_file else None).feeds]
    # An unreachable database: one sentence, before Prefect logs a traceback.
    open_engine(settings.database_url)
    # Heartbeats let Prefect spot a deployment's run whose worker died; this pass ends with this command,
    # and Prefect's heartbeat thread, which sleeps in whole seconds, held the end of every pass up to 1 s.
    updates: dict[str, object] = {"flows.heartbeat_frequency": None}
    api = server.url() if server is not None else None
    if api is not None:
        updates["api.url"] = api
    try:
        with (
            temporary_settings(updates=updates),
            show_progress(err, feed_urls=urls, database_url=settings.database_url),
        ):
            state = monitor(watch_file=watch_file, feeds=feeds, baseline=baseline, return_state=True)
        result = state.result(raise_on_failure=False)
    except Exception as exc:  # noqa: BLE001  (Prefect's own errors before the flow starts: say which)
        result = exc
    if isinstance(result, DatabaseError):
        fail(str(result), code=1)
    if isinstance(result, BaseException):
        api_url = os.environ.get("PREFECT_API_URL")
        hint = (
            f"is the Prefect server at PREFECT_API_URL={api_url} running?" if api_url else "see the log above"
        )
        fail(f"the pass could not run ({type(result).__name__}: {result}); {hint}", code=1)
    if prefect.api.url:  # with a temporary server there is no page to go back to
        err.print(
            f"in the Prefect UI: {prefect.ui_url}/runs/flow-run/{state.state_details.flow_run_id}",
            highlight=False,
        )
    return result


@app.command()
def run(
    watch: WatchOpt = None,
    feed: Annotated[
        list[str] | None,
        typer.Option("--feed", help="Feed URL (repeatable); replaces the watch file's feeds."),
    ] = None,
    baseline: Annotated[
        bool, typer.Option("--baseline", help="Store everything this pass finds and alert nothing.")
    ] = False,
) -> None:
    """One monitoring pass now, as a Prefect flow run.

    Example: newswatch run --feed https://en.yna.co.kr/RSS/news.xml
    Exit 0 when the pass ran (failed feeds are reported), 1 when it could not run, 2 on bad input.
    """
    # Without a Prefect server, Prefect's temporary one starts now, while the pass starts up; it stops
    # at exit, once Prefect has sent the run's last logs and events to it.
    server = start_if_unset()
    if server is not None:
        atexit.register(server.stop)
    try:
        open_watch(watch)  # a bad watch file is a clear error before Prefect starts
        check_feed_urls(list(feed or []))
    except BaseException:
        if server is not None:
            server.stop()
        raise
    print_summary(run_pass(str(watch) if watch else None, list(feed or []), server, baseline=baseline))


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
    if cron is not None:
        from prefect.client.schemas.schedules import CronSchedule

        try:
            CronSchedule(cron=cron)
        except ValueError:
            fail(
                f"--cron {cron!r} is not a cron expression: five fields, like '*/10 * * * *' (every 10 minutes)"
            )
    open_watch(watch)
    from flows.monitor import monitor
    from newswatch.serving import serve_monitor

    params = {"watch_file": str(watch)} if watch else {}
    schedule: dict[str, object] = {"cron": cron} if cron else {"interval": (every or 15) * 60}
    when = f"on {cron!r}" if cron else f"every {every or 15:g} minutes"
    typer.echo(f"serving newswatch: a pass now, then {when}; a line per pass (Ctrl-C stops)")
    try:
        serve_monitor(
            monitor,
            parameters=params,
            schedule=schedule,
            database_url=get_settings().database_url,
            say=typer.echo,
        )
    except KeyboardInterrupt:
        typer.echo("stopped")


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
    from extractors.detect import detect_many

    spec = open_watch(watch)
    try:
        chosen = spec.topic(topic) if topic else spec.topics[0]
    except KeyError as exc:
        fail(str(exc.args[0]))
    text = _read_text(file)
    out = sys.stdout
    if not batch:
        for finding in run_detect(text, chosen):
            out.write(json.dumps(finding.to_dict(), ensure_ascii=False) + "\n")
        return
    rows: list[tuple[object, str]] = []
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
        rows.append((row_id, row_text))
    for start in range(0, len(rows), _BATCH):  # rows parsed together, a bounded number at a time
        chunk = rows[start : start + _BATCH]
        for (row_id, _text), found in zip(chunk, detect_many([t for _i, t in chunk], chosen), strict=True):
            for finding in found:
                out.write(json.dumps({"id": row_id, **finding.to_dict()}, ensure_ascii=False) + "\n")


_BATCH = 200  # rows of `detect --batch` parsed together


@app.command()
def check(
    file: Annotated[
        str | None, typer.Argument(help="A sample article's plain text, or - for standard input.")
    ] = None,
    watch: WatchOpt = None,
) -> None:
    """Validate a watch file; with a sample text, show each sentence counted for each topic and every finding.

    Example: newswatch check --watch my-topic.yaml article.txt
    Exit 0 when the watch file is valid, 2 (with the line and the field) when it is not.
    """
    from extractors.explanation import describe, explain

    spec = open_watch(watch)
    topics = ", ".join(t.name for t in spec.topics)
    typer.echo(
        f"{spec.path}: valid: {len(spec.topics)} topic{'s' if len(spec.topics) != 1 else ''} ({topics}), "
        f"{len(spec.feeds)} feed{'s' if len(spec.feeds) != 1 else ''}, {len(spec.routes)} alert route"
        f"{'s' if len(spec.routes) != 1 else ''}"
    )
    if file is None:
        return
    text = _read_text(file)
    for topic in spec.topics:
        views = explain(text, topic)
        counted = [v for v in views if v.statements_count or v.figures_count]
        typer.echo(
            f"\n{topic.name} ({_printable(topic.title)}): {len(counted)} of {len(views)} sentences counted"
        )
        for v in counted:
            what = " and ".join(
                w for w, on in (("statements", v.statements_count), ("figures", v.figures_count)) if on
            )
            typer.echo(f"  [{v.number}] {what} count: {'; '.join(v.reasons) or 'no watch-file word'}")
            typer.echo(f"      {_printable(v.text)[:300]}")
            for finding in v.findings:
                typer.echo(f"      -> {_printable(describe(finding))}")
        skipped = [str(v.number) for v in views if not (v.statements_count or v.figures_count)]
        if skipped:
            typer.echo(
                f"  not counted: sentences {', '.join(skipped)} (no term, context word or event noun near them)"
            )


def _read_text(file: str) -> str:
    """A text file's content, or standard input for "-"; exit 2 when it cannot be read."""
    if file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """Untrusted text for a terminal: control characters (escape sequences) dropped, line breaks as spaces."""
    return _CONTROL.sub("", text.replace("\n", " ").replace("\r", " "))


from newswatch import alerts_cli, commands, reprocess_cli  # noqa: E402,F401  (register their commands on the app)


def main() -> None:
    """The `newswatch` command (and `python -m newswatch`): the app, then a quick exit."""
    status: list[int] = []
    atexit.register(_exit_quickly, status)  # registered first, so it runs after every other exit handler
    try:
        app()
    except SystemExit as done:
        code = done.code
        status.append(code if isinstance(code, int) else 0 if code is None else 1)
        raise


def _exit_quickly(status: list[int]) -> None:
    """End the process once everything has been sent and flushed, skipping the interpreter's teardown.

    By now Prefect has drained its log and event queues and stopped its threads (they end before exit
    handlers run). What is left is freeing the objects of some 1,500 modules one by one: a third of a
    second, a tenth of a pass with nothing new. An uncaught exception (no status) exits the usual way."""
    if not status:
        return
    logging.shutdown()
    db = sys.modules.get("storage.db")  # if a command opened a database: close its connections properly
    if db is not None:
        db.dispose_engines()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(status[0])
