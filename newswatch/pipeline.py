"""One monitoring pass as plain functions: poll a feed, read an entry's article, store what is new."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from extractors.detect import detect, is_relevant
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from extractors.articles import Article as ExtractedArticle
from extractors.articles import article_from_entry, extract_article
from extractors.feeds import FeedEntry, parse_feed
from extractors.topic import Topic
from newswatch.fetcher import Fetcher
from newswatch.settings import Settings
from storage.claims import ClaimChange, store_findings
from storage.db import session_scope
from storage.feeds import NewEntry, add_entries, record_poll, unprocessed_entries
from storage.ledger import Target, enqueue
from storage.models import Article, Entry, Feed, utcnow

HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
FEED_ACCEPT = "application/rss+xml,application/atom+xml,application/rdf+xml,application/xml;q=0.9,*/*;q=0.5"


@dataclass(frozen=True)
class PollResult:
    """One feed's poll: its status (ok, not_modified or an error class) and its entries to read."""

    feed_id: int
    url: str
    status: str
    error: str | None
    new_entries: int
    to_read: tuple[int, ...]
    bozo: bool = False


@dataclass(frozen=True)
class ReadResult:
    """One entry read: where its text came from and what it added."""

    entry_id: int
    article_id: int | None
    downloaded: bool
    source: str  # page, feed, known (read before) or skipped (already processed)
    fallback_reason: str | None
    new: tuple[ClaimChange, ...]
    repeated: int


def poll_feed(
    fetcher: Fetcher, engine: Engine, *, feed_id: int, settings: Settings, record_transient: bool = True
) -> PollResult:
    """Fetch a feed with conditional GET, store its new entries, and list the entries still to read.

    With record_transient False, a timeout or transport error is not recorded but returned as status
    "retry", so the caller can try again before the feed counts as failed.
    """
    with Session(engine) as session:
        feed = session.get_one(Feed, feed_id)
        url, etag, last_modified = feed.url, feed.etag, feed.last_modified
    result = fetcher.fetch(url, etag=etag, last_modified=last_modified, accept=FEED_ACCEPT)
    status, error, bozo, parsed = "ok", None, False, None
    if result.not_modified:
        status = "not_modified"
    elif not result.ok:
        if result.retryable and not record_transient:
            return PollResult(feed_id, url, "retry", result.detail or result.error, 0, ())
        status, error = result.error or "transport", result.detail
    else:
        parsed = parse_feed(
            result.content,
            url=result.final_url,
            content_type=result.content_type,
            max_entries=settings.max_entries_per_feed,
        )
        if parsed.error:
            status, error = parsed.error, parsed.bozo_reason
        bozo = parsed.bozo
    with session_scope(engine) as session:
        new = 0
        if parsed is not None and not parsed.error:
            new = add_entries(session, feed_id=feed_id, entries=[_new_entry(e) for e in parsed.entries])
        ttl = parsed.ttl_minutes if parsed is not None else None
        record_poll(
            session,
            feed_id=feed_id,
            status=status,
            error=error,
            etag=result.etag,
            last_modified=result.last_modified,
            title=parsed.title if parsed else None,
            bozo=bozo,
            next_poll_in=timedelta(minutes=ttl) if ttl else None,
        )
        todo = unprocessed_entries(session, feed_id=feed_id, limit=settings.max_articles_per_feed)
        to_read = tuple(e.id for e in todo if e.id is not None)
    return PollResult(feed_id, url, status, error, new, to_read, bozo)


def _new_entry(entry: FeedEntry) -> NewEntry:
    return NewEntry(
        guid=entry.guid, link=entry.link, title=entry.title, summary=entry.summary, published=entry.published
    )


def outlet_of(site_name: str | None, url: str) -> str:
    """The outlet an article counts for: its site name, else its host without www."""
    if site_name:
        return site_name.strip()
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def document_text(title: str | None, text: str) -> str:
    """The text detection reads: the headline (headlines carry claims too), then the body."""
    title = (title or "").strip()
    if not title or text.startswith(title):
        return text
    return f"{title}\n\n{text}"


