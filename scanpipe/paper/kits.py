"""Printable kit documents: letter sheets, postcards, petition sheets, envelope labels.

Every document is returned as PDF bytes. The geometry of each one (page size,
the zone reserved for its QR code, the space people write in) is exported as
frozen `DocumentLayout` values in mm from the page's top-left corner, so the
scan simulator writes where a person would and the pipeline knows where to look.
The QR code always sits in the top-right corner of its zone; the zone is big
enough for the largest payload (a version-4 symbol) and holds nothing but the QR
and its caption.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from scanpipe.domain.campaign import (
    Campaign,
    Case,
    PostcardRoute,
    check_language,
    kit_text,
    localized_case,
)
from scanpipe.domain.i18n import format_date
from scanpipe.domain.payload import Payload, PayloadKind, encode_payload, kit_payload
from scanpipe.paper import render
from scanpipe.paper.render import Box
from scanpipe.progress import Progress

A4 = (210.0, 297.0)
A6_LANDSCAPE = (148.0, 105.0)
FOREIGN_URL = "https://www.amnesty.be/marathon"
LETTER_MODULE_MM = 0.6
POSTCARD_MODULE_MM = 0.5


@dataclass(frozen=True)
class DocumentLayout:
    """Where things are on one page of a kit document (mm from the top-left)."""

    page_w: float
    page_h: float
    qr_zone: Box                  # reserved: the QR in its top-right corner, its caption under it
    qr_module_mm: float
    writing_box: Box | None       # where people write (None: nowhere)
    line_pitch_mm: float | None   # ruled lines at writing_box.y + k * pitch, k = 1, 2, …
    table: Box | None = None      # a ruled table's outer border, its header band included

    def qr_box(self, qr_text: str) -> Box:
        """The exact square the QR of `qr_text` covers, quiet zone included."""
        side = render.qr_size_mm(qr_text, self.qr_module_mm)
        return Box(self.qr_zone.right - side, self.qr_zone.y, side, side)

    def ruled_space(self) -> tuple[Box, float]:
        """The writing box and its line pitch (mm); only a layout people write on has them."""
        if self.writing_box is None or self.line_pitch_mm is None:
            raise ValueError("this layout has no ruled writing space")
        return self.writing_box, self.line_pitch_mm


def _zone(right: float, top: float, module_mm: float) -> Box:
    side = (render.MAX_QR_MODULES + 2 * render.QUIET_ZONE_MODULES) * module_mm
    return Box(right - side, top, side, side)


LETTER_LAYOUT = DocumentLayout(
    *A4, qr_zone=_zone(197.0, 10.0, LETTER_MODULE_MM), qr_module_mm=LETTER_MODULE_MM,
    writing_box=Box(15.0, 111.0, 180.0, 163.0), line_pitch_mm=8.0)
POSTCARD_MESSAGE_LAYOUT = DocumentLayout(
    *A6_LANDSCAPE, qr_zone=_zone(142.0, 6.0, POSTCARD_MODULE_MM), qr_module_mm=POSTCARD_MODULE_MM,
    writing_box=Box(6.0, 12.0, 66.0, 87.0), line_pitch_mm=7.5)
POSTCARD_PICTURE_LAYOUT = DocumentLayout(
    *A6_LANDSCAPE, qr_zone=Box(142.0 - 18.5, 105.0 - 9.0 - 18.5, 18.5, 18.5),
    qr_module_mm=POSTCARD_MODULE_MM, writing_box=None, line_pitch_mm=None)
PETITION_QR_ZONE = _zone(197.0, 10.0, LETTER_MODULE_MM)
_PETITION_TABLE_TOP = 76.0
_PETITION_HEADER_H = 8.0
_PETITION_TABLE_BOTTOM = 262.0
_PETITION_COLUMNS = (10.0, 62.0, 58.0, 50.0)  # No | name | town/e-mail | signature


@dataclass(frozen=True)
class PetitionRow:
    """One numbered row of a petition sheet, its cells in mm from the page's top-left."""

    number: int
    name: Box
    contact: Box
    signature: Box   # the bounded rectangle people sign in (inside the cell)


