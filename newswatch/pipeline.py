"""One monitoring pass as plain functions: poll a feed, read an entry's article, store what is new."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from extractors.articles import Article as ExtractedArticle
from extractors.articles import article_from_entry, extract_article
from extractors.detect import detect, is_relevant
from extractors.feeds import FeedEntry, parse_feed
from extractors.findings import Finding as Detected
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


@dataclass(frozen=True)
class PreparedEntry:
    """An entry read and detected but not stored yet: the slow, parallel half of reading."""

    entry_id: int
    published: datetime | None  # the order in which prepared entries are stored
    known_article_id: int | None  # the article was read before (same canonical URL): not downloaded
    article: ExtractedArticle | None
    reason: str | None  # why the feed's own text stood in for the page
    downloaded: bool
    findings: Mapping[str, Sequence[Detected]]  # by topic name


def prepare_entry(
    fetcher: Fetcher, engine: Engine, *, entry_id: int, topics: Sequence[Topic]
) -> PreparedEntry | None:
    """Fetch, extract and detect one entry's article (no writes); None when it is already processed."""
    with Session(engine) as session:
        entry = session.get_one(Entry, entry_id)
        if entry.processed_at is not None:
            return None
        known = session.exec(select(Article).where(Article.url == entry.link)).first() if entry.link else None
    if known is not None:
        document, extracted, reason, downloaded = document_text(known.title, known.text), None, None, False
    else:
        extracted, reason, downloaded = _fetch_article(fetcher, entry)
        document = document_text(extracted.title or entry.title, extracted.text)
    findings = {t.name: tuple(detect(document, t)) for t in topics if is_relevant(document, t)}
    published = entry.published or (extracted.published if extracted else None)
    return PreparedEntry(
        entry_id, published, known.id if known else None, extracted, reason, downloaded, findings
    )


def store_entry(
    engine: Engine,
    prepared: PreparedEntry,
    *,
    topics: Mapping[str, Topic],
    targets: Mapping[str, Sequence[Target]],
) -> ReadResult:
    """Store a prepared entry's article, findings and alert rows, and mark it processed: one transaction."""
    source = "known" if prepared.known_article_id else ("feed" if prepared.reason else "page")
    new: list[ClaimChange] = []
    repeated = 0
    with session_scope(engine) as session:
        entry = session.get_one(Entry, prepared.entry_id)
        if entry.processed_at is not None:  # an overlapping run finished it meanwhile
            return ReadResult(entry.id or 0, entry.article_id, prepared.downloaded, "skipped", None, (), 0)
        if prepared.known_article_id is not None:
            article = session.get_one(Article, prepared.known_article_id)
        else:
            assert prepared.article is not None
            article = _store_article(session, entry, prepared.article, prepared.reason)
        for name, found in prepared.findings.items():
            topic = topics[name]
            stored = store_findings(session, article=article, topic=name, findings=found)
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
    return ReadResult(
        prepared.entry_id, article.id, prepared.downloaded, source, prepared.reason, tuple(new), repeated
    )


def store_in_order(
    engine: Engine,
    prepared: Sequence[PreparedEntry],
    *,
    topics: Mapping[str, Topic],
    targets: Mapping[str, Sequence[Target]],
) -> list[ReadResult]:
    """Store prepared entries oldest first, so a claimant's later value reads as a revision of an earlier one."""
    ordered = sorted(prepared, key=lambda p: (p.published is None, p.published or utcnow(), p.entry_id))
    return [store_entry(engine, p, topics=topics, targets=targets) for p in ordered]


def _store_article(
    session: Session, entry: Entry, extracted: ExtractedArticle, reason: str | None
) -> Article:
    url = entry.link or f"entry:{entry.feed_id}:{entry.guid}"
    row = Article(
        url=url,
        title=extracted.title or entry.title,
        author=extracted.author,
        # The feed's timestamp has the time of day; pages often give only the date.
        published=entry.published or extracted.published,
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
