"""Loading scanned files: every accepted format, and clear faults for bad ones."""

import io

import numpy as np
import pytest
from badfiles import made
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from scanpipe.reading.pages import MAX_PIXELS, FileFault, UnreadableFile, load_pages, open_pages
from scanpipe.reading.pipeline import process_file


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


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF"])
def test_a_resolution_that_makes_the_image_larger_than_a_sheet_is_not_believed(fmt):
    # A phone photo says 72 dpi: its 4000 pixels would be a sheet 1.4 m long.
    out = io.BytesIO()
    Image.new("L", (3000, 4000), 200).save(out, format=fmt, dpi=(72, 72))
    [photo] = load_pages(out.getvalue())
    assert photo.dpi is None
    out = io.BytesIO()
    Image.new("L", (2480, 3508), 200).save(out, format=fmt, dpi=(300, 300))  # A4 at 300 dpi
    assert load_pages(out.getvalue())[0].dpi == pytest.approx(300, abs=0.01)


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


@pytest.mark.parametrize("name,fault", [
    ("oversized-tiff-third-frame-too-large.tif", FileFault.TOO_LARGE),
    ("oversized-pdf-second-page-5x5-metres.pdf", FileFault.TOO_LARGE),
    ("many-pages-pdf-3000.pdf", FileFault.TOO_MANY_PAGES),
    ("many-pages-tiff-2000.tif", FileFault.TOO_MANY_PAGES),
])
def test_limits_are_checked_before_any_page_is_decoded(name, fault):
    with pytest.raises(UnreadableFile) as error:
        open_pages(made(name))  # not one page asked for yet
    assert error.value.fault is fault


def test_pages_come_one_at_a_time_and_a_later_fault_names_its_page():
    pages = open_pages(made("truncated-tiff-multipage-last-frame.tif"))
    assert [next(pages).number, next(pages).number] == [1, 2]
    with pytest.raises(UnreadableFile) as error:
        next(pages)
    assert error.value.fault is FileFault.CORRUPT and "page 3 of 3" in error.value.detail


def test_a_file_failing_on_a_later_page_is_one_rejected_result(campaign):
    [result] = process_file(made("truncated-tiff-multipage-last-frame.tif"), campaign)
    assert result.decision.status.value == "rejected"
    assert "page 3 of 3" in result.decision.findings[0].detail


def test_a_pdf_without_pages_after_an_encrypted_one_is_not_called_encrypted():
    # PDFium keeps the previous file's error code when it refuses one without pages.
    with pytest.raises(UnreadableFile):
        load_pages(_pdf(1, encrypt="secret"))
    with pytest.raises(UnreadableFile) as error:
        load_pages(made("empty-pdf-no-pages.pdf"))
    assert error.value.fault is FileFault.CORRUPT


@pytest.mark.parametrize("name", ["truncated-jpg-one-byte-short.jpg", "truncated-png-one-byte-short.png",
                                  "truncated-pdf-in-eof-marker.pdf"])
def test_a_file_cut_short_is_refused_even_when_its_decoder_would_make_do(name):
    with pytest.raises(UnreadableFile) as error:
        load_pages(made(name))
    assert error.value.fault is FileFault.CORRUPT and "scan it again" in error.value.detail


@pytest.mark.parametrize("name", ["odd-valid-grey-alpha.png", "odd-valid-progressive.jpg",
                                  "odd-valid-1x1-pixel.pdf", "odd-valid-cmyk.tif"])
def test_pages_are_grey_values(name):
    [page] = load_pages(made(name))
    assert page.pixels.dtype == np.uint8 and page.pixels.ndim == 2
    with pytest.raises(ValueError):
        page.pixels[0, 0] = 0  # a page is never changed in place, whichever decoder made it
