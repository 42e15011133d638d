"""A monitoring pass from the command line: its progress while it runs, and its summary after."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from alerts.escaping import terminal_text
from newswatch.cli.base import err, fail, open_engine, open_watch
from newswatch.hints import hint_for
from newswatch.settings import get_settings
from newswatch.tempserver import TemporaryServer
from newswatch.watchfile import check_feed_url

if TYPE_CHECKING:
    from flows.report import RunSummary


def print_summary(summary: RunSummary) -> None:
    """The pass in one line, then each failed feed with its error class."""
    out = Console(soft_wrap=True)
    out.print(summary.one_line(), highlight=False)
    for url, error_class, detail in summary.failures:
        line = f"  failed: {terminal_text(url)}  [{error_class}] {terminal_text(detail)}"
        out.print(line, highlight=False, markup=False)
        if hint := hint_for(error_class, detail):
            out.print(f"    next step: {terminal_text(hint)}", highlight=False, markup=False)
    for error_class, count in sorted(summary.fallback_classes.items()):
        line = f"  {count} article{'s' if count != 1 else ''} read from the feed's summary [{terminal_text(error_class)}]"
        hint = hint_for(error_class)
        out.print(line + (f": {hint}" if hint else ""), highlight=False, markup=False)


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
    watch_file: str | None,
    feeds: list[str],
    server: TemporaryServer | None = None,
    *,
    baseline: bool = False,
    discover: bool = False,
) -> RunSummary:
    """Run the monitoring flow with progress on stderr; exit 1 with one sentence when it could not run.
    `server`: a temporary Prefect server started for this pass (stopped when it ends)."""
    from prefect.settings import get_current_settings, temporary_settings

    from flows.monitor import monitor
    from flows.outcome import PassFailedError
    from flows.report import RunSummary
    from storage.db import DatabaseError

    settings = get_settings()
    prefect = get_current_settings()
    if server is not None and (prefect.api.url or not prefect.server.ephemeral.enabled):
        server.stop()  # Prefect's profile names a server, or forbids temporary ones: as it says
        server = None
    urls = feeds or [f.url for f in open_watch(Path(watch_file) if watch_file else None).feeds]
    # An unreachable database: one sentence, before Prefect logs a traceback.
    open_engine(settings.database_url, create=True)
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
            state = monitor(
                watch_file=watch_file, feeds=feeds, baseline=baseline, discover=discover, return_state=True
            )
        result = state.result(raise_on_failure=False)
    except Exception as exc:  # noqa: BLE001  (Prefect's own errors before the flow starts: say which)
        result = exc
    if isinstance(result, PassFailedError):  # every feed, the database or every channel failed
        print_summary(result.summary)
        _print_run_link(prefect.api.url, prefect.ui_url, state.state_details.flow_run_id)
        fail(str(result), code=1)
    if isinstance(result, DatabaseError):
        fail(str(result), code=1)
    if isinstance(result, BaseException):
        api_url = os.environ.get("PREFECT_API_URL")
        hint = (
            f"is the Prefect server at PREFECT_API_URL={api_url} running?" if api_url else "see the log above"
        )
        fail(f"the pass could not run ({type(result).__name__}: {result}); {hint}", code=1)
    _print_run_link(prefect.api.url, prefect.ui_url, state.state_details.flow_run_id)
    if not isinstance(result, RunSummary):
        fail(f"the pass returned {type(result).__name__}, not its summary", code=1)
    return result


def _print_run_link(api_url: object, ui_url: object, run_id: object) -> None:
    """The run's page in the Prefect UI (none with a temporary server: no page to go back to)."""
    if api_url:
        err.print(f"in the Prefect UI: {ui_url}/runs/flow-run/{run_id}", highlight=False)
