"""Is a scanned delivery sheet signed? Ink in the receipt box of page 1.

A returned delivery sheet marks its bundle delivered only when the receiver
signed it or stamped it; a sheet that comes back blank must not. The receipt
box sits at a fixed place on page 1 (`sheets.RECEIPT_BOX`), so:

1. The bundle QR's four corners (in the code's own orientation, so any quarter
   turn of the page is already in them) place page 1's layout roughly: an
   affine fit, as a 20 mm symbol cannot tell perspective from corner noise.
2. That guess may be a millimetre off 250 mm away from the QR on a scan (a
   corner a pixel off), centimetres on a photo in perspective. So the four
   solid marks printed in the receipt box's corners are looked for: first each
   close to where the guess puts it (a scan), else as dark squares far around,
   four of which must lie as the box's corners (a photo). Found, they place
   the box exactly (a homography). Not found — the code is on a bundle label,
   or the page is not a sheet — there is no answer (None), never a guess.
3. In the signature and stamp cells, inset clear of their printed frame and
   label, ink is what is darker than the local paper by more than the noise
   and a share of the marks' print contrast; remnants of the frame, straight
   lines (a fold, a scanner's streak), specks and JPEG ringing are dropped. A
   cell is inked when enough stroke ink of enough extent remains — an empty
   cell measures 0.

All layout is in mm of page 1 mapped to image pixels (pixel centres at integer
coordinates, as OpenCV samples).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt

from scanpipe.domain.found import Code
from scanpipe.paper import sheets
from scanpipe.paper.render import Box
from scanpipe.reading import ink, placement

_SEARCH_RES = 2.0         # px per mm of the area the marks are looked for in
_SEARCH_MM = 45.0         # how far a mark may be from where the QR puts it (a photo's perspective)
_MAX_CANDIDATES = 16      # dark squares kept from the search, the most mark-like first
_MAX_MISFIT_SEARCH = 8.0  # mm: a bottom mark this far from where the top two put it (perspective)
_MATCHES_TRIED = 3        # layouts of candidates tried, the best fitting first
_REFINE_RES = 5.0         # px per mm of the window around each mark, once found
_REFINE_MM = 4.0          # … reaching this far around the mark
_NEAR_MM = 7.0            # a scan's marks are this close to where the QR puts them
_MARK_CORE = 0.75         # share of the mark's side averaged as its core (room for a tilt)
_MARK_CLEAR = 1.6         # a ring from this many mark sides wide to 0.8 more around it …
_MAX_RING = 0.25          # … holds at most this share of the core's darkness
_MIN_MARK_DARKNESS = 35.0  # grey levels: the least a faded black square keeps
_MARK_SOLID_CORE = 0.5    # the inner half of the side (a mark seen smaller in perspective) …
_MIN_SOLID = 0.45         # … has no pixel lighter than this share of the core's darkness
_MAX_MISFIT = 3.0         # mm: marks further than this from a parallelogram are not ours
_SCALE_RANGE = (0.6, 1.6)  # the marks' spacing against the QR's guess
_CELL_RES = 6.0           # px per mm of the rectified cells
_CELL_SIDE = 1.2          # inset of a cell's sides and bottom: clear of its 0.6 pt frame
_MIN_INK_CONTRAST = 0.2   # ink is darker than the paper by this share of the marks' contrast
_LONG_LINE = 8.0          # mm: straight runs this long, in a component this long, are lines …
_LINE_GAP = 1.0           # … even broken by gaps this long
_LINE_CLEAR = 1.0         # mm: cleared along each line found
_MAX_REST = 0.25          # a component mostly cleared with its lines was only lines
_STRAIGHT_SPREAD = 0.3    # mm: a component this thin across its main direction is a line
_MIN_EXTENT = 4.0         # mm: the strokes of a signature or a stamp span at least this much
# mm² of stroke ink from which a cell is signed or stamped. Measured on simulated scans
# and photos: empty cells 0, signatures 37–130, stamps 53–160, 12 mm initials 7–21.
MIN_INK = 4.0


@dataclass(frozen=True)
class ReceiptCheck:
    """What the receipt box of a returned delivery sheet holds."""

    signed: bool            # signature or stamp: the bundle was received
    signature_ink: float    # mm² of stroke ink in the signature cell (0 when empty)
    stamp_ink: float        # mm² of stroke ink in the stamp cell


def check_receipt(pixels: npt.NDArray[np.uint8], code: Code) -> ReceiptCheck | None:
    """Whether page 1 of a delivery sheet is signed or stamped, or None when the page's
    layout cannot be placed from `code` (the bundle QR, as the code reader found it).

    `pixels` is the page as given (2-D uint8 grey, any resolution and quarter turn,
    skewed or photographed); None means "not a signed sheet" to the caller: a bundle
    label's code, a page that is not a delivery sheet, a receipt box out of the image.
    """
    if pixels.ndim != 2 or pixels.dtype != np.uint8 or min(pixels.shape) < 32:
        return None
    try:
        symbol = np.array(sheets.bundle_qr_corners_mm(code.text), dtype=np.float64)
    except ValueError:  # no QR of this text fits the sheet's zone: not one of our sheets
        return None
    corners = placement.code_corners(code.position)
    if corners is None:
        return None
    # The given order first; the others for readers that do not report the symbol's own.
    for turn in range(4):
        guess = placement.affine_fit(symbol, np.roll(corners, -turn, axis=0))
        placed = _place_box(pixels, guess)
        if placed is not None:
            break
    else:
        return None
    h, contrast = placed
    signature = _cell_ink(pixels, h, sheets.SIGNATURE_CELL, contrast)
    stamp = _cell_ink(pixels, h, sheets.STAMP_CELL, contrast)
    return ReceiptCheck(bool(signature >= MIN_INK or stamp >= MIN_INK),
                        round(signature, 2), round(stamp, 2))


# ------------------------------------------------------------------ 2. the marks

def _mark_centres_mm() -> npt.NDArray[np.float64]:
    return np.array([(m.x + m.w / 2, m.y + m.h / 2) for m in sheets.RECEIPT_MARKS])


def _mark_scores(seen: npt.NDArray[np.uint8], res: float
                 ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """For each pixel of `seen`: how much a mark centred there stands out (0 where no solid
    dark square of the marks' size with light around is centred), its core's darkness,
    and the pixel's own darkness against the local paper."""
    side = sheets.RECEIPT_MARK_MM * res
    # Paper level: the lightest grey within a few marks' reach (a desk or a shadow stays).
    reach = round(side * 3) | 1
    paper = cv2.dilate(seen, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach)))
    dark = cv2.subtract(paper, seen).astype(np.float32)
    core = max(3, round(side * _MARK_CORE))
    clear, outer = round(side * _MARK_CLEAR), round(side * (_MARK_CLEAR + 0.8))
    core_mean = _box_mean(dark, core)
    ring = ((_box_mean(dark, outer) * outer ** 2 - _box_mean(dark, clear) * clear ** 2)
            / (outer ** 2 - clear ** 2))
    # Solid: even the core's lightest pixel is dark (text and scribbles have gaps).
    solid = max(2, round(side * _MARK_SOLID_CORE))
    lightest = cv2.erode(dark, np.ones((solid, solid), np.uint8))
    mark_like = ((core_mean >= _MIN_MARK_DARKNESS) & (ring <= _MAX_RING * core_mean)
                 & (lightest >= _MIN_SOLID * core_mean))
    return np.where(mark_like, core_mean - ring, 0.0), core_mean, dark


