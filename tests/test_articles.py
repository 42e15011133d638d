"""Articles: main text without boilerplate, metadata, non-HTML payloads, the feed-entry fallback."""

from __future__ import annotations

import dataclasses
import re
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from extractors.articles import MIN_TEXT_CHARS, Article, article_from_entry, extract_article, not_html_reason
from extractors.feeds import FeedEntry

PAGES = Path(__file__).parent / "fixtures" / "pages"
ARTICLE_URL = "https://ledger.example/culture/2024/10/floating-library?utm_source=twitter#top"
BOILERPLATE_MARKERS = (
    "COOKIE-BANNER",
    "NAV-WORLD",
    "NAV-CULTURE",
    "RELATED-ONE",
    "NEWSLETTER-BOX",
    "READER-COMMENT",
    "FOOTER-TEXT",
    "FOOTER-JOBS",
    "TRACKING-SCRIPT",
    "STYLE-RULE",
)


@pytest.fixture(scope="module")
def news_page() -> Article:
    article = extract_article((PAGES / "news_article.html").read_bytes(), url=ARTICLE_URL)
    assert article is not None
    return article


def test_body_is_extracted_without_boilerplate(news_page: Article) -> None:
    paragraphs = news_page.text.split("\n")
    assert any(p.startswith("A converted cargo barge moored at the old ferry pier") for p in paragraphs)
    assert any(p.endswith("twice a month.") for p in paragraphs)
    assert '"On the first morning we had a queue along the whole quay."' in news_page.text
    for marker in BOILERPLATE_MARKERS:
        assert marker not in news_page.text, marker
    assert "" not in paragraphs and all(p == p.strip() for p in paragraphs)


def test_metadata(news_page: Article) -> None:
    assert news_page.url == "https://ledger.example/culture/2024/10/floating-library"
    assert news_page.title == "Harbour city opens floating library"
    assert news_page.author == "Mira Okonkwo"
    assert news_page.site_name == "The Coastal Ledger"
    assert news_page.language == "en"
    assert news_page.published == datetime(2024, 10, 22, 23, 15, tzinfo=UTC)  # 08:15 +09:00


def test_the_date_is_not_looked_for_when_the_feed_has_one(news_page: Article) -> None:
    html = (PAGES / "news_article.html").read_bytes()
    undated = extract_article(html, url=ARTICLE_URL, find_date=False)
    assert undated is not None and undated.published is None
    assert undated == dataclasses.replace(news_page, published=None)  # nothing else changes


def test_str_input_gives_the_same_article(news_page: Article) -> None:
    html = (PAGES / "news_article.html").read_text(encoding="utf-8")
    assert extract_article(html, url=ARTICLE_URL) == news_page


def png_bytes() -> bytes:
    """A real 1x1 PNG, built here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0]))
    return (
        b"\x89PNG\r\n\x1a\n"
        + header
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    """A minimal PDF whose text would be long enough if anyone read it as HTML."""
    words = " ".join(["<p>not html at all</p>"] * 40)
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\n"
        + words.encode()
        + b"\nendstream\n%%EOF\n"
    )


@pytest.mark.parametrize(
    "payload",
    [
        pdf_bytes(),
        png_bytes(),
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(300),
        b"GIF89a\x01\x00\x01\x00" + bytes(300),
        b"\x1f\x8b\x08\x00" + bytes(300),
        b"",
        ("Just words, no markup at all. " * 40).encode(),
        b'{"title": "json is not a page", "body": "' + b"x" * 500 + b'"}',
    ],
    ids=["pdf", "png", "jpeg", "gif", "gzip", "empty", "plain-text", "json"],
)
def test_non_html_payloads_give_none(payload: bytes) -> None:
    assert extract_article(payload, url="https://files.example/x") is None


@pytest.mark.parametrize(
    ("payload", "content_type", "says"),
    [
        (b"%PDF-1.7 ...", "application/pdf", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n" + bytes(40), "text/html", "an image (PNG) (text/html)"),  # a lying type
        (b'{"a": 1}', "application/json", "application/json without HTML markup"),
        (b"", None, "data without HTML markup"),
    ],
)
def test_non_html_payloads_say_what_they_are(payload: bytes, content_type: str | None, says: str) -> None:
    reason = not_html_reason(payload, content_type)
    assert reason is not None and reason.startswith("not_html: the page is ")
    assert says in reason


def test_html_is_not_refused_whatever_its_type() -> None:
    assert not_html_reason(b"<!doctype html><html><body><p>x</p>", "application/octet-stream") is None


def test_too_little_text_gives_none() -> None:
    html = "<html><body><nav>Home</nav><article><p>Subscribe to read this story.</p></article></body></html>"
    assert extract_article(html, url="https://paywall.example/story") is None


def test_fallback_from_the_feed_entry() -> None:
    published = datetime(2024, 10, 23, 0, 30, tzinfo=UTC)
    entry = FeedEntry(
        guid="g1",
        link="https://gazette.example/news/ferry",
        title="Ferry service resumes",
        published=published,
        summary="Boats are running again.\n12 crossings were cancelled.",
    )
    article = article_from_entry(entry, site_name="Harbour Gazette")
    assert article == Article(
        url="https://gazette.example/news/ferry",
        title="Ferry service resumes",
        author=None,
        published=published,
        site_name="Harbour Gazette",
        language=None,
        text="Boats are running again.\n12 crossings were cancelled.",
    )
    headline_only = article_from_entry(FeedEntry("g2", "", "Up to 10,000 troops", None, ""))
    assert (headline_only.text, headline_only.title, headline_only.url) == (
        "Up to 10,000 troops",
        "Up to 10,000 troops",
        "",
    )


# --- the real pages beside the project -------------------------------------------------------

SAMPLE_SIZE = 20
TAG = re.compile(r"</?(?:p|div|span|script|a|br)\b[^>]*>")


@pytest.mark.shared
def test_real_pages_extract(shared_dir: Path) -> None:
    pages = sorted((shared_dir / "corpus" / "pages").glob("*.html"))
    assert len(pages) >= SAMPLE_SIZE
    sample = pages[:: len(pages) // SAMPLE_SIZE][:SAMPLE_SIZE]  # evenly spread, same every run
    results = {
        page.name: extract_article(page.read_bytes(), url=f"https://{page.stem}.example/") for page in sample
    }
    articles = [a for a in results.values() if a is not None]
    assert len(articles) >= 0.9 * SAMPLE_SIZE, [name for name, a in results.items() if a is None]
    for article in articles:
        assert len(article.text) >= MIN_TEXT_CHARS
        assert len(article.text.split()) >= 40 or len(article.text) >= 300  # CJK text has few spaces
        assert not TAG.search(article.text), article.url  # text, not markup
        assert "\n\n" not in article.text
    assert sum(a.title is not None for a in articles) >= 0.9 * len(articles)
    assert sum(a.published is not None for a in articles) >= 0.8 * len(articles)
    assert sum(a.language is not None for a in articles) >= 0.7 * len(articles)
    for article in articles:
        assert article.published is None or article.published.tzinfo is UTC
