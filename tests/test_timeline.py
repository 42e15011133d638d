"""`newswatch timeline` on the demo newsroom's data: a series per claimant, in time order, fully offline.

The data comes from one real pass of the monitoring flow (under Prefect's test harness).
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from uuid import UUID
from xml.etree import ElementTree

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from flows.report import RunSummary
from newswatch.chart import chart_markdown, chart_svg, timeline_html
from newswatch.cli import app
from newswatch.timeline import Chart, Series, build_charts
from storage.db import get_engine
from storage.queries import FigurePoint, list_findings

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(text: str | bytes) -> ElementTree.Element:
    """Our own chart as XML: parsing checks it is well formed."""
    return ElementTree.fromstring(text)  # noqa: S314  (text we generated, not untrusted input)


@dataclass(frozen=True)
class DemoPass:
    """One monitoring pass (the real flow) over the demo newsroom plus a missing feed."""

    db_url: str
    summary: RunSummary
    flow_run_id: UUID
    missing_feed: str


def demo_pass(db_url: str) -> DemoPass:
    """Run the monitoring flow once over the demo newsroom and a feed that answers 404, into `db_url`."""
    from flows.monitor import monitor
    from newswatch.newsroom import Newsroom

    with pytest.MonkeyPatch.context() as env, Newsroom() as room:
        env.setenv("NEWSWATCH_DATABASE_URL", db_url)
        env.setenv("NEWSWATCH_ALLOWED_NETWORKS", "127.0.0.1/32")
        env.setenv("NEWSWATCH_APPRISE_URLS", "")  # alerts go to the terminal, never to a real channel
        # The newsroom's stories are its feeds' backlog: alerted on purpose, as the demo does.
        env.setenv("NEWSWATCH_FIRST_POLL_BASELINE", "false")
        env.setenv("NEWSWATCH_ALERT_MAX_AGE", "0")
        missing = f"{room.base_url}/feeds/missing.rss"
        state = monitor(feeds=[*room.feed_urls, missing], return_state=True)
        summary = state.result()
    assert isinstance(summary, RunSummary)
    flow_run_id = state.state_details.flow_run_id
    assert flow_run_id is not None
    return DemoPass(db_url, summary, flow_run_id, missing)


_PASSES: dict[str, DemoPass] = {}


def shared_demo_pass(tmp_path_factory: pytest.TempPathFactory) -> DemoPass:
    """The demo pass, run once per test session: this module and test_report only read what it stored."""
    if "demo" not in _PASSES:
        _PASSES["demo"] = demo_pass(f"sqlite:///{tmp_path_factory.mktemp('demo-pass') / 'demo.db'}")
    return _PASSES["demo"]


@pytest.fixture
def demo_db(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database holding one pass over the demo newsroom."""
    return shared_demo_pass(tmp_path_factory).db_url


