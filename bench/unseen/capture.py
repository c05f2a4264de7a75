"""How the unseen pages reach the station: flatbed and ADF scans, and phone photos.

A scan: the page resampled to 150, 200, 240 or 300 dpi, on paper of some tone,
fed in one of four quarter turns and a little skewed, lying on the scanner's bed
(white lid, grey, or the black background of an ADF), sometimes with a dark band
of the lid's edge, the scanner's blur, noise and an occasional streak from dust on
the glass, in colour, grey or black and white, saved as JPEG (quality 40–95), PNG,
TIFF or PDF, with or without its resolution. A phone photo: the page turned any
way, in perspective on a desk (wood, laminate, fabric, dark), sometimes held by a
thumb, lit unevenly with a shadow across it, out of focus or shaken, with sensor
noise and a colour cast, saved as JPEG, its resolution 72 dpi or absent, sometimes
stored sideways with an EXIF orientation tag. Every choice is recorded in the log.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

SCAN_DPIS = (150, 200, 240, 300)
_EXIF_ORIENTATION = 0x0112
_EXIF_FOR_TURNS = {1: 6, 2: 3, 3: 8}   # stored pixels turned back by k quarter turns → tag


@dataclass(frozen=True)
class Shot:
    """A captured page as its file holds it, and how it was made."""

    image: Image.Image
    dpi: float | None      # the resolution written in the file (None: not written)
    turns: int             # quarter turns the content is turned clockwise, as a viewer sees it
    capture: str           # "scan" or "photo"
    log: tuple[dict, ...]
    fmt: str = "jpeg"      # jpeg, png, tiff, pdf
    quality: int = 85
    exif_tag: int = 1      # EXIF orientation written (1: none)


def _smooth(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Low-frequency noise in about [-1, 1]."""
    grid = rng.uniform(-1, 1, (cells + 1, cells + 1)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def turn(arr: np.ndarray, turns: int) -> np.ndarray:
    """Content turned clockwise by `turns` quarter turns."""
    return np.ascontiguousarray(np.rot90(arr, k=-(turns % 4))) if turns % 4 else arr


def _u8(arr: np.ndarray) -> np.ndarray:
    return np.clip(arr, 0, 255).astype(np.uint8)


def _resample(page: Image.Image, page_dpi: float, dpi: float) -> np.ndarray:
    arr = np.asarray(page.convert("RGB"))
    if abs(page_dpi - dpi) < 1:
        return arr
    scale = dpi / page_dpi
    return cv2.resize(arr, None, fx=scale, fy=scale,
                      interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def paper_tone(arr: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """The sheet's own colour: white, cream or recycled grey."""
    kind = str(rng.choice(("white", "white", "cream", "recycled")))
    base = {"white": (250, 250, 248), "cream": (248, 242, 225), "recycled": (226, 224, 218)}[kind]
    scale = [(c + float(rng.uniform(-4, 3))) / 255.0 for c in base]
    return cv2.multiply(arr, np.array([*scale, 0.0])), {"name": "paper", "kind": kind}


def _noise(arr: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Gaussian noise added with saturation (OpenCV's generator, seeded from `rng`)."""
    cv2.setRNGSeed(int(rng.integers(1 << 30)))
    noise = np.empty(arr.shape[:2], np.int16)
    cv2.randn(noise, 0, sigma)
    if arr.ndim == 3:
        noise = cv2.merge([noise] * arr.shape[2])
    return cv2.add(arr, noise, dtype=cv2.CV_8U)


def scan(page: Image.Image, page_dpi: float, rng: np.random.Generator, *, dpi: int, turns: int,
         allow_bitonal: bool = True, fmt: str | None = None) -> Shot:
    """The page as a flatbed or ADF scanner at `dpi` gives it, fed `turns` quarter turns."""
    log: list[dict] = [{"name": "capture", "kind": "scan", "dpi": dpi},
                       {"name": "quarter_turn", "turns": turns}]
    arr = _resample(page, page_dpi, dpi)
    arr, tone = paper_tone(arr, rng)
    log.append(tone)
    arr = turn(arr, turns)
    h, w = arr.shape[:2]
    mm = dpi / 25.4
    adf = rng.random() < 0.45
    bed = float(rng.uniform(15, 45)) if adf and rng.random() < 0.5 else float(rng.uniform(215, 250))
    r = rng.random()
    angle = float(rng.uniform(-1.2, 1.2) if r < 0.7 else rng.uniform(-3.5, 3.5) if r < 0.95
                  else rng.uniform(-6, 6))
    margins = [int(rng.uniform(0, 6) * mm) for _ in range(4)]   # left, top, right, bottom
    out_w, out_h = w + margins[0] + margins[2], h + margins[1] + margins[3]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    matrix[:, 2] += np.array((margins[0], margins[1]), dtype=np.float64)
    arr = cv2.warpAffine(arr, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=(bed, bed, bed))
    log.append({"name": "skew", "degrees": round(angle, 3)})
    log.append({"name": "bed", "level": round(bed), "adf": adf,
                "margins_mm": [round(m / mm, 1) for m in margins]})
    if rng.random() < 0.2:   # the lid's edge or the ADF's black band along one side
        side = int(rng.integers(4))
        depth = int(rng.uniform(1.5, 8) * mm)
        ramp = np.linspace(float(rng.uniform(10, 60)) / 255.0, 1.0, depth, dtype=np.float32)
        view = {0: arr[:depth], 1: arr[:, :depth], 2: arr[-depth:][::-1], 3: arr[:, -depth:][:, ::-1]}[side]
        gain = ramp[:, None, None] if side in (0, 2) else ramp[None, :, None]
        view[:] = _u8(view.astype(np.float32) * gain)
        log.append({"name": "dark_band", "side": ("top", "left", "bottom", "right")[side],
                    "mm": round(depth / mm, 1)})
    sigma = float(rng.uniform(0.3, 0.9))
    arr = cv2.GaussianBlur(arr, (0, 0), sigma)
    gamma = float(rng.uniform(0.85, 1.15))
    arr = cv2.LUT(arr, _u8(255.0 * np.power(np.arange(256) / 255.0, gamma)))
    r = rng.random()
    mode = "colour" if r < 0.5 else "grey" if (r < 0.9 or not allow_bitonal) else "bitonal"
    if fmt is None:
        r = rng.random()
        fmt = "jpeg" if r < 0.8 else "png" if r < 0.83 else "tiff" if r < 0.9 else "pdf"
    if mode == "colour" and fmt in ("png", "tiff"):
        mode = "grey"   # lossless colour A4 scans are tens of megabytes: scanners save grey
    if mode != "colour":
        arr = cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY)
    noise = float(rng.uniform(1.5, 5))
    arr = _noise(arr, rng, noise)
    log += [{"name": "optics", "blur_px": round(sigma, 2), "gamma": round(gamma, 3)},
            {"name": "noise", "sigma": round(noise, 2)}]
    if rng.random() < 0.1:
        x = int(rng.integers(out_w - 2))
        width = int(rng.integers(1, 3))
        arr[:, x:x + width] = _u8(arr[:, x:x + width] * float(rng.uniform(0.6, 0.85)))
        log.append({"name": "streak", "x": x})
    if mode == "bitonal":
        level = float(rng.uniform(150, 190))
        image = Image.fromarray(((arr > level) * 255).astype(np.uint8)).convert("1")
    else:
        image = Image.fromarray(arr, "RGB" if arr.ndim == 3 else "L")
    log.append({"name": "mode", "mode": mode})
    if mode == "bitonal" and fmt == "jpeg":
        fmt = "tiff"
    quality = int(rng.integers(40, 96)) if fmt in ("jpeg", "pdf") else 0
    log.append({"name": "file", "format": fmt, "quality": quality})
    written = float(dpi) if rng.random() < 0.85 or fmt == "pdf" else None
    if written is None:
        log.append({"name": "no_dpi"})
    return Shot(image, written, turns, "scan", tuple(log), fmt, quality)


# ------------------------------------------------------------------ phone photos

_LOW = 8   # lighting, shadows and desks are smooth: made at 1/8 of the size, then enlarged


def _desk(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, str]:
    kind = str(rng.choice(("wood", "laminate", "fabric", "dark", "white")))
    lh, lw = max(2, h // _LOW), max(2, w // _LOW)
    if kind == "wood":
        base = np.array((150, 105, 65), np.float32) * rng.uniform(0.7, 1.1)
        ys = np.arange(lh, dtype=np.float32)[:, None]
        field = 1 + np.sin(ys * _LOW / rng.uniform(6, 14) + 4 * _smooth(rng, lh, lw, 6)) * 0.08 \
            + 0.06 * _smooth(rng, lh, lw, 3)
    elif kind == "laminate":
        base = np.array((205, 200, 190), np.float32) * rng.uniform(0.85, 1.05)
        field = 1 + 0.03 * _smooth(rng, lh, lw, 5)
    elif kind == "fabric":
        base = np.array(rng.uniform(60, 200, 3), np.float32)
        field = 1 + 0.05 * _smooth(rng, lh, lw, 40) + 0.03 * rng.standard_normal((lh, lw), dtype=np.float32)
    elif kind == "dark":
        base = np.array((45, 45, 50), np.float32) * rng.uniform(0.7, 1.3)
        field = 1 + 0.05 * _smooth(rng, lh, lw, 4)
    else:
        base = np.array((228, 228, 225), np.float32)
        field = 1 + 0.02 * _smooth(rng, lh, lw, 4)
    small = _u8(field[..., None] * base)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), kind


def _thumb(shape: tuple[int, int], quad: np.ndarray,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    """A thumb holding the page at one of its edges: (mask 0..1 at low size, skin colour, log)."""
    h, w = shape
    lh, lw = max(2, h // _LOW), max(2, w // _LOW)
    edge = int(rng.integers(4))
    a, b = quad[edge] / _LOW, quad[(edge + 1) % 4] / _LOW
    cx, cy = a + (b - a) * float(rng.uniform(0.25, 0.75))
    inward = quad.mean(axis=0) / _LOW - (cx, cy)
    inward /= max(1e-6, float(np.hypot(*inward)))
    size = 0.06 * max(lh, lw) * float(rng.uniform(0.8, 1.3))
    centre = (int(cx + inward[0] * size * 0.2), int(cy + inward[1] * size * 0.2))
    angle = float(np.degrees(np.arctan2(inward[1], inward[0])))
    mask = np.zeros((lh, lw), np.float32)
    axes = (max(1, int(size * 1.6)), max(1, int(size * 0.75)))
    cv2.ellipse(mask, centre, axes, angle + 180, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), max(0.5, size * 0.08))
    skin = np.array([(224, 172, 140), (198, 140, 105), (141, 95, 70), (236, 196, 170)][int(rng.integers(4))],
                    np.float32)
    return mask, skin, {"name": "thumb", "edge": edge}


def photo(page: Image.Image, rng: np.random.Generator, *, turns: int,
          long_side: int | None = None) -> Shot:
    """The page photographed with a phone, its content turned `turns` quarter turns clockwise."""
    log: list[dict] = [{"name": "capture", "kind": "photo"}, {"name": "quarter_turn", "turns": turns}]
    src, tone = paper_tone(np.asarray(page.convert("RGB")), rng)
    log.append(tone)
    src = turn(src, turns)
    sh, sw = src.shape[:2]
    long_side = long_side or int(rng.integers(2600, 4033))   # phones: 8 to 12 megapixels
    portrait = sh >= sw
    out_h, out_w = (long_side, long_side * 3 // 4) if portrait else (long_side * 3 // 4, long_side)
    fill = float(rng.uniform(0.65, 0.9))
    scale = fill * min(out_w / sw, out_h / sh)
    pw, ph_ = sw * scale, sh * scale
    cx = out_w / 2 + float(rng.uniform(-0.08, 0.08)) * out_w
    cy = out_h / 2 + float(rng.uniform(-0.08, 0.08)) * out_h
    rot = np.radians(float(rng.uniform(-7, 7)))
    corners = np.array([(-pw / 2, -ph_ / 2), (pw / 2, -ph_ / 2), (pw / 2, ph_ / 2), (-pw / 2, ph_ / 2)])
    rotm = np.array([[np.cos(rot), -np.sin(rot)], [np.sin(rot), np.cos(rot)]])
    quad = corners @ rotm.T + (cx, cy)
    tilt = float(rng.uniform(0.0, 0.07))      # the phone not held flat: one side farther
    side = int(rng.integers(4))
    mid = quad.mean(axis=0)
    for i in (side, (side + 1) % 4):
        quad[i] = mid + (quad[i] - mid) * (1 - tilt)
    quad += rng.normal(0, 0.008 * long_side, quad.shape)
    quad = quad.astype(np.float32)
    matrix = cv2.getPerspectiveTransform(np.array([(0, 0), (sw, 0), (sw, sh), (0, sh)], np.float32), quad)
    if scale < 0.8:   # shrink first: a perspective warp samples, it does not average
        src = cv2.resize(src, None, fx=scale / 0.9, fy=scale / 0.9, interpolation=cv2.INTER_AREA)
        matrix = matrix @ np.diag([0.9 / scale, 0.9 / scale, 1.0])
        sh, sw = src.shape[:2]
    warped = cv2.warpPerspective(src, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_REPLICATE)
    mask = cv2.warpPerspective(np.full((sh, sw), 255, np.uint8), matrix, (out_w, out_h),
                               flags=cv2.INTER_LINEAR)
    desk, desk_kind = _desk(rng, out_h, out_w)
    arr = desk
    cv2.copyTo(warped, (mask > 127).astype(np.uint8), arr)
    log.append({"name": "perspective", "fill": round(fill, 3),
                "rotation_deg": round(float(np.degrees(rot)), 2),
                "tilt": round(tilt, 3), "desk": desk_kind, "size": [out_w, out_h]})
    lh, lw = max(2, out_h // _LOW), max(2, out_w // _LOW)
    gain = 1 - float(rng.uniform(0.05, 0.35)) * (0.5 + 0.5 * _smooth(rng, lh, lw, 2))
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    gain *= 1 - 0.25 * (((xx - lw / 2) / lw) ** 2 + ((yy - lh / 2) / lh) ** 2)
    if rng.random() < 0.55:   # the phone's or the hand's shadow across the page
        shadow = np.zeros((lh, lw), np.float32)
        a = rng.uniform(0, 1, 2) * (lw, lh)
        b = a + rng.uniform(-0.7, 0.7, 2) * (lw, lh)
        width = float(rng.uniform(0.15, 0.45)) * max(lh, lw)
        normal = np.array((-(b - a)[1], (b - a)[0])) / max(1e-6, float(np.hypot(*(b - a))))
        cv2.fillPoly(shadow, [np.array([a, b, b + normal * width, a + normal * width], np.int32)], 1.0)
        shadow = cv2.GaussianBlur(shadow, (0, 0), max(0.5, float(rng.uniform(0.01, 0.04)) * max(lh, lw)))
        depth = float(rng.uniform(0.25, 0.5))
        gain *= 1 - depth * shadow
        log.append({"name": "shadow", "depth": round(depth, 3)})
    cast = rng.uniform(0.93, 1.07, 3).astype(np.float32)
    log.append({"name": "light", "cast": [round(float(c), 3) for c in cast]})
    gain_u8 = cv2.resize(_u8(255 * gain[..., None] * cast), (out_w, out_h), interpolation=cv2.INTER_LINEAR)
    out = cv2.multiply(arr, gain_u8, scale=1 / 255)
    if rng.random() < 0.3:
        thumb, skin, entry = _thumb((out_h, out_w), quad, rng)
        ys, xs = np.nonzero(thumb > 0.01)
        if len(xs):   # blend only where the thumb is
            x0, x1 = xs.min() * _LOW, min(out_w, (xs.max() + 1) * _LOW)
            y0, y1 = ys.min() * _LOW, min(out_h, (ys.max() + 1) * _LOW)
            t = cv2.resize(thumb, (out_w, out_h), interpolation=cv2.INTER_LINEAR)[y0:y1, x0:x1, None]
            region = out[y0:y1, x0:x1].astype(np.float32)
            out[y0:y1, x0:x1] = _u8(region * (1 - t) + (skin * (0.8 + 0.25 * t)) * t)
        log.append(entry)
    r = rng.random()
    if r < 0.45:
        sigma = float(rng.uniform(0.6, 1.8))
        out = cv2.GaussianBlur(out, (0, 0), sigma)
        log.append({"name": "defocus", "sigma_px": round(sigma, 2)})
    elif r < 0.7:
        length = int(rng.integers(3, 10))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0
        kernel = cv2.warpAffine(kernel, cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5),
                                                                float(rng.uniform(0, 180)), 1.0),
                                (length, length))
        out = cv2.filter2D(out, -1, kernel / max(1e-6, float(kernel.sum())))
        log.append({"name": "motion_blur", "length_px": length})
    sigma = float(rng.uniform(2, 7))
    out = _noise(out, rng, sigma)
    log.append({"name": "sensor_noise", "sigma": round(sigma, 2)})
    image = Image.fromarray(out, "RGB")
    quality = int(rng.integers(60, 93))
    exif_tag = 1
    if rng.random() < 0.3:   # stored as the sensor saw it, with a tag telling viewers to turn it
        back = int(rng.integers(1, 4))
        image = Image.fromarray(np.ascontiguousarray(np.rot90(out, k=back)))
        exif_tag = _EXIF_FOR_TURNS[back]
        log.append({"name": "exif_orientation", "tag": exif_tag})
    dpi = 72.0 if rng.random() < 0.5 else None
    log.append({"name": "file", "format": "jpeg", "quality": quality, "dpi": dpi})
    return Shot(image, dpi, turns, "photo", tuple(log), "jpeg", quality, exif_tag)


# ------------------------------------------------------------------ files

def encode(shots: list[Shot], fmt: str | None = None) -> tuple[bytes, str]:
    """The file of one or more captured pages (several pages: TIFF or PDF); (bytes, extension)."""
    first = shots[0]
    fmt = fmt or first.fmt
    if len(shots) > 1 and fmt in ("jpeg", "png"):
        fmt = "pdf"
    out = io.BytesIO()
    dpi = first.dpi
    kw = {"dpi": (dpi, dpi)} if dpi else {}
    match fmt:
        case "jpeg":
            exif = Image.Exif()
            if first.exif_tag != 1:
                exif[_EXIF_ORIENTATION] = first.exif_tag
            first.image.save(out, "JPEG", quality=first.quality, exif=exif.tobytes(), **kw)
            return out.getvalue(), "jpg"
        case "png":
            first.image.save(out, "PNG", optimize=False, **kw)
            return out.getvalue(), "png"
        case "tiff":
            compression = "group4" if first.image.mode == "1" else "tiff_lzw"
            rest = [s.image for s in shots[1:]]
            if any(im.mode == "1" for im in rest) and compression == "group4":
                rest = [im if im.mode == "1" else im.convert("1") for im in rest]
            first.image.save(out, "TIFF", save_all=True, append_images=rest, compression=compression, **kw)
            return out.getvalue(), "tif"
        case "pdf":
            images = [s.image.convert("RGB") if s.image.mode not in ("L", "RGB", "1") else s.image
                      for s in shots]
            # A phone's scanning app sizes the page to the paper (its long side about A4's
            # 11.7 in), not to the 72 dpi the camera writes.
            resolution = max(images[0].size) / 11.69 if first.capture == "photo" else dpi or 200.0
            jpeg = {} if any(im.mode == "1" for im in images) else {"quality": first.quality or 85}
            images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=resolution,
                           **jpeg)
            return out.getvalue(), "pdf"
    raise ValueError(fmt)
