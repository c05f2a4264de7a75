"""Pictures of stored pages for screens: one page of a scanned file as a JPEG of a given width."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from scanpipe.reading.formats import sniff
from scanpipe.reading.pages import MAX_PIXELS, FileFault, UnreadableFile


def preview_jpeg(data: bytes, page: int, width: int, *, quality: int = 80) -> bytes:
    """Page `page` (from 1) of a scanned file, `width` pixels wide at most, as JPEG bytes."""
    kind = sniff(data)
    if kind == "PDF":
        image = _pdf_page(data, page, width)
    else:
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        try:
            image = Image.open(io.BytesIO(data))
            image.seek(page - 1)
            image.draft("L" if image.mode == "L" else "RGB", (width, width * 2))  # JPEG: decode small
            image = ImageOps.exif_transpose(image)
        except (OSError, EOFError, ValueError, Image.DecompressionBombError) as exc:
            raise UnreadableFile(FileFault.CORRUPT, f"cannot show page {page}: {exc}") from None
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    image.thumbnail((width, width * 4))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _pdf_page(data: bytes, page: int, width: int) -> Image.Image:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
        try:
            if not 1 <= page <= len(document):
                raise UnreadableFile(FileFault.CORRUPT, f"the PDF has no page {page}")
            pdf_page = document[page - 1]
            scale = width / max(pdf_page.get_width(), 1.0)
            image: Image.Image = pdf_page.render(scale=scale).to_pil()
            return image
        finally:
            document.close()
    except pdfium.PdfiumError as exc:
        raise UnreadableFile(FileFault.CORRUPT, f"cannot show page {page}: {exc}") from None
