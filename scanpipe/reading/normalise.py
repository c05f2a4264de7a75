"""Page geometry: the paper in the image, its skew, its size class, which way its lines run.

Scanners put the page on a dark or grey background, slightly turned; phones
photograph it on a desk, in perspective. `find_paper` finds the sheet's four
corners, `rectify` cuts it out square, `text_skew` measures the skew of text
lines, and `size_class` names the paper (A4, A5, A6 postcard, envelope) from its size in
millimetres when the resolution is known, from its proportions otherwise.
All work on a reduced copy where precision allows: this runs on every page.

OpenCV's stubs give its results no dtype (`MatLike`); its filters and warps keep their
input's, so a grey page they return is cast back to `Pixels`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt
from cv2.typing import MatLike

from scanpipe.reading.pages import Pixels
from scanpipe.runs import true_runs

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]
WORK_SIDE = 800          # px: the reduced copy used to find the paper
MIN_PAPER_AREA = 0.2     # of the image: smaller bright shapes are not the page
INK_CONTRAST = 45        # grey levels darker than the local paper to count as ink


class SizeClass(StrEnum):
    A4 = "A4"              # also US letter: the same pile of paper
    A5 = "A5"
    A6 = "A6"              # postcards
    ENVELOPE = "envelope"  # DL and C5 return envelopes
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Paper:
    """Where the sheet is in the image, and its size."""

    corners: Quad | None           # top-left, top-right, bottom-right, bottom-left; None: fills the image
    width_px: float
    height_px: float
    size: SizeClass
    mm: tuple[float, float] | None  # (short side, long side) when the resolution is known


# Physical sizes (short side, long side, mm) and the class each stands for.
_SIZES = (
    ((210.0, 297.0), SizeClass.A4), ((215.9, 279.4), SizeClass.A4),
    ((148.0, 210.0), SizeClass.A5), ((105.0, 148.0), SizeClass.A6),
    ((110.0, 220.0), SizeClass.ENVELOPE), ((162.0, 229.0), SizeClass.ENVELOPE),
    ((114.0, 162.0), SizeClass.ENVELOPE),
)
SIZE_TOLERANCE = 0.06  # scanners crop loosely and pages are cut unevenly


def _order(points: npt.NDArray[np.float64]) -> Quad:
    """Corners ordered top-left, top-right, bottom-right, bottom-left (image axes)."""
    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()
    tl, tr, br, bl = ((float(x), float(y)) for x, y in (points[np.argmin(s)], points[np.argmin(d)],
                                                         points[np.argmax(s)], points[np.argmax(d)]))
    return tl, tr, br, bl


def find_paper(pixels: Pixels) -> Quad | None:
    """The corners of the sheet when it stands out from its background; None when it fills the image.

    Two ways: the bright shape (a scanner's dark lid or bed around a white sheet), and the
    sheet's edges (a phone photo on a desk, under uneven light that no single threshold
    splits). The first whose shape has a paper's proportions wins.
    """
    height, width = pixels.shape
    scale = WORK_SIDE / max(height, width)
    if min(height, width) * scale < 1:
        return None  # a strip that reduces to nothing holds no sheet (and OpenCV refuses 0 px)
    small = (cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1
             else pixels)
    scale = min(scale, 1.0)
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    bright, edged = _by_brightness(blurred), _by_edges(blurred)
    shaped = [q for q in (bright, edged) if q is not None and _paper_shaped(q)]
    # Both paper-shaped: the larger (a shadow across the sheet cuts its bright shape short).
    # An outline among edges that is no paper's shape is text or the image's border: not kept.
    found = (max(shaped, key=lambda q: cv2.contourArea(q.astype(np.float32))) if shaped
             else bright)
    return None if found is None else _order(found.reshape(-1, 2).astype(np.float64) / scale)


# The proportions (long / short side) of the papers that come in: A series (A4, A5, A6 and
# C5/C6 envelopes), US letter, DL envelopes.
_PAPER_RATIOS = (1.414, 1.294, 2.0)
PAPER_RATIO_TOLERANCE = 0.06


def _paper_shaped(quad: MatLike) -> bool:
    width, height = _side_lengths(_order(quad.reshape(-1, 2).astype(np.float64)))
    if min(width, height) <= 0:
        return False
    ratio = max(width, height) / min(width, height)
    return any(abs(ratio / r - 1) <= PAPER_RATIO_TOLERANCE for r in _PAPER_RATIOS)


EDGE_THRESHOLDS = (10, 30)  # Canny's: low, to find a light sheet on a light desk


def _by_edges(blurred: MatLike) -> MatLike | None:
    """The largest convex four-cornered outline among the image's edges."""
    edges = cv2.dilate(cv2.Canny(blurred, *EDGE_THRESHOLDS), np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    image_area = blurred.shape[0] * blurred.shape[1]
    # By the area each outline's hull encloses: a thumb or a shadow across the sheet's edge
    # leaves its outline open, and an open outline encloses nothing of itself.
    hulls = sorted((cv2.convexHull(c) for c in contours), key=cv2.contourArea, reverse=True)
    for hull in hulls[:8]:
        area = cv2.contourArea(hull)
        if not MIN_PAPER_AREA / 2 * image_area <= area <= 0.97 * image_area:
            continue
        quad = _four_corners(hull)
        if quad is not None:
            return quad
    return None


def _four_corners(hull: MatLike) -> npt.NDArray[np.float32] | None:
    """The hull as four corners: its outline simplified, then the corners that hold the least
    area dropped one by one (a thumb or a bent corner over an edge adds a corner or two)."""
    points = cv2.approxPolyDP(hull, 0.01 * cv2.arcLength(hull, True), True).reshape(-1, 2)
    points = points.astype(np.float64)
    while len(points) > 4:
        before, after = np.roll(points, 1, axis=0), np.roll(points, -1, axis=0)
        # Twice the area of the triangle each corner makes with its neighbours.
        held = np.abs((points[:, 0] - before[:, 0]) * (after[:, 1] - before[:, 1])
                      - (after[:, 0] - before[:, 0]) * (points[:, 1] - before[:, 1]))
        points = np.delete(points, int(np.argmin(held)), axis=0)
    quad = points.reshape(-1, 1, 2).astype(np.float32)
    return quad if len(points) == 4 and cv2.isContourConvex(quad) else None


def _by_brightness(blurred: MatLike) -> MatLike | None:
    """The largest bright shape (Otsu's threshold), as four corners."""
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Writing on the sheet must not cut it into pieces: close over it.
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, kernel)
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    sheet = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(sheet)
    image_area = blurred.shape[0] * blurred.shape[1]
    if area < MIN_PAPER_AREA * image_area or area > 0.97 * image_area:
        return None
    hull = cv2.convexHull(sheet)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4:
        rect = cv2.minAreaRect(hull)
        quad = cv2.boxPoints(rect)
        if cv2.contourArea(quad.astype(np.float32)) > 1.15 * area:
            return None  # not a sheet-like shape
    return quad


