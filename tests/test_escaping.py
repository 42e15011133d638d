"""Escaping for each medium and message sizes per channel (pure functions; the attacks are in
test_attack_output.py)."""

from __future__ import annotations

import apprise
import pytest
from markdown_it import MarkdownIt

import alerts.channels  # noqa: F401  (loads apprise's plugins once, without imghdr's warning)
from alerts.escaping import (
    csv_cell,
    markdown_code,
    markdown_href,
    markdown_link,
    markdown_text,
    terminal_text,
)
from alerts.sizes import EMAIL_BODY, body_limit, fit_body

HOSTILE = (
    "[a](http://evil.example/) ![p](http://evil.example/p.png) <img src=x> www.evil.example **b** # h @here"
)


def render(text: str) -> str:
    return MarkdownIt("commonmark").render(text)


def test_markdown_text_makes_nothing() -> None:
    html = render(markdown_text(HOSTILE, 1000))
    assert "<a" not in html and "<img" not in html and "<strong>" not in html and "<h1>" not in html
    assert "://evil" not in markdown_text(HOSTILE, 1000) and "www.evil" not in markdown_text(HOSTILE, 1000)
    assert markdown_text("x" * 400, 300).endswith("…")


def test_markdown_links_are_http_only_and_cannot_be_closed_early() -> None:
    assert markdown_href("javascript:alert(1)") is None
    href = markdown_href("https://a.example/x)![p](http://evil.example/p.png")
    assert href is not None and "(" not in href and ")" not in href
    html = render(markdown_link("article", "https://a.example/x)![p](http://evil.example/p.png"))
    assert html.count("<a ") == 1 and "<img" not in html
    assert "<a" not in render(markdown_link("article", "file:///etc/passwd"))
    assert render(markdown_code("a `b` [c](http://d)")).count("<code>") == 1


def test_terminal_text_has_no_controls() -> None:
    assert terminal_text("a\x1b]0;t\x07b\x9bc\u202ed\ne") == "a ]0;t b c d e"
    assert terminal_text("[/x]") == "[/x]"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(1)", "\tx", "\rx"])
def test_csv_formulas_become_text(value: str) -> None:
    assert csv_cell(value) == "'" + value


def test_csv_keeps_other_values() -> None:
    assert [csv_cell(v) for v in ("plain", 5, -3, None, True, "")] == ["plain", 5, -3, None, True, ""]


@pytest.mark.parametrize(
    ("url", "limit"), [("slack://T000/B000/XXXX", 35_000), ("discord://1234/abcd", 1_800)]
)
def test_chat_services_get_what_they_take(url: str, limit: int) -> None:
    plugin = apprise.Apprise.instantiate(url)
    assert plugin is not None
    scheme = url.partition(":")[0]
    assert body_limit(scheme, plugin.body_maxlen, html=False) == limit
    body = "".join(f"**Line {n}:** {'x' * 70}\n\n" for n in range(2000))
    cut = fit_body(body, limit)
    assert len(cut) <= limit and cut.startswith("**Line 0:**") and "message shortened" in cut
    assert body_limit("mailto", 32768, html=True) == EMAIL_BODY


def test_html_is_cut_between_blocks() -> None:
    body = "".join(f"<p>block {n} {'y' * 80}</p>\n" for n in range(100))
    cut = fit_body(body, 1000, html=True)
    assert len(cut) <= 1000 and cut.count("<p>") == cut.count("</p>")
    assert fit_body("short", 1000) == "short"
