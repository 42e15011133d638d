"""Safe markup: hostile feed text as Markdown, HTML and plain text that cannot ping, link or inject structure.

Titles read as one plain line.
"""

from __future__ import annotations

import html
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


@dataclass(frozen=True)
class Span:
    """A piece of a line: plain text, a bold label, code, or a link (with its safe address)."""

    text: str
    style: str = ""  # "" plain, "b" bold label, "code", "link"
    href: str = ""


@dataclass(frozen=True)
class Block:
    """Lines shown together: a paragraph, or a quotation."""

    lines: tuple[tuple[Span, ...], ...]
    quote: bool = False


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
    if span.style == "link":
        return f"[{text}](<{span.href}>)"
    return text


def _md_line(spans: tuple[Span, ...]) -> str:
    line = "".join(_md_span(s) for s in spans)
    if spans and spans[0].style == "":
        line = _MD_LINE_START.sub(lambda m: (m.group(1) or "") + "\\", line, count=1)
    return line


def _html_span(span: Span) -> str:
    text = html.escape(neutral(span.text) if span.style != "code" else clean(span.text))
    if span.style == "b":
        return f"<b>{text}</b> "
    if span.style == "code":
        return f"<code>{text}</code>"
    if span.style == "link":
        # The address is shown too: readers see where it goes, and the email's plain part keeps it.
        return f'{text}: <a href="{html.escape(span.href)}">{html.escape(span.href)}</a>'
    return text


def _text_span(span: Span) -> str:
    text = clean(span.text)
    if span.style == "b":
        return text + " "
    return f"{text}: {span.href}" if span.style == "link" else text


def bodies(blocks: Sequence[Block]) -> tuple[str, str, str]:
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


def title_line(text: str) -> str:
    """A one-line title that pings nobody and makes no link, cut to a length every service takes."""
    text = _ANGLE.sub(_ZWSP, neutral(text))
    return text if len(text) <= _TITLE_MAX else text[: _TITLE_MAX - 1].rstrip() + "…"