def flatten_light(pixels: Pixels) -> Pixels:
    """The page with its light made even: each pixel divided by the paper's level around it
    (a closing wipes the writing out of a reduced copy). A phone photo's light falls off
    across the sheet and no single threshold splits its print from its paper; Tesseract
    reads none of it before, most of it after. A scan's even paper is left as it is."""
    height, width = pixels.shape
    step = max(1, round(max(height, width) / FLATTEN_SIDE))
    if min(height, width) // step < 3:
        return pixels
    small = cv2.resize(pixels, (width // step, height // step), interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (FLATTEN_KERNEL, FLATTEN_KERNEL))
    paper = cv2.GaussianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), (0, 0), 5)
    paper = cv2.resize(paper, (width, height), interpolation=cv2.INTER_LINEAR)
    return cast(Pixels, cv2.divide(pixels, np.maximum(paper, 1), scale=255))


FLATTEN_SIDE = 1000   # px: the paper's level is found on a copy this long
FLATTEN_KERNEL = 15   # px of that copy (about 4.5 mm of an A4 page): wider than any stroke


def _side_lengths(quad: Quad) -> tuple[float, float]:
    tl, tr, br, bl = (np.array(p) for p in quad)
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    return float(width), float(height)


def rectify(pixels: Pixels, quad: Quad) -> Pixels:
    """The sheet cut out of the image and made rectangular (perspective removed)."""
    width, height = _side_lengths(quad)
    w, h = max(1, round(width)), max(1, round(height))
    target = np.array([(0, 0), (w - 1, 0), (w - 1, h - 1), (0, h - 1)], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(np.array(quad, dtype=np.float32), target)
    return cast(Pixels, cv2.warpPerspective(pixels, matrix, (w, h), flags=cv2.INTER_LINEAR,
                                            borderMode=cv2.BORDER_REPLICATE))


def size_class(width_px: float, height_px: float,
               dpi: float | None) -> tuple[SizeClass, tuple[float, float] | None]:
    """The paper's class from its size in pixels and the resolution (proportions alone without it)."""
    short, long = sorted((width_px, height_px))
    if short <= 0:
        return SizeClass.UNKNOWN, None
    if dpi:
        mm = (short * 25.4 / dpi, long * 25.4 / dpi)
        for (width, height), name in _SIZES:
            if (abs(mm[0] - width) <= width * SIZE_TOLERANCE
                    and abs(mm[1] - height) <= height * SIZE_TOLERANCE):
                return name, mm
        return SizeClass.UNKNOWN, mm
    # Without a resolution proportions alone tell nothing safely: A-sizes share 1:√2, and a
    # letter photographed with its foot out of the frame looks like a DL envelope's 1:2 (an
    # envelope is no piece: a letter taken for one would be lost from every count).
    return SizeClass.UNKNOWN, None


def measure_paper(pixels: Pixels, dpi: float | None) -> Paper:
    """Find the sheet and name its size."""
    quad = find_paper(pixels)
    if quad is None:
        height, width = pixels.shape
        size, mm = size_class(width, height, dpi)
        return Paper(None, float(width), float(height), size, mm)
    width, height = _side_lengths(quad)
    size, mm = size_class(width, height, dpi)
    return Paper(quad, width, height, size, mm)


def ink_mask(pixels: Pixels, contrast: int = INK_CONTRAST) -> Pixels:
    """Pixels clearly darker than the paper around them (writing, print), as a 0/255 mask."""
    height, width = pixels.shape
    background = cv2.medianBlur(cv2.resize(pixels, (max(1, width // 8), max(1, height // 8)),
                                           interpolation=cv2.INTER_AREA), 5)
    background = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR)
    darker = cv2.subtract(background, pixels)
    return np.where(darker >= contrast, 255, 0).astype(np.uint8)


def text_skew(pixels: Pixels, limit: float = 15.0) -> float:
    """The angle (degrees, counter-clockwise positive as OpenCV rotates) that levels the text lines.

    Projection profiles: the rotation that makes the row sums of the ink most
    uneven is the one that lines the text up. Coarse then fine, on a reduced copy.
    """
    mask = ink_mask(_reduced(pixels, 1000), 30) // 255  # 0/1 bytes: turned several times faster than floats
    if np.count_nonzero(mask) < 50:
        return 0.0
    h, w = mask.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
        turned = cv2.warpAffine(mask, matrix, (w, h), flags=cv2.INTER_NEAREST)
        rows = turned.sum(axis=1, dtype=np.int64)
        return float(np.var(np.diff(rows)))

    best = max(np.arange(-limit, limit + 0.01, 1.0), key=sharpness)
    fine = max(np.arange(best - 1.0, best + 1.01, 0.2), key=sharpness)
    return float(round(fine, 2))


def line_axis(pixels: Pixels) -> int:
    """0 when the page's lines of writing run across the image, 90 when they run down it."""
    return line_axis_vote(pixels)[0]


def line_axis_vote(pixels: Pixels) -> tuple[int, float]:
    """`line_axis` and how clear the vote is: the stronger direction's jumps over the
    weaker's (1: no telling; a page of typed lines gives several)."""
    mask = _writing(_reduced(pixels, 1000))
    across = float(np.var(np.diff(mask.sum(axis=1))))  # lines across: row sums jump line to line
    down = float(np.var(np.diff(mask.sum(axis=0))))
    clarity = max(across, down) / max(min(across, down), 1e-9)
    return (0 if across >= down else 90), clarity


def _reduced(pixels: Pixels, side: int) -> Pixels:
    """`pixels` reduced (an area average) to `side` pixels along its longer side, if longer."""
    height, width = pixels.shape
    scale = min(1.0, side / max(height, width))
    if scale < 1:
        return cast(Pixels, cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA))
    return pixels


def _writing(small: Pixels) -> npt.NDArray[np.float32]:
    """The ink of writing: margins (edges, shadows) and long ruled lines either way removed."""
    h, w = small.shape
    mask: MatLike = ink_mask(small, 30)
    my, mx = int(h * 0.05), int(w * 0.05)
    mask[:my], mask[h - my:], mask[:, :mx], mask[:, w - mx:] = 0, 0, 0, 0
    for kernel in ((max(3, w // 8), 1), (1, max(3, h // 8))):
        rules = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        mask = cv2.subtract(mask, cv2.dilate(rules, np.ones((3, 3), np.uint8)))
    return (mask > 0).astype(np.float32)


def upright_score(pixels: Pixels) -> float:
    """Positive when the page's horizontal lines of writing are the right way up, negative upside down.

    For pages Tesseract cannot orient (handwriting): Latin script reaches above
    its x-height band (ascenders, capitals, accents) more than below it, and
    lines start at a straight left margin and end raggedly on the right. Ruled
    lines are removed first; each line of writing votes.
    """
    mask = _writing(_reduced(pixels, 1200)) > 0
    w = mask.shape[1]
    rows = mask.sum(axis=1).astype(np.float64)
    if rows.sum() < 200:
        return 0.0
    inked = rows > max(2.0, rows.max() * 0.08)
    extent = above = below = 0.0
    lefts, rights = [], []
    for start, end in true_runs(inked):
        band = rows[start:end]
        if len(band) < 4:
            continue
        core = np.flatnonzero(band >= band.max() * 0.5)
        top, bottom = core[0], core[-1]
        above += band[:top].sum()
        below += band[bottom + 1:].sum()
        extent += band.sum()
        cols = np.flatnonzero(mask[start:end].any(axis=0))
        if len(cols) > w * 0.15:
            lefts.append(cols[0])
            rights.append(cols[-1])
    if extent == 0:
        return 0.0
    reach = (above - below) / extent
    margins = (float(np.std(rights)) - float(np.std(lefts))) / w if len(lefts) >= 3 else 0.0
    return reach + 2.0 * margins


def rotate(pixels: Pixels, angle: float) -> Pixels:
    """`pixels` turned by `angle` degrees (counter-clockwise positive), the canvas grown to fit."""
    if abs(angle) < 0.05:
        return pixels
    height, width = pixels.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    return cast(Pixels, cv2.warpAffine(pixels, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR,
                                       borderMode=cv2.BORDER_REPLICATE))


def quarter_turn(pixels: Pixels, degrees_clockwise: int) -> Pixels:
    """Undo a content rotation of `degrees_clockwise` (0/90/180/270): the result is upright."""
    turns = (degrees_clockwise // 90) % 4
    return np.ascontiguousarray(np.rot90(pixels, k=turns)) if turns else pixels
