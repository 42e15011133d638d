"""How each claimant's figures moved: charts per topic and unit class, as tables, SVG and an offline page."""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from rich.table import Table
from rich.text import Text

from alerts.escaping import markdown_text, terminal_text
from storage.queries import FigurePoint

# Tableau 10: ten colours that stay apart on white, in print and for most colour-vision deficiencies.
PALETTE = (
    *("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f"),
    *("#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#79706e"),
)
UNATTRIBUTED = "(unattributed)"
_SYMBOLS = {"around": "~", "about": "~", "approximately": "~", "some": "~", "roughly": "~", "up to": "≤"}
_SYMBOLS |= {"more than": ">", "over": ">", "at least": "≥", "nearly": "<", "almost": "<", "fewer than": "<"}
_VAGUE = {12: "dozens", 100: "hundreds", 1000: "thousands"}
# Nothing on the page may load from anywhere: styles inline, pictures as data: URIs, no scripts at all.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class Series:
    """One claimant's figures for one unit class, oldest first."""

    key: str  # the claimant key; "" for unattributed figures
    label: str
    points: tuple[FigurePoint, ...]


@dataclass(frozen=True)
class Chart:
    """The figures of one topic and unit class: a series per claimant."""

    topic: str
    unit_class: str
    series: tuple[Series, ...]
    topic_title: str = ""


def build_charts(
    points: Sequence[FigurePoint],
    names: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
) -> list[Chart]:
    """Group figures by topic, unit class and claimant; `names` and `titles` come from the watch file."""
    groups: dict[tuple[str, str], dict[str, list[FigurePoint]]] = {}
    for point in points:
        by_claimant = groups.setdefault((point.topic, point.unit_class), {})
        by_claimant.setdefault(point.claimant_key or "", []).append(point)
    charts = [
        Chart(
            topic,
            unit,
            tuple(Series(k, _label(k, pts, names or {}), tuple(pts)) for k, pts in by.items()),
            (titles or {}).get(topic, ""),
        )
        for (topic, unit), by in groups.items()
    ]
    # The busiest unit class (usually troops) first: that is the story people come for.
    charts.sort(key=lambda c: (c.topic, -sum(len(s.points) for s in c.series), c.unit_class))
    return charts


def _label(key: str, points: Sequence[FigurePoint], names: Mapping[str, str]) -> str:
    if not key:
        return UNATTRIBUTED
    written = [p.claimant for p in points if p.claimant]
    return names.get(key) or min(written, key=len, default=key)


def amount(point: FigurePoint, *, short: bool = False) -> str:
    """A figure's amount: "around 3,000" (or "~3,000" when short), "10,000-12,000", "thousands"."""
    if point.vague:
        return _VAGUE.get(point.low or 0, f"{point.low or 0:,}+")
    if point.value is None and point.low is not None and point.high is not None:
        number = f"{point.low:,}-{point.high:,}"
    else:
        number = f"{point.value or point.low or 0:,}"
    number = f"+{number}" if point.delta else number
    qualifier = "" if point.qualifier == "none" else point.qualifier
    if short:
        return _SYMBOLS.get(qualifier, "") + number
    return f"{qualifier} {number}".strip()


def figure_text(point: FigurePoint) -> str:
    """A figure with its unit: "around 3,000 soldiers", "dozens of soldiers"."""
    return f"{amount(point)}{' of' if point.vague else ''} {point.unit}".strip()


def _level(point: FigurePoint) -> float:
    """Where a figure sits on the chart: its value, a range's middle, a vague amount's floor."""
    if point.value is not None:
        return point.value
    if point.low is not None and point.high is not None:
        return (point.low + point.high) / 2
    return point.low or 0


def _day(when: datetime | None) -> str:
    return f"{when:%Y-%m-%d}" if when else ""


