"""The watch file: which topics to detect, which feeds to poll, where alerts go."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from extractors.topic import Topic, topic_from_mapping

ENV_URLS = "env"  # a route whose url is "env" sends to every URL in NEWSWATCH_APPRISE_URLS


class WatchFileError(ValueError):
    """A watch file that cannot be used; the message names the file, line and field."""


@dataclass(frozen=True)
class FeedSpec:
    """One feed to poll and the topics it is read for."""

    url: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    """Where alerts for some topics go: an apprise URL or tag, or `env`."""

    url: str
    topics: tuple[str, ...]
    mode: Literal["instant", "digest"] = "instant"


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


def parse_watch(text: str, *, path: str = "<watch file>") -> Watch:
    """Parse a watch file's YAML text; WatchFileError says where and what is wrong."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        raise WatchFileError(f"{path}, {where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if root is None or not isinstance(data, Mapping):
        raise WatchFileError(f"{path}: expected a mapping with 'topics', 'feeds' and 'alerts'")

    topics: list[Topic] = []
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, Mapping) or not raw_topics:
        raise WatchFileError(
            f"{path}, {_line_of(_key_node(root, 'topics'))}: 'topics' must name at least one topic"
        )
    for name, spec in raw_topics.items():
        try:
            topics.append(topic_from_mapping(str(name), spec))
        except ValueError as exc:
            raise WatchFileError(f"{path}, {_line_of(_key_node(root, 'topics', str(name)))}: {exc}") from None
    names = {t.name for t in topics}

    feeds: list[FeedSpec] = []
    for i, spec in enumerate(data.get("feeds") or []):
        where = f"{path}, {_line_of(_key_node(root, 'feeds'))}: feeds[{i}]"
        if isinstance(spec, str):
            spec = {"url": spec}
        if not isinstance(spec, Mapping) or not isinstance(spec.get("url"), str):
            raise WatchFileError(f"{where} needs a 'url'")
        try:
            feed_topics = _as_list(spec.get("topics", sorted(names)), "'topics'")
        except ValueError as exc:
            raise WatchFileError(f"{where}: {exc}") from None
        if unknown := set(feed_topics) - names:
            raise WatchFileError(f"{where}: unknown topic(s) {', '.join(sorted(unknown))}")
        feeds.append(FeedSpec(url=spec["url"].strip(), topics=feed_topics))

    routes: list[Route] = []
    for i, spec in enumerate(data.get("alerts") or []):
        where = f"{path}, {_line_of(_key_node(root, 'alerts'))}: alerts[{i}]"
        if not isinstance(spec, Mapping) or not isinstance(spec.get("url"), str):
            raise WatchFileError(f"{where} needs a 'url' (an apprise URL or 'env')")
        mode = spec.get("mode", "instant")
        if mode not in ("instant", "digest"):
            raise WatchFileError(f"{where}: mode must be 'instant' or 'digest', not {mode!r}")
        try:
            route_topics = _as_list(spec.get("topics", sorted(names)), "'topics'")
        except ValueError as exc:
            raise WatchFileError(f"{where}: {exc}") from None
        routes.append(Route(url=spec["url"].strip(), topics=route_topics, mode=mode))
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
