"""Storing prepared entries: in publication order, in batches of one transaction each, safe to overlap."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import bindparam, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from alerts.backlog import BacklogRule, backlog_reason
from extractors.articles import Article as ExtractedArticle
from extractors.topic import Topic
from newswatch.pipeline import PreparedEntry, ReadResult, alert_payload
from storage.claims import ClaimBatch, ClaimChange
from storage.db import session_scope
from storage.ledger import Target, enqueue
from storage.models import Article, Entry, Feed, utcnow
from storage.rawpages import KeptPage, keep_pages

BATCH = 100  # entries per transaction: few round trips, yet a crash or a conflict redoes little
ATTEMPTS = 6  # an overlapping pass may write the same claim or article first: the batch is redone
# Reasons that are no fault of the feed's pages: not worth a note on the feed.
_NOT_PAGE_ERRORS = ("no_link",)
# Fetch errors that name a link the address guard refused: such a link is never stored as an article's.
_REFUSED = ("refused_address", "bad_url")


def store_in_order(
    engine: Engine,
    prepared: Sequence[PreparedEntry],
    *,
    topics: Mapping[str, Topic],
    targets: Mapping[str, Sequence[Target]],
    backlog: BacklogRule | None = None,
) -> list[ReadResult]:
    """Store prepared entries oldest first, so a claimant's later value reads as a revision of an earlier one.

    Each batch is one transaction: an entry counts as processed only together with its article, findings
    and alert rows. An entry an overlapping pass stored first is reported as skipped. What `backlog` says
    is a feed's baseline (its first poll, entries too old, a --baseline pass) is stored and not alerted.
    """
    ordered = sorted(prepared, key=lambda p: (p.published is None, p.published or utcnow(), p.entry_id))
    results: list[ReadResult] = []
    for start in range(0, len(ordered), BATCH):
        batch = ordered[start : start + BATCH]
        results.extend(_store_batch(engine, batch, topics, targets, backlog or BacklogRule()))
    return results


def store_entry(
    engine: Engine,
    prepared: PreparedEntry,
    *,
    topics: Mapping[str, Topic],
    targets: Mapping[str, Sequence[Target]],
    backlog: BacklogRule | None = None,
) -> ReadResult:
    """Store one prepared entry's article, findings and alert rows, and mark it processed: one transaction."""
    return _store_batch(engine, [prepared], topics, targets, backlog or BacklogRule())[0]


def _store_batch(
    engine: Engine,
    batch: Sequence[PreparedEntry],
    topics: Mapping[str, Topic],
    targets: Mapping[str, Sequence[Target]],
    backlog: BacklogRule,
) -> list[ReadResult]:
    for attempt in range(ATTEMPTS):
        try:
            with session_scope(engine) as session:
                return _store(session, batch, topics, targets, backlog)
        except (IntegrityError, OperationalError):
            # Another pass committed the same article or claim first (or PostgreSQL broke a deadlock
            # between the two): everything is read again, so this time its rows count as known.
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))  # noqa: S311 - jitter, not secrecy
    raise AssertionError("unreachable")


