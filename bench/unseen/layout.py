"""Printed pages of the unseen corpus: a `Document` laid out on paper with PIL.

Layouts of their own: plain letters, letters with the address in an envelope
window, letterheads, justified text with indents, newspaper pages in two
columns with footnotes, academic papers with references, invoices with
tables, and notes. Margins, sizes, leading and paper sizes (A4, A5, US Letter)
vary. `render` returns the page (white paper; the capture adds the tone) and
where the signature goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from PIL import Image, ImageDraw

from bench.unseen import fonts
from bench.unseen.compose import Block, Document, Genre, Role

MM_PER_INCH = 25.4
PAPER = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "Letter": (215.9, 279.4)}


class Layout(StrEnum):
    PLAIN = "plain"
    WINDOW = "window"
    LETTERHEAD = "letterhead"
    JUSTIFIED = "justified"
    TWO_COLUMN = "two_column"
    PAPER = "paper"
    INVOICE = "invoice"
    NOTE = "note"


@dataclass(frozen=True)
class Style:
    """How a document is set: layout, typeface, size, margins, paper, colours."""

    layout: Layout
    family: fonts.Family
    size_pt: float
    margin_mm: float
    leading: float
    paper: str
    ink: tuple[int, int, int]
    accent: tuple[int, int, int]

    def to_json(self) -> dict:
        return {"layout": self.layout.value, "font": self.family.name, "size_pt": self.size_pt,
                "margin_mm": round(self.margin_mm, 1), "leading": round(self.leading, 2),
                "paper": self.paper}


@dataclass(frozen=True)
class Rendered:
    image: Image.Image
    dpi: int
    signature_box: tuple[int, int, int, int] | None   # pixels: where a signature is written
    overflow: bool = False   # text went past the page's foot: what the page shows is not all the text


_LETTER_LAYOUTS = (Layout.PLAIN, Layout.WINDOW, Layout.LETTERHEAD, Layout.JUSTIFIED)
_ACCENTS = ((200, 30, 40), (20, 70, 140), (30, 110, 60), (90, 90, 90), (230, 180, 0))


def choose_style(document: Document, rng: np.random.Generator) -> Style:
    """A style that suits the document's genre, drawn at random."""
    families = fonts.typed_families()
    family = families[int(rng.integers(len(families)))]
    genre = document.genre
    if genre is Genre.ARTICLE:
        layout, size, paper = Layout.TWO_COLUMN, float(rng.choice((9.0, 9.5, 10.0, 10.5))), "A4"
    elif genre is Genre.PAPER:
        layout, size, paper = Layout.PAPER, float(rng.choice((10.0, 10.5, 11.0))), "A4"
    elif genre is Genre.INVOICE:
        layout, size, paper = Layout.INVOICE, float(rng.choice((9.5, 10.0, 11.0))), "A4"
    elif genre in (Genre.NEWSLETTER, Genre.SCHOOL_NOTE, Genre.TRAVEL):
        layout, size = Layout.NOTE, float(rng.choice((10.0, 11.0, 12.0)))
        paper = "A5" if rng.random() < 0.2 else "A4"
    else:
        layout = _LETTER_LAYOUTS[int(rng.integers(len(_LETTER_LAYOUTS)))]
        size = float(rng.choice((10.0, 10.5, 11.0, 11.5, 12.0, 13.0)))
        r = rng.random()
        paper = "A5" if genre is Genre.SOLIDARITY_LETTER and r < 0.25 else "Letter" if r > 0.92 else "A4"
    ink = (0, 0, 0) if rng.random() < 0.8 else (int(rng.integers(0, 40)), int(rng.integers(0, 40)),
                                                 int(rng.integers(40, 110)))
    return Style(layout, family, size, float(rng.uniform(16, 30) if paper != "A5" else rng.uniform(12, 18)),
                 float(rng.uniform(1.15, 1.55)), paper, ink, _ACCENTS[int(rng.integers(len(_ACCENTS)))])