def _fetch_article(fetcher: Fetcher, entry: Entry) -> tuple[ExtractedArticle, str | None, bool]:
    """The entry's article from its page, else from the feed's own text with the reason why."""
    reason: str | None
    if not entry.link:
        reason = "no link in feed entry"
    else:
        result = fetcher.fetch(entry.link, accept=HTML_ACCEPT)
        if result.ok:
            extracted = extract_article(result.content, url=entry.link)
            if extracted is not None:
                return extracted, None, True
            reason = "extraction_failed: no main text found in page"
        else:
            reason = f"{result.error}: {result.detail or ''}".strip(": ")
    feed_entry = FeedEntry(
        guid=entry.guid, link=entry.link, title=entry.title, published=entry.published, summary=entry.summary
    )
    return article_from_entry(feed_entry), reason, entry.link != ""


def read_entry(
    fetcher: Fetcher,
    engine: Engine,
    *,
    entry_id: int,
    topics: Sequence[Topic],
    targets: Mapping[str, Sequence[Target]],
) -> ReadResult:
    """Read an entry's article once, detect per topic, and store findings, alerts and progress together."""
    with Session(engine) as session:
        entry = session.get_one(Entry, entry_id)
        if entry.processed_at is not None:
            return ReadResult(entry_id, entry.article_id, False, "skipped", None, (), 0)
        known = session.exec(select(Article).where(Article.url == entry.link)).first() if entry.link else None
    downloaded = False
    reason: str | None = None
    if known is not None:
        title, text, source = known.title, known.text, "known"
    else:
        extracted, reason, downloaded = _fetch_article(fetcher, entry)
        title, text, source = extracted.title or entry.title, extracted.text, "feed" if reason else "page"
    document = document_text(title, text)
    # Detection is pure CPU work: done before the transaction so the database is held briefly.
    detected = {t.name: detect(document, t) for t in topics if is_relevant(document, t)}

    new: list[ClaimChange] = []
    repeated = 0
    with session_scope(engine) as session:
        entry = session.get_one(Entry, entry_id)
        if entry.processed_at is not None:  # an overlapping run finished it meanwhile
            return ReadResult(entry_id, entry.article_id, downloaded, "skipped", None, (), 0)
        article = known or _store_article(session, entry, extracted, reason)
        for topic in topics:
            stored = store_findings(
                session, article=article, topic=topic.name, findings=detected.get(topic.name, [])
            )
            repeated += stored.repeated
            for change in stored.new:
                enqueue(
                    session,
                    subject=f"claim:{change.claim_id}",
                    targets=targets.get(topic.name, ()),
                    group_key=f"article:{article.id}",
                    payload=alert_payload(change, topic, article),
                )
            new.extend(stored.new)
        entry.article_id, entry.processed_at = article.id, utcnow()
        session.add(entry)
    return ReadResult(entry_id, article.id, downloaded, source, reason, tuple(new), repeated)


def _store_article(
    session: Session, entry: Entry, extracted: ExtractedArticle, reason: str | None
) -> Article:
    url = entry.link or f"entry:{entry.feed_id}:{entry.guid}"
    row = Article(
        url=url,
        title=extracted.title or entry.title,
        author=extracted.author,
        published=extracted.published or entry.published,
        site_name=extracted.site_name,
        outlet=outlet_of(extracted.site_name, url),
        language=extracted.language,
        text=extracted.text,
        text_hash=hashlib.sha256(extracted.text.encode()).hexdigest(),
        source="feed" if reason else "page",
        fallback_reason=reason,
        fetched_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # read by an overlapping run under the same URL
        return session.exec(select(Article).where(Article.url == url)).one()
    return row


def alert_payload(change: ClaimChange, topic: Topic, article: Article) -> dict[str, Any]:
    """What an alert needs, frozen at detection time (the ledger row carries it)."""
    return {
        "type": "finding",
        "topic": topic.name,
        "topic_title": topic.title,
        "change": change.change,
        "finding": change.finding.to_dict(),
        "previous": list(change.previous),
        "article_title": article.title or "",
        "outlet": article.outlet,
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
    }
