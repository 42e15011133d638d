"""The timeline drawn: a chart per topic and unit class as SVG, as a Markdown image, and as an offline page."""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape

from alerts.escaping import markdown_text
from newswatch.timeline import Chart, amount, chart_title, clip, day, figure_text, level
from storage.queries import FigurePoint

# Tableau 10: ten colours that stay apart on white, in print and for most colour-vision deficiencies.
PALETTE = (
    *("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f"),
    *("#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#79706e"),
)
# Nothing on the page may load from anywhere: styles inline, pictures as data: URIs, no scripts at all.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# A value label's box at font size 12: wide enough for the widest digits and signs of system fonts.
LABEL_CHAR_WIDTH = 7.5
LABEL_HEIGHT = 12


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
        f'aria-label="{escape(chart_title(chart))}" font-family="system-ui, sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if standalone:  # an image on its own carries its title; inline, the page's heading does
        out.append(
            f'<text x="{left}" y="22" font-size="15" font-weight="bold" fill="#222">{escape(chart_title(chart))}</text>'
        )
    if not times:
        out.append(f'<text x="{left}" y="{top + 20}" fill="#555">no dated figures</text></svg>')
        return "".join(out)
    t0, t1 = min(times), max(times)
    pad = max((t1 - t0) * 0.04, timedelta(hours=12))
    t0, t1 = t0 - pad, t1 + pad
    top_value = _nice_ceiling(max(max(p.high or 0, level(p)) for _, pts in plotted for p in pts) * 1.08)

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
    for noon in _day_ticks(t0, t1):  # on the points' own scale: a day's tick sits at its noon
        first = noon - t0 < timedelta(days=1)  # the first tick names the year
        label = f"{noon.day} {noon:%b}" + (f" {noon:%Y}" if first else "")
        tx = x(noon)
        out.append(
            f'<line class="tick" x1="{tx:.1f}" x2="{tx:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 5}" '
            f'stroke="#999"/><text class="tick" data-date="{noon:%Y-%m-%d}" x="{tx:.1f}" y="{top + plot_h + 18}" '
            f'text-anchor="middle" fill="#555">{label}</text>'
        )
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#999"/>')
    # Every dot is reserved before any label is placed, so that no label covers a dot of a later series.
    placed = [
        (x(p.when) - 7, y(level(p)) - 7, x(p.when) + 7, y(level(p)) + 7)
        for _, pts in plotted
        for p in pts
        if p.when
    ]
    area = (left + 2, top - 14, width - 2, top + plot_h)
    for n, (series, points) in enumerate(plotted):
        colour = PALETTE[n % len(PALETTE)] if series.key else "#888888"
        out.append(f'<g class="series" data-claimant="{escape(series.key)}">')
        if len(points) > 1 and series.key:  # unattributed figures are separate points, not one voice's line
            path = " ".join(f"{x(p.when):.1f},{y(level(p)):.1f}" for p in points if p.when)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for p in points:
            assert p.when is not None  # filtered above
            px, py = x(p.when), y(level(p))
            if p.low is not None and p.high is not None and p.high != p.low:
                out.append(
                    f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{y(p.low):.1f}" y2="{y(p.high):.1f}" '
                    f'stroke="{colour}" stroke-width="5" stroke-opacity="0.4"/>'
                )
            fill = "#ffffff" if p.vague else colour
            tip = f"{series.label}: {figure_text(p)}, {p.outlet}, {day(p.when)}"
            out.append(
                f'<circle class="point" data-date="{day(p.when)}" cx="{px:.1f}" cy="{py:.1f}" r="5" '
                f'fill="{fill}" stroke="{colour}" stroke-width="2"><title>{escape(tip)}</title></circle>'
            )
            text = amount(p, short=True)
            if spot := _free_spot(placed, px, py, LABEL_CHAR_WIDTH * len(text), area):
                out.append(
                    f'<text class="value" x="{spot[0]:.1f}" y="{spot[1]:.1f}" fill="{colour}">{escape(text)}</text>'
                )
        row, col = divmod(n, 2)
        lx, ly = left + col * plot_w / 2, top + plot_h + 40 + row * 20
        out.append(
            f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 18:.1f}" y="{ly}" fill="#222">{escape(clip(series.label, 48))}</text></g>'
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
    placed: list[tuple[float, float, float, float]],
    px: float,
    py: float,
    width: float,
    area: tuple[float, float, float, float],
) -> tuple[float, float] | None:
    """Where a point's label (its text's left end and baseline) fits inside `area` without covering
    another label or a dot; None: leave it out. The tooltip and the table still carry its value."""
    spots = (
        (px + 8, py - 6),
        (px - 8 - width, py - 6),
        (px + 8, py + 15),
        (px - 8 - width, py + 15),
        (px - width / 2, py - 10),
        (px - width / 2, py + 20),
    )
    for x, y in spots:
        box = (x, y - LABEL_HEIGHT, x + width, y + 3)  # 12 px text: ascent above the baseline, descent below
        inside = area[0] <= box[0] and box[2] <= area[2] and area[1] <= box[1] and box[3] <= area[3]
        if inside and all(
            box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3] for b in placed
        ):
            placed.append(box)
            return x, y
    return None


def _day_ticks(t0: datetime, t1: datetime) -> list[datetime]:
    """The noons of the days to label between t0 and t1: every day, or every few, at most seven."""
    first = t0.replace(hour=12, minute=0, second=0, microsecond=0)
    first += timedelta(days=1) if first < t0 else timedelta(0)
    span = (t1 - t0) / timedelta(days=1)
    step = next((s for s in (1, 2, 3, 7, 14, 28, 56, 91, 182, 364) if span / s <= 7), math.ceil(span / 7))
    ticks: list[datetime] = []
    while first + timedelta(days=step * len(ticks)) <= t1:
        ticks.append(first + timedelta(days=step * len(ticks)))
    return ticks


def chart_markdown(chart: Chart) -> str:
    """The chart as a Markdown image (an SVG data: URI, which Prefect's UI shows inline)."""
    data = base64.b64encode(chart_svg(chart, standalone=True).encode()).decode()
    return f"![{markdown_text(chart_title(chart), 200)}](data:image/svg+xml;base64,{data})"


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
        parts += [f"{section}<h2>{escape(chart_title(chart))}</h2>", chart_svg(chart), "<table>"]
        parts.append("<tr><th>claimant</th><th>published</th><th>figure</th><th>evidence</th></tr>")
        for series in chart.series:
            for p in series.points:
                parts.append(
                    f'<tr data-claimant="{escape(series.key)}"><td>{escape(series.label)}</td><td>{day(p.when)}</td>'
                    f"<td>{escape(figure_text(p))}</td>"
                    f'<td><span class="sentence">{escape(p.sentence)}</span><br>'
                    f"{_link(p)} ({escape(p.outlet)})</td></tr>"
                )
        parts.append("</table></section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
