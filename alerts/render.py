"""Alert messages (title plus Markdown, HTML and text bodies) for new findings, digests and feed health."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from alerts.message import AlertItem, HealthItem, Message
from extractors.findings import Figure

_CHANGE_LABEL = {
    "new_figure": "New figure",
    "revised_figure": "Revised figure",
    "new_statement": "New statement",
}
_VAGUE = {12: "dozens", 100: "hundreds", 1000: "thousands", 10_000: "tens of thousands"}
_TITLE_MAX = 200
_ZWSP = "\u200b"

# Text from feeds and articles is hostile: these are the parts chat apps and renderers would act on.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # incl. bidi
_MENTION = re.compile(r"(?<=@)(?=\w)")  # @here, @channel, @everyone, @someone
_ANGLE_CONTROL = re.compile(r"(?<=<)(?=[!@#])")  # Slack's <!channel>, <@U123>, <#C123>
_ANGLE = re.compile(r"(?<=<)")  # in a title, "<" never opens a tag or a Slack control
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*:)(?=//)")  # https://evil would be auto-linked
_WWW = re.compile(r"(?i)(?<=\bwww)(?=\.)")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~]|(?<=\])\()")  # "(" only where "](" would make a link
_MD_LINE_START = re.compile(r"^(?:(\d+)(?=[.)])|(?=[#=+-]))")  # would start a heading or a list
_DATE_SUFFIX = re.compile(r"\s*\([^)]*\)$")  # "3,000 (Oct 23)" -> "3,000"
_URL_SAFE = "%:/?#[]@!$&'()*+,;=~-._"  # everything else (<, >, |, quotes, spaces, backticks) is encoded


@dataclass(frozen=True)
class _Span:
    text: str
    style: str = ""  # "" plain, "b" bold label, "code", "link"
    href: str = ""


@dataclass(frozen=True)
class _Block:
    lines: tuple[tuple[_Span, ...], ...]
    quote: bool = False


def _clean(text: str) -> str:
    """One line of text without control or direction-override characters."""
    return " ".join(_CONTROL.sub(" ", text).split())


def _neutral(text: str) -> str:
    """Clean text that cannot mention anyone or become a link when a chat app reads it."""
    text = _ANGLE_CONTROL.sub(_ZWSP, _MENTION.sub(_ZWSP, _clean(text)))
    return _WWW.sub(_ZWSP, _SCHEME.sub(r"\1" + _ZWSP, text))


def _href(url: str) -> str | None:
    """The URL made safe for a link target, or None when it is not an http(s) address."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=_URL_SAFE)


def _md_span(span: _Span) -> str:
    if span.style == "code":
        # Chat apps parse neither mentions nor links inside code, and Slack entity-escapes <, >, &.
        return "`" + _clean(span.text).replace("`", "'") + "`"
    text = _MD_SPECIAL.sub(r"\\\1", _neutral(span.text))
    if span.style == "b":
        return f"**{text}** "
    if span.style == "link":
        return f"[{text}](<{span.href}>)"
    return text


def _md_line(spans: tuple[_Span, ...]) -> str:
    line = "".join(_md_span(s) for s in spans)
    if spans and spans[0].style == "":
        line = _MD_LINE_START.sub(lambda m: (m.group(1) or "") + "\\", line, count=1)
    return line


def _html_span(span: _Span) -> str:
    text = html.escape(_neutral(span.text) if span.style != "code" else _clean(span.text))
    if span.style == "b":
        return f"<b>{text}</b> "
    if span.style == "code":
        return f"<code>{text}</code>"
    if span.style == "link":
        # The address is shown too: readers see where it goes, and the email's plain part keeps it.
        return f'{text}: <a href="{html.escape(span.href)}">{html.escape(span.href)}</a>'
    return text


def _text_span(span: _Span) -> str:
    text = _clean(span.text)
    if span.style == "b":
        return text + " "
    return f"{text}: {span.href}" if span.style == "link" else text


def _compose(blocks: Sequence[_Block]) -> tuple[str, str, str]:
    """The Markdown, HTML and text bodies of the same blocks."""
    md, htm, txt = [], [], []
    for block in blocks:
        md_lines = [_md_line(line) for line in block.lines]
        html_lines = ["".join(_html_span(s) for s in line) for line in block.lines]
        text_lines = ["".join(_text_span(s) for s in line) for line in block.lines]
        if block.quote:
            md.append("  \n".join("> " + line for line in md_lines))
            htm.append(
                '<blockquote style="margin:0 0 0 0.8em;padding-left:0.8em;border-left:3px solid #ccc">'
                + "<br>".join(html_lines)
                + "</blockquote>"
            )
            txt.append("\n".join("> " + line for line in text_lines))
        else:
            md.append("  \n".join(md_lines))
            htm.append("<p>" + "<br>".join(html_lines) + "</p>")
            txt.append("\n".join(text_lines))
    return "\n\n".join(md) + "\n", "\n".join(htm) + "\n", "\n\n".join(txt) + "\n"


def _title(text: str) -> str:
    """A one-line title that pings nobody and makes no link, cut to a length every service takes."""
    text = _ANGLE.sub(_ZWSP, _neutral(text))
    return text if len(text) <= _TITLE_MAX else text[: _TITLE_MAX - 1].rstrip() + "…"


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%d %b %Y, %H:%M UTC")


