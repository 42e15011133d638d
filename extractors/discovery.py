"""Feed discovery: a web page given as a feed, and the feeds its `<link rel="alternate">` tags name."""

from __future__ import annotations

from contextlib import suppress
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from extractors.untrusted import is_clean_link

# The feed types a page announces (as Miniflux and browsers read them); JSON Feed is not one we parse.
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
# Alternate links sit in the <head>: the first 256 kB of a page is plenty, and bounds the work.
HEAD_BYTES = 256_000
MAX_LINKS = 10
_SNIFF_BYTES = 1024
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf")


def is_html_page(content: bytes) -> bool:
    """True when the bytes are a web page (an HTML document), not an RSS, Atom or RDF feed."""
    head = content[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(root in head for root in _FEED_ROOTS):
        return False
    return head.startswith(b"<!doctype html") or b"<html" in head


class _AlternateLinks(HTMLParser):
    """Collects the href of every <link rel="alternate"> whose type is a feed's, and any <base href>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"].strip()
        if tag != "link" or len(self.hrefs) >= MAX_LINKS:
            return
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").partition(";")[0].strip().lower()
        href = values.get("href", "").strip()
        if "alternate" in rels and kind in FEED_TYPES and href:
            self.hrefs.append(href)


def feed_links(content: bytes, *, url: str) -> tuple[str, ...]:
    """The http(s) feed URLs a page at `url` announces, resolved, in the page's order, without repeats."""
    parser = _AlternateLinks()
    # A broken page must not stop a pass: whatever was collected before the breakage counts.
    with suppress(Exception):
        parser.feed(content[:HEAD_BYTES].decode("utf-8", errors="replace"))
        parser.close()
    base = url
    if parser.base:
        with suppress(ValueError):
            base = urljoin(url, parser.base)
    found: list[str] = []
    for href in parser.hrefs:
        try:
            resolved = urljoin(base, href)
            scheme = urlsplit(resolved).scheme.lower()
        except ValueError:
            continue
        if scheme in ("http", "https") and is_clean_link(resolved) and resolved not in found:
            found.append(resolved)
    return tuple(found)
