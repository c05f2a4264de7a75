"""The delivery sheet handed over with a bundle (e.g. to an embassy), and the
forwarding manifest, its variant for what goes where the postcards go: the
postcards and the letters to the person, a column each.

Page 1 carries the bundle number, the recipient, a table of counts per case
with a total, the bundle's QR code (kind B) and, at a fixed place at the
bottom, a box for the receiver's name, signature and stamp; further pages
continue the table if it is long and list every item id (the appendix), each
with the appendix QR code (kind A) in the same corner, so that every page of a
returned sheet is recognised. All wording and numbers are drawn as text, so
they can be extracted from the PDF and checked against the ledger.

The receipt box never moves (`RECEIPT_BOX`, `SIGNATURE_CELL`, `STAMP_CELL`,
`RECEIPT_MARKS`): `scanpipe.reading.receipts` finds it on a scan from the QR's corners
and the four solid marks at its corners.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from scanpipe.domain.i18n import format_date, text
from scanpipe.paper import render
from scanpipe.paper.render import Box

PAGE_W, PAGE_H = 210.0, 297.0
LEFT, RIGHT = 15.0, 195.0
CONTENT_BOTTOM = 280.0  # the footer with the page number lives below this line
BUNDLE_QR_ZONE = Box(197.0 - 24.6, 10.0, 24.6, 24.6)
BUNDLE_MODULE_MM = 0.6
CONTINUED_TOP = BUNDLE_QR_ZONE.bottom + 4  # content of pages 2+ starts under their QR

# The receipt box of page 1, mm from the page's top-left, whatever the table's length.
RECEIPT_BOX = Box(LEFT, 220.0, RIGHT - LEFT, 56.0)
RECEIPT_MARK_MM = 4.0  # solid squares in its corners: a scan finds them to the pixel
RECEIPT_MARKS = tuple(Box(x, y, RECEIPT_MARK_MM, RECEIPT_MARK_MM)
                      for x, y in ((RECEIPT_BOX.x, RECEIPT_BOX.y),
                                   (RECEIPT_BOX.right - RECEIPT_MARK_MM, RECEIPT_BOX.y),
                                   (RECEIPT_BOX.right - RECEIPT_MARK_MM,
                                    RECEIPT_BOX.bottom - RECEIPT_MARK_MM),
                                   (RECEIPT_BOX.x, RECEIPT_BOX.bottom - RECEIPT_MARK_MM)))
RECEIVER_FIELD = Box(62.0, 227.0, 63.0, 7.5)    # written on; its bottom is the printed line
DATE_FIELD = Box(146.0, 227.0, 42.0, 7.5)
SIGNATURE_CELL = Box(22.0, 239.0, 88.0, 33.0)
STAMP_CELL = Box(116.0, 239.0, 72.0, 33.0)     # an embassy's round stamp is 30–40 mm
CELL_LABEL_MM = 5.0   # the cell's printed label ("Signature", "Cachet") fills its top this far

_Column = tuple[str, float]  # the i18n key of its heading, its width in mm
_DELIVERY_COLUMNS: tuple[_Column, ...] = (("sheet.col_case", 24.0), ("sheet.col_person", 66.0),
                     ("sheet.col_letters", 22.0), ("sheet.col_postcards", 22.0),
                     ("sheet.col_petitions", 22.0), ("sheet.col_signatures", 24.0))
_FORWARDING_COLUMNS: tuple[_Column, ...] = (("sheet.col_case", 26.0), ("sheet.col_person", 66.0),
                       ("sheet.col_postcards", 24.0), ("sheet.col_solidarity_letters", 42.0),
                       ("sheet.col_total", 22.0))
_ROW_H = 7.0
_CELL_SIZES = (9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0)  # a table cell shrinks to fit its column
_REF_SIZES = tuple(float(n) for n in range(20, 9, -1))  # the bundle number beside the title
_ITEM_LEADING = 4.2
_ITEM_SIZE = 8.0
_LATE_MARK = " *"


@dataclass(frozen=True)
class SheetLine:
    """One case on a delivery sheet."""

    case: str
    person: str
    letters: int     # to the authority
    postcards: int
    petitions: int   # petition sheets
    signatures: int | None  # None: not counted (printed as a dash, never as 0)
    solidarity_letters: int = 0  # letters to the person: on a forwarding manifest only


@dataclass(frozen=True)
class DeliverySheet:
    """Everything printed on one delivery sheet (or, with `forwarding`, forwarding manifest)."""

    campaign_id: str
    campaign_name: str
    office: str
    destination: str          # e.g. "embassy:GT"
    recipient_name: str
    recipient_address: str
    issued_on: datetime.date
    lines: tuple[SheetLine, ...]
    item_ids: tuple[str, ...]  # printed ids of the pieces in this delivery
    bundle_code: str | None = None   # QR text of the bundle (kind B), page 1 only
    bundle_ref: str | None = None    # the bundle number as printed, e.g. "12"
    appendix_code: str | None = None  # QR text of kind A, on every page after the first
    forwarding: bool = False         # a forwarding manifest: postcards and letters to the person
    late_ids: frozenset[str] = frozenset()  # ids of `item_ids` that came after the deadline
    deadline: datetime.date | None = None

    def __post_init__(self) -> None:
        # Checked here so the note's count and the marks in the appendix always agree.
        stray = self.late_ids - set(self.item_ids)
        if stray:
            raise ValueError(f"late ids not among the sheet's item ids: {sorted(stray)[:3]}; "
                             "pass late ids as printed in item_ids")
        if self.late_ids and self.deadline is None:
            raise ValueError("late ids given without the campaign's deadline: pass deadline=")
        # Each paper shows only the kinds its recipient may receive, so a piece of another
        # kind would vanish from it: refuse it instead.
        letters, _, petitions, _ = self.totals
        if self.forwarding and (letters or petitions):
            raise ValueError("a forwarding manifest cannot list letters to the authority or "
                             "petition sheets: they go to the embassy")
        if not self.forwarding and self.solidarity_letters:
            raise ValueError("an embassy's delivery sheet cannot list letters to the person: "
                             "they are forwarded with the postcards")

    @property
    def totals(self) -> tuple[int, int, int, int | None]:
        """(letters, postcards, petition sheets, signatures) over all lines.

        The signature total is None unless every line's signatures were counted.
        """
        signatures = [x.signatures for x in self.lines if x.signatures is not None]
        counted = sum(signatures) if len(signatures) == len(self.lines) else None
        return (sum(x.letters for x in self.lines), sum(x.postcards for x in self.lines),
                sum(x.petitions for x in self.lines), counted)

    @property
    def solidarity_letters(self) -> int:
        """The letters to the person over all lines."""
        return sum(x.solidarity_letters for x in self.lines)


def bundle_qr_box(code_text: str) -> Box:
    """Where page 1 prints the bundle QR of `code_text` (quiet zone included), mm;
    ValueError when no QR of this text fits the zone."""
    side = render.qr_size_mm(code_text, BUNDLE_MODULE_MM)
    if side > BUNDLE_QR_ZONE.w + 1e-6:
        raise ValueError(f"QR of {side:.1f} mm does not fit its {BUNDLE_QR_ZONE.w:.1f} mm zone")
    return Box(BUNDLE_QR_ZONE.right - side, BUNDLE_QR_ZONE.y, side, side)


def bundle_qr_corners_mm(code_text: str) -> tuple[tuple[float, float], ...]:
    """The bundle QR symbol's corners on page 1 (top-left, top-right, bottom-right,
    bottom-left; quiet zone excluded), mm from the page's top-left: the points a
    code reader reports, to place the page's layout on a scan."""
    return bundle_qr_box(code_text).inset(render.QUIET_ZONE_MODULES * BUNDLE_MODULE_MM).corners()


