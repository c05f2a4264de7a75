"""Is a returned delivery sheet signed? Signed, stamped and blank sheets, scanned and
photographed every way a receipt comes back; a blank one must never pass as signed."""

from __future__ import annotations

import datetime
import functools
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from scanpipe.domain.found import Code
from scanpipe.domain.payload import appendix_payload, bundle_payload, encode_payload
from scanpipe.paper import sheets
from scanpipe.paper.labels import BundleLabel, render_bundle_label
from scanpipe.paper.sheets import DeliverySheet, Paper, SheetLine, render_delivery_sheet
from scanpipe.reading.codes import scan_codes
from scanpipe.reading.receipts import ReceiptCheck, check_receipt
from scanpipe.simulate import degrade
from scanpipe.simulate.scansim import rasterise_pdf, scan_image, sign_delivery_sheet

KEY = b"scanpipe:MDL2021"
BUNDLE = encode_payload(bundle_payload("MDL2021", 12), KEY)
APPENDIX = encode_payload(appendix_payload("MDL2021", 12), KEY)
SHEET = DeliverySheet(
    paper=Paper.EMBASSY, campaign_name="Marathon des lettres 2021",
    office="Amnesty International Belgique francophone",
    recipient_name="Ambassade de la République du Guatemala",
    recipient_address="Boulevard Général Wahis 53\n1030 Schaerbeek",
    issued_on=datetime.date(2022, 1, 20),
    # Thirty cases: the table runs over to a second page, which carries the appendix code.
    lines=(SheetLine("CAAL", "Bernardo Caal Xol", "Guatemala", 123, 4, 17, 212),
           *(SheetLine(f"C{i}", f"Person {i}", "Pays", i, 0, 1, 14) for i in range(29))),
    bundle_code=BUNDLE, bundle_ref="12", appendix_code=APPENDIX)
KINDS = {"signed": dict(signed=True), "stamped": dict(signed=False, stamp=True),
         "blank": dict(signed=False)}
SEEDS = (0, 1, 2, 3)  # scanned at 150, 200, 300, 150 dpi; fed upright, turned 90°, 180°, 270°


@functools.cache
def pdf() -> bytes:
    return render_delivery_sheet(SHEET, "fr")


def dpi_of(seed: int) -> int:
    return (150, 200, 300)[seed % 3]


@functools.cache
def returned(kind: str, seed: int) -> tuple[Image.Image, ...]:
    """Every page of the sheet as it comes back: written on, scanned, turned."""
    return tuple(sign_delivery_sheet(pdf(), seed=seed, dpi=dpi_of(seed), quarter_turns=seed % 4,
                                     **KINDS[kind]))


def reopened_jpeg(image: Image.Image, quality: int, dpi: float | None) -> Image.Image:
    return Image.open(io.BytesIO(degrade.encode_jpeg(image, quality, dpi)))


DEGRADATIONS = {
    "as-scanned": lambda page, rng, dpi: page,
    "skewed-5deg": lambda page, rng, dpi: degrade.skew(page, float(rng.choice([-5.0, 5.0]))),
    "jpeg-q40": lambda page, rng, dpi: reopened_jpeg(page, 40, dpi),
    "noisy": lambda page, rng, dpi: degrade.gaussian_noise(page, rng, 12.0),
    "faded": lambda page, rng, dpi: degrade.low_contrast(page, 0.45, 200),
    "skewed-noisy-jpeg": lambda page, rng, dpi: reopened_jpeg(
        degrade.gaussian_noise(degrade.skew(page, float(rng.uniform(-5, 5))), rng, 8.0), 40, dpi),
    "phone-photo": lambda page, rng, dpi: degrade.phone_photo(page, rng, long_side=2400)[0],
}


