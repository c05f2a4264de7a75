"""Ink in a rectified box: strokes against the paper, the printed rules' remnants wiped, specks
dropped, strokes measured per box of a stack."""

from __future__ import annotations

import cv2
import numpy as np

from scanpipe.reading import ink

RES = 6.0  # px per mm, as the petition and receipt boxes are rectified


def test_darkness_is_against_the_local_paper_not_the_light():
    # Light falling off from 250 to 150 across the box, a 2 px pen stroke 100 levels darker.
    light = np.tile(np.linspace(250, 150, 200), (60, 1))
    image = light.copy()
    image[:, 100:102] -= 100
    darker = ink.darker_than_paper(image.astype(np.uint8), 7, 9)
    assert darker[5:-5, 100:102].min() >= 95
    away = np.ones(darker.shape, bool)
    away[:, 92:110] = False
    assert darker[away].max() <= 3  # the paper, however lit, is no ink


def test_the_threshold_sits_above_the_papers_noise_and_the_floor():
    rng = np.random.default_rng(1)
    paper = np.clip(np.abs(rng.normal(0, 3, 9000)), 0, 255).astype(np.uint8)
    strokes = np.full(1000, 90, np.uint8)
    sample = np.concatenate([paper, strokes])
    found = ink.threshold(sample, 10.0)
    assert (paper > found).mean() < 0.01 and (strokes > found).all()
    assert ink.threshold(sample, 60.0) == 60.0  # a share of the print's contrast, when higher
    assert ink.threshold(np.zeros(100, np.uint8), 0.0) == 6.0  # never under 6 levels


def _rule_and_strokes(height: int = 60, width: int = 120) -> np.ndarray:
    cell = np.zeros((height, width), np.uint8)
    cell[1:3, :] = 1              # the printed top border, let in along the edge
    cell[:, width - 2:] = 1       # … and the right one
    cell[0:41, 60:62] = 1         # a pen's stroke from the top border down, crossing it
    cell[30:32, 10:110] = 1       # a long straight stroke inside (an underline)
    cell[height - 3:height - 1, 20:30] = 1  # a short dash along the bottom edge
    return cell


def test_a_ruled_line_is_wiped_but_a_stroke_crossing_it_is_kept():
    cell = _rule_and_strokes()
    ink.wipe_rule_remnants(cell, cell.shape[0], RES)
    assert not cell[:4].any()                 # the border and its soft edge, a pixel each side
    assert not cell[:, -3:].any()
    assert cell[4:41, 60:62].all()            # the stroke, but where it crossed the border
    assert cell[30:32, 10:110].all()          # long and straight, but not along an edge
    assert cell[57:59, 20:30].all()           # along the edge, but shorter than a rule's run


def test_rule_remnants_are_wiped_in_every_box_of_a_stack():
    cells = [_rule_and_strokes(), _rule_and_strokes()]
    stacked = np.concatenate([cells[0], np.zeros((1, 120), np.uint8), cells[1]])
    alone = cells[0].copy()
    ink.wipe_rule_remnants(alone, 60, RES)
    ink.wipe_rule_remnants(stacked, 60, RES)
    # The blank row between them keeps them apart: each box is wiped as it would be alone.
    assert np.array_equal(stacked[:60], alone) and np.array_equal(stacked[61:], alone)


def test_components_are_measured_per_box_and_specks_dropped():
    height, width = 60, 120
    stacked = np.zeros((2 * (height + 1), width), np.uint8)
    stacked[5:8, 5:8] = 1                     # box 0: a 0.5 mm speck …
    stacked[20:24, 10:40] = 1                 # … and a 5 mm stroke
    second = height + 1
    stacked[second + 10:second + 30, 50:54] = 1   # box 1: a stroke down
    found = ink.components(stacked, height)
    assert found.boxes == 2 and len(found.area) == 3
    assert found.box.tolist() == [0, 0, 1] and found.y.tolist() == [5, 20, 10]
    assert found.extent.tolist() == [3, 30, 20] and found.thickness.tolist() == [3, 4, 4]
    strokes = found.stroke_sized(RES)
    assert strokes.tolist() == [False, True, True]
    total, across, down = found.measure(strokes)
    assert total.tolist() == [120.0, 80.0]
    assert across.tolist() == [30, 4] and down.tolist() == [4, 20]
    assert found.mask(2).shape == (20, 4) and found.mask(2).all()
    nothing, across, down = found.measure(np.zeros(3, bool))
    assert nothing.tolist() == [0.0, 0.0] and (across < 0).all() and (down < 0).all()


def test_a_line_spreads_as_thin_as_it_is_a_loop_far_more():
    bar = np.ones((2, 50), np.uint8)          # rows 0 and 1: one standard deviation of ½ px
    assert abs(ink.line_spread(bar) - 0.5) < 1e-9
    assert abs(ink.line_spread(bar, ddof=1) - 0.5 * np.sqrt(100 / 99)) < 1e-9
    slanted = np.zeros((60, 60), np.uint8)
    cv2.line(slanted, (2, 50), (57, 8), 1, 1)  # thin, at any slant
    assert ink.line_spread(slanted) < 0.5
    loop = np.zeros((60, 60), np.uint8)
    cv2.circle(loop, (30, 30), 20, 1, 2)
    assert ink.line_spread(loop) > 10
    found = ink.components(loop, 60)
    assert abs(found.spread(0) - ink.line_spread(loop)) < 1e-9  # its bounding box alone
