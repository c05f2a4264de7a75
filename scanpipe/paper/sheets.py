"""The paper handed over with a bundle, in its recipient's language: an embassy's
delivery sheet, a forwarder's manifest, or a plain cover list.

- **An embassy's delivery sheet** (`Paper.EMBASSY`): the letters to the authority and the
  petition sheets of each case (person, country) with their signatures, a total, a line
  for who hands the bundle over, and the receipt box the embassy signs and stamps.
- **A forwarding manifest** (`Paper.FORWARDING`): postcards and letters of solidarity for
  the partner office or the family contact who forwards them, with the same receipt box.
- **A cover list** (`Paper.COVER`): the same table, sent to the person's own address when
  nobody forwards the cards; it names no addressee and asks nobody to sign.

Nothing internal is printed: no item ids, no late pieces, no destination codes, no QR text,
no operator; those are on the office's copy (`scanpipe.paper.office_copy`). A sheet is a
summary per case, so a bundle of thousands of letters takes one page.

Page 1 carries the bundle's QR code (kind B) and, at a fixed place at the bottom, the
receipt box; a table too long for page 1 continues on pages that carry the appendix QR
(kind A) in the same corner, so that every page of a returned sheet is recognised. All
wording and numbers are text, so they can be extracted from the PDF and checked.

The receipt box never moves (`RECEIPT_BOX`, `SIGNATURE_CELL`, `STAMP_CELL`, `RECEIPT_MARKS`):
`scanpipe.reading.receipts` finds it on a scan from the QR's corners and the four solid
marks at its corners. The hander's line (`HANDOVER_BOX`) sits above it, outside the cells
whose ink says "received".
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from scanpipe.domain.i18n import counted, format_date, text
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
# Who hands the bundle over: a name and a signature line, above the receipt box.
HANDOVER_BOX = Box(LEFT, 204.0, RIGHT - LEFT, 12.0)
HANDER_FIELD = Box(70.0, 206.5, 52.0, 7.0)
HANDER_SIGNATURE_FIELD = Box(152.0, 206.5, 36.0, 7.0)


class Paper(StrEnum):
    """Which paper goes with a bundle: it follows from where the bundle goes."""

    EMBASSY = "embassy"        # letters to the authority and petition sheets, against a receipt
    FORWARDING = "forwarding"  # postcards and letters of solidarity, to who forwards them
    COVER = "cover"            # the same, to the person: a plain list, no receipt asked

    @property
    def asks_receipt(self) -> bool:
        return self is not Paper.COVER


_Column = tuple[str, float]  # the i18n key of its heading, its width in mm
_EMBASSY_COLUMNS: tuple[_Column, ...] = (
    ("sheet.col_person", 56.0), ("sheet.col_country", 28.0), ("sheet.col_letters", 20.0),
    ("sheet.col_postcards", 20.0), ("sheet.col_petitions", 30.0), ("sheet.col_signatures", 26.0))
_FORWARDING_COLUMNS: tuple[_Column, ...] = (
    ("sheet.col_person", 64.0), ("sheet.col_country", 34.0), ("sheet.col_postcards", 22.0),
    ("sheet.col_solidarity", 38.0), ("sheet.col_total", 22.0))
TEXT_COLUMNS = 2  # the first columns hold words (left-aligned), the others counts
_ROW_H = 7.0
_HEAD_H = 10.0
_CELL_SIZES = (9.0, 8.5, 8.0, 7.5, 7.0)  # a table cell shrinks to fit its column …
_CELL_WRAP_SIZES = (7.0, 6.5, 6.0)        # … then takes two lines
HEAD_WRAP_SIZES = (8.5, 8.0, 7.5, 7.0, 6.5)  # a heading's two lines, in its taller row
_REF_SIZES = tuple(float(n) for n in range(20, 9, -1))  # the bundle number beside the title


@dataclass(frozen=True)
class SheetLine:
    """One case on a bundle's papers."""

    case: str        # the campaign's code: on the office's copy only
    person: str
    country: str
    letters: int     # to the authority
    postcards: int
    petitions: int   # petition sheets
    signatures: int | None  # None: not counted (printed as a dash, never as 0)
    solidarity_letters: int = 0  # letters to the person: forwarded with the postcards


