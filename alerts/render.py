"""Alert messages (subject, Markdown, Slack, plain text, an HTML email, webhook data) for new findings,
digests and feed health."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from alerts.email import html_document
from alerts.markup import Block, Span, bodies, title_line
from alerts.message import AlertItem, HealthItem, Message
from alerts.story import DIGEST_SHOWN, DIGEST_STORIES, SHOWN, count
from alerts.subject import SUBJECT_MAX
from alerts.view import MessageView, StoryView, digest_view, instant_view
from alerts.webhook import findings_data, health_data
from alerts.wording import describe_figure, when, without_date

__all__ = ["describe_figure", "render_digest", "render_health", "render_instant", "without_date"]


def _story_blocks(story: StoryView) -> list[Block]:
    """The article first (title, outlet and time, link), then each finding with its sentence."""
    head: list[tuple[Span, ...]] = [(Span(story.title, "title"),)]
    meta = " · ".join(part for part in (story.outlet, story.when) if part)
    if meta:
        head.append((Span(meta),))
    head.append(
        (Span("Open the article", "link", story.href),)
        if story.href
        else (Span("Link (not opened):", "b"), Span(story.url))
    )
    blocks = [Block(tuple(head))]
    for finding in story.findings:
        label = (f"[{finding.topic_title}] " if finding.topic_title else "") + finding.label + ":"
        lines: list[tuple[Span, ...]] = [(Span(label, "b"), Span(finding.headline))]
        lines += [(Span(name + ":", "b"), Span(value)) for name, value in finding.lines]
        blocks.append(Block(tuple(lines)))
        if finding.sentence:
            blocks.append(Block(((Span(finding.sentence),),), quote=True))
    if story.more:
        blocks.append(Block(((Span(story.more, "lead"), Span(story.command, "code"), Span(".")),)))
    return blocks


def _blocks(view: MessageView) -> list[Block]:
    if view.kind == "health":
        return [
            Block(tuple((Span(f"{name}:", "b"), Span(value, style)) for name, value, style in _facts(view)))
        ]
    blocks: list[Block] = []
    if view.kind == "digest":
        blocks.append(Block(((Span(view.heading, "title"),),)))
    for story in view.stories:
        blocks += _story_blocks(story)
    if view.more:
        blocks.append(Block(((Span(view.more, "lead"), Span(view.command, "code"), Span(".")),)))
    if view.kind == "instant":
        blocks.append(Block(((Span(f"{view.heading} · newswatch"),),)))
    return blocks


def _facts(view: MessageView) -> list[tuple[str, str, str]]:
    # A feed's address is shown as code: chat apps make neither a link nor a mention of it.
    return [(name, value, "code" if name == "Feed" else "") for name, value in view.facts]


def _message(view: MessageView, data: dict[str, object], templates: Path | None) -> Message:
    written = bodies(_blocks(view))
    return Message(
        title=title_line(view.subject, SUBJECT_MAX),
        markdown=written.markdown,
        html=html_document(view, templates),
        text=written.text,
        slack=written.slack,
        data=data,
    )


def render_instant(
    items: Sequence[AlertItem], *, templates: Path | None = None, shown: int = SHOWN
) -> Message:
    """One message for one article's new findings: the article, then its most important findings."""
    return _message(instant_view(items, shown), findings_data("instant", items), templates)


def render_digest(
    items: Sequence[AlertItem],
    *,
    templates: Path | None = None,
    shown: int = DIGEST_SHOWN,
    most: int = DIGEST_STORIES,
) -> Message:
    """One message for one topic's new findings from many articles, the most important first."""
    return _message(digest_view(items, shown, most), findings_data("digest", items), templates)


def _public_feed_url(url: str) -> str:
    """The feed URL without any user:password@ part."""
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@?#]*@", r"\1***@", url.strip())


def render_health(item: HealthItem, *, templates: Path | None = None) -> Message:
    """One message for a feed that started failing, went silent, or recovered."""
    feed = _public_feed_url(item.feed_url)
    try:
        host = urlsplit(feed).hostname or feed
    except ValueError:
        host = feed
    since = when(item.since)
    if item.state == "failing":
        title = f"[newswatch] Feed failing: {host} ({count(item.failures, 'failure')} in a row)"
    elif item.state == "silent":
        title = f"[newswatch] Feed silent: {host}" + (f" (nothing new since {since})" if since else "")
    else:
        title = f"[newswatch] Feed recovered: {host}"
    facts = [("Feed", feed), ("State", item.state)]
    facts += [("Since", since)] * bool(since)
    facts += [("Failures in a row", str(item.failures))] * bool(item.failures)
    facts += [("Last error", item.last_error or "")] * bool(item.last_error)
    view = MessageView(subject=title, kind="health", heading="feed health", facts=tuple(facts))
    return _message(view, health_data(item, feed), templates)
