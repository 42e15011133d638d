"""Novelty: store an article's findings as claims, telling new, revised and repeated apart."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from extractors.findings import Figure, Statement, describe_figure
from extractors.findings import Finding as Detected
from extractors.statements import quote_key, same_statement
from storage.models import Article, Claim, Finding, utcnow


@dataclass(frozen=True)
class ClaimChange:
    """A finding that is new for its topic: what changed, and the claimant's earlier values."""

    claim_id: int
    finding_id: int
    topic: str
    change: str  # new_figure, revised_figure, new_statement
    finding: Detected
    previous: tuple[str, ...]


@dataclass(frozen=True)
class StoredFindings:
    """What storing one article's findings for one topic did."""

    new: tuple[ClaimChange, ...]
    repeated: int


def claim_key(finding: Detected) -> str:
    """The identity of a claim: unit class, claimant and value for figures; speaker and quote for statements."""
    if isinstance(finding, Figure):
        value = f"{'+' if finding.delta else ''}{finding.value}:{finding.low}:{finding.high}"
        vague = ":vague" if finding.vague else ""
        return f"figure:{finding.unit_class}:{finding.claimant_key or '-'}:{value}{vague}"
    digest = hashlib.sha256(quote_key(finding.quote).encode()).hexdigest()[:20]
    return f"statement:{finding.speaker_key}:{digest}"


def _matching_claim(session: Session, *, topic: str, key: str, finding: Detected) -> Claim | None:
    claim = session.exec(select(Claim).where(Claim.topic == topic, Claim.key == key)).first()
    if claim is not None or not isinstance(finding, Statement):
        return claim
    # One quote carried by ten outlets with small differences is one statement.
    same_speaker = session.exec(
        select(Claim).where(
            Claim.topic == topic, Claim.kind == "statement", Claim.speaker_key == finding.speaker_key
        )
    ).all()
    return next((c for c in same_speaker if c.quote and same_statement(c.quote, finding.quote)), None)


def _previous_values(session: Session, *, topic: str, figure: Figure, key: str) -> tuple[str, ...]:
    """The claimant's earlier values for the same unit class, oldest first (empty: not a revision)."""
    if figure.claimant_key is None or figure.delta:
        return ()
    rows = session.exec(
        select(Claim)
        .where(
            Claim.topic == topic,
            Claim.kind == "figure",
            Claim.unit_class == figure.unit_class,
            Claim.claimant_key == figure.claimant_key,
            Claim.key != key,
            col(Claim.key).not_like("figure:%:+%"),
        )
        .order_by(func.coalesce(col(Claim.first_published_at), col(Claim.first_seen_at)), col(Claim.id))
    ).all()
    return tuple(_dated(c) for c in rows)


def _dated(claim: Claim) -> str:
    moment = claim.first_published_at or claim.first_seen_at
    when = f"{moment:%b} {moment.day}" if moment else ""
    return f"{claim.display} ({when})" if when else claim.display


def _new_claim(topic: str, key: str, finding: Detected, article: Article, change: str) -> Claim:
    if isinstance(finding, Figure):
        return Claim(
            topic=topic,
            kind="figure",
            key=key,
            unit_class=finding.unit_class,
            claimant_key=finding.claimant_key,
            value=finding.value,
            low=finding.low,
            high=finding.high,
            display=describe_figure(finding),
            change=change,
            first_seen_at=utcnow(),
            first_published_at=article.published,
            first_article_id=article.id,
            first_outlet=article.outlet,
        )
    return Claim(
        topic=topic,
        kind="statement",
        key=key,
        speaker_key=finding.speaker_key,
        quote=finding.quote,
        display=f"{finding.speaker}: {finding.quote[:120]}",
        change=change,
        first_seen_at=utcnow(),
        first_article_id=article.id,
        first_outlet=article.outlet,
    )


def _count_outlet(session: Session, claim: Claim, article: Article) -> None:
    """Corroboration: one more outlet when no earlier finding of the claim came from this outlet."""
    seen = session.exec(
        select(Finding.id)
        .join(Article, col(Article.id) == col(Finding.article_id))
        .where(Finding.claim_id == claim.id, Article.outlet == article.outlet)
    ).first()
    if seen is None:
        session.execute(update(Claim).where(col(Claim.id) == claim.id).values(outlets=Claim.outlets + 1))


def store_findings(
    session: Session, *, article: Article, topic: str, findings: Sequence[Detected]
) -> StoredFindings:
    """Store findings of one article for one topic; returns the new ones (the caller commits)."""
    new: list[ClaimChange] = []
    repeated = 0
    for finding in findings:
        key = claim_key(finding)
        claim = _matching_claim(session, topic=topic, key=key, finding=finding)
        previous: tuple[str, ...] = ()
        if claim is None:
            if isinstance(finding, Figure):
                previous = _previous_values(session, topic=topic, figure=finding, key=key)
                change = "revised_figure" if previous else "new_figure"
            else:
                change = "new_statement"
            claim = _new_claim(topic, key, finding, article, change)
            try:
                with session.begin_nested():  # a concurrent run may have inserted it first
                    session.add(claim)
            except IntegrityError:
                claim = session.exec(select(Claim).where(Claim.topic == topic, Claim.key == key)).one()
            else:
                stored = _add_finding(session, article=article, claim=claim, finding=finding, is_new=True)
                if stored is not None and claim.id is not None:
                    new.append(ClaimChange(claim.id, stored, topic, change, finding, previous))
                continue
        if _has_finding(session, article=article, claim=claim):
            continue  # the same claim twice in one article, or the article re-read
        _count_outlet(session, claim, article)
        _add_finding(session, article=article, claim=claim, finding=finding, is_new=False)
        repeated += 1
    return StoredFindings(new=tuple(new), repeated=repeated)


def _has_finding(session: Session, *, article: Article, claim: Claim) -> bool:
    row = session.exec(
        select(Finding.id).where(Finding.article_id == article.id, Finding.claim_id == claim.id)
    ).first()
    return row is not None


def _add_finding(
    session: Session, *, article: Article, claim: Claim, finding: Detected, is_new: bool
) -> int | None:
    assert article.id is not None and claim.id is not None
    row = Finding(
        article_id=article.id,
        claim_id=claim.id,
        topic=claim.topic,
        kind=claim.kind,
        data=finding.to_dict(),
        sentence=finding.sentence,
        start=finding.start,
        end=finding.end,
        is_new=is_new,
        found_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row.id