def totals_of(lines: Sequence[SheetLine]) -> tuple[int, int, int, int | None, int]:
    """(letters, postcards, petition sheets, signatures, letters to the person) over `lines`.

    The signature total is None unless every line with petition sheets was counted.
    """
    signed = [x.signatures for x in lines if x.petitions]
    signatures = None if any(s is None for s in signed) else sum(s or 0 for s in signed)
    return (sum(x.letters for x in lines), sum(x.postcards for x in lines),
            sum(x.petitions for x in lines), signatures, sum(x.solidarity_letters for x in lines))


def check_kinds(paper: Paper, lines: Sequence[SheetLine]) -> None:
    """Each paper shows only the kinds its recipient may receive, so a piece of another kind
    would vanish from it: refuse it instead (ValueError)."""
    letters, _, petitions, _, solidarity = totals_of(lines)
    if paper is not Paper.EMBASSY and (letters or petitions):
        raise ValueError("a forwarding manifest cannot list letters to the authority or "
                         "petition sheets: they go to the embassy")
    if paper is Paper.EMBASSY and solidarity:
        raise ValueError("an embassy's delivery sheet cannot list letters to the person: "
                         "they are forwarded with the postcards")


@dataclass(frozen=True)
class DeliverySheet:
    """Everything printed on the paper a bundle's recipient receives."""

    paper: Paper
    campaign_name: str
    office: str
    recipient_name: str       # not printed on a cover list
    recipient_address: str
    issued_on: datetime.date
    lines: tuple[SheetLine, ...]
    bundle_ref: str | None = None     # the bundle number as printed, e.g. "12"
    bundle_code: str | None = None    # QR text of the bundle (kind B), page 1 only
    appendix_code: str | None = None  # QR text of kind A, on every page after the first
    handed_by: str | None = None      # who hands it over; None: a line to write on

    def __post_init__(self) -> None:
        check_kinds(self.paper, self.lines)

    @property
    def totals(self) -> tuple[int, int, int, int | None, int]:
        return totals_of(self.lines)


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


def in_all(lines: Sequence[SheetLine], paper: Paper, lang: str) -> str:
    """The total in words, each count agreeing with its noun: « Au total : 1 lettre,
    0 carte, 2 feuilles de pétition, 31 signatures. »"""
    letters, postcards, petitions, signatures, solidarity = totals_of(lines)
    if paper is Paper.EMBASSY:
        parts = [counted("letter", letters, lang), counted("postcard", postcards, lang),
                 counted("petition_sheet", petitions, lang)]
        if petitions:
            parts.append(text("sheet.signatures_uncounted", lang) if signatures is None
                         else counted("signature", signatures, lang))
    else:
        parts = [counted("postcard", postcards, lang),
                 counted("solidarity_letter", solidarity, lang)]
    return f"{text('sheet.in_all', lang)} {', '.join(parts)}."


class NumberedCanvas(render.ShapingCanvas):  # draws every script (render.py)
    """A canvas that writes a footer and "page X / Y" once it knows Y (reportlab's
    two-pass recipe)."""

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
            self.setFillGray(0.3)
            size, lines = render.fit_text(self._footer, f.regular, (7.5, 7, 6.5),
                                          Box(LEFT, 285.5, RIGHT - LEFT - 25, 4))
            render.draw_lines(self, PAGE_H, lines[:1], LEFT, 285.5, f.regular, size)
            self.setFont(f.regular, 7.5)
            self.drawRightString(RIGHT * mm, render.baseline(PAGE_H, 285.5, 7.5),
                                 text("sheet.page", self._lang, page=number, pages=total))
            Canvas.showPage(self)
        Canvas.save(self)


def new_document(title: str, footer: str, lang: str) -> tuple[NumberedCanvas, io.BytesIO]:
    """An A4 canvas with its footer, for the bundle papers."""
    out = io.BytesIO()
    canvas = NumberedCanvas(out, pagesize=(PAGE_W * mm, PAGE_H * mm), invariant=1,
                            pageCompression=1, footer=footer, lang=lang)
    canvas.setTitle(title)
    canvas.setCreator("scanpipe")
    return canvas, out


# ------------------------------------------------------------------ tables

def draw_cell(c: Canvas, cell: str, box: Box, font: str, *, right: bool,
              wrap_sizes: tuple[float, ...] = _CELL_WRAP_SIZES) -> None:
    """`cell` in `box`: one line shrunk to fit, else two small lines (cut with "…")."""
    inner = Box(box.x + 1.5, box.y + 0.4, box.w - 3, box.h - 0.8)
    # One line while it stays as large as the wrapped lines would be.
    size = render.fit_line(cell, font, [x for x in _CELL_SIZES if x >= wrap_sizes[0]], inner.w)
    if render.string_mm(cell, font, size) <= inner.w:
        c.setFont(font, size)
        base = (PAGE_H - box.y - box.h / 2) * mm - 0.36 * size  # cap height centred in the row
        if right:
            c.drawRightString(inner.right * mm, base, cell)
        else:
            c.drawString(inner.x * mm, base, cell)
        return
    size, lines = render.fit_text(cell, font, wrap_sizes, inner, 1.1)
    top = box.y + (box.h - len(lines) * size * 1.1 / mm) / 2
    render.draw_lines(c, PAGE_H, lines, inner.x, top, font, size, 1.1)


