"""The delivery sheet handed over with a bundle (e.g. to an embassy).

Page 1 carries the recipient, a table of counts per case with a total, the
bundle's QR code and a box for the receiver's name, signature and stamp; an
appendix lists every item id over as many pages as needed. All wording and
numbers are drawn as text, so they can be extracted from the PDF and checked
against the ledger.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from scanpipe import render
from scanpipe.i18n import format_date, text
from scanpipe.render import Box

PAGE_W, PAGE_H = 210.0, 297.0
LEFT, RIGHT = 15.0, 195.0
CONTENT_BOTTOM = 280.0  # the footer with the page number lives below this line
BUNDLE_QR_ZONE = Box(197.0 - 24.6, 10.0, 24.6, 24.6)
BUNDLE_MODULE_MM = 0.6
_COLUMNS = (("sheet.col_case", 24.0), ("sheet.col_person", 66.0), ("sheet.col_letters", 22.0),
            ("sheet.col_postcards", 22.0), ("sheet.col_petitions", 22.0),
            ("sheet.col_signatures", 24.0))
_ROW_H = 7.0
_ITEM_LEADING = 4.2
_ITEM_SIZE = 8.0


@dataclass(frozen=True)
class SheetLine:
    """One case on a delivery sheet."""

    case: str
    person: str
    letters: int
    postcards: int
    petitions: int   # petition sheets
    signatures: int | None  # None: not counted (printed as a dash, never as 0)


@dataclass(frozen=True)
class DeliverySheet:
    """Everything printed on one delivery sheet."""

    campaign_id: str
    campaign_name: str
    office: str
    destination: str          # e.g. "embassy:GT"
    recipient_name: str
    recipient_address: str
    issued_on: datetime.date
    lines: tuple[SheetLine, ...]
    item_ids: tuple[str, ...]  # printed ids of the pieces in this delivery
    bundle_code: str | None = None   # QR text of the bundle, when there is one

    @property
    def totals(self) -> tuple[int, int, int, int | None]:
        """(letters, postcards, petition sheets, signatures) over all lines.

        The signature total is None unless every line's signatures were counted.
        """
        signatures = [x.signatures for x in self.lines]
        counted = None if any(n is None for n in signatures) else sum(signatures)
        return (sum(x.letters for x in self.lines), sum(x.postcards for x in self.lines),
                sum(x.petitions for x in self.lines), counted)


class _NumberedCanvas(Canvas):
    """A canvas that writes "page X / Y" once it knows Y (reportlab's two-pass recipe)."""

    def __init__(self, *args, footer: str, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._lang = lang
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
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
    """Keeps the vertical position and starts new pages when the content runs out."""

    def __init__(self, canvas: _NumberedCanvas):
        self.c = canvas
        self.y = 15.0

    def need(self, height: float) -> bool:
        """Start a new page unless `height` mm still fit; True when a page was started."""
        if self.y + height <= CONTENT_BOTTOM:
            return False
        self.c.showPage()
        self.y = 15.0
        return True


def _draw_header(w: _Writer, sheet: DeliverySheet, lang: str) -> None:
    c, f = w.c, render.fonts()
    render.draw_lines(c, PAGE_H, [text("sheet.title", lang)], LEFT, 10, f.bold, 16)
    render.draw_text(c, PAGE_H, sheet.office, LEFT, 19.5, 150, f.bold, 10)
    render.draw_text(c, PAGE_H, text("sheet.campaign", lang, name=sheet.campaign_name,
                                     id=sheet.campaign_id), LEFT, 24.5, 150, f.regular, 9)
    render.draw_lines(c, PAGE_H, [text("sheet.date", lang,
                                       date=format_date(sheet.issued_on, lang))],
                      LEFT, 29, f.regular, 9)
    if sheet.bundle_code:
        box = render.draw_qr_in(c, PAGE_H, sheet.bundle_code, BUNDLE_QR_ZONE, BUNDLE_MODULE_MM)
        c.setFont(f.regular, 5.5)
        c.drawRightString(box.right * mm, render.baseline(PAGE_H, box.bottom + 0.3, 5.5),
                          sheet.bundle_code)
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


def _draw_row(c: Canvas, y: float, cells: tuple[str, ...], font: str, fill: float | None) -> None:
    if fill is not None:
        c.setFillGray(fill)
        c.rect(LEFT * mm, (PAGE_H - y - _ROW_H) * mm, (RIGHT - LEFT) * mm, _ROW_H * mm,
               stroke=0, fill=1)
        c.setFillGray(0)
    x = LEFT
    for i, (cell, (_, width)) in enumerate(zip(cells, _COLUMNS)):
        size = 9.0
        while size > 6 and render.string_mm(cell, font, size) > width - 3:
            size -= 0.5
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


def _draw_table(w: _Writer, sheet: DeliverySheet, lang: str) -> None:
    f = render.fonts()
    header = tuple(text(key, lang) for key, _ in _COLUMNS)
    rows = [(x.case, x.person, str(x.letters), str(x.postcards), str(x.petitions),
             _count(x.signatures)) for x in sheet.lines]
    total = (text("sheet.total", lang), "", *(_count(n) for n in sheet.totals))

    def start_block() -> float:
        render.hline(w.c, PAGE_H, LEFT, RIGHT, w.y, 0.8)
        _draw_row(w.c, w.y, header, f.bold, 0.85)
        w.y += _ROW_H
        return w.y - _ROW_H

    top = start_block()
    for cells in rows:
        if w.need(_ROW_H * 2):
            _close_table(w.c, top, w.y)
            top = start_block()
        _draw_row(w.c, w.y, cells, f.regular, None)
        w.y += _ROW_H
    _draw_row(w.c, w.y, total, f.bold, 0.92)
    w.y += _ROW_H
    _close_table(w.c, top, w.y)
    w.c.setFillGray(0.35)
    render.draw_lines(w.c, PAGE_H, [text("sheet.petitions_note", lang)], LEFT, w.y + 1,
                      f.regular, 7)
    w.c.setFillGray(0)
    w.y += 8


def _close_table(c: Canvas, top: float, bottom: float) -> None:
    render.draw_box(c, PAGE_H, Box(LEFT, top, RIGHT - LEFT, bottom - top), 0.8)
    x = LEFT
    for _, width in _COLUMNS[:-1]:
        x += width
        render.vline(c, PAGE_H, x, top, bottom, 0.4)


def _draw_receipt(w: _Writer, lang: str) -> None:
    f, c = render.fonts(), w.c
    height = 48.0
    w.need(height)
    box = Box(LEFT, w.y, RIGHT - LEFT, height)
    render.draw_box(c, PAGE_H, box, 1.0)
    render.draw_lines(c, PAGE_H, [text("sheet.receipt", lang)], box.x + 3, box.y + 2.5, f.bold, 10)
    render.draw_lines(c, PAGE_H, [text("sheet.received_by", lang)], box.x + 3, box.y + 10,
                      f.regular, 9)
    render.hline(c, PAGE_H, box.x + 40, box.x + 110, box.y + 14.5, 0.4, 0.5)
    render.draw_lines(c, PAGE_H, [text("sheet.received_on", lang)], box.x + 115, box.y + 10,
                      f.regular, 9)
    render.hline(c, PAGE_H, box.x + 130, box.right - 3, box.y + 14.5, 0.4, 0.5)
    for label, cell in ((text("sheet.signature", lang), Box(box.x + 3, box.y + 19, 85, 26)),
                        (text("sheet.stamp", lang), Box(box.x + 92, box.y + 19, 85, 26))):
        render.draw_box(c, PAGE_H, cell, 0.6, 0.4)
        c.setFillGray(0.4)
        render.draw_lines(c, PAGE_H, [label], cell.x + 1.5, cell.y + 1.2, f.regular, 7.5)
        c.setFillGray(0)
    w.y = box.bottom + 7


def _draw_items(w: _Writer, items: tuple[str, ...], lang: str) -> None:
    f, c = render.fonts(), w.c
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
        per_column = int((CONTENT_BOTTOM - w.y) // _ITEM_LEADING)
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
            w.y = CONTENT_BOTTOM  # the next block starts on a new page


def render_delivery_sheet(sheet: DeliverySheet, lang: str = "fr") -> bytes:
    """The delivery sheet as A4 PDF bytes (several pages when the item list is long)."""
    text("sheet.title", lang)  # fails early, naming the known languages
    out = io.BytesIO()
    footer = f"{sheet.campaign_id} · {sheet.destination} · {format_date(sheet.issued_on, lang)}"
    canvas = _NumberedCanvas(out, pagesize=(PAGE_W * mm, PAGE_H * mm), invariant=1,
                             pageCompression=1, footer=footer, lang=lang)
    canvas.setTitle(f"{text('sheet.title', lang)} — {sheet.destination}")
    canvas.setCreator("scanpipe")
    w = _Writer(canvas)
    _draw_header(w, sheet, lang)
    _draw_table(w, sheet, lang)
    _draw_receipt(w, lang)
    if sheet.item_ids:
        _draw_items(w, sheet.item_ids, lang)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
