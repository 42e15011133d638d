"""Prefect events of a pass: one per new or revised finding, one per failed feed, for Automations.

Built as plain values (testable without a server), emitted after the pass's findings are committed, so an
Automation reacting to one finds it stored. A hostile page can carry hundreds of findings: the per-article
caps bound what is stored, and MAX_FINDING_EVENTS / MAX_FEED_EVENTS bound what one pass emits (the rest is
counted in the run's state message).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from prefect.events import emit_event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from alerts.escaping import event_text
from alerts.markup import safe_href
from extractors.findings import Figure, describe_figure
from newswatch.pipeline import ReadResult
from newswatch.polling import PollResult
from storage.claims import ClaimChange
from storage.queries import ArticleRef, article_refs

MAX_FINDING_EVENTS = 200  # per pass; more than an Automation should ever act on at once
MAX_FEED_EVENTS = 50  # per pass; a network outage fails every feed, and one run state says so already
TEXT_LIMIT = 500  # characters of a quote, a sentence or an error kept in a payload
NAME_LIMIT = 120  # characters of a resource's name (the UI's event list shows it)


@dataclass(frozen=True)
class PassEvent:
    """One event as Prefect takes it: name, resource, related resources and payload."""

    name: str
    resource: Mapping[str, str]
    related: tuple[Mapping[str, str], ...]
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class Emitted:
    """How many events a pass emitted, and how many the caps held back."""

    emitted: int
    over_cap: int


def _figure_fields(figure: Figure) -> dict[str, Any]:
    return {
        "value": figure.value,
        "low": figure.low,
        "high": figure.high,
        "qualifier": figure.qualifier,
        "unit": event_text(figure.unit, NAME_LIMIT),
        "unit_class": figure.unit_class,
        "claimant": event_text(figure.claimant or "", NAME_LIMIT) or None,
        "claimant_key": figure.claimant_key,
        "stance": figure.stance,
    }


def finding_event(change: ClaimChange, article_id: int | None, ref: ArticleRef | None) -> PassEvent:
    """The event of one new or revised finding: the finding as resource; topic, claim and article related."""
    finding = change.finding
    payload: dict[str, Any] = {"topic": change.topic, "change": change.change, "kind": finding.kind}
    if isinstance(finding, Figure):
        payload.update(_figure_fields(finding))
        name = describe_figure(finding)
        last = change.earlier[-1] if change.earlier else None
        payload["previous"] = [event_text(p, NAME_LIMIT) for p in change.previous]
        payload["previous_value"] = last.value if last else None
        payload["previous_low"] = last.low if last else None
        payload["previous_high"] = last.high if last else None
    else:
        speaker = event_text(finding.speaker, NAME_LIMIT)
        payload.update(
            speaker=speaker,
            speaker_key=finding.speaker_key,
            role=event_text(finding.role or "", NAME_LIMIT) or None,
            verb=finding.verb,
            quote=event_text(finding.quote, TEXT_LIMIT),
            direct=finding.direct,
        )
        name = f"{speaker}: {finding.quote}"
    payload["sentence"] = event_text(finding.sentence, TEXT_LIMIT)
    payload.update(
        claim_id=change.claim_id,
        finding_id=change.finding_id,
        article_id=article_id,
        article_url=safe_href(ref.url) if ref else None,  # an http(s) address, or nothing
        article_title=event_text(ref.title, NAME_LIMIT) if ref else None,
        outlet=event_text(ref.outlet, NAME_LIMIT) if ref else None,
    )
    resource = {
        "prefect.resource.id": f"newswatch.finding.{change.finding_id}",
        "prefect.resource.name": event_text(name, NAME_LIMIT),
        "newswatch.topic": change.topic,
        "newswatch.kind": finding.kind,
    }
    related: list[Mapping[str, str]] = [
        {"prefect.resource.id": f"newswatch.topic.{change.topic}", "prefect.resource.role": "topic"},
        {"prefect.resource.id": f"newswatch.claim.{change.claim_id}", "prefect.resource.role": "claim"},
    ]
    if article_id is not None:
        related.append(
            {
                "prefect.resource.id": f"newswatch.article.{article_id}",
                "prefect.resource.role": "article",
                "prefect.resource.name": payload["article_title"] or "",
            }
        )
    return PassEvent(f"newswatch.finding.{change.change}", resource, tuple(related), payload)


def _alerted(reads: Sequence[ReadResult]) -> Iterator[tuple[ClaimChange, int | None]]:
    """Each new or revised finding that is alerted (a feed's baseline is stored quietly, as it is for
    alerts), with its article, in the order they were stored."""
    for read in reads:
        if not read.baseline:
            yield from ((change, read.article_id) for change in read.new if not change.baseline)


def finding_events(
    reads: Sequence[ReadResult], refs: Mapping[int, ArticleRef], limit: int | None = None
) -> list[PassEvent]:
    """An event per alerted new or revised finding, the first `limit` of them (all when None)."""
    return [
        finding_event(change, article_id, refs.get(article_id) if article_id else None)
        for change, article_id in islice(_alerted(reads), limit)
    ]


def feed_event(poll: PollResult) -> PassEvent:
    """The event of one failed feed: the feed as resource, its error class as a label and in the payload."""
    url = event_text(poll.url, NAME_LIMIT)
    resource = {
        "prefect.resource.id": f"newswatch.feed.{poll.feed_id}",
        "prefect.resource.name": url,
        "newswatch.error-class": poll.status,
    }
    # The watch file's own URL, kept usable as a link when it is one (neutralised text otherwise).
    payload = {"url": safe_href(poll.url) or event_text(poll.url, TEXT_LIMIT), "error_class": poll.status}
    payload["error"] = event_text(poll.error or "", TEXT_LIMIT)
    return PassEvent("newswatch.feed.failed", resource, (), payload)


def capped(events: list[PassEvent], limit: int) -> tuple[list[PassEvent], int]:
    """The first `limit` events, and how many were left out."""
    return events[:limit], max(0, len(events) - limit)


def emit_pass_events(engine: Engine, reads: Sequence[ReadResult], failed: Sequence[PollResult]) -> Emitted:
    """Emit the pass's finding and failed-feed events (within the caps); call it after the commit."""
    wanted = [r.article_id for r in reads if r.new and r.article_id is not None]
    with Session(engine) as session:
        refs = article_refs(session, wanted)
    # Only the events within the cap are built: a hostile pass can store thousands of findings.
    findings = finding_events(reads, refs, MAX_FINDING_EVENTS)
    findings_over = sum(1 for _ in _alerted(reads)) - len(findings)
    feeds, feeds_over = capped([feed_event(p) for p in failed], MAX_FEED_EVENTS)
    sent = 0
    for event in [*findings, *feeds]:
        done = emit_event(
            event.name,
            resource=dict(event.resource),
            related=[dict(r) for r in event.related],
            payload=dict(event.payload),
        )
        sent += done is not None  # None: no Prefect API to send to (events are off)
    return Emitted(sent, findings_over + feeds_over)
