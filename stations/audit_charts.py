"""The charts of the season summary PDF: pieces per day (or week), per destination, and the
delivery state of each case.

Drawn with reportlab.graphics in black, greys and white with outlines, so that they read the
same printed in black and white. However long the season and however many destinations or
cases, a chart keeps its size: labels are thinned, the smallest bars are summed as "others".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from models.audit.report_types import Table
from scanpipe.paper.render import Fonts
from stations.audit_report import is_number
from stations.audit_words import Words
from stations.untrusted import terminal_text

CHART_WIDTH = A4[0] - 32 * mm
MAX_BARS = 20        # destinations or cases drawn; the rest summed as "others"
_MAX_LABELS = 12     # day or week labels on the axis
_INK = colors.HexColor("#333333")
# The segments of the delivery progress chart, from done to not done, then back; darkest first,
# the last white in its outline.
PROGRESS = ("delivered", "dispatched", "bundled", "routed", "back")
_PROGRESS_GREYS = ("#1a1a1a", "#666666", "#a6a6a6", "#dddddd", "#ffffff")


def charts(days: Table, destinations: Table, delivery: Table, w: Words, f: Fonts, *,
           by_week: bool) -> list[tuple[str, Drawing | None]]:
    """(title key, drawing or None when there is nothing to draw) for each chart."""
    return [("phrase.chart_by_week" if by_week else "phrase.chart_by_day",
             _time_chart(days, "week" if by_week else "day", w, f)),
            ("phrase.chart_by_destination", _destination_chart(destinations, w, f)),
            ("phrase.chart_delivery", _delivery_chart(delivery, w, f))]


def _count(value: object) -> float:
    """A bar's length: negative, missing or non-numeric values draw nothing."""
    return float(value) if is_number(value) and value > 0 else 0.0


def _time_chart(table: Table, column: str, w: Words, f: Fonts) -> Drawing | None:
    pieces = [_count(v) for v in table.column("pieces")]
    if not any(pieces):
        return None
    labels = [terminal_text(d) for d in table.column(column)]
    step = math.ceil(len(labels) / _MAX_LABELS)  # thin the labels so they never overlap
    drawing = Drawing(CHART_WIDTH, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 14 * mm, 16 * mm, CHART_WIDTH - 18 * mm, 37 * mm
    chart.data = [pieces]
    chart.categoryAxis.categoryNames = [d if i % step == 0 else "" for i, d in enumerate(labels)]
    _axes(chart, w, f, angle=30)
    _shade(chart, ("#4d4d4d",))
    drawing.add(chart)
    return drawing


def _largest(names: list[str], values: list[list[float]], w: Words) -> tuple[list[str], list[list[float]]]:
    """The MAX_BARS categories of most total, in their order, the rest summed as "others"."""
    if len(names) <= MAX_BARS:
        return names, values
    totals = [sum(series[i] for series in values) for i in range(len(names))]
    keep = sorted(sorted(range(len(names)), key=lambda i: -totals[i])[:MAX_BARS - 1])
    rest = [i for i in range(len(names)) if i not in set(keep)]
    kept_names = [names[i] for i in keep] + [w("phrase.others", count=len(rest))]
    return kept_names, [[s[i] for i in keep] + [sum(s[i] for i in rest)] for s in values]


def _destination_chart(table: Table, w: Words, f: Fonts) -> Drawing | None:
    names = [terminal_text(d) for d in table.column("destination")]
    names, (pieces,) = _largest(names, [[_count(v) for v in table.column("pieces")]], w)
    if not any(pieces):
        return None
    height = min(100 * mm, max(20 * mm, 5 * mm * len(names)))
    drawing = Drawing(CHART_WIDTH, height + 12 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 34 * mm, 8 * mm, CHART_WIDTH - 40 * mm, height
    chart.data = [pieces]
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.reverseDirection = 1  # the first on top, as in the table
    _axes(chart, w, f, angle=0)
    _shade(chart, ("#4d4d4d",))
    drawing.add(chart)
    return drawing


def progress_per_case(table: Table) -> dict[str, tuple[float, ...]]:
    """Per case (summed over its destinations), its routed pieces split into the segments
    of `PROGRESS`, each piece in exactly one.

    The columns follow `models.store.bundles.DeliveryProgress`: `bundled` counts every piece in a
    bundle (dispatched and back ones included), `dispatched` counts the delivered ones too.
    """
    sums: dict[str, list[float]] = {}
    columns = ("routed", "bundled", "dispatched", "delivered", "back")
    for case, *counts in zip(*(table.column(c) for c in ("case", *columns))):
        total = sums.setdefault(terminal_text(case), [0.0] * len(columns))
        for i, value in enumerate(counts):
            total[i] += _count(value)
    return {case: tuple(max(0.0, x) for x in (delivered, dispatched - delivered,
                                              bundled - dispatched - back, routed - bundled, back))
            for case, (routed, bundled, dispatched, delivered, back) in sums.items()}


def _delivery_chart(table: Table, w: Words, f: Fonts) -> Drawing | None:
    progress = progress_per_case(table)
    data = [[segments[i] for segments in progress.values()] for i in range(len(PROGRESS))]
    names, data = _largest(list(progress), data, w)
    if not any(map(any, data)):
        return None
    height = min(90 * mm, max(25 * mm, 6 * mm * len(names)))
    drawing = Drawing(CHART_WIDTH, height + 14 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 22 * mm, 10 * mm, CHART_WIDTH - 76 * mm, height
    chart.data = data
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.reverseDirection = 1  # the first case on top, as in the table
    _axes(chart, w, f, angle=0)
    _shade(chart, _PROGRESS_GREYS)
    drawing.add(chart)
    drawing.add(_legend(chart, [w(f"series.{s}") for s in PROGRESS], _PROGRESS_GREYS, f))
    return drawing


def _axes(chart: BarChart, w: Words, f: Fonts, angle: float) -> None:
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = lambda v: w.number(v, 0 if v == int(v) else 1)
    chart.barSpacing = 0.5
    for labels in (chart.valueAxis.labels, chart.categoryAxis.labels):
        labels.fontName, labels.fontSize = f.regular, 7
    if angle:
        chart.categoryAxis.labels.angle = angle
        chart.categoryAxis.labels.boxAnchor = "ne"


def _shade(chart: BarChart, greys: Sequence[str]) -> None:
    """Fill each series with its grey, outlined in black so the lightest shows on paper."""
    for i, grey in enumerate(greys):
        chart.bars[i].fillColor = colors.HexColor(grey)
        chart.bars[i].strokeColor = _INK
        chart.bars[i].strokeWidth = 0.4


def _legend(chart: BarChart, names: list[str], greys: Sequence[str], f: Fonts) -> Legend:
    legend = Legend()
    legend.x, legend.y = chart.x + chart.width + 6 * mm, chart.y + chart.height
    legend.boxAnchor, legend.alignment = "nw", "right"
    legend.fontName, legend.fontSize = f.regular, 7
    legend.columnMaximum, legend.deltay, legend.dx, legend.dy = len(names), 10, 7, 7
    legend.strokeColor, legend.strokeWidth = _INK, 0.4
    legend.colorNamePairs = [(colors.HexColor(c), n) for c, n in zip(greys, names)]
    return legend
