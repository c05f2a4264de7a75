"""Reading barcodes on a page: cheap tries first, harder ones only when they fail.

zxing-cpp reads skewed, noisy and low-contrast codes that zbar misses; zbar
sometimes reads strongly rotated ones that zxing-cpp misses. Both libraries'
result types are converted here into `Code` values and never leak further.

The tries, in order (each is named in `Code.attempt`, so every page records
which reader and which try found its code):

1. ``corners`` — QR only, in the four corners where kit templates print the
   case code (whatever way the page was fed): first on the page halved (a
   quarter of the pixels; a kit code's modules stay several pixels wide), then
   at full size; a code found halved is read again at full size where it lies,
   so its corners are as exact as a full-size read's. Then the whole page
   again at the resolution the found code needs, so a second code elsewhere is
   still seen;
2. ``page-qr`` — QR only, the whole page;
3. ``page-all`` — every supported format (1-D codes too), the whole page;
4. ``global-threshold`` — QR with zxing-cpp's global histogram binariser
   (uneven photos where the local one fails);
5. ``zbar`` — the second reader on the whole page (1-D reads under 4 characters
   are dropped: zbar's false positives on textures);
6. ``upscaled`` — QR on the page enlarged twice (small codes in photos and in
   scans under `UPSCALE_BELOW_DPI`);
7. ``downscaled`` — zbar, QR only, on the page halved (coarse, noisy codes);
8. ``equalised`` — QR after local contrast stretching (faint, stained codes).

A caller says when it has `enough` (scanpipe's own valid code, say); reading
stops at the first try that gives enough.

zbar's text is kept only when the caller `trusted` it (our payload with a valid
check) or zxing-cpp read the same code on the page: zbar misreads — Shift-JIS
for UTF-8 Chinese, 1-D reads in texture — and its misreads were every wrong
text and false positive seen on real photos. Tries that cannot run on a page
that small (a corner or a halved page under `MIN_QR_PX`) are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt
import zxingcpp

from scanpipe.domain.found import Attempt, Code, Corners, Reader


@dataclass(frozen=True, slots=True)
class CodeReading:
    """The codes of a page and the tries made to find them."""

    codes: tuple[Code, ...]
    attempts: tuple[str, ...]


Enough = Callable[[Sequence[Code]], bool]
Trusted = Callable[[Code], bool]

_QR = zxingcpp.barcode_formats_from_str("QRCode,MicroQRCode")
_ALL = zxingcpp.barcode_formats_from_str(
    "QRCode,MicroQRCode,DataMatrix,EAN13,EAN8,UPCA,UPCE,Code128,Code39,Code93,ITF,Codabar,PDF417"
)
_ZBAR_NAMES = {
    "QRCODE": "QRCode", "EAN13": "EAN13", "EAN8": "EAN8", "UPCA": "UPCA", "UPCE": "UPCE",
    "CODE128": "Code128", "CODE39": "Code39", "CODE93": "Code93", "I25": "ITF",
    "CODABAR": "Codabar", "PDF417": "PDF417", "DATABAR": "DataBar", "DATABAR_EXP": "DataBarExpanded",
    "ISBN10": "ISBN", "ISBN13": "ISBN",
}
CORNER_FRACTION = 0.42  # of the page's shorter side: holds a kit QR zone with room for skew
MIN_MODULE_PX = 3.0     # below this, zxing-cpp starts to miss modules
HALVED_MIN_PX = 2000    # pages whose shorter side is this long (A4 from 250 dpi) are looked at
                        # halved first: a kit code's modules stay 3 px there; smaller pages are not
MIN_1D_LENGTH = 4       # zbar reads 1-character Code39 in photos of textures
# Enlarging found codes only on photos and on 150-200 dpi scans (measured on the recognition
# corpus: none of its 240 and 300 dpi pages); there a 0.5 mm module is 4.7 px or more.
UPSCALE_BELOW_DPI = 240
MIN_QR_PX = 11          # the smallest symbol (Micro QR M1, 11 modules) at 1 px a module: a
                        # QR-only try on a page or crop shorter than this cannot find anything


def _any(codes: Sequence[Code]) -> bool:
    return bool(codes)


# ------------------------------------------------------------------ the two readers

def _rounded(corners: Sequence[tuple[float, float]]) -> Corners:
    """Four corners to whole pixels."""
    first, second, third, fourth = ((round(x), round(y)) for x, y in corners)
    return first, second, third, fourth


def _zxing(pixels: npt.NDArray[np.uint8], formats: zxingcpp.BarcodeFormats, attempt: str,
           scale: float = 1.0, offset: tuple[float, float] = (0, 0),
           binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage) -> list[Code]:
    """zxing-cpp on `pixels`; positions mapped back by 1/`scale` and `offset`."""
    codes = []
    # Plain text mode: control characters stay themselves instead of "<SOH>" renderings.
    for found in zxingcpp.read_barcodes(pixels, formats=formats, binarizer=binarizer,
                                        text_mode=zxingcpp.TextMode.Plain):
        if not found.valid:
            continue
        p = found.position
        corners = _rounded([(q.x / scale + offset[0], q.y / scale + offset[1])
                            for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)])
        codes.append(Code(found.format.name, found.text, corners, Reader.ZXING, attempt,
                          float(found.orientation)))
    return codes


def _decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_with_zbar(pixels: npt.NDArray[np.uint8], attempt: str, scale: float = 1.0,
                   qr_only: bool = False) -> list[Code]:
    """zbar alone on `pixels` (2-D uint8, contiguous), as try `attempt`: every code it reads
    (QR only with `qr_only`; 1-D reads under `MIN_1D_LENGTH` dropped), positions mapped back
    by 1/`scale`, their corners from the one nearest the page's top-left. Its reads are not
    checked here: `scan_codes` keeps them only when trusted or confirmed."""
    from pyzbar import pyzbar  # loads libzbar; imported late so a missing library names itself

    height, width = pixels.shape
    codes = []
    symbols = [pyzbar.ZBarSymbol.QRCODE] if qr_only else None
    for found in pyzbar.decode((pixels.tobytes(), width, height), symbols=symbols):
        if found.type != "QRCODE" and len(found.data) < MIN_1D_LENGTH:
            continue  # zbar's short 1-D reads of textures are its false positives
        polygon = np.array([(pt.x, pt.y) for pt in found.polygon], dtype=np.float32) / scale
        box = cv2.boxPoints(cv2.minAreaRect(polygon)) if len(polygon) != 4 else polygon
        start = int(np.argmin(box.sum(axis=1)))  # the corner nearest the page's top-left
        corners = _rounded([box[(start + i) % 4] for i in range(4)])
        name = _ZBAR_NAMES.get(found.type, found.type.title())
        codes.append(Code(name, _decode_text(found.data), corners, Reader.ZBAR, attempt))
    return codes


# ------------------------------------------------------------------ the tries

def _scaled(pixels: npt.NDArray[np.uint8], factor: float, interpolation: int) -> npt.NDArray[np.uint8]:
    """The page resized by `factor` (OpenCV keeps its uint8; its stubs give no dtype)."""
    return cast(npt.NDArray[np.uint8],
                cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=interpolation))


def _halved(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The page at half size, each pixel the mean of a 2 × 2 block (an odd last row or
    column left out), so that a position halved is exactly a position at full size halved."""
    height, width = pixels.shape
    even = pixels[:height - height % 2, :width - width % 2]
    return cast(npt.NDArray[np.uint8],  # OpenCV keeps the uint8; its stubs give no dtype
                cv2.resize(even, (width // 2, height // 2), interpolation=cv2.INTER_AREA))


def _corners(pixels: npt.NDArray[np.uint8], enough: Enough, scale: float = 1.0) -> list[Code]:
    """QR codes in the corners of `pixels` (the page scaled by `scale`), stopping at the
    first corner that gives `enough`; positions in pixels of the page at full size."""
    height, width = pixels.shape
    side = int(min(height, width) * CORNER_FRACTION)
    codes: list[Code] = []
    if side < MIN_QR_PX:
        return codes  # a corner this small holds no code (and zxing-cpp refuses an empty crop)
    right, bottom = width - side, height - side
    # Where a kit page's top-right corner lands when fed upright, turned 90° clockwise,
    # upside down, turned 270°: the most common first.
    for x, y in ((right, 0), (right, bottom), (0, bottom), (0, 0)):
        codes.extend(_zxing(pixels[y:y + side, x:x + side], _QR, Attempt.CORNERS, scale=scale,
                            offset=(x / scale, y / scale)))
        if codes and enough(codes):
            break
    return codes


def _at_full_size(pixels: npt.NDArray[np.uint8], code: Code) -> Code:
    """`code`, found on the page scaled down, read again at full size where it lies (a small
    crop: cheap), for corners to the pixel; as found when that read does not give it back."""
    xs, ys = zip(*code.position)
    margin = code.side / 3  # the quiet zone, and room for the reduced read's error
    height, width = pixels.shape
    x0, y0 = max(0, int(min(xs) - margin)), max(0, int(min(ys) - margin))
    x1, y1 = min(width, int(max(xs) + margin) + 1), min(height, int(max(ys) + margin) + 1)
    for again in _zxing(pixels[y0:y1, x0:x1], _QR, code.attempt, offset=(x0, y0)):
        if again.text == code.text and again.format == code.format:
            return again
    return code


def _whole_page_for(pixels: npt.NDArray[np.uint8], half: npt.NDArray[np.uint8] | None,
                    found: Sequence[Code]) -> list[Code]:
    """The whole page, QR only, scaled down as far as the found codes allow (fast); `half`
    is the page already halved, if it was."""
    module = min(code.side for code in found) / 25  # our codes have 25+ modules a side
    # Halving is the cheap resize (and the one that keeps modules crisp): halve while it may.
    scale = 1.0
    while module * scale / 2 >= MIN_MODULE_PX:
        scale /= 2
    if scale == 1.0:
        return _zxing(pixels, _QR, Attempt.CORNERS)
    base, base_scale = (half, 0.5) if half is not None else (pixels, 1.0)
    small = base if scale == base_scale else _scaled(base, scale / base_scale, cv2.INTER_AREA)
    return _zxing(small, _QR, Attempt.CORNERS, scale=scale)


def _global_threshold(pixels: npt.NDArray[np.uint8]) -> list[Code]:
    return _zxing(pixels, _QR, Attempt.GLOBAL_THRESHOLD, binarizer=zxingcpp.Binarizer.GlobalHistogram)


def _upscaled(pixels: npt.NDArray[np.uint8], dpi: float | None) -> list[Code]:
    if max(pixels.shape) > 4000:  # a large page's codes are not small; enlarging costs too much
        return []
    if dpi is not None and dpi >= UPSCALE_BELOW_DPI:  # a fine scan's codes are not small either
        return []
    big = _scaled(pixels, 2.0, cv2.INTER_CUBIC)
    return _zxing(big, _QR, Attempt.UPSCALED, scale=2.0)


def _halves_to_a_code(pixels: npt.NDArray[np.uint8]) -> bool:
    """Whether the page halved can still hold a QR code (OpenCV refuses to make 0 px)."""
    return int(min(pixels.shape)) // 2 >= MIN_QR_PX


def _downscaled(pixels: npt.NDArray[np.uint8]) -> list[Code]:
    small = _scaled(pixels, 0.5, cv2.INTER_AREA)
    return read_with_zbar(small, Attempt.DOWNSCALED, scale=0.5, qr_only=True)


def _equalised(pixels: npt.NDArray[np.uint8]) -> list[Code]:
    clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))
    equalised = cast(npt.NDArray[np.uint8], clahe.apply(pixels))  # OpenCV's stubs give no dtype
    return _zxing(equalised, _QR, Attempt.EQUALISED)


def _same_code(a: Code, b: Code, tolerance: float) -> bool:
    (ax, ay), (bx, by) = a.center, b.center
    return a.text == b.text and abs(ax - bx) < tolerance and abs(ay - by) < tolerance


def _merge(kept: list[Code], new: Sequence[Code], tolerance: float) -> None:
    for code in new:
        if not any(_same_code(code, old, tolerance) for old in kept):
            kept.append(code)


def _confirmed(code: Code, kept: Sequence[Code]) -> bool:
    """Whether zxing-cpp read `code`'s text, in the same format, somewhere on the page."""
    return any(old.reader is Reader.ZXING and old.format == code.format and old.text == code.text
               for old in kept)


def scan_codes(pixels: npt.NDArray[np.uint8], enough: Enough = _any, *, quick_first: bool = True,
               dpi: float | None = None, trusted: Trusted | None = None) -> CodeReading:
    """Every code on the page, trying harder only until `enough` says so.

    With `quick_first`, the template corners are looked at first (the fast path
    of a kit page); otherwise reading starts with every format on the whole page.
    `dpi`, when the file gives it, spares a fine scan the enlarged try.

    A zbar read is kept only when `trusted` accepts it (the caller's own payload
    with a valid check) or zxing-cpp read the same text in the same format on the
    page, in any try; without `trusted`, only that agreement admits it. A read
    not (yet) confirmed does not count towards `enough`.
    """
    pixels = np.ascontiguousarray(pixels)
    tolerance = max(pixels.shape) / 50
    kept: list[Code] = []
    attempts: list[str] = []
    unconfirmed: list[Code] = []  # zbar's reads not trusted, nor confirmed by zxing-cpp so far

    def tried(name: Attempt, codes: Sequence[Code]) -> bool:
        attempts.append(name.value)
        _merge(kept, [c for c in codes if c.reader is Reader.ZXING], tolerance)
        unconfirmed.extend(c for c in codes if c.reader is not Reader.ZXING)
        admitted = [c for c in unconfirmed if (trusted is not None and trusted(c)) or _confirmed(c, kept)]
        unconfirmed[:] = [c for c in unconfirmed if c not in admitted]
        _merge(kept, admitted, tolerance)
        return enough(kept)

    if quick_first:
        half = _halved(pixels) if min(pixels.shape) >= HALVED_MIN_PX else None
        corner_codes = []
        if half is not None:
            corner_codes = [_at_full_size(pixels, code) for code in _corners(half, enough, 0.5)]
        if not (corner_codes and enough(corner_codes)):
            corner_codes = _corners(pixels, enough)
        if corner_codes and enough(corner_codes):
            _merge(kept, corner_codes, tolerance)
            attempts.append(Attempt.CORNERS.value)
            _merge(kept, _whole_page_for(pixels, half, corner_codes), tolerance)
            return CodeReading(tuple(kept), tuple(attempts))
        if tried(Attempt.PAGE_QR, _zxing(pixels, _QR, Attempt.PAGE_QR)):
            return CodeReading(tuple(kept), tuple(attempts))
    # Ordered by what each rescues for its cost, measured on ZXing's own photo sets
    # (bench/zxing_photos.py) and on simulated scans (bench/recognition.py).
    steps: tuple[tuple[Attempt, Callable[[npt.NDArray[np.uint8]], list[Code]]], ...] = (
        (Attempt.PAGE_ALL, lambda p: _zxing(p, _ALL, Attempt.PAGE_ALL)),
        (Attempt.GLOBAL_THRESHOLD, _global_threshold),
        (Attempt.ZBAR, lambda p: read_with_zbar(p, Attempt.ZBAR)),
        (Attempt.UPSCALED, lambda p: _upscaled(p, dpi)),
        (Attempt.DOWNSCALED, _downscaled),
        (Attempt.EQUALISED, _equalised),
    )
    for name, step in steps:
        if name is Attempt.DOWNSCALED and not _halves_to_a_code(pixels):
            continue  # a try that cannot run on a page this small is not made
        if tried(name, step(pixels)):
            break
    return CodeReading(tuple(kept), tuple(attempts))


def read_codes(pixels: npt.NDArray[np.uint8]) -> list[Code]:
    """Every code on the page (all formats), best reader first; the same code read twice is kept once."""
    return list(scan_codes(pixels, quick_first=False).codes)

