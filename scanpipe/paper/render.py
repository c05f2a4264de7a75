"""Shared PDF drawing on reportlab: fonts, QR codes, boxes and wrapped text.

Layouts are described in millimetres from the page's top-left corner (as a
person measures a sheet, and as pixel images are indexed); reportlab draws from
the bottom-left in points, so every drawing helper here converts.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import reportlab
import segno
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from scanpipe.paper import typeset
from scanpipe.paper.typeset import FontMissing
from scanpipe.runs import true_runs

__all__ = ["Box", "FontMissing", "Fonts", "ShapingCanvas", "draw_string", "fonts", "new_canvas"]

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
QUIET_ZONE_MODULES = 4
MIN_MODULE_MM = 0.5
# A payload has at most 64 alphanumeric characters (see payload.py), which fits
# a version-4 symbol at level M: 33 modules, 41 with the quiet zone.
MAX_QR_MODULES = 33


@dataclass(frozen=True)
class Box:
    """A rectangle in millimetres, measured from the page's top-left corner."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def px(self, dpi: float) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) in pixels of a rendering at `dpi`."""
        k = dpi / 25.4
        return (round(self.x * k), round(self.y * k), round(self.right * k), round(self.bottom * k))

    def corners(self) -> tuple[tuple[float, float], ...]:
        """Its four corners from the top-left, clockwise: top-left, top-right, bottom-right,
        bottom-left."""
        return ((self.x, self.y), (self.right, self.y), (self.right, self.bottom), (self.x, self.bottom))

    def inset(self, d: float) -> Box:
        return Box(self.x + d, self.y + d, self.w - 2 * d, self.h - 2 * d)

    def overlaps(self, other: Box) -> bool:
        return (self.x < other.right and other.x < self.right
                and self.y < other.bottom and other.y < self.bottom)


@dataclass(frozen=True)
class Fonts:
    """Names of the registered fonts to pass to `canvas.setFont`."""

    regular: str
    bold: str


@functools.cache
def fonts() -> Fonts:
    """Register a Unicode TrueType font once and return its names.

    DejaVu Sans when the system has it (it covers every accent of the campaign
    files); otherwise the Vera fonts bundled with reportlab, so kits always print.
    """
    candidates = [
        ("ScanpipeSans", DEJAVU_DIR / "DejaVuSans.ttf",
         "ScanpipeSans-Bold", DEJAVU_DIR / "DejaVuSans-Bold.ttf"),
    ]
    bundled = Path(reportlab.__file__).parent / "fonts"
    candidates.append(("ScanpipeVera", bundled / "Vera.ttf",
                       "ScanpipeVera-Bold", bundled / "VeraBd.ttf"))
    for name, path, bold_name, bold_path in candidates:
        if path.is_file() and bold_path.is_file():
            pdfmetrics.registerFont(TTFont(name, os.fspath(path)))
            pdfmetrics.registerFont(TTFont(bold_name, os.fspath(bold_path)))
            return Fonts(name, bold_name)
    raise RuntimeError("no TrueType font found: install fonts-dejavu-core or reinstall reportlab")


def _shaped(text: str, font: str, size: float) -> typeset.Line | None:
    """`text` laid out by `typeset` when it needs it (another script, right to left, combining
    marks) and `font` is one of ours; None when reportlab's plain drawing does."""
    ours = fonts()
    if font not in (ours.regular, ours.bold) or not typeset.needs_shaping(text, font):
        return None
    return typeset.shape_line(text, font, font == ours.bold, size)


def draw_string(canvas: Canvas, x: float, y: float, text: str, anchor: str = "start") -> None:
    """Draw `text` in the canvas's current font with its start, middle or end (`anchor`) at
    (`x`, `y`) points, in any script: every text of a paper goes through here."""
    font, size = canvas._fontname, canvas._fontsize
    line = _shaped(text, font, size)
    if line is None:
        draw = {"start": Canvas.drawString, "middle": Canvas.drawCentredString,
                "end": Canvas.drawRightString}[anchor]
        draw(canvas, x, y, text)
        return
    shift = {"start": 0.0, "middle": line.width / 2, "end": line.width}[anchor]
    typeset.draw_line(canvas, x - shift, y, line, size)


class ShapingCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no types: Canvas is Any
    """A reportlab canvas whose drawString, drawCentredString and drawRightString draw every
    script (see `draw_string`)."""

    # Text reportlab draws itself keeps the options it was given (character spacing…).
    def drawString(self, x: float, y: float, text: str, *args: object, **kwargs: object) -> None:
        if _shaped(text, self._fontname, self._fontsize) is None:
            super().drawString(x, y, text, *args, **kwargs)
        else:
            draw_string(self, x, y, text)

    def drawCentredString(self, x: float, y: float, text: str, *args: object,
                          **kwargs: object) -> None:
        if _shaped(text, self._fontname, self._fontsize) is None:
            super().drawCentredString(x, y, text, *args, **kwargs)
        else:
            draw_string(self, x, y, text, "middle")

    def drawRightString(self, x: float, y: float, text: str, *args: object,
                        **kwargs: object) -> None:
        if _shaped(text, self._fontname, self._fontsize) is None:
            super().drawRightString(x, y, text, *args, **kwargs)
        else:
            draw_string(self, x, y, text, "end")


def text_width(text: str, font: str, size: float) -> float:
    """Width of `text` in points as `draw_string` draws it."""
    line = _shaped(text, font, size)
    return float(pdfmetrics.stringWidth(text, font, size)) if line is None else line.width


