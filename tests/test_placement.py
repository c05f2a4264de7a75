"""Placing a document's template on an image: known maps give known points, a kit page's QR
places its layout where it was printed, whatever the turn and the reader's corner order."""

from __future__ import annotations

import functools

import cv2
import numpy as np
import pytest

from scanpipe.domain.campaign import Campaign
from scanpipe.domain.payload import PayloadKind
from scanpipe.paper import kits
from scanpipe.paper.render import Box
from scanpipe.reading import placement
from scanpipe.reading.codes import scan_codes
from scanpipe.simulate import scansim

# mm → px: 4 px per mm, turned 10°, moved, with some perspective.
PERSPECTIVE = np.array([[3.9, -0.7, 120.0], [0.7, 3.9, 40.0], [2e-4, -1e-4, 1.0]])


def test_a_known_homography_maps_known_points():
    scale = np.array([[4.0, 0.0, 10.0], [0.0, 4.0, 20.0], [0.0, 0.0, 1.0]])
    points = np.array([[0.0, 0.0], [10.0, 5.0], [100.0, 200.0]])
    expected = np.array([[10.0, 20.0], [50.0, 40.0], [410.0, 820.0]])
    assert np.array_equal(placement.map_points(scale, points), expected)
    mapped = placement.map_points(scale, points, np.float32)
    assert mapped.dtype == np.float32 and np.allclose(mapped, expected)
    # A perspective, as OpenCV maps it; any leading shape of points.
    grid = np.stack(np.meshgrid(np.linspace(0, 200, 5), np.linspace(0, 280, 7)), axis=-1)
    opencv = cv2.perspectiveTransform(grid.reshape(-1, 1, 2), PERSPECTIVE).reshape(grid.shape)
    assert np.allclose(placement.map_points(PERSPECTIVE, grid), opencv, atol=1e-9)


def test_local_frames_are_the_maps_derivative():
    centres = np.array([[20.0, 30.0], [150.0, 250.0]])
    along = np.array([[1.0, 0.0], [0.6, 0.8]])
    at, images = placement.local_frames(PERSPECTIVE, centres, along)
    assert np.allclose(at, placement.map_points(PERSPECTIVE, centres))
    step = 1e-4
    moved = placement.map_points(PERSPECTIVE, centres + step * along)
    assert np.allclose(images, (moved - at) / step, atol=1e-3)


def test_sampling_reads_the_grey_at_template_points():
    ramp = np.tile(np.arange(256, dtype=np.uint8), (64, 1))  # grey = x in px
    h = np.array([[2.0, 0.0, 3.0], [0.0, 2.0, 1.0], [0.0, 0.0, 1.0]])  # 2 px per mm
    points = np.array([[[10.0, 5.0], [50.0, 20.0]], [[100.0, 0.0], [500.0, 0.0]]])
    values = placement.sample(ramp, h, points)
    assert values.shape == (2, 2) and values.dtype == np.float32
    assert values.tolist() == [[23.0, 103.0], [203.0, 255.0]]  # beyond the image: its edge


def test_rectifying_a_box_puts_its_content_at_the_resolution_asked():
    # A page at 5 px per mm with a dark 4 × 2 mm bar whose top-left is at (30, 20) mm.
    page = np.full((400, 400), 230, np.uint8)
    page[100:110, 150:170] = 20
    h = np.array([[5.0, 0.0, -0.5], [0.0, 5.0, -0.5], [0.0, 0.0, 1.0]])  # pixel centres
    seen, to_image = placement.rectify(page, h, Box(28.0, 19.0, 8.0, 4.0), 10.0)
    assert seen.shape == (40, 80)
    dark = np.argwhere(seen < 125)
    assert dark.min(axis=0).tolist() == [10, 20] and dark.max(axis=0).tolist() == [29, 59]
    # Its pixel (0, 0) is the box's top-left pixel centre, 0.05 mm in.
    assert np.allclose(placement.map_points(to_image, np.array([[0.0, 0.0]])), [[139.75, 94.75]])


def test_code_corners_are_put_clockwise_and_implausible_ones_refused():
    square = [(100, 100), (200, 100), (200, 200), (100, 200)]
    assert np.array_equal(placement.code_corners(square), np.array(square, dtype=float))
    mirrored = [square[i] for i in (0, 3, 2, 1)]
    assert np.array_equal(placement.code_corners(mirrored), np.array(square, dtype=float))
    assert placement.code_corners(square[:3]) is None
    assert placement.code_corners([(0, 0), (5, 0), (5, 5), (0, 5)]) is None  # too small
    assert placement.code_corners([(0, 0), (200, 0), (200, 50), (0, 50)]) is None  # no square
    assert placement.code_corners([(0, 0), (100, 0), (0, 100), (100, 100)]) is None  # crossed
    assert placement.code_corners([(0, 0), (100, 0), (100, float("nan")), (0, 100)]) is None


def test_an_affine_fit_recovers_the_map():
    affine = np.array([[2.0, 0.5, 10.0], [-0.3, 1.5, 4.0], [0.0, 0.0, 1.0]])
    source = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]])
    assert np.allclose(placement.affine_fit(source, placement.map_points(affine, source)), affine)


def test_the_symbol_and_page_corners_of_a_layout():
    layout = kits.LETTER_LAYOUT
    text = "X" * 20
    corners = placement.symbol_corners_mm(layout, text)
    box = layout.qr_box(text)
    quiet = 4 * layout.qr_module_mm
    assert np.allclose(corners, [[box.x + quiet, box.y + quiet], [box.right - quiet, box.y + quiet],
                                 [box.right - quiet, box.bottom - quiet],
                                 [box.x + quiet, box.bottom - quiet]])
    assert placement.page_corners_mm(layout).tolist() == [[0, 0], [210, 0], [210, 297], [0, 297]]


