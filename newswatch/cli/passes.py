"""The commands that run passes: `run` (one now), `serve` (on a schedule) and `demo` (offline, twice)."""

from __future__ import annotations

import atexit
from typing import Annotated

import typer

from newswatch.cli.base import WatchOpt, app, fail, open_watch
from newswatch.cli.running import check_feed_urls, print_summary, run_pass
from newswatch.settings import get_settings
from newswatch.tempserver import start_if_unset


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
    discover: Annotated[
        bool,
        typer.Option("--discover", help="A feed URL that is a web page: read the feed the page links to."),
    ] = False,
) -> None:
    """One monitoring pass now, as a Prefect flow run.

    Example: newswatch run --feed https://en.yna.co.kr/RSS/news.xml
    Exit 0 when the pass ran (failed feeds are reported); 1 when every feed, the database or every alert
    channel failed, or the pass could not run; 2 on bad input.
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
    summary = run_pass(
        str(watch) if watch else None, list(feed or []), server, baseline=baseline, discover=discover
    )
    print_summary(summary)


@app.command()
def serve(
    watch: WatchOpt = None,
    every: Annotated[
        float | None, typer.Option("--every", help="Minutes between passes (default 15).")
    ] = None,
    cron: Annotated[str | None, typer.Option("--cron", help="A cron expression instead of --every.")] = None,
    discover: Annotated[
        bool,
        typer.Option("--discover", help="A feed URL that is a web page: read the feed the page links to."),
    ] = False,
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

    params: dict[str, object] = {"watch_file": str(watch)} if watch else {}
    if discover:
        params["discover"] = True
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
    from newswatch.cli.demo import run_demo

    raise typer.Exit(run_demo())
