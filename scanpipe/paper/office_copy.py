"""The office's copy of a bundle: what the office keeps and the recipient never sees.

Written beside the recipient's sheet (`scanpipe.paper.sheets`) in the station's language:
the bundle number, its destination code, who closed it and when, its state, how it was
dispatched (the tracking number) and received when known, the counts per case and kind
with the case codes, the pieces that came after the deadline, and every item id — runs of
consecutive ids as ranges ("0000012–0000020"), so a bundle of thousands stays a few pages.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from scanpipe.domain.i18n import counted, format_date, text
from scanpipe.paper import render
from scanpipe.paper.sheets import (
    CONTENT_BOTTOM,
    HEAD_WRAP_SIZES,
    LEFT,
    PAGE_H,
    RIGHT,
    Paper,
    SheetLine,
    bundle_title,
    check_kinds,
    close_table,
    count_text,
    draw_row,
    new_document,
    totals_of,
)

RANGE_DASH = "–"  # en dash between the first and last id of a run
_COLUMNS = (("office.col_case", 20.0), ("sheet.col_person", 45.0), ("sheet.col_letters", 18.0),
            ("sheet.col_solidarity_letters", 32.0), ("sheet.col_postcards", 18.0),
            ("sheet.col_petitions", 22.0), ("sheet.col_signatures", 25.0))
_ROW_H, _HEAD_H = 6.5, 10.0
_ID_SIZE, _ID_LEADING = 7.5, 3.6


def id_ranges(ids: Iterable[int], ref: Callable[[int], str]) -> tuple[str, ...]:
    """Sorted ids as printed by `ref`, runs of three or more consecutive ids as one range:
    [1, 2, 3, 5, 6] → ("0000001–0000003", "0000005", "0000006")."""
    runs: list[list[int]] = []
    for i in sorted(set(ids)):
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    out: list[str] = []
    for run in runs:
        if len(run) >= 3:
            out.append(f"{ref(run[0])}{RANGE_DASH}{ref(run[-1])}")
        else:
            out.extend(ref(i) for i in run)
    return tuple(out)


@dataclass(frozen=True)
class OfficeCopy:
    """Everything printed on a bundle's office copy."""

    paper: Paper              # the recipient's paper it goes with
    campaign_id: str
    campaign_name: str
    bundle_ref: str
    destination: str          # e.g. "embassy:GT"
    recipient_name: str
    issued_on: datetime.date
    closed_on: datetime.date
    closed_by: str
    state: str                # a `BundleState` value
    lines: tuple[SheetLine, ...]
    pieces: int               # how many item ids `items` holds
    items: tuple[str, ...]    # printed ids and ranges (`id_ranges`)
    late: tuple[str, ...]     # printed ids of the pieces that came after the deadline
    deadline: datetime.date
    method: str | None = None        # "hand" or "post" once dispatched
    tracking: str | None = None
    received_by: str | None = None
    received_on: datetime.date | None = None
    receipt_item: str | None = None  # the signed sheet scanned back, as printed

    def __post_init__(self) -> None:
        check_kinds(self.paper, self.lines)


class _Pages:
    def __init__(self, copy: OfficeCopy, lang: str, canvas: Canvas):
        self.copy, self.lang, self.c = copy, lang, canvas
        self.y = 12.0

    def need(self, height: float) -> None:
        if self.y + height > CONTENT_BOTTOM:
            self.c.showPage()
            f = render.fonts()
            head = " · ".join((text("office.title", self.lang),
                               bundle_title(self.copy.bundle_ref, self.lang), self.copy.destination))
            self.y = render.draw_text(self.c, PAGE_H, head, LEFT, 10, RIGHT - LEFT, f.bold, 10) + 4

    def paragraph(self, words: str, *, bold: bool = False, size: float = 9.0) -> None:
        f = render.fonts()
        font = f.bold if bold else f.regular
        lines = render.wrap_text(words, font, size, RIGHT - LEFT)
        self.need(len(lines) * size * 1.25 / mm + 1)
        self.y = render.draw_lines(self.c, PAGE_H, lines, LEFT, self.y, font, size) + 1.2


