"""The label stuck on a closed bundle: which bundle, for whom, how many pieces.

An A6 portrait page (105 × 148 mm), to print on a label printer or cut from
A4. The bundle number is printed very large (it is what people call a bundle
by) above a large QR code (kind B, the same text as on the bundle's delivery
sheet) that a hand scanner reads from a metre away. It travels with the bundle, so it
says nothing internal (no destination code, no late pieces: the office's copy has them)
and speaks the recipient's language. Every word and number is drawn as text, so it can
be extracted from the PDF.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from scanpipe.domain.i18n import format_date, text
from scanpipe.paper import render
from scanpipe.paper.render import Box
from scanpipe.paper.sheets import Paper, SheetLine, bundle_title, check_kinds

LABEL_W, LABEL_H = 105.0, 148.0
MARGIN = 6.0
QR_ZONE = Box(MARGIN, 29.0, LABEL_W - 2 * MARGIN, 56.0)
QR_MODULE_RANGE = (0.6, 2.0)   # mm: at least readable from a desk, at most what the zone holds


@dataclass(frozen=True)
class BundleLabel:
    """Everything printed on one bundle label."""

    campaign_name: str
    bundle_ref: str           # the bundle number as printed, e.g. "12"
    bundle_code: str          # QR text, kind B
    recipient_name: str
    letters: int              # to the authority
    postcards: int
    petitions: int            # petition sheets
    signatures: int | None    # None: not all counted (printed as a dash, never as 0)
    issued_on: datetime.date
    paper: Paper = Paper.EMBASSY  # the paper it goes with, which says what it may count
    solidarity_letters: int = 0  # letters to the person: with the postcards only

    def __post_init__(self) -> None:
        # A label counts only the kinds its recipient may receive: refuse a piece that would
        # not be counted on it.
        check_kinds(self.paper, (SheetLine("", "", "", self.letters, self.postcards,
                                           self.petitions, self.signatures,
                                           self.solidarity_letters),))

    @property
    def forwarding(self) -> bool:
        return self.paper is not Paper.EMBASSY


def qr_module_mm(code_text: str) -> float:
    """The module size of the label's QR: as large as the zone allows."""
    modules = len(render.qr_matrix(code_text)) + 2 * render.QUIET_ZONE_MODULES
    fitted = min(QR_ZONE.w, QR_ZONE.h) / modules
    low, high = QR_MODULE_RANGE
    return max(low, min(high, int(fitted * 20) / 20))  # a round 0.05 mm: crisp at 600 dpi


def _draw_counts(c: Canvas, label: BundleLabel, lang: str, top: float) -> None:
    f = render.fonts()
    if label.forwarding:
        cells = [("sheet.col_postcards", str(label.postcards)),
                 ("sheet.col_solidarity", str(label.solidarity_letters))]
    else:
        cells = [("sheet.col_letters", str(label.letters)),
                 ("sheet.col_postcards", str(label.postcards)),
                 ("sheet.col_petitions", str(label.petitions)),
                 ("sheet.col_signatures",
                  "—" if label.signatures is None else str(label.signatures))]
    width = (LABEL_W - 2 * MARGIN) / len(cells)
    for i, (key, value) in enumerate(cells):
        x = MARGIN + i * width
        box = Box(x, top, width, 17.0)
        render.draw_box(c, LABEL_H, box, 0.5, 0.3)
        name = text(key, lang)
        size = render.fit_line(name, f.regular, (7.5, 7, 6.5, 6, 5.5, 5), width - 2)
        c.setFillGray(0.3)
        render.draw_lines(c, LABEL_H, [name], x + 1, top + 1.2, f.regular, size)
        c.setFillGray(0)
        size = render.fit_line(value, f.bold, (18, 16, 14, 12, 10, 8), width - 2)
        c.setFont(f.bold, size)
        c.drawCentredString((x + width / 2) * mm, (LABEL_H - box.bottom + 2.5) * mm, value)


def render_bundle_label(label: BundleLabel, lang: str = "fr") -> bytes:
    """The bundle label as a one-page A6 portrait PDF."""
    heading = text({Paper.EMBASSY: "label.delivery", Paper.FORWARDING: "label.forwarding",
                    Paper.COVER: "label.cover"}[label.paper], lang)
    f = render.fonts()
    inner = LABEL_W - 2 * MARGIN
    c, out = render.new_canvas(LABEL_W, LABEL_H, f"{heading} — {label.bundle_ref}")

    c.setFillGray(0.3)
    render.draw_lines(c, LABEL_H, [heading], MARGIN, 5.0, f.regular, 9)
    c.setFillGray(0)
    title = bundle_title(label.bundle_ref, lang)
    size = render.fit_line(title, f.bold, (40, 36, 32, 28, 24, 20, 16, 12), inner)
    title_box = Box(MARGIN, 10.0, inner, 18.0)
    size, lines = render.fit_text(title, f.bold, (size,), title_box, 1.05)
    render.draw_lines(c, LABEL_H, lines, MARGIN, title_box.y + (18.0 - size / mm * 1.1) / 2,
                      f.bold, size)

    module = qr_module_mm(label.bundle_code)
    side = render.qr_size_mm(label.bundle_code, module)
    qr = Box(LABEL_W / 2 - side / 2, QR_ZONE.y + (QR_ZONE.h - side) / 2, side, side)
    render.draw_qr(c, label.bundle_code, qr.x, LABEL_H - qr.bottom, module)

    c.setFillGray(0.3)
    render.draw_lines(c, LABEL_H, [text("sheet.recipient", lang)], MARGIN, 86.5, f.regular, 8)
    c.setFillGray(0)
    size, lines = render.fit_text(label.recipient_name, f.bold, (14, 12, 11, 10, 9, 8, 7, 6),
                                  Box(MARGIN, 90.5, inner, 14.5), 1.15)
    render.draw_lines(c, LABEL_H, lines, MARGIN, 90.5, f.bold, size, 1.15)

    _draw_counts(c, label, lang, 106.0)
    c.setFillGray(0.3)
    campaign = text("sheet.campaign", lang, name=label.campaign_name)
    size, lines = render.fit_text(campaign, f.regular, (7.5, 7, 6.5, 6), Box(MARGIN, 132.0,
                                                                               inner, 6.0), 1.15)
    render.draw_lines(c, LABEL_H, lines, MARGIN, 132.0, f.regular, size, 1.15)
    render.draw_lines(c, LABEL_H, [text("sheet.date", lang,
                                        date=format_date(label.issued_on, lang))],
                      MARGIN, 139.5, f.regular, 7.5)
    c.setFillGray(0)
    c.showPage()
    c.save()
    return out.getvalue()
