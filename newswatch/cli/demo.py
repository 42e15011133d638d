"""`newswatch demo`: the real flow, twice, against a local newsroom, with a fresh SQLite file."""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console

from newswatch.cli.running import run_pass
from newswatch.newsroom import Newsroom
from newswatch.settings import demo_database_url

console = Console(soft_wrap=True)  # whole lines when piped, not 80-column wraps
# The same lines as the README's Quickstart (a test keeps them in step).
NEXT_STEPS = """
Where to look next:
  newswatch findings --db demo                      every finding with its evidence
  newswatch findings --db demo --kind figure --format csv > figures.csv
  newswatch timeline --db demo                      how each claimant's figures moved
  newswatch timeline --db demo --html timeline.html a chart of them to open in a browser (offline)
  newswatch feeds --db demo                         the demo feeds' health
  prefect server start                              then open http://127.0.0.1:4200: both runs
"""


BACKLOG = """\
This demo alerts its newsroom's backlog (stories from October 2024 to January 2025) on purpose, to show
what alerts look like. A real first pass (`newswatch run`) stores what each feed already carries as its
baseline and alerts nothing of it, nor anything published more than 48 h before it is seen
(NEWSWATCH_ALERT_MAX_AGE); later passes alert only what is new.
"""


def run_demo() -> int:
    """Run the demo; returns the exit code."""
    db_url = demo_database_url()
    db_file = Path(db_url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):  # a fresh database each time
        db_file.with_name(db_file.name + suffix).unlink(missing_ok=True)
    # The demo talks only to its own newsroom on 127.0.0.1 and prints alerts instead of sending them. Its
    # stories are from late 2024, and a real first pass alerts none of what a feed already carries: the
    # demo alerts that backlog on purpose (and says so), to show what the alerts look like.
    os.environ.update(
        NEWSWATCH_DATABASE_URL=db_url,
        NEWSWATCH_ALLOWED_NETWORKS="127.0.0.1/32",
        NEWSWATCH_APPRISE_URLS="",
        NEWSWATCH_FIRST_POLL_BASELINE="false",
        NEWSWATCH_ALERT_MAX_AGE="0",
    )
    with Newsroom() as room:
        console.rule(
            f"[bold]Pass 1[/bold]: {len(room.feed_urls)} feeds from a local newsroom at {room.base_url}"
        )
        console.print(BACKLOG, highlight=False, markup=False)
        first = run_pass(None, room.feed_urls)
        console.rule("[bold]Pass 2[/bold]: the same feeds again; nothing should be alerted twice")
        second = run_pass(None, room.feed_urls)
    console.rule("[bold]Done")
    console.print(f"Pass 1: {first.one_line()}", highlight=False)
    console.print(f"Pass 2: {second.one_line()}", highlight=False)
    console.print(NEXT_STEPS + f"(the demo database is {db_file})", highlight=False, markup=False)
    ok = second.findings_new == 0 and second.findings_revised == 0 and second.alerts_sent == 0
    return 0 if ok else 1
