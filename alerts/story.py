"""Findings as stories: grouped by article, the most important first, a handful shown and the rest counted.

An email led with a revised figure followed by twelve statements, and named its article last. Now a
message is about one article (or, in a digest, one topic), the article comes first, then at most a
handful of findings in this order: revised figures, new figures, statements of the watch file's
claimants, statements of other named speakers, unnamed narration (digests only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from alerts.message import AlertItem
from extractors.findings import Figure, Statement

SHOWN = 6  # findings an instant message shows; the rest are counted ("and 4 more")
DIGEST_SHOWN = 3  # findings shown per article in a digest
DIGEST_STORIES = 10  # articles a digest shows; the rest are counted


def rank(item: AlertItem) -> int:
    """How important a finding is, 0 first: revised figure, new figure, a claimant's statement, another
    named speaker's, unnamed narration."""
    if item.change == "revised_figure":
        return 0
    if item.change == "new_figure":
        return 1
    return {"claimant": 2, "named": 3}.get(item.speaker_class, 4)


@dataclass(frozen=True)
class Story:
    """One article and its new findings: those shown, most important first, and those only counted."""

    title: str
    outlet: str
    published: datetime | None
    url: str
    shown: tuple[AlertItem, ...]
    more: tuple[AlertItem, ...]
    # Statements whose sentence is a figure's evidence and whose speaker is its claimant ("the NIS said
    # around 3,000 soldiers were in Russia"): the figure says it, so they are carried but not listed.
    folded: tuple[AlertItem, ...] = ()

    @property
    def items(self) -> tuple[AlertItem, ...]:
        """Every finding of the story, in order."""
        return self.shown + self.more + self.folded

    @property
    def best(self) -> int:
        """The rank of its most important finding."""
        return rank(self.shown[0])


def story(items: Sequence[AlertItem], shown: int = SHOWN) -> Story:
    """One article's findings (all with the same URL) as a story showing at most `shown` of them."""
    if not items:
        raise ValueError("a story needs at least one finding")
    said = {(i.finding.sentence, i.finding.claimant_key) for i in items if isinstance(i.finding, Figure)}
    folded = [
        i
        for i in items
        if isinstance(i.finding, Statement) and (i.finding.sentence, i.finding.speaker_key) in said
    ]
    # The order of appearance breaks ties: the article's own order.
    ordered = sorted((i for i in items if i not in folded), key=lambda i: (rank(i), i.finding.start))
    first = items[0]
    return Story(
        first.article_title,
        first.outlet,
        first.published,
        first.url,
        tuple(ordered[:shown]),
        tuple(ordered[shown:]),
        tuple(folded),
    )


def stories(items: Sequence[AlertItem], shown: int = SHOWN) -> list[Story]:
    """Findings grouped by article, the article with the most important finding first (then the newest)."""
    groups: dict[str, list[AlertItem]] = {}
    for item in items:
        groups.setdefault(item.url, []).append(item)
    told = [story(group, shown) for group in groups.values()]
    newest = max((s.published.timestamp() for s in told if s.published), default=0.0)
    return sorted(told, key=lambda s: (s.best, newest - (s.published.timestamp() if s.published else 0.0)))


def count(n: int, word: str) -> str:
    """ "1 finding", "3 findings"."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def what(items: Sequence[AlertItem]) -> str:
    """The kinds of some findings in words: "2 figures and 3 statements"."""
    figures = sum(1 for i in items if i.finding.kind == "figure")
    parts = [count(figures, "figure")] * bool(figures)
    parts += [count(len(items) - figures, "statement")] * bool(len(items) - figures)
    return " and ".join(parts)