@dataclass(frozen=True)
class LabelSheet:
    """A sheet of self-adhesive labels (default: 2 × 7 of 99.1 × 38.1 mm, like L7163)."""

    page_w: float = 210.0
    page_h: float = 297.0
    columns: int = 2
    rows: int = 7
    label_w: float = 99.1
    label_h: float = 38.1
    left: float = 4.65
    top: float = 15.15
    pitch_x: float = 101.6
    pitch_y: float = 38.1

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def label_box(self, index: int) -> tuple[int, Box]:
        """(page index, label box) of the `index`-th label (0-based) of a print run."""
        page, slot = divmod(index, self.per_page)
        row, col = divmod(slot, self.columns)
        return page, Box(self.left + col * self.pitch_x, self.top + row * self.pitch_y,
                         self.label_w, self.label_h)


LABEL_SHEET = LabelSheet()


def _localized(campaign: Campaign, case: Case, lang: str | None) -> tuple[Case, str]:
    """The case with its texts in `lang` (the campaign's language by default), and the language;
    a language the campaign does not offer raises LanguageNotOffered."""
    lang = check_language(campaign, lang or campaign.language)
    return localized_case(campaign, case, lang), lang


def case_qr_text(campaign: Campaign, case: Case, kind: PayloadKind) -> str:
    """The QR text printed on a case document of `kind` (LETTER, POSTCARD or PETITION)."""
    return encode_payload(Payload(kind, campaign.id, case.code), campaign.check_key)


def _address_lines(address: str) -> list[str]:
    return [line.strip() for line in address.strip().splitlines() if line.strip()]


def _draw_case_qr(c: Canvas, campaign: Campaign, layout: DocumentLayout, qr_text: str, code: str,
                  lang: str) -> None:
    f = render.fonts()
    box = render.draw_qr_in(c, layout.page_h, qr_text, layout.qr_zone, layout.qr_module_mm)
    caption = kit_text(campaign, "qr.case_caption", lang, code=code)
    c.setFont(f.regular, 6.5)
    c.drawCentredString((box.x + box.w / 2) * mm,
                        render.baseline(layout.page_h, box.bottom + 0.3, 6.5), caption)


def _draw_return_footer(c: Canvas, h: float, campaign: Campaign, lang: str, y: float) -> float:
    """The "send this back before <deadline> to <address>" line; returns where it ends (mm)."""
    address = _address_lines(kit_text(campaign, "return_address", lang))
    footer = kit_text(campaign, "letter.return", lang, deadline=format_date(campaign.deadline, lang),
                      address=", ".join(address))
    c.setFillGray(0.25)
    end = render.draw_text(c, h, footer, 15, y, 180, render.fonts().regular, 7.5)
    c.setFillGray(0)
    return end


def _ruled_lines(c: Canvas, layout: DocumentLayout) -> None:
    box, pitch = layout.ruled_space()
    k = 1
    while k * pitch <= box.h - 1.0:
        render.hline(c, layout.page_h, box.x, box.right, box.y + k * pitch, 0.35, 0.6)
        k += 1


