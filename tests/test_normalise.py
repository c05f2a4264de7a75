"""Page geometry: paper found, size classes, text skew, quarter turns."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from scanpipe.paper import kits
from scanpipe.reading import normalise
from scanpipe.reading.normalise import SizeClass
from scanpipe.simulate import scansim

DPI = 150


def _grey(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"))


@pytest.fixture(scope="module")
def letter_scan(campaign) -> np.ndarray:
    page = scansim.rasterise_pdf(kits.render_letter_sheet(campaign, campaign.cases[0]), DPI)[0]
    lay = kits.LETTER_LAYOUT
    return _grey(scansim.scan_image(page, seed=3, dpi=DPI, writing_box_px=lay.writing_box.px(DPI),
                                    line_pitch_px=lay.line_pitch_mm * DPI / 25.4,
                                    max_rotation_deg=2.5))


def test_paper_found_on_scanner_background_and_sized(letter_scan):
    paper = normalise.measure_paper(letter_scan, DPI)
    assert paper.corners is not None
    assert paper.size is SizeClass.A4
    short, long = paper.mm
    assert abs(short - 210) < 4 and abs(long - 297) < 5
    sheet = normalise.rectify(letter_scan, paper.corners)
    # The cut-out sheet has no scanner background left at its edges.
    assert sheet[:5].mean() > 180 and sheet[-5:].mean() > 180


def test_paper_in_a_photo_with_perspective(campaign):
    sheet = _grey(scansim.rasterise_pdf(kits.render_letter_sheet(campaign, campaign.cases[1]), DPI)[0])
    h, w = sheet.shape
    desk = np.full((int(h * 1.4), int(w * 1.5)), 90, np.uint8)
    src = np.float32([(0, 0), (w, 0), (w, h), (0, h)])
    dst = np.float32([(120, 90), (w + 260, 160), (w + 180, h + 300), (60, h + 220)])
    matrix = cv2.getPerspectiveTransform(src, dst)
    photo = cv2.warpPerspective(sheet, matrix, desk.shape[::-1], dst=desk,
                                borderMode=cv2.BORDER_TRANSPARENT)
    quad = normalise.find_paper(photo)
    assert quad is not None
    for found, expected in zip(quad, dst):
        assert np.hypot(*(np.array(found) - expected)) < 0.01 * w
    flat = normalise.rectify(photo, quad)
    assert abs(flat.shape[1] / flat.shape[0] - w / h) < 0.03


def test_no_paper_when_the_sheet_fills_the_image():
    page = np.full((1200, 850), 240, np.uint8)
    cv2.putText(page, "Monsieur le President", (80, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 20, 3)
    assert normalise.find_paper(page) is None
    paper = normalise.measure_paper(page, 102.9)  # 850 px at 102.9 dpi = 210 mm
    assert paper.size is SizeClass.A4


@pytest.mark.parametrize("mm, dpi, expected", [
    ((210, 297), 300, SizeClass.A4), ((216, 279), 200, SizeClass.A4), ((148, 210), 150, SizeClass.A5),
    ((148, 105), 300, SizeClass.A6), ((220, 110), 200, SizeClass.ENVELOPE),
    ((229, 162), 200, SizeClass.ENVELOPE), ((300, 300), 200, SizeClass.UNKNOWN),
    ((220, 110), None, SizeClass.UNKNOWN), ((210, 297), None, SizeClass.UNKNOWN),
])
def test_size_classes(mm, dpi, expected):
    px_per_mm = (dpi or 100) / 25.4
    size, measured = normalise.size_class(mm[0] * px_per_mm, mm[1] * px_per_mm, dpi)
    assert size is expected
    assert (measured is None) == (dpi is None)


@pytest.mark.parametrize("angle", [-12.0, -4.5, 0.0, 3.0, 9.0])
def test_text_skew_is_measured(angle):
    page = np.full((1400, 1000), 245, np.uint8)
    for k in range(18):
        cv2.putText(page, "Bernardo Caal Xol doit etre libere", (60, 120 + k * 65),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.0, 30, 2)
    turned = normalise.rotate(page, -angle)  # turn the text clockwise by `angle`
    assert normalise.text_skew(turned) == pytest.approx(angle, abs=0.5)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 3), st.integers(5, 40), st.integers(5, 40))
def test_quarter_turn_undoes_a_clockwise_turn(turns, h, w):
    page = np.arange(h * w, dtype=np.uint8).reshape(h, w)
    turned = np.rot90(page, k=-turns)  # content turned clockwise
    assert np.array_equal(normalise.quarter_turn(turned, turns * 90), page)


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_handwriting_orientation_from_the_lines_geometry(turns):
    """Tesseract cannot orient handwriting; the lines' direction and their ascenders can."""
    w, h = round(210 * DPI / 25.4), round(297 * DPI / 25.4)
    sheet = Image.new("RGB", (w, h), (255, 255, 255))
    written = scansim.write_by_hand(
        sheet, seed=turns + 30, dpi=DPI, writing_box_px=(120, 150, w - 120, h - 300),
        handwriting_lines=["Madame la Ministre, je vous écris au sujet de Janna Jihad, jeune "
                           "journaliste de Nabi Saleh, harcelée pour ses reportages. Je vous "
                           "demande de la protéger et de mettre fin au harcèlement. "
                           "Veuillez agréer mes salutations respectueuses. Marie Dupont"])
    page = np.ascontiguousarray(np.rot90(_grey(written), k=-turns))  # content turned clockwise
    axis = normalise.line_axis(page)
    assert axis == (turns % 2) * 90
    level = normalise.quarter_turn(page, axis)
    score = normalise.upright_score(level)
    assert (axis if score > 0 else axis + 180) == turns * 90
