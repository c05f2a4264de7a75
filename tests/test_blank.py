"""Blank pages: a duplex back is dropped, anything written never is."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from scanpipe import blank, normalise, scansim

DPI = 150


def _grey(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"))


def _blank_scan(seed: int, show_through: bool = False) -> np.ndarray:
    w, h = round(210 * DPI / 25.4), round(297 * DPI / 25.4)
    sheet = Image.new("RGB", (w, h), (255, 255, 255))
    if show_through:  # the other side's text, seen through thin paper: faint and mirrored
        draw = ImageDraw.Draw(sheet)
        for k in range(25):
            y = 150 + k * 60
            draw.rectangle((120, y, w - 160 - (k % 4) * 90, y + 14), fill=(236, 236, 236))
    return _grey(scansim.scan_image(sheet, seed=seed, dpi=DPI))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_blank_backs_are_blank(seed):
    scan = _blank_scan(seed, show_through=seed == 3)
    paper = normalise.measure_paper(scan, DPI)
    sheet = normalise.rectify(scan, paper.corners) if paper.corners else scan
    empty, ink = blank.is_blank(sheet, DPI)
    assert empty, ink


def test_a_few_handwritten_words_are_not_blank():
    w, h = round(210 * DPI / 25.4), round(297 * DPI / 25.4)
    sheet = Image.new("RGB", (w, h), (255, 255, 255))
    written = scansim.write_by_hand(sheet, seed=4, dpi=DPI, writing_box_px=(150, 300, w - 150, 420),
                                    handwriting_lines=["Libérez-la."])
    scan = _grey(scansim.scan_image(written, seed=4, dpi=DPI))
    paper = normalise.measure_paper(scan, DPI)
    empty, ink = blank.is_blank(normalise.rectify(scan, paper.corners), DPI)
    assert not empty and ink > 0