def _store(
    session: Session,
    batch: Sequence[PreparedEntry],
    topics: Mapping[str, Topic],
    targets: Mapping[str, Sequence[Target]],
    backlog: BacklogRule,
) -> list[ReadResult]:
    now = utcnow()
    ids = [p.entry_id for p in batch]
    # Taking the entries first: an overlapping pass waits here (PostgreSQL row locks, SQLite's write
    # lock), then finds them processed and skips them.
    owned = set(
        session.execute(
            update(Entry)
            .where(col(Entry.id).in_(ids), col(Entry.processed_at).is_(None))
            .values(processed_at=now)
            .returning(col(Entry.id))
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    entries = {e.id: e for e in session.exec(select(Entry).where(col(Entry.id).in_(owned))).all()}
    # A page the gate skipped is kept, not stored as an article: it has no text and no findings.
    kept = [p for p in batch if p.entry_id in owned and p.kept_as is not None]
    keep_pages(session, [KeptPage(entries[p.entry_id].link, p.entry_id, p.kept, p.size, p.kept_as)
                         for p in kept if p.kept is not None and p.kept_as is not None])  # fmt: skip
    mine = [p for p in batch if p.entry_id in owned and p.kept_as is None]
    articles, fresh = _articles(session, mine, entries)
    findings = [(name, f) for p in mine for name, found in p.findings.items() for f in found]
    # Articles stored before (read by an earlier pass, batch or overlapping pass) may have findings already.
    existing = [a.id for a in articles if a.id is not None and a.id not in fresh]
    claims = ClaimBatch(session, findings=findings, article_ids=existing)
    baselines = _baselines(session, {entries[p.entry_id].feed_id for p in mine})
    held = {
        p.entry_id: backlog_reason(
            backlog,
            published=entries[p.entry_id].published,
            first_seen=entries[p.entry_id].first_seen_at,
            baseline_at=baselines.get(entries[p.entry_id].feed_id),
            now=now,
        )
        for p in mine
    }
    handles = [
        [
            (name, claims.add(article, name, found, baseline=held[p.entry_id]))
            for name, found in p.findings.items()
        ]
        for p, article in zip(mine, articles, strict=True)
    ]
    claims.flush()
    results: dict[int, ReadResult] = {}
    for p, article, done in zip(mine, articles, handles, strict=True):
        new: list[ClaimChange] = []
        repeated = 0
        for name, handle in done:
            stored = claims.result(handle)
            repeated += stored.repeated
            # The baseline is stored and counted, never alerted.
            for change in stored.new if held[p.entry_id] is None else ():
                enqueue(
                    session,
                    subject=f"claim:{change.claim_id}",
                    targets=targets.get(name, ()),
                    group_key=f"article:{article.id}",
                    payload=alert_payload(change, topics[name], article),
                )
            new.extend(stored.new)
        source = "known" if p.known_article_id else ("feed" if p.reason else "page")
        results[p.entry_id] = ReadResult(
            p.entry_id,
            article.id,
            p.downloaded,
            source,
            p.reason,
            tuple(new),
            repeated,
            p.dropped,
            held[p.entry_id],
        )
    _link_entries(session, mine, articles)
    _note_page_errors(session, mine, entries)
    results.update(
        (p.entry_id, ReadResult(p.entry_id, None, p.downloaded, "kept", None, (), 0)) for p in kept
    )
    return [
        results.get(p.entry_id) or ReadResult(p.entry_id, None, p.downloaded, "skipped", None, (), 0)
        for p in batch
    ]


def _articles(
    session: Session, mine: Sequence[PreparedEntry], entries: Mapping[int | None, Entry]
) -> tuple[list[Article], set[int]]:
    """Each entry's article row (read before, stored by an overlapping pass meanwhile, or new), and the ids of
    those inserted now."""
    feeds = _feed_urls(session, {entries[p.entry_id].feed_id for p in mine if p.reason})
    urls = [article_url(entries[p.entry_id], p.reason) for p in mine]
    known_ids = [p.known_article_id for p in mine if p.known_article_id]
    rows = session.exec(
        select(Article).where(col(Article.url).in_(urls) | col(Article.id).in_(known_ids))
    ).all()
    by_url = {a.url: a for a in rows}
    by_id = {a.id: a for a in rows}
    chosen: list[Article] = []
    fresh: list[Article] = []
    for p, url in zip(mine, urls, strict=True):
        article = by_id.get(p.known_article_id) if p.known_article_id else by_url.get(url)
        if article is None:
            assert p.article is not None
            entry = entries[p.entry_id]
            article = new_article(url, entry, p.article, p.reason, feeds.get(entry.feed_id, ""))
            article.findings_dropped = p.dropped
            by_url[url] = article  # two entries of the batch linking the same page share its row
            fresh.append(article)
        chosen.append(article)
    session.add_all(fresh)
    session.flush()  # one multi-row INSERT ... RETURNING for the new articles' ids
    return chosen, {a.id for a in fresh if a.id is not None}


def _baselines(session: Session, feed_ids: set[int]) -> dict[int, datetime | None]:
    """Each feed's first successful poll (its baseline)."""
    rows = session.exec(select(Feed.id, Feed.baseline_at).where(col(Feed.id).in_(feed_ids))).all()
    return {feed_id: baseline for feed_id, baseline in rows if feed_id is not None}


def _feed_urls(session: Session, feed_ids: set[int]) -> dict[int, str]:
    if not feed_ids:
        return {}
    rows = session.exec(select(Feed.id, Feed.url).where(col(Feed.id).in_(feed_ids))).all()
    return {feed_id: url for feed_id, url in rows if feed_id is not None}


def article_url(entry: Entry, reason: str | None) -> str:
    """Where an entry's article is stored: its link when its page was read; else a URL no feed lists (the
    link plus "#feed-summary-<feed id>"), so that the page is still read when a feed lists the link again;
    for a link the address guard refused, or none, an "entry:" name that is no link at all."""
    if entry.link and (reason or "").startswith(_REFUSED):
        digest = hashlib.sha256(entry.link.encode()).hexdigest()[:20]
        return f"entry:{entry.feed_id}:refused:{digest}"
    if not entry.link:
        return f"entry:{entry.feed_id}:{entry.guid}"
    return f"{entry.link}#feed-summary-{entry.feed_id}" if reason else entry.link


def new_article(
    url: str, entry: Entry, extracted: ExtractedArticle, reason: str | None, feed_url: str = ""
) -> Article:
    """The article row for an entry's page (or, with a `reason`, for the feed's own text standing in)."""
    # The outlet is whoever served the text: the page's site, or for a feed's summary the feed's own site,
    # marked as such, whatever domain the entry's link names.
    outlet = f"{outlet_of(None, feed_url)} (feed summary)" if reason else outlet_of(extracted.site_name, url)
    return Article(
        url=url,
        title=extracted.title or entry.title,
        author=extracted.author,
        # The feed's timestamp has the time of day; pages often give only the date.
        published=entry.published or extracted.published,
        site_name=extracted.site_name,
        outlet=outlet,
        language=extracted.language,
        text=extracted.text,
        text_hash=hashlib.sha256(extracted.text.encode()).hexdigest(),
        source="feed" if reason else "page",
        fallback_reason=reason,
        fetched_at=utcnow(),
    )


def outlet_of(site_name: str | None, url: str) -> str:
    """The outlet an article counts for: its site name, else its host without www."""
    if site_name:
        return site_name.strip()
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _link_entries(session: Session, mine: Sequence[PreparedEntry], articles: Sequence[Article]) -> None:
    """Point each entry at its article (one executemany)."""
    if not mine:
        return
    table = Entry.__table__  # type: ignore[attr-defined]
    statement = table.update().where(table.c.id == bindparam("eid")).values(article_id=bindparam("aid"))
    rows = [{"eid": p.entry_id, "aid": a.id} for p, a in zip(mine, articles, strict=True)]
    session.connection().execute(statement, rows)


def _note_page_errors(
    session: Session, mine: Sequence[PreparedEntry], entries: Mapping[int | None, Entry]
) -> None:
    """A page that could not be read leaves its error class on its feed, where `newswatch feeds` shows it."""
    notes = {}
    for p in mine:
        if p.dropped:  # a truncation is recorded where people look for what went wrong with a feed
            kept = sum(len(found) for found in p.findings.values())
            link = entries[p.entry_id].link
            notes[entries[p.entry_id].feed_id] = (
                f"too_many_findings: article {link}: kept {kept}, dropped {p.dropped}"
            )
        if p.reason and not p.reason.startswith(_NOT_PAGE_ERRORS):
            kind, _, detail = p.reason.partition(": ")  # the class first: a narrow table still shows it
            notes[entries[p.entry_id].feed_id] = f"{kind}: article {entries[p.entry_id].link}: {detail}"[:500]
    if not notes:
        return
    table = Feed.__table__  # type: ignore[attr-defined]
    statement = (
        table.update()
        # Spelled without IN: an executemany cannot expand lists.
        .where(
            table.c.id == bindparam("fid"),
            or_(table.c.last_status == "ok", table.c.last_status == "not_modified"),
        )
        .values(last_error=bindparam("note"))
    )
    session.connection().execute(statement, [{"fid": f, "note": n} for f, n in notes.items()])
