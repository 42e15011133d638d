"""Engines and sessions: SQLite (WAL, busy timeout) by default, PostgreSQL by URL; migrations on first use."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration's revision (a test holds it to Alembic's head): a database already there is not
# handed to Alembic, whose import and script scan cost a pass a sixth of a second.
SCHEMA_REVISION = "0004"
WRITE = "newswatch_write"  # execution option: this transaction will write (SQLite: take the lock first)
ADVISORY_NAMESPACE = 0x6E77  # "nw": PostgreSQL advisory locks of newswatch (migrations, feeds)
_engines: dict[str, Engine] = {}
_lock = threading.Lock()
# Writers of one SQLite database in this process queue here rather than in SQLite's busy handler, which
# sleeps in steps of up to 100 ms: sixteen threads polling feeds spent most of a pass asleep.
_sqlite_writers: dict[str, threading.RLock] = {}


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated; the message names the (masked) URL."""


def mask_db_url(url: str) -> str:
    """The database URL with its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def normalise_db_url(url: str) -> str:
    """`url` with the driver SQLAlchemy needs: postgres:// and postgresql:// (as Heroku, Render and libpq
    write them) mean PostgreSQL through psycopg 3, the driver newswatch installs."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return url


def missing_sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL names when it does not exist yet (opening it would create it), else None."""
    try:
        parsed = make_url(normalise_db_url(url))
    except ArgumentError:
        return None
    db = parsed.database or ":memory:"
    if parsed.get_backend_name() != "sqlite" or db == ":memory:" or db.startswith("file:"):
        return None
    path = Path(db).expanduser()
    return None if path.exists() else path


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # SQLAlchemy emits BEGIN itself (below): the driver's own implicit BEGIN breaks SAVEPOINT.
    dbapi_conn.isolation_level = None
    # WAL lets readers work while a pass writes; busy_timeout makes overlapping runs wait, not fail.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writing transaction takes the write lock up front and waits for it (busy_timeout). One that
    # read first and wrote later, after another run committed, would fail at once with SQLITE_BUSY.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def create_db_engine(url: str) -> Engine:
    """A new engine for `url` (SQLite files get their directory created)."""
    url = normalise_db_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {mask_db_url(url)}") from None
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database or ":memory:"
        if db != ":memory:":
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        else:
            engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations to `engine`'s database."""
    if revision == "head" and _schema_revision(engine) == SCHEMA_REVISION:
        return
    from alembic import command  # here: a tenth of a second that only this needs
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.execution_options(**{WRITE: True}).begin() as conn:
            if conn.dialect.name == "postgresql":  # two runs starting at once: one migrates, one waits
                conn.execute(text("SELECT pg_advisory_xact_lock(:ns, 0)"), {"ns": ADVISORY_NAMESPACE})
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise DatabaseError(
            f"cannot open database {mask_db_url(str(engine.url))}: {exc.orig or exc}".replace(
                str(engine.url), mask_db_url(str(engine.url))
            )
        ) from None


def _schema_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None (a new database, or one that cannot be read yet)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None  # Alembic's path says what is wrong, if anything is


def get_engine(url: str) -> Engine:
    """The process-wide engine for `url`, migrated to the newest schema on first use."""
    url = normalise_db_url(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = create_db_engine(url)
            upgrade(engine)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every cached engine (tests, and before forking workers)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A writing session that commits on success and rolls back on error (SQLite: one writer at a time)."""
    writers = contextlib.nullcontext() if engine.dialect.name != "sqlite" else _writer_lock(engine)
    with writers, Session(engine.execution_options(**{WRITE: True}), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _writer_lock(engine: Engine) -> threading.RLock:
    key = engine.url.render_as_string(hide_password=False)
    with _lock:
        return _sqlite_writers.setdefault(key, threading.RLock())


def insert_ignore(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[Mapping[str, Any]],
    *,
    unique: Sequence[str],
    returning: Sequence[str] = ("id",),
) -> list[tuple[Any, ...]]:
    """Insert rows (all with the same keys), skipping those that collide on `unique`; returns the
    `returning` columns of each row that went in.

    One statement with the rows as its parameters: SQLAlchemy sends them as multi-row INSERTs
    ("insertmanyvalues") and compiles the statement once per process, where a statement with the rows in
    it was compiled anew for every call (a millisecond each: a thousand feeds' entries, a second)."""
    if not rows:
        return []
    table = model.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=list(unique))
    # RETURNING tells what went in on both backends (psycopg's rowcount here is -1).
    result = session.execute(
        statement.returning(*(table.c[name] for name in returning)), [dict(r) for r in rows]
    )
    return [tuple(row) for row in result.all()]