def new_canvas(page_w_mm: float, page_h_mm: float, title: str) -> tuple[Canvas, io.BytesIO]:
    """A canvas writing into memory; deterministic output (no creation date, no random id)."""
    out = io.BytesIO()
    canvas = ShapingCanvas(out, pagesize=(page_w_mm * mm, page_h_mm * mm), invariant=1,
                    pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("scanpipe")
    return canvas, out


# ------------------------------------------------------------------ QR codes

@functools.lru_cache(maxsize=256)
def qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules of `text` (no quiet zone), level M at least, boosted by segno."""
    qr = segno.make_qr(text, error="m", boost_error=True)
    return tuple(tuple(bool(v) for v in row) for row in qr.matrix)


def qr_size_mm(text: str, module_mm: float) -> float:
    """Side of the drawn QR, quiet zone included."""
    return (len(qr_matrix(text)) + 2 * QUIET_ZONE_MODULES) * module_mm


def draw_qr(canvas: Canvas, text: str, x_mm: float, y_mm: float, module_mm: float = 0.6) -> float:
    """Draw `text` as a QR code of vector squares and return its side in mm.

    (`x_mm`, `y_mm`) is the lower-left corner of the quiet zone in reportlab's
    coordinates (mm from the page's bottom-left). The 4-module quiet zone is
    painted white, so nothing drawn earlier shows through it; callers keep
    later drawings out of it.
    """
    if module_mm < MIN_MODULE_MM:
        raise ValueError(f"QR module of {module_mm} mm is below {MIN_MODULE_MM} mm: "
                         "printers and scanners lose such small modules")
    matrix = qr_matrix(text)
    n = len(matrix)
    side = (n + 2 * QUIET_ZONE_MODULES) * module_mm
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x_mm * mm, y_mm * mm, side * mm, side * mm, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    m = module_mm * mm
    origin_x = x_mm * mm + QUIET_ZONE_MODULES * m
    top = y_mm * mm + side * mm - QUIET_ZONE_MODULES * m
    path = canvas.beginPath()
    # One rectangle per horizontal run of dark modules keeps the PDF small.
    for r, row in enumerate(matrix):
        for start, end in true_runs(row):
            path.rect(origin_x + start * m, top - (r + 1) * m, (end - start) * m, m)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
    return side


def draw_qr_in(canvas: Canvas, page_h_mm: float, text: str, zone: Box, module_mm: float) -> Box:
    """Draw a QR in the top-right corner of `zone` (top-left mm); return the box it covers."""
    side = qr_size_mm(text, module_mm)
    if side > zone.w + 1e-6 or side > zone.h + 1e-6:
        raise ValueError(f"QR of {side:.1f} mm does not fit its {zone.w:.1f} mm zone")
    box = Box(zone.right - side, zone.y, side, side)
    draw_qr(canvas, text, box.x, page_h_mm - box.bottom, module_mm)
    return box


# ------------------------------------------------------------------ text and boxes

def wrap_text(text: str, font: str, size: float, width_mm: float) -> list[str]:
    """Split `text` into lines no wider than `width_mm`; keeps explicit line breaks.

    A word longer than the width is cut, so nothing ever runs off the page.
    """
    width = width_mm * mm
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, font, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while text_width(word, font, size) > width:
                cut = len(word)
                while cut > 1 and text_width(word[:cut], font, size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return lines


def fit_text(text: str, font: str, sizes: tuple[float, ...], box: Box,
             leading: float = 1.25) -> tuple[float, list[str]]:
    """The largest size in `sizes` at which `text` fits `box`; at the smallest, cut with "…"."""
    longest = max(text.split(), key=lambda w: text_width(w, font, 10), default="")
    for size in sizes:
        # A size that must cut a word in two is refused while a smaller one remains.
        if text_width(longest, font, size) > box.w * mm and size != sizes[-1]:
            continue
        lines = wrap_text(text, font, size, box.w)
        if len(lines) * size * leading <= box.h * mm:
            return size, lines
    size = sizes[-1]
    lines = wrap_text(text, font, size, box.w)
    keep = max(1, int(box.h * mm // (size * leading)))
    if len(lines) > keep:
        lines = lines[:keep]
        lines[-1] = lines[-1].rstrip(" .,;") + " …"
    return size, lines


def draw_lines(canvas: Canvas, page_h_mm: float, lines: list[str], x_mm: float, top_mm: float,
               font: str, size: float, leading: float = 1.25) -> float:
    """Draw `lines` left-aligned from `top_mm`; return the y (mm from top) under the last."""
    canvas.setFont(font, size)
    y = top_mm * mm + size  # first baseline one font size under the top
    for line in lines:
        draw_string(canvas, x_mm * mm, page_h_mm * mm - y, line)
        y += size * leading
    return float((y - size * leading + size * 0.3) / mm)


def draw_text(canvas: Canvas, page_h_mm: float, text: str, x_mm: float, top_mm: float,
              width_mm: float, font: str, size: float, leading: float = 1.25) -> float:
    """Wrap and draw `text`; return the y (mm from top) under the last line."""
    return draw_lines(canvas, page_h_mm, wrap_text(text, font, size, width_mm),
                      x_mm, top_mm, font, size, leading)


def string_mm(text: str, font: str, size: float) -> float:
    """Width of `text` in mm."""
    return float(text_width(text, font, size) / mm)


def fit_line(text: str, font: str, sizes: Sequence[float], width_mm: float) -> float:
    """The first (largest) of `sizes` at which `text` holds on one line of `width_mm`;
    the last when none does."""
    for size in sizes:
        if string_mm(text, font, size) <= width_mm:
            return size
    return sizes[-1]


@contextlib.contextmanager
def _pen(canvas: Canvas, width_pt: float, gray: float) -> Iterator[None]:
    """Stroke with a line of `width_pt` points in `gray` inside the block."""
    canvas.saveState()
    canvas.setLineWidth(width_pt)
    canvas.setStrokeGray(gray)
    yield
    canvas.restoreState()


def draw_box(canvas: Canvas, page_h_mm: float, box: Box, width_pt: float = 0.6,
             gray: float = 0.0) -> None:
    """Stroke the outline of `box`."""
    with _pen(canvas, width_pt, gray):
        canvas.rect(box.x * mm, (page_h_mm - box.bottom) * mm, box.w * mm, box.h * mm,
                    stroke=1, fill=0)


def _line(canvas: Canvas, page_h_mm: float, start: tuple[float, float], end: tuple[float, float],
          width_pt: float, gray: float) -> None:
    """A straight line between two points given in mm from the top-left corner."""
    with _pen(canvas, width_pt, gray):
        canvas.line(start[0] * mm, (page_h_mm - start[1]) * mm, end[0] * mm, (page_h_mm - end[1]) * mm)


def hline(canvas: Canvas, page_h_mm: float, x0: float, x1: float, y: float,
          width_pt: float = 0.4, gray: float = 0.0) -> None:
    """A horizontal line at `y` mm from the top."""
    _line(canvas, page_h_mm, (x0, y), (x1, y), width_pt, gray)


def vline(canvas: Canvas, page_h_mm: float, x: float, y0: float, y1: float,
          width_pt: float = 0.4, gray: float = 0.0) -> None:
    """A vertical line at `x` mm from the left, from `y0` to `y1` mm from the top."""
    _line(canvas, page_h_mm, (x, y0), (x, y1), width_pt, gray)


def baseline(page_h_mm: float, top_mm: float, size: float) -> float:
    """Reportlab y (points) of the baseline of a `size` line whose top is at `top_mm`."""
    return float(page_h_mm * mm - top_mm * mm - size)
