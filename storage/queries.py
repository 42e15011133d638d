"""Read-side queries: stored findings as flat rows with their evidence, for listing and export."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import AlertDelivery, Article, Claim, Entry, Feed, Finding

# The stable columns of `newswatch findings --format csv|json`, in order.
FINDING_COLUMNS = (
    "id",
    "topic",
    "kind",
    "change",
    "found_at",
    "claim_id",
    "outlets",
    "first_reported_by",
    "value",
    "low",
    "high",
    "vague",
    "qualifier",
    "unit",
    "unit_class",
    "claimant",
    "claimant_key",
    "stance",
    "speaker",
    "role",
    "verb",
    "quote",
    "direct",
    "sentence",
    "start",
    "end",
    "article_title",
    "outlet",
    "published",
    "url",
    "baseline",
)


def list_findings(
    session: Session,
    *,
    topic: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    claimant: str | None = None,
) -> list[dict[str, Any]]:
    """Every stored finding matching the filters, oldest first, as a flat row of FINDING_COLUMNS."""
    query = (
        select(Finding, Claim, Article)
        .join(Claim, col(Claim.id) == col(Finding.claim_id))
        .join(Article, col(Article.id) == col(Finding.article_id))
        .order_by(col(Finding.found_at), col(Finding.id))
    )
    if topic:
        query = query.where(Finding.topic == topic)
    if kind:
        query = query.where(Finding.kind == kind)
    if since:
        query = query.where(col(Finding.found_at) >= since)
    rows = []
    for finding, claim, article in session.exec(query).all():
        data = finding.data
        who = (
            (data.get("claimant") or "")
            + " "
            + (data.get("claimant_key") or "")
            + " "
            + (data.get("speaker") or "")
        )
        if claimant and claimant.lower() not in who.lower():
            continue
        row: dict[str, Any] = dict.fromkeys(FINDING_COLUMNS)
        row.update({k: v for k, v in data.items() if k in row})
        row.update(
            id=finding.id,
            topic=finding.topic,
            kind=finding.kind,
            change=claim.change if finding.is_new else "repeat",
            found_at=finding.found_at.isoformat() if finding.found_at else None,
            claim_id=claim.id,
            outlets=claim.outlets,
            first_reported_by=claim.first_outlet,
            sentence=finding.sentence,
            start=finding.start,
            end=finding.end,
            article_title=article.title,
            outlet=article.outlet,
            published=article.published.isoformat() if article.published else None,
            url=article.url,
            # Why the claim was stored without an alert (first_poll, max_age, baseline_run), on its first report.
            baseline=claim.baseline if finding.is_new else None,
        )
        rows.append(row)
    return rows


def known_topics(session: Session) -> list[str]:
    """The topics that have stored findings, by name."""
    return sorted(session.exec(select(Finding.topic).distinct()).all())


@dataclass(frozen=True)
class FigurePoint:
    """One distinct figure (a claim) as first reported: who, how many, when, where, and the sentence."""

    topic: str
    unit_class: str
    claimant_key: str | None
    claimant: str | None  # as written in the first article
    value: int | None
    low: int | None
    high: int | None
    vague: bool
    delta: bool
    qualifier: str
    unit: str
    stance: str
    change: str  # new_figure or revised_figure
    when: datetime | None  # the first article's publication time, else when it was first seen
    outlet: str
    outlets: int  # corroboration: how many outlets reported it
    title: str
    url: str
    sentence: str


def figure_points(session: Session, *, topic: str | None = None) -> list[FigurePoint]:
    """Every distinct stored figure with its first report, oldest first (the data of `newswatch timeline`)."""
    query = (
        select(Finding, Claim, Article)
        .join(Claim, col(Claim.id) == col(Finding.claim_id))
        .join(Article, col(Article.id) == col(Finding.article_id))
        .where(Finding.kind == "figure", col(Finding.is_new))
        .order_by(col(Finding.id))
    )
    if topic:
        query = query.where(Finding.topic == topic)
    points = []
    for finding, claim, article in session.exec(query).all():
        data = finding.data
        points.append(
            FigurePoint(
                topic=finding.topic,
                unit_class=str(data.get("unit_class") or claim.unit_class or "?"),
                claimant_key=data.get("claimant_key"),
                claimant=data.get("claimant"),
                value=data.get("value"),
                low=data.get("low"),
                high=data.get("high"),
                vague=bool(data.get("vague")),
                delta=bool(data.get("delta")),
                qualifier=str(data.get("qualifier") or "none"),
                unit=str(data.get("unit") or ""),
                stance=str(data.get("stance") or ""),
                change=claim.change,
                when=claim.first_published_at or article.published or claim.first_seen_at,
                outlet=article.outlet,
                outlets=claim.outlets,
                title=article.title or "",
                url=article.url,
                sentence=finding.sentence,
            )
        )
    points.sort(key=lambda p: (p.when is None, p.when or datetime.min))
    return points


@dataclass(frozen=True)
class ArticleRef:
    """How a report names and links an article."""

    title: str
    outlet: str
    url: str


def article_refs(session: Session, ids: Iterable[int]) -> dict[int, ArticleRef]:
    """Title, outlet and URL of the articles with these ids."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.exec(select(Article).where(col(Article.id).in_(wanted))).all()
    return {a.id: ArticleRef(a.title or a.url, a.outlet, a.url) for a in rows if a.id is not None}