def _box_mean(image: npt.NDArray[np.float32], side: int) -> npt.NDArray[np.float32]:
    return cast(npt.NDArray[np.float32],  # the filter keeps its input's dtype; OpenCV's stubs give none
                cv2.boxFilter(image, -1, (side, side), borderType=cv2.BORDER_REPLICATE))


def _candidates(pixels: npt.NDArray[np.uint8], guess: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Centres (guess mm) of dark squares of the marks' size around the receipt box."""
    box = sheets.RECEIPT_BOX
    area = Box(box.x - _SEARCH_MM, box.y - _SEARCH_MM, box.w + 2 * _SEARCH_MM,
               box.h + 2 * _SEARCH_MM)
    seen, _ = placement.rectify(pixels, guess, area, _SEARCH_RES)
    score, _, _ = _mark_scores(seen, _SEARCH_RES)
    peak = round(sheets.RECEIPT_MARK_MM * _SEARCH_RES) | 1
    local_max = score >= cv2.dilate(score, np.ones((peak, peak), np.uint8))
    rows, cols = np.nonzero((score > 0) & local_max)
    best = np.argsort(-score[rows, cols])[:_MAX_CANDIDATES]
    return np.stack([area.x + (cols[best] + 0.5) / _SEARCH_RES,
                     area.y + (rows[best] + 0.5) / _SEARCH_RES], axis=1)


def _match(candidates: npt.NDArray[np.float64]) -> list[npt.NDArray[np.float64]]:
    """Fours of candidates (guess mm) laid out as the receipt box's marks, best first.

    Each ordered pair is tried as the top-left and top-right marks; the pair
    predicts the bottom two (a similarity), which must be candidates too.
    """
    n = len(candidates)
    if n < 4:
        return []
    expected = _mark_centres_mm()
    top, down = expected[1] - expected[0], expected[3] - expected[0]
    i, j = (a.ravel() for a in np.meshgrid(np.arange(n), np.arange(n), indexing="ij"))
    v = candidates[j] - candidates[i]
    length = np.linalg.norm(v, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = (v @ top) / (length * np.linalg.norm(top))
        sin = (top[0] * v[:, 1] - top[1] * v[:, 0]) / (length * np.linalg.norm(top))
    scale = length / np.linalg.norm(top)
    # Turned less than 25° against the QR's guess, at about its scale.
    keep = (i != j) & (cos > 0.9) & (scale >= _SCALE_RANGE[0]) & (scale <= _SCALE_RANGE[1])
    i, j, cos, sin, scale = i[keep], j[keep], cos[keep], sin[keep], scale[keep]
    if not len(i):
        return []
    drop = (np.stack([cos * down[0] - sin * down[1], sin * down[0] + cos * down[1]], axis=1)
            * scale[:, None])
    picks, error = [], np.zeros(len(i))
    for start in (j, i):  # bottom-right under the top-right, bottom-left under the top-left
        predicted = candidates[start] + drop
        distance = np.linalg.norm(candidates[None, :, :] - predicted[:, None, :], axis=2)
        distance[np.arange(len(i)), i] = np.inf
        distance[np.arange(len(i)), j] = np.inf
        k = np.argmin(distance, axis=1)
        picks.append(k)
        error += distance[np.arange(len(i)), k]
    error[picks[0] == picks[1]] = np.inf
    order = [k for k in np.argsort(error)[:_MATCHES_TRIED] if error[k] <= 2 * _MAX_MISFIT_SEARCH]
    return [candidates[[i[k], j[k], picks[0][k], picks[1][k]]] for k in order]


def _refine(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64], mark: Box,
            reach_mm: float) -> tuple[npt.NDArray[np.float64], float] | None:
    """`mark`'s centre in image px to a fraction of a pixel, and its darkness, near where
    `h` puts it (within `reach_mm`); None unless a solid dark square is there."""
    area = Box(mark.x - reach_mm, mark.y - reach_mm, mark.w + 2 * reach_mm,
               mark.h + 2 * reach_mm)
    seen, to_image = placement.rectify(pixels, h, area, _REFINE_RES)
    score, core, dark = _mark_scores(seen, _REFINE_RES)
    row, col = divmod(int(np.argmax(score)), int(score.shape[1]))
    if score[row, col] <= 0:
        return None  # no solid dark square here: text, a scribble, or nothing
    darkness = float(core[row, col])
    # The centroid of the square's ink around the peak (the frame lines it touches weigh
    # little against its 4 × 4 mm).
    reach = round(sheets.RECEIPT_MARK_MM * _REFINE_RES * 0.5 + 2)
    top, left = max(0, row - reach), max(0, col - reach)
    region = dark[top:row + reach + 1, left:col + reach + 1]
    weights = np.where(region > darkness / 2, region, 0.0)
    ys, xs = np.indices(region.shape)
    total = float(weights.sum())
    centre = np.array([[left + float((xs * weights).sum()) / total,
                        top + float((ys * weights).sum()) / total]])
    return placement.map_points(to_image, centre)[0], darkness


def _place_box(pixels: npt.NDArray[np.uint8],
               guess: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], float] | None:
    """Page-1 mm → image px from the receipt box's marks (a homography), and the marks'
    print contrast; None unless all four are found, laid out as a receipt box's."""
    # A bundle label's larger QR, or a wrong turn, puts the box off the image: no search.
    height, width = pixels.shape
    slack = _SEARCH_MM * np.sqrt(abs(np.linalg.det(guess[:2, :2])))
    marks = placement.map_points(guess, _mark_centres_mm())
    if ((marks < -slack) | (marks > np.array([width, height]) + slack)).any():
        return None
    # A scan: the QR's guess is within a millimetre or two, each mark is where it says.
    placed = _from_marks(pixels, guess, guess, _NEAR_MM)
    if placed is not None:
        return placed
    # A photo in perspective: the marks are looked for far around, then each near.
    for coarse in _match(_candidates(pixels, guess)):
        h = placement.perspective(_mark_centres_mm().astype(np.float32),
                                  placement.map_points(guess, coarse).astype(np.float32))
        placed = _from_marks(pixels, h, guess, _REFINE_MM)
        if placed is not None:
            return placed
    return None


