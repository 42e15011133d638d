"""Untrusted text escaped for the media it reaches besides alert messages: Markdown in the Prefect UI,
terminals and spreadsheets. Small functions, so that every renderer calls the same ones."""

from __future__ import annotations

import re

from alerts.markup import clean, neutral, safe_href

# Everything CommonMark and GitHub's extensions give a meaning to: emphasis, code, links and images,
# headings, lists, tables, HTML and entities. Escaped, each stands for itself.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&:\"'=^$])")
# Spreadsheets run a cell that starts with one of these as a formula (OWASP's list: tab and CR too).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def markdown_text(text: str, limit: int = 300) -> str:
    """Text as one inert line of Markdown: no link, image, mention, HTML or structure, at most `limit`
    characters of the text (cut with "…")."""
    line = clean(text)
    line = line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return _MARKDOWN.sub(r"\\\1", neutral(line))


def markdown_code(text: str, limit: int = 300) -> str:
    """Text shown as it is, as a Markdown code span (which makes no link, image or markup)."""
    line = clean(text).replace("`", "'")
    return "`" + (line if len(line) <= limit else line[: limit - 1] + "…") + "`"


def markdown_link(text: str, url: str, *, limit: int = 300) -> str:
    """A Markdown link to `url` when it is http(s) (percent-encoded, so it cannot close the link early),
    else the escaped URL as plain text; the text always escaped."""
    href = markdown_href(url)
    if href is None:
        return markdown_text(f"{text} ({url})" if text else url, limit)
    return f"[{markdown_text(text or href, limit)}]({href})"


def markdown_href(url: str) -> str | None:
    """An http(s) URL fit for a Markdown link's target in every form, "(url)" included (parentheses are
    percent-encoded, so none closes the link early); None for anything else."""
    href = safe_href(url)
    return None if href is None else href.replace("(", "%28").replace(")", "%29")


def terminal_text(text: str, limit: int | None = None) -> str:
    """One line for a terminal: no escape sequence, control or direction-override character (the caller
    prints it without markup: rich would read "[/x]" as a closing tag)."""
    line = clean(text)
    return line if limit is None or len(line) <= limit else line[: limit - 1].rstrip() + "…"


def event_text(text: str, limit: int = 500) -> str:
    """Text for a Prefect event's payload or label: one line that mentions no one and makes no link when an
    Automation's notification template puts it into a chat message, at most `limit` characters."""
    line = neutral(text)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def csv_cell(value: object) -> object:
    """A value for a CSV cell: text that a spreadsheet would run as a formula starts with an apostrophe,
    as OWASP recommends; numbers, booleans and None stay as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
