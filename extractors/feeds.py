"""Feeds: fetched RSS/Atom/RDF bytes in, our own frozen entries out (feedparser stays inside)."""

from __future__ import annotations

import hashlib
import html
import io
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from extractors.untrusted import (
    NAME_CHARS,
    SUMMARY_CHARS,
    TITLE_CHARS,
    clean_key,
    clean_line,
    clean_text,
    is_clean_link,
)
from extractors.urls import canonical_url

PARSE_ERROR = "parse_error"

# Entity declarations are refused outright: feedparser keeps "safe" internal entities, and its
# loose parser expands them without limit (a 50 kB entity used 20,000 times took 20 s and
# 2.9 GB). Real feeds don't declare entities. Checked in each encoding feedparser can sniff.
_ENTITY_MARKERS = tuple(
    "<!entity".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
# feedparser's notes about the HTTP Content-Type or a charset fallback: the feed itself is fine.
_ENCODING_NOTES = ("CharacterEncodingOverride", "NonXMLContentType")
# Some broken feeds prefix every element with an undeclared "rss:"; feedparser then sees nothing.
_UNDECLARED_RSS_PREFIX = re.compile(rb"(</?)rss:")
_SY_PERIOD_MINUTES = {"hourly": 60, "daily": 1440, "weekly": 10080, "monthly": 43200, "yearly": 525600}
_MAX_FUTURE = timedelta(days=1)  # clock skew and time zone slips, not a post from next year
_REASON_CHARS = 200


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, normalised: plain-text title and summary, canonical link, UTC date."""

    guid: str  # the feed's id/guid, else the canonical link, else a hash of title+summary
    link: str  # canonical http(s) URL, "" when the entry has none
    title: str
    published: datetime | None  # UTC, aware; updated as fallback; None when missing or invalid
    summary: str  # plain text of the summary, or of the content when that is longer


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed, or the error class that made it unusable."""

    title: str
    entries: tuple[FeedEntry, ...]
    bozo: bool  # malformed but readable
    bozo_reason: str | None  # feedparser's exception class and message, shortened
    error: str | None  # "parse_error" when unusable, else None
    ttl_minutes: int | None  # <ttl>, else sy:updatePeriod / sy:updateFrequency
    # What was wrong with a usable feed, as "<class>: <detail>" (too_many_entries, duplicate_guid, ...).
    notes: tuple[str, ...] = ()


def parse_feed(
    data: bytes, *, url: str, content_type: str | None = None, max_entries: int = 500
) -> ParsedFeed:
    """Parse fetched feed bytes; relative links resolve against `url`. Never raises, never fetches."""
    if any(marker in data.lower() for marker in _ENTITY_MARKERS):
        return _failed("XML entity declarations are refused")
    result = _feedparser(data, url, content_type)
    if result is None:
        return _failed("feedparser crashed")
    bozo = bool(result.get("bozo"))
    reason = _reason(result.get("bozo_exception")) if bozo else None
    if not result.get("entries") and bozo and _UNDECLARED_RSS_PREFIX.search(data):
        repaired = _feedparser(_UNDECLARED_RSS_PREFIX.sub(rb"\1", data), url, content_type)
        if repaired is not None and repaired.get("entries"):
            result, reason = repaired, f"{reason}; read after removing undeclared rss: prefixes"
    raw_entries = result.get("entries") or []
    if not raw_entries and (not result.get("version") or (bozo and not _is_encoding_note(reason))):
        return _failed(reason or "not a feed")

    feed = result.get("feed") or {}
    entries, notes = _entries(raw_entries, url, max_entries)
    return ParsedFeed(
        title=clean_line(
            _plain_text(str(feed.get("title") or "")[: SUMMARY_CHARS * 2], inline=True), NAME_CHARS
        ),
        entries=entries,
        bozo=bozo,
        bozo_reason=reason,
        error=None,
        ttl_minutes=_ttl_minutes(feed),
        notes=notes,
    )


def _feedparser(data: bytes, url: str, content_type: str | None) -> Any:
    """feedparser over a byte stream (a bare bytes or str argument may be opened as a file name
    or fetched as a URL), with the HTTP headers that decide the encoding and the base URL."""
    headers = {"content-type": _xml_content_type(content_type), "content-location": url}
    import feedparser  # here: only the workers parse feeds, and the pass's own process need not load it

    try:
        return feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception:  # noqa: BLE001 - a parser bug on hostile input must not stop the pass
        return None


def _xml_content_type(content_type: str | None) -> str:
    """The Content-Type to hand feedparser. Missing, or text/xml without a charset (RFC 3023 would
    force us-ascii), becomes application/xml, so the BOM and XML declaration decide as browsers do."""
    if not content_type or not content_type.strip():
        return "application/xml"
    mime, _, params = content_type.partition(";")
    mime = mime.strip().lower()
    is_text_xml = mime == "text/xml" or (mime.startswith("text/") and mime.endswith("+xml"))
    if is_text_xml and "charset" not in params.lower():
        return "application/xml"
    return content_type


def _entries(
    raw_entries: list[Any], base: str, max_entries: int
) -> tuple[tuple[FeedEntry, ...], tuple[str, ...]]:
    """Convert feedparser entries, keeping the first of duplicate guids, at most `max_entries`; and notes
    on what had to be dropped or guessed."""
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    duplicates = empty = undated = 0
    for raw in raw_entries:
        if len(entries) >= max_entries:
            break
        entry = _entry(raw, base)
        if entry is None:
            empty += 1
            continue
        if entry.guid in seen:
            duplicates += 1
            continue
        seen.add(entry.guid)
        entries.append(entry)
        undated += entry.published is None and bool(dict.get(raw, "published") or dict.get(raw, "updated"))
    notes = [
        "empty_feed: the feed lists no entries" * (not raw_entries),
        f"too_many_entries: read the first {max_entries} of {len(raw_entries)}"
        * (len(raw_entries) > max_entries),
        f"duplicate_guid: {duplicates} entries repeat an earlier one's id" * bool(duplicates),
        f"empty_entry: {empty} entries have no link, title or text" * bool(empty),
        f"invalid_date: {undated} entries have a date that cannot be read" * bool(undated),
    ]
    return tuple(entries), tuple(n for n in notes if n)


def _entry(raw: Any, base: str) -> FeedEntry | None:
    """One FeedEntry, or None when the item carries nothing at all (no link, title or text)."""
    link = canonical_url(str(raw.get("link") or ""), base=base)
    if not link.startswith(("http://", "https://")) or not is_clean_link(link):
        link = ""  # javascript:, mailto:, data: links are not articles we could read, nor 5 kB ones
    # Cleaned here, once: a NUL (&#0;) in one entry once failed every feed stored with it on PostgreSQL.
    title = clean_line(_plain_text(_head(raw.get("title")), inline=True), TITLE_CHARS)
    summary = clean_text(_plain_text(_head(raw.get("summary"))), SUMMARY_CHARS)
    for content in raw.get("content") or []:
        text = clean_text(_plain_text(_head(content.get("value"))), SUMMARY_CHARS)
        if len(text) > len(summary):
            summary = text
    if not (link or title or summary):
        return None
    guid = clean_key(str(raw.get("id") or "").strip()) or link
    if not guid:
        digest = hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()
        guid = f"sha256:{digest[:32]}"
    # Plain dict access: FeedParserDict maps a missing updated_parsed to published_parsed with a
    # DeprecationWarning, and we want the real fallback order anyway.
    published = _utc(dict.get(raw, "published_parsed")) or _utc(dict.get(raw, "updated_parsed"))
    return FeedEntry(guid=guid, link=link, title=title, published=published, summary=summary)


def _head(value: Any) -> str:
    """A feed field as a string, no longer than a cleaned one can use (the HTML parser's work stays bounded)."""
    return str(value or "")[: SUMMARY_CHARS * 2]


def _utc(parsed: Any) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime; None when absent or implausible."""
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        moment = datetime(*parsed[:5], min(parsed[5], 59), tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
    if moment.year < 1970 or moment > datetime.now(UTC) + _MAX_FUTURE:
        return None
    return moment


def _ttl_minutes(feed: Any) -> int | None:
    """How often the feed says it changes: RSS <ttl> minutes, else the syndication module."""
    ttl = _positive_int(feed.get("ttl"))
    if ttl is not None:
        return ttl
    period = _SY_PERIOD_MINUTES.get(str(feed.get("sy_updateperiod") or "").strip().lower())
    if period is None:
        return None
    frequency = _positive_int(feed.get("sy_updatefrequency")) or 1
    return max(1, period // frequency)


def _positive_int(value: Any) -> int | None:
    """A positive integer from feed text, else None."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number > 0 else None


def _reason(exception: Any) -> str:
    """Short text of feedparser's bozo exception: its class and message."""
    if exception is None:
        return "malformed feed"
    return clean_line(f"{type(exception).__name__}: {exception}", _REASON_CHARS)


def _is_encoding_note(reason: str | None) -> bool:
    """Whether the bozo flag is only about the HTTP Content-Type or the charset."""
    return reason is not None and reason.startswith(_ENCODING_NOTES)


def _failed(reason: str) -> ParsedFeed:
    """A feed that can't be used, with why."""
    return ParsedFeed(
        title="", entries=(), bozo=True, bozo_reason=reason, error=PARSE_ERROR, ttl_minutes=None
    )


# Elements whose text is code or fallback markup, never words of the title or summary.
_SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg"})
# Elements that end a line of text when the caller keeps paragraphs.
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "dd", "dt", "tr", "table", "blockquote", "pre", "hr"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "figure", "figcaption"}
)
_SPACES = re.compile(r"\s+")
_ANY_TAG = re.compile(r"<[^>]*>?")
_SKIPPED_BLOCKS = re.compile(r"<(script|style|template)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)


class _TextCollector(HTMLParser):
    """Collects the text of an HTML fragment, skipping scripts and marking block boundaries."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def _plain_text(fragment: str, *, inline: bool = False) -> str:
    """Text of an HTML fragment with entities unescaped and whitespace folded; paragraphs on
    their own lines, or one line when `inline`. Feed titles are treated as HTML too: feeds
    double-escape markup far more often than they mean a literal "<b>"."""
    text = fragment
    if "<" in fragment or "&" in fragment:
        collector = _TextCollector()
        try:
            collector.feed(fragment)
            collector.close()
            text = "".join(collector.parts)
        except AssertionError:  # Python's HTMLParser asserts on some broken markup ("<![0")
            text = html.unescape(_ANY_TAG.sub(" ", _SKIPPED_BLOCKS.sub(" ", fragment)))
    if inline:
        return _SPACES.sub(" ", text).strip()
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
