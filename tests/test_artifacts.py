"""The artifacts' Markdown as a renderer shows it: real headers, no lost text, keys Prefect accepts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from flows.artifacts import articles_markdown, artifact_key
from flows.report import FeedLine, NewFinding, RunSummary
from newswatch.polling import PollResult
from storage.queries import ArticleRef

ERROR = "SAXParseException: <unknown>:2:0: syntax error | see <b>line 2</b>"


class Cells(HTMLParser):
    """The text of every table header and data cell of rendered HTML, and the tags seen."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.cells: list[str] = []
        self.tags: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("th", "td"):
            self._cell = self.headers if tag == "th" else self.cells
            self._cell.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td"):
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[-1] += data


def rendered(markdown: str) -> Cells:
    """Markdown as CommonMark with GitHub's tables (no raw HTML passed through) renders it, parsed."""
    cells = Cells()
    cells.feed(MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown))
    return cells


def summary_with_a_failed_feed() -> RunSummary:
    summary = RunSummary.start(topics=["nk-troops-russia"])
    summary.add_poll(PollResult(1, "http://example.org/page.html", "parse_error", ERROR, 0, ()))
    summary.add_poll(PollResult(2, "http://example.org/feed.rss", "ok", None, 3, (1, 2, 3)))
    return summary


def test_the_summary_tables_have_headers_and_keep_error_text_whole() -> None:
    page = rendered(summary_with_a_failed_feed().markdown())
    assert page.headers[:2] == ["what", "count"]  # not an empty header row
    assert all(h.strip() for h in page.headers)
    assert ERROR in page.cells  # `<unknown>` shown, not taken for a tag; its `|` does not split the cell
    assert "b" not in page.tags  # shown as text, never as markup


def test_a_feed_row_has_as_many_cells_as_its_header() -> None:
    summary = summary_with_a_failed_feed()
    feed_header = "| feed | status | new entries | to read | error |"
    rows = [line for line in summary.markdown().splitlines() if line.startswith("| `http://example.org")]
    assert len(rows) == 2
    for row in rows:
        assert len(re.split(r"(?<!\\)\|", row)) == len(feed_header.split("|"))
    assert isinstance(summary.feed_lines[0], FeedLine)


def test_keys_follow_prefects_rules() -> None:
    assert artifact_key("summary", ["nk-troops-russia"]) == "newswatch-summary-nk-troops-russia"
    assert artifact_key("findings", ["Gaza Aid", "nk_troops"]) == "newswatch-findings-gaza-aid-nk-troops"
    for topics in (["ÉTÉ!!"], [], ["x" * 300], ["--a--"]):
        key = artifact_key("summary", topics)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", key) and len(key) <= 100, key


def test_one_list_names_each_article_once_most_findings_first() -> None:
    summary = RunSummary.start(topics=["t"])
    for article_id in (1, 2, 2, 3, 2, 1):
        summary.new.append(
            NewFinding("t", "new_figure", "figure", "3,000 soldiers", "NIS", article_id, "troops")
        )
    refs = {
        1: ArticleRef("One <script>", "Wire [A]", "http://example.org/1"),
        2: ArticleRef("Two", "Wire B", "http://example.org/2"),
        3: ArticleRef("Three", "Wire C", "javascript:alert(1)"),  # never a link
    }
    page = rendered(articles_markdown(summary, refs))
    assert page.headers == ["findings", "article", "outlet"]
    rows = [page.cells[i : i + 3] for i in range(0, len(page.cells), 3)]
    assert [r[0] for r in rows] == ["3", "2", "1"]
    assert rows[1][1:] == ["One <script>", "Wire [A]"]
    assert "script" not in page.tags
    markdown = articles_markdown(summary, refs)
    assert markdown.count("](http://example.org/") == 2 and "](javascript" not in markdown
    assert articles_markdown(RunSummary.start(topics=["t"]), refs) == ""
