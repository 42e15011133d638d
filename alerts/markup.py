"""Safe markup: hostile feed text as Markdown, Slack and plain text that cannot ping, link or inject structure.

Titles read as one plain line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

_TITLE_MAX = 200
_ZWSP = "\u200b"

# Text from feeds and articles is hostile: these are the parts chat apps and renderers would act on.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # incl. bidi
_MENTION = re.compile(r"(?<=@)(?=\w)")  # @here, @channel, @everyone, @someone
_ANGLE_CONTROL = re.compile(r"(?<=<)(?=[!@#])")  # Slack's <!channel>, <@U123>, <#C123>
_ANGLE = re.compile(r"(?<=<)")  # in a title, "<" never opens a tag or a Slack control
# https://evil would be auto-linked: every "://" is broken. (Matching the scheme too, as "\b[a-z][a-z0-9+.-]*:",
# took seconds on a headline of "a-a-a-...": a scan to the end from every word start.)
_SCHEME = re.compile(r"(?<=:)(?=//)")
_WWW = re.compile(r"(?i)(?<=\bwww)(?=\.)")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~]|(?<=\])\()")  # "(" only where "](" would make a link
_MD_LINE_START = re.compile(r"^(?:(\d+)(?=[.)])|(?=[#=+-]))")  # would start a heading or a list
_URL_SAFE = "%:/?#[]@!$&'()*+,;=~-._"  # everything else (<, >, |, quotes, spaces, backticks) is encoded


# Slack's mrkdwn has no escape for these: apprise keeps "\\*" as it is, and Slack then shows the backslash.
# In text from feeds they become look-alikes, which no formatting reads.
_SLACK_LOOKALIKES = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ", "\\": "∖"})
_SLACK_SPECIAL = re.compile(r"([<>\[\]#]|(?<=\])\()")  # escaped: apprise makes &lt; &gt; and plain [ ] # (


@dataclass(frozen=True)
class Span:
    """A piece of a line: plain text, a bold label, a bold title, code, or a link (with its safe address)."""

    text: str
    style: str = (
        ""  # "" plain, "lead" plain and a space, "b" bold label and a space, "title" bold, "code", "link"
    )
    href: str = ""


@dataclass(frozen=True)
class Block:
    """Lines shown together: a paragraph, or a quotation."""

    lines: tuple[tuple[Span, ...], ...]
    quote: bool = False


@dataclass(frozen=True)
class Bodies:
    """The same blocks as CommonMark, as CommonMark for apprise's Slack conversion, and as plain text."""

    markdown: str
    slack: str
    text: str


def clean(text: str) -> str:
    """One line of text without control or direction-override characters."""
    return " ".join(_CONTROL.sub(" ", text).split())


def neutral(text: str) -> str:
    """Clean text that cannot mention anyone or become a link when a chat app reads it."""
    text = _ANGLE_CONTROL.sub(_ZWSP, _MENTION.sub(_ZWSP, clean(text)))
    return _WWW.sub(_ZWSP, _SCHEME.sub(_ZWSP, text))


def safe_href(url: str) -> str | None:
    """The URL made safe for a link target, or None when it is not an http(s) address."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=_URL_SAFE)


def _md_span(span: Span) -> str:
    if span.style == "code":
        # Chat apps parse neither mentions nor links inside code, and Slack entity-escapes <, >, &.
        return "`" + clean(span.text).replace("`", "'") + "`"
    text = _MD_SPECIAL.sub(r"\\\1", neutral(span.text))
    if span.style == "b":
        return f"**{text}** "
    if span.style == "title":
        return f"**{text}**"
    if span.style == "link":
        return f"[{text}](<{span.href}>)"
    return text + " " if span.style == "lead" else text


def _md_line(spans: tuple[Span, ...]) -> str:
    line = "".join(_md_span(s) for s in spans)
    if spans and spans[0].style == "":
        line = _MD_LINE_START.sub(lambda m: (m.group(1) or "") + "\\", line, count=1)
    return line


def _slack_span(span: Span) -> str:
    if span.style == "code":
        return "`" + clean(span.text).replace("`", "'") + "`"
    text = _SLACK_SPECIAL.sub(r"\\\1", neutral(span.text).translate(_SLACK_LOOKALIKES))
    if span.style == "b":
        return f"**{text}** "
    if span.style == "title":
        return f"**{text}**"
    if span.style == "link":
        return f"[{text}](<{span.href}>)"
    return text + " " if span.style == "lead" else text


def _text_span(span: Span) -> str:
    text = clean(span.text)
    if span.style in ("b", "lead"):
        return text + " "
    return f"{text}: {span.href}" if span.style == "link" else text


def bodies(blocks: Sequence[Block]) -> Bodies:
    """The Markdown, Slack and text bodies of the same blocks."""
    md, slack, txt = [], [], []
    for block in blocks:
        md_lines = [_md_line(line) for line in block.lines]
        slack_lines = ["".join(_slack_span(s) for s in line) for line in block.lines]
        text_lines = ["".join(_text_span(s) for s in line) for line in block.lines]
        mark = "> " if block.quote else ""
        md.append("  \n".join(mark + line for line in md_lines))
        slack.append("\n".join(mark + line for line in slack_lines))
        txt.append("\n".join(mark + line for line in text_lines))
    return Bodies("\n\n".join(md) + "\n", "\n\n".join(slack) + "\n", "\n\n".join(txt) + "\n")


def title_line(text: str, limit: int = _TITLE_MAX) -> str:
    """A one-line title that pings nobody and makes no link, cut (at a word, when one is near) to `limit`."""
    text = _ANGLE.sub(_ZWSP, neutral(text))
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head[limit // 2 :]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + "…"
