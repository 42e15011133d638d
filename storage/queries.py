"""Read-side queries: stored findings as flat rows with their evidence, for listing and export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import Article, Claim, Finding

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
        )
        rows.append(row)
    return rows
