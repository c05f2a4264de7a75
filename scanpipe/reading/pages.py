"""Turning the bytes of a scanned file into page images, one page at a time.

Accepts JPEG, PNG, TIFF (multi-page), WebP, BMP and PDF (multi-page, rasterised).
Anything else, or anything damaged, raises `UnreadableFile` with a reason that
the caller records; a bad file never takes the station down.

`open_pages` checks what the file's headers tell — its type, its number of pages,
every page's size in pixels, that it is complete — before it decodes a single
pixel, then decodes each page only when it is asked for: a worker holds one page
at a time, whatever the length of the file.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, cast

import cv2
import numpy as np
import numpy.typing as npt
from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

from scanpipe.reading.formats import RASTER_FORMATS, sniff

if TYPE_CHECKING:
    import pypdfium2 as pdfium

Pixels = npt.NDArray[np.uint8]  # a grey page (0 black … 255 white) or a 0/255 mask, height × width

PDF_DPI = 200  # PDF pages are rasterised at this resolution; positions are in these pixels
MAX_PAGES = 500  # a scanner batch larger than this is not a batch; quarantine it
# The largest page accepted: an A4 or US Letter sheet scanned at 600 dpi (34.8 and
# 33.7 Mpx) with room for the scanner's overscan; an A3 sheet up to 400 dpi. Larger is
# a decompression bomb or a poster, and would take a worker past its 400 MB (see
# bench/page_memory.py).
MAX_PIXELS = 40_000_000
_EACH_FRAME_SIZED = {"TIFF", "MPO"}  # frames of their own sizes; others are one canvas
_BLANK = b" \t\r\n\x0b\x0c\x00"
_PNG_END = b"IEND\xaeB`\x82"  # the end chunk and its (constant) CRC
_PDF_END = b"%%EOF"  # readers look for it in the last 1024 bytes of a PDF
_TURNS = {  # EXIF orientation → the turn that shows the page as it is meant to be seen
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90,
}


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
    pixels: Pixels = field(repr=False)
    dpi: float | None  # from the file, or the rasterisation resolution for PDF

    def __post_init__(self) -> None:
        self.pixels.setflags(write=False)  # a value: every step that changes it makes a copy

    @property
    def size(self) -> tuple[int, int]:
        height, width = self.pixels.shape
        return width, height


def open_pages(data: bytes, *, pdf_dpi: int = PDF_DPI) -> Iterator[Page]:
    """The pages of a scanned file, in order, each decoded when it is asked for.

    Raises `UnreadableFile` at once for what the headers show (type, damage, too many
    pages, a page too large, incomplete); a page that fails to decode raises it when
    it is reached, naming the page.
    """
    if not data.lstrip(_BLANK):  # no copy unless the file starts blank
        raise UnreadableFile(FileFault.EMPTY, "the file is empty" if not data else
                             "the file holds only blank characters or zero bytes (never written?)")
    kind = sniff(data)
    if kind == "PDF":
        return _pdf_pages(data, pdf_dpi)
    if kind == "UNKNOWN":
        raise UnreadableFile(FileFault.UNKNOWN_TYPE,
                             "not a JPEG, PNG, TIFF, WebP, BMP or PDF file; scan to one of these")
    return _raster_pages(data)


def load_pages(data: bytes, *, pdf_dpi: int = PDF_DPI) -> list[Page]:
    """All pages of a file at once, for files known to be short (templates, tests);
    a station decides pages one at a time with `open_pages`. Raises `UnreadableFile`."""
    return list(open_pages(data, pdf_dpi=pdf_dpi))


def _too_large(page: int, width: float, height: float, where: str = "",
               advice: str = "scan at 300 dpi") -> UnreadableFile:
    return UnreadableFile(FileFault.TOO_LARGE,
                          f"page {page} is {width:.0f}×{height:.0f} pixels{where}; at most {MAX_PIXELS:,} "
                          f"(an A4 page at 600 dpi fits): {advice}")


def _too_many(count: int) -> UnreadableFile:
    return UnreadableFile(FileFault.TOO_MANY_PAGES,
                          f"{count} pages; at most {MAX_PAGES} per file: split the batch")


# ------------------------------------------------------------------ raster images

@contextmanager
def _decoding(what: str) -> Iterator[None]:
    """Whatever an image library raises on damaged bytes becomes `UnreadableFile`.

    Decoders fuzzed with broken files raise more than their documented errors
    (struct.error, IndexError, ...); every one of them means the same here.
    """
    try:
        yield
    except UnreadableFile:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnreadableFile(FileFault.TOO_LARGE, f"{what}: far too many pixels to decode ({exc}); at "
                                                  f"most {MAX_PIXELS:,} a page: scan at 300 dpi") from None
    except MemoryError:
        raise UnreadableFile(FileFault.TOO_LARGE, f"{what}: not enough memory to decode it") from None
    except UnidentifiedImageError:
        raise UnreadableFile(FileFault.CORRUPT, f"{what}: not a readable image (damaged or "
                                                f"truncated); scan it again") from None
    except Exception as exc:  # see the docstring
        raise UnreadableFile(FileFault.CORRUPT, f"{what}: cannot decode the image "
                                                f"({type(exc).__name__}: {exc}); scan it again") from None


def _raster_pages(data: bytes) -> Iterator[Page]:
    with _decoding("the file"), warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=list(RASTER_FORMATS))
        try:
            frames = _check_raster(image, data)
        except BaseException:
            image.close()
            raise
    return _raster_frames(image, data, frames)


def _check_raster(image: ImageFile.ImageFile, data: bytes) -> int:
    """The number of frames, once the file's headers say it can be decoded within the limits."""
    frames = getattr(image, "n_frames", 1)
    if frames > MAX_PAGES:
        raise _too_many(frames)
    for index in range(frames if image.format in _EACH_FRAME_SIZED else 1):
        image.seek(index)
        if image.width * image.height > MAX_PIXELS:
            raise _too_large(index + 1, image.width, image.height)
    image.seek(0)
    if image.format == "PNG":
        Image.open(io.BytesIO(data), formats=["PNG"]).verify()  # every chunk's CRC
        if _PNG_END not in data[-1024:]:
            raise UnreadableFile(FileFault.CORRUPT, "the PNG image is truncated (its end chunk is "
                                                    "missing); scan it again")
    if image.format in ("JPEG", "MPO") and data.rfind(b"\xff\xd9", image.tile[0][2]) < 0:
        # No end-of-image marker after the start of the scan: libjpeg would paint the
        # missing part grey and say nothing. (Looked for from the end, where a whole
        # file has it: no pass over the picture's bytes.)
        raise UnreadableFile(FileFault.CORRUPT, "the JPEG image is truncated (the file ends in "
                                                "the middle of the picture); scan it again")
    return frames


