"""Loading scanned files: every accepted format, and clear faults for bad ones."""

import io

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from scanpipe.pages import MAX_PIXELS, FileFault, UnreadableFile, load_pages


def _image(fmt, size=(400, 300), mode="L", **kw):
    out = io.BytesIO()
    Image.new(mode, size, 200).save(out, format=fmt, **kw)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP", "BMP"])
def test_raster_formats(fmt):
    pages = load_pages(_image(fmt))
    assert len(pages) == 1
    assert pages[0].size == (400, 300) and pages[0].pixels.dtype == np.uint8


def test_multi_page_tiff():
    out = io.BytesIO()
    frames = [Image.new("L", (300, 200), v) for v in (10, 120, 250)]
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], dpi=(300, 300))
    pages = load_pages(out.getvalue())
    assert [p.number for p in pages] == [1, 2, 3]
    assert [int(p.pixels.mean()) for p in pages] == [10, 120, 250]
    assert pages[0].dpi == 300


def _pdf(pages=2, encrypt=None):
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, encrypt=encrypt)
    for n in range(pages):
        pdf.drawString(100, 700, f"page {n + 1}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def test_multi_page_pdf_is_rasterised_at_200_dpi():
    pages = load_pages(_pdf(3))
    assert len(pages) == 3
    width, height = pages[0].size
    assert abs(width - 1654) <= 2 and abs(height - 2339) <= 2
    assert pages[0].dpi == 200


def test_transparent_png_is_white_paper():
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, format="PNG")
    assert load_pages(out.getvalue())[0].pixels.min() == 255


def test_exif_rotation_is_applied():
    image = Image.new("L", (400, 300), 200)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    assert load_pages(out.getvalue())[0].size == (300, 400)


@pytest.mark.parametrize("data,fault", [
    (b"", FileFault.EMPTY),
    (b"hello, this is a text file", FileFault.UNKNOWN_TYPE),
    (b"GIF89a" + b"\0" * 100, FileFault.UNKNOWN_TYPE),
    (b"\xff\xd8\xff\xe0 not really a jpeg", FileFault.CORRUPT),
    (b"%PDF-1.7\n garbage", FileFault.CORRUPT),
])
def test_bad_files_say_why(data, fault):
    with pytest.raises(UnreadableFile) as error:
        load_pages(data)
    assert error.value.fault is fault


def test_truncated_files():
    for data in (_image("PNG", size=(800, 800))[:200], _image("JPEG", size=(800, 800))[:300], _pdf(2)[:400]):
        with pytest.raises(UnreadableFile) as error:
            load_pages(data)
        assert error.value.fault in (FileFault.CORRUPT, FileFault.EMPTY)


def test_encrypted_pdf():
    with pytest.raises(UnreadableFile) as error:
        load_pages(_pdf(1, encrypt="secret"))
    assert error.value.fault is FileFault.ENCRYPTED


def test_decompression_bomb_is_refused_without_decoding():
    side = int(MAX_PIXELS ** 0.5) + 100
    data = _image("PNG", size=(side, side), mode="1")  # tiny file, huge image
    assert len(data) < 2_000_000
    with pytest.raises(UnreadableFile) as error:
        load_pages(data)
    assert error.value.fault is FileFault.TOO_LARGE