def draw_row(c: Canvas, y: float, height: float, cells: Sequence[str],
             columns: Sequence[_Column], font: str, fill: float | None,
             wrap_sizes: tuple[float, ...] = _CELL_WRAP_SIZES) -> None:
    """One table row from `y` mm, `height` high; the first `TEXT_COLUMNS` left-aligned."""
    if fill is not None:
        c.setFillGray(fill)
        c.rect(LEFT * mm, (PAGE_H - y - height) * mm, (RIGHT - LEFT) * mm, height * mm,
               stroke=0, fill=1)
        c.setFillGray(0)
    x = LEFT
    for i, (cell, (_, width)) in enumerate(zip(cells, columns)):
        draw_cell(c, cell, Box(x, y, width, height), font, right=i >= TEXT_COLUMNS,
                  wrap_sizes=wrap_sizes)
        x += width
    render.hline(c, PAGE_H, LEFT, RIGHT, y + height, 0.4)


def close_table(c: Canvas, columns: Sequence[_Column], top: float, bottom: float) -> None:
    render.draw_box(c, PAGE_H, Box(LEFT, top, RIGHT - LEFT, bottom - top), 0.8)
    x = LEFT
    for _, width in columns[:-1]:
        x += width
        render.vline(c, PAGE_H, x, top, bottom, 0.4)


def count_text(value: int | None) -> str:
    return "—" if value is None else str(value)


def _table(sheet: DeliverySheet, lang: str) -> tuple[tuple[_Column, ...], list[tuple[str, ...]],
                                                     tuple[str, ...]]:
    """(columns, rows, total row) of the sheet's kind."""
    letters, postcards, petitions, signatures, solidarity = sheet.totals
    total = text("sheet.total", lang)
    rows: list[tuple[str, ...]]
    if sheet.paper is Paper.EMBASSY:
        rows = [(x.person, x.country, str(x.letters), str(x.postcards), str(x.petitions),
                 count_text(x.signatures) if x.petitions else "0") for x in sheet.lines]
        return _EMBASSY_COLUMNS, rows, (total, "", str(letters), str(postcards), str(petitions),
                                        count_text(signatures))
    rows = [(x.person, x.country, str(x.postcards), str(x.solidarity_letters),
             str(x.postcards + x.solidarity_letters)) for x in sheet.lines]
    return _FORWARDING_COLUMNS, rows, (total, "", str(postcards), str(solidarity),
                                       str(postcards + solidarity))


# ------------------------------------------------------------------ the pages

def _title(sheet: DeliverySheet, lang: str) -> str:
    return text({Paper.EMBASSY: "sheet.title", Paper.FORWARDING: "sheet.title_forwarding",
                 Paper.COVER: "sheet.title_cover"}[sheet.paper], lang)


class _Writer:
    """Keeps the vertical position and starts new pages when the content runs out.

    Page 1's content ends above the hander's line; further pages get their own heading
    and the appendix QR before any content.
    """

    def __init__(self, canvas: NumberedCanvas, sheet: DeliverySheet, lang: str):
        self.c = canvas
        self.sheet = sheet
        self.lang = lang
        self.y = 15.0
        self.bottom = HANDOVER_BOX.y - 4 if sheet.paper.asks_receipt else CONTENT_BOTTOM
        self.page = 1

    def new_page(self) -> None:
        self.end_page()
        self.c.showPage()
        self.page += 1
        self._continued_header()
        self.y = CONTINUED_TOP
        self.bottom = CONTENT_BOTTOM

    def end_page(self) -> None:
        """Page 1 gets its hander's line and receipt box last, so the PDF's text reads in
        page order."""
        if self.page == 1 and self.sheet.paper.asks_receipt:
            _draw_handover(self.c, self.sheet, self.lang)
            _draw_receipt(self.c, self.lang)

    def _continued_header(self) -> None:
        """A loose further page still says whose bundle it belongs to."""
        f, sheet = render.fonts(), self.sheet
        parts = [_title(sheet, self.lang)]
        if sheet.bundle_ref:
            parts.append(bundle_title(sheet.bundle_ref, self.lang))
        if sheet.paper.asks_receipt:
            parts.append(sheet.recipient_name)
        size, lines = render.fit_text(" · ".join(parts), f.bold, (11, 10, 9, 8),
                                      Box(LEFT, 12, BUNDLE_QR_ZONE.x - LEFT - 4, 18))
        render.draw_lines(self.c, PAGE_H, lines, LEFT, 12, f.bold, size)
        if sheet.appendix_code and sheet.paper.asks_receipt:
            render.draw_qr_in(self.c, PAGE_H, sheet.appendix_code, BUNDLE_QR_ZONE,
                              BUNDLE_MODULE_MM)