def bundle_title(ref: str, lang: str) -> str:
    """The bundle number as printed ("Liasse n° 12") in `lang`; the bundle label shares it."""
    return text("sheet.bundle_ref", lang, serial=ref)


class _NumberedCanvas(render.ShapingCanvas):  # draws every script (render.py)
    """A canvas that writes "page X / Y" once it knows Y (reportlab's two-pass recipe)."""

    def __init__(self, *args: Any, footer: str, lang: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._lang = lang
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            f = render.fonts()
            self.setFont(f.regular, 7.5)
            self.setFillGray(0.3)
            self.drawString(LEFT * mm, render.baseline(PAGE_H, 285.5, 7.5), self._footer)
            self.drawRightString(RIGHT * mm, render.baseline(PAGE_H, 285.5, 7.5),
                                 text("sheet.page", self._lang, page=number, pages=total))
            Canvas.showPage(self)
        Canvas.save(self)


class _Writer:
    """Keeps the vertical position and starts new pages when the content runs out.

    Page 1's content ends above the receipt box; further pages get their own
    heading and the appendix QR before any content.
    """

    def __init__(self, canvas: _NumberedCanvas, sheet: DeliverySheet, lang: str):
        self.c = canvas
        self.sheet = sheet
        self.lang = lang
        self.y = 15.0
        self.bottom = RECEIPT_BOX.y - 4
        self.page = 1

    def need(self, height: float) -> bool:
        """Start a new page unless `height` mm still fit; True when a page was started."""
        if self.y + height <= self.bottom:
            return False
        self.new_page()
        return True

    def new_page(self) -> None:
        self.end_page()
        self.c.showPage()
        self.page += 1
        _draw_continued_header(self.c, self.sheet, self.lang)
        self.y = CONTINUED_TOP
        self.bottom = CONTENT_BOTTOM

    def end_page(self) -> None:
        """Page 1 gets its receipt box last, so the PDF's text reads in page order."""
        if self.page == 1:
            _draw_receipt(self.c, self.lang)


def _title(sheet: DeliverySheet, lang: str) -> str:
    return text("sheet.title_forwarding" if sheet.forwarding else "sheet.title", lang)


def _draw_code(c: Canvas, code: str) -> None:
    f = render.fonts()
    box = render.draw_qr_in(c, PAGE_H, code, BUNDLE_QR_ZONE, BUNDLE_MODULE_MM)
    c.setFont(f.regular, 5.5)
    c.drawRightString(box.right * mm, render.baseline(PAGE_H, box.bottom + 0.3, 5.5), code)


def _draw_continued_header(c: Canvas, sheet: DeliverySheet, lang: str) -> None:
    """A loose further page still says whose bundle it belongs to."""
    f = render.fonts()
    parts = [_title(sheet, lang)]
    if sheet.bundle_ref:
        parts.append(bundle_title(sheet.bundle_ref, lang))
    parts.append(sheet.destination)
    size, lines = render.fit_text(" · ".join(parts), f.bold, (11, 10, 9, 8),
                                  Box(LEFT, 12, BUNDLE_QR_ZONE.x - LEFT - 4, 18))
    render.draw_lines(c, PAGE_H, lines, LEFT, 12, f.bold, size)
    if sheet.appendix_code:
        _draw_code(c, sheet.appendix_code)


def _draw_header(w: _Writer, sheet: DeliverySheet, lang: str) -> None:
    c, f = w.c, render.fonts()
    title = _title(sheet, lang)
    render.draw_lines(c, PAGE_H, [title], LEFT, 10, f.bold, 16)
    qr_left = bundle_qr_box(sheet.bundle_code).x if sheet.bundle_code else RIGHT
    if sheet.bundle_ref:
        # Large, right-aligned against the QR: the number people call the bundle by.
        ref = bundle_title(sheet.bundle_ref, lang)
        room = qr_left - 4 - (LEFT + render.string_mm(title, f.bold, 16) + 6)
        size = render.fit_line(ref, f.bold, _REF_SIZES, room)
        c.setFont(f.bold, size)
        c.drawRightString((qr_left - 4) * mm, render.baseline(PAGE_H, 10, 16), ref)
    render.draw_text(c, PAGE_H, sheet.office, LEFT, 19.5, 150, f.bold, 10)
    render.draw_text(c, PAGE_H, text("sheet.campaign", lang, name=sheet.campaign_name,
                                     id=sheet.campaign_id), LEFT, 24.5, 150, f.regular, 9)
    render.draw_lines(c, PAGE_H, [text("sheet.date", lang,
                                       date=format_date(sheet.issued_on, lang))],
                      LEFT, 29, f.regular, 9)
    if sheet.bundle_code:
        _draw_code(c, sheet.bundle_code)
    c.setFillGray(0.35)
    render.draw_lines(c, PAGE_H, [f"{text('sheet.recipient', lang)} ({sheet.destination})"],
                      LEFT, 40, f.regular, 8)
    c.setFillGray(0)
    y = render.draw_text(c, PAGE_H, sheet.recipient_name, LEFT, 44, 150, f.bold, 11)
    address = "\n".join(x.strip() for x in sheet.recipient_address.strip().splitlines()
                        if x.strip())
    size, lines = render.fit_text(address, f.regular, (10, 9, 8), Box(LEFT, y + 1, 150, 22))
    w.y = max(render.draw_lines(c, PAGE_H, lines, LEFT, y + 1, f.regular, size, 1.2),
              BUNDLE_QR_ZONE.bottom + 3) + 6


def _draw_row(c: Canvas, y: float, cells: tuple[str, ...], columns: Sequence[_Column], font: str,
              fill: float | None) -> None:
    if fill is not None:
        c.setFillGray(fill)
        c.rect(LEFT * mm, (PAGE_H - y - _ROW_H) * mm, (RIGHT - LEFT) * mm, _ROW_H * mm,
               stroke=0, fill=1)
        c.setFillGray(0)
    x = LEFT
    for i, (cell, (_, width)) in enumerate(zip(cells, columns)):
        size = render.fit_line(cell, font, _CELL_SIZES, width - 3)
        c.setFont(font, size)
        base = (PAGE_H - y - _ROW_H / 2) * mm - 0.36 * size  # cap height centred in the row
        if i < 2:
            c.drawString((x + 1.5) * mm, base, cell)
        else:
            c.drawRightString((x + width - 1.5) * mm, base, cell)
        x += width
    render.hline(c, PAGE_H, LEFT, RIGHT, y + _ROW_H, 0.4)


def _count(value: int | None) -> str:
    return "—" if value is None else str(value)


def _table_rows(sheet: DeliverySheet, lang: str) -> tuple[tuple[_Column, ...], list[tuple[str, ...]],
                                                          tuple[str, ...]]:
    """(columns, rows, total row) of the sheet's kind."""
    letters, postcards, petitions, signatures = sheet.totals
    total_label = text("sheet.total", lang)
    rows: list[tuple[str, ...]]
    if sheet.forwarding:
        rows = [(x.case, x.person, str(x.postcards), str(x.solidarity_letters),
                 str(x.postcards + x.solidarity_letters)) for x in sheet.lines]
        solidarity = sheet.solidarity_letters
        return _FORWARDING_COLUMNS, rows, (total_label, "", str(postcards), str(solidarity),
                                           str(postcards + solidarity))
    rows = [(x.case, x.person, str(x.letters), str(x.postcards), str(x.petitions),
             _count(x.signatures)) for x in sheet.lines]
    total = (total_label, "", str(letters), str(postcards), str(petitions), _count(signatures))
    return _DELIVERY_COLUMNS, rows, total


def _draw_table(w: _Writer, sheet: DeliverySheet, lang: str) -> None:
    f = render.fonts()
    columns, rows, total = _table_rows(sheet, lang)
    header = tuple(text(key, lang) for key, _ in columns)

    def start_block() -> float:
        render.hline(w.c, PAGE_H, LEFT, RIGHT, w.y, 0.8)
        _draw_row(w.c, w.y, header, columns, f.bold, 0.85)
        w.y += _ROW_H
        return w.y - _ROW_H

    w.need(_ROW_H * 3)
    top = start_block()
    for cells in rows:
        if w.y + _ROW_H * 2 > w.bottom:  # this row and the total would not fit
            _close_table(w.c, columns, top, w.y)
            w.new_page()
            top = start_block()
        _draw_row(w.c, w.y, cells, columns, f.regular, None)
        w.y += _ROW_H
    _draw_row(w.c, w.y, total, columns, f.bold, 0.92)
    w.y += _ROW_H
    _close_table(w.c, columns, top, w.y)
    w.y += 1


def _draw_notes(w: _Writer, sheet: DeliverySheet, lang: str) -> None:
    f = render.fonts()
    notes = [] if sheet.forwarding else [text("sheet.petitions_note", lang)]
    late = sum(1 for i in sheet.item_ids if i in sheet.late_ids)
    if late:
        assert sheet.deadline is not None  # checked by DeliverySheet
        key = "sheet.late_one" if late == 1 else "sheet.late_many"
        notes.append(text(key, lang, count=late, deadline=format_date(sheet.deadline, lang)))
    for note in notes:
        lines = render.wrap_text(note, f.regular, 7.5, RIGHT - LEFT)
        w.need(len(lines) * 3.4 + 1)
        w.c.setFillGray(0.2)
        w.y = render.draw_lines(w.c, PAGE_H, lines, LEFT, w.y, f.regular, 7.5, 1.2) + 0.8
        w.c.setFillGray(0)
    w.y += 6


def _close_table(c: Canvas, columns: Sequence[_Column], top: float, bottom: float) -> None:
    render.draw_box(c, PAGE_H, Box(LEFT, top, RIGHT - LEFT, bottom - top), 0.8)
    x = LEFT
    for _, width in columns[:-1]:
        x += width
        render.vline(c, PAGE_H, x, top, bottom, 0.4)


def _draw_receipt(c: Canvas, lang: str) -> None:
    """The receipt box at its fixed place on page 1."""
    f, box = render.fonts(), RECEIPT_BOX
    render.draw_box(c, PAGE_H, box, 1.0)
    for mark in RECEIPT_MARKS:
        c.rect(mark.x * mm, (PAGE_H - mark.bottom) * mm, mark.w * mm, mark.h * mm,
               stroke=0, fill=1)
    render.draw_lines(c, PAGE_H, [text("sheet.receipt", lang)], SIGNATURE_CELL.x, box.y + 1.5,
                      f.bold, 10)
    label_top = RECEIVER_FIELD.bottom - 5.5
    render.draw_lines(c, PAGE_H, [text("sheet.received_by", lang)], SIGNATURE_CELL.x,
                      label_top, f.regular, 9)
    render.hline(c, PAGE_H, RECEIVER_FIELD.x, RECEIVER_FIELD.right, RECEIVER_FIELD.bottom,
                 0.4, 0.5)
    render.draw_lines(c, PAGE_H, [text("sheet.received_on", lang)], RECEIVER_FIELD.right + 5,
                      label_top, f.regular, 9)
    render.hline(c, PAGE_H, DATE_FIELD.x, DATE_FIELD.right, DATE_FIELD.bottom, 0.4, 0.5)
    for label, cell in ((text("sheet.signature", lang), SIGNATURE_CELL),
                        (text("sheet.stamp", lang), STAMP_CELL)):
        render.draw_box(c, PAGE_H, cell, 0.6, 0.4)
        c.setFillGray(0.4)
        render.draw_lines(c, PAGE_H, [label], cell.x + 1.5, cell.y + 1.2, f.regular, 7.5)
        c.setFillGray(0)


def _draw_items(w: _Writer, sheet: DeliverySheet, lang: str) -> None:
    f, c = render.fonts(), w.c
    items = [i + _LATE_MARK if i in sheet.late_ids else i for i in sheet.item_ids]
    width = RIGHT - LEFT
    widest = max((render.string_mm(i, f.regular, _ITEM_SIZE) for i in items), default=10.0)
    column_w = min(width, widest + 5)
    columns = max(1, min(6, int(width // column_w)))
    column_w = width / columns
    w.need(20)
    render.draw_lines(c, PAGE_H, [text("sheet.items", lang, count=len(items))], LEFT, w.y,
                      f.bold, 10)
    w.y += 7
    start = 0
    while start < len(items):
        w.need(_ITEM_LEADING * 2)
        per_column = int((w.bottom - w.y) // _ITEM_LEADING)
        block = items[start:start + per_column * columns]
        # Column-major: the list reads down each column, as people scan a printed list.
        rows = -(-len(block) // columns)
        c.setFont(f.regular, _ITEM_SIZE)
        for k, item in enumerate(block):
            col, row = divmod(k, rows)
            c.drawString((LEFT + col * column_w) * mm,
                         render.baseline(PAGE_H, w.y + row * _ITEM_LEADING, _ITEM_SIZE * 0.8),
                         item)
        start += len(block)
        w.y += rows * _ITEM_LEADING
        if start < len(items):
            w.y = w.bottom  # the next block starts on a new page


def render_delivery_sheet(sheet: DeliverySheet, lang: str = "fr") -> bytes:
    """The delivery sheet (or forwarding manifest) as A4 PDF bytes; several pages when
    the table or the item list is long, the receipt box always at the foot of page 1."""
    title = _title(sheet, lang)  # fails early, naming the known languages
    out = io.BytesIO()
    footer = f"{sheet.campaign_id} · {sheet.destination} · {format_date(sheet.issued_on, lang)}"
    if sheet.bundle_ref:
        footer += f" · {bundle_title(sheet.bundle_ref, lang)}"
    canvas = _NumberedCanvas(out, pagesize=(PAGE_W * mm, PAGE_H * mm), invariant=1,
                             pageCompression=1, footer=footer, lang=lang)
    canvas.setTitle(f"{title} — {sheet.destination}")
    canvas.setCreator("scanpipe")
    w = _Writer(canvas, sheet, lang)
    _draw_header(w, sheet, lang)
    _draw_table(w, sheet, lang)
    _draw_notes(w, sheet, lang)
    if sheet.item_ids:
        _draw_items(w, sheet, lang)
    w.end_page()
    canvas.showPage()
    canvas.save()
    return out.getvalue()
