"""Reading barcodes on a page: zxing-cpp first, zbar second.

zxing-cpp reads skewed, noisy and low-contrast codes that zbar misses; zbar
sometimes reads strongly rotated ones that zxing-cpp misses. Both libraries'
result types are converted here into `Code` values and never leak further.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
import zxingcpp

Point = tuple[int, int]


class Reader(StrEnum):
    ZXING = "zxing-cpp"
    ZBAR = "zbar"


@dataclass(frozen=True, slots=True)
class Code:
    """One barcode found on a page.

    `position` holds the four corners (top-left, top-right, bottom-right,
    bottom-left in the code's own orientation) in pixels of the page as given.
    """

    format: str  # zxing-cpp's format names: "QRCode", "EAN13", "Code128", ...
    text: str
    position: tuple[Point, Point, Point, Point]
    reader: Reader

    @property
    def center(self) -> tuple[float, float]:
        xs, ys = zip(*self.position)
        return sum(xs) / 4, sum(ys) / 4

    def to_json(self) -> dict:
        return {"format": self.format, "text": self.text,
                "position": [list(p) for p in self.position]}


_ZXING_FORMATS = zxingcpp.barcode_formats_from_str(
    "QRCode,MicroQRCode,DataMatrix,EAN13,EAN8,UPCA,UPCE,Code128,Code39,Code93,ITF,Codabar,PDF417"
)
_ZBAR_NAMES = {
    "QRCODE": "QRCode", "EAN13": "EAN13", "EAN8": "EAN8", "UPCA": "UPCA", "UPCE": "UPCE",
    "CODE128": "Code128", "CODE39": "Code39", "CODE93": "Code93", "I25": "ITF",
    "CODABAR": "Codabar", "PDF417": "PDF417", "DATABAR": "DataBar", "DATABAR_EXP": "DataBarExpanded",
    "ISBN10": "ISBN", "ISBN13": "ISBN",
}


def _zxing(pixels: np.ndarray) -> list[Code]:
    codes = []
    for found in zxingcpp.read_barcodes(pixels, formats=_ZXING_FORMATS):
        if not found.valid:
            continue
        p = found.position
        corners = tuple((int(q.x), int(q.y)) for q in
                        (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
        codes.append(Code(found.format.name, found.text, corners, Reader.ZXING))
    return codes


def _decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _zbar(pixels: np.ndarray) -> list[Code]:
    from pyzbar import pyzbar  # loads libzbar; imported late so a missing library names itself

    height, width = pixels.shape
    codes = []
    for found in pyzbar.decode((pixels.tobytes(), width, height)):
        polygon = np.array([(pt.x, pt.y) for pt in found.polygon], dtype=np.float32)
        box = cv2.boxPoints(cv2.minAreaRect(polygon)) if len(polygon) != 4 else polygon
        start = int(np.argmin(box.sum(axis=1)))  # the corner nearest the page's top-left
        ordered = [box[(start + i) % 4] for i in range(4)]
        corners = tuple((int(round(x)), int(round(y))) for x, y in ordered)
        name = _ZBAR_NAMES.get(found.type, found.type.title())
        codes.append(Code(name, _decode_text(found.data), corners, Reader.ZBAR))
    return codes


def _same_code(a: Code, b: Code, tolerance: float) -> bool:
    (ax, ay), (bx, by) = a.center, b.center
    return a.text == b.text and abs(ax - bx) < tolerance and abs(ay - by) < tolerance


def read_codes(pixels: np.ndarray) -> list[Code]:
    """Every code on the page, best reader first; the same code read twice is kept once."""
    codes = _zxing(pixels)
    if not codes:
        codes = _zbar(pixels)
    unique: list[Code] = []
    tolerance = max(pixels.shape) / 50
    for code in codes:
        if not any(_same_code(code, kept, tolerance) for kept in unique):
            unique.append(code)
    return unique