def grey(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"))


def code_on(pixels: np.ndarray, text: str) -> Code:
    [code] = [c for c in scan_codes(pixels).codes if c.text == text]
    return code


def check(pixels: np.ndarray, text: str = BUNDLE) -> ReceiptCheck | None:
    return check_receipt(pixels, code_on(pixels, text))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("degradation", DEGRADATIONS)
def test_signed_stamped_and_blank_sheets(degradation, kind, seed):
    page = returned(kind, seed)[0]
    rng = np.random.default_rng([seed, len(degradation)])
    pixels = grey(DEGRADATIONS[degradation](page, rng, dpi_of(seed)))
    result = check(pixels)
    assert result is not None
    assert result.signed is (kind != "blank"), result
    if kind == "signed":
        assert result.signature_ink > 20
    elif kind == "stamped":
        assert result.signature_ink == 0 and result.stamp_ink > 20  # a stamp alone is a receipt
    else:
        assert result.signature_ink == 0 and result.stamp_ink == 0


@pytest.mark.parametrize("signed", [False, True])
def test_a_scanner_streak_or_a_fold_through_the_cells_is_no_signature(signed):
    for seed in range(3):
        dpi = dpi_of(seed)
        page = sign_delivery_sheet(pdf(), seed=seed, dpi=dpi, signed=signed)[0].convert("L")
        k = dpi / 25.4
        draw = ImageDraw.Draw(page)
        x = (sheets.SIGNATURE_CELL.x + 12 + 20 * seed) * k  # dust on the scanner's glass
        draw.line((x, 0, x + 3 * seed, page.height), fill=90, width=max(1, round(0.25 * k)))
        y = (sheets.STAMP_CELL.y + 10 + 5 * seed) * k  # a fold, slanting across both cells
        draw.line((0, y, page.width, y + 60), fill=150, width=max(1, round(0.4 * k)))
        assert check(grey(page)).signed is signed


def test_faint_small_initials_still_count():
    from scanpipe.simulate.scansim import write_by_hand

    page = rasterise_pdf(pdf(), 200)[0]
    cell = sheets.SIGNATURE_CELL
    initials = sheets.Box(cell.x + 10, cell.y + 14, 12, 8).px(200)
    page = write_by_hand(page, seed=4, dpi=200, signature_boxes_px=[initials], ink=(150, 150, 150))
    result = check(grey(scan_image(page, seed=4, dpi=200)))
    assert result.signed and result.signature_ink > 4


def test_corners_in_another_readers_order_still_place_the_box():
    pixels = grey(returned("signed", 1)[0])
    code = code_on(pixels, BUNDLE)
    expected = check_receipt(pixels, code)
    for order in ((1, 2, 3, 0), (2, 3, 0, 1), (0, 3, 2, 1)):  # turned, upside down, mirrored
        moved = Code(code.format, code.text, tuple(code.position[i] for i in order), code.reader)
        assert check_receipt(pixels, moved) == expected


@pytest.mark.parametrize("on_a4", [False, True])
def test_a_bundle_code_on_a_label_is_not_a_receipt(on_a4):
    label = BundleLabel("Marathon des lettres 2021", "12", BUNDLE, "Ambassade du Guatemala",
                        123, 4, 17, 212, datetime.date(2022, 1, 20))
    for turns, dpi in enumerate((150, 200, 300, 200)):
        [image] = rasterise_pdf(render_bundle_label(label), dpi)
        if on_a4:  # the label lying on a scanner's A4 glass
            glass = Image.new("RGB", sheets.Box(0, 0, 210, 297).px(dpi)[2:], "white")
            glass.paste(image, (dpi // 2, dpi))
            image = glass
        pixels = grey(scan_image(image, seed=turns, dpi=dpi, quarter_turns=turns))
        assert check(pixels) is None


def test_further_pages_and_unreadable_input_give_no_answer():
    pages = returned("signed", 0)
    assert len(pages) >= 2
    assert check(grey(pages[1]), APPENDIX) is None  # no receipt box on an appendix page
    code = code_on(grey(pages[0]), BUNDLE)
    assert check_receipt(np.zeros((20, 20), np.uint8), code) is None
    assert check_receipt(grey(pages[0]).astype(np.float32), code) is None
    tiny = Code(code.format, code.text, ((0, 0), (5, 0), (5, 5), (0, 5)), code.reader)
    assert check_receipt(grey(pages[0]), tiny) is None
    foreign = Code(code.format, "https://example.org/" + "x" * 150, code.position, code.reader)
    assert check_receipt(grey(pages[0]), foreign) is None  # no QR of such a text fits a sheet


def test_returned_sheet_simulation_is_deterministic_and_complete():
    first = returned("signed", 0)
    again = sign_delivery_sheet(pdf(), seed=0, dpi=150, signed=True)
    assert len(first) == len(rasterise_pdf(pdf(), 30))
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(first, again))
    other = sign_delivery_sheet(pdf(), seed=5, dpi=150, signed=True)
    assert not np.array_equal(np.asarray(first[0]), np.asarray(other[0]))
    turned = returned("signed", 1)[0]
    assert turned.width > turned.height  # fed sideways
    # Only page 1 is written on: the blank and the signed sheet's appendices look alike.
    blank = returned("blank", 0)
    assert np.array_equal(np.asarray(first[1]), np.asarray(blank[1]))
