"""Article text and metadata from fetched HTML (trafilatura stays inside), or from the feed entry."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from extractors.feeds import FeedEntry
from extractors.untrusted import NAME_CHARS, TITLE_CHARS, clean_line, clean_text

if TYPE_CHECKING:
    from trafilatura.metadata import Document
from extractors.urls import canonical_url

# Below this, what trafilatura found is a teaser, a cookie wall or an error page, and the
# feed's own summary serves detection as well.
MIN_TEXT_CHARS = 200

# Payloads that are not HTML whatever the server says (PDF, images, archives, fonts), and what they are.
_SIGNATURE_KINDS = {
    b"%PDF-": "a PDF document",
    b"\x89PNG": "an image (PNG)",
    b"\xff\xd8\xff": "an image (JPEG)",
    b"GIF8": "an image (GIF)",
    b"RIFF": "a RIFF file (WebP image, audio or video)",
    b"PK\x03\x04": "a zip archive",
    b"\x1f\x8b": "a gzip archive",
    b"II*\x00": "an image (TIFF)",
    b"MM\x00*": "an image (TIFF)",
    b"wOFF": "a web font",
    b"\x00\x00\x01\x00": "an icon",
}
_BINARY_SIGNATURES = tuple(_SIGNATURE_KINDS)
_MARKUP = re.compile(r"<(?:!doctype\s+html|html|head|body|p|div|article|main|section|br|title)[\s/>]", re.I)
_HTML_LANG = re.compile(r"<html\b[^>]*?\slang\s*=\s*[\"']?([a-z]{2,3})\b", re.I)
_DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
_HEAD_CHARS = 100_000  # the <html lang> attribute is near the top
_MARKUP_SCAN_CHARS = 2_000_000


@dataclass(frozen=True)
class Article:
    """An article's main text and metadata."""

    url: str
    title: str | None
    author: str | None
    published: datetime | None  # UTC when the page gives a date
    site_name: str | None
    language: str | None  # primary subtag of <html lang>, lowercase ("en")
    text: str  # main text, paragraphs separated by "\n"


def extract_article(html: bytes | str, *, url: str, find_date: bool = True) -> Article | None:
    """Main text and metadata of a page; None for non-HTML payloads or too little text.

    Nothing is fetched: `url` only names the page (site name, relative links). With `find_date` False the
    page's date is not looked for (the caller has a better one: a feed's timestamp)."""
    # Imported here: only the worker processes extract, and a pass's own process starts faster without.
    from trafilatura import bare_extraction
    from trafilatura.utils import load_html

    markup = _as_markup(html)
    if markup is None:
        return None
    try:
        tree = load_html(markup)
        if tree is None:
            return None
        # Before the text: extraction prunes its copy of the tree.
        meta = _metadata(tree, url, find_date=find_date)
        document = bare_extraction(
            tree,
            url=url,
            with_metadata=False,
            include_comments=False,  # reader comments are not the article's claims
            include_tables=True,  # tables often carry the figures
        )
    except Exception:  # noqa: BLE001 - a parser bug on a hostile page means "no article", not a crash
        return None
    if document is None or isinstance(document, dict):
        return None
    text = clean_text(_paragraphs(document.text))
    if len(text) < MIN_TEXT_CHARS:
        return None
    return Article(
        url=canonical_url(url),
        title=_clean(meta.title, TITLE_CHARS),
        author=_clean(meta.author, NAME_CHARS),
        published=_utc(meta.date),
        site_name=_clean(meta.sitename, NAME_CHARS),
        language=_language(markup),
        text=text,
    )