@dataclass(frozen=True)
class PassProgress:
    """How far a running pass has got, as the database shows it."""

    feeds_polled: int
    entries_waiting: int  # entries seen but not yet read and stored
    articles_stored: int


def pass_progress(session: Session, *, since: datetime) -> PassProgress:
    """Feeds polled, their entries waiting, and entries stored since `since` (a live view of the pass that
    started then), in one statement with no list of feeds: over a thousand feeds, three queries naming
    them all took seconds of a pass's CPU. A pass overlapping it on other feeds would count in too."""
    polled = select(func.count()).select_from(Feed).where(col(Feed.last_polled_at) >= since)
    waiting = (
        select(func.count())
        .select_from(Entry)
        .join(Feed, col(Feed.id) == col(Entry.feed_id))
        .where(col(Feed.last_polled_at) >= since, col(Entry.processed_at).is_(None))
    )
    stored = select(func.count()).select_from(Entry).where(col(Entry.processed_at) >= since)
    row = session.exec(
        select(polled.scalar_subquery(), waiting.scalar_subquery(), stored.scalar_subquery())
    ).one()
    return PassProgress(int(row[0]), int(row[1]), int(row[2]))


def delivery_counts(session: Session) -> dict[str, int]:
    """How many alert deliveries are in each status (pending, sending, sent, failed)."""
    rows = session.exec(select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)).all()
    return {status: int(count) for status, count in rows}


@dataclass(frozen=True)
class PassCounts:
    """What the passes between two times did, as the database shows it."""

    feeds: int  # polled
    failed: int  # of them, whose poll failed
    new_findings: int  # that first reported their claim
    alerts_sent: int  # deliveries (finding x channel) sent


def pass_counts(session: Session, *, since: datetime, until: datetime) -> PassCounts:
    """Feeds polled (and failed), new findings and alerts sent between `since` and `until`, in one statement
    (read just after a pass ends: a feed polled again later counts for the later pass)."""
    polled = col(Feed.last_polled_at).between(since, until)
    feeds = select(func.count()).select_from(Feed).where(polled)
    failed = (
        select(func.count())
        .select_from(Feed)
        .where(polled, col(Feed.last_status).not_in(("ok", "not_modified")))
    )
    new = (
        select(func.count())
        .select_from(Finding)
        .where(col(Finding.is_new), col(Finding.found_at).between(since, until))
    )
    sent = (
        select(func.count())
        .select_from(AlertDelivery)
        .where(col(AlertDelivery.status) == "sent", col(AlertDelivery.sent_at).between(since, until))
    )
    row = session.exec(
        select(
            feeds.scalar_subquery(), failed.scalar_subquery(), new.scalar_subquery(), sent.scalar_subquery()
        )
    ).one()
    return PassCounts(*(int(n) for n in row))
