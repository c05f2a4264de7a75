"""Renderers of the auditors' reconciliation report: terminal text, CSV files and a PDF.

The report (`models.audit.report_types.Reconciliation`) is made from the ledger
elsewhere; this module only shows it. Its values may be text that somebody typed
or named (stations, operators, file names), so the terminal gets no control
characters, spreadsheets no formulas, and reportlab no markup.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from models.audit.report_types import FIGURES, TABLES, Reconciliation, Table
from scanpipe.paper.render import Fonts, fonts
from stations.audit_words import Words, words
from stations.untrusted import spreadsheet_text, terminal_text

_CSV_NAME = re.compile(r"[a-z][a-z0-9_]*")
_NONE = "—"

# Columns whose values are catalogue words, and the namespace they are found in.
_TRANSLATED = {"outcome": "outcome", "exception": "exception", "state": "state", "kind": "kind"}
# Numbers that name a thing rather than count: never grouped by thousands.
_IDENTIFIERS = frozenset({"item", "bundle"})
# The PDF's tables, in the order an auditor reads them (by_day is drawn as a chart).
_PDF_TABLES = ("by_case", "by_destination", "delivery", "bundles", "by_station", "by_operator",
               "by_kind", "outcomes", "duplicates", "exceptions")

_MARGIN = 16 * mm
_WIDTH = A4[0] - 2 * _MARGIN
_SIZE = 8            # table text, points
_LEADING = 9.5
_PAD = 3             # cell padding left and right, points
_MIN_TEXT = 18 * mm  # a text column is never squeezed below this
_MAX_LINES = 6       # a longer cell is cut: the CSV keeps the whole text
_MAX_DAY_LABELS = 12
_GREY = colors.HexColor("#d9d9d9")
_STRIPE = colors.HexColor("#f3f3f3")
_ALERT = colors.HexColor("#f4cccc")
_KIND_COLOURS = ("#1f77b4", "#9467bd", "#ff7f0e", "#2ca02c")
# The segments of the delivery progress chart, from done to not done, then back.
PROGRESS = ("delivered", "dispatched", "bundled", "routed", "back")
_PROGRESS_COLOURS = ("#2ca02c", "#98df8a", "#1f77b4", "#bdbdbd", "#d62728")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numeric_columns(table: Table) -> list[bool]:
    """Which columns hold numbers only (they are right-aligned)."""
    def numeric(values: list) -> bool:
        present = [v for v in values if v is not None]
        return bool(present) and all(_is_number(v) for v in present)
    return [numeric(table.column(c)) and c not in _IDENTIFIERS for c in table.columns]


def _figure_keys(rec: Reconciliation) -> list[str]:
    return [*FIGURES, *(k for k in rec.figures if k not in FIGURES)]


# ------------------------------------------------------------------ terminal

def report_text(rec: Reconciliation, *, limit: int | None = 50) -> str:
    """The report for a terminal, in English: header, headline figures, then every table.

    At most `limit` rows of a table are shown (None: all); the CSV files have the rest.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")
    en = words("en")
    figures = [(en.get(f"figure.{k}", terminal_text(k)), _text_figure(k, rec.figures.get(k)))
               for k in _figure_keys(rec)]
    out = [f"{en('phrase.title')}: {terminal_text(rec.campaign_id)} — {terminal_text(rec.campaign_name)}",
           f"{en('phrase.covers', seq=rec.head_seq)} (hash {terminal_text(rec.head_hash[:16])})",
           en("phrase.made_at", when=terminal_text(rec.made_at)),
           "", en("phrase.figures"), *_grid((), figures, (False, True))]
    for table in rec.tables:
        out += ["", en.get(f"table.{table.key}", terminal_text(table.key))]
        if not table.rows:
            out.append(f"  {en('phrase.none')}")
            continue
        shown = table.rows if limit is None else table.rows[:limit]
        out += _grid([terminal_text(c) for c in table.columns],
                     [[_text_cell(v) for v in row] for row in shown], _numeric_columns(table))
        hidden = len(table.rows) - len(shown)
        if hidden:
            more = en("phrase.more_row") if hidden == 1 else en("phrase.more_rows", count=hidden)
            out.append(f"  {more}")
    return "\n".join(out) + "\n"