def render_letter_sheet(campaign: Campaign, case: Case, lang: str | None = None) -> bytes:
    """A4 letter sheet: the authority's address, the case, the model letter, ruled space, QR."""
    case, lang = _localized(campaign, case, lang)
    lay, f = LETTER_LAYOUT, render.fonts()
    c, out = render.new_canvas(lay.page_w, lay.page_h, f"{kit_text(campaign, 'name', lang)} — {case.code}")
    h = lay.page_h
    c.setFont(f.bold, 10)
    c.drawString(15 * mm, render.baseline(h, 10, 10), kit_text(campaign, "office", lang))
    c.setFont(f.regular, 8)
    c.drawString(15 * mm, render.baseline(h, 15.5, 8), kit_text(campaign, "name", lang))

    c.setFillGray(0.35)
    render.draw_lines(c, h, [kit_text(campaign, "letter.to", lang)], 15, 24, f.regular, 8)
    c.setFillGray(0)
    render.draw_lines(c, h, [case.authority], 15, 28, f.bold, 10.5)
    size, lines = render.fit_text("\n".join(_address_lines(case.authority_address)), f.regular,
                                  (10, 9, 8), Box(15, 33.5, 145, 23))
    render.draw_lines(c, h, lines, 15, 33.5, f.regular, size, 1.2)

    case_line = kit_text(campaign, "letter.case", lang, person=case.person, country=case.country)
    y = render.draw_text(c, h, case_line, 15, 59, 180, f.bold, 9)
    if case.summary:
        render.draw_text(c, h, case.summary, 15, y + 0.8, 180, f.regular, 8.5)

    model = Box(18, 78.5, 177, 26)
    c.setFillGray(0.35)
    heading = "letter.model" if case.letter else "letter.no_model"
    render.draw_lines(c, h, [kit_text(campaign, heading, lang)], 15, 74, f.regular, 7.5)
    c.setFillGray(0)
    if case.letter:
        render.vline(c, h, 15.8, model.y, model.bottom, 1.2, 0.7)
        words = f"{case.salutation}\n{case.letter}" if case.salutation else case.letter
        size, lines = render.fit_text(words, f.regular, (9, 8.5, 8, 7.5, 7), model, 1.2)
        render.draw_lines(c, h, lines, model.x, model.y, f.regular, size, 1.2)

    c.setFillGray(0.35)
    writing, _ = lay.ruled_space()
    prompt = kit_text(campaign, "letter.write_here", lang)
    if case.instructions:
        prompt = f"{prompt} — {case.instructions}"
    size = render.fit_line(prompt, f.regular, (7.5, 7, 6.5, 6), 180)
    render.draw_lines(c, h, [prompt], 15, writing.y - 4.2, f.regular, size)
    c.setFillGray(0)
    _ruled_lines(c, lay)

    _draw_return_footer(c, h, campaign, lang, 278)
    _draw_case_qr(c, campaign, lay, case_qr_text(campaign, case, PayloadKind.LETTER), case.code, lang)
    c.showPage()
    c.save()
    return out.getvalue()


def _postcard_recipient(campaign: Campaign, case: Case) -> str:
    route = case.postcards
    if route.to is PostcardRoute.PARTNER:
        assert route.partner is not None  # the campaign's validation requires it for this route
        partner = campaign.partner(route.partner)
        return partner.name if partner else route.partner
    return route.name or case.person


def _draw_picture_side(c: Canvas, campaign: Campaign, case: Case, lang: str) -> None:
    lay, f = POSTCARD_PICTURE_LAYOUT, render.fonts()
    w, h = lay.page_w, lay.page_h
    c.setFillColorRGB(1.0, 0.86, 0.0)
    c.rect(0, 0, w * mm, h * mm, stroke=0, fill=1)
    # The movement's emblem, simplified: a candle inside a loop of barbed wire.
    cx, cy = 34 * mm, (h - 50) * mm
    c.setFillColorRGB(1, 1, 1)
    c.setStrokeColorRGB(0, 0, 0)
    c.setLineWidth(1.2)
    c.rect(cx - 5 * mm, cy - 26 * mm, 10 * mm, 30 * mm, stroke=1, fill=1)
    c.setFillColorRGB(0.95, 0.45, 0.05)
    c.ellipse(cx - 3 * mm, cy + 5 * mm, cx + 3 * mm, cy + 16 * mm, stroke=0, fill=1)
    c.setLineWidth(1.6)
    c.circle(cx, cy - 4 * mm, 25 * mm, stroke=1, fill=0)
    for i in range(16):
        a = 2 * math.pi * i / 16
        bx, by = cx + 25 * mm * math.cos(a), cy - 4 * mm + 25 * mm * math.sin(a)
        c.line(bx - 1.6 * mm, by - 1.6 * mm, bx + 1.6 * mm, by + 1.6 * mm)
        c.line(bx - 1.6 * mm, by + 1.6 * mm, bx + 1.6 * mm, by - 1.6 * mm)
    c.setFillColorRGB(0, 0, 0)
    render.draw_lines(c, h, [kit_text(campaign, "postcard.solidarity", lang)], 66, 16, f.regular, 11)
    size, lines = render.fit_text(case.person, f.bold, (20, 17, 14, 12), Box(66, 23, 76, 36), 1.15)
    render.draw_lines(c, h, lines, 66, 23, f.bold, size, 1.15)
    render.draw_lines(c, h, [kit_text(campaign, "postcard.motto", lang)], 8, 88, f.bold, 13)
    box = render.draw_qr_in(c, h, FOREIGN_URL, lay.qr_zone, lay.qr_module_mm)
    c.setFont(f.regular, 6)
    c.drawCentredString((box.x + box.w / 2) * mm, render.baseline(h, box.bottom + 0.4, 6),
                        kit_text(campaign, "postcard.more", lang) + " · amnesty.be")


