"""Alert channels: the watch file's routes read against the configured apprise URLs, each with its mode,
schedule and the findings it takes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from alerts.schedule import QuietHours
from alerts.urls import TaggedUrl, channel_id, mask_url, split_urls
from newswatch.settings import Settings
from newswatch.watchfile import ENV_URLS, Route, Watch
from storage.ledger import Target

logger = logging.getLogger("newswatch.alerts")
TERMINAL = "terminal"  # the channel used when no apprise URL is configured: alerts are printed
ALL_TAGS = "all"  # a route with `tag: all` takes every configured URL, tagged or not (as in apprise)


class ChannelError(RuntimeError):
    """The alert channels cannot be read (e.g. a missing Prefect Secret block); the message names no secret."""


@dataclass(frozen=True)
class Channel:
    """Where messages go: an apprise URL (None for the terminal; never shown), its id, mode and schedule."""

    id: str
    url: str | None = field(repr=False)
    mode: str
    topics: tuple[str, ...]
    # For each topic, the kinds this channel takes (new_figure, ...); empty: every kind of `topics`.
    kinds: tuple[tuple[str, frozenset[str]], ...] = ()
    # For each topic, whose statements it takes ("identified" or "all"); a topic not listed: "all".
    speakers: tuple[tuple[str, str], ...] = ()
    health: bool = True  # takes feed-health alerts
    period: timedelta | None = None
    quiet: QuietHours | None = None
    timezone: str = "UTC"
    templates: Path | None = None  # email templates replacing the bundled ones

    @property
    def label(self) -> str:
        """The channel as people may see it: the masked URL, or "terminal"."""
        return TERMINAL if self.url is None else mask_url(self.url)


def _secret_block_urls(name: str) -> str:
    """The URLs kept in a Prefect Secret block (a string, or a list of strings)."""
    try:
        from prefect.blocks.system import Secret

        block = Secret.load(name)  # (a coroutine only when called from async code)
        if not isinstance(block, Secret):
            raise TypeError(f"{name!r} is not a Secret block")
        value = block.get()
    except Exception as exc:  # noqa: BLE001 - any failure means the same to the user: no URLs from it
        raise ChannelError(
            f"cannot read the Prefect Secret block {name!r} named by NEWSWATCH_APPRISE_SECRET_BLOCK "
            f"({type(exc).__name__}); create it with Secret(value=...).save({name!r})"
        ) from None
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    raise ChannelError(f"the Prefect Secret block {name!r} must hold a string of URLs or a list of them")


def configured_urls(settings: Settings) -> list[TaggedUrl]:
    """Every apprise URL from NEWSWATCH_APPRISE_URLS (environment or .env) and the Secret block, once each."""
    found = split_urls(settings.apprise_urls.get_secret_value())
    if settings.apprise_secret_block.strip():
        found += split_urls(_secret_block_urls(settings.apprise_secret_block.strip()))
    unique: dict[str, TaggedUrl] = {}
    for tagged in found:
        old = unique.get(tagged.url)
        unique[tagged.url] = TaggedUrl(tagged.url, tagged.tags | (old.tags if old else frozenset()))
    return list(unique.values())


def route_urls(route: Route, urls: Sequence[TaggedUrl]) -> list[str | None]:
    """The URLs a route sends to; `env` takes the untagged ones (as apprise does), a tag those carrying it."""
    if route.tag is not None:
        tag = route.tag.lower()
        return [u.url for u in urls if tag == ALL_TAGS or tag in u.tags]
    if route.url != ENV_URLS:
        return [route.url]
    if not urls:
        return [None]  # nothing configured: the terminal
    return [u.url for u in urls if not u.tags]


def resolve_channels(watch: Watch, settings: Settings) -> list[Channel]:
    """The channels of the watch file's routes, with the URLs each route reaches.

    Routes to the same URL and mode share one channel (and its first route's schedule), so a finding
    reaches a URL once however many routes name it; it takes every speaker of a topic when one of them does.
    """
    urls = configured_urls(settings)
    templates = settings.templates or watch.templates
    channels: dict[str, Channel] = {}
    for route in watch.routes:
        targets = route_urls(route, urls)
        if not targets:
            which = (
                f"tag {route.tag!r}" if route.tag is not None else "'env' (all configured URLs are tagged)"
            )
            logger.warning("the alert route to %s reaches no configured apprise URL", which)
        kinds = frozenset(route.kinds) - {"feed_health"}
        for url in targets:
            suffix = "" if route.mode == "instant" else ":digest"
            cid = TERMINAL + suffix if url is None else f"{channel_id(url)}:{route.mode}"
            old = channels.get(cid)
            merged = dict(old.kinds) if old else {}
            speakers = dict(old.speakers) if old else {}
            for topic in route.topics:
                merged[topic] = merged.get(topic, frozenset()) | kinds
                if speakers.get(topic) != "all":
                    speakers[topic] = route.speakers
            channels[cid] = Channel(
                id=cid,
                url=url,
                mode=route.mode,
                topics=tuple(sorted(t for t, k in merged.items() if k)),
                kinds=tuple(sorted(merged.items())),
                speakers=tuple(sorted(speakers.items())),
                health=(old.health if old else False) or "feed_health" in route.kinds,
                period=old.period if old else route.period,
                quiet=old.quiet if old else route.quiet,
                timezone=old.timezone if old else route.timezone,
                templates=templates,
            )
    return list(channels.values())


def targets_by_topic(channels: Sequence[Channel]) -> dict[str, list[Target]]:
    """For each topic, the ledger targets its findings are queued for (with the kinds each takes)."""
    targets: dict[str, list[Target]] = {}
    for channel in channels:
        pairs: Sequence[tuple[str, frozenset[str] | None]] = channel.kinds or [
            (t, None) for t in channel.topics
        ]
        speakers = dict(channel.speakers)
        for topic, kinds in pairs:
            if kinds is None or kinds:
                targets.setdefault(topic, []).append(
                    Target(channel.id, channel.mode, kinds, speakers.get(topic, "all"))
                )
    return targets
