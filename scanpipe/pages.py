"""Turning the bytes of a scanned file into page images.

Accepts JPEG, PNG, TIFF (multi-page), WebP, BMP and PDF (multi-page, rasterised).
Anything else, or anything damaged, raises `UnreadableFile` with a reason that
the caller records; a bad file never takes the station down.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from enum import StrEnum

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

PDF_DPI = 200  # PDF pages are rasterised at this resolution; positions are in these pixels
MAX_PAGES = 500  # a scanner batch larger than this is not a batch; quarantine it
MAX_PIXELS = 80_000_000  # about an A3 page at 600 dpi; larger is a decompression bomb
_RASTER_FORMATS = {"JPEG", "PNG", "TIFF", "WEBP", "BMP", "MPO"}


class FileFault(StrEnum):
    """Why a file could not be read."""

    EMPTY = "EMPTY_FILE"
    UNKNOWN_TYPE = "UNSUPPORTED_FILE_TYPE"
    CORRUPT = "CORRUPT_FILE"
    TOO_LARGE = "IMAGE_TOO_LARGE"
    TOO_MANY_PAGES = "TOO_MANY_PAGES"
    ENCRYPTED = "ENCRYPTED_PDF"


class UnreadableFile(Exception):
    """The file cannot be turned into pages; `fault` says why, `detail` how."""

    def __init__(self, fault: FileFault, detail: str):
        super().__init__(f"{fault.value}: {detail}")
        self.fault = fault
        self.detail = detail


@dataclass(frozen=True, eq=False)
class Page:
    """One page image, grey levels 0–255, as the file gives it (EXIF rotation applied)."""

    number: int  # 1-based within its file
    pixels: np.ndarray = field(repr=False)  # 2-D uint8, height × width
    dpi: float | None  # from the file, or the rasterisation resolution for PDF

    @property
    def size(self) -> tuple[int, int]:
        height, width = self.pixels.shape
        return width, height


def sniff(data: bytes) -> str:
    """A short name for the file's type, from its first bytes."""
    if data.startswith(b"%PDF-"):
        return "PDF"
    signatures = {
        b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG", b"II*\x00": "TIFF",
        b"MM\x00*": "TIFF", b"BM": "BMP",
    }
    for magic, name in signatures.items():
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return "UNKNOWN"


def load_pages(data: bytes, *, pdf_dpi: int = PDF_DPI) -> list[Page]:
    """All pages of a scanned file, in order; raises `UnreadableFile`."""
    if not data:
        raise UnreadableFile(FileFault.EMPTY, "the file is empty")
    kind = sniff(data)
    if kind == "PDF":
        return _pdf_pages(data, pdf_dpi)
    if kind == "UNKNOWN":
        raise UnreadableFile(FileFault.UNKNOWN_TYPE,
                             "not a JPEG, PNG, TIFF, WebP, BMP or PDF file")
    return _raster_pages(data)


def _gray(image: Image.Image) -> np.ndarray:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent areas are paper, not black.
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))
    if image.mode.startswith("I;16"):
        image = image.point(lambda v: v / 256)
    return np.asarray(image.convert("L"), dtype=np.uint8).copy()


def _dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else None
    except (TypeError, ValueError, IndexError):
        return None
    return value if value and 30 <= value <= 2400 else None


def _raster_pages(data: bytes) -> list[Page]:
    pages: list[Page] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in _RASTER_FORMATS:
                    raise UnreadableFile(FileFault.UNKNOWN_TYPE,
                                         f"image format {image.format} is not accepted")
                frames = getattr(image, "n_frames", 1)
                if frames > MAX_PAGES:
                    raise UnreadableFile(FileFault.TOO_MANY_PAGES,
                                         f"{frames} pages; at most {MAX_PAGES} per file")
                if image.format == "JPEG" and frames == 1:
                    return [_jpeg_page(data, image)]
                for index in range(frames):
                    image.seek(index)
                    width, height = image.size
                    if width * height > MAX_PIXELS:
                        raise UnreadableFile(
                            FileFault.TOO_LARGE,
                            f"page {index + 1} is {width}×{height} pixels; at most {MAX_PIXELS:,}")
                    frame = ImageOps.exif_transpose(image) if index == 0 else image
                    pages.append(Page(index + 1, _gray(frame), _dpi(image)))
        except UnreadableFile:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UnreadableFile(FileFault.TOO_LARGE, str(exc)) from None
        except UnidentifiedImageError:
            raise UnreadableFile(FileFault.CORRUPT, "not a readable image (damaged or truncated)") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise UnreadableFile(FileFault.CORRUPT, f"cannot decode the image: {exc}") from None
    return pages


def _jpeg_page(data: bytes, image: Image.Image) -> Page:
    """A single-frame JPEG, decoded straight to grey by libjpeg-turbo (about twice Pillow's speed).

    Pillow has read the header only: the size is checked before any pixel is decoded.
    OpenCV applies the EXIF orientation as Pillow's `exif_transpose` does.
    """
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise UnreadableFile(FileFault.TOO_LARGE, f"page 1 is {width}×{height} pixels; at most {MAX_PIXELS:,}")
    pixels = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if pixels is None:
        raise UnreadableFile(FileFault.CORRUPT, "cannot decode the JPEG image (damaged or truncated)")
    return Page(1, pixels, _dpi(image))


def _pdf_pages(data: bytes, dpi: int) -> list[Page]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise UnreadableFile(FileFault.ENCRYPTED,
                                 "the PDF is password-protected; save it without a password") from None
        raise UnreadableFile(FileFault.CORRUPT, f"cannot open the PDF: {message}") from None
    try:
        count = len(document)
        if count == 0:
            raise UnreadableFile(FileFault.EMPTY, "the PDF has no pages")
        if count > MAX_PAGES:
            raise UnreadableFile(FileFault.TOO_MANY_PAGES, f"{count} pages; at most {MAX_PAGES} per file")
        pages = []
        scale = dpi / 72
        for index in range(count):
            page = document[index]
            width, height = page.get_size()
            if width * scale * height * scale > MAX_PIXELS:
                raise UnreadableFile(FileFault.TOO_LARGE,
                                     f"page {index + 1} would be over {MAX_PIXELS:,} pixels at {dpi} dpi")
            bitmap = page.render(scale=scale, grayscale=True)
            pixels = bitmap.to_numpy()
            if pixels.ndim == 3:
                pixels = pixels[:, :, 0]
            pages.append(Page(index + 1, np.ascontiguousarray(pixels, dtype=np.uint8), float(dpi)))
        return pages
    except pdfium.PdfiumError as exc:
        raise UnreadableFile(FileFault.CORRUPT, f"cannot render the PDF: {exc}") from None
    finally:
        document.close()
