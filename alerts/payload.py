"""An alert as the ledger keeps it: a finding frozen into a JSON payload when it is stored, and read back.

What the message needs is decided when the finding is stored (the watch file may change before it is
sent): the speaker's class, the claimant's name in the watch file, the earlier values with their numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from alerts.message import AlertItem, HealthItem, Previous
from alerts.speakers import speaker_class
from extractors.findings import Figure, Statement
from extractors.topic import Topic


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _when(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


def finding_payload(
    *,
    topic: Topic,
    change: str,
    finding: Figure | Statement,
    earlier: Sequence[Previous],
    article_title: str,
    outlet: str,
    published: datetime | None,
    url: str,
) -> dict[str, Any]:
    """What an alert needs, frozen when its finding is stored (the ledger row carries it)."""
    claimants = {c.key: c.name for c in topic.claimants}
    key = finding.claimant_key if isinstance(finding, Figure) else finding.speaker_key
    return {
        "type": "finding",
        "topic": topic.name,
        "topic_title": topic.title,
        "change": change,
        "finding": finding.to_dict(),
        "previous": [p.display for p in earlier],
        "earlier": [
            {
                "display": p.display,
                "value": p.value,
                "low": p.low,
                "high": p.high,
                "published": _iso(p.published),
            }
            for p in earlier
        ],
        "known_as": claimants.get(key or "", ""),
        "speaker_class": speaker_class(finding, claimants) if isinstance(finding, Statement) else "named",
        "article_title": article_title,
        "outlet": outlet,
        "published": _iso(published),
        "url": url,
    }


def item_of(payload: dict[str, Any]) -> AlertItem:
    """The alert item frozen into a finding row's payload (rows written before the payload had `earlier`,
    `known_as` and `speaker_class` read with what can be known)."""
    data = dict(payload["finding"])
    kind = data.pop("kind", "figure")
    if "parts" in data:
        data["parts"] = tuple(data["parts"])
    finding = Figure(**data) if kind == "figure" else Statement(**data)
    earlier = tuple(
        Previous(e["display"], e.get("value"), e.get("low"), e.get("high"), _when(e.get("published")))
        for e in payload.get("earlier") or ()
    )
    return AlertItem(
        topic=payload["topic"],
        topic_title=payload["topic_title"],
        change=payload["change"],
        finding=finding,
        previous=tuple(payload.get("previous") or ()),
        article_title=payload.get("article_title") or "",
        outlet=payload.get("outlet") or "",
        published=_when(payload.get("published")),
        url=payload.get("url") or "",
        earlier=earlier,
        known_as=payload.get("known_as") or "",
        speaker_class=payload.get("speaker_class") or "named",
    )


def health_of(payload: dict[str, Any]) -> HealthItem:
    """The feed-health change frozen into a health row's payload."""
    return HealthItem(
        feed_url=payload["feed_url"],
        state=payload["state"],
        failures=int(payload.get("failures", 0)),
        last_error=payload.get("last_error"),
        since=_when(payload.get("since")),
    )
