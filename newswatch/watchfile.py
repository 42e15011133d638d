"""The watch file: which topics to detect, which feeds to poll, where alerts go."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

import yaml

from alerts.message import ALERT_KINDS
from alerts.schedule import QuietHours, parse_period, parse_quiet, parse_zone
from extractors.topic import Topic, TopicFieldError, topic_from_mapping, unknown_field

ENV_URLS = "env"  # a route whose url is "env" sends to every untagged configured apprise URL


class WatchFileError(ValueError):
    """A watch file that cannot be used; the message names the file, line and field."""


@dataclass(frozen=True)
class FeedSpec:
    """One feed to poll and the topics it is read for."""

    url: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    """Where alerts for some topics and kinds go (an apprise URL, `env`, or an apprise tag), and when."""

    url: str  # an apprise URL, or "env"; "" when the route names a tag instead
    topics: tuple[str, ...]
    mode: Literal["instant", "digest"] = "instant"
    tag: str | None = None  # every URL in NEWSWATCH_APPRISE_URLS (or the Secret block) carrying this tag
    kinds: tuple[str, ...] = ALERT_KINDS
    period: timedelta | None = None  # digest only: one message per period; None: one per pass
    quiet: QuietHours | None = None  # messages are held during these hours, then delivered
    timezone: str = "UTC"  # for quiet hours and for where digest periods start


@dataclass(frozen=True)
class Watch:
    """A parsed watch file."""

    path: str
    topics: tuple[Topic, ...]
    feeds: tuple[FeedSpec, ...]
    routes: tuple[Route, ...]

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


def _line_of(node: yaml.Node | None) -> str:
    """ "line N" of a node; a block mapping or list is named by its first key (libyaml marks the line before)."""
    while (
        isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value and node.flow_style is not True
    ):
        node = node.value[0][0] if isinstance(node, yaml.MappingNode) else node.value[0]
    return f"line {node.start_mark.line + 1}" if node is not None else "top level"


def _key_node(root: yaml.Node, *keys: str) -> yaml.Node | None:
    """The YAML node at a key path, to name its line in an error message."""
    node: yaml.Node | None = root
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return node
        node = next((v for k, v in node.value if getattr(k, "value", None) == key), node)
    return node


def _as_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where} must be a list of strings")
    return tuple(value)


_ROUTE_KEYS = ("url", "tag", "topics", "kinds", "mode", "digest", "quiet", "timezone")
_TOP_KEYS = ("topics", "feeds", "alerts")
_FEED_KEYS = ("url", "topics")


def _unknown_top(field: str) -> str:
    return unknown_field(field, _TOP_KEYS, "the watch file")


def _field_node(root: yaml.Node, keys: tuple[str, ...]) -> yaml.Node | None:
    """The node of a key path, or of its nearest parent that exists (its key's own line when it is a key)."""
    node: yaml.Node | None = root
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return node
        pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == key), None)
        if pair is None:
            return node
        node = pair[0] if key == keys[-1] else pair[1]
    return node


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
    node = _key_node(root, "feeds")
    if raw is not None and not isinstance(raw, list):
        raise WatchFileError(f"{path}, {_line_of(node)}: 'feeds' must be a list")
    for i, spec in enumerate(raw or []):
        item = node.value[i] if isinstance(node, yaml.SequenceNode) and i < len(node.value) else node
        where = f"{path}, {_line_of(item)}: feeds[{i}]"
        if isinstance(spec, str):
            spec = {"url": spec}
        if not isinstance(spec, Mapping) or not isinstance(spec.get("url"), str):
            raise WatchFileError(f"{where} needs a 'url'")
        if unknown := [str(k) for k in spec if k not in _FEED_KEYS]:
            raise WatchFileError(f"{where}: {unknown_field(unknown[0], _FEED_KEYS, f'feeds[{i}]')}")
        if problem := check_feed_url(spec["url"]):
            raise WatchFileError(f"{where}: {problem}")
        try:
            feed_topics = _as_list(spec.get("topics", sorted(names)), "'topics'")
        except ValueError as exc:
            raise WatchFileError(f"{where}: {exc}") from None
        if unknown_topics := set(feed_topics) - names:
            raise WatchFileError(f"{where}: unknown topic(s) {', '.join(sorted(unknown_topics))}")
        feeds.append(FeedSpec(url=spec["url"], topics=feed_topics))
    return feeds


def _route_where(path: str, alerts: yaml.Node | None, i: int, key: str | None) -> str:
    """Where a route's mistake is: its line, or the line of its field `key` when given."""
    node = alerts
    if isinstance(alerts, yaml.SequenceNode) and i < len(alerts.value):
        node = alerts.value[i]
        if key is not None and isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == key), node)
    return f"{path}, {_line_of(node)}: alerts[{i}]"


