"""One settings class: every knob newswatch reads from the environment or `.env`."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from platformdirs import user_data_path
from pydantic import BeforeValidator, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from alerts.backlog import BacklogRule

BUNDLED_WATCH_FILE = Path(__file__).with_name("watch.yaml")
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd]?)\s*$", re.IGNORECASE)
_HOURS = {"m": 1 / 60, "h": 1.0, "d": 24.0, "": 1.0}


def default_database_url() -> str:
    """SQLite in the per-user data directory (created on first use)."""
    path = user_data_path("newswatch", appauthor=False) / "newswatch.db"
    return f"sqlite:///{path}"


def demo_database_url() -> str:
    """Where `newswatch demo` keeps its (fresh each time) SQLite database."""
    return f"sqlite:///{user_data_path('newswatch', appauthor=False) / 'demo.db'}"


def parse_period(value: object) -> object:
    """A period as people write it: "30d", "12h", "90m", or a number of days; anything else is left to
    pydantic (an ISO 8601 duration such as P30D)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(days=value)
    if isinstance(value, str) and (match := re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([dhm]?)\s*", value)):
        unit = {"d": "days", "h": "hours", "m": "minutes"}[match[2] or "d"]
        return timedelta(**{unit: float(match[1])})
    return value


Period = Annotated[timedelta, BeforeValidator(parse_period)]


class Settings(BaseSettings):
    """newswatch configuration; every field can be set as NEWSWATCH_<NAME>.

    Each field's docstring is its meaning in `.env.example` (newswatch/scaffold.py writes it from here).
    """

    model_config = SettingsConfigDict(
        env_prefix="NEWSWATCH_", env_file=".env", extra="ignore", use_attribute_docstrings=True
    )

    database_url: str = Field(default_factory=default_database_url)
    """The database: SQLite in the per-user data directory by default; postgresql+psycopg://user:pw@host/db at scale."""
    # A secret: only ever shown masked (see alerts.channels.mask_url).
    apprise_urls: SecretStr = SecretStr("")
    """Apprise URLs to alert, space or comma separated ("tag=URL" tags one); none: alerts go to the terminal. A secret."""
    watch_file: Path = BUNDLED_WATCH_FILE
    """The watch file (topics, feeds, alert routes); the bundled one by default."""
    allowed_networks: str = ""
    """Non-public addresses or CIDRs let through, comma separated (e.g. 10.1.2.3:8080); empty: all refused."""

    user_agent: str = "newswatch/0.1 (+https://github.com/newswatch/newswatch; news monitor)"
    """Sent with every request."""
    connect_timeout: float = 10.0
    """Seconds to connect to a server."""
    read_timeout: float = 20.0
    """Seconds to wait for each read from a server."""
    # Wall-clock cap for one request, body included: a server dripping a byte a second is cut off.
    request_deadline: float = 60.0
    """Seconds one request may take in all, body included."""
    max_response_bytes: int = 10_000_000
    """Largest response read, after decompression."""
    max_redirects: int = 5
    """Redirects followed per request (each hop is checked)."""
    max_concurrency: int = 16
    """Requests at once, overall."""
    max_per_host: int = 2
    """Requests at once to one host."""
    max_entries_per_feed: int = 500
    """Entries read from one feed per pass."""
    max_articles_per_feed: int = 50
    """Articles read per feed and pass (bounds a feed that suddenly lists thousands); the rest come later."""
    relevance_gate: bool = True
    """Keep pages that name no term of any topic unread (false: read every page)."""
    # Kept (compressed) so that `newswatch reprocess` can read it after the watch file changed.
    raw_retention: Period = timedelta(days=30)
    """How long a page kept unread is stored for `newswatch reprocess`: 30d, 12h, or days."""

    health_failures: int = 5
    """Failures in a row after which a feed raises a health alert."""
    health_silence_hours: float = 24.0
    """Hours without a new entry after which a feed raises a health alert."""
    apprise_secret_block: str = ""
    """A Prefect Secret block holding more apprise URLs (a string, or a list of them)."""
    alert_max_attempts: int = 8
    """Deliveries tried (with backoff) before an alert is marked failed."""
    # Failed deliveries wait base * 2^(attempts-1), at most max; a 429's Retry-After wins when given.
    alert_backoff_seconds: float = 60.0
    """Seconds before the first retry of a failed delivery; each retry waits twice as long."""
    alert_backoff_max_seconds: float = 6 * 3600.0
    """The longest wait between retries, in seconds."""
    # A row claimed for sending longer ago than this belongs to a run that died: another run may send it.
    # It must exceed one delivery (apprise gives up after 30 s); the lease is renewed before each message.
    alert_lease_seconds: float = 300.0
    """Seconds after which an alert a dead run was sending is sent by another."""
    # By the published time or, without one, when first seen.
    alert_max_age: float = 48.0
    """Entries older than this are stored, never alerted: hours, or 90m, 36h, 2d; 0 for no limit."""
    # A feed's first successful poll is its baseline: stored, not alerted. The demo turns this off to show
    # what alerts look like.
    first_poll_baseline: bool = True
    """A feed's first successful poll is stored, not alerted (false: alert it like any other)."""
    templates: Path | None = None
    """A directory of email templates replacing the bundled ones."""

    @field_validator("alert_max_age", mode="before")
    @classmethod
    def _age_in_hours(cls, value: object) -> object:
        """`48`, `48h`, `2d`, `90m` as hours; anything else is left for pydantic to refuse."""
        if isinstance(value, str) and (match := _AGE.match(value)):
            return float(match[1]) * _HOURS[match[2].lower()]
        return value


def get_settings() -> Settings:
    """Read the settings afresh from the environment (cheap; no caching so tests can change env)."""
    return Settings()


def backlog_rule(settings: Settings, *, baseline: bool = False) -> BacklogRule:
    """What a pass stores without alerting, from the settings (`baseline`: the whole pass)."""
    age = settings.alert_max_age
    return BacklogRule(
        max_age=timedelta(hours=age) if age > 0 else None,
        first_poll=settings.first_poll_baseline,
        everything=baseline,
    )