class Pen:
    """Sets text on a page: wraps to a width, aligns, justifies, keeps track of the line."""

    def __init__(self, image: Image.Image, dpi: int, style: Style):
        self.draw = ImageDraw.Draw(image)
        self.dpi, self.style = dpi, style
        self.lowest = 0   # the foot of the lowest line set

    def px(self, mm: float) -> int:
        return round(mm * self.dpi / MM_PER_INCH)

    def font(self, size_pt: float, weight: str = "regular"):
        return fonts.load(self.style.family.path(weight), round(size_pt * self.dpi / 72))

    def line_height(self, size_pt: float) -> int:
        return round(size_pt * self.style.leading * self.dpi / 72)

    def wrap(self, text: str, font, width: int) -> list[list[str]]:
        lines: list[list[str]] = []
        for para_line in text.split("\n"):
            line: list[str] = []
            for word in para_line.split():
                if line and font.getlength(" ".join([*line, word])) > width:
                    lines.append(line)
                    line = [word]
                else:
                    line.append(word)
            lines.append(line)
        return lines

    def text(self, text: str, x: int, y: int, width: int, size_pt: float, *, weight: str = "regular",
             align: str = "left", justify: bool = False, indent: int = 0,
             fill: tuple[int, int, int] | None = None, hanging: int = 0) -> int:
        """Set `text` from (x, y) (top of the first line) within `width`; returns the y after it."""
        font = self.font(size_pt, weight)
        ascent = font.getmetrics()[0]
        step = self.line_height(size_pt)
        fill = fill or self.style.ink
        lines = self.wrap(text, font, width - indent)
        for i, words in enumerate(lines):
            left = x + (indent if i == 0 else hanging)
            room = width - (left - x)
            line = " ".join(words)
            last = i == len(lines) - 1
            if justify and not last and len(words) > 1:
                gap = (room - sum(font.getlength(w) for w in words)) / (len(words) - 1)
                cursor = float(left)
                for w in words:
                    self.draw.text((round(cursor), y + ascent), w, font=font, fill=fill, anchor="ls")
                    cursor += font.getlength(w) + gap
            else:
                offset = {"left": 0, "right": room - font.getlength(line),
                          "center": (room - font.getlength(line)) / 2}[align]
                self.draw.text((round(left + offset), y + ascent), line, font=font, fill=fill,
                               anchor="ls")
            y += step
        self.lowest = max(self.lowest, y)
        return y

    def rule(self, x0: int, x1: int, y: int, width_mm: float = 0.3, fill=(0, 0, 0)) -> None:
        self.draw.line([(x0, y), (x1, y)], fill=fill, width=max(1, self.px(width_mm)))


def _blocks(document: Document, *roles: Role) -> list[Block]:
    return [b for b in document.blocks if b.role in roles]


def _one(document: Document, role: Role) -> Block | None:
    found = _blocks(document, role)
    return found[0] if found else None


def render(document: Document, style: Style, dpi: int, rng: np.random.Generator) -> Rendered:
    """The document set on white paper at `dpi`."""
    w_mm, h_mm = PAPER[style.paper]
    image = Image.new("RGB", (round(w_mm * dpi / MM_PER_INCH), round(h_mm * dpi / MM_PER_INCH)),
                      (255, 255, 255))
    pen = Pen(image, dpi, style)
    match style.layout:
        case Layout.TWO_COLUMN:
            sig = None
            _article(document, pen, image, rng)
        case Layout.PAPER:
            sig = None
            _paper(document, pen, image)
        case Layout.INVOICE:
            sig = None
            _invoice(document, pen, image)
        case Layout.NOTE:
            sig = _note(document, pen, image, rng)
        case Layout.PLAIN | Layout.WINDOW | Layout.LETTERHEAD | Layout.JUSTIFIED:
            sig = _letter(document, pen, image, rng)
    return Rendered(image, dpi, sig, overflow=pen.lowest > image.height - pen.px(5))


# ------------------------------------------------------------------ letters