def _raster_frames(image: Image.Image, data: bytes, frames: int) -> Iterator[Page]:
    # No page is kept in a local between two yields: the caller's page is the only one.
    try:
        if image.format == "JPEG" and frames == 1:
            dpi = _dpi(image)
            image.close()
            with _decoding("page 1 of 1"):
                pixels = _jpeg_pixels(data)
            yield Page(1, pixels, _plausible(dpi, pixels.shape))
            return
        for index in range(frames):
            yield _frame(image, index, frames)
    finally:
        image.close()


def _frame(image: Image.Image, index: int, frames: int) -> Page:
    with _decoding(f"page {index + 1} of {frames}"):
        image.seek(index)
        dpi = _dpi(image)
        pixels = _gray(image, upright=index == 0, last=frames == 1)
    return Page(index + 1, pixels, _plausible(dpi, pixels.shape))


def _gray(image: Image.Image, *, upright: bool, last: bool) -> Pixels:
    """The frame in grey levels, turned by its EXIF orientation when `upright`.

    The decoded frame (up to 4 bytes a pixel: the largest copy) is let go as soon as its
    first grey copy is made: the file closed when it is the `last` frame read from it;
    otherwise Pillow's picture of the frame dropped (there is no public call for it) and
    the next frame decoded afresh, so it does not stay while this page is decided.
    """
    turn = _TURNS.get(image.getexif().get(ExifTags.Base.Orientation, 1)) if upright else None
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if alpha:
        first = image.convert("LA")
    elif image.mode.startswith("I;16"):
        first = image.point(lambda v: v / 256)
    else:
        first = image.convert("L")
    if last:
        image.close()
    else:
        image.im = None  # type: ignore[assignment]  # Pillow's frame buffer: no public call drops it
    if alpha:  # transparent areas are paper, not black
        gray = Image.new("L", first.size, 255)
        gray.paste(first.getchannel("L"), mask=first.getchannel("A"))
    else:
        gray = first if first.mode == "L" else first.convert("L")
    del first
    if turn is not None:
        gray = gray.transpose(turn)
    # Over the bytes Pillow gives: no further copy.
    return np.frombuffer(gray.tobytes(), dtype=np.uint8).reshape(gray.height, gray.width)