def timeline_tables(charts: Sequence[Chart]) -> list[Table]:
    """One rich table per chart: each claimant's figures in time order."""
    tables = []
    for chart in charts:
        title = Text(terminal_text(_title(chart)))
        table = Table("claimant", "first published", "figure", "change", "outlet", title=title)
        for series in chart.series:
            for i, point in enumerate(series.points):
                more = f" (+{point.outlets - 1} more)" if point.outlets > 1 else ""
                cells = (
                    series.label if i == 0 else "",
                    _day(point.when),
                    figure_text(point),
                    point.change.replace("_figure", ""),
                    point.outlet + more,
                )
                # Stored text as it is: no rich markup ("[/x]" failed the command), no control characters.
                table.add_row(
                    *(Text(terminal_text(c)) for c in cells), end_section=i == len(series.points) - 1
                )
        tables.append(table)
    return tables


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _title(chart: Chart) -> str:
    return f"{chart.topic_title or chart.topic}: {chart.unit_class}"


def _nice_ceiling(value: float) -> float:
    """The smallest round number at or above `value` that splits into four round steps (12,000 = 4 x 3,000)."""
    if value < 10:  # small counts keep whole-number steps
        return next(v for v in (4.0, 8.0, 12.0) if v >= value)
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in (1.0, 1.2, 1.6, 2.0, 2.4, 3.2, 4.0, 6.0, 8.0, 10.0) if m * power >= value)


def chart_svg(chart: Chart, *, width: int = 760, standalone: bool = False) -> str:
    """The chart as SVG: values over time, a coloured line per claimant, ranges as bars, a legend.

    `standalone` adds the XML namespace a data: URI image needs; inline in HTML it is left out.
    """
    plotted = [(s, [p for p in s.points if not p.delta and p.when]) for s in chart.series]
    plotted = [(s, pts) for s, pts in plotted if pts]
    times = [p.when for _, pts in plotted for p in pts if p.when]
    left, top, plot_h, plot_w = 64, 40, 220, width - 64 - 24
    legend_rows = math.ceil(len(plotted) / 2)
    height = top + plot_h + 40 + 20 * legend_rows
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    out = [
        f'<svg{ns} class="chart" data-unit-class="{escape(chart.unit_class)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(_title(chart))}" font-family="system-ui, sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if standalone:  # an image on its own carries its title; inline, the page's heading does
        out.append(
            f'<text x="{left}" y="22" font-size="15" font-weight="bold" fill="#222">{escape(_title(chart))}</text>'
        )
    if not times:
        out.append(f'<text x="{left}" y="{top + 20}" fill="#555">no dated figures</text></svg>')
        return "".join(out)
    t0, t1 = min(times), max(times)
    pad = max((t1 - t0) * 0.04, timedelta(hours=12))
    t0, t1 = t0 - pad, t1 + pad
    top_value = _nice_ceiling(max(max(p.high or 0, _level(p)) for _, pts in plotted for p in pts) * 1.08)

    def x(when: datetime) -> float:
        return left + (when - t0) / (t1 - t0) * plot_w

    def y(value: float) -> float:
        return top + plot_h - value / top_value * plot_h

    for i in range(5):  # horizontal grid with value labels
        value = top_value * i / 4
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#e3e3e3"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" fill="#555">{value:,.0f}</text>'
        )
    labels: list[str] = []
    for i in range(5):  # dates along the bottom, each once (a short span would repeat the same day)
        when = t0 + (t1 - t0) * (0.5 + i * 2) / 10
        label = f"{when.day} {when:%b}"
        if label not in labels:
            labels.append(label)
            label += f" {when:%Y}" if len(labels) == 1 else ""
            out.append(
                f'<text x="{x(when):.1f}" y="{top + plot_h + 18}" text-anchor="middle" fill="#555">{label}</text>'
            )
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#999"/>')
    placed: list[tuple[float, float, float, float]] = []
    for n, (series, points) in enumerate(plotted):
        colour = PALETTE[n % len(PALETTE)] if series.key else "#888888"
        out.append(f'<g class="series" data-claimant="{escape(series.key)}">')
        if len(points) > 1:
            path = " ".join(f"{x(p.when):.1f},{y(_level(p)):.1f}" for p in points if p.when)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for p in points:
            assert p.when is not None  # filtered above
            px, py = x(p.when), y(_level(p))
            if p.low is not None and p.high is not None and p.high != p.low:
                out.append(
                    f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{y(p.low):.1f}" y2="{y(p.high):.1f}" '
                    f'stroke="{colour}" stroke-width="5" stroke-opacity="0.4"/>'
                )
            fill = "#ffffff" if p.vague else colour
            tip = f"{series.label}: {figure_text(p)}, {p.outlet}, {_day(p.when)}"
            out.append(
                f'<circle class="point" cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{fill}" stroke="{colour}" '
                f'stroke-width="2"><title>{escape(tip)}</title></circle>'
            )
            text = amount(p, short=True)
            if spot := _free_spot(placed, px, py, 7 * len(text), width - 2):
                out.append(f'<text x="{spot[0]:.1f}" y="{spot[1]:.1f}" fill="{colour}">{escape(text)}</text>')
        row, col = divmod(n, 2)
        lx, ly = left + col * plot_w / 2, top + plot_h + 40 + row * 20
        out.append(
            f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 18:.1f}" y="{ly}" fill="#222">{escape(_clip(series.label, 48))}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def _link(point: FigurePoint) -> str:
    """The article as a plain link (the page's only URLs); anything but http(s) stays text."""
    text = escape(point.title or point.outlet)
    if not point.url.startswith(("http://", "https://")):
        return text
    return f'<a href="{escape(point.url)}">{text}</a>'


