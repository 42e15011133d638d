"""The jobs a worker process runs on strangers' bytes: a feed parsed, a page gated, extracted and detected."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from extractors.articles import Article, extract_article
from extractors.feeds import ParsedFeed, parse_feed
from extractors.findings import Finding
from extractors.gate import Gate
from extractors.topic import Topic
from newswatch.packing import pack


@dataclass(frozen=True)
class PageReading:
    """What a worker made of one page: its article (None when there is no main text) and findings by topic,
    or, when the relevance gate skipped it, its markup packed for keeping (`kept`)."""

    article: Article | None
    findings: dict[str, tuple[Finding, ...]]
    kept: bytes | None = None
    size: int = 0  # bytes of the page before packing


def document_text(title: str | None, text: str) -> str:
    """The text detection reads: the headline (headlines carry claims too), then the body."""
    title = (title or "").strip()
    if not title or text.startswith(title):
        return text
    return f"{title}\n\n{text}"


def detect_topics(document: str, topics: Sequence[Topic]) -> dict[str, tuple[Finding, ...]]:
    """The findings of every topic the document is about, by topic name."""
    from extractors.detect import detect, is_relevant  # loaded by workers before their first job

    return {t.name: tuple(detect(document, t)) for t in topics if is_relevant(document, t)}


def read_page(
    content: bytes,
    url: str,
    title: str,
    topics: Sequence[Topic],
    find_date: bool = True,
    gate: Gate | None = None,
    summary: str = "",
) -> PageReading:
    """Extract a page's article and detect in it (`title`: the feed's, when the page has none; `find_date`
    False: the feed dated the entry, whose timestamp wins over the page's). With a `gate`, a page that
    (with the feed's title and `summary`) names no topic is not extracted but packed for keeping."""
    if gate is not None and not gate.admits(content, title, summary):
        return PageReading(None, {}, kept=pack(content), size=len(content))
    article = extract_article(content, url=url, find_date=find_date)
    if article is None:
        return PageReading(None, {})
    return PageReading(article, detect_topics(document_text(article.title or title, article.text), topics))


def read_feed(content: bytes, url: str, content_type: str | None, max_entries: int) -> ParsedFeed:
    """Parse a feed (feedparser's loose parser has quadratic corners: it runs here, bounded)."""
    return parse_feed(content, url=url, content_type=content_type, max_entries=max_entries)


def ping() -> tuple[int, list[str]]:
    """A worker's process id and the top-level packages it has loaded (a health check)."""
    return os.getpid(), sorted({name.partition(".")[0] for name in sys.modules})


JOBS: dict[str, Callable[..., Any]] = {
    "read_feed": read_feed,
    "read_page": read_page,
    "detect": detect_topics,
    "ping": ping,
}
