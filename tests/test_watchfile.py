"""The watch file: the bundled one loads; bad ones name the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.settings import BUNDLED_WATCH_FILE
from newswatch.watchfile import ENV_URLS, WatchFileError, load_watch, parse_watch

GOOD = """
topics:
  strike:
    title: Rail strike turnout
    terms: [strike, walkout]
    units:
      workers: [workers, staff, drivers]
    claimants:
      union: {name: The union, aliases: [union, RMT]}
feeds:
  - url: https://example.org/feed.xml
    topics: [strike]
alerts:
  - url: json://hooks.example.org/x
    mode: digest
"""


def test_bundled_watch_file_has_the_topic_feeds_and_a_route() -> None:
    watch = load_watch(BUNDLED_WATCH_FILE)
    topic = watch.topic("nk-troops-russia")
    assert "troops" in {u.name for u in topic.units}
    assert any("National Intelligence Service" in c.aliases for c in topic.claimants)
    assert len(watch.feeds) >= 5
    assert all(f.url.startswith("https://") for f in watch.feeds)
    assert watch.routes[0].url == ENV_URLS


def test_a_second_topic_is_only_a_watch_file() -> None:
    watch = parse_watch(GOOD)
    assert watch.topic("strike").units[0].nouns == ("workers", "staff", "drivers")
    assert watch.routes[0].mode == "digest"
    assert watch.routes[0].topics == ("strike",)
    replaced = watch.with_feeds(["http://127.0.0.1:9/a.xml"])
    assert [(f.url, f.topics) for f in replaced.feeds] == [("http://127.0.0.1:9/a.xml", ("strike",))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("topics: [", "line 1: not valid YAML"),
        ("feeds: []", "'topics' must name at least one topic"),
        ("topics:\n  t:\n    terms: []\n    units: {x: [a]}\n", "line 3: topic 't': 'terms'"),
        (GOOD.replace("topics: [strike]", "topics: [nope]"), "unknown topic(s) nope"),
        (GOOD.replace("mode: digest", "mode: hourly"), "mode must be 'instant' or 'digest'"),
        (GOOD.replace("  - url: https://example.org/feed.xml", "  - link: x"), "feeds[0] needs a 'url'"),
    ],
)
def test_bad_watch_files_say_where_and_what(text: str, message: str) -> None:
    with pytest.raises(WatchFileError, match=r"watch\.yaml") as info:
        parse_watch(text, path="watch.yaml")
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace(
                "    terms: [strike, walkout]", "    terms: [strike, walkout]\n    aspect: [turnout]"
            ),
            "line 6: unknown field 'aspect' in topics.strike: did you mean 'aspects'?",
        ),
        (
            GOOD.replace("{name: The union, aliases: [union, RMT]}", "{name: The union, alias: [RMT]}"),
            "line 9: unknown field 'alias' in topics.strike.claimants.union: did you mean 'aliases'?",
        ),
        (
            GOOD.replace("feeds:", "feed:"),
            "line 10: unknown field 'feed' in the watch file: did you mean 'feeds'?",
        ),
        (
            GOOD.replace("    topics: [strike]\nalerts", "    topic: [strike]\nalerts"),
            "line 11: feeds[0]: unknown field 'topic' in feeds[0]: did you mean 'topics'?",
        ),
        (
            GOOD.replace("https://example.org/feed.xml", "example.org/feed.xml"),
            "line 11: feeds[0]: 'example.org/feed.xml' is not an http(s) URL",
        ),
        (
            GOOD.replace("https://example.org/feed.xml", "https://example.org/my feed.xml"),
            "line 11: feeds[0]: 'https://example.org/my feed.xml' has spaces in it",
        ),
        (GOOD.replace("mode: digest", "mode: digest\n    kind: [new_figure]"), "did you mean 'kinds'?"),
    ],
)
def test_mistakes_a_user_makes_name_the_line_and_the_fix(text: str, message: str) -> None:
    """Unknown fields are errors with their line and the field meant; feed URLs are checked on reading."""
    with pytest.raises(WatchFileError) as info:
        parse_watch(text, path="watch.yaml")
    assert str(info.value).startswith("watch.yaml, line ")
    assert message in str(info.value)


def test_missing_watch_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WatchFileError, match="cannot read watch file"):
        load_watch(tmp_path / "nope.yaml")