def _text_figure(key: str, value: object) -> str:
    if key == "return_rate" and _is_number(value):
        return f"{100 * value:.1f}%"
    return _text_cell(value)


def _text_cell(value: object) -> str:
    if value is None:
        return _NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return terminal_text(value)


def _grid(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    """Rows of aligned columns under an underlined header (none when `header` is empty)."""
    lines = [header, *rows] if header else rows
    widths = [max(_width(cell) for cell in column) for column in zip(*lines)]

    def line(cells: Sequence[str]) -> str:
        padded = ((" " * (w - _width(c)) + c) if r else (c + " " * (w - _width(c)))
                  for c, w, r in zip(cells, widths, right))
        return ("  " + "  ".join(padded)).rstrip()

    top = [line(header), line(["-" * w for w in widths])] if header else []
    return [*top, *map(line, rows)]


def _width(text: str) -> int:
    """Columns a terminal gives `text`: wide East Asian characters take two, accents none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF"
               else 1 for ch in text)


# ------------------------------------------------------------------ CSV

def write_report_csv(rec: Reconciliation, folder: Path) -> list[Path]:
    """Write `figures.csv` and one `<table key>.csv` per table into `folder`; return their paths.

    Each file appears whole or not at all (written under a temporary name, then renamed).
    """
    folder = Path(folder)
    for table in rec.tables:
        if not _CSV_NAME.fullmatch(table.key) or table.key == "figures":
            raise ValueError(f"table key {table.key!r} cannot name a CSV file: use lowercase "
                             "letters, digits and '_', and not 'figures'")
    folder.mkdir(parents=True, exist_ok=True)
    figures = [(k, rec.figures.get(k)) for k in _figure_keys(rec)]
    written = [_write_csv(folder / "figures.csv", ("figure", "value"), figures)]
    written += [_write_csv(folder / f"{t.key}.csv", t.columns, t.rows) for t in rec.tables]
    return written


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return repr(value)
    return spreadsheet_text(str(value))


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(buffer.getvalue())
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the report from the other auditors
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


# ------------------------------------------------------------------ PDF

@dataclass(frozen=True)
class _Look:
    """The fonts and paragraph styles of one PDF."""

    fonts: Fonts
    title: ParagraphStyle
    subtitle: ParagraphStyle
    section: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle


def _look(f: Fonts) -> _Look:
    def style(name: str, font: str, size: float, after: float) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.25,
                              spaceAfter=after)
    return _Look(f, style("title", f.bold, 20, 4 * mm), style("subtitle", f.bold, 14, 4 * mm),
                 style("section", f.bold, 14, 3 * mm), style("heading", f.bold, 11, 2 * mm),
                 style("body", f.regular, 9.5, 1.5 * mm), style("small", f.regular, 8, 1.5 * mm))


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: whatever it holds is shown, never read as markup."""
    return Paragraph(escape(terminal_text(text)), style)


def report_pdf(rec: Reconciliation, lang: str = "fr") -> bytes:
    """The report as an A4 PDF in `lang` (fr, en or nl): figures, three charts, every table."""
    w = words(lang)
    look = _look(fonts())
    story = [*_title_block(rec, w, look), PageBreak(), *_charts(rec, w, look), PageBreak(),
             *_tables(rec, w, look)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN,
                            topMargin=_MARGIN, bottomMargin=_MARGIN + 6 * mm, invariant=1,
                            title=f"{w('phrase.title')} — {terminal_text(rec.campaign_id)}",
                            author="scanpipe", creator="scanpipe")
    footer = " · ".join((terminal_text(rec.campaign_id), w("phrase.title"),
                         w("phrase.footer", seq=rec.head_seq)))
    doc.build(story, canvasmaker=_numbered_canvas(footer, w, look.fonts.regular))
    return out.getvalue()


def _title_block(rec: Reconciliation, w: Words, look: _Look) -> list[Flowable]:
    figures = [[w.get(f"figure.{k}", terminal_text(k)), _pdf_figure(w, k, rec.figures.get(k))]
               for k in _figure_keys(rec)]
    table = LongTable(figures, colWidths=[95 * mm, 40 * mm], hAlign="LEFT", style=TableStyle([
        ("FONT", (0, 0), (-1, -1), look.fonts.regular, 10, 12.5),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, _STRIPE]),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.black),
        ("LINEABOVE", (0, 0), (-1, 0), 0.5, colors.black)]))
    return [_para(rec.campaign_name, look.title), _para(w("phrase.title"), look.subtitle),
            _para(w("phrase.campaign", id=rec.campaign_id), look.body),
            _para(w("phrase.covers", seq=rec.head_seq), look.body),
            _para(w("phrase.hash", hash=rec.head_hash), look.small),
            _para(w("phrase.made_at", when=rec.made_at), look.body),
            Spacer(1, 6 * mm), _para(w("phrase.figures"), look.section), table]


