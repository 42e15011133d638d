"""The `newswatch` command line: run, serve, demo, detect, check, findings, timeline, feeds, alerts, db.

`base` holds the apps and what every command shares, `running` a pass run from the terminal; each other
module registers its commands on the app and imports only those two (never another command module).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys

# Prefect reads these at import time: no phoning home, and a quiet console unless asked (the run's
# INFO logs still reach the Prefect UI: only the console handler is raised to WARNING).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")  # Prefect's client-side telemetry
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
# The first start of the temporary Prefect server creates its database: slow on a busy 2-core machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

from newswatch.cli import alerting, passes, reprocessing, scaffolding, stored, texts  # noqa: F401  (they register their commands)
from newswatch.cli.base import app

__all__ = ["app", "main"]


def main() -> None:
    """The `newswatch` command (and `python -m newswatch`): the app, then a quick exit."""
    status: list[int] = []
    atexit.register(_exit_quickly, status)  # registered first, so it runs after every other exit handler
    from newswatch.environment import warn_unknown_variables

    warn_unknown_variables()  # a mistyped setting is otherwise ignored without a word
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
