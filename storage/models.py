"""SQLModel tables: feeds, entries, articles, pages kept unread, findings, claims and the alert ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, LargeBinary, Text, TypeDecorator, UniqueConstraint, text
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class FeedBase(SQLModel):
    url: str = Field(max_length=2048, unique=True)
    title: str | None = None


class Feed(FeedBase, table=True):
    """A polled feed with its fetch state (conditional GET) and health."""

    __table_args__ = (Index("ix_feed_next_poll", "next_poll_at"),)
    id: int | None = Field(default=None, primary_key=True)
    etag: str | None = None
    last_modified: str | None = None
    last_status: str | None = None  # ok, not_modified, or an error class (timeout, http_status, ...)
    last_error: str | None = None
    bozo: bool = False
    last_polled_at: datetime | None = _when()
    last_success_at: datetime | None = _when()
    last_new_entry_at: datetime | None = _when()
    failures_in_row: int = 0
    next_poll_at: datetime | None = _when()
    health: str = "ok"  # ok, failing, silent: the state last alerted, so each change alerts once
    created_at: datetime | None = _when()
    # Its first successful poll: what the feed carried then, or had published before, is its baseline,
    # stored and never alerted.
    baseline_at: datetime | None = _when()


class Entry(SQLModel, table=True):
    """A feed item; processed only once its article was read and its findings stored."""

    __table_args__ = (
        UniqueConstraint("feed_id", "guid", name="uq_entry_feed_guid"),
        # The entries still to read: a small partial index however long the history grows.
        Index(
            "ix_entry_unprocessed",
            "feed_id",
            "published",
            postgresql_where=text("processed_at IS NULL"),
            sqlite_where=text("processed_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(foreign_key="feed.id")  # uq_entry_feed_guid serves lookups by feed
    guid: str = Field(max_length=2048)
    link: str = Field(max_length=2048)
    title: str = ""
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    published: datetime | None = _when()
    first_seen_at: datetime | None = _when()
    article_id: int | None = Field(default=None, foreign_key="article.id", index=True)
    processed_at: datetime | None = _when()


class Article(SQLModel, table=True):
    """An article's text and metadata, fetched once per canonical URL."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048, unique=True)
    title: str | None = None
    author: str | None = None
    published: datetime | None = _when()
    site_name: str | None = None
    outlet: str = ""  # site name, else the host: what "reported by" and corroboration count
    language: str | None = None
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text_hash: str = ""
    source: str = "page"  # page, or feed when the feed's summary stood in for the page
    fallback_reason: str | None = None
    findings_dropped: int = 0  # findings past the per-article cap, not stored (a page of numbers)
    fetched_at: datetime | None = _when()


class RawPage(SQLModel, table=True):
    """A page the relevance gate left unread: its markup compressed, kept for reprocessing until it expires."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048, unique=True)
    entry_id: int = Field(foreign_key="entry.id", index=True)  # the entry whose link it is
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # newswatch.packing
    codec: str = "zstd"
    size: int = 0  # bytes before compression
    gate: str = Field(default="", max_length=64)  # the fingerprint of the gate that skipped it
    kept_at: datetime | None = _when(index=True)  # expired rows are purged by this


class Claim(SQLModel, table=True):
    """One distinct figure or statement across articles, with its corroboration."""

    __table_args__ = (
        UniqueConstraint("topic", "key", name="uq_claim_topic_key"),
        Index("ix_claim_lookup", "topic", "kind", "unit_class", "claimant_key"),
        Index("ix_claim_speaker", "topic", "kind", "speaker_key"),
    )
    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=200)
    kind: str  # figure or statement
    key: str = Field(max_length=512)
    unit_class: str | None = None
    claimant_key: str | None = None
    value: int | None = None
    low: int | None = None
    high: int | None = None
    speaker_key: str | None = None
    quote: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    display: str = ""  # how the claim reads in a list: "up to 10,000 troops (zelenskyy)"
    change: str = "new"  # new_figure, revised_figure or new_statement: what it was when first seen
    first_seen_at: datetime | None = _when()
    first_published_at: datetime | None = _when()  # when the first article reporting it was published
    first_article_id: int | None = Field(default=None, foreign_key="article.id")
    first_outlet: str = ""
    outlets: int = 1
    # page once an outlet's page carries it; feed while only feeds' summaries do (never a revision's
    # earlier value, and never counted as an outlet's corroboration).
    source: str = "page"
    # Why the claim was stored without an alert (first_poll, max_age, baseline_run); None: it was news.
    baseline: str | None = None


class Finding(SQLModel, table=True):
    """One figure or statement as found in one article, with its evidence."""

    __table_args__ = (UniqueConstraint("article_id", "claim_id", name="uq_finding_article_claim"),)
    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    topic: str = Field(max_length=200)
    kind: str
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sentence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    start: int = 0
    end: int = 0
    is_new: bool = False  # this finding first reported its claim
    found_at: datetime | None = _when(index=True)


class AlertDelivery(SQLModel, table=True):
    """The ledger: one row per alert subject and channel; sent only once the channel accepted it."""

    __table_args__ = (
        UniqueConstraint("subject", "channel", name="uq_delivery_subject_channel"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=512)  # claim:<id> or health:<feed id>:<state>:<time>
    channel: str = Field(max_length=200)  # a non-secret channel id, never the URL
    mode: str = "instant"
    group_key: str = ""  # rows sent together in one message (instant: the article)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = "pending"  # pending, sending, sent, failed (after the cap; retried by hand)
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime | None = _when()
    next_attempt_at: datetime | None = _when()
    claimed_at: datetime | None = _when()
    # Which claim holds a row in "sending" (random per claim): only its holder may fail or release it.
    claimed_by: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = _when()
