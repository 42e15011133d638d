"""How each claimant's figures moved: series per topic and unit class, and the terminal's tables of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.table import Table
from rich.text import Text

from alerts.escaping import terminal_text
from storage.queries import FigurePoint

UNATTRIBUTED = "(unattributed)"
_SYMBOLS = {"around": "~", "about": "~", "approximately": "~", "some": "~", "roughly": "~", "up to": "≤"}
_SYMBOLS |= {"more than": ">", "over": ">", "at least": "≥", "nearly": "<", "almost": "<", "fewer than": "<"}
_VAGUE = {12: "dozens", 100: "hundreds", 1000: "thousands"}


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


def level(point: FigurePoint) -> float:
    """Where a figure sits on the chart: its value, a range's middle, a vague amount's floor."""
    if point.value is not None:
        return point.value
    if point.low is not None and point.high is not None:
        return (point.low + point.high) / 2
    return point.low or 0


def day(when: datetime | None) -> str:
    """A date as YYYY-MM-DD ("" for none)."""
    return f"{when:%Y-%m-%d}" if when else ""


def timeline_tables(charts: Sequence[Chart]) -> list[Table]:
    """One rich table per chart: each claimant's figures in time order."""
    tables = []
    for chart in charts:
        title = Text(terminal_text(chart_title(chart)))
        table = Table("claimant", "first published", "figure", "change", "outlet", title=title)
        for series in chart.series:
            for i, point in enumerate(series.points):
                more = f" (+{point.outlets - 1} more)" if point.outlets > 1 else ""
                cells = (
                    series.label if i == 0 else "",
                    day(point.when),
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


def clip(text: str, size: int) -> str:
    """Text cut to `size` characters, ending with "…" when cut."""
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def chart_title(chart: Chart) -> str:
    """A chart's title: its topic (or the topic's title) and unit class."""
    return f"{chart.topic_title or chart.topic}: {chart.unit_class}"