class Page(HTMLParser):
    """Every start tag with its attributes, and the text of <style> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)
            self._in_style = False


def _stored_series(db_url: str) -> Counter[tuple[str, str]]:
    """Distinct figures per (unit class, claimant key), read through the export (an independent path)."""
    with Session(get_engine(db_url)) as session:
        rows = list_findings(session, kind="figure")
    return Counter((r["unit_class"], r["claimant_key"] or "") for r in rows if r["change"] != "repeat")


@pytest.mark.slow
def test_the_html_page_draws_every_claimants_figures(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "timeline.html"
    result = runner.invoke(app, ["timeline", "--db", demo_db, "--html", str(out)])
    assert result.exit_code == 0, result.output
    page = Page()
    page.feed(out.read_text(encoding="utf-8"))
    rows: Counter[tuple[str, str]] = Counter()
    unit = ""
    for tag, attrs in page.tags:
        if tag == "section":
            unit = attrs["data-unit-class"]
        if tag == "tr" and "data-claimant" in attrs:
            rows[(unit, attrs["data-claimant"])] += 1
    stored = _stored_series(demo_db)
    assert len(stored) >= 5
    assert rows == stored
    # In the chart: one coloured series per claimant, one dot per figure that is a total.
    svg_root = parse_svg(re.search(r"<svg.*?</svg>", out.read_text(), re.S)[0])  # type: ignore[index]
    drawn = {g.get("data-claimant"): len(g.findall("circle")) for g in svg_root.iter("g")}
    troops = {k: n for (u, k), n in stored.items() if u == svg_root.get("data-unit-class")}
    assert drawn == troops


@pytest.mark.slow
def test_each_claimants_line_runs_forward_in_time_and_follows_the_values(demo_db: str) -> None:
    from storage.queries import figure_points

    with Session(get_engine(demo_db)) as session:
        charts = build_charts(figure_points(session))
    # A named claimant's figures are a line; unattributed ones are separate points (test below).
    moving = [(c, s) for c in charts for s in c.series if s.key and len({p.value for p in s.points}) > 1]
    assert moving, "the demo has claimants whose figures changed"
    for chart, series in moving:
        svg = parse_svg(chart_svg(chart, standalone=True))
        group = next(g for g in svg.iter(f"{SVG}g") if g.get("data-claimant") == series.key)
        xy = [
            tuple(map(float, pair.split(","))) for pair in group.find(f"{SVG}polyline").get("points").split()
        ]  # type: ignore[union-attr]
        assert [x for x, _ in xy] == sorted(x for x, _ in xy)
        values = [p.value or p.low or 0 for p in series.points]
        for (_, y1), (_, y2), v1, v2 in zip(xy, xy[1:], values, values[1:], strict=False):
            assert (y2 < y1) == (v2 > v1), (series.label, values)


@pytest.mark.slow
def test_the_page_loads_nothing_from_any_url(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "timeline.html"
    assert runner.invoke(app, ["timeline", "--db", demo_db, "--html", str(out)]).exit_code == 0
    html = out.read_text(encoding="utf-8")
    page = Page()
    page.feed(html)
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    assert links and all(link.startswith("http://127.0.0.1:") for link in links)
    assert {tag for tag, _ in page.tags}.isdisjoint({"script", "link", "img", "iframe", "object", "embed"})
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            if (tag, name) == ("a", "href"):
                continue
            assert not re.search(r"(https?:)?//|url\(", value), (tag, name, value)
    assert not any("url(" in css or "@import" in css for css in page.styles)
    # The only URLs anywhere in the text are the article links themselves.
    assert set(re.findall(r"https?://[^\"'<>\s]+", html)) <= set(links)
    assert "default-src 'none'" in html


@pytest.mark.slow
def test_the_terminal_table_lists_claimants_and_values(demo_db: str) -> None:
    result = runner.invoke(app, ["timeline", "--db", demo_db, "--topic", "nk-troops-russia"])
    assert result.exit_code == 0, result.output
    with Session(get_engine(demo_db)) as session:
        rows = [r for r in list_findings(session, kind="figure") if r["change"] != "repeat"]
    for row in rows:
        assert f"{row['value'] or row['low']:,}" in result.output


@pytest.mark.slow
def test_unknown_topic_and_empty_database_are_plain_answers(tmp_path: Path, demo_db: str) -> None:
    result = runner.invoke(app, ["timeline", "--db", demo_db, "--topic", "nope"])
    assert result.exit_code == 2
    assert "nk-troops-russia" in result.stderr
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    result = runner.invoke(app, ["timeline", "--db", empty])
    assert result.exit_code == 1  # reading a database that does not exist creates nothing
    assert not (tmp_path / "empty.db").exists()
    assert runner.invoke(app, ["db", "upgrade", "--db", empty]).exit_code == 0
    result = runner.invoke(app, ["timeline", "--db", empty, "--html", str(tmp_path / "t.html")])
    assert result.exit_code == 0
    assert "no figures stored yet" in result.output
    assert "No figures stored yet" in (tmp_path / "t.html").read_text(encoding="utf-8")
    result = runner.invoke(
        app, ["timeline", "--db", demo_db, "--html", str(tmp_path / "no" / "such" / "t.html")]
    )
    assert result.exit_code == 1
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.output


def _point(
    value: int | None,
    *,
    days: float = 0,
    low: int | None = None,
    high: int | None = None,
    claimant: str = "nis",
) -> FigurePoint:
    return FigurePoint(
        topic="t",
        unit_class="troops",
        claimant_key=claimant or None,
        claimant=claimant and f"the {claimant.upper()}",
        value=value,
        low=low if low is not None else value,
        high=high if high is not None else value,
        vague=value is None and high is None,
        delta=False,
        qualifier="around",
        unit="soldiers",
        stance="claimed",
        change="new_figure",
        when=datetime(2024, 10, 18, tzinfo=UTC) + timedelta(days=days),
        outlet="Wire <&>",
        outlets=1,
        title="A <b>title</b>",
        url="javascript:alert(1)",
        sentence="He said <script>.",
    )


def test_odd_charts_are_well_formed_svg_and_escape_what_they_show() -> None:
    points = (_point(3000), _point(None, days=0, low=1000), _point(None, days=0, low=10000, high=12000))
    chart = Chart("t", "troops", (Series("nis", "N<I>S & co", points),))
    svg = parse_svg(chart_svg(chart, standalone=True))  # one day only: no division by zero
    circles = list(svg.iter(f"{SVG}circle"))
    assert len(circles) == 3
    assert [c.get("fill") for c in circles].count("#ffffff") == 1  # the vague amount is hollow
    data = chart_markdown(chart).split("base64,")[1].rstrip(")")
    assert parse_svg(base64.b64decode(data)).tag == f"{SVG}svg"
    html = timeline_html([chart], generated=datetime.now(UTC))
    assert "<script>" not in html and "<b>" not in html
    assert 'href="javascript' not in html


def _week_of_claims() -> Chart:
    """Three claimants and unattributed figures over five days, some on the same day with close values."""
    series = []
    for n, key in enumerate(("nis", "kyiv", "pentagon", "")):
        points = tuple(
            _point(3000 + 400 * n + 150 * d, days=d + 0.1 * n + (0.7 if d % 3 == 0 else 0), claimant=key)
            for d in range(0, 5, 1 + n % 2)
        )
        series.append(Series(key, key or "(unattributed)", points))
    return Chart("t", "troops", tuple(series))


def test_a_days_tick_sits_over_that_days_points() -> None:
    svg = parse_svg(chart_svg(_week_of_claims(), standalone=True))
    ticks = {
        t.get("data-date"): float(t.get("x") or 0) for t in svg.iter(f"{SVG}text") if t.get("class") == "tick"
    }
    days = sorted(ticks)
    assert len(days) >= 5
    first, last = datetime.fromisoformat(days[0]), datetime.fromisoformat(days[-1])
    per_day = (ticks[days[-1]] - ticks[days[0]]) / (last - first).days  # the ticks' own scale
    points = [c for c in svg.iter(f"{SVG}circle") if c.get("data-date") in ticks]
    assert len(points) >= 10
    for point in points:
        # A point published on a day lies within half a day of that day's tick (which marks its noon).
        assert abs(float(point.get("cx") or 0) - ticks[point.get("data-date") or ""]) <= per_day / 2 + 0.1


def test_value_labels_cover_no_other_label_and_no_dot() -> None:
    from newswatch.chart import LABEL_CHAR_WIDTH, LABEL_HEIGHT

    svg = parse_svg(chart_svg(_week_of_claims(), standalone=True))
    labels = [
        (float(t.get("x") or 0), float(t.get("y") or 0), t.text or "")
        for t in svg.iter(f"{SVG}text")
        if t.get("class") == "value"
    ]
    assert len(labels) >= 8
    boxes = [(x, y - LABEL_HEIGHT, x + LABEL_CHAR_WIDTH * len(text), y + 3) for x, y, text in labels]
    dots = [
        (
            float(c.get("cx") or 0) - 6,
            float(c.get("cy") or 0) - 6,
            float(c.get("cx") or 0) + 6,
            float(c.get("cy") or 0) + 6,
        )
        for c in svg.iter(f"{SVG}circle")
    ]

    def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    for i, box in enumerate(boxes):
        assert not any(overlap(box, other) for other in boxes[i + 1 :]), labels[i]
        assert not any(overlap(box, dot) for dot in dots), labels[i]
        assert box[2] <= float(svg.get("width") or 0)


def test_unattributed_figures_are_points_not_a_line() -> None:
    svg = parse_svg(chart_svg(_week_of_claims(), standalone=True))
    groups = {g.get("data-claimant"): g for g in svg.iter(f"{SVG}g")}
    assert len(groups[""].findall(f"{SVG}circle")) == 3
    assert groups[""].find(f"{SVG}polyline") is None
    assert all(groups[k].find(f"{SVG}polyline") is not None for k in ("nis", "kyiv", "pentagon"))
