"""Blank pages: a duplex back is dropped, anything written never is.

Pages go the pipeline's way: a file (JPEG, TIFF) decoded, the sheet found and cut out,
then judged. Real handwriting comes from `../shared/testdata/real-pages/`; the other pages
are drawn by `bench/blank_pages.py` (which also prints the confusion figures and the cost).
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from bench import blank_pages as pages
from scanpipe.domain.found import Blankness
from scanpipe.domain.routing import Reason, Status, blank_page
from scanpipe.reading import blank
from scanpipe.reading.pipeline import RecognitionSettings, process_file

DPI = 150


def _judged(data: bytes) -> Blankness:
    [(sheet, dpi, _, pixels)] = list(pages.sheets(data))
    return blank.blankness(sheet, dpi, pixels)


def _rng(*seed: int) -> np.random.Generator:
    return np.random.default_rng([16, *seed])


# ------------------------------------------------------------------ written pages

REAL = pages.real_pages()


@pytest.mark.skipif(not REAL, reason="../shared/testdata/real-pages is not there")
@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_real_handwriting_is_not_blank(path):
    # As given: small images whose files claim 300 or 400 dpi (reduced from the scans).
    found = _judged(path.read_bytes())
    assert not found.blank and found.strokes > 20 and found.lines >= 3, found.detail


@pytest.mark.skipif(not REAL, reason="../shared/testdata/real-pages is not there")
@pytest.mark.parametrize("index, dpi", [(0, 150), (5, 200), (11, 300), (20, 150)])
def test_real_handwriting_faint_as_pencil_is_not_blank(index, dpi):
    """Real strokes lightened to a hard pencil's contrast (the darkest a fifth of the paper's
    level) and worn a pixel thinner on each side, scanned at 150 to 300 dpi."""
    data = pages.real_rescanned(REAL[index], dpi, contrast=0.22, thin=True)
    found = _judged(data)
    assert not found.blank and found.strokes > 10, found.detail


@pytest.mark.skipif(not REAL, reason="../shared/testdata/real-pages is not there")
@pytest.mark.parametrize("index, dpi", [(0, 200), (11, 300)])
def test_real_handwriting_scanned_light_is_not_blank(index, dpi):
    """A scanner set too light: the page's grey range squashed to a third (black prints as
    the grey 140 on paper of 215), the strokes thin at the scan's resolution."""
    found = _judged(pages.real_rescanned(REAL[index], dpi, None, False, light=0.35))
    assert not found.blank and found.strokes > 10, found.detail


def test_a_band_that_cuts_the_sheet_off_its_writing_is_not_blank():
    """A band across the page splits its paper in two: the larger part, without the writing,
    looks like the whole sheet. The writing beside it is still found."""
    rng = _rng(4)
    page = pages.pen_page(rng, DPI, lines=1, words=3, pen_mm=0.4, ink=pages.PEN_INKS["blue"],
                          top_mm=60)
    [(sheet, dpi, _, pixels)] = list(pages.sheets(pages.scanned(
        pages.black_band(page, rng, DPI, where=0.38), 4, DPI)))
    assert not blank.blankness(sheet, dpi, pixels).blank  # as the pipeline cuts it out
    # Cut as a bright shape splits it: the larger part, below the band, without the writing.
    below = pixels[int(pixels.shape[0] * 0.5):]
    found = blank.blankness(below, dpi, pixels)
    assert not found.blank and found.detail.endswith("beside the sheet found"), found.detail


@pytest.mark.parametrize("kind, written", [*((kind, True) for kind in pages.WRITTEN_KINDS),
                                            *((kind, False) for kind in pages.BLANK_KINDS)])
def test_each_kind_of_page(kind, written):
    """Written: faint pencil, a 0.25 mm pen, a short printed line, a signature alone, a black
    band or a dark scanner edge beside writing, a TIFF whose lower part decoded grey, a photo.
    Blank: white or grey recycled paper, JPEG at quality 30, dust, punched holes and a dark
    edge, a bent corner, show-through, a black band alone, ruled paper, a photo on a desk."""
    make = (pages.WRITTEN_KINDS if written else pages.BLANK_KINDS)[kind]
    found = _judged(make(_rng(1, len(kind)), DPI))
    assert found.blank is not written and (found.strokes > 0) is written, found.detail