def _draw_message_side(c: Canvas, campaign: Campaign, case: Case, lang: str) -> None:
    lay, f = POSTCARD_MESSAGE_LAYOUT, render.fonts()
    h = lay.page_h
    c.setFillGray(0.35)
    size, lines = render.fit_text(kit_text(campaign, "postcard.message_for", lang, person=case.person),
                                  f.regular, (7, 6.5, 6, 5.5, 5), Box(6, 5.5, 66, 3.5))
    render.draw_lines(c, h, lines, 6, 6, f.regular, size)
    c.setFillGray(0)
    _ruled_lines(c, lay)
    render.vline(c, h, 76, 8, 97, 0.6, 0.4)
    c.setFillGray(0.3)
    render.draw_text(c, h, kit_text(campaign, "postcard.no_stamp", lang), 80, 8, 38, f.regular, 6.5)
    c.setFillGray(0)
    box = Box(80, 50, 62, 44)
    render.draw_box(c, h, box, 0.8)
    c.setFillGray(0.35)
    render.draw_lines(c, h, [kit_text(campaign, "postcard.forwarded_by", lang)], 83, 52.5, f.regular, 7)
    c.setFillGray(0)
    y = render.draw_text(c, h, kit_text(campaign, "office", lang), 83, 56.5, 56, f.bold, 8.5)
    recipient = kit_text(campaign, "postcard.for", lang, name=_postcard_recipient(campaign, case))
    render.draw_text(c, h, recipient, 83, y + 3, 56, f.regular, 8)
    _draw_case_qr(c, campaign, lay, case_qr_text(campaign, case, PayloadKind.POSTCARD), case.code, lang)


def render_postcard(campaign: Campaign, case: Case, lang: str | None = None) -> bytes:
    """A6 landscape postcard, 2 pages: picture side (web-address QR), message side (case QR)."""
    case, lang = _localized(campaign, case, lang)
    c, out = render.new_canvas(*A6_LANDSCAPE, f"{kit_text(campaign, 'name', lang)} — {case.code}")
    _draw_picture_side(c, campaign, case, lang)
    c.showPage()
    _draw_message_side(c, campaign, case, lang)
    c.showPage()
    c.save()
    return out.getvalue()


def _petition_row_height(rows: int) -> float:
    if not 1 <= rows <= 30:
        raise ValueError(f"a petition sheet holds 1 to 30 rows, not {rows}")
    return min(11.0, (_PETITION_TABLE_BOTTOM - _PETITION_TABLE_TOP - _PETITION_HEADER_H) / rows)


def petition_rows(rows: int = 15) -> tuple[PetitionRow, ...]:
    """The cells of a petition sheet with `rows` rows (mm from the page's top-left)."""
    row_h = _petition_row_height(rows)
    xs = [15.0]
    for width in _PETITION_COLUMNS:
        xs.append(xs[-1] + width)
    top = _PETITION_TABLE_TOP + _PETITION_HEADER_H
    return tuple(
        PetitionRow(
            number=i + 1,
            name=Box(xs[1], top + i * row_h, _PETITION_COLUMNS[1], row_h),
            contact=Box(xs[2], top + i * row_h, _PETITION_COLUMNS[2], row_h),
            signature=Box(xs[3], top + i * row_h, _PETITION_COLUMNS[3], row_h).inset(1.2),
        )
        for i in range(rows)
    )


def petition_layout(rows: int = 15) -> DocumentLayout:
    """Layout of a petition sheet: its writing box is the body of the table (the rows), its
    table the rows with the header band on top."""
    row_h = _petition_row_height(rows)
    top = _PETITION_TABLE_TOP + _PETITION_HEADER_H
    body = Box(15.0, top, sum(_PETITION_COLUMNS), rows * row_h)
    return DocumentLayout(*A4, qr_zone=PETITION_QR_ZONE, qr_module_mm=LETTER_MODULE_MM,
                          writing_box=body, line_pitch_mm=row_h,
                          table=Box(body.x, _PETITION_TABLE_TOP, body.w,
                                    body.bottom - _PETITION_TABLE_TOP))