def _pdf_figure(w: Words, key: str, value: object) -> str:
    if key == "return_rate" and _is_number(value):
        return w.percent(value)
    return _pdf_cell(w, key, value)


def _pdf_cell(w: Words, column: str, value: object) -> str:
    if value is None:
        return _NONE
    if isinstance(value, bool):
        return w("phrase.yes" if value else "phrase.no")
    if _is_number(value) and column not in _IDENTIFIERS:
        return w.number(value, 0 if isinstance(value, int) else 2)
    text = terminal_text(value)
    namespace = _TRANSLATED.get(column)
    return w.get(f"{namespace}.{text}", text) if namespace else text


# ---------------------------------------------------------------- PDF tables

def _tables(rec: Reconciliation, w: Words, look: _Look) -> list[Flowable]:
    story: list[Flowable] = [_para(w("phrase.tables"), look.section)]
    for key in _PDF_TABLES:
        table = _table_or_empty(rec, key)
        # Keeps a title from being the last line of a page, without wrapping a long table.
        story += [CondPageBreak(30 * mm), _para(w.get(f"table.{key}", key), look.heading),
                  _pdf_table(table, w, look) if table.rows else _para(w("phrase.none"), look.body),
                  Spacer(1, 4 * mm)]
    return story


def _table_or_empty(rec: Reconciliation, key: str) -> Table:
    try:
        return rec.table(key)
    except KeyError:
        return Table(key, TABLES[key], ())