@pytest.mark.parametrize("family, text, size", [
    ("DejaVu Sans", "Merci !", 8), ("Liberation Serif", "p. 2", 10),
    ("FreeMono", "Pour Wendy", 12), ("DejaVu Serif Condensed", "Free them now", 9)])
def test_one_short_printed_line_is_not_blank(family, text, size):
    font = {f.name: f for f in pages.typed.typed_fonts()}[family]
    page = pages.printed_line(pages.paper(DPI), DPI, text, font.regular, size, (150, 280))
    found = _judged(pages.scanned(page, size, DPI, 40))
    assert not found.blank and found.lines == 1, found.detail


def test_a_written_page_goes_on_to_be_read_not_dropped(campaign):
    """Not blank, so not rejected: without OCR it waits in review with its codes' findings."""
    [result] = process_file(pages.written_pencil(_rng(9), DPI), campaign,
                            RecognitionSettings(ocr=False))
    assert result.decision.status is Status.REVIEW
    assert Reason.BLANK_PAGE.value not in result.decision.reasons


# ------------------------------------------------------------------ blank pages

@pytest.mark.parametrize("dpi", [150, 300])
def test_the_strongest_show_through_is_blank(dpi):
    """The other side's print at 0.16, the strongest the recognition corpus makes."""
    page = pages.show_through(pages.paper(dpi), _rng(dpi), dpi, strength=0.16)
    found = _judged(pages.scanned(page, dpi, dpi, 30))
    assert found.blank, found.detail


def test_a_black_band_alone_is_blank_beside_writing_it_is_not():
    """A band across the sheet is the scanner's or the copier's, not writing: it is paper
    that is dark, so writing beside it is still seen as writing on paper."""
    rng = _rng(4)
    band = pages.black_band(pages.paper(DPI), rng, DPI, where=0.5)
    assert _judged(pages.scanned(band, 4, DPI)).blank
    written = pages.pen_page(rng, DPI, lines=1, words=2, pen_mm=0.3, ink=pages.PEN_INKS["blue"],
                             top_mm=60)
    written = pages.black_band(written, rng, DPI, where=0.5)
    assert not _judged(pages.scanned(written, 4, DPI)).blank


# ------------------------------------------------------------------ what is said

def test_the_reason_says_what_was_measured():
    found = _judged(pages.blank_dust(_rng(3), DPI))
    assert found.blank and found.ink == 0.0
    assert found.detail.startswith("no strokes or lines of writing found (")
    assert re.search(r"\(\d+ specks under 1 mm\b.* set aside; ink 0\.0000%\)$", found.detail)
    decision = blank_page(found)
    assert decision.status is Status.REJECTED and decision.reasons == [Reason.BLANK_PAGE.value]
    assert decision.findings[0].detail == found.detail


def test_a_written_page_says_how_much_was_found():
    found = _judged(pages.written_scansim(_rng(5), DPI))
    assert found.detail.startswith(f"{found.strokes} stroke") and "1 line of writing" in found.detail
    assert 0 < found.ink < 0.01


def test_the_measure_is_a_frozen_value():
    found = blank.blankness(np.full((1754, 1240), 235, np.uint8), 150)
    assert found.blank and found.set_aside == tuple((what, 0) for what, _ in found.set_aside)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.blank = False  # type: ignore[misc]


@pytest.mark.parametrize("darkest", [0.17, 0.19])
def test_pencil_that_hardly_darkens_the_paper_is_writing(darkest):
    """Two lines in a pencil whose darkest point is 17-19 % darker than the paper (a page of
    the unseen corpus, no resolution in its JPEG, was dropped as blank at 20 %)."""
    import io

    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    from scanpipe.simulate import scansim

    paper = 250.0
    strokes = Image.new("L", (1256, 1813), 0)
    draw = ImageDraw.Draw(strokes)
    fonts = scansim.handwriting_fonts()
    font = ImageFont.truetype(fonts[0], 34) if fonts else ImageFont.load_default()
    for y, line in ((1390, "Je suis dans les ateliers de la ville, mon"),
                    (1450, "cher Guillaume, et je pense")):
        draw.text((90, y), line, fill=255, font=font)
    # A soft graphite line whose darkest point is `darkest` of the paper, and the scan's grain.
    trace = np.asarray(strokes.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float64)
    trace /= trace.max()
    grain = _rng(7).normal(0, 2.0, trace.shape)
    pixels = np.clip(paper * (1 - darkest * trace) + grain, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=45)
    found = _judged(out.getvalue())
    assert not found.blank, found.detail
