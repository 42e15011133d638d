"""What goes into an alert: the new findings with their article, feed health, and the rendered message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from extractors.findings import Figure, Statement

Change = Literal["new_figure", "revised_figure", "new_statement"]
HealthState = Literal["failing", "silent", "recovered"]
# Who made a statement: a watch-file claimant, another named person or institution, or no one named
# ("officials said", "it said"): see alerts.speakers.
SpeakerClass = Literal["claimant", "named", "unnamed"]
# What a route can ask for; a finding's kind is its change, a health alert's is "feed_health".
ALERT_KINDS: tuple[str, ...] = ("new_figure", "revised_figure", "new_statement", "feed_health")
# Whose statements a route takes: identified speakers only (claimants, named people and institutions), or all.
SPEAKER_CHOICES: tuple[str, ...] = ("identified", "all")


@dataclass(frozen=True)
class Previous:
    """One of the claimant's earlier values: as shown ("about 1,500 troops (Oct 18)") and as numbers."""

    display: str
    value: int | None = None
    low: int | None = None
    high: int | None = None
    published: datetime | None = None


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
    earlier: tuple[Previous, ...] = ()  # the same earlier values with their numbers, when known
    # The watch file's name for the claimant or speaker ("National Intelligence Service (NIS)"), if any.
    known_as: str = ""
    speaker_class: SpeakerClass = "named"


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
    """One rendered alert, in every form a channel may want."""

    title: str  # the subject: at most 90 characters, the most important finding first
    markdown: str  # CommonMark for Markdown services
    html: str  # a complete HTML document, for email
    text: str  # the plain-text part of an email, the terminal, a webhook's "message"
    slack: str = ""  # CommonMark that apprise turns into Slack mrkdwn without a stray escape ("" = markdown)
    data: dict[str, Any] | None = None  # structured fields for webhooks (the "newswatch" object)
