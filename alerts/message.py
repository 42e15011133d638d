"""What goes into an alert: the new findings with their article, feed health, and the rendered message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from extractors.findings import Figure, Statement

Change = Literal["new_figure", "revised_figure", "new_statement"]
HealthState = Literal["failing", "silent", "recovered"]
# What a route can ask for; a finding's kind is its change, a health alert's is "feed_health".
ALERT_KINDS: tuple[str, ...] = ("new_figure", "revised_figure", "new_statement", "feed_health")


@dataclass(frozen=True)
class AlertItem:
    """One new finding to announce, with the article it came from."""

    topic: str  # topic key, e.g. "nk-troops-russia"
    topic_title: str
    change: Change
    finding: Figure | Statement
    # The claimant's earlier values as display strings, oldest first: ("1,500 (Oct 18)", "3,000 (Oct 23)").
    previous: tuple[str, ...]
    article_title: str
    outlet: str
    published: datetime | None
    url: str


@dataclass(frozen=True)
class HealthItem:
    """A feed that started failing, went silent, or recovered."""

    feed_url: str
    state: HealthState
    failures: int
    last_error: str | None
    since: datetime | None


@dataclass(frozen=True)
class Message:
    """One rendered alert, in every format a channel may want."""

    title: str
    markdown: str  # Slack-friendly Markdown
    html: str  # for email
    text: str  # plain-text part / terminal
