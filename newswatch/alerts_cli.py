"""`newswatch alerts`: test every channel, list what is undelivered, retry it now."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlmodel import Session

from newswatch.cli import WatchOpt, alerts_app, open_watch
from newswatch.commands import DbOpt, console, open_engine, when
from newswatch.settings import get_settings


@alerts_app.command("test")
def alerts_test(watch: WatchOpt = None) -> None:
    """Send a test message to every channel and say which worked.

    Example: NEWSWATCH_APPRISE_URLS=slack://T/B/C newswatch alerts test
    """
    from alerts.channels import deliver, mask_url
    from alerts.message import Message
    from newswatch.delivery import resolve_channels

    channels = resolve_channels(open_watch(watch), get_settings())
    text = "newswatch test message: this channel will receive alerts."
    message = Message(title="newswatch: test message", markdown=text, html=f"<p>{text}</p>", text=text)
    failures = 0
    for channel in channels:
        if channel.url is None:
            console.print("terminal: no NEWSWATCH_APPRISE_URLS set, alerts are printed here  [ok]")
            continue
        result = deliver(channel.url, message)
        failures += not result.ok
        console.print(f"{mask_url(channel.url)}  " + ("[ok]" if result.ok else f"[FAILED] {result.error}"))
    raise typer.Exit(1 if failures else 0)


@alerts_app.command("pending")
def alerts_pending(db: DbOpt = None) -> None:
    """List what is still undelivered, since when, and why.

    Example: newswatch alerts pending
    """
    from storage.ledger import undelivered

    with Session(open_engine(db)) as session:
        rows = undelivered(session)
    table = Table(
        "channel",
        "alert",
        "status",
        "attempts",
        "since",
        "next try",
        "last error",
        title=f"{len(rows)} undelivered",
    )
    for r in rows:
        what = r.payload.get("change") or r.payload.get("state") or ""
        table.add_row(
            r.channel,
            f"{r.subject} {what}",
            r.status,
            str(r.attempts),
            when(r.created_at),
            when(r.next_attempt_at),
            (r.last_error or "")[:80],
        )
    console.print(table)


@alerts_app.command("retry")
def alerts_retry(watch: WatchOpt = None, db: DbOpt = None) -> None:
    """Retry every undelivered alert now, failed ones included.

    Example: newswatch alerts retry
    """
    from newswatch.delivery import resolve_channels, send_due
    from storage.ledger import retry_now

    engine = open_engine(db)
    settings = get_settings()
    due = retry_now(engine)
    report = send_due(engine, resolve_channels(open_watch(watch), settings), settings)
    console.print(f"{due} undelivered; {report.sent} sent now, {report.failed} failed again")
    raise typer.Exit(1 if report.failed else 0)
