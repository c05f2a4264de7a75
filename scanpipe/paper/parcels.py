"""The address labels of the parcels that take kits to the schools, groups and persons who
ordered them: one label per order, on A4 sheets of 2 × 4 self-adhesive labels (99.1 × 67.7 mm,
like L7165), each in its order's language.

A label names the orderer (name, the contact to write to, the postal address), the sender, and
the order with its kit serials, so a parcel's content can be checked against the ledger. Every
word is drawn as text (it can be extracted from the PDF); nothing is read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from scanpipe.domain.campaign import Campaign
from scanpipe.domain.i18n import text
from scanpipe.paper import render
from scanpipe.paper.kits import LabelSheet
from scanpipe.paper.render import Box

PARCEL_SHEET = LabelSheet(rows=4, label_h=67.7, top=13.1, pitch_y=67.7)
_PAD = 5.0


@dataclass(frozen=True)
class ParcelLabel:
    """Everything printed on the parcel label of one order."""

    reference: str
    name: str
    contact: str
    address: str  # lines joined by "\n"
    kits: int
    serials: str  # the kit serials in the parcel, e.g. "000013–000024"
    lang: str


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _draw(c: Canvas, campaign: Campaign, label: ParcelLabel, box: Box) -> None:
    f, h = render.fonts(), PARCEL_SHEET.page_h
    inner = box.w - 2 * _PAD
    left = box.x + _PAD
    sender = text("parcel.sender", label.lang, name=campaign.office)
    c.setFillGray(0.35)
    size = render.fit_line(sender, f.regular, (7, 6.5, 6, 5.5, 5), inner)
    render.draw_lines(c, h, render.wrap_text(sender, f.regular, size, inner)[:1], left, box.y + 4,
                      f.regular, size)
    c.setFillGray(0)
    size = render.fit_line(label.name, f.bold, (13, 12, 11, 10, 9, 8), inner)
    name_lines = render.wrap_text(label.name, f.bold, size, inner)[:2]
    y = render.draw_lines(c, h, name_lines, left, box.y + 11, f.bold, size, 1.15)
    lines = [] if _same_person(label.contact, label.name) else [
        text("parcel.attention", label.lang, person=label.contact)]
    lines += label.address.splitlines()
    size, fitted = render.fit_text("\n".join(lines), f.regular, (11, 10, 9, 8, 7),
                                   Box(left, y + 1.5, inner, box.bottom - 11 - (y + 1.5)), 1.2)
    render.draw_lines(c, h, fitted, left, y + 1.5, f.regular, size, 1.2)
    key = "parcel.order_one" if label.kits == 1 else "parcel.order_many"
    order = text(key, label.lang, id=label.reference, count=label.kits, serial=label.serials)
    c.setFillGray(0.35)
    size = render.fit_line(order, f.regular, (8, 7.5, 7, 6.5, 6, 5.5), inner)
    render.draw_lines(c, h, render.wrap_text(order, f.regular, size, inner)[:1], left,
                      box.bottom - 8, f.regular, size)
    c.setFillGray(0)


def render_parcel_labels(campaign: Campaign, labels: Sequence[ParcelLabel]) -> bytes:
    """A4 sheets of parcel address labels, one per order, in the order given."""
    if not labels:
        raise ValueError("no parcel label to print")
    sheet = PARCEL_SHEET
    c, out = render.new_canvas(sheet.page_w, sheet.page_h, f"{campaign.name} — parcels")
    page = 0
    for i, label in enumerate(labels):
        label_page, box = sheet.label_box(i)
        if label_page != page:
            c.showPage()
            page = label_page
        render.draw_box(c, sheet.page_h, box, 0.25, 0.8)  # for plain paper; die-cut sheets ignore it
        _draw(c, campaign, label, box)
    c.showPage()
    c.save()
    return out.getvalue()
