"""The watch file's alert routes: which findings go where (an apprise URL, `env` or a tag), and when."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, cast

import yaml

from alerts.message import ALERT_KINDS, SPEAKER_CHOICES
from alerts.schedule import QuietHours, parse_period, parse_quiet, parse_zone
from extractors.topic import unknown_field
from newswatch.watchyaml import WatchFileError, as_list, key_node, line_of

ENV_URLS = "env"  # a route whose url is "env" sends to every untagged configured apprise URL
ROUTE_KEYS = ("url", "tag", "topics", "kinds", "speakers", "mode", "digest", "quiet", "timezone")


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
    # Whose statements it takes: "identified" (watch-file claimants, named people and institutions; the
    # default of instant routes) or "all" (unnamed narration too; the default of digests).
    speakers: str = "identified"


def _route_where(path: str, alerts: yaml.Node | None, i: int, key: str | None) -> str:
    """Where a route's mistake is: its line, or the line of its field `key` when given."""
    node = alerts
    if isinstance(alerts, yaml.SequenceNode) and i < len(alerts.value):
        node = alerts.value[i]
        if key is not None and isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == key), node)
    return f"{path}, {line_of(node)}: alerts[{i}]"


def _route(
    spec: Mapping[str, Any], names: set[str], fail: Callable[[str | None, str], WatchFileError]
) -> Route:
    """One route from its mapping; `fail(field, message)` builds the error that names the line."""
    if unknown := [str(k) for k in spec if k not in ROUTE_KEYS]:
        raise fail(unknown[0], unknown_field(unknown[0], ROUTE_KEYS, "this route"))
    url, tag = spec.get("url"), spec.get("tag")
    if (url is None) == (tag is None):
        raise fail(None, "needs a 'url' (an apprise URL or 'env') or a 'tag' (an apprise tag), not both")
    for key, value in (("url", url), ("tag", tag)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise fail(key, f"{key!r} must be a non-empty string")
    try:
        topics = as_list(spec.get("topics", sorted(names)), "'topics'")
        kinds = as_list(spec.get("kinds", list(ALERT_KINDS)), "'kinds'")
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
    speakers = spec.get("speakers", "identified" if mode == "instant" else "all")
    if speakers not in SPEAKER_CHOICES:
        raise fail("speakers", f"'speakers' must be {' or '.join(SPEAKER_CHOICES)}, not {speakers!r}")
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
        speakers=str(speakers),
    )


def parse_routes(root: yaml.Node, raw: Any, *, path: str, names: set[str]) -> list[Route]:
    """The `alerts:` section: a list of routes; each mistake names the line and the field."""
    alerts = key_node(root, "alerts")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise WatchFileError(f"{path}, {line_of(alerts)}: 'alerts' must be a list of routes")
    routes: list[Route] = []
    for i, spec in enumerate(raw):

        def fail(key: str | None, message: str, i: int = i) -> WatchFileError:
            return WatchFileError(f"{_route_where(path, alerts, i, key)}: {message}")

        if not isinstance(spec, Mapping):
            raise fail(None, "must be a mapping with a 'url' or a 'tag'")
        routes.append(_route(spec, names, fail))
    return routes