def _route(
    spec: Mapping[str, Any], names: set[str], fail: Callable[[str | None, str], WatchFileError]
) -> Route:
    """One route from its mapping; `fail(field, message)` builds the error that names the line."""
    if unknown := [str(k) for k in spec if k not in _ROUTE_KEYS]:
        raise fail(unknown[0], unknown_field(unknown[0], _ROUTE_KEYS, "this route"))
    url, tag = spec.get("url"), spec.get("tag")
    if (url is None) == (tag is None):
        raise fail(None, "needs a 'url' (an apprise URL or 'env') or a 'tag' (an apprise tag), not both")
    for key, value in (("url", url), ("tag", tag)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise fail(key, f"{key!r} must be a non-empty string")
    try:
        topics = _as_list(spec.get("topics", sorted(names)), "'topics'")
        kinds = _as_list(spec.get("kinds", list(ALERT_KINDS)), "'kinds'")
    except ValueError as exc:
        raise fail("topics" if "topics" in str(exc) else "kinds", str(exc)) from None
    if unknown_topics := sorted(set(topics) - names):
        raise fail("topics", f"unknown topic(s) {', '.join(unknown_topics)}")
    if bad := [k for k in kinds if k not in ALERT_KINDS]:
        raise fail("kinds", f"unknown kind {bad[0]!r} (kinds: {', '.join(ALERT_KINDS)})")
    digest = spec.get("digest")
    mode = spec.get("mode", "digest" if digest is not None else "instant")
    if mode not in ("instant", "digest"):
        raise fail("mode", f"mode must be 'instant' or 'digest', not {mode!r}")
    if digest is not None and mode != "digest":
        raise fail("digest", "'digest' sets a digest period, so 'mode' must be 'digest' (or left out)")
    zone = spec.get("timezone", "UTC")
    try:
        if not isinstance(zone, str):
            raise ValueError(f"must be an IANA time zone such as Europe/Berlin or UTC, not {zone!r}")
        parse_zone(zone)
    except ValueError as exc:
        raise fail("timezone", f"'timezone' {exc}") from None
    period: timedelta | None = None
    if digest is not None and digest != "run":
        try:
            period = parse_period(str(digest))
        except ValueError as exc:
            raise fail("digest", f"'digest' {exc} (or 'run': one message per pass)") from None
    quiet: QuietHours | None = None
    if spec.get("quiet") is not None:
        try:
            quiet = parse_quiet(str(spec["quiet"]), zone)
        except ValueError as exc:
            raise fail("quiet", f"'quiet' {exc}") from None
    return Route(
        url=url.strip() if isinstance(url, str) else "",
        topics=topics,
        mode=cast(Literal["instant", "digest"], mode),
        tag=tag.strip() if isinstance(tag, str) else None,
        kinds=tuple(dict.fromkeys(kinds)),
        period=period,
        quiet=quiet,
        timezone=zone.strip(),
    )


def _parse_routes(root: yaml.Node, raw: Any, *, path: str, names: set[str]) -> list[Route]:
    """The `alerts:` section: a list of routes; each mistake names the line and the field."""
    alerts = _key_node(root, "alerts")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise WatchFileError(f"{path}, {_line_of(alerts)}: 'alerts' must be a list of routes")
    routes: list[Route] = []
    for i, spec in enumerate(raw):

        def fail(key: str | None, message: str, i: int = i) -> WatchFileError:
            return WatchFileError(f"{_route_where(path, alerts, i, key)}: {message}")

        if not isinstance(spec, Mapping):
            raise fail(None, "must be a mapping with a 'url' or a 'tag'")
        routes.append(_route(spec, names, fail))
    return routes


# libyaml's parser when PyYAML was built with it: the pure-Python one took 0.4 s for a 1,000-feed file.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """The YAML's node tree (for line numbers in errors) and its data, parsed once."""
    loader = _LOADER(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def parse_watch(text: str, *, path: str = "<watch file>") -> Watch:
    """Parse a watch file's YAML text; WatchFileError says where and what is wrong."""
    try:
        root, data = _compose_and_load(text)
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
            f"{path}, {_line_of(_key_node(root, 'topics'))}: 'topics' must name at least one topic"
        )
    for field in data:
        if field not in _TOP_KEYS:
            raise WatchFileError(
                f"{path}, {_line_of(_field_node(root, (str(field),)))}: {_unknown_top(str(field))}"
            )
    for name, spec in raw_topics.items():
        try:
            topics.append(topic_from_mapping(str(name), spec))
        except TopicFieldError as exc:
            node = _field_node(root, ("topics", str(name), *exc.path))
            raise WatchFileError(f"{path}, {_line_of(node)}: {exc}") from None
    names = {t.name for t in topics}
    feeds = _parse_feeds(root, data.get("feeds"), path=path, names=names)

    routes = _parse_routes(root, data.get("alerts"), path=path, names=names)
    if not routes:
        routes.append(Route(url=ENV_URLS, topics=tuple(sorted(names))))
    return Watch(path=path, topics=tuple(topics), feeds=tuple(feeds), routes=tuple(routes))


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