def _from_marks(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64], guess: npt.NDArray[np.float64],
                reach_mm: float) -> tuple[npt.NDArray[np.float64], float] | None:
    found = []
    for mark in sheets.RECEIPT_MARKS:
        f = _refine(pixels, h, mark, reach_mm)
        if f is None:
            return None
        found.append(f)
    centres_mm = _mark_centres_mm()
    centres_px = np.array([f[0] for f in found])
    # Four dark squares do not make a receipt box: they must be laid out as its marks,
    # to within a photo's perspective, at about the QR's scale, not mirrored against it.
    fit = placement.affine_fit(centres_mm, centres_px)
    det, expected = np.linalg.det(fit[:2, :2]), np.linalg.det(guess[:2, :2])
    if det * expected <= 0 or not _SCALE_RANGE[0] <= np.sqrt(det / expected) <= _SCALE_RANGE[1]:
        return None
    misfit = (np.linalg.norm(placement.map_points(fit, centres_mm) - centres_px, axis=1).max()
              / np.sqrt(abs(det)))
    if misfit > _MAX_MISFIT:
        return None
    h = placement.perspective(centres_mm.astype(np.float32), centres_px.astype(np.float32))
    return h, float(np.median([f[1] for f in found]))


# ------------------------------------------------------------------ 3. the ink