def render_petition(campaign: Campaign, case: Case, lang: str | None = None,
                    rows: int = 15) -> bytes:
    """A4 petition sheet: the demand, the case QR and `rows` numbered signature rows."""
    case, lang = _localized(campaign, case, lang)
    lay, f = petition_layout(rows), render.fonts()
    cells = petition_rows(rows)
    c, out = render.new_canvas(lay.page_w, lay.page_h, f"{kit_text(campaign, 'name', lang)} — {case.code}")
    h = lay.page_h
    render.draw_lines(c, h, [kit_text(campaign, "petition.title", lang)], 15, 10, f.bold, 20)
    render.draw_text(c, h, kit_text(campaign, "petition.for", lang, person=case.person, country=case.country),
                     15, 20, 150, f.bold, 11)
    render.draw_text(c, h, kit_text(campaign, "petition.to", lang, authority=case.authority), 15, 28.5, 150,
                     f.regular, 9)
    demand = Box(15, 40, 180, 30)
    c.setFillGray(0.93)
    c.rect(demand.x * mm, (h - demand.bottom) * mm, demand.w * mm, demand.h * mm, stroke=0,
           fill=1)
    c.setFillGray(0)
    words = case.petition or kit_text(campaign, "petition.no_demand", lang, person=case.person)
    size, lines = render.fit_text(words, f.bold, (14, 12, 11, 10, 9), demand.inset(3), 1.2)
    render.draw_lines(c, h, lines, demand.x + 3, demand.y + 3, f.bold, size, 1.2)

    table, row_h = lay.ruled_space()
    header = Box(table.x, _PETITION_TABLE_TOP, table.w, _PETITION_HEADER_H)
    c.setFillGray(0.85)
    c.rect(header.x * mm, (h - header.bottom) * mm, header.w * mm, header.h * mm, stroke=0,
           fill=1)
    c.setFillGray(0)
    titles = ("petition.col_no", "petition.col_name", "petition.col_contact",
              "petition.col_signature")
    x = table.x
    for key, width in zip(titles, _PETITION_COLUMNS):
        render.draw_lines(c, h, [kit_text(campaign, key, lang)], x + 1.5, header.y + 2.2, f.bold, 8.5)
        x += width
    for row in cells:
        top = row.name.y
        render.hline(c, h, table.x, table.right, top, 0.5)
        c.setFont(f.regular, 8.5)
        c.drawCentredString((table.x + _PETITION_COLUMNS[0] / 2) * mm,
                            render.baseline(h, top + row_h / 2 - 1.5, 8.5), str(row.number))
        render.draw_box(c, h, row.signature, 1.2)
    render.draw_box(c, h, Box(header.x, header.y, table.w, header.h + table.h), 0.8)
    render.hline(c, h, table.x, table.right, table.bottom, 0.5)
    x = table.x
    for width in _PETITION_COLUMNS[:-1]:
        x += width
        render.vline(c, h, x, header.y, table.bottom, 0.5)

    y = _draw_return_footer(c, h, campaign, lang, 270)
    c.setFillGray(0.25)
    render.draw_text(c, h, kit_text(campaign, "petition.privacy", lang), 15, y + 0.8, 180, f.regular, 7)
    c.setFillGray(0)
    _draw_case_qr(c, campaign, lay, case_qr_text(campaign, case, PayloadKind.PETITION), case.code, lang)
    c.showPage()
    c.save()
    return out.getvalue()


def label_qr_text(campaign: Campaign, serial: int) -> str:
    """The QR text of kit `serial`'s envelope label."""
    return encode_payload(kit_payload(campaign.id, serial), campaign.check_key)


