"""Alert messages (title plus Markdown, HTML and text bodies) for new findings, digests and feed health."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from alerts.markup import Block, Span, bodies, clean, safe_href, title_line
from alerts.message import AlertItem, HealthItem, Message
from extractors.findings import Figure

_CHANGE_LABEL = {
    "new_figure": "New figure",
    "revised_figure": "Revised figure",
    "new_statement": "New statement",
}
_VAGUE = {12: "dozens", 100: "hundreds", 1000: "thousands", 10_000: "tens of thousands"}
_TITLE_QUOTE = 90  # a phone's notification shows about this much of a title anyway
# In one message the figures come first, revisions before new ones: they are what the alert is about.
_ORDER = {"revised_figure": 0, "new_figure": 1, "new_statement": 2}


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%d %b %Y, %H:%M UTC")


def describe_figure(f: Figure) -> str:
    """The figure in a few words: "up to 10,000 troops", "10,000-12,000 troops", "+1,500 troops"."""
    noun = f.unit_class or f.unit
    qualifier = "" if f.qualifier in ("", "none") else f.qualifier + " "
    if f.vague and f.low in _VAGUE:
        # Participle classes read without "of": "thousands killed", but "thousands of troops".
        joiner = " " if noun.endswith("ed") else " of "
        return f"{qualifier}{_VAGUE[f.low]}{joiner}{noun}"
    if f.value is not None:
        amount = f"{f.value:,}"
    elif f.low is not None and f.high is not None and f.low != f.high:
        amount = f"{f.low:,}-{f.high:,}"
    elif f.low is not None or f.high is not None:
        amount = f"{f.low if f.low is not None else f.high:,}"
        qualifier = qualifier or ("at least " if f.vague else "")
    else:
        return f"{qualifier}an unspecified number of {noun}"
    return f"{qualifier}{'+' if f.delta else ''}{amount} {noun}"


def without_date(value: str) -> str:
    """An earlier value without its date: "3,000 troops (Oct 23)" -> "3,000 troops" (no regex: a value of
    many blanks made "\\s*\\(...\\)$" scan quadratically)."""
    head, bracket, inside = value.rpartition("(")
    if bracket and inside.endswith(")") and ")" not in inside[:-1]:
        return head.rstrip()
    return value


def _claimant(f: Figure) -> str:
    return f.claimant or "unattributed"


def _item_title(item: AlertItem) -> str:
    label = _CHANGE_LABEL[item.change]
    f = item.finding
    if not isinstance(f, Figure):
        quote = clean(f.quote)
        if len(quote) > _TITLE_QUOTE:  # cut at a word: "…on Russian soil…", not "…on Rus…"
            quote = quote[:_TITLE_QUOTE].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        return f"[{item.topic_title}] {label}: {f.speaker}: “{quote}”"
    who = _claimant(f) + (", denied" if f.stance == "denied" else "")
    title = f"[{item.topic_title}] {label}: {describe_figure(f)} ({who})"
    if item.change == "revised_figure" and item.previous:
        # The title names only the last earlier value; the body lists them all with their dates.
        title += f" (was {without_date(item.previous[-1])})"
    return title


def _item_blocks(item: AlertItem, with_topic: bool, *, sentence: bool = True) -> list[Block]:
    """A finding's lines, then (unless the next finding shares it) its sentence as a quote."""
    f = item.finding
    label = f"[{item.topic_title}] " if with_topic else ""
    label += _CHANGE_LABEL[item.change] + ":"
    lines: list[tuple[Span, ...]]
    if isinstance(f, Figure):
        lines = [
            (Span(label, "b"), Span(describe_figure(f))),
            (Span("Claimant:", "b"), Span(f"{_claimant(f)} ({f.stance})" if f.stance else _claimant(f))),
        ]
        if item.previous:
            lines.append((Span("Previously:", "b"), Span(", ".join(item.previous))))
    else:
        lines = [(Span(label, "b"), Span(f.speaker + (f", {f.role}" if f.role else "")))]
        if f.direct:
            lines.append((Span("Quote:", "b"), Span(f"“{f.quote}”")))
        elif clean(f.quote) not in clean(f.sentence):  # reported speech is usually the sentence itself
            lines.append((Span("Reported:", "b"), Span(f.quote)))
    blocks = [Block(tuple(lines))]
    if sentence:
        blocks.append(Block(((Span(f.sentence),),), quote=True))
    return blocks