def _letter(doc: Document, pen: Pen, image: Image.Image, rng: np.random.Generator):
    st = pen.style
    size = st.size_pt
    left, right = pen.px(st.margin_mm), image.width - pen.px(st.margin_mm * float(rng.uniform(0.8, 1.1)))
    width = right - left
    y = pen.px(st.margin_mm * float(rng.uniform(0.6, 1.0)))
    justify = st.layout is Layout.JUSTIFIED or rng.random() < 0.2
    indent = pen.px(8) if st.layout is Layout.JUSTIFIED else 0
    sender = _one(doc, Role.SENDER)
    if st.layout is Layout.LETTERHEAD and sender is not None:
        name, *rest = sender.text.split("\n")
        band = pen.px(float(rng.uniform(18, 30)))
        if rng.random() < 0.5:
            pen.draw.rectangle([0, 0, image.width, band], fill=tuple(min(255, c + 150) for c in st.accent))
        pen.text(name, left, pen.px(6), width, size + 6, weight="bold", fill=st.accent)
        pen.text("  ·  ".join(rest), left, pen.px(6) + pen.line_height(size + 6), width, size - 2)
        y = band + pen.px(10)
        footer_y = image.height - pen.px(14)
        pen.rule(left, right, footer_y - pen.px(2), 0.2, st.accent)
        pen.text(f"{name} · {' · '.join(rest)}", left, footer_y, width, max(7.0, size - 3),
                 align="center")
    elif sender is not None:
        y = pen.text(sender.text, left, y, width // 2, size)
    date = _one(doc, Role.DATE)
    recipient = _one(doc, Role.RECIPIENT)
    if st.layout is Layout.WINDOW and recipient is not None:
        # The address where a DL/C5 envelope's window shows it; fold marks on the left edge.
        wy = max(y, pen.px(45))
        pen.text(recipient.text, pen.px(110), wy, image.width - pen.px(110) - pen.px(12), size)
        for fold in (105, 210):
            pen.rule(pen.px(4), pen.px(9), pen.px(fold), 0.2, (120, 120, 120))
        y = wy + pen.px(42)
        if date is not None:
            y = pen.text(date.text, left, y, width, size, align="right") + pen.line_height(size)
    else:
        if date is not None:
            y += pen.line_height(size)
            y = pen.text(date.text, left, y, width, size, align="right" if rng.random() < 0.6 else "left")
        if recipient is not None:
            y += pen.line_height(size)
            x = left if rng.random() < 0.5 else left + width // 2
            y = pen.text(recipient.text, x, y, right - x, size)
    y += pen.line_height(size) * 2
    for block in doc.blocks:
        if block.role is Role.SUBJECT:
            y = pen.text(block.text, left, y, width, size, weight="bold") + pen.line_height(size) // 2
        elif block.role is Role.SALUTATION:
            y = pen.text(block.text, left, y, width, size) + pen.line_height(size) // 2
        elif block.role is Role.BODY:
            y = pen.text(block.text, left, y, width, size, justify=justify, indent=indent)
            y += pen.line_height(size) // (3 if indent else 1)
        elif block.role is Role.CLOSING:
            y = pen.text(block.text, left, y + pen.line_height(size) // 2, width, size)
    sig_x = left if rng.random() < 0.6 else left + width // 2
    sig_box = (sig_x, y + pen.px(2), min(right, sig_x + pen.px(60)), y + pen.px(20))
    y = sig_box[3] + pen.px(1)
    signature = _one(doc, Role.SIGNATURE)
    if signature is not None:
        y = pen.text(signature.text, sig_x, y, right - sig_x, size)
    ps = _one(doc, Role.PS)
    if ps is not None:
        pen.text(ps.text, left, y + pen.line_height(size), width, size)
    return sig_box


# ------------------------------------------------------------------ press and papers

def _columns(pen: Pen, text_blocks: list[Block], x: int, y: int, width: int, bottom: int,
             size: float, gutter: int) -> None:
    col_w = (width - gutter) // 2
    font = pen.font(size)
    step = pen.line_height(size)
    lines: list[tuple[list[str], bool]] = []
    for block in text_blocks:
        wrapped = pen.wrap(block.text, font, col_w)
        lines += [(words, i == len(wrapped) - 1) for i, words in enumerate(wrapped)]
        lines.append(([], True))
    per_col = max(1, (bottom - y) // step)
    for i, (words, last) in enumerate(lines[: 2 * per_col]):
        col, row = divmod(i, per_col)
        if not words:
            continue
        pen.text(" ".join(words), x + col * (col_w + gutter), y + row * step, col_w, size,
                 justify=not last)


def _article(doc: Document, pen: Pen, image: Image.Image, rng: np.random.Generator) -> None:
    st = pen.style
    left, right = pen.px(st.margin_mm * 0.7), image.width - pen.px(st.margin_mm * 0.7)
    width = right - left
    y = pen.px(12)
    head = _one(doc, Role.LETTERHEAD)
    if head is not None:
        y = pen.text(head.text.upper(), left, y, width, 26, weight="bold", align="center")
        pen.rule(left, right, y + pen.px(1), 0.8)
        pen.rule(left, right, y + pen.px(2.2), 0.3)
        y += pen.px(6)
    headline = _one(doc, Role.HEADLINE)
    if headline is not None:
        y = pen.text(headline.text, left, y, width, st.size_pt * 2.2, weight="bold") + pen.px(2)
    byline = _one(doc, Role.BYLINE)
    if byline is not None:
        y = pen.text(byline.text, left, y, width, st.size_pt, weight="italic") + pen.px(4)
    footnotes = _blocks(doc, Role.FOOTNOTE)
    bottom = image.height - pen.px(25 + 8 * len(footnotes))
    _columns(pen, _blocks(doc, Role.BODY), left, y, width, bottom, st.size_pt, pen.px(6))
    fy = bottom + pen.px(4)
    if footnotes:
        pen.rule(left, left + width // 3, fy, 0.2)
        for note in footnotes:
            fy = pen.text(note.text, left, fy + pen.px(1), width, st.size_pt - 1.5)
    pen.text(str(int(rng.integers(2, 40))), left, image.height - pen.px(12), width, st.size_pt,
             align="center")


def _paper(doc: Document, pen: Pen, image: Image.Image) -> None:
    st = pen.style
    size = st.size_pt
    left, right = pen.px(st.margin_mm + 5), image.width - pen.px(st.margin_mm + 5)
    width = right - left
    y = pen.px(st.margin_mm + 5)
    for block in doc.blocks:
        if block.role is Role.HEADLINE:
            y = pen.text(block.text, left, y, width, size + 6, weight="bold", align="center") + pen.px(3)
        elif block.role is Role.BYLINE:
            y = pen.text(block.text, left, y, width, size, align="center") + pen.px(6)
        elif block.role is Role.ABSTRACT:
            label = {"fr": "Résumé. ", "nl": "Samenvatting. ", "en": "Abstract. "}[doc.lang]
            y = pen.text(label + block.text, left + pen.px(10), y, width - pen.px(20), size - 1,
                         weight="italic", justify=True) + pen.px(5)
        elif block.role is Role.HEADING:
            y = pen.text(block.text, left, y + pen.px(2), width, size + 1, weight="bold") + pen.px(1)
        elif block.role is Role.BODY:
            y = pen.text(block.text, left, y, width, size, justify=True, indent=pen.px(6)) + pen.px(2)
        elif block.role is Role.REFERENCE:
            y = pen.text(block.text, left, y, width, size - 1.5, hanging=pen.px(8)) + pen.px(1)
    for note in _blocks(doc, Role.FOOTNOTE):
        fy = image.height - pen.px(st.margin_mm + 12)
        pen.rule(left, left + width // 4, fy - pen.px(2), 0.2)
        pen.text(note.text, left, fy, width, size - 2)


# ------------------------------------------------------------------ invoices and notes

def _heading_block(pen: Pen, block: Block, x: int, y: int, width: int, size: float, larger: float) -> int:
    """A sender's name in bold colour over its address lines, as letterheads print them."""
    first, *rest = block.text.split("\n")
    y = pen.text(first, x, y, width, size + larger, weight="bold", fill=pen.style.accent)
    return pen.text("\n".join(rest), x, y, width, size - 1) if rest else y


def _invoice(doc: Document, pen: Pen, image: Image.Image) -> None:
    st = pen.style
    size = st.size_pt
    left, right = pen.px(st.margin_mm), image.width - pen.px(st.margin_mm)
    width = right - left
    y = pen.px(15)
    head = _one(doc, Role.LETTERHEAD)
    if head is not None:
        y = _heading_block(pen, head, left, y, width // 2, size, 5)
    recipient = _one(doc, Role.RECIPIENT)
    if recipient is not None:
        pen.text(recipient.text, pen.px(115), pen.px(50), right - pen.px(115), size)
    y = max(y, pen.px(85))
    title = _one(doc, Role.HEADLINE)
    if title is not None:
        y = pen.text(title.text, left, y, width, size + 8, weight="bold") + pen.px(2)
    subject = _one(doc, Role.SUBJECT)
    if subject is not None:
        y = pen.text(subject.text, left, y, width, size) + pen.px(6)
    table = _one(doc, Role.TABLE)
    if table is not None:
        cols = (0.0, 0.55, 0.7, 0.85)
        rows = table.text.split("\n")
        for i, row in enumerate(rows):
            cells = row.split("\t")
            if i == 0:
                pen.draw.rectangle([left, y - pen.px(1), right, y + pen.line_height(size)],
                                   fill=(235, 235, 235))
            for c, cell in enumerate(cells):
                if cell:
                    pen.text(cell, left + round(cols[c] * width) + pen.px(1), y,
                             round((cols[c + 1] if c + 1 < len(cols) else 1.0) * width - cols[c] * width),
                             size, weight="bold" if i == 0 or i == len(rows) - 1 else "regular",
                             align="left" if c == 0 else "right")
            y += pen.line_height(size) + pen.px(1)
            if i in (0, len(rows) - 4):
                pen.rule(left, right, y - pen.px(0.5), 0.2)
    footer = _one(doc, Role.FOOTER)
    if footer is not None:
        pen.text(footer.text, left, image.height - pen.px(20), width, size - 1.5, align="center")


def _note(doc: Document, pen: Pen, image: Image.Image, rng: np.random.Generator):
    st = pen.style
    size = st.size_pt
    left, right = pen.px(st.margin_mm), image.width - pen.px(st.margin_mm)
    width = right - left
    y = pen.px(st.margin_mm * 0.8)
    sig = None
    for block in doc.blocks:
        if block.role is Role.LETTERHEAD:
            y = _heading_block(pen, block, left, y, width, size, 8)
            pen.rule(left, right, y + pen.px(2), 0.5, st.accent)
            y += pen.px(8)
        elif block.role in (Role.HEADLINE, Role.HEADING):
            y = pen.text(block.text, left, y + pen.px(2), width, size + 3, weight="bold") + pen.px(1)
        elif block.role is Role.DATE:
            y = pen.text(block.text, left, y, width, size, align="right") + pen.px(3)
        elif block.role is Role.SIGNATURE:
            sig = (left + width // 2, y + pen.px(2), right, y + pen.px(16))
            y = pen.text(block.text, left + width // 2, sig[3], width // 2, size)
        elif block.role is Role.FOOTER:
            pen.draw.line([(left, y + pen.px(6)), (right, y + pen.px(6))], fill=(80, 80, 80),
                          width=1)
            y = pen.text(block.text, left, y + pen.px(9), width, size - 1)
        else:
            y = pen.text(block.text, left, y, width, size) + pen.px(2)
    return sig
