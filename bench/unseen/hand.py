"""Handwriting of the unseen pages: real strokes, a pen of our own, signatures, stationery.

Three hands. Real strokes: lines of French manuscripts (`real.manuscript_lines`)
laid into a writing box, scaled to its ruling. A neat hand: words set in a
handwriting-like font (`fonts.hand_fonts`), each word nudged off the line and
turned a little, the whole layer bent by a smooth random field and its stroke
thickened or thinned, so no two lines look set. Signatures: a scribble of our
own (a smooth curve through random points that moves right, with loops and an
underline). Ink is laid on paper by darkening it, as a pen does; pencil is grey
and grainy. Stationery (ruled, squared, French Seyès) is drawn here too.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from bench.unseen import fonts, real

INKS = {"black": (25, 25, 35), "blue": (20, 40, 140), "royal": (30, 60, 190),
        "pencil": (105, 105, 110), "thin_grey": (120, 120, 130)}


@dataclass(frozen=True)
class Pen:
    """How ink goes on paper: its colour, its strength (0..1) and whether it is pencil."""

    colour: tuple[int, int, int]
    strength: float = 0.95
    pencil: bool = False

    @staticmethod
    def named(name: str, rng: np.random.Generator) -> Pen:
        if name == "pencil":
            return Pen(INKS["pencil"], float(rng.uniform(0.35, 0.6)), True)
        if name == "thin_grey":
            return Pen(INKS["thin_grey"], float(rng.uniform(0.45, 0.7)))
        return Pen(INKS[name], float(rng.uniform(0.85, 1.0)))


def lay_ink(page: Image.Image, ink: np.ndarray, x: int, y: int, pen: Pen,
            rng: np.random.Generator) -> Image.Image:
    """`ink` (0..1) laid on `page` with its top-left at (x, y), clipped to the page.

    Only the region under the ink is touched (the page is changed in place and returned).
    """
    h, w = ink.shape
    x0, y0, x1, y1 = max(0, x), max(0, y), min(page.width, x + w), min(page.height, y + h)
    if x1 <= x0 or y1 <= y0:
        return page
    a = ink[y0 - y:y1 - y, x0 - x:x1 - x] * pen.strength
    if pen.pencil:  # graphite sits on the paper's grain: patchy
        a = a * rng.uniform(0.45, 1.0, size=a.shape).astype(np.float32)
    a = a[..., None]
    colour = np.array(pen.colour, dtype=np.float32)
    region = np.asarray(page.crop((x0, y0, x1, y1)).convert("RGB"), dtype=np.float32)
    blended = region * (1 - a) + np.minimum(region, colour) * a
    page.paste(Image.fromarray(np.clip(blended + 0.5, 0, 255).astype(np.uint8), "RGB"), (x0, y0))
    return page


def _bend(layer: np.ndarray, rng: np.random.Generator, amplitude: float, cell: float) -> np.ndarray:
    """`layer` displaced by a smooth random field (amplitude in pixels, cell its wavelength)."""
    h, w = layer.shape
    gh, gw = max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)
    dx = cv2.resize(rng.normal(0, amplitude, (gh, gw)).astype(np.float32), (w, h),
                    interpolation=cv2.INTER_CUBIC)
    dy = cv2.resize(rng.normal(0, amplitude, (gh, gw)).astype(np.float32), (w, h),
                    interpolation=cv2.INTER_CUBIC)
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(layer, xs + dx, ys + dy, cv2.INTER_LINEAR, borderValue=0)


def font_ink(lines: list[str], font_path, size_px: int, pitch_px: float, width_px: int,
             rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """Ink of `lines` written in a neat hand: wrapped to `width_px`, a line every `pitch_px`.

    Returns the ink and the lines as actually written (after wrapping).
    """
    font = fonts.load(font_path, size_px)
    lines = [writable(line, font) for line in lines]
    written: list[str] = []
    for line in lines:
        current: list[str] = []
        for word in line.split():
            if current and font.getlength(" ".join([*current, word])) * 1.08 > width_px:
                written.append(" ".join(current))
                current = [word]
            else:
                current.append(word)
        written.append(" ".join(current))
    height = int(pitch_px * (len(written) + 1))
    layer = Image.new("L", (width_px, max(1, height)), 0)
    slope = float(rng.normal(0, 0.01))
    space = font.getlength(" ")
    for i, line in enumerate(written):
        baseline = pitch_px * (i + 0.85)
        x = float(rng.uniform(0, size_px * 0.6)) if i else 0.0
        for word in line.split():
            word_w = font.getlength(word)
            size = max(6, int(size_px * rng.uniform(0.92, 1.08)))
            word_img = Image.new("L", (int(word_w * 1.2) + size, int(size * 1.8)), 0)
            ImageDraw.Draw(word_img).text((size // 4, int(size * 1.3)), word,
                                          font=fonts.load(font_path, size), fill=255, anchor="ls")
            word_img = word_img.rotate(float(rng.normal(0, 1.5)), resample=Image.BICUBIC,
                                       expand=False)
            y = baseline + slope * x + float(rng.normal(0, size_px * 0.06)) - size * 1.3
            layer.paste(255, (int(x) - size // 4, int(y)), word_img)
            x += word_w + space * float(rng.uniform(0.8, 1.5))
    ink = np.asarray(layer, dtype=np.float32) / 255.0
    ink = _bend(ink, rng, amplitude=size_px * 0.05, cell=size_px * 1.5)
    weight = int(rng.integers(-1, 2))
    if weight:  # a broader or a finer nib
        kernel = np.ones((2, 2), np.uint8)
        ink = cv2.dilate(ink, kernel) if weight > 0 else cv2.erode(ink, kernel)
    return np.clip(ink, 0, 1), written


def writable(text: str, font) -> str:
    """`text` as a hand with this font writes it: letters the font lacks (Humor Sans has no
    accents) lose their accent, as people writing in capitals do."""
    missing = font.getmask("\uffff").getbbox()
    out = []
    for ch in text:
        if ch.strip() and font.getmask(ch).getbbox() == missing:
            bare = unicodedata.normalize("NFKD", ch)[0]
            ch = bare if font.getmask(bare).getbbox() != missing else ""
        out.append(ch)
    return "".join(out)


def write_neat(page: Image.Image, box: tuple[int, int, int, int], lines: list[str], pitch_px: float,
               pen: Pen, rng: np.random.Generator, font_path=None) -> tuple[Image.Image, list[str]]:
    """`lines` written by a neat hand into `box` (pixels), on ruling every `pitch_px`.

    Returns the page and the lines as written: wrapped, and only those that fit the box.
    """
    hands = fonts.hand_fonts()
    font_path = font_path or hands[int(rng.integers(len(hands)))]
    size = int(pitch_px * float(rng.uniform(0.62, 0.8)))
    ink, written = font_ink(lines, font_path, size, pitch_px, box[2] - box[0], rng)
    fit = max(0, int((box[3] - box[1]) // pitch_px))
    written = written[:fit]
    ink = ink[: int(fit * pitch_px + pitch_px * 0.35)]
    return lay_ink(page, ink, box[0], box[1], pen, rng), written


def write_real(page: Image.Image, box: tuple[int, int, int, int], pitch_px: float, pen: Pen,
               rng: np.random.Generator, max_lines: int | None = None) -> tuple[Image.Image, list[str]]:
    """Real manuscript lines laid into `box`, one per ruling; returns their transcription."""
    strokes = real.manuscript_lines()
    start = int(rng.integers(len(strokes)))
    width = box[2] - box[0]
    texts: list[str] = []
    y = float(box[1])
    n = 0
    while y + pitch_px <= box[3] and (max_lines is None or n < max_lines):
        line = strokes[(start + n) % len(strokes)]
        scale = pitch_px * float(rng.uniform(1.1, 1.45)) / line.ink.shape[0]
        w = int(line.ink.shape[1] * scale)
        h = max(1, int(line.ink.shape[0] * scale))
        ink = cv2.resize(line.ink, (max(1, w), h), interpolation=cv2.INTER_AREA)
        if w > width:
            ink = ink[:, :width]
        offset = int(rng.uniform(0, pitch_px * 0.4))
        page = lay_ink(page, ink, box[0] + offset, int(y + pitch_px - h * 0.8), pen, rng)
        texts.append(line.text)
        y += pitch_px
        n += 1
    return page, texts


def signature_ink(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A signature: a smooth stroke through random points moving right, loops, an underline."""
    n = int(rng.integers(6, 14))
    xs = np.sort(rng.uniform(0.05, 0.85, n)) * width
    ys = rng.uniform(0.15, 0.75, n) * height
    loops = rng.random(n) < 0.15
    points = []
    for x, y, loop in zip(xs, ys, loops):
        points.append((x, y))
        if loop:  # a small loop: back and round
            r = height * float(rng.uniform(0.08, 0.2))
            points += [(x + r, y - r), (x, y - 2 * r), (x - r * 0.5, y - r)]
    pts = np.array(points, dtype=np.float32)
    # Catmull-Rom through the points
    curve = []
    padded = np.vstack([pts[:1], pts, pts[-1:]])
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for t in np.linspace(0, 1, 12, endpoint=False):
            t2, t3 = t * t, t * t * t
            curve.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                                + (-p0 + 3 * p1 - 3 * p2 + p3) * t3))
    layer = np.zeros((height, width), np.uint8)
    thickness = max(1, round(height * float(rng.uniform(0.02, 0.035))))
    cv2.polylines(layer, [np.array(curve, dtype=np.int32)], False, 255, thickness, cv2.LINE_AA)
    if rng.random() < 0.6:
        y0 = int(height * rng.uniform(0.75, 0.9))
        cv2.line(layer, (int(width * 0.05), y0 + int(rng.integers(-3, 4))),
                 (int(width * rng.uniform(0.6, 0.95)), y0), 255, thickness, cv2.LINE_AA)
    return layer.astype(np.float32) / 255.0


