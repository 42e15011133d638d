"""One settings class: every knob newswatch reads from the environment or `.env`."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_WATCH_FILE = Path(__file__).with_name("watch.yaml")


def default_database_url() -> str:
    """SQLite in the per-user data directory (created on first use)."""
    path = user_data_path("newswatch", appauthor=False) / "newswatch.db"
    return f"sqlite:///{path}"


class Settings(BaseSettings):
    """newswatch configuration; every field can be set as NEWSWATCH_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="NEWSWATCH_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    # A secret: only ever shown masked (see alerts.channels.mask_url).
    apprise_urls: SecretStr = SecretStr("")
    watch_file: Path = BUNDLED_WATCH_FILE
    # Empty means: refuse every non-public address. Comma-separated addresses or CIDRs.
    allowed_networks: str = ""

    user_agent: str = "newswatch/0.1 (+https://github.com/newswatch/newswatch; news monitor)"
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    # Wall-clock cap for one request, body included: a server dripping a byte a second is cut off.
    request_deadline: float = 60.0
    max_response_bytes: int = 10_000_000
    max_redirects: int = 5
    max_concurrency: int = 16
    max_per_host: int = 2
    max_entries_per_feed: int = 500
    # Articles read per feed and pass: bounds the cost of a feed that suddenly lists thousands of items.
    max_articles_per_feed: int = 50

    health_failures: int = 5
    health_silence_hours: float = 24.0
    alert_max_attempts: int = 8

    @cached_property
    def apprise_url_list(self) -> list[str]:
        """The apprise URLs, split on commas and whitespace."""
        raw = self.apprise_urls.get_secret_value().replace(",", " ")
        return [u for u in raw.split() if u]


def get_settings() -> Settings:
    """Read the settings afresh from the environment (cheap; no caching so tests can change env)."""
    return Settings()