def _free_spot(
    placed: list[tuple[float, float, float, float]], px: float, py: float, width: float, right: float
) -> tuple[float, float] | None:
    """Where a point's label fits inside the chart without covering another; None: leave it out.

    The tooltip and the table still carry a value whose label found no room.
    """
    for x, y in ((px + 7, py - 7), (px - 7 - width, py - 7), (px + 7, py + 16), (px - 7 - width, py + 16)):
        box = (x, y - 11, x + width, y + 2)
        if box[2] <= right and all(
            box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in placed
        ):
            placed.append(box)
            return x, y
    return None


def chart_markdown(chart: Chart) -> str:
    """The chart as a Markdown image (an SVG data: URI, which Prefect's UI shows inline)."""
    data = base64.b64encode(chart_svg(chart, standalone=True).encode()).decode()
    return f"![{markdown_text(_title(chart), 200)}](data:image/svg+xml;base64,{data})"


def timeline_html(charts: Sequence[Chart], *, generated: datetime) -> str:
    """A self-contained page: a chart per topic and unit class, then its evidence sentences."""
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>newswatch timeline</title><style>",
        "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}",
        "table{border-collapse:collapse;width:100%;font-size:.9rem;margin:1rem 0 3rem}",
        "td,th{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}",
        "th{background:#f4f4f4}svg{max-width:100%;height:auto}.sentence{color:#444}td:nth-child(2){white-space:nowrap}",
        "</style></head><body><h1>How the figures moved</h1>",
        f"<p>{sum(len(s.points) for c in charts for s in c.series)} distinct figures, "
        f"generated {generated:%Y-%m-%d %H:%M} UTC by newswatch. Each dot is a figure as first "
        "published; a hollow dot is a vague amount at its floor, a bar a range.</p>",
    ]
    if not charts:
        parts.append("<p>No figures stored yet: run <code>newswatch run</code> first.</p>")
    for chart in charts:
        section = f'<section data-topic="{escape(chart.topic)}" data-unit-class="{escape(chart.unit_class)}">'
        parts += [f"{section}<h2>{escape(_title(chart))}</h2>", chart_svg(chart), "<table>"]
        parts.append("<tr><th>claimant</th><th>published</th><th>figure</th><th>evidence</th></tr>")
        for series in chart.series:
            for p in series.points:
                parts.append(
                    f'<tr data-claimant="{escape(series.key)}"><td>{escape(series.label)}</td><td>{_day(p.when)}</td>'
                    f"<td>{escape(figure_text(p))}</td>"
                    f'<td><span class="sentence">{escape(p.sentence)}</span><br>'
                    f"{_link(p)} ({escape(p.outlet)})</td></tr>"
                )
        parts.append("</table></section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
