"""The watch file: which topics to detect, which feeds to poll, where alerts go."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from extractors.topic import Topic, TopicFieldError, topic_from_mapping, unknown_field
from newswatch.routes import ENV_URLS, Route, parse_routes
from newswatch.watchyaml import WatchFileError, as_list, compose_and_load, field_node, key_node, line_of

__all__ = [
    "ENV_URLS",
    "FeedSpec",
    "Route",
    "Watch",
    "WatchFileError",
    "load_watch",
    "parse_watch",
    "read_watch",
]


@dataclass(frozen=True)
class FeedSpec:
    """One feed to poll and the topics it is read for."""

    url: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Watch:
    """A parsed watch file."""

    path: str
    topics: tuple[Topic, ...]
    feeds: tuple[FeedSpec, ...]
    routes: tuple[Route, ...]
    templates: Path | None = None  # a directory of email templates replacing the bundled ones

    def topic(self, name: str) -> Topic:
        """The topic called `name`; KeyError lists the known ones."""
        for topic in self.topics:
            if topic.name == name:
                return topic
        raise KeyError(f"no topic {name!r} in {self.path} (known: {', '.join(t.name for t in self.topics)})")

    def with_feeds(self, urls: Sequence[str]) -> Watch:
        """The same watch with its feeds replaced by `urls`, each read for every topic."""
        names = tuple(t.name for t in self.topics)
        return replace(self, feeds=tuple(FeedSpec(url=u, topics=names) for u in urls))


_TOP_KEYS = ("topics", "feeds", "alerts", "templates")
_FEED_KEYS = ("url", "topics")


def _unknown_top(field: str) -> str:
    return unknown_field(field, _TOP_KEYS, "the watch file")


def check_feed_url(url: str) -> str | None:
    """Why a feed URL cannot be polled (no http(s) scheme, no host, spaces), or None when it can."""
    if url != url.strip() or any(c.isspace() for c in url):
        return f"{url!r} has spaces in it: a URL has none (encode them as %20)"
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    return (
        None
        if ok
        else f"{url!r} is not an http(s) URL: give the feed's full address, like https://example.org/rss"
    )


def _parse_feeds(root: yaml.Node, raw: Any, *, path: str, names: set[str]) -> list[FeedSpec]:
    """The `feeds:` section: each a URL (checked now, not at the first poll) and the topics it is read for."""
    feeds: list[FeedSpec] = []
    node = key_node(root, "feeds")
    if raw is not None and not isinstance(raw, list):
        raise WatchFileError(f"{path}, {line_of(node)}: 'feeds' must be a list")
    for i, spec in enumerate(raw or []):
        item = node.value[i] if isinstance(node, yaml.SequenceNode) and i < len(node.value) else node
        where = f"{path}, {line_of(item)}: feeds[{i}]"
        if isinstance(spec, str):
            spec = {"url": spec}
        if not isinstance(spec, Mapping) or not isinstance(spec.get("url"), str):
            raise WatchFileError(f"{where} needs a 'url'")
        if unknown := [str(k) for k in spec if k not in _FEED_KEYS]:
            raise WatchFileError(f"{where}: {unknown_field(unknown[0], _FEED_KEYS, f'feeds[{i}]')}")
        if problem := check_feed_url(spec["url"]):
            raise WatchFileError(f"{where}: {problem}")
        try:
            feed_topics = as_list(spec.get("topics", sorted(names)), "'topics'")
        except ValueError as exc:
            raise WatchFileError(f"{where}: {exc}") from None
        if unknown_topics := set(feed_topics) - names:
            raise WatchFileError(f"{where}: unknown topic(s) {', '.join(sorted(unknown_topics))}")
        feeds.append(FeedSpec(url=spec["url"], topics=feed_topics))
    return feeds


def parse_watch(text: str, *, path: str = "<watch file>") -> Watch:
    """Parse a watch file's YAML text; WatchFileError says where and what is wrong."""
    try:
        root, data = compose_and_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # libyaml puts an error at the end of the input one line past the last: name the last line.
        where = f"line {min(mark.line + 1, len(text.splitlines()) or 1)}" if mark else "?"
        raise WatchFileError(f"{path}, {where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if root is None or not isinstance(data, Mapping):
        raise WatchFileError(f"{path}: expected a mapping with 'topics', 'feeds' and 'alerts'")

    topics: list[Topic] = []
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, Mapping) or not raw_topics:
        raise WatchFileError(
            f"{path}, {line_of(key_node(root, 'topics'))}: 'topics' must name at least one topic"
        )
    for field in data:
        if field not in _TOP_KEYS:
            raise WatchFileError(
                f"{path}, {line_of(field_node(root, (str(field),)))}: {_unknown_top(str(field))}"
            )
    for name, spec in raw_topics.items():
        try:
            topics.append(topic_from_mapping(str(name), spec))
        except TopicFieldError as exc:
            node = field_node(root, ("topics", str(name), *exc.path))
            raise WatchFileError(f"{path}, {line_of(node)}: {exc}") from None
    names = {t.name for t in topics}
    feeds = _parse_feeds(root, data.get("feeds"), path=path, names=names)

    routes = parse_routes(root, data.get("alerts"), path=path, names=names)
    if not routes:
        routes.append(Route(url=ENV_URLS, topics=tuple(sorted(names))))
    templates = _templates(root, data.get("templates"), path=path)
    return Watch(
        path=path, topics=tuple(topics), feeds=tuple(feeds), routes=tuple(routes), templates=templates
    )


def _templates(root: yaml.Node, raw: Any, *, path: str) -> Path | None:
    """The `templates:` directory (relative to the watch file), which must exist."""
    if raw is None:
        return None
    where = f"{path}, {line_of(key_node(root, 'templates'))}"
    if not isinstance(raw, str) or not raw.strip():
        raise WatchFileError(f"{where}: 'templates' must name a directory of email templates")
    folder = Path(raw.strip()).expanduser()
    if not folder.is_absolute() and not path.startswith("<"):
        folder = Path(path).parent / folder
    if not folder.is_dir():
        raise WatchFileError(f"{where}: 'templates' names {raw!r}, which is not a directory")
    return folder


def load_watch(path: Path) -> Watch:
    """Read and parse a watch file; WatchFileError when missing or invalid."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WatchFileError(f"cannot read watch file {path}: {exc.strerror}") from None
    return parse_watch(text, path=str(path))


def read_watch(path: Path) -> Watch:
    """load_watch, remembered while the file keeps its modification time and size (a pass reads it in
    several places: the command, the flow, its run name, its report)."""
    try:
        stat = path.stat()
    except OSError:
        return load_watch(path)  # which says why it cannot be read
    return _remembered_watch(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _remembered_watch(path: Path, _mtime_ns: int, _size: int) -> Watch:
    return load_watch(path)
