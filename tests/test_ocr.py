"""The tesseract wrapper, against the real program (installed with fra, eng, nld, osd)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from scanpipe.reading import ocr

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
LETTER = (
    "Monsieur le Président,",
    "Bernardo Caal Xol, enseignant et défenseur des droits du peuple",
    "maya q'eqchi', est emprisonné pour avoir défendu les rivières de",
    "Cahabón. Je vous demande de veiller à ce qu'il soit libéré",
    "immédiatement et sans condition.",
    "Veuillez agréer mes salutations respectueuses.",
)

pytestmark = [pytest.mark.skipif(not FONT.exists(), reason="needs the DejaVu fonts (fonts-dejavu-core)"),
              pytest.mark.real_tesseract]


def typed_page(lines=LETTER, dpi: int = 300) -> np.ndarray:
    """Half an A4 page of 12 pt typed text, upright, white paper."""
    width, height = int(8.27 * dpi), int(5.8 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), int(12 * dpi / 72))
    for i, line in enumerate(lines):
        draw.text((dpi, dpi + i * int(18 * dpi / 72)), line, font=font, fill=0)
    return np.asarray(image, dtype=np.uint8).copy()


@pytest.fixture(scope="module")
def letter_typed_upright() -> np.ndarray:
    return typed_page()


def test_tesseract_is_available_with_the_default_languages():
    info = ocr.available("fra+nld+eng")
    assert info.version[0].isdigit()
    assert {"fra", "nld", "eng", "osd"} <= set(info.languages)


def test_reads_the_name_on_a_typed_page(letter_typed_upright):
    text = ocr.read_text(letter_typed_upright, dpi=300)
    assert "Bernardo Caal Xol" in text.text
    assert text.text.splitlines()[0] == "Monsieur le Président,"
    assert text.mean_confidence > 80
    assert text.seconds > 0  # the time it took is reported (timings themselves are measured in bench/)
    height, width = letter_typed_upright.shape
    for word in text.words:
        left, top, w, h = word.box
        assert left >= 0 and top >= 0 and left + w <= width and top + h <= height
        assert 0 <= word.confidence <= 100


def test_a_fine_scan_is_read_at_300_dpi_and_boxes_stay_in_its_pixels(letter_typed_upright):
    fine = cv2.resize(letter_typed_upright, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    at_300 = {w.text: w.box for w in ocr.read_text(letter_typed_upright, dpi=300).words}
    at_600 = {w.text: w.box for w in ocr.read_text(fine, dpi=600).words}
    left, top, width, height = at_300["Bernardo"]
    assert at_600["Bernardo"] == pytest.approx((2 * left, 2 * top, 2 * width, 2 * height), abs=6)


@pytest.mark.parametrize("quarter_turns", [0, 1, 2, 3])
def test_orientation_is_the_clockwise_turn_of_the_content(letter_typed_upright, quarter_turns):
    turned = np.ascontiguousarray(np.rot90(letter_typed_upright, k=-quarter_turns))  # clockwise
    found = ocr.detect_orientation(turned, dpi=300)
    assert found is not None and found.degrees == 90 * quarter_turns
    assert np.array_equal(np.rot90(turned, k=found.degrees // 90), letter_typed_upright)


def test_a_blank_page_has_no_orientation_and_no_words():
    blank = np.full((1200, 900), 255, dtype=np.uint8)
    assert ocr.detect_orientation(blank, dpi=150) is None
    text = ocr.read_text(blank, dpi=150)
    assert text.words == () and text.text == "" and text.mean_confidence == 0.0


def test_a_too_short_timeout_fails_and_says_what_to_do(letter_typed_upright):
    with pytest.raises(ocr.OcrFailed, match=re.escape("did not finish within 0.01 s; raise the OCR timeout")):
        ocr.read_text(letter_typed_upright, dpi=300, timeout=0.01)


def test_a_missing_language_pack_says_which_package_to_install(letter_typed_upright):
    with pytest.raises(ocr.OcrUnavailable, match="apt-get install tesseract-ocr-xyz"):
        ocr.read_text(letter_typed_upright[:200], dpi=300, languages="fra+xyz")
    with pytest.raises(ocr.OcrUnavailable, match="tesseract-ocr-xyz"):
        ocr.available("fra+xyz")


def test_languages_that_look_like_options_are_refused(letter_typed_upright):
    with pytest.raises(ValueError, match="fra\\+nld\\+eng"):
        ocr.read_text(letter_typed_upright, languages="--help")


def test_only_grayscale_pages_are_accepted():
    with pytest.raises(ValueError, match="2-D uint8"):
        ocr.read_text(np.zeros((10, 10, 3), dtype=np.uint8))


def test_tesseract_runs_with_one_thread_and_a_fixed_environment(monkeypatch, letter_typed_upright):
    seen = {}

    def fake_run(args, **kwargs):
        seen.update(kwargs, args=args, page=Path(args[1]).read_bytes())
        return subprocess.CompletedProcess(args, 0, b"level\tpage_num\n", b"")

    monkeypatch.setattr(ocr.subprocess, "run", fake_run)
    ocr.read_text(letter_typed_upright, dpi=300)
    assert seen["env"]["OMP_THREAD_LIMIT"] == "1"
    assert set(seen["env"]) == {"OMP_THREAD_LIMIT", "PATH"}
    assert seen["timeout"] == 30.0
    height, width = letter_typed_upright.shape
    assert seen["page"] == b"P5\n%d %d\n255\n" % (width, height) + letter_typed_upright.tobytes()
    assert not Path(seen["args"][1]).exists()  # the page file does not outlive the call
    assert seen["args"][-1] == "tsv" and "--dpi" in seen["args"]


@pytest.mark.parametrize("answer", [b"", b"<html>not tsv</html>"])
def test_an_answer_that_is_not_tsv_fails(monkeypatch, letter_typed_upright, answer):
    monkeypatch.setattr(ocr.subprocess, "run",
                        lambda args, **kw: subprocess.CompletedProcess(args, 0, answer, b""))
    with pytest.raises(ocr.OcrFailed, match="not understood"):
        ocr.read_text(letter_typed_upright, dpi=300)


def test_a_crash_fails_with_tesseracts_message(monkeypatch, letter_typed_upright):
    monkeypatch.setattr(ocr.subprocess, "run", lambda args, **kw: subprocess.CompletedProcess(
        args, -11, b"", b"Segmentation fault"))
    with pytest.raises(ocr.OcrFailed, match="exit code -11: Segmentation fault"):
        ocr.detect_orientation(letter_typed_upright, dpi=300)