def _draw_label(c: Canvas, campaign: Campaign, serial: int, box: Box, lang: str) -> None:
    f, h = render.fonts(), LABEL_SHEET.page_h
    qr_text = label_qr_text(campaign, serial)
    side = render.qr_size_mm(qr_text, LETTER_MODULE_MM)
    top = box.y + max(1.0, (box.h - side - 3.5) / 2)
    zone = Box(box.x + 3, top, side, side)
    render.draw_qr_in(c, h, qr_text, zone, LETTER_MODULE_MM)
    c.setFont(f.bold, 7.5)
    c.drawCentredString((zone.x + side / 2) * mm, render.baseline(h, zone.bottom + 0.2, 7.5),
                        kit_text(campaign, "label.kit", lang, serial=f"{serial:06d}"))
    left = zone.right + 3
    c.setFillGray(0.35)
    render.draw_lines(c, h, [kit_text(campaign, "name", lang)], left, box.y + 4, f.regular, 7)
    c.setFillGray(0)
    address = _address_lines(kit_text(campaign, "return_address", lang))
    size, lines = render.fit_text("\n".join(address), f.bold,
                                  (10, 9, 8, 7), Box(left, box.y + 9, box.right - left - 3, 26))
    render.draw_lines(c, h, lines, left, box.y + 9, f.bold, size, 1.2)


def render_envelope_labels(campaign: Campaign, first_serial: int, count: int,
                           lang: str | None = None, progress: Progress | None = None) -> bytes:
    """A4 sheets of return-envelope labels for kits `first_serial` … `first_serial+count-1`;
    `progress(done, count)` is told after each label."""
    if first_serial < 1 or count < 1:
        raise ValueError("kit serials start at 1 and at least one label is printed")
    lang = check_language(campaign, lang or campaign.language)
    sheet = LABEL_SHEET
    c, out = render.new_canvas(sheet.page_w, sheet.page_h, f"{kit_text(campaign, 'name', lang)} — kits")
    page = 0
    for i in range(count):
        label_page, box = sheet.label_box(i)
        if label_page != page:
            c.showPage()
            page = label_page
        # A faint outline helps when printing on plain paper; die-cut sheets ignore it.
        render.draw_box(c, sheet.page_h, box, 0.25, 0.8)
        _draw_label(c, campaign, first_serial + i, box, lang)
        if progress is not None:
            progress(i + 1, count)
    c.showPage()
    c.save()
    return out.getvalue()


def render_case_documents(campaign: Campaign, lang: str | None = None,
                          progress: Progress | None = None) -> dict[str, bytes]:
    """Every case's letter sheet, postcard and petition sheet in `lang`: file name → PDF bytes;
    `progress(done, cases)` is told after each case."""
    files: dict[str, bytes] = {}
    for done, case in enumerate(campaign.cases, 1):
        files[f"letters/letter-{case.code}.pdf"] = render_letter_sheet(campaign, case, lang)
        files[f"postcards/postcard-{case.code}.pdf"] = render_postcard(campaign, case, lang)
        files[f"petitions/petition-{case.code}.pdf"] = render_petition(campaign, case, lang)
        if progress is not None:
            progress(done, len(campaign.cases))
    return files


def render_kit(campaign: Campaign, lang: str | None = None, first_serial: int = 1,
               kits: int = 10, progress: Progress | None = None) -> dict[str, bytes]:
    """Every printable file of a kit run: relative file name → PDF bytes.

    `lang` "all" prints the case documents of every language the campaign offers, each in a
    folder of its own (``nl/letters/…``); the envelope labels, one per kit serial, are printed
    once, in the campaign's language. `progress(done, total)` counts the cases' documents of
    each language, then the labels."""
    langs = campaign.offered_languages if lang == "all" else (lang or campaign.language,)
    cases = len(campaign.cases)
    total = len(langs) * cases + kits

    def step(before: int) -> Progress | None:
        return None if progress is None else lambda done, _: progress(before + done, total)

    files: dict[str, bytes] = {}
    for index, one in enumerate(langs):
        folder = f"{one}/" if lang == "all" else ""
        files.update({folder + name: pdf for name, pdf
                      in render_case_documents(campaign, one, step(index * cases)).items()})
    last = first_serial + kits - 1
    files[f"labels/kit-labels-{first_serial:06d}-{last:06d}.pdf"] = render_envelope_labels(
        campaign, first_serial, kits, langs[0], step(len(langs) * cases))
    return files