def describe_figure(f: Figure) -> str:
    """The figure in a few words: "up to 10,000 troops", "10,000-12,000 troops", "+1,500 troops"."""
    noun = f.unit_class or f.unit
    qualifier = "" if f.qualifier in ("", "none") else f.qualifier + " "
    if f.vague and f.low in _VAGUE:
        # Participle classes read without "of": "thousands killed", but "thousands of troops".
        joiner = " " if noun.endswith("ed") else " of "
        return f"{qualifier}{_VAGUE[f.low]}{joiner}{noun}"
    if f.value is not None:
        amount = f"{f.value:,}"
    elif f.low is not None and f.high is not None and f.low != f.high:
        amount = f"{f.low:,}-{f.high:,}"
    elif f.low is not None or f.high is not None:
        amount = f"{f.low if f.low is not None else f.high:,}"
        qualifier = qualifier or ("at least " if f.vague else "")
    else:
        return f"{qualifier}an unspecified number of {noun}"
    return f"{qualifier}{'+' if f.delta else ''}{amount} {noun}"


def _claimant(f: Figure) -> str:
    return f.claimant or "unattributed"


def _item_title(item: AlertItem) -> str:
    label = _CHANGE_LABEL[item.change]
    f = item.finding
    if not isinstance(f, Figure):
        return f"[{item.topic_title}] {label}: {f.speaker}"
    who = _claimant(f) + (", denied" if f.stance == "denied" else "")
    title = f"[{item.topic_title}] {label}: {describe_figure(f)} ({who})"
    if item.change == "revised_figure" and item.previous:
        # The title names only the last earlier value; the body lists them all with their dates.
        title += f" (was {_DATE_SUFFIX.sub('', item.previous[-1])})"
    return title


def _item_blocks(item: AlertItem, with_topic: bool) -> list[_Block]:
    f = item.finding
    label = f"[{item.topic_title}] " if with_topic else ""
    label += _CHANGE_LABEL[item.change] + ":"
    lines: list[tuple[_Span, ...]]
    if isinstance(f, Figure):
        lines = [
            (_Span(label, "b"), _Span(describe_figure(f))),
            (_Span("Claimant:", "b"), _Span(f"{_claimant(f)} ({f.stance})" if f.stance else _claimant(f))),
        ]
        if item.previous:
            lines.append((_Span("Previously:", "b"), _Span(", ".join(item.previous))))
    else:
        lines = [(_Span(label, "b"), _Span(f.speaker + (f", {f.role}" if f.role else "")))]
        said = (
            (_Span("Quote:", "b"), _Span(f"“{f.quote}”"))
            if f.direct
            else (_Span("Reported:", "b"), _Span(f.quote))
        )
        lines.append(said)
    return [_Block(tuple(lines)), _Block(((_Span(f.sentence),),), quote=True)]


def _article_block(item: AlertItem) -> _Block:
    lines: list[tuple[_Span, ...]] = [(_Span("Article:", "b"), _Span(item.article_title or "(untitled)"))]
    meta = " · ".join(part for part in (_clean(item.outlet), _when(item.published)) if part)
    if meta:
        lines.append((_Span(meta),))
    href = _href(item.url)
    lines.append(
        (_Span("Open the article", "link", href),)
        if href
        else (_Span("Link (not opened):", "b"), _Span(item.url))
    )
    return _Block(tuple(lines))


def _by_article(items: Sequence[AlertItem]) -> list[list[AlertItem]]:
    groups: dict[str, list[AlertItem]] = {}
    for item in items:
        groups.setdefault(item.url, []).append(item)
    return list(groups.values())


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def render_instant(items: Sequence[AlertItem]) -> Message:
    """One message for one article's new findings: the findings first, then the article."""
    if not items:
        raise ValueError("render_instant needs at least one item")
    title = _item_title(items[0]) + (f" (+{len(items) - 1} more)" if len(items) > 1 else "")
    blocks: list[_Block] = []
    for group in _by_article(items):
        for item in group:
            blocks += _item_blocks(item, with_topic=False)
        blocks.append(_article_block(group[0]))
    return Message(_title(title), *_compose(blocks))


def render_digest(items: Sequence[AlertItem]) -> Message:
    """One message for many articles' new findings, grouped by article."""
    if not items:
        raise ValueError("render_digest needs at least one item")
    groups = _by_article(items)
    topics = list(dict.fromkeys(item.topic_title for item in items))
    scope = topics[0] if len(topics) == 1 else "newswatch"
    title = f"[{scope}] Digest: {_count(len(items), 'new finding')} from {_count(len(groups), 'article')}"
    blocks: list[_Block] = []
    for group in groups:
        blocks.append(_article_block(group[0]))
        for item in group:
            blocks += _item_blocks(item, with_topic=len(topics) > 1)
    return Message(_title(title), *_compose(blocks))


def _public_feed_url(url: str) -> str:
    """The feed URL without any user:password@ part."""
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@?#]*@", r"\1***@", url.strip())


def render_health(item: HealthItem) -> Message:
    """One message for a feed that started failing, went silent, or recovered."""
    feed = _public_feed_url(item.feed_url)
    try:
        host = urlsplit(feed).hostname or feed
    except ValueError:
        host = feed
    since = _when(item.since)
    if item.state == "failing":
        title = f"[newswatch] Feed failing: {host} ({_count(item.failures, 'failure')} in a row)"
    elif item.state == "silent":
        title = f"[newswatch] Feed silent: {host}" + (f" (nothing new since {since})" if since else "")
    else:
        title = f"[newswatch] Feed recovered: {host}"
    lines: list[tuple[_Span, ...]] = [
        (_Span("Feed:", "b"), _Span(feed, "code")),
        (_Span("State:", "b"), _Span(item.state)),
    ]
    if since:
        lines.append((_Span("Since:", "b"), _Span(since)))
    if item.failures:
        lines.append((_Span("Failures in a row:", "b"), _Span(str(item.failures))))
    if item.last_error:
        lines.append((_Span("Last error:", "b"), _Span(item.last_error)))
    return Message(_title(title), *_compose([_Block(tuple(lines))]))
