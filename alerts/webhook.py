"""Structured alerts for machines: the `newswatch` object a webhook (json://, jsons://) receives.

Each finding is one flat record with the fields a program needs (topic, change, kind, value, low, high,
qualifier, unit, unit class, claimant, speaker, quote, sentence, previous value, article title, outlet,
published, URL), so that no one has to parse Markdown. Text is as the feed or page gave it, cleaned of
control characters: JSON carries it as data, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alerts.markup import clean
from alerts.message import AlertItem, HealthItem
from alerts.story import rank

SCHEMA = 1  # raised when a field changes meaning or goes away; new fields keep it


def _text(value: str | None) -> str | None:
    return None if value is None else clean(value)


def finding_record(item: AlertItem) -> dict[str, Any]:
    """One finding as a flat record (figure fields are null for a statement, and the other way round)."""
    f = item.finding
    figure = f.kind == "figure"
    last = item.earlier[-1] if item.earlier else None
    record: dict[str, Any] = {
        "topic": item.topic,
        "topic_title": _text(item.topic_title),
        "change": item.change,
        "kind": f.kind,
        "value": getattr(f, "value", None),
        "low": getattr(f, "low", None),
        "high": getattr(f, "high", None),
        "vague": getattr(f, "vague", None),
        "qualifier": getattr(f, "qualifier", None),
        "unit": _text(getattr(f, "unit", None)),
        "unit_class": getattr(f, "unit_class", None),
        "claimant": _text(getattr(f, "claimant", None)),
        "claimant_key": getattr(f, "claimant_key", None),
        "stance": getattr(f, "stance", None),
        "speaker": None if figure else _text(getattr(f, "speaker", None)),
        "speaker_key": getattr(f, "speaker_key", None),
        "speaker_class": None if figure else item.speaker_class,
        "role": _text(getattr(f, "role", None)),
        "quote": None if figure else _text(getattr(f, "quote", None)),
        "direct": getattr(f, "direct", None),
        "sentence": _text(f.sentence),
        "previous": [_text(p) for p in item.previous],
        "previous_value": last.value if last else None,
        "previous_low": last.low if last else None,
        "previous_high": last.high if last else None,
        "article_title": _text(item.article_title),
        "outlet": _text(item.outlet),
        "published": item.published.isoformat() if item.published else None,
        "url": item.url,
    }
    return record


def findings_data(kind: str, items: Sequence[AlertItem]) -> dict[str, Any]:
    """The `newswatch` object of a message about findings: every finding, the most important first."""
    ordered = sorted(items, key=lambda i: (rank(i), i.url, i.finding.start))
    return {
        "schema": SCHEMA,
        "kind": kind,  # instant (one article) or digest (one topic)
        "topics": sorted({i.topic for i in items}),
        "articles": len({i.url for i in items}),
        "findings": [finding_record(i) for i in ordered],
    }


def health_data(item: HealthItem, feed: str) -> dict[str, Any]:
    """The `newswatch` object of a feed-health alert (`feed`: the URL without its credentials)."""
    return {
        "schema": SCHEMA,
        "kind": "feed_health",
        "feed": feed,
        "state": item.state,
        "failures": item.failures,
        "last_error": _text(item.last_error),
        "since": item.since.isoformat() if item.since else None,
    }
