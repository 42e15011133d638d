"""What every command shares: the typer apps, the common options, and how a command opens its inputs.

Command modules import this (and `running`); never each other.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from alerts.escaping import terminal_text
from extractors.topic import Topic
from newswatch.settings import default_database_url, demo_database_url, get_settings
from newswatch.watchfile import Watch, WatchFileError, read_watch

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
# rich honours NO_COLOR; piped output gets room for whole URLs instead of 80 columns.
console = Console(width=None if sys.stdout.isatty() else 200)

WatchOpt = Annotated[Path | None, typer.Option("--watch", help="Watch file (default: NEWSWATCH_WATCH_FILE).")]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL, or 'demo' for the demo's database (default: NEWSWATCH_DATABASE_URL)."
    ),
]


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


def open_engine(db: str | None, *, create: bool = False) -> Engine:
    """The engine for --db (or the settings), or exit naming the masked URL. An SQLite file that does not
    exist is created only for commands that write (`create`): a reading command exits 1 naming the path,
    where it once created an empty database and showed nothing, as if a mistyped path were right."""
    from storage.db import DatabaseError, get_engine, mask_db_url, missing_sqlite_file

    url = demo_database_url() if db == "demo" else (db or get_settings().database_url)
    if db == "demo" and not Path(url.removeprefix("sqlite:///")).exists():
        fail("no demo database yet: run `newswatch demo` first")
    if db is None and _fresh_default(url) and Path(demo_database_url().removeprefix("sqlite:///")).exists():
        # Right after `make demo` a new user has no database of their own: show the demo's, and say so.
        err.print("(no monitoring pass has run yet: showing the demo's database; see `newswatch run`)")
        url = demo_database_url()
    if not create and (missing := missing_sqlite_file(url)) is not None:
        fail(missing_database_sentence(missing, default=db is None and _fresh_default(url)), code=1)
    try:
        return get_engine(url)
    except DatabaseError as exc:
        fail(str(exc), code=1)
    except Exception as exc:  # noqa: BLE001  (driver errors vary; the user needs the URL, masked)
        fail(f"cannot open database {mask_db_url(url)}: {type(exc).__name__}: {exc}", code=1)


def missing_database_sentence(path: Path, *, default: bool) -> str:
    """Why a reading command stops before an SQLite file that does not exist, and what to do."""
    if default:
        return f"no database yet at {path}: no monitoring pass has run; run `newswatch run` (or `newswatch demo`)"
    return (
        f"no database at {path}: check the path in --db or NEWSWATCH_DATABASE_URL "
        "(`newswatch run` or `newswatch db upgrade` creates a new one)"
    )


def _fresh_default(url: str) -> bool:
    """True when `url` is the default SQLite database and no pass has created it yet."""
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


def check_topic(session: Session, topic: str | None) -> None:
    """Exit with the known topics when `topic` is neither stored nor in the watch file."""
    from storage.queries import known_topics

    if topic is None:
        return
    known = set(known_topics(session)) | {t.name for t in watch_topics()}
    if topic not in known:
        fail(
            f"no topic {topic!r} in the database or the watch file (known: {', '.join(sorted(known)) or 'none'})"
        )


def watch_topics() -> tuple[Topic, ...]:
    """The default watch file's topics; none when it cannot be read (reading commands do not need it)."""
    from newswatch.watchfile import load_watch

    try:
        return load_watch(get_settings().watch_file).topics
    except WatchFileError:
        return ()


def read_text(file: str) -> str:
    """A text file's content, or standard input for "-"; exit 2 when it cannot be read."""
    if file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}")


def cell(value: object) -> Text:
    """Stored text for a table cell: printed as it is (no rich markup: a stored "[/x]" once made every
    listing fail) and without control characters (no escape sequence reaches the terminal)."""
    return Text(terminal_text("" if value is None else str(value)))


def when(value: datetime | None) -> str:
    """A stored time for a table cell."""
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else ""
