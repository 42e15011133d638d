"""A web page given as a feed: name the feed it links to, or (with --discover) read that feed instead."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from extractors.discovery import feed_links, is_html_page
from newswatch.fetcher import FetchResult
from newswatch.guard import AddressGuard

HTML_PAGE = "html_page"


@dataclass(frozen=True)
class PageFeed:
    """A fetched feed URL that answered with a web page, and the first feed it links to that may be fetched."""

    page_url: str
    feed_url: str | None

    @property
    def detail(self) -> str:
        """The error detail stored for the feed (newswatch.hints reads the URL back from it)."""
        if self.feed_url is None:
            return "this is an HTML page, not a feed, and it links to no RSS or Atom feed"
        return f"this is an HTML page; its feed is at {self.feed_url}"


def page_feed(result: FetchResult, guard: AddressGuard) -> PageFeed | None:
    """None unless `result` is a web page; else the page with its first feed link the guard allows."""
    if not result.ok or result.not_modified or not is_html_page(result.content):
        return None
    links = feed_links(result.content, url=result.final_url)
    # The same guard as every fetch: a page must not point us at an address we would refuse.
    allowed = [link for link in links if guard.refusal(link, resolve=False) is None]
    return PageFeed(result.url, allowed[0] if allowed else None)


def follow_feeds(
    fetch: Callable[[str], FetchResult], pages: Mapping[int, PageFeed]
) -> dict[int, FetchResult]:
    """The feeds the pages link to, fetched (by feed id), each answer keeping the page's URL as its own."""
    followed: dict[int, FetchResult] = {}
    for feed_id, page in pages.items():
        if page.feed_url is None:
            continue
        answer = fetch(page.feed_url)
        # Validators of the linked feed would be sent to the page next time: keep none.
        followed[feed_id] = replace(answer, url=page.page_url, etag=None, last_modified=None)
    return followed


def followed_note(page: PageFeed) -> str:
    """The note a feed read through its page's link carries (its poll is ok, the note says how)."""
    return f"read the feed this HTML page links to: {page.feed_url}"
