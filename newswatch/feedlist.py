"""The watch file as the list of feeds: which stored feeds it no longer names, and pruning them."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.engine import Engine

from newswatch.watchfile import Watch
from storage.db import session_scope
from storage.pruning import prune_feeds

SHOWN_URLS = 5  # a sentence names this many URLs, then counts the rest


def listed_urls(watch: Watch | None) -> frozenset[str] | None:
    """The feed URLs the watch file names (None without a watch file to compare with)."""
    return None if watch is None else frozenset(f.url for f in watch.feeds)


def _some(urls: Collection[str]) -> str:
    """Up to SHOWN_URLS of `urls`, and how many more."""
    shown = sorted(urls)[:SHOWN_URLS]
    more = len(urls) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def prune_listed(engine: Engine, listed: Collection[str]) -> str:
    """Delete the stored feeds the watch file no longer names (see storage.pruning); one sentence on it."""
    with session_scope(engine) as session:
        pruned = prune_feeds(session, keep=listed)
    if not pruned.urls:
        return "every stored feed is in the watch file: nothing to prune"
    count = len(pruned.urls)
    return (
        f"pruned {count} feed{'s' if count != 1 else ''} no longer in the watch file: {_some(pruned.urls)} "
        f"(with {pruned.entries} entries and {pruned.pages} pages kept unread; their articles and findings "
        "stay)"
    )


def not_listed_sentence(urls: Collection[str]) -> str:
    """What to do about stored feeds the watch file does not name."""
    count = len(urls)
    return (
        f"{count} feed{'s are' if count != 1 else ' is'} not in the watch file and no longer polled: "
        f"{_some(urls)}; `newswatch feeds --prune` deletes {'them' if count != 1 else 'it'} "
        "(their articles and findings stay)"
    )
