"""What makes two findings one claim, and how a new claim and a claimant's earlier values are written down."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from extractors.findings import Figure, describe_figure
from extractors.findings import Finding as Detected
from storage.likeness import statement_key
from storage.models import Article, Claim, utcnow

REPORTED = "reported"  # the claimant of a figure no one is named for: its revisions are the press's


@dataclass(frozen=True)
class Earlier:
    """One of a claimant's earlier values, as an alert shows it and as numbers (webhooks, subjects)."""

    display: str  # "about 1,500 special forces (Oct 18)"
    value: int | None
    low: int | None
    high: int | None
    published: datetime | None


def series(figure: Figure) -> str:
    """What a figure's values are a series of: its unit class, or for a part of a toll also the part
    ("killed/children"), so that 13 children killed never revises 38 people killed."""
    if not figure.subset:
        return figure.unit_class
    noun = figure.unit.lower().split()[-1] if figure.unit else ""
    return f"{figure.unit_class}/{noun}"


def claim_key(finding: Detected) -> str:
    """The identity of a claim: unit class, claimant and value for figures; speaker and quote for statements.

    The qualifier is no part of it: "about 3,000" and "some 3,000" are one figure in other words."""
    if isinstance(finding, Figure):
        value = f"{'+' if finding.delta else ''}{finding.value}:{finding.low}:{finding.high}"
        vague = ":vague" if finding.vague else ""
        return f"figure:{series(finding)}:{finding.claimant_key or '-'}:{value}{vague}"
    digest = hashlib.sha256(statement_key(finding.quote).encode()).hexdigest()[:20]
    return f"statement:{finding.speaker_key}:{digest}"


def series_of(claim: Claim) -> str:
    """A stored claim's series, read back from its key (figure:<series>:<claimant>:<value>)."""
    parts = claim.key.split(":")
    return parts[1] if len(parts) > 1 and parts[0] == "figure" else claim.unit_class or ""


def as_earlier(claims: list[Claim]) -> tuple[Earlier, ...]:
    """Claims as earlier values, in the order given."""
    return tuple(
        Earlier(_dated(c), c.value, c.low, c.high, c.first_published_at or c.first_seen_at) for c in claims
    )


def _dated(claim: Claim) -> str:
    """ "1,500 troops (Oct 18)", with the year when it is not this one ("(Dec 8, 2024)")."""
    moment = claim.first_published_at or claim.first_seen_at
    if moment is None:
        return claim.display
    year = f", {moment.year}" if moment.year != utcnow().year else ""
    return f"{claim.display} ({moment:%b} {moment.day}{year})"


def new_claim(
    topic: str, key: str, finding: Detected, article: Article, change: str, baseline: str | None
) -> Claim:
    """The claim a finding starts, first reported by `article` (`baseline`: why it is not alerted)."""
    claim = Claim(
        topic=topic,
        kind=finding.kind,
        key=key,
        change=change,
        first_seen_at=utcnow(),
        first_article_id=article.id,
        first_outlet=article.outlet,
        source="feed" if article.source == "feed" else "page",
        baseline=baseline,
    )
    if isinstance(finding, Figure):
        claim.unit_class, claim.claimant_key = finding.unit_class, finding.claimant_key
        claim.value, claim.low, claim.high = finding.value, finding.low, finding.high
        claim.display, claim.first_published_at = describe_figure(finding), article.published
    else:
        claim.speaker_key, claim.quote = finding.speaker_key, finding.quote
        claim.display = f"{finding.speaker}: {finding.quote[:120]}"
    return claim
