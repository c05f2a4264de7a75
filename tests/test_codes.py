"""Code reading: the cheap corner try for kit pages, harder tries for damaged codes, every code reported."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import case_code, page_with_codes
from scanpipe import kits, scansim
from scanpipe.codes import Attempt, Reader, scan_codes
from scanpipe.payload import PayloadKind

DPI = 200


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"))


@pytest.fixture(scope="module")
def kit_letter(campaign) -> tuple[np.ndarray, str]:
    case = campaign.cases[2]
    page = scansim.rasterise_pdf(kits.render_letter_sheet(campaign, case), DPI)[0]
    lay = kits.LETTER_LAYOUT
    scan = scansim.scan_image(page, seed=11, dpi=DPI, writing_box_px=lay.writing_box.px(DPI),
                              line_pitch_px=lay.line_pitch_mm * DPI / 25.4, grayscale=True)
    return np.asarray(scan), kits.case_qr_text(campaign, case, PayloadKind.LETTER)


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_kit_page_code_found_in_a_corner_whatever_way_it_was_fed(kit_letter, turns):
    pixels, text = kit_letter
    turned = np.ascontiguousarray(np.rot90(pixels, k=-turns))
    reading = scan_codes(turned)
    [code] = reading.codes
    assert code.text == text and code.reader is Reader.ZXING
    assert code.attempt == Attempt.CORNERS and reading.attempts == ("corners",)
    # The code's turn is the page's: kit codes are printed upright.
    assert round(code.orientation / 90) % 4 == turns


@pytest.mark.parametrize("scale", [7, 1])
def test_corner_code_of_a_300_dpi_page_is_read_with_full_size_corners(campaign, scale):
    """Module 7 px: found on the page halved, its corners then read at full size; module 1 px
    (half a pixel halved, lost there): found by the full-size corner read."""
    text = case_code(campaign, PayloadKind.LETTER, "CAAL")
    pixels = _pixels(page_with_codes((text, 2480 - 60 - 33 * scale, 80), size=(2480, 3508),
                                     scale=scale))
    reading = scan_codes(pixels)
    [code] = reading.codes
    assert code.text == text and reading.attempts == ("corners",)
    [full] = [c for c in scan_codes(pixels, quick_first=False).codes if c.text == text]
    assert np.abs(np.subtract(code.position, full.position)).max() <= 1


def test_a_second_code_elsewhere_is_still_reported(campaign):
    first = case_code(campaign, PayloadKind.LETTER, "CAAL")
    second = case_code(campaign, PayloadKind.LETTER, "BAKER")
    pixels = _pixels(page_with_codes((first, 1350, 60), (second, 700, 1200)))
    texts = {code.text for code in scan_codes(pixels).codes}
    assert texts == {first, second}


def test_reading_stops_when_the_caller_has_enough(campaign):
    text = case_code(campaign, PayloadKind.LETTER, "CAAL")
    pixels = _pixels(page_with_codes((text, 700, 1000)))  # mid-page: not in a corner
    reading = scan_codes(pixels, enough=lambda codes: any(c.text == text for c in codes))
    assert reading.attempts == ("page-qr",)
    nothing = scan_codes(np.full((800, 600), 240, np.uint8))
    assert nothing.codes == () and nothing.attempts[-1] == Attempt.EQUALISED


def test_faint_code_is_found_by_a_harder_try(campaign):
    text = case_code(campaign, PayloadKind.POSTCARD, "WENDY")
    pixels = _pixels(page_with_codes((text, 500, 700), scale=4)).astype(np.float32)
    faint = (pixels * 0.12 + 200).astype(np.uint8)  # grey on grey: contrast of about 30 levels
    rng = np.random.default_rng(5)
    faint = np.clip(faint + rng.normal(0, 6, faint.shape), 0, 255).astype(np.uint8)
    reading = scan_codes(faint, enough=lambda codes: any(c.text == text for c in codes))
    found = [c for c in reading.codes if c.text == text]
    assert found, reading.attempts
    assert found[0].attempt in reading.attempts


def test_small_codes_are_enlarged_on_photos_but_not_on_fine_scans(campaign):
    text = case_code(campaign, PayloadKind.POSTCARD, "WENDY")
    page = _pixels(page_with_codes((text, 900, 1100), scale=2))
    small = cv2.resize(page, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)  # 1.2 px modules
    wanted = lambda codes: any(c.text == text for c in codes)  # noqa: E731
    photo = scan_codes(small, wanted)
    assert [c.attempt for c in photo.codes] == [Attempt.UPSCALED]
    # At 300 dpi such a module would be 0.1 mm: no code is that small, enlarging is spared.
    fine = scan_codes(small, wanted, dpi=300)
    assert fine.codes == () and Attempt.UPSCALED in fine.attempts


def test_stained_code_is_still_read(campaign):
    text = case_code(campaign, PayloadKind.LETTER, "JANNA")
    pixels = _pixels(page_with_codes((text, 1300, 80), scale=6)).astype(np.float32)
    # A translucent coffee blot over about a tenth of the symbol: it darkens what it covers.
    blot = np.zeros(pixels.shape, np.uint8)
    cv2.circle(blot, (1300 + 24 + 100, 80 + 24 + 60), 28, 255, -1)
    pixels[blot > 0] = pixels[blot > 0] * 0.5 + 20
    pixels = pixels.astype(np.uint8)
    texts = [c.text for c in scan_codes(pixels).codes]
    assert text in texts


def test_one_dimensional_codes_are_read_with_all_formats():
    page = np.full((600, 900), 255, np.uint8)
    # EAN-13 drawn from its module pattern: 5901234123457.
    ean = ("101" "0001011" "0100111" "0110011" "0010011" "0111101" "0011101" "01010"
           "1100110" "1101100" "1000010" "1011100" "1001110" "1000100" "101")
    x = 150
    for bit in ean:
        if bit == "1":
            page[200:420, x:x + 5] = 0
        x += 5
    reading = scan_codes(page, quick_first=False)
    assert [(c.format, c.text) for c in reading.codes] == [("EAN13", "5901234123457")]
    assert reading.codes[0].attempt == Attempt.PAGE_ALL
