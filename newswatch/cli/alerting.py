"""`newswatch alerts`: test every channel, list what is undelivered, retry it now."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table
from sqlmodel import Session

from alerts.escaping import terminal_text
from newswatch.cli.base import DbOpt, WatchOpt, alerts_app, console, fail, open_engine, open_watch, when
from newswatch.settings import Settings, get_settings

OK, FAILED = escape("[ok]"), escape("[FAILED]")  # (plain "[ok]" would be read as rich markup)

if TYPE_CHECKING:
    from newswatch.channels import Channel
    from newswatch.watchfile import Watch


def _channels(watch: Watch, settings: Settings) -> list[Channel]:
    """The channels, or exit 1 with the reason (a Secret block that cannot be read)."""
    from newswatch.channels import ChannelError, resolve_channels

    try:
        return resolve_channels(watch, settings)
    except ChannelError as exc:
        fail(str(exc), code=1)


def _schedule(channel: Channel) -> str:
    """How a channel sends: "instant", "digest every 1:00:00", plus its quiet hours."""
    mode = channel.mode if channel.period is None else f"digest every {channel.period}"
    mode = "digest each pass" if mode == "digest" else mode
    return mode + (f", quiet {channel.quiet.describe()}" if channel.quiet else "")


@alerts_app.command("test")
def alerts_test(watch: WatchOpt = None) -> None:
    """Send a test message to every channel and say which worked.

    Example: NEWSWATCH_APPRISE_URLS=slack://T/B/C newswatch alerts test
    """
    from alerts.channels import deliver
    from alerts.message import Message
    from newswatch.channels import configured_urls, route_urls

    parsed = open_watch(watch)
    settings = get_settings()
    channels = _channels(parsed, settings)
    text = "newswatch test message: this channel will receive alerts."
    message = Message(title="newswatch: test message", markdown=text, html=f"<p>{text}</p>", text=text)
    failures = 0
    urls = configured_urls(settings)
    for route in parsed.routes:
        if route.tag is not None and not route_urls(route, urls):
            console.print(f"tag {escape(repr(route.tag))}: no configured apprise URL carries it  {FAILED}")
            failures += 1
    for channel in channels:
        label = f"{escape(channel.label)} ({_schedule(channel)})"
        if channel.url is None:
            console.print(f"{label}: no NEWSWATCH_APPRISE_URLS set, alerts are printed here  {OK}")
            continue
        result = deliver(channel.url, message)
        failures += not result.ok
        console.print(f"{label}  " + (OK if result.ok else f"{FAILED} {escape(result.error or '')}"))
    if not channels:
        console.print(f"no channel: no route matches a configured URL  {FAILED}")
        failures += 1
    raise typer.Exit(1 if failures else 0)


@alerts_app.command("pending")
def alerts_pending(watch: WatchOpt = None, db: DbOpt = None) -> None:
    """List what is still undelivered, since when, and why (your channels from --watch).

    Example: newswatch alerts pending --watch my-watch.yaml
    """
    from newswatch.channels import ChannelError, resolve_channels
    from newswatch.pending import explain_all
    from newswatch.watchfile import WatchFileError, load_watch
    from storage.ledger import undelivered

    with Session(open_engine(db)) as session:
        rows = undelivered(session)
    settings = get_settings()
    if watch is not None:  # asked for: a bad file or Secret block is an error, not a silent fallback
        channels = _channels(open_watch(watch), settings)
    else:
        try:  # the configured channels, when they can be read; ids alone otherwise
            channels = resolve_channels(load_watch(settings.watch_file), settings)
        except (ChannelError, WatchFileError):
            channels = []
    table = Table("channel", "alert", "status", "attempts", "since", "why", title=f"{len(rows)} undelivered")
    lease = timedelta(seconds=settings.alert_lease_seconds)
    for alert in explain_all(rows, channels, lease=lease):
        table.add_row(
            escape(terminal_text(alert.channel, 120)),
            escape(terminal_text(alert.description, 160)),
            alert.status,
            str(alert.attempts),
            when(alert.since),
            escape(terminal_text(alert.reason, 240)),
        )
    console.print(table)


@alerts_app.command("retry")
def alerts_retry(watch: WatchOpt = None, db: DbOpt = None) -> None:
    """Retry every undelivered alert now, failed ones included (quiet hours and digest periods too).

    Example: newswatch alerts retry
    """
    from newswatch.delivery import send_due
    from storage.ledger import retry_now

    engine = open_engine(db)
    settings = get_settings()
    channels = _channels(open_watch(watch), settings)
    due = retry_now(engine)
    report = send_due(engine, channels, settings, force=True)
    # Deliveries are finding x channel; what a person receives is messages, each carrying findings.
    console.print(
        f"{_count(due, 'delivery', 'deliveries')} waiting; sent now: {_count(report.messages, 'message')} "
        f"carrying {_count(report.subjects, 'finding')}; {report.failed} failed again",
        highlight=False,
    )
    raise typer.Exit(1 if report.failed else 0)


def _count(number: int, noun: str, plural: str | None = None) -> str:
    """ "1 message", "3 messages"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