def _dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else None
    except (TypeError, ValueError, IndexError):
        return None
    return value if value and 30 <= value <= 2400 else None


# The longest side a page may have (mm) for the file's resolution to be believed: A3 with a
# scanner's margin. A phone photo says 72 dpi: its 4000 pixels would be a sheet 1.4 m long.
PLAUSIBLE_MM = 450.0


def _plausible(dpi: float | None, shape: tuple[int, ...]) -> float | None:
    """The file's resolution when the image is no longer than a sheet of paper at it, else
    None (unknown: every step then measures the page from its content)."""
    if dpi is None:
        return None
    return dpi if max(shape[:2]) * 25.4 / dpi <= PLAUSIBLE_MM else None


def _jpeg_pixels(data: bytes) -> Pixels:
    """A single-frame JPEG, decoded straight to grey by libjpeg-turbo (about twice Pillow's speed).

    OpenCV applies the EXIF orientation as Pillow's `exif_transpose` does.
    """
    pixels = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if pixels is None:
        raise UnreadableFile(FileFault.CORRUPT, "page 1 of 1: cannot decode the JPEG image "
                                                "(damaged); scan it again")  # libjpeg said why on stderr
    return cast(Pixels, pixels)  # IMREAD_GRAYSCALE decodes to 8-bit grey


# ------------------------------------------------------------------ PDF

def _pdf_pages(data: bytes, dpi: int) -> Iterator[Page]:
    import pypdfium2 as pdfium

    if _PDF_END not in data[-65536:].rstrip(_BLANK)[-1024:]:  # padding after it is tolerated
        raise UnreadableFile(FileFault.CORRUPT, "the PDF is incomplete (no end-of-file marker): "
                                                "was it still being written? scan it again")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        # PDFium's error code is not reset by each call (a PDF without pages sets none and
        # shows the previous file's): the file's own words tell a password instead.
        if b"/Encrypt" in data:
            raise UnreadableFile(FileFault.ENCRYPTED,
                                 "the PDF is password-protected; save it without a password") from None
        raise UnreadableFile(FileFault.CORRUPT, "cannot open the PDF (damaged, or without any page); "
                                                "scan it again") from None
    try:
        count = len(document)
        if count == 0:
            raise UnreadableFile(FileFault.EMPTY, "the PDF has no pages")
        if count > MAX_PAGES:
            raise _too_many(count)
        scale = dpi / 72
        for index in range(count):
            width, height = document.get_page_size(index)
            if width * scale * height * scale > MAX_PIXELS:
                raise _too_large(index + 1, width * scale, height * scale, f" at {dpi} dpi",
                                 "no scanned sheet is that large")
    except BaseException as exc:
        document.close()
        if isinstance(exc, pdfium.PdfiumError):
            raise UnreadableFile(FileFault.CORRUPT, f"cannot read the PDF's pages: {exc}") from None
        raise
    return _rendered(document, count, dpi)


def _rendered(document: pdfium.PdfDocument, count: int, dpi: int) -> Iterator[Page]:
    try:
        for index in range(count):
            yield _render(document, index, count, dpi)
    finally:
        document.close()


def _render(document: pdfium.PdfDocument, index: int, count: int, dpi: int) -> Page:
    import pypdfium2 as pdfium

    try:
        page = document[index]
        bitmap = page.render(scale=dpi / 72, grayscale=True)
        page.close()
    except pdfium.PdfiumError as exc:
        raise UnreadableFile(FileFault.CORRUPT, f"cannot render page {index + 1} of {count}: "
                                                f"{exc}; scan it again") from None
    pixels = bitmap.to_numpy()  # a view of the bitmap's own buffer: no copy
    if pixels.ndim == 3:
        pixels = pixels[:, :, 0]
    return Page(index + 1, np.ascontiguousarray(pixels, dtype=np.uint8), float(dpi))
