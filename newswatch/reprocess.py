"""Run detection again over stored article text and store what changed (after the detector or watch file changed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from extractors.detect import detect, is_relevant
from extractors.findings import Figure, describe_figure
from extractors.findings import Finding as Detected
from extractors.limits import bound_findings
from extractors.topic import Topic
from newswatch.jobs import document_text
from newswatch.pipeline import alert_payload
from storage.claims import store_findings
from storage.db import session_scope
from storage.identity import claim_key
from storage.ledger import Target, enqueue
from storage.likeness import same_remark, statement_key
from storage.models import Article, Claim, Finding


@dataclass(frozen=True)
class ArticleDiff:
    """What re-running detection changed in one article for one topic."""

    article_id: int
    url: str
    topic: str
    appeared: tuple[str, ...]
    disappeared: tuple[str, ...]
    new_claims: int  # appeared findings that no stored article had reported before


@dataclass(frozen=True)
class ReprocessReport:
    """The whole run: articles read again, what changed, and the alerts queued (only with alert=True)."""

    articles: int
    diffs: tuple[ArticleDiff, ...]
    alerts_queued: int


def label(data: Mapping[str, object]) -> str:
    """A finding's stored data in a few words."""
    if data.get("kind") == "figure":
        fields = {k: data[k] for k in Figure.__dataclass_fields__ if k in data}
        figure = Figure(**fields)  # type: ignore[arg-type]
        return f"{describe_figure(figure)} ({figure.claimant or 'unattributed'})"
    return f"{data.get('speaker')}: “{str(data.get('quote') or '')[:80]}”"


def _still_found(row: Finding, claim: Claim, detected: Sequence[Detected]) -> bool:
    """Whether a stored finding is produced again by the detector (statements: a near-duplicate quote)."""
    for finding in detected:
        if claim_key(finding) == claim.key:
            return True
        if (
            row.kind == "statement"
            and finding.kind == "statement"
            and finding.speaker_key == claim.speaker_key
            and same_remark(statement_key(claim.quote or ""), statement_key(finding.quote))
        ):
            return True
    return False


def _stored(session: Session, article_id: int, topic: str) -> list[tuple[Finding, Claim]]:
    rows = session.exec(
        select(Finding, Claim)
        .join(Claim, col(Claim.id) == col(Finding.claim_id))
        .where(Finding.article_id == article_id, Finding.topic == topic)
    ).all()
    return [(f, c) for f, c in rows]


def reprocess_article(
    session: Session,
    article: Article,
    topic: Topic,
    *,
    targets: Mapping[str, Sequence[Target]] | None,
) -> tuple[ArticleDiff, int]:
    """Detect again in one stored article; store what appeared, drop what disappeared (the caller commits)."""
    assert article.id is not None
    document = document_text(article.title, article.text)
    found = detect(document, topic) if is_relevant(document, topic) else []
    detected = bound_findings(document, {topic.name: found}).findings[topic.name]  # as a pass would keep
    before = _stored(session, article.id, topic.name)
    gone = [(f, c) for f, c in before if not _still_found(f, c, detected)]
    if gone:
        session.execute(delete(Finding).where(col(Finding.id).in_([f.id for f, _ in gone])))
    known_ids = {f.id for f, _ in before}
    stored = store_findings(session, article=article, topic=topic.name, findings=detected)
    appeared = [f for f, _ in _stored(session, article.id, topic.name) if f.id not in known_ids]
    queued = 0
    if targets is not None:  # claims that are new everywhere; a claim alerted before is never new again
        for change in stored.new:
            queued += enqueue(
                session,
                subject=f"claim:{change.claim_id}",
                targets=targets.get(topic.name, ()),
                group_key=f"article:{article.id}",
                payload=alert_payload(change, topic, article),
            )
    diff = ArticleDiff(
        article_id=article.id,
        url=article.url,
        topic=topic.name,
        appeared=tuple(label(f.data) for f in appeared),
        disappeared=tuple(label(f.data) for f, _ in gone),
        new_claims=len(stored.new),
    )
    return diff, queued


def reprocess(
    engine: Engine,
    *,
    topics: Sequence[Topic],
    since: datetime | None = None,
    targets: Mapping[str, Sequence[Target]] | None = None,
) -> ReprocessReport:
    """Re-run detection over every stored article (fetched since `since`), oldest first, one transaction each.

    With `targets`, claims that no article had reported before are queued for alerting; without, they are
    stored silently (a detector change is not news). Either way nothing alerted before is alerted again.
    """
    with Session(engine) as session:
        query = select(Article.id).order_by(col(Article.published).asc().nulls_last(), col(Article.id))
        if since is not None:
            query = query.where(col(Article.fetched_at) >= since)
        ids = list(session.exec(query).all())
    diffs: list[ArticleDiff] = []
    queued = 0
    for article_id in ids:
        with session_scope(engine) as session:
            article = session.get_one(Article, article_id)
            for topic in topics:
                diff, count = reprocess_article(session, article, topic, targets=targets)
                queued += count
                if diff.appeared or diff.disappeared:
                    diffs.append(diff)
    return ReprocessReport(articles=len(ids), diffs=tuple(diffs), alerts_queued=queued)
