"""The season summary PDF of the auditors' report: a few pages, whatever the size of the season.

Headline figures, then what needs a person (each kind of exception with its count and its
first item ids), then charts (`stations.audit_charts`), then the tables per case,
destination, kind, station, operator and day or week. A table never runs longer than
`ROWS` rows: the rest is in its CSV file or workbook sheet, which the PDF names. Every word
comes from `stations.audit_words` in French, English or Dutch; whatever the data holds is
shown as text, never read as markup.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from models.audit.report_types import EXCEPTIONS, TABLES, Reconciliation, Row, Table
from scanpipe.paper.render import Fonts, fonts
from scanpipe.progress import Progress
from stations.audit_charts import CHART_WIDTH, charts
from stations.audit_report import IDENTIFIERS, TRANSLATED, figure_keys, is_number, numeric_columns
from stations.audit_words import Words, words
from stations.untrusted import terminal_text

ROWS = 40           # rows of a table in the PDF at most; the spreadsheets have them all
FIRST_IDS = 8       # item ids (or files, bundles) shown for each kind of exception
MAX_DAYS = 31       # more days than this are shown as weeks
_NONE = "—"
# The PDF's tables after the charts, in the order an auditor reads them; by_day or by_week is
# chosen by the season's length, bundle_states is counted here from the bundles.
_PDF_TABLES = ("by_case", "by_destination", "delivery", "bundle_states", "by_kind", "outcomes",
               "by_station", "by_operator", "days")

_MARGIN = 16 * mm
_WIDTH = A4[0] - 2 * _MARGIN
assert abs(_WIDTH - CHART_WIDTH) < 1
_SIZE = 8            # table text, points
_LEADING = 9.5
_PAD = 3             # cell padding left and right, points
_MIN_TEXT = 18 * mm  # a text column is never squeezed below this
_MAX_LINES = 6       # a longer cell is cut: the spreadsheets keep the whole text
_GREY = colors.HexColor("#d9d9d9")
_STRIPE = colors.HexColor("#f3f3f3")



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


def report_pdf(rec: Reconciliation, lang: str = "fr", progress: Progress | None = None) -> bytes:
    """The season summary as an A4 PDF in `lang` (fr, en or nl). `progress(done, total)` is
    told the parts of the document laid out so far."""
    w = words(lang)
    look = _look(fonts())
    story = [*_title_block(rec, w, look), *_exceptions(rec, w, look), PageBreak(),
             *_charts(rec, w, look), PageBreak(), *_tables(rec, w, look)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN,
                            topMargin=_MARGIN, bottomMargin=_MARGIN + 6 * mm, invariant=1,
                            title=f"{w('phrase.title')} — {terminal_text(rec.campaign_id)}",
                            author="scanpipe", creator="scanpipe")
    if progress is not None:
        total = [len(story)]

        def told(kind: str, value: int) -> None:
            if kind == "SIZE_EST":
                total[0] = value
            elif kind == "PROGRESS":
                progress(value, total[0])
        doc.setProgressCallBack(told)
    footer = " · ".join((terminal_text(rec.campaign_id), w("phrase.title"),
                         w("phrase.footer", seq=rec.head_seq)))
    doc.build(story, canvasmaker=_numbered_canvas(footer, w, look.fonts.regular))
    return out.getvalue()


def _title_block(rec: Reconciliation, w: Words, look: _Look) -> list[Flowable]:
    figures = [[w.get(f"figure.{k}", terminal_text(k)), _figure(w, k, rec.figures.get(k))]
               for k in figure_keys(rec)]
    table = LongTable(figures, colWidths=[110 * mm, 40 * mm], hAlign="LEFT", style=TableStyle([
        ("FONT", (0, 0), (-1, -1), look.fonts.regular, 9.5, 11.5),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, _STRIPE]),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.black),
        ("LINEABOVE", (0, 0), (-1, 0), 0.5, colors.black)]))
    return [_para(rec.campaign_name, look.title), _para(w("phrase.title"), look.subtitle),
            _para(w("phrase.campaign", id=rec.campaign_id), look.body),
            _para(w("phrase.covers", seq=rec.head_seq), look.body),
            _para(w("phrase.hash", hash=rec.head_hash), look.small),
            _para(w("phrase.made_at", when=rec.made_at), look.body),
            Spacer(1, 4 * mm), _para(w("phrase.figures"), look.section), table]


def _figure(w: Words, key: str, value: object) -> str:
    if key == "return_rate" and is_number(value):
        return w.percent(float(value))
    return _cell(w, key, value)


def _cell(w: Words, column: str, value: object) -> str:
    """A value as the PDF shows it: numbers grouped the language's way (not ids), words of
    the catalogue translated, yes and no too."""
    if value is None:
        return _NONE
    if isinstance(value, bool):
        return w("phrase.yes" if value else "phrase.no")
    if is_number(value) and column not in IDENTIFIERS:
        return w.number(value, 0 if isinstance(value, int) else 2)
    text = terminal_text(value)
    namespace = TRANSLATED.get(column)
    return w.get(f"{namespace}.{text}", text) if namespace else text


# ---------------------------------------------------------------- exceptions

def exception_summary(rec: Reconciliation) -> list[tuple[str, int, list[str]]]:
    """Each kind of exception present: (kind, count, the first ids) — an item's number, else
    the file quarantined, else the bundle."""
    found: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    table = _table(rec, "exceptions")
    index = {c: i for i, c in enumerate(table.columns)}
    for row in table.rows:
        kind = str(row[index["exception"]])
        counts[kind] += 1
        shown = found.setdefault(kind, [])
        if len(shown) < FIRST_IDS:
            what = next((row[index[c]] for c in ("item", "source", "bundle")
                         if row[index[c]] not in (None, "")), "")
            shown.append(terminal_text(what))
    order = [*EXCEPTIONS, *sorted(k for k in counts if k not in EXCEPTIONS)]
    return [(kind, counts[kind], found[kind]) for kind in order if counts[kind]]


def _exceptions(rec: Reconciliation, w: Words, look: _Look) -> list[Flowable]:
    summary = exception_summary(rec)
    head: list[Flowable] = [Spacer(1, 5 * mm), _para(w("phrase.exceptions"), look.section),
                            _para(w("phrase.exceptions_note"), look.small)]
    if not summary:
        return [*head, _para(w("phrase.nothing_needed"), look.body)]
    columns = ("exception", "count", "first")
    rows: list[Row] = [(kind, count, ", ".join(ids) + (" …" if count > len(ids) else ""))
                       for kind, count, ids in summary]
    table = _pdf_table(Table("exception_summary", columns, tuple(rows)), w, look)
    return [*head, KeepTogether([table]),
            _para(w("phrase.full_list", file="exceptions.csv"), look.small)]


# ---------------------------------------------------------------- tables

def _table(rec: Reconciliation, key: str) -> Table:
    try:
        return rec.table(key)
    except KeyError:
        return Table(key, TABLES.get(key, ()), ())


def bundle_states(bundles: Table) -> Table:
    """Bundles and their pieces per state, counted from the bundles table."""
    count: Counter[str] = Counter()
    pieces: Counter[str] = Counter()
    for state, n in zip(bundles.column("state"), bundles.column("pieces")):
        count[str(state)] += 1
        pieces[str(state)] += int(n) if is_number(n) else 0
    rows = tuple((s, count[s], pieces[s]) for s in sorted(count, key=lambda s: -count[s]))
    return Table("bundle_states", ("state", "bundles", "pieces"), rows)


def pdf_tables(rec: Reconciliation) -> list[tuple[Table, str]]:
    """The tables the PDF shows, each with the file that holds it whole."""
    out = []
    for key in _PDF_TABLES:
        if key == "bundle_states":
            out.append((bundle_states(_table(rec, "bundles")), "bundles.csv"))
        elif key == "days":
            days = _table(rec, "by_day")
            table = days if len(days.rows) <= MAX_DAYS else _table(rec, "by_week")
            out.append((table, f"{table.key}.csv"))
        else:
            out.append((_table(rec, key), f"{key}.csv"))
    return out


def _tables(rec: Reconciliation, w: Words, look: _Look) -> list[Flowable]:
    story: list[Flowable] = [_para(w("phrase.tables"), look.section),
                             _para(w("phrase.full_lists"), look.small)]
    for table, file in pdf_tables(rec):
        # Keeps a title from being the last line of a page, without wrapping a long table.
        story += [CondPageBreak(30 * mm), _para(w.get(f"table.{table.key}", table.key), look.heading)]
        if not table.rows:
            story.append(_para(w("phrase.none"), look.body))
        else:
            shown = Table(table.key, table.columns, table.rows[:ROWS])
            story.append(_pdf_table(shown, w, look))
            hidden = len(table.rows) - len(shown.rows)
            if hidden:
                story.append(_para(w("phrase.more_in", count=w.number(hidden), file=file),
                                   look.small))
        story.append(Spacer(1, 4 * mm))
    return story


def _pdf_table(table: Table, w: Words, look: _Look) -> LongTable:
    regular, bold = look.fonts.regular, look.fonts.bold
    numeric = numeric_columns(table)
    header = [w.get(f"column.{c}", terminal_text(c)) for c in table.columns]
    body = [[_cell(w, c, v) for c, v in zip(table.columns, row)] for row in table.rows]
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
            cut = fitting(word, font, _SIZE, room)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    if len(lines) > _MAX_LINES:
        last = lines[_MAX_LINES - 1]
        lines = [*lines[:_MAX_LINES - 1], last[:fitting(last + "…", font, _SIZE, room) - 1] + "…"]
    return "\n".join(lines)


def fitting(text: str, font: str, size: float, room: float) -> int:
    """How many leading characters of `text` fit in `room` (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle], font, size) <= room:
            low = middle
        else:
            high = middle - 1
    return low


# ---------------------------------------------------------------- charts

def _charts(rec: Reconciliation, w: Words, look: _Look) -> list[Flowable]:
    days = _table(rec, "by_day")
    by_week = len(days.rows) > MAX_DAYS
    story: list[Flowable] = [_para(w("phrase.charts"), look.section)]
    for title, drawing in charts(days if not by_week else _table(rec, "by_week"),
                                 _table(rec, "by_destination"), _table(rec, "delivery"), w,
                                 look.fonts, by_week=by_week):
        story += [KeepTogether([
            _para(w(title), look.heading),
            drawing if drawing is not None else _para(w("phrase.no_data"), look.body)]),
            Spacer(1, 3 * mm)]
    return story


# ---------------------------------------------------------------- footer

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
                    left = left[:fitting(left + "…", font, 7.5, room) - 1] + "…"
                self.setFont(font, 7.5)
                self.setFillColor(colors.dimgrey)
                self.drawString(_MARGIN, _MARGIN / 2 + 2 * mm, left)
                self.drawRightString(A4[0] - _MARGIN, _MARGIN / 2 + 2 * mm, page)
                super().showPage()
            super().save()

    return NumberedCanvas