def _facts(copy: OfficeCopy, lang: str) -> list[str]:
    def day(d: datetime.date) -> str:
        return format_date(d, lang)

    facts = [text("office.campaign", lang, name=copy.campaign_name, id=copy.campaign_id),
             text("office.destination", lang, code=copy.destination),
             text("office.recipient", lang, name=copy.recipient_name),
             text("office.closed", lang, date=day(copy.closed_on), name=copy.closed_by),
             text("office.state", lang, name=text(f"office.state.{copy.state}", lang))]
    if copy.method == "post":
        facts.append(text("office.dispatch_post", lang, code=copy.tracking or "—"))
    elif copy.method == "hand":
        facts.append(text("office.dispatch_hand", lang))
    else:
        facts.append(text("office.not_dispatched", lang))
    if copy.received_on and copy.received_by:
        facts.append(text("office.received", lang, name=copy.received_by,
                          date=day(copy.received_on)))
    elif copy.received_on:
        facts.append(text("office.received_scan", lang, date=day(copy.received_on),
                          id=copy.receipt_item or "—"))
    facts.append(text("sheet.date", lang, date=day(copy.issued_on)))
    return facts


def _table(p: _Pages, copy: OfficeCopy, lang: str) -> None:
    f = render.fonts()
    header = tuple(text(key, lang) for key, _ in _COLUMNS)
    rows = [(x.case, x.person, str(x.letters), str(x.solidarity_letters), str(x.postcards),
             str(x.petitions), count_text(x.signatures) if x.petitions else "0")
            for x in copy.lines]
    letters, postcards, petitions, signatures, solidarity = totals_of(copy.lines)
    total = (text("sheet.total", lang), "", str(letters), str(solidarity), str(postcards),
             str(petitions), count_text(signatures))
    p.need(_HEAD_H + 2 * _ROW_H)
    top = p.y
    draw_row(p.c, p.y, _HEAD_H, header, _COLUMNS, f.bold, 0.85, HEAD_WRAP_SIZES)
    p.y += _HEAD_H
    for cells in rows:
        if p.y + 2 * _ROW_H > CONTENT_BOTTOM:
            close_table(p.c, _COLUMNS, top, p.y)
            p.need(CONTENT_BOTTOM)
            top = p.y
            draw_row(p.c, p.y, _HEAD_H, header, _COLUMNS, f.bold, 0.85, HEAD_WRAP_SIZES)
            p.y += _HEAD_H
        draw_row(p.c, p.y, _ROW_H, cells, _COLUMNS, f.regular, None)
        p.y += _ROW_H
    draw_row(p.c, p.y, _ROW_H, total, _COLUMNS, f.bold, 0.92)
    p.y += _ROW_H
    close_table(p.c, _COLUMNS, top, p.y)
    p.y += 4


def _ids(p: _Pages, ids: Sequence[str]) -> None:
    """`ids` in columns, reading down each column, page after page."""
    f = render.fonts()
    width = RIGHT - LEFT
    widest = max((render.string_mm(i, f.regular, _ID_SIZE) for i in ids), default=10.0)
    columns = max(1, min(10, int(width // (widest + 4))))
    column_w = width / columns
    start = 0
    while start < len(ids):
        p.need(_ID_LEADING * 2)
        per_column = int((CONTENT_BOTTOM - p.y) // _ID_LEADING)
        block = ids[start:start + per_column * columns]
        rows = -(-len(block) // columns)
        p.c.setFont(f.regular, _ID_SIZE)
        for k, item in enumerate(block):
            col, row = divmod(k, rows)
            p.c.drawString((LEFT + col * column_w) * mm,
                           render.baseline(PAGE_H, p.y + row * _ID_LEADING, _ID_SIZE * 0.8), item)
        start += len(block)
        p.y += rows * _ID_LEADING + 2
        if start < len(ids):
            p.y = CONTENT_BOTTOM  # the next block starts on a new page


def render_office_copy(copy: OfficeCopy, lang: str = "fr") -> bytes:
    """The office's copy of a bundle as A4 PDF bytes."""
    title = f"{text('office.title', lang)} — {bundle_title(copy.bundle_ref, lang)}"
    footer = " · ".join((text("office.title", lang), copy.campaign_id,
                         bundle_title(copy.bundle_ref, lang), copy.destination))
    canvas, out = new_document(title, footer, lang)
    p = _Pages(copy, lang, canvas)
    f = render.fonts()
    p.y = render.draw_text(canvas, PAGE_H, title, LEFT, 10, RIGHT - LEFT, f.bold, 16) + 2
    p.paragraph(text("office.internal", lang), bold=True)
    p.y += 1
    for fact in _facts(copy, lang):
        p.paragraph(fact)
    p.y += 3
    _table(p, copy, lang)
    day = format_date(copy.deadline, lang)
    if copy.late:
        p.paragraph(counted("late", len(copy.late), lang, deadline=day), bold=True)
        _ids(p, copy.late)
    else:
        p.paragraph(text("office.no_late", lang, deadline=day))
    p.y += 2
    p.paragraph(counted("bundle_items", copy.pieces, lang), bold=True)
    _ids(p, copy.items)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