DPI = 150


@functools.cache
def _letter(campaign: Campaign) -> tuple[np.ndarray, str]:
    pdf = kits.render_letter_sheet(campaign, campaign.cases[0])
    gray = np.asarray(scansim.rasterise_pdf(pdf, DPI)[0].convert("L"))
    return gray, kits.case_qr_text(campaign, campaign.cases[0], PayloadKind.LETTER)


def _at_dpi(points_mm: np.ndarray) -> np.ndarray:
    return points_mm * DPI / 25.4 - 0.5  # pixel i covers [i, i + 1) px: its centre at i


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_a_kit_pages_qr_places_its_layout(campaign, turns):
    gray, text = _letter(campaign)
    turned = np.ascontiguousarray(np.rot90(gray, -turns))  # clockwise
    [code] = [c for c in scan_codes(turned).codes if c.text == text]
    # The QR zone's corners, and the writing box's (up to 260 mm from the QR).
    zone, box = kits.LETTER_LAYOUT.qr_zone, kits.LETTER_LAYOUT.writing_box
    corners = np.array([[zone.x, zone.y], [zone.right, zone.bottom], [box.x, box.y],
                        [box.right, box.bottom]])
    expected = _at_dpi(corners)
    height, width = gray.shape
    for _ in range(turns):  # a clockwise quarter turn: (x, y) → (height - 1 - y, x)
        expected = np.stack([height - 1 - expected[:, 1], expected[:, 0]], axis=1)
        height, width = width, height
    placed = placement.by_qr(turned, code.position, text, kits.LETTER_LAYOUT)
    assert placed is not None
    h, contrast = placed
    assert contrast > 100  # black modules on white paper
    _placed_near(placement.map_points(h, corners), expected)
    # Corners in another reader's order (from the page's top-left, counter-clockwise):
    # the finder patterns put them right.
    for order in ((1, 2, 3, 0), (0, 3, 2, 1)):
        again = placement.by_qr(turned, [code.position[i] for i in order], text, kits.LETTER_LAYOUT)
        assert again is not None and np.allclose(again[0], h)
    # The similarity the cross-check places by agrees.
    by_code = placement.by_code(code.position, text, kits.LETTER_LAYOUT)
    assert by_code is not None and by_code.how == "code"
    _placed_near(placement.map_points(by_code.matrix, corners), expected)


def _placed_near(found: np.ndarray, expected: np.ndarray) -> None:
    """Within 2 px near the QR; within 2 mm far from it (the reader's corners are whole
    pixels: a QR-only placement is a fraction of a percent off in scale)."""
    error = np.linalg.norm(found - expected, axis=1)
    assert error[:2].max() < 2.0 and error[2:].max() < 2.0 * DPI / 25.4, error


def test_corners_that_frame_no_qr_place_nothing(campaign):
    gray, text = _letter(campaign)
    blank = np.full_like(gray, 235)
    corners = [(1000, 100), (1100, 100), (1100, 200), (1000, 200)]
    assert placement.by_qr(blank, corners, text, kits.LETTER_LAYOUT) is None


def test_the_paper_places_the_page_by_its_corners():
    layout = kits.LETTER_LAYOUT
    page = placement.page_corners_mm(layout)
    quad = tuple(map(tuple, placement.map_points(PERSPECTIVE, page).tolist()))
    placed = placement.by_paper(quad, (1400, 1000), layout, 0)
    assert placed is not None and placed.how == "paper"
    assert np.allclose(placement.map_points(placed.matrix, page), quad, atol=1e-3)
    # The content turned a quarter clockwise: the document's top-left is the quad's second corner.
    turned = placement.by_paper(quad[3:] + quad[:3], (1400, 1000), layout, 1)
    assert turned is not None and np.allclose(turned.matrix, placed.matrix, atol=1e-6)
    # A sheet filling the image; a square is not an A4 sheet.
    full = placement.by_paper(None, (1403, 992), layout, 0)
    assert full is not None and np.allclose(placement.map_points(full.matrix, page),
                                            [[0, 0], [991, 0], [991, 1402], [0, 1402]], atol=1e-3)
    assert placement.by_paper(None, (1000, 1000), layout, 0) is None


def test_the_paper_places_the_page_only_where_the_qr_agrees():
    layout = kits.petition_layout()
    page = placement.page_corners_mm(layout)
    quad = tuple(map(tuple, placement.map_points(PERSPECTIVE, page).tolist()))
    # The QR's guess: the affine map nearest the page's where the QR is, off farther away.
    zone = layout.qr_zone
    near_qr = np.array([[zone.x, zone.y], [zone.right, zone.y], [zone.right, zone.bottom],
                        [zone.x, zone.bottom]])
    guess = placement.affine_fit(near_qr, placement.map_points(PERSPECTIVE, near_qr))
    # Any order of the corners: the guess tells which is the page's top-left.
    for start in range(4):
        h = placement.by_paper_near(quad[start:] + quad[:start], guess, layout, 5.0)
        assert h is not None and np.allclose(placement.map_points(h, page), quad, atol=1e-3)
    shifted = guess @ np.array([[1.0, 0.0, 30.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert placement.by_paper_near(quad, shifted, layout, 5.0) is None  # 30 mm off at the QR
    assert placement.by_paper_near(None, guess, layout, 5.0) is None