def _metadata(tree: Any, url: str, *, find_date: bool) -> Document:
    """Title, author, date and site name, as trafilatura's extract_metadata finds them, without the parts we
    never use (categories, tags, license) nor its search of the page's markup for a byline: those took a
    quarter of the extraction time. Authors come from meta tags and JSON-LD only."""
    from htmldate import find_date as _find_date
    from trafilatura.metadata import (
        META_URL,
        examine_meta,
        extract_meta_json,
        extract_sitename,
        extract_title,
        extract_url,
    )

    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # a single word is a handle or a site, not a byline
    with contextlib.suppress(Exception):  # trafilatura's JSON-LD reader has bugs; the meta tags stay
        meta = extract_meta_json(tree, meta)
    meta.title = meta.title or extract_title(tree)
    meta.url = meta.url or extract_url(tree, url)
    # htmldate reports the time and offset when the page has them; date-only pages read as midnight.
    # No extensive search: over the 200 corpus pages it added 22 dates, nearly all guesses such as
    # "1996-01-01" from a copyright line, and took one page from 0.2 s to 1.8 s.
    if find_date:  # a twentieth of a page's extraction time
        meta.date = _find_date(
            tree, url=meta.url, original_date=True, extensive_search=False, outputformat=_DATE_FORMATS[0]
        )
    site = (meta.sitename or extract_sitename(tree) or "").lstrip("@")
    if site and "." not in site and not site[0].isupper():
        site = site.title()
    if not site and (match := META_URL.match(meta.url or "")):
        site = match[1]
    meta.sitename = site or None
    meta.clean_and_trim()
    return meta


def not_html_reason(content: bytes, content_type: str | None = None) -> str | None:
    """Why a fetched payload is no page to extract ("not_html: the page is a PDF document"), or None."""
    if _as_markup(content) is not None:
        return None
    head = content[:1024].lstrip()
    kind = next((k for sig, k in _SIGNATURE_KINDS.items() if head.startswith(sig)), None)
    mime = (content_type or "").partition(";")[0].strip().lower()
    if kind is None:
        kind = f"{mime} without HTML markup" if mime else "data without HTML markup"
    return f"not_html: the page is {kind}" + (f" ({mime})" if mime and mime not in kind else "")


def article_from_entry(entry: FeedEntry, *, site_name: str | None = None) -> Article:
    """The feed's own title and summary as the article, for pages that can't be read."""
    return Article(
        url=entry.link,
        title=entry.title or None,
        author=None,
        published=entry.published,
        site_name=site_name,
        language=None,
        text=entry.summary or entry.title,  # a headline is better than nothing to detect in
    )


def _as_markup(html: bytes | str) -> bytes | str | None:
    """The payload if it looks like HTML; None for binary formats and markup-free data."""
    if isinstance(html, bytes):
        if html.startswith((b"\xff\xfe", b"\xfe\xff")):
            html = html.decode("utf-16", errors="replace")
        else:
            head = html[:1024].lstrip()
            if head.startswith(_BINARY_SIGNATURES) or b"\x00" in head:
                return None
    # latin-1 maps every byte, so tag names read the same in any ASCII-compatible charset.
    sample = html[:_MARKUP_SCAN_CHARS]
    text = sample if isinstance(sample, str) else sample.decode("latin-1")
    return html if _MARKUP.search(text) else None


def _paragraphs(text: str | None) -> str:
    """One paragraph per line, without blank lines or trailing spaces."""
    lines = (line.strip() for line in (text or "").splitlines())
    return "\n".join(line for line in lines if line)


def _clean(value: Any, limit: int) -> str | None:
    """One clean line of at most `limit` characters, or None when empty."""
    text = clean_line(str(value), limit) if value is not None else ""
    return text or None


def _utc(value: str | None) -> datetime | None:
    """htmldate's date string as an aware UTC datetime (no offset given: taken as UTC)."""
    for fmt in _DATE_FORMATS:
        try:
            moment = datetime.strptime(value or "", fmt)
        except ValueError:
            continue
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def _language(markup: bytes | str) -> str | None:
    """Primary language subtag from the <html lang> attribute."""
    head = markup[:_HEAD_CHARS]
    text = head if isinstance(head, str) else head.decode("latin-1")
    match = _HTML_LANG.search(text)
    return match.group(1).lower() if match else None