def _pdf_table(table: Table, w: Words, look: _Look) -> LongTable:
    regular, bold = look.fonts.regular, look.fonts.bold
    numeric = _numeric_columns(table)
    header = [w.get(f"column.{c}", terminal_text(c)) for c in table.columns]
    body = [[_pdf_cell(w, c, v) for c, v in zip(table.columns, row)] for row in table.rows]
    widths = _column_widths(header, body, numeric, look.fonts)
    header = [_wrap(h, bold, width) for h, width in zip(header, widths)]
    body = [[_wrap(cell, regular, width) for cell, width in zip(row, widths)] for row in body]
    style = [("FONT", (0, 0), (-1, -1), regular, _SIZE, _LEADING),
             ("FONT", (0, 0), (-1, 0), bold, _SIZE, _LEADING),
             ("BACKGROUND", (0, 0), (-1, 0), _GREY),
             ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, _STRIPE]),
             ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("LEFTPADDING", (0, 0), (-1, -1), _PAD), ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
             ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
    style += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i, right in enumerate(numeric) if right]
    # A "no" (a sheet that disagrees with the ledger) is what an auditor looks for first.
    style += [("BACKGROUND", (i, r), (i, r), _ALERT) for r, row in enumerate(table.rows, 1)
              for i, value in enumerate(row) if value is False]
    return LongTable([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT",
                     style=TableStyle(style))


def _column_widths(header: list[str], body: list[list[str]], numeric: list[bool],
                   f: Fonts) -> list[float]:
    """Each column as wide as its content when the page allows; else headers wrap first,
    then text columns give way (never numbers)."""
    natural, whole, least = [], [], []  # everything on one line / cells on one line / squeezed
    for i, title in enumerate(header):
        cells = max((stringWidth(row[i], f.regular, _SIZE) for row in body), default=0)
        word = max((stringWidth(x, f.bold, _SIZE) for x in title.split()), default=0)
        natural.append(max(cells, stringWidth(title, f.bold, _SIZE)) + 2 * _PAD)
        whole.append(max(cells, word) + 2 * _PAD)
        least.append(max(word, cells if numeric[i] else min(cells, _MIN_TEXT)) + 2 * _PAD)
    for low, high in ((whole, natural), (least, whole)):
        if sum(low) <= _WIDTH:
            spare, slack = _WIDTH - sum(low), sum(high) - sum(low)
            return [a + min(1, spare / slack) * (b - a) if slack else a for a, b in zip(low, high)]
    return least


def _wrap(text: str, font: str, width: float) -> str:
    """`text` broken into lines that fit `width` (long words too), at most _MAX_LINES of them."""
    room = width - 2 * _PAD
    if stringWidth(text, font, _SIZE) <= room:
        return text
    lines: list[str] = []
    for word in text.split(" "):
        if lines and stringWidth(f"{lines[-1]} {word}", font, _SIZE) <= room:
            lines[-1] += f" {word}"
            continue
        while len(word) > 1 and stringWidth(word, font, _SIZE) > room:
            cut = _fitting(word, font, _SIZE, room)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    if len(lines) > _MAX_LINES:
        last = lines[_MAX_LINES - 1]
        lines = [*lines[:_MAX_LINES - 1], last[:_fitting(last + "…", font, _SIZE, room) - 1] + "…"]
    return "\n".join(lines)


def _fitting(text: str, font: str, size: float, room: float) -> int:
    """How many leading characters of `text` fit in `room` (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle], font, size) <= room:
            low = middle
        else:
            high = middle - 1
    return low


# ---------------------------------------------------------------- PDF charts

def _charts(rec: Reconciliation, w: Words, look: _Look) -> list[Flowable]:
    drawings = (
        ("phrase.chart_by_day", _day_chart(_table_or_empty(rec, "by_day"), w, look.fonts)),
        ("phrase.chart_by_case", _case_chart(_table_or_empty(rec, "by_case"), w, look.fonts)),
        ("phrase.chart_delivery", _delivery_chart(_table_or_empty(rec, "delivery"), w, look.fonts)))
    story: list[Flowable] = [_para(w("phrase.charts"), look.section)]
    for title, drawing in drawings:
        story += [_para(w(title), look.heading),
                  drawing if drawing is not None else _para(w("phrase.no_data"), look.body),
                  Spacer(1, 3 * mm)]
    return story


def _count(value: object) -> float:
    """A bar's length: negative, missing or non-numeric values draw nothing."""
    return value if _is_number(value) and value > 0 else 0


def _day_chart(table: Table, w: Words, f: Fonts) -> Drawing | None:
    pieces = [_count(v) for v in table.column("pieces")]
    if not any(pieces):
        return None
    days = [terminal_text(d) for d in table.column("day")]
    step = math.ceil(len(days) / _MAX_DAY_LABELS)  # thin the labels so they never overlap
    drawing = Drawing(_WIDTH, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 14 * mm, 16 * mm, _WIDTH - 18 * mm, 37 * mm
    chart.data = [pieces]
    chart.categoryAxis.categoryNames = [d if i % step == 0 else "" for i, d in enumerate(days)]
    _axes(chart, w, f, angle=30)
    _colour(chart, _KIND_COLOURS[:1])
    drawing.add(chart)
    return drawing


def _case_chart(table: Table, w: Words, f: Fonts) -> Drawing | None:
    kinds = ("letters", "solidarity_letters", "postcards", "petitions")
    data = [[_count(v) for v in table.column(k)] for k in kinds]
    if not any(map(any, data)):
        return None
    cases = [terminal_text(c) for c in table.column("case")]
    drawing = Drawing(_WIDTH, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 14 * mm, 14 * mm, _WIDTH - 62 * mm, 37 * mm
    chart.data = data
    chart.categoryAxis.categoryNames = cases
    chart.categoryAxis.style = "stacked"
    _axes(chart, w, f, angle=30 if len(cases) > 8 else 0)
    _colour(chart, _KIND_COLOURS)
    drawing.add(chart)
    drawing.add(_legend(chart, [w(f"series.{k}") for k in kinds], _KIND_COLOURS, f))
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
        total = sums.setdefault(terminal_text(case), [0] * len(columns))
        for i, value in enumerate(counts):
            total[i] += _count(value)
    return {case: tuple(max(0, x) for x in (delivered, dispatched - delivered,
                                            bundled - dispatched - back, routed - bundled, back))
            for case, (routed, bundled, dispatched, delivered, back) in sums.items()}


def _delivery_chart(table: Table, w: Words, f: Fonts) -> Drawing | None:
    progress = progress_per_case(table)
    data = [[segments[i] for segments in progress.values()] for i in range(len(PROGRESS))]
    if not any(map(any, data)):
        return None
    height = min(75 * mm, max(25 * mm, 6 * mm * len(progress)))
    drawing = Drawing(_WIDTH, height + 14 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 18 * mm, 10 * mm, _WIDTH - 72 * mm, height
    chart.data = data
    chart.categoryAxis.categoryNames = list(progress)
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.reverseDirection = 1  # the first case on top, as in the table
    _axes(chart, w, f, angle=0)
    _colour(chart, _PROGRESS_COLOURS)
    drawing.add(chart)
    drawing.add(_legend(chart, [w(f"series.{s}") for s in PROGRESS], _PROGRESS_COLOURS, f))
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


def _colour(chart: BarChart, palette: Sequence[str]) -> None:
    for i, colour in enumerate(palette):
        chart.bars[i].fillColor = colors.HexColor(colour)
        chart.bars[i].strokeColor = None


def _legend(chart: BarChart, names: list[str], palette: Sequence[str], f: Fonts) -> Legend:
    legend = Legend()
    legend.x, legend.y = chart.x + chart.width + 6 * mm, chart.y + chart.height
    legend.boxAnchor, legend.alignment = "nw", "right"
    legend.fontName, legend.fontSize = f.regular, 7
    legend.columnMaximum, legend.deltay, legend.dx, legend.dy = len(names), 10, 7, 7
    legend.colorNamePairs = [(colors.HexColor(c), n) for c, n in zip(palette, names)]
    return legend


# ---------------------------------------------------------------- PDF footer

def _numbered_canvas(footer: str, w: Words, font: str) -> type[Canvas]:
    """A canvas class that writes `footer` and "page X / Y" once it knows the number of pages."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._held, 1):
                self.__dict__.update(state)
                page = w("phrase.page", page=number, pages=len(self._held))
                room = _WIDTH - stringWidth(page, font, 7.5) - 6 * mm
                left = footer
                if stringWidth(left, font, 7.5) > room:
                    left = left[:_fitting(left + "…", font, 7.5, room) - 1] + "…"
                self.setFont(font, 7.5)
                self.setFillColor(colors.dimgrey)
                self.drawString(_MARGIN, _MARGIN / 2 + 2 * mm, left)
                self.drawRightString(A4[0] - _MARGIN, _MARGIN / 2 + 2 * mm, page)
                super().showPage()
            super().save()

    return NumberedCanvas