def sign(page: Image.Image, box: tuple[int, int, int, int], pen: Pen,
         rng: np.random.Generator) -> Image.Image:
    """A signature written into `box` (pixels)."""
    w, h = max(8, box[2] - box[0]), max(8, box[3] - box[1])
    return lay_ink(page, signature_ink(w, h, rng), box[0], box[1], pen, rng)


def stationery(kind: str, size_px: tuple[int, int], dpi: int, rng: np.random.Generator) -> Image.Image:
    """Writing paper: plain, ruled, squared (5 mm) or French Seyès (8 mm with 2 mm lines)."""
    page = Image.new("RGB", size_px, (255, 255, 255))
    draw = ImageDraw.Draw(page)
    mm = dpi / 25.4
    w, h = size_px
    if kind == "ruled":
        pitch = float(rng.uniform(7, 9)) * mm
        y = 25 * mm
        while y < h - 10 * mm:
            draw.line([(0, int(y)), (w, int(y))], fill=(170, 190, 220), width=max(1, int(0.2 * mm)))
            y += pitch
        draw.line([(int(25 * mm), 0), (int(25 * mm), h)], fill=(230, 140, 140), width=max(1, int(0.2 * mm)))
    elif kind == "squared":
        step = 5 * mm
        for x in np.arange(0, w, step):
            draw.line([(int(x), 0), (int(x), h)], fill=(200, 210, 230), width=1)
        for y in np.arange(0, h, step):
            draw.line([(0, int(y)), (w, int(y))], fill=(200, 210, 230), width=1)
    elif kind == "seyes":
        for y in np.arange(0, h, 2 * mm):
            strong = round(y / (2 * mm)) % 4 == 0
            draw.line([(0, int(y)), (w, int(y))], fill=(150, 150, 220) if strong else (205, 205, 235),
                      width=max(1, int(0.15 * mm)) if strong else 1)
        for x in np.arange(0, w, 8 * mm):
            draw.line([(int(x), 0), (int(x), h)], fill=(205, 205, 235), width=1)
        draw.line([(int(30 * mm), 0), (int(30 * mm), h)], fill=(225, 120, 150), width=max(1, int(0.2 * mm)))
    return page


def ruling_pitch(kind: str, dpi: int, rng: np.random.Generator) -> float:
    """The line pitch a writer keeps on this paper (pixels)."""
    mm = dpi / 25.4
    return {"ruled": 8.0, "squared": 10.0, "seyes": 8.0}.get(kind, float(rng.uniform(8, 11))) * mm