def _draw_header(w: _Writer, sheet: DeliverySheet, lang: str) -> None:
    c, f = w.c, render.fonts()
    title = _title(sheet, lang)
    render.draw_lines(c, PAGE_H, [title], LEFT, 10, f.bold, 16)
    with_code = sheet.bundle_code is not None and sheet.paper.asks_receipt
    qr_left = bundle_qr_box(sheet.bundle_code).x if with_code and sheet.bundle_code else RIGHT
    if sheet.bundle_ref and sheet.paper.asks_receipt:
        # Large, right-aligned against the QR: the number both sides call the bundle by.
        ref = bundle_title(sheet.bundle_ref, lang)
        room = qr_left - 4 - (LEFT + render.string_mm(title, f.bold, 16) + 6)
        size = render.fit_line(ref, f.bold, _REF_SIZES, room)
        c.setFont(f.bold, size)
        c.drawRightString((qr_left - 4) * mm, render.baseline(PAGE_H, 10, 16), ref)
    y = render.draw_text(c, PAGE_H, sheet.office, LEFT, 19.5, qr_left - LEFT - 6, f.bold, 10)
    y = render.draw_text(c, PAGE_H, text("sheet.campaign", lang, name=sheet.campaign_name),
                         LEFT, y + 0.5, qr_left - LEFT - 6, f.regular, 9)
    y = render.draw_lines(c, PAGE_H, [text("sheet.date", lang,
                                           date=format_date(sheet.issued_on, lang))],
                          LEFT, y + 0.5, f.regular, 9)
    if with_code and sheet.bundle_code:
        render.draw_qr_in(c, PAGE_H, sheet.bundle_code, BUNDLE_QR_ZONE, BUNDLE_MODULE_MM)
    y = max(y, BUNDLE_QR_ZONE.bottom) + 4
    if sheet.paper.asks_receipt:  # a cover list names no addressee
        c.setFillGray(0.35)
        render.draw_lines(c, PAGE_H, [text("sheet.recipient", lang)], LEFT, y, f.regular, 8)
        c.setFillGray(0)
        y = render.draw_text(c, PAGE_H, sheet.recipient_name, LEFT, y + 4, 150, f.bold, 11)
        address = "\n".join(x.strip() for x in sheet.recipient_address.strip().splitlines()
                            if x.strip())
        size, lines = render.fit_text(address, f.regular, (10, 9, 8), Box(LEFT, y + 1, 150, 22))
        y = render.draw_lines(c, PAGE_H, lines, LEFT, y + 1, f.regular, size, 1.2) + 5
    intro = {Paper.EMBASSY: "sheet.intro_embassy", Paper.FORWARDING: "sheet.intro_forwarding",
             Paper.COVER: "sheet.intro_cover"}[sheet.paper]
    w.y = render.draw_text(c, PAGE_H, text(intro, lang, name=sheet.campaign_name), LEFT, y,
                           RIGHT - LEFT, f.regular, 9.5) + 5