def _ordered(items: Sequence[AlertItem]) -> list[AlertItem]:
    """Figures first (revisions first), keeping the findings of one sentence together."""
    best: dict[str, tuple[int, int]] = {}
    for i, item in enumerate(items):
        rank = (_ORDER.get(item.change, len(_ORDER)), i)
        best[item.finding.sentence] = min(best.get(item.finding.sentence, rank), rank)
    return [
        item
        for _, item in sorted(
            enumerate(items),
            key=lambda p: (best[p[1].finding.sentence], _ORDER.get(p[1].change, len(_ORDER)), p[0]),
        )
    ]


def _findings_blocks(items: Sequence[AlertItem], with_topic: bool) -> list[Block]:
    """Each finding's blocks; findings from one sentence (a figure and its speaker's words) share its quote."""
    blocks: list[Block] = []
    for i, item in enumerate(items):
        shared = i + 1 < len(items) and items[i + 1].finding.sentence == item.finding.sentence
        blocks += _item_blocks(item, with_topic, sentence=not shared)
    return blocks


def _article_block(item: AlertItem) -> Block:
    lines: list[tuple[Span, ...]] = [(Span("Article:", "b"), Span(item.article_title or "(untitled)"))]
    meta = " · ".join(part for part in (clean(item.outlet), _when(item.published)) if part)
    if meta:
        lines.append((Span(meta),))
    href = safe_href(item.url)
    lines.append(
        (Span("Open the article", "link", href),)
        if href
        else (Span("Link (not opened):", "b"), Span(item.url))
    )
    return Block(tuple(lines))


def _by_article(items: Sequence[AlertItem]) -> list[list[AlertItem]]:
    groups: dict[str, list[AlertItem]] = {}
    for item in items:
        groups.setdefault(item.url, []).append(item)
    return list(groups.values())


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def render_instant(items: Sequence[AlertItem]) -> Message:
    """One message for one article's new findings: the findings first, then the article."""
    if not items:
        raise ValueError("render_instant needs at least one item")
    items = _ordered(items)
    title = _item_title(items[0]) + (f" (+{len(items) - 1} more)" if len(items) > 1 else "")
    blocks: list[Block] = []
    for group in _by_article(items):
        blocks += _findings_blocks(group, with_topic=False)
        blocks.append(_article_block(group[0]))
    return Message(title_line(title), *bodies(blocks))


def render_digest(items: Sequence[AlertItem]) -> Message:
    """One message for many articles' new findings, grouped by article."""
    if not items:
        raise ValueError("render_digest needs at least one item")
    groups = _by_article(items)
    topics = list(dict.fromkeys(item.topic_title for item in items))
    scope = topics[0] if len(topics) == 1 else "newswatch"
    title = f"[{scope}] Digest: {_count(len(items), 'new finding')} from {_count(len(groups), 'article')}"
    blocks: list[Block] = []
    for group in groups:
        blocks.append(_article_block(group[0]))
        blocks += _findings_blocks(_ordered(group), with_topic=len(topics) > 1)
    return Message(title_line(title), *bodies(blocks))


def _public_feed_url(url: str) -> str:
    """The feed URL without any user:password@ part."""
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@?#]*@", r"\1***@", url.strip())


def render_health(item: HealthItem) -> Message:
    """One message for a feed that started failing, went silent, or recovered."""
    feed = _public_feed_url(item.feed_url)
    try:
        host = urlsplit(feed).hostname or feed
    except ValueError:
        host = feed
    since = _when(item.since)
    if item.state == "failing":
        title = f"[newswatch] Feed failing: {host} ({_count(item.failures, 'failure')} in a row)"
    elif item.state == "silent":
        title = f"[newswatch] Feed silent: {host}" + (f" (nothing new since {since})" if since else "")
    else:
        title = f"[newswatch] Feed recovered: {host}"
    lines: list[tuple[Span, ...]] = [
        (Span("Feed:", "b"), Span(feed, "code")),
        (Span("State:", "b"), Span(item.state)),
    ]
    if since:
        lines.append((Span("Since:", "b"), Span(since)))
    if item.failures:
        lines.append((Span("Failures in a row:", "b"), Span(str(item.failures))))
    if item.last_error:
        lines.append((Span("Last error:", "b"), Span(item.last_error)))
    return Message(title_line(title), *bodies([Block(tuple(lines))]))
