"""Code reading: the cheap corner try for kit pages, harder tries for damaged codes, every code reported."""

from __future__ import annotations

import io
from dataclasses import replace

import cv2
import numpy as np
import pytest
from conftest import case_code, page_with_codes
from PIL import Image

from scanpipe.domain.found import Attempt, Code, Reader
from scanpipe.domain.payload import Payload, PayloadKind, encode_payload, parse_payload
from scanpipe.domain.routing import Status
from scanpipe.paper import kits
from scanpipe.reading import codes as codes_module
from scanpipe.reading.codes import scan_codes
from scanpipe.reading.pipeline import RecognitionSettings, process_file
from scanpipe.simulate import scansim

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


# ------------------------------------------------------------------ the second reader's word

def _never(codes) -> bool:
    return False  # every try is made: what each reader found is all reported


def _our_check(campaign):
    """What the pipeline trusts: our payload, of this campaign, with a valid check."""
    return lambda code: isinstance(parse_payload(code.text, campaign.id, campaign.check_key), Payload)


def _zbar_read(text: str, fmt: str = "QRCode", at: tuple[int, int] = (300, 300)) -> Code:
    x, y = at
    return Code(fmt, text, ((x, y), (x + 90, y), (x + 90, y + 90), (x, y + 90)), Reader.ZBAR,
                Attempt.ZBAR.value)


def test_zbar_reads_that_are_not_ours_and_not_confirmed_are_dropped(monkeypatch, campaign):
    """Shift-JIS garbage for a UTF-8 payload and a 1-D read in texture, as zbar gives them on
    photos: neither is our payload and zxing-cpp reads neither, so neither is reported."""
    garbage = [_zbar_read("MECARD:N:皜祈岫;;"), _zbar_read("04512345", "ITF", at=(500, 900))]
    monkeypatch.setattr(codes_module, "read_with_zbar", lambda pixels, attempt, scale=1.0, qr_only=False:
                        [replace(c, attempt=attempt) for c in garbage])
    page = np.full((1200, 900), 235, np.uint8)
    reading = scan_codes(page, _never, quick_first=False)  # as `decode` reads: no campaign
    assert reading.codes == ()
    assert Attempt.ZBAR in reading.attempts and Attempt.DOWNSCALED in reading.attempts
    assert scan_codes(page, _never, trusted=_our_check(campaign)).codes == ()


def _zxing_blind(monkeypatch, sees=lambda code: False):
    """zxing-cpp misses what `sees` does not accept (zbar then finds it alone)."""
    real = codes_module._zxing
    monkeypatch.setattr(codes_module, "_zxing",
                        lambda *args, **kwargs: [c for c in real(*args, **kwargs) if sees(c)])


def test_zbar_read_of_our_payload_with_a_valid_check_is_kept(monkeypatch, campaign):
    text = case_code(campaign, PayloadKind.POSTCARD, "WENDY")
    pixels = _pixels(page_with_codes((text, 600, 900)))
    _zxing_blind(monkeypatch)
    # Without the campaign's check (as in `decode`) zbar's read alone is not enough.
    assert scan_codes(pixels, quick_first=False).codes == ()
    reading = scan_codes(pixels, trusted=_our_check(campaign))
    [code] = reading.codes
    assert code.text == text and code.reader is Reader.ZBAR and code.attempt == Attempt.ZBAR


def test_zbar_read_of_our_shape_with_a_wrong_check_is_dropped(monkeypatch, campaign):
    forged = encode_payload(Payload(PayloadKind.POSTCARD, campaign.id, "WENDY"), b"not-the-key")
    _zxing_blind(monkeypatch)
    [result] = process_file(page_with_codes((forged, 600, 900)), campaign, RecognitionSettings(ocr=False))
    assert result.codes == () and result.decision.status is not Status.ROUTED


def test_zbar_read_that_zxing_confirms_is_kept(monkeypatch):
    """The same foreign code twice and a third one; zxing-cpp reads only the left copy: zbar's
    read of the right copy agrees with it and is kept, its read of the third code is not."""
    same, other = "https://example.org/write-for-rights", "https://example.org/other"
    pixels = _pixels(page_with_codes((same, 150, 300), (same, 1000, 300), (other, 1000, 1500)))
    _zxing_blind(monkeypatch, sees=lambda code: code.center[0] < 800)
    reading = scan_codes(pixels, _never, quick_first=False)
    found = {(c.text, c.reader, c.center[0] < 800) for c in reading.codes}
    assert found == {(same, Reader.ZXING, True), (same, Reader.ZBAR, False)}


def test_the_pipeline_trusts_a_zbar_read_of_its_own_valid_code(monkeypatch, campaign):
    text = case_code(campaign, PayloadKind.LETTER, "CAAL")
    _zxing_blind(monkeypatch)
    [result] = process_file(page_with_codes((text, 1350, 80)), campaign,
                            RecognitionSettings(ocr=False, cross_check=False))
    assert result.decision.status is Status.ROUTED and result.decision.case == "CAAL"
    assert [c.reader for c in result.codes] == [Reader.ZBAR]


# ------------------------------------------------------------------ pages too small for a code

@pytest.mark.parametrize("shape", [(1, 1), (1, 100), (100, 1), (2, 2), (2, 4000), (10, 10)])
@pytest.mark.parametrize("quick_first", [True, False])
def test_a_page_too_small_for_a_code_gives_no_code(shape, quick_first):
    reading = scan_codes(np.full(shape, 200, np.uint8), quick_first=quick_first)
    assert reading.codes == ()
    # The tries that cannot run on it (a corner crop, the page halved) are not made.
    assert Attempt.DOWNSCALED not in reading.attempts and Attempt.CORNERS not in reading.attempts
    assert reading.attempts[-1] == Attempt.EQUALISED