def _draw_table(w: _Writer, sheet: DeliverySheet, lang: str) -> None:
    f = render.fonts()
    columns, rows, total = _table(sheet, lang)
    header = tuple(text(key, lang) for key, _ in columns)

    def start_block() -> float:
        render.hline(w.c, PAGE_H, LEFT, RIGHT, w.y, 0.8)
        draw_row(w.c, w.y, _HEAD_H, header, columns, f.bold, 0.85, HEAD_WRAP_SIZES)
        w.y += _HEAD_H
        return w.y - _HEAD_H

    if w.y + _HEAD_H + _ROW_H * 2 > w.bottom:
        w.new_page()
    top = start_block()
    for cells in rows:
        if w.y + _ROW_H * 2 > w.bottom:  # this row and the total would not fit
            close_table(w.c, columns, top, w.y)
            w.new_page()
            top = start_block()
        draw_row(w.c, w.y, _ROW_H, cells, columns, f.regular, None)
        w.y += _ROW_H
    draw_row(w.c, w.y, _ROW_H, total, columns, f.bold, 0.92)
    w.y += _ROW_H
    close_table(w.c, columns, top, w.y)
    words = render.wrap_text(in_all(sheet.lines, sheet.paper, lang), f.regular, 9, RIGHT - LEFT)
    if w.y + 3 + len(words) * 4 > w.bottom:
        w.new_page()
    w.y = render.draw_lines(w.c, PAGE_H, words, LEFT, w.y + 3, f.regular, 9, 1.2)


def _write_on_line(c: Canvas, label: str, field: Box, label_x: float, value: str | None) -> None:
    """A label, a line to write on, and the value on it when it is known."""
    f = render.fonts()
    size = render.fit_line(label, f.regular, (9, 8.5, 8, 7.5, 7), field.x - 2 - label_x)
    render.draw_lines(c, PAGE_H, [label], label_x, field.bottom - 5.5, f.regular, size)
    render.hline(c, PAGE_H, field.x, field.right, field.bottom, 0.4, 0.5)
    if value:
        size, lines = render.fit_text(value, f.regular, (10, 9, 8, 7), Box(field.x + 1, 0, field.w - 2, 5))
        render.draw_lines(c, PAGE_H, lines[:1], field.x + 1, field.bottom - 1.2 - size / mm,
                          f.regular, size)


def _draw_handover(c: Canvas, sheet: DeliverySheet, lang: str) -> None:
    """Who hands the bundle over: a name (printed when known) and a signature line."""
    render.draw_box(c, PAGE_H, HANDOVER_BOX, 0.6, 0.4)
    _write_on_line(c, text("sheet.handed_by", lang), HANDER_FIELD, SIGNATURE_CELL.x,
                   sheet.handed_by)
    _write_on_line(c, text("sheet.handed_signature", lang), HANDER_SIGNATURE_FIELD,
                   HANDER_FIELD.right + 4, None)


def _draw_receipt(c: Canvas, lang: str) -> None:
    """The receipt box at its fixed place on page 1."""
    f, box = render.fonts(), RECEIPT_BOX
    render.draw_box(c, PAGE_H, box, 1.0)
    for mark in RECEIPT_MARKS:
        c.rect(mark.x * mm, (PAGE_H - mark.bottom) * mm, mark.w * mm, mark.h * mm,
               stroke=0, fill=1)
    render.draw_lines(c, PAGE_H, [text("sheet.receipt", lang)], SIGNATURE_CELL.x, box.y + 1.5,
                      f.bold, 10)
    _write_on_line(c, text("sheet.received_by", lang), RECEIVER_FIELD, SIGNATURE_CELL.x, None)
    _write_on_line(c, text("sheet.received_on", lang), DATE_FIELD, RECEIVER_FIELD.right + 5, None)
    for label, cell in ((text("sheet.signature", lang), SIGNATURE_CELL),
                        (text("sheet.stamp", lang), STAMP_CELL)):
        render.draw_box(c, PAGE_H, cell, 0.6, 0.4)
        c.setFillGray(0.4)
        render.draw_lines(c, PAGE_H, [label], cell.x + 1.5, cell.y + 1.2, f.regular, 7.5)
        c.setFillGray(0)


def render_delivery_sheet(sheet: DeliverySheet, lang: str = "fr") -> bytes:
    """The recipient's paper of a bundle as A4 PDF bytes: one page for any number of pieces
    of a dozen cases; the table continues on further pages when it is long, the receipt
    box (when one is asked) always at the foot of page 1."""
    title = _title(sheet, lang)  # fails early, naming the known languages
    parts = [sheet.campaign_name]
    if sheet.bundle_ref and sheet.paper.asks_receipt:
        parts.append(bundle_title(sheet.bundle_ref, lang))
    parts.append(format_date(sheet.issued_on, lang))
    shown_to = sheet.recipient_name if sheet.paper.asks_receipt else sheet.campaign_name
    canvas, out = new_document(f"{title} — {shown_to}", " · ".join(parts), lang)
    w = _Writer(canvas, sheet, lang)
    _draw_header(w, sheet, lang)
    _draw_table(w, sheet, lang)
    w.end_page()
    canvas.showPage()
    canvas.save()
    return out.getvalue()
