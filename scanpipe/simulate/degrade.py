"""Seeded degradations of page images, for recognition tests and benchmarks.

Every function takes an image and explicit parameters (the random ones a numpy
`Generator`) and returns a new image, so the same inputs give the same pixels.
Each degradation can be described by an `Applied` value — its name and the
parameters actually used — so a labelled corpus records what a page went
through. The encoders at the end return file bytes (JPEG, PNG, TIFF, PDF);
writing them anywhere is the caller's business.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import cv2
import numpy as np
import numpy.typing as npt
from cv2.typing import MatLike
from PIL import Image

PxBox = tuple[int, int, int, int]  # left, top, right, bottom in pixels
Param = float | int | str | tuple["Param", ...]
FloatPixels = npt.NDArray[np.float32]  # an image in float grey levels (0–255), for arithmetic
STAIN_COLOURS = ((150, 98, 52), (122, 80, 45), (170, 120, 70))  # coffee, strong tea, milky
DESKS = ("wood", "laminate", "fabric", "white")


@dataclass(frozen=True)
class Applied:
    """One degradation applied to a page: its name and the parameters used."""

    name: str
    params: tuple[tuple[str, Param], ...] = ()

    def to_json(self) -> dict[str, Param | list[Param]]:
        return {"name": self.name, **{k: list(v) if isinstance(v, tuple) else v
                                      for k, v in self.params}}


def applied(name: str, **params: Param) -> Applied:
    """An `Applied` record; floats rounded to 4 decimals so labels stay readable."""
    def tidy(value: Param) -> Param:
        if isinstance(value, float):
            return round(value, 4)
        if isinstance(value, tuple):
            return tuple(tidy(v) for v in value)
        return value
    return Applied(name, tuple((k, tidy(v)) for k, v in params.items()))


def _float(image: Image.Image) -> FloatPixels:
    return np.asarray(image, dtype=np.float32)


def _image(pixels: npt.NDArray[np.floating[Any]], mode: str) -> Image.Image:
    return Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8), mode)


def smooth_field(rng: np.random.Generator, h: int, w: int, cell: int) -> FloatPixels:
    """Low-frequency noise in about [-1, 1]: a small random grid enlarged smoothly."""
    small = rng.normal(0, 1, size=(max(2, h // cell + 2), max(2, w // cell + 2))).astype(np.float32)
    return cast(FloatPixels, cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC))


# ------------------------------------------------------------------ geometry

def quarter_turn(image: Image.Image, turns: int) -> Image.Image:
    """`image` turned clockwise by `turns` quarter turns (a page fed sideways or upside down)."""
    turns %= 4
    if not turns:
        return image.copy()
    pixels = np.ascontiguousarray(np.rot90(np.asarray(image), k=-turns))
    return Image.fromarray(pixels, image.mode)


def border_level(image: Image.Image) -> tuple[int, ...]:
    """Median colour of the outermost pixel rows and columns (the scanner's background)."""
    a = np.asarray(image)
    edge = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    level = np.median(edge.reshape(len(edge), -1), axis=0)
    return tuple(int(v) for v in level)


def skew(image: Image.Image, degrees: float, fill: Sequence[int] | None = None) -> Image.Image:
    """`image` rotated `degrees` clockwise, canvas enlarged to keep every pixel.

    The new corners take `fill` (default: the colour of the image's border, so a
    scan keeps its scanner background).
    """
    if abs(degrees) < 1e-9:
        return image.copy()
    fill = tuple(fill) if fill is not None else border_level(image)
    a = np.asarray(image)
    h, w = a.shape[:2]
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), -degrees, 1.0)  # cv2: positive = anticlockwise
    cos, sin = abs(rot[0, 0]), abs(rot[0, 1])
    new_w, new_h = math.ceil(w * cos + h * sin), math.ceil(w * sin + h * cos)
    rot[0, 2] += (new_w - w) / 2
    rot[1, 2] += (new_h - h) / 2
    border = fill if a.ndim == 3 else fill[0]
    out = cv2.warpAffine(a, rot, (new_w, new_h), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    return Image.fromarray(out, image.mode)


# ------------------------------------------------------------------ pixel damage

def gaussian_noise(image: Image.Image, rng: np.random.Generator, sigma: float) -> Image.Image:
    """Sensor grain of standard deviation `sigma` grey levels, equal on every channel."""
    a = _float(image)
    noise = rng.normal(0, sigma, size=a.shape[:2]).astype(np.float32)
    return _image(a + (noise[:, :, None] if a.ndim == 3 else noise), image.mode)


def blur(image: Image.Image, sigma_px: float) -> Image.Image:
    """Gaussian blur (an out-of-focus or dusty scanner), `sigma_px` pixels."""
    if sigma_px <= 0:
        return image.copy()
    return Image.fromarray(cv2.GaussianBlur(np.asarray(image), (0, 0), sigma_px), image.mode)


def low_contrast(image: Image.Image, contrast: float, level: float) -> Image.Image:
    """Squash the grey range towards `level` (0–255): at `contrast` 0.4 black prints as grey.

    A value v becomes v·contrast + level·(1 − contrast): a faded print, a light
    scanner setting, a toner running out.
    """
    a = _float(image)
    return _image(a * contrast + level * (1.0 - contrast), image.mode)


def paper_tone(image: Image.Image, rng: np.random.Generator, grey: float,
               fibre: float = 3.0) -> Image.Image:
    """Tinted, fibrous paper: white becomes `grey` (0–1) with blotches of ±`fibre` levels."""
    a = _float(image.convert("RGB"))
    h, w = a.shape[:2]
    blotch = smooth_field(rng, h, w, max(8, min(h, w) // 60)) * fibre
    return _image(a * grey + blotch[:, :, None], "RGB")


def show_through(image: Image.Image, back: Image.Image, strength: float,
                 sigma_px: float = 1.5) -> Image.Image:
    """Faint text of the other side seen through the paper: `back` mirrored, blurred, faint.

    `strength` (0–1) is how much of the back's darkness shows; 0.03–0.08 is
    typical of 80 g/m² paper on a scanner.
    """
    front = _float(image.convert("RGB"))
    mirrored = np.asarray(back.convert("L").resize(image.size).transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                          dtype=np.float32)
    mirrored = cast(FloatPixels, cv2.GaussianBlur(mirrored, (0, 0), sigma_px))
    darkness = (1.0 - mirrored / 255.0) * strength
    return _image(front * (1.0 - darkness[:, :, None]), "RGB")


@dataclass(frozen=True)
class Stain:
    """Where a stain landed: its mask box on the page and the part of `target` it covers."""

    box: PxBox
    fraction: float   # of the target box's area under the blot (alpha ≥ 0.5 of its peak)
    alpha: float      # opacity of the blot's inside; its ring is darker
    colour: tuple[int, int, int]


def _blot_mask(rng: np.random.Generator, size: int) -> npt.NDArray[np.uint8]:
    """An irregular blot shape (1 inside) in a square of `size` px, radius about size/4."""
    harmonics = [(k, float(rng.uniform(0, 0.16 / k ** 0.5)), float(rng.uniform(0, 2 * math.pi)))
                 for k in range(2, 9)]
    theta = np.linspace(0, 2 * math.pi, 240, endpoint=False)
    radius = np.ones_like(theta)
    for k, amp, phase in harmonics:
        radius += amp * np.cos(k * theta + phase)
    r = size / 4 * radius
    c = size / 2
    pts = np.stack([c + r * np.cos(theta), c + r * np.sin(theta)], axis=1)
    mask = np.zeros((size, size), np.uint8)
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1)
    # A few satellite drops, as a splashed cup leaves.
    for _ in range(int(rng.integers(0, 4))):
        a = float(rng.uniform(0, 2 * math.pi))
        d = size / 4 * float(rng.uniform(1.05, 1.6))
        rr = max(1, round(size / 4 * float(rng.uniform(0.03, 0.09))))
        cv2.circle(mask, (round(c + d * math.cos(a)), round(c + d * math.sin(a))), rr, 1, -1)
    return mask


def _covered(mask: MatLike, origin: tuple[int, int], target: PxBox) -> float:
    ox, oy = origin
    left, top, right, bottom = target
    x0, y0 = max(left, ox), max(top, oy)
    x1, y1 = min(right, ox + mask.shape[1]), min(bottom, oy + mask.shape[0])
    area = max(1, (right - left) * (bottom - top))
    if x1 <= x0 or y1 <= y0:
        return 0.0
    return float(mask[y0 - oy:y1 - oy, x0 - ox:x1 - ox].sum()) / area


def stain(image: Image.Image, rng: np.random.Generator, target: PxBox,
          fraction: float) -> tuple[Image.Image, Stain]:
    """A translucent coffee-like blot covering about `fraction` of the `target` box.

    The blot is centred near an edge or corner of the target, so it spills over
    onto the page around it; its size is searched until the covered part of the
    target is within a few per cent of `fraction`. The inside is lightly
    tinted, the rim (where a drying drop leaves its pigment) darker. Returns the
    stained image and what was done, with the fraction actually covered.
    """
    left, top, right, bottom = target
    tw, th = right - left, bottom - top
    # A point on the target's outline, pushed a little outwards: the blot's centre.
    side = int(rng.integers(4))
    t = float(rng.uniform(0.1, 0.9))
    push = float(rng.uniform(-0.15, 0.2))
    cx, cy = [(left + t * tw, top - push * th), (right + push * tw, top + t * th),
              (left + t * tw, bottom + push * th), (left - push * tw, top + t * th)][side]
    shape = _blot_mask(rng, 512)
    lo, hi = 0.05, 6.0  # blot radius as a fraction of the target's side
    size = 0
    for _ in range(30):
        scale = (lo + hi) / 2
        size = max(8, round(4 * scale * max(tw, th)))
        mask = cv2.resize(shape, (size, size), interpolation=cv2.INTER_NEAREST)
        got = _covered(mask, (round(cx - size / 2), round(cy - size / 2)), target)
        if abs(got - fraction) < 0.004:
            break
        lo, hi = (scale, hi) if got < fraction else (lo, scale)
    mask = cv2.resize(shape, (size, size), interpolation=cv2.INTER_NEAREST)
    origin = (round(cx - size / 2), round(cy - size / 2))
    covered = _covered(mask, origin, target)

    alpha_in = float(rng.uniform(0.25, 0.5))
    ring_w = max(1.0, size * float(rng.uniform(0.008, 0.02)))
    inside = cv2.distanceTransform(mask, cv2.DIST_L2, 3)
    ring = np.exp(-(inside / ring_w) ** 2) * (mask > 0)
    alpha = mask * alpha_in + ring * float(rng.uniform(0.2, 0.4))
    alpha *= 1.0 + 0.25 * smooth_field(rng, size, size, max(4, size // 12))
    alpha = cv2.GaussianBlur(np.clip(alpha, 0, 0.9).astype(np.float32), (0, 0), max(0.8, ring_w / 2))
    colour = STAIN_COLOURS[int(rng.integers(len(STAIN_COLOURS)))]
    absorb = 1.0 - np.array(colour, np.float32) / 255.0

    page = _float(image.convert("RGB")).copy()
    h, w = page.shape[:2]
    ox, oy = origin
    x0, y0, x1, y1 = max(0, ox), max(0, oy), min(w, ox + size), min(h, oy + size)
    if x1 > x0 and y1 > y0:
        a = alpha[y0 - oy:y1 - oy, x0 - ox:x1 - ox, None]
        page[y0:y1, x0:x1] *= 1.0 - a * absorb  # multiply: ink stays dark, paper turns brown
    out = _image(page, "RGB")
    return out, Stain((ox, oy, ox + size, oy + size), covered, alpha_in, colour)


# ------------------------------------------------------------------ a phone photo

@dataclass(frozen=True)
class Photo:
    """How a page was photographed: where its corners landed and the light it got."""

    frame: tuple[int, int]                  # width, height of the photo
    corners: tuple[tuple[int, int], ...]    # page's TL, TR, BR, BL in the photo
    rotation_deg: float                     # in-plane turn, clockwise
    tilt: float                             # perspective strength (corner jitter / frame side)
    desk: str
    shadow: float                           # darkness of the cast shadow, 0–1
    light: float                            # brightness falling across the frame, 0–1

    def to_applied(self) -> Applied:
        return applied("photo", frame=self.frame, rotation_deg=self.rotation_deg, tilt=self.tilt,
                       desk=self.desk, shadow=self.shadow, light=self.light)


def desk_texture(rng: np.random.Generator, width: int, height: int, kind: str) -> FloatPixels:
    """A desk surface (float RGB, 0–255): wood grain, laminate, fabric or a white table."""
    grain = smooth_field(rng, height, width, max(16, width // 12))
    fine = rng.normal(0, 1, size=(height, width)).astype(np.float32)
    ys = np.arange(height, dtype=np.float32)[:, None]
    xs = np.arange(width, dtype=np.float32)[None, :]
    base: FloatPixels
    if kind == "wood":
        base = np.array([rng.uniform(120, 175), rng.uniform(78, 115), rng.uniform(40, 70)],
                        np.float32)
        angle = float(rng.uniform(-0.3, 0.3))
        u = ys * math.cos(angle) + xs * math.sin(angle)
        period = float(rng.uniform(18, 45)) * width / 1000
        rings = np.sin(2 * math.pi * u / period + 3.0 * grain)
        shade = 1.0 + 0.12 * rings + 0.05 * grain + 0.02 * fine
    elif kind == "laminate":
        base = np.full(3, float(rng.uniform(95, 150)), np.float32) * np.array([1.0, 1.0, 1.04],
                                                                               np.float32)
        shade = 1.0 + 0.03 * grain + 0.03 * fine
    elif kind == "fabric":
        base = np.array([rng.uniform(30, 80), rng.uniform(35, 80), rng.uniform(50, 110)],
                        np.float32)
        weave = np.sin(xs * 1.3) * np.sin(ys * 1.3)
        shade = 1.0 + 0.08 * weave + 0.06 * grain + 0.08 * fine
    else:
        base = np.full(3, float(rng.uniform(200, 230)), np.float32)
        shade = 1.0 + 0.02 * grain + 0.02 * fine
    texture: FloatPixels = base[None, None, :] * shade.astype(np.float32)[:, :, None]
    return texture


def _page_corners(rng: np.random.Generator, page_w: int, page_h: int, frame_w: int,
                  frame_h: int, rotation: float, tilt: float) -> npt.NDArray[np.float64]:
    """Where the page's corners land in the frame: scaled to fit, turned, pulled in perspective."""
    fill = float(rng.uniform(0.72, 0.88))
    for _ in range(40):
        scale = fill * min(frame_w / page_w, frame_h / page_h)
        w, h = page_w * scale, page_h * scale
        a = math.radians(rotation)
        corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        corners = corners @ rot.T
        jitter = rng.uniform(-tilt, tilt, size=(4, 2)) * min(frame_w, frame_h)
        centre = np.array([frame_w / 2, frame_h / 2]) + rng.uniform(-0.04, 0.04, 2) * [frame_w, frame_h]
        placed: npt.NDArray[np.float64] = corners + jitter + centre
        margin = 0.015 * min(frame_w, frame_h)
        if (placed[:, 0].min() > margin and placed[:, 1].min() > margin
                and placed[:, 0].max() < frame_w - margin and placed[:, 1].max() < frame_h - margin):
            return placed
        fill *= 0.96
    return placed


def phone_photo(page: Image.Image, rng: np.random.Generator, *, long_side: int = 2800,
                max_rotation_deg: float = 10.0, max_tilt: float = 0.06) -> tuple[Image.Image, Photo]:
    """A phone photo of `page` lying on a desk: perspective, uneven light, a shadow, grain.

    The page (an upright or already turned image) is warped by a random
    homography into a 4:3 frame of `long_side` pixels (portrait when the page
    is), over a textured desk; then lit unevenly, crossed by a soft shadow (a
    hand or the phone), colour-cast, slightly defocused and grainy. The photo
    carries no resolution: the caller encodes it without dpi.
    """
    src = _float(page.convert("RGB"))
    ph, pw = src.shape[:2]
    short = round(long_side * 3 / 4)
    fw, fh = (short, long_side) if ph >= pw else (long_side, short)
    rotation = float(rng.uniform(-max_rotation_deg, max_rotation_deg))
    tilt = float(rng.uniform(0.01, max_tilt))
    dst = _page_corners(rng, pw, ph, fw, fh, rotation, tilt).astype(np.float32)
    srcq = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    hom = cv2.getPerspectiveTransform(srcq, dst)

    desk_kind = DESKS[int(rng.integers(len(DESKS)))]
    desk = desk_texture(rng, fw, fh, desk_kind)
    warped = cv2.warpPerspective(src, hom, (fw, fh), flags=cv2.INTER_AREA,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.ones((ph, pw), np.float32), hom, (fw, fh),
                               flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)

    # Light and shadows vary slowly: work them out on a frame 8 times smaller.
    k = 8
    sw, sh = fw // k + 1, fh // k + 1
    small_mask = cv2.resize(mask, (sw, sh), interpolation=cv2.INTER_AREA)
    offset = np.array([[1, 0, sw * 0.004], [0, 1, sh * 0.006]], np.float32)
    contact = cv2.GaussianBlur(cv2.warpAffine(small_mask, offset, (sw, sh)), (0, 0),
                               max(0.7, sw * 0.004))
    ys = (np.arange(sh, dtype=np.float32) * k)[:, None]
    xs = (np.arange(sw, dtype=np.float32) * k)[None, :]
    direction = float(rng.uniform(0, 2 * math.pi))
    ramp = ((xs - fw / 2) * math.cos(direction) + (ys - fh / 2) * math.sin(direction)) / max(fw, fh)
    light = float(rng.uniform(0.1, 0.35))
    vignette = ((xs - fw / 2) ** 2 + (ys - fh / 2) ** 2) / ((fw / 2) ** 2 + (fh / 2) ** 2)
    gain = (1.0 - light * (ramp + 0.5)) * (1.0 - 0.15 * vignette)
    # A shadow (a hand, the phone): a soft-edged half-plane or blob over part of the frame.
    shadow = float(rng.uniform(0.15, 0.45))
    shade: MatLike = np.zeros((sh, sw), np.float32)
    if rng.random() < 0.5:
        a = float(rng.uniform(0, 2 * math.pi))
        cut = float(rng.uniform(0.15, 0.45))
        d = (xs / fw - 0.5) * math.cos(a) + (ys / fh - 0.5) * math.sin(a)
        shade[np.broadcast_to(d > cut, shade.shape)] = 1.0
    else:
        centre = (round(float(rng.uniform(0, sw))), round(float(rng.uniform(0, sh))))
        axes = (round(sw * float(rng.uniform(0.15, 0.35))), round(sh * float(rng.uniform(0.1, 0.3))))
        cv2.ellipse(shade, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
    shade = cv2.GaussianBlur(shade, (0, 0), max(sw, sh) * float(rng.uniform(0.01, 0.04)))
    # The page's own small shadow darkens the desk just outside its edges.
    desk_gain: MatLike = gain * (1.0 - shadow * shade) * (1.0 - 0.35 * contact)
    page_gain: MatLike = gain * (1.0 - shadow * shade)
    desk_gain = cv2.resize(desk_gain.astype(np.float32), (fw, fh), interpolation=cv2.INTER_LINEAR)
    page_gain = cv2.resize(page_gain.astype(np.float32), (fw, fh), interpolation=cv2.INTER_LINEAR)
    colour_cast = (1.0 + rng.uniform(-0.06, 0.06, 3)).astype(np.float32)
    m = mask[:, :, None]
    photo = (warped * (m * page_gain[:, :, None])
             + desk * ((1.0 - m) * desk_gain[:, :, None])) * colour_cast[None, None, :]
    photo = cast(FloatPixels, cv2.GaussianBlur(photo, (0, 0), float(rng.uniform(0.5, 1.1))))
    photo += rng.normal(0, float(rng.uniform(1.5, 4.0)), size=(fh, fw, 1)).astype(np.float32)
    corners = tuple((round(x), round(y)) for x, y in dst)
    record = Photo((fw, fh), corners, rotation, tilt, desk_kind, shadow, light)
    return _image(photo, "RGB"), record


# ------------------------------------------------------------------ file encodings

def encode_jpeg(image: Image.Image, quality: int, dpi: float | None) -> bytes:
    """JPEG bytes at `quality`; `dpi` None writes no resolution (a phone photo)."""
    out = io.BytesIO()
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    image.save(out, "JPEG", quality=int(quality), optimize=True, **extra)
    return out.getvalue()


def encode_png(image: Image.Image, dpi: float, levels: int = 16, white: int = 200) -> bytes:
    """A scanner's "document" PNG: grey, paper (levels ≥ `white`) whitened, `levels` grey levels."""
    out = io.BytesIO()
    whitened = image.convert("L").point(lambda v: 255 if v >= white else v)
    whitened.quantize(levels, dither=Image.Dither.NONE).save(out, "PNG", optimize=True,
                                                             dpi=(dpi, dpi))
    return out.getvalue()


def bilevel(image: Image.Image, threshold: int = 150) -> Image.Image:
    """Black and white at a fixed threshold, as a scanner's B/W mode gives."""
    return image.convert("L").point(lambda v: 255 if v > threshold else 0).convert("1")


def encode_tiff(images: Sequence[Image.Image], dpi: float) -> bytes:
    """Multi-page black-and-white TIFF, CCITT group 4: what production scanners write."""
    pages = [bilevel(i) for i in images]
    out = io.BytesIO()
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:], compression="group4",
                  dpi=(dpi, dpi))
    return out.getvalue()


def encode_pdf(images: Sequence[Image.Image], dpi: float, quality: int = 80) -> bytes:
    """A PDF whose pages are JPEG scans at `dpi`, as scanners that write PDF do."""
    return pdf_of_jpegs([encode_jpeg(image.convert("RGB") if image.mode not in ("L", "RGB") else image,
                                     quality, dpi) for image in images], dpi)


def pdf_of_jpegs(jpegs: Sequence[bytes], dpi: float, creator: str = "scanpipe degrade") -> bytes:
    """A PDF with one page a JPEG scan, each at `dpi`; `creator` goes in its metadata."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    canvas.setCreator(creator)
    for data in jpegs:
        with Image.open(io.BytesIO(data)) as image:
            w, h = image.width * 72 / dpi, image.height * 72 / dpi
        canvas.setPageSize((w, h))
        canvas.drawImage(ImageReader(io.BytesIO(data)), 0, 0, w, h)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
