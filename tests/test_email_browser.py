"""The alert email in a real browser: headless Chromium renders the HTML document of an article's alert
(offline: it may load nothing) and the article comes first, above its findings, in a readable column.

The screenshot goes to test-output/; with NEWSWATCH_UPDATE_SCREENSHOT=1 it is also copied to
docs/alert-email.png (the README's picture).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from alert_cases import CASES

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "test-output"


def test_the_email_shows_the_article_first_in_a_readable_column(browser: Any) -> None:
    message = CASES["article"]()
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 900, "height": 1000})
    page.route("**/*", lambda route: (requests.append(route.request.url), route.abort()))
    page.set_content(message.html)
    title = page.get_by_role("heading", name="North Korean troop numbers in Russia double to around 3,000")
    outlet = page.get_by_text("Han River Wire · 23 Oct 2024, 07:40 UTC")
    first = page.get_by_text("Revised figure", exact=True)
    last = page.get_by_text("… and 2 more new findings in this article", exact=False)
    boxes = [element.bounding_box() for element in (title, outlet, first, last)]
    assert all(box is not None for box in boxes)
    tops = [box["y"] for box in boxes if box is not None]
    assert tops == sorted(tops) and tops[0] < tops[2]  # the article's title and outlet, then the findings
    column = page.locator("body > div").first.bounding_box()
    assert column is not None and column["width"] <= 640 and column["x"] > 0  # a max width, centred
    font = page.evaluate("getComputedStyle(document.querySelector('body > div')).fontFamily")
    assert (
        "sans-serif" in font
        and int(page.evaluate("parseFloat(getComputedStyle(document.body.firstElementChild).fontSize)")) >= 16
    )
    assert page.title() == message.title
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=OUTPUT / "alert-email.png", full_page=True)
    page.close()
    assert requests == []  # a document that loads nothing: no tracking pixel, no remote font
    if os.environ.get("NEWSWATCH_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(OUTPUT / "alert-email.png", ROOT / "docs" / "alert-email.png")


def test_the_readme_picture_is_there() -> None:
    picture = ROOT / "docs" / "alert-email.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "docs/alert-email.png" in (ROOT / "README.md").read_text(encoding="utf-8")
