"""Realistic scans of kit documents, made deterministically from a seed.

Used to build sample sets and recognition tests without a scanner: a PDF page
is rasterised, written on by "hand" (a handwriting font when one is installed,
procedurally drawn cursive strokes otherwise), then put on a scanner's dark
background slightly rotated and skewed, with paper tint, noise, blur and JPEG
compression. Envelopes are drawn with a kit label (or a handwritten address),
a stamp and a postmark; returned delivery sheets with the receiver's name, a
date, a signature and an office stamp. Same seed, same bytes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypedDict, Unpack

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

from scanpipe.paper import render, sheets
from scanpipe.paper.kits import LABEL_SHEET
from scanpipe.simulate import degrade

PxBox = tuple[int, int, int, int]  # left, top, right, bottom in pixels
AUTO = "auto"
FONT_ROOTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# Handwriting fonts of the Debian packages fonts-dkg-handwriting, fonts-breip,
# fonts-femkeklaver and fonts-dancingscript, in the order seeds pick them.
HANDWRITING_FILES = ("dkg.ttf", "dkgIt.ttf", "femkeklaver.ttf", "Breip.ttf",
                     "DancingScript-Regular.otf")
INKS = ((22, 38, 140), (12, 52, 160), (30, 30, 40), (40, 40, 110))
DEFAULT_LINES = (
    "Madame, Monsieur, je vous écris pour vous demander de respecter les droits "
    "de cette personne et de la libérer sans attendre.",
    "Avec mes salutations respectueuses.",
)


def _mm(value: float, dpi: float) -> int:
    return round(value * dpi / 25.4)


def font_files(names: Collection[str]) -> dict[str, str]:
    """The installed font files among `names`: file name to path, the first found under FONT_ROOTS."""
    found: dict[str, str] = {}
    for root in FONT_ROOTS:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.name in names and path.name not in found:
                    found[path.name] = str(path)
    return found


@functools.cache
def handwriting_fonts() -> tuple[str, ...]:
    """Installed handwriting font files (paths), in a fixed order; empty when none."""
    found = font_files(HANDWRITING_FILES)
    return tuple(found[name] for name in HANDWRITING_FILES if name in found)


def rasterise_pdf(pdf_bytes: bytes, dpi: float) -> list[Image.Image]:
    """Every page of a PDF as an RGB image at `dpi` (white background)."""
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in doc]
    finally:
        doc.close()


# ------------------------------------------------------------------ the hand

@dataclass(frozen=True)
class _Style:
    ink: tuple[int, int, int]
    font_path: str | None
    x_height: float   # px
    stroke: int       # px, procedural path only
    slant: float      # procedural path only


class _Hand:
    """Writes words on an image the way a person would, with per-word wobble."""

    def __init__(self, image: Image.Image, rng: np.random.Generator, style: _Style):
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.rng = rng
        self.style = style
        self.font = None
        if style.font_path:
            # Scale the font so its x-height matches the target (fonts differ a lot).
            probe = ImageFont.truetype(style.font_path, 100)
            _left, top, _right, _bottom = probe.getbbox("x", anchor="ls")
            size = max(8, round(100 * style.x_height / max(1, -top)))
            self.font = ImageFont.truetype(style.font_path, size)

    def width(self, word: str) -> float:
        if self.font is not None:
            return self.font.getlength(word)
        return sum(self._letter_w(ch) for ch in word)

    def space(self) -> float:
        return self.style.x_height * (0.9 if self.font is None else 0.6)

    def word(self, word: str, x: float, base: float) -> None:
        if self.font is not None:
            self._font_word(self.font, word, x, base)
        else:
            self._stroke_word(word, x, base)

    def _font_word(self, font: ImageFont.FreeTypeFont, word: str, x: float, base: float) -> None:
        # FreeType's boxes are whole pixels, though typed as floats.
        left, top, right, bottom = (int(v) for v in font.getbbox(word, anchor="ls"))
        pad = 4
        mask = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
        ImageDraw.Draw(mask).text((pad - left, pad - top), word, font=font, fill=255,
                                  anchor="ls")
        angle = float(self.rng.uniform(-2.5, 2.5))
        mask = mask.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
        strength = float(self.rng.uniform(0.82, 1.0))
        mask = mask.point(lambda v: int(v * strength))
        # Paste so the word's baseline lands on `base` despite the rotation's growth.
        grow_w = (mask.width - (right - left + 2 * pad)) / 2
        grow_h = (mask.height - (bottom - top + 2 * pad)) / 2
        self.image.paste(self.style.ink, (round(x + left - pad - grow_w),
                                          round(base + top - pad - grow_h)), mask)

    def _letter_w(self, ch: str) -> float:
        if ch.isspace():
            return self.space()
        xh = self.style.x_height
        if ch in "mwMW":
            return xh * 1.25
        if ch in "iljt.,'!:;":
            return xh * 0.45
        return xh * (0.95 if ch.isupper() else 0.75)

    def _stroke_word(self, word: str, x: float, base: float) -> None:
        """Cursive-like garlands: one loop per letter, taller for ascenders and capitals."""
        xh, rng, slant = self.style.x_height, self.rng, self.style.slant
        points: list[tuple[float, float]] = [(x, base)]
        dots: list[tuple[float, float]] = []
        for ch in word:
            w = self._letter_w(ch)
            if not ch.isalnum():
                if ch in ".,;:!?'":
                    dots.append((x + w * 0.3, base - (0 if ch in ".,;:" else xh)))
                x += w
                continue
            height = xh * (2.1 if (ch.isupper() or ch.isdigit() or ch in "bdfhklt") else 1.0)
            height *= float(rng.uniform(0.85, 1.15))
            depth = xh * 1.1 if ch in "gjpqyf" else 0.0
            loop = float(rng.uniform(0.18, 0.32)) * w
            steps = 10
            for k in range(1, steps + 1):
                t = 2 * math.pi * k / steps
                dx = w * k / steps + loop * math.sin(t)  # backwards at the top: a loop
                dy = -height * (1 - math.cos(t)) / 2
                if depth and k > steps // 2:
                    dy += depth * math.sin(math.pi * (k - steps / 2) / (steps / 2))
                points.append((x + dx - slant * dy, base + dy))
            if ch in "ij":
                dots.append((x + w * 0.5 + slant * xh * 1.6, base - xh * 1.6))
            x += w
        self.draw.line(points, fill=self.style.ink, width=self.style.stroke, joint="curve")
        r = max(1, self.style.stroke)
        for px, py in dots:
            self.draw.ellipse((px - r, py - r, px + r, py + r), fill=self.style.ink)

    def signature(self, box: PxBox) -> None:
        """A scribbled signature inside `box`, ending with an underline flourish."""
        left, top, right, bottom = box
        w, h = right - left, bottom - top
        rng = self.rng
        base = top + h * float(rng.uniform(0.6, 0.75))
        x = left + w * float(rng.uniform(0.06, 0.18))
        end = left + w * float(rng.uniform(0.62, 0.9))
        loops = int(rng.integers(3, 8))
        slant = float(rng.uniform(0.1, 0.5))
        points = [(x, base)]
        for i in range(loops):
            step = (end - x) / (loops - i) * float(rng.uniform(0.6, 1.4))
            height = h * float(rng.uniform(0.2, 0.5)) * (1.8 if i == 0 else 1.0)
            depth = h * float(rng.uniform(0.15, 0.3)) if rng.random() < 0.25 else 0.0
            back = float(rng.uniform(0.2, 0.5))
            for k in range(1, 11):
                t = 2 * math.pi * k / 10
                dy = -height * (1 - math.cos(t)) / 2
                if depth and k > 5:
                    dy += depth * math.sin(math.pi * (k - 5) / 5)
                points.append((x + step * k / 10 + step * back * math.sin(t) - slant * dy,
                               base + dy))
            x += step
        points.append((end + w * 0.05, base + h * 0.12))
        points.append((left + w * 0.1, base + h * 0.2))
        width = max(2, self.style.stroke)
        self.draw.line(points, fill=self.style.ink, width=width, joint="curve")


def _style(rng: np.random.Generator, dpi: float, pitch: float, font: str | None,
           ink: tuple[int, int, int] | None) -> _Style:
    if font == AUTO:
        fonts = handwriting_fonts()
        font = fonts[int(rng.integers(len(fonts)))] if fonts else None
    chosen_ink = ink or INKS[int(rng.integers(len(INKS)))]
    return _Style(ink=chosen_ink, font_path=font,
                  x_height=pitch * float(rng.uniform(0.22, 0.3)),
                  stroke=max(1, round(dpi / 100 * float(rng.uniform(0.9, 1.4)))),
                  slant=float(rng.uniform(0.05, 0.3)))


def _write_lines(hand: _Hand, box: PxBox, paragraphs: Sequence[str], pitch: float) -> None:
    left, top, right, bottom = box
    rng = hand.rng
    margin = pitch * 0.4
    k = 1
    for paragraph in paragraphs:
        words = paragraph.split()
        while words:
            base = top + k * pitch - pitch * 0.12
            if base > bottom - pitch * 0.05:
                return
            drift = float(rng.uniform(-0.012, 0.012))  # lines slope a little
            wave = float(rng.uniform(0.02, 0.06)) * pitch
            phase = float(rng.uniform(0, 2 * math.pi))
            x = left + margin + (pitch * 0.6 if k == 1 else 0) + float(rng.uniform(0, pitch * 0.3))
            while words:
                w = hand.width(words[0])
                if x + w > right - margin and x > left + margin * 2:
                    break
                y = base + drift * (x - left) + wave * math.sin(phase + x / (pitch * 3))
                hand.word(words.pop(0), x, y + float(rng.normal(0, pitch * 0.015)))
                x += w + hand.space() * float(rng.uniform(0.8, 1.3))
            k += 1


def _write_field(hand: _Hand, box: PxBox, value: str) -> None:
    left, top, right, bottom = box
    base = top + (bottom - top) * 0.74
    x = left + (bottom - top) * 0.2
    for word in value.split():
        hand.word(word, x, base + float(hand.rng.normal(0, (bottom - top) * 0.02)))
        x += hand.width(word) + hand.space()
        if x > right:
            break


class Handwriting(TypedDict, total=False):
    """What `write_by_hand` writes, as keyword arguments the scanning functions pass on."""

    writing_box_px: PxBox | None
    handwriting_lines: Sequence[str] | None
    line_pitch_px: float | None
    fields: Sequence[tuple[PxBox, str]]
    signature_boxes_px: Sequence[PxBox]
    handwriting_font: str | None
    ink: tuple[int, int, int] | None


def write_by_hand(page_image: Image.Image, *, seed: int, dpi: float,
                  writing_box_px: PxBox | None = None,
                  handwriting_lines: Sequence[str] | None = None,
                  line_pitch_px: float | None = None,
                  fields: Sequence[tuple[PxBox, str]] = (),
                  signature_boxes_px: Sequence[PxBox] = (),
                  handwriting_font: str | None = AUTO,
                  ink: tuple[int, int, int] | None = None) -> Image.Image:
    """A copy of `page_image` written on by hand.

    `handwriting_lines` (paragraphs, wrapped to the box) go in `writing_box_px`
    on lines `line_pitch_px` apart (default 8 mm) starting one pitch under its
    top — as ruled on kit sheets; `fields` are one-line entries (name, town),
    `signature_boxes_px` get a scribbled signature. `handwriting_font` is a font
    file, AUTO (an installed handwriting font picked by the seed, procedural
    strokes when none is installed) or None (procedural strokes).
    """
    rng = np.random.default_rng([seed, 1])
    image = page_image.convert("RGB")  # always a copy
    pitch = line_pitch_px or _mm(8.0, dpi)
    hand = _Hand(image, rng, _style(rng, dpi, pitch, handwriting_font, ink))
    if writing_box_px is not None:
        _write_lines(hand, writing_box_px, handwriting_lines or DEFAULT_LINES, pitch)
    for box, value in fields:
        # Smaller writing in cells, and smaller still when the words would overflow.
        field_hand = _Hand(image, rng, _style(rng, dpi, (box[3] - box[1]) * 0.85,
                                               hand.style.font_path, hand.style.ink))
        room = (box[2] - box[0]) * 0.9
        needed = sum(field_hand.width(w) + field_hand.space() for w in value.split())
        if needed > room:
            smaller = replace(field_hand.style, x_height=field_hand.style.x_height * room / needed)
            field_hand = _Hand(image, rng, smaller)
        _write_field(field_hand, box, value)
    for box in signature_boxes_px:
        hand.signature(box)
    return image


# ------------------------------------------------------------------ the scanner

def _scan(image: Image.Image, rng: np.random.Generator, dpi: float, max_rotation_deg: float,
          quarter_turns: int, grayscale: bool) -> Image.Image:
    page = np.asarray(image.convert("RGB"), dtype=np.float32)
    h, w = page.shape[:2]
    # Paper is white to slightly warm: blue lowest, green between.
    red = float(rng.uniform(0.955, 0.995))
    green, blue = red - float(rng.uniform(0.0, 0.012)), red - float(rng.uniform(0.01, 0.04))
    tint = np.array([red, green, blue], dtype=np.float32)
    shade = np.linspace(float(rng.uniform(0.95, 1.0)), 1.0, w, dtype=np.float32)[None, :, None]
    page = page * tint * shade

    pad = _mm(4.0, dpi)
    out_w, out_h = w + 2 * pad, h + 2 * pad
    angle = float(rng.uniform(-max_rotation_deg, max_rotation_deg))
    shear = float(rng.uniform(-0.004, 0.004))
    shift = rng.uniform(-pad / 3, pad / 3, size=2)
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rot = rot @ np.array([[1, shear, -shear * h / 2], [0, 1, 0], [0, 0, 1]], dtype=np.float64)
    rot[:, 2] += (pad + shift[0], pad + shift[1])
    background = float(rng.uniform(45, 70))
    scanned = cv2.warpAffine(page, rot, (out_w, out_h), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT,
                             borderValue=(background, background, background))
    # Luminance noise on all channels alike: sensor grain without colour speckle.
    noise = rng.normal(0, float(rng.uniform(2.0, 3.5)), size=(out_h, out_w, 1)).astype(np.float32)
    scanned = cv2.GaussianBlur(scanned + noise, (0, 0), float(rng.uniform(0.55, 0.85)))
    pixels = np.clip(scanned, 0, 255).astype(np.uint8)
    if quarter_turns % 4:
        pixels = np.ascontiguousarray(np.rot90(pixels, k=-(quarter_turns % 4)))
    result = Image.fromarray(pixels, "RGB")
    return result.convert("L") if grayscale else result


def scan_image(page_image: Image.Image, *, seed: int, dpi: float, max_rotation_deg: float = 2.5,
               quarter_turns: int = 0, grayscale: bool = False,
               **hand: Unpack[Handwriting]) -> Image.Image:
    """Like `simulate_scan`, but the scanned image before any file encoding."""
    written = page_image
    if hand.get("writing_box_px") is not None or hand.get("fields") or hand.get("signature_boxes_px"):
        written = write_by_hand(page_image, seed=seed, dpi=dpi, **hand)
    rng = np.random.default_rng([seed, 2])
    return _scan(written, rng, dpi, max_rotation_deg, quarter_turns, grayscale)


def simulate_scan(page_image: Image.Image, *, seed: int, dpi: float, max_rotation_deg: float = 2.5,
                  quarter_turns: int = 0, jpeg_quality: tuple[int, int] = (60, 85),
                  grayscale: bool = False, **hand: Unpack[Handwriting]) -> bytes:
    """A realistic scan of `page_image` (rendered at `dpi`) as JPEG bytes.

    Handwriting (`hand`) as in `write_by_hand`; then a rotation within ±`max_rotation_deg`
    and a slight skew onto a dark-grey scanner background, paper tint, noise,
    blur, `quarter_turns` clockwise quarter turns (pages fed sideways or upside
    down) and JPEG at a quality drawn from `jpeg_quality`. Deterministic in `seed`.
    """
    image = scan_image(page_image, seed=seed, dpi=dpi, max_rotation_deg=max_rotation_deg,
                       quarter_turns=quarter_turns, grayscale=grayscale, **hand)
    quality = int(np.random.default_rng([seed, 3]).integers(jpeg_quality[0], jpeg_quality[1] + 1))
    return degrade.encode_jpeg(image, quality, dpi)


# ------------------------------------------------------------------ returned delivery sheets

_STAMP_INKS = ((70, 40, 150), (30, 60, 170), (175, 40, 60), (60, 60, 70))  # violet, blue, red, black
_STAMP_WORDS = (("EMBAJADA", "DE GUATEMALA"), ("AMBASSADE", "DE FRANCE"),
                ("EMBASSY", "OF CANADA"), ("CONSULADO", "GENERAL"), ("BOTSCHAFT", "BRÜSSEL"))


def _stamp_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = render.DEJAVU_DIR / "DejaVuSans-Bold.ttf"
    return ImageFont.truetype(str(path), size) if path.is_file() else ImageFont.load_default()


def _draw_office_stamp(page: Image.Image, rng: np.random.Generator, dpi: float,
                       cell: PxBox) -> Image.Image:
    """A copy of `page` with an office's rubber stamp in `cell`: a round or rectangular
    frame with words and a date, unevenly inked and a little turned."""
    left, top, right, bottom = cell
    size = round(min(right - left, bottom - top) * float(rng.uniform(0.8, 0.95)))
    round_stamp = bool(rng.random() < 0.6)
    w = size if round_stamp else round(size * float(rng.uniform(1.5, 1.9)))
    mask = Image.new("L", (w, size), 0)
    d = ImageDraw.Draw(mask)
    line = max(2, _mm(0.45, dpi))
    words = _STAMP_WORDS[int(rng.integers(len(_STAMP_WORDS)))]
    if round_stamp:
        d.ellipse((line, line, w - line, size - line), outline=255, width=line)
        inner = _mm(3.0, dpi)
        d.ellipse((inner, inner, w - inner, size - inner), outline=255, width=max(1, line // 2))
    else:
        d.rectangle((line, line, w - line, size - line), outline=255, width=line)
    font = _stamp_font(max(8, round(size * 0.11)))
    day = f"{int(rng.integers(20, 29))}.01.2022"
    for k, words_line in enumerate((*words, day)):
        d.text((w / 2, size * (0.32 + 0.18 * k)), words_line, font=font, fill=255, anchor="mm")
    mask = mask.rotate(float(rng.uniform(-20, 20)), resample=Image.Resampling.BICUBIC, expand=True)
    # Rubber stamps ink unevenly: a blotchy strength between faint and full.
    field = degrade.smooth_field(rng, mask.height, mask.width, _mm(3, dpi))
    strength = np.clip(float(rng.uniform(0.55, 0.9)) + 0.25 * field, 0.25, 1.0)
    mask = Image.fromarray((np.asarray(mask, dtype=np.float32) * strength).astype(np.uint8), "L")
    image = page.convert("RGB")
    cx = (left + right) / 2 + float(rng.uniform(-0.08, 0.08)) * (right - left)
    cy = (top + bottom) / 2 + float(rng.uniform(-0.06, 0.06)) * (bottom - top)
    ink = _STAMP_INKS[int(rng.integers(len(_STAMP_INKS)))]
    image.paste(ink, (round(cx - mask.width / 2), round(cy - mask.height / 2)), mask)
    return image


def sign_delivery_sheet(pdf_bytes: bytes, *, seed: int, dpi: float = 200, signed: bool = True,
                        stamp: bool = False, receiver: str | None = "J. Pérez",
                        quarter_turns: int = 0) -> list[Image.Image]:
    """Every page of a delivery sheet PDF as returned on paper and scanned.

    Page 1 gets, by hand, `receiver` on the "received by" line and a date
    (when anything is written at all), a signature in the signature cell when
    `signed`, and an office stamp in the stamp cell when `stamp`. Every page is
    then scanned like `scan_image` (rotation, tint, noise, blur), turned by
    `quarter_turns` clockwise quarter turns. RGB images; deterministic in `seed`.
    """
    pages = rasterise_pdf(pdf_bytes, dpi)
    rng = np.random.default_rng([seed, 5])
    scanned = []
    for index, page in enumerate(pages):
        fields: list[tuple[PxBox, str]] = []
        signatures: list[PxBox] = []
        if index == 0:
            if stamp:
                page = _draw_office_stamp(page, rng, dpi, sheets.STAMP_CELL.px(dpi))
            if receiver:
                fields.append((sheets.RECEIVER_FIELD.px(dpi), receiver))
            if receiver or signed or stamp:
                day = int(rng.integers(20, 29))
                fields.append((sheets.DATE_FIELD.px(dpi), f"{day}/01/2022"))
            if signed:
                cell = sheets.SIGNATURE_CELL
                # Under the printed label: the scribble's loops rise a little above its box.
                signatures.append(render.Box(cell.x + 5, cell.y + sheets.CELL_LABEL_MM + 8,
                                             cell.w - 10, cell.h - sheets.CELL_LABEL_MM - 11)
                                  .px(dpi))
        scanned.append(scan_image(page, seed=seed * 1009 + index, dpi=dpi, fields=fields,
                                  signature_boxes_px=signatures, quarter_turns=quarter_turns))
    return scanned


# ------------------------------------------------------------------ envelopes

ENVELOPES_MM = {"DL": (220.0, 110.0), "C5": (229.0, 162.0)}
PAPERS = ((242, 238, 228), (236, 232, 220), (205, 172, 125))  # off-white, cream, kraft


def crop_label(label_pdf_bytes: bytes, label_index: int, dpi: float) -> Image.Image:
    """Label `label_index` (0-based) of a label sheet PDF, cut out at `dpi`."""
    page, box = LABEL_SHEET.label_box(label_index)
    doc = pdfium.PdfDocument(label_pdf_bytes)
    try:
        if page >= len(doc):
            raise ValueError(f"label {label_index} is not on this {len(doc)}-page sheet")
        image: Image.Image = doc[page].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        doc.close()
    return image.crop(box.inset(0.4).px(dpi))  # inset: leave the printed outline behind


def _draw_stamp(env: Image.Image, rng: np.random.Generator, dpi: float,
                paper: tuple[int, int, int]) -> PxBox:
    w = env.width
    sw, sh = _mm(24, dpi), _mm(28, dpi)
    x0, y0 = w - _mm(8, dpi) - sw, _mm(7, dpi)
    d = ImageDraw.Draw(env)
    d.rectangle((x0, y0, x0 + sw, y0 + sh), fill=(250, 250, 246))
    r = max(2, _mm(0.8, dpi))
    for i in range(0, sw + 1, 3 * r):  # perforations
        for y in (y0, y0 + sh):
            d.ellipse((x0 + i - r, y - r, x0 + i + r, y + r), fill=paper)
    for j in range(0, sh + 1, 3 * r):
        for x in (x0, x0 + sw):
            d.ellipse((x - r, y0 + j - r, x + r, y0 + j + r), fill=paper)
    hue = INKS[int(rng.integers(len(INKS)))]
    colour = tuple(int(c) for c in rng.integers(60, 200, size=3))
    inner = (x0 + _mm(2, dpi), y0 + _mm(2, dpi), x0 + sw - _mm(2, dpi), y0 + sh - _mm(2, dpi))
    d.rectangle(inner, fill=colour)
    cx, cy = (inner[0] + inner[2]) // 2, (inner[1] + inner[3]) // 2
    rr = _mm(6, dpi)
    d.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), fill=hue)
    return (x0, y0, x0 + sw, y0 + sh)


def _draw_postmark(env: Image.Image, rng: np.random.Generator, dpi: float, stamp: PxBox) -> None:
    overlay = Image.new("L", env.size, 0)
    d = ImageDraw.Draw(overlay)
    cx = stamp[0] + _mm(float(rng.uniform(-4, 2)), dpi)
    cy = (stamp[1] + stamp[3]) // 2 + _mm(float(rng.uniform(-3, 3)), dpi)
    width = max(2, _mm(0.5, dpi))
    for radius in (12.0, 8.5):
        r = _mm(radius, dpi)
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=200, width=width)
    # Wavy cancellation lines running left from the ring.
    for k in range(-2, 3):
        y = cy + k * _mm(3.2, dpi)
        pts = [(cx - _mm(14 + t, dpi), y + _mm(1.2, dpi) * math.sin(t / 3.0)) for t in range(40)]
        d.line(pts, fill=180, width=width)
    overlay = overlay.point(lambda v: int(v * float(rng.uniform(0.6, 0.9))))
    env.paste((35, 35, 45), (0, 0), overlay)


def simulate_envelope(label_pdf_bytes: bytes, label_index: int, *, seed: int, dpi: float,
                      with_label: bool = True, address_lines: Sequence[str] | None = None,
                      max_rotation_deg: float = 2.5) -> bytes:
    """A scanned return envelope (DL or C5, white, cream or kraft) as JPEG bytes.

    With `with_label`, kit label `label_index` is cut from the label sheet and
    stuck on; without, the address (`address_lines`) is handwritten instead —
    an anonymous envelope with no kit code. A stamp and a postmark always.
    """
    rng = np.random.default_rng([seed, 4])
    fmt = ("DL", "C5")[int(rng.integers(2))]
    w_mm, h_mm = ENVELOPES_MM[fmt]
    paper = PAPERS[int(rng.integers(len(PAPERS)))]
    w, h = _mm(w_mm, dpi), _mm(h_mm, dpi)
    # Paper fibre: low-frequency blotches enlarged from a small random field.
    fibre = rng.normal(0, 1, size=(h // 8 + 1, w // 8 + 1)).astype(np.float32)
    fibre = cv2.resize(fibre, (w, h), interpolation=cv2.INTER_CUBIC)[:, :, None] * 4.0
    base = np.clip(np.array(paper, dtype=np.float32)[None, None, :] + fibre, 0, 255)
    env = Image.fromarray(base.astype(np.uint8), "RGB")
    stamp = _draw_stamp(env, rng, dpi, paper)
    spot = (w - _mm(99.1 + 18, dpi), h - _mm(38.1 + 12, dpi))
    if with_label:
        label = crop_label(label_pdf_bytes, label_index, dpi)
        angle = float(rng.uniform(-1.5, 1.5))
        mask = Image.new("L", label.size, 255).rotate(angle, expand=True)
        env.paste(label.rotate(angle, expand=True, fillcolor=(255, 255, 255)), spot, mask)
    else:
        lines = address_lines or ("Marathon des lettres", "Chaussée de Wavre 37",
                                  "1050 Bruxelles", "Belgique")
        box = (spot[0], spot[1] - _mm(8, dpi), w - _mm(10, dpi), h - _mm(6, dpi))
        env = write_by_hand(env, seed=seed, dpi=dpi, writing_box_px=box,
                            handwriting_lines=[line for line in lines],
                            line_pitch_px=_mm(9, dpi))
    _draw_postmark(env, rng, dpi, stamp)
    scanned = _scan(env, rng, dpi, max_rotation_deg, 0, grayscale=False)
    return degrade.encode_jpeg(scanned, int(rng.integers(60, 86)), dpi)