def _cell_ink(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64], cell: Box, contrast: float) -> float:
    """mm² of stroke ink inside `cell`, clear of its frame and its printed label."""
    inside = Box(cell.x + _CELL_SIDE, cell.y + sheets.CELL_LABEL_MM, cell.w - 2 * _CELL_SIDE,
                 cell.h - sheets.CELL_LABEL_MM - _CELL_SIDE)
    seen, _ = placement.rectify(pixels, h, inside, _CELL_RES)
    darker = ink.darker_than_paper(seen, 9, 11)
    # The paper's noise, from the whole cell (paper even when the cell is well inked).
    inked = (darker > ink.threshold(darker[::2, ::2], _MIN_INK_CONTRAST * contrast)).astype(np.uint8)
    ink.wipe_rule_remnants(inked, inked.shape[0], _CELL_RES)
    return _stroke_ink(inked) / (_CELL_RES * _CELL_RES)


def _stroke_ink(inked: npt.NDArray[np.uint8]) -> float:
    """Pixels of ink in components large enough to be pen strokes, when together they
    span a signature's extent; dots, specks and JPEG ringing do not count, nor straight
    lines (a fold, a scanner's streak, pieces of the frame), however tilted, broken or
    crossing each other."""
    found = ink.components(inked, inked.shape[0])
    strokes = found.stroke_sized(_CELL_RES)
    for k in np.flatnonzero(strokes):
        strokes[k] = not _is_lines(found.mask(int(k)).astype(np.uint8), int(found.area[k]))
    total, across, down = found.measure(strokes)
    return float(total[0]) if max(across[0], down[0]) >= _MIN_EXTENT * _CELL_RES else 0.0


def _is_lines(component: npt.NDArray[np.uint8], area: int) -> bool:
    """Whether one component of ink is a straight line, or long straight lines crossing."""
    if ink.line_spread(component) <= _STRAIGHT_SPREAD * _CELL_RES:
        return True
    length = round(_LONG_LINE * _CELL_RES)
    if max(component.shape) < length:
        return False
    # Long enough to be lines crossing (a streak across a fold): what is left once the
    # long straight runs are cleared is a pen's only if it is a good part of the whole.
    lines = cv2.HoughLinesP(component, 1, np.pi / 90, threshold=length // 2,
                            minLineLength=length, maxLineGap=round(_LINE_GAP * _CELL_RES))
    if lines is None:
        return False
    rest = component.copy()
    for x0, y0, x1, y1 in lines.reshape(-1, 4):
        cv2.line(rest, (int(x0), int(y0)), (int(x1), int(y1)), 0,
                 thickness=round(_LINE_CLEAR * _CELL_RES))
    return int(rest.sum()) < _MAX_REST * area
