"""Placing a kit document's template on an image: mm of the document → pixels of the image.

A document's layout is known to the millimetre (`kits`, `sheets`); where it lies on a scan
or a photo is a 3 × 3 map from its mm to the image's pixels (pixel centres at integer
coordinates, as OpenCV samples):

- from its QR's four corners, checked to frame a plausible square, put in the symbol's own
  order by its finder patterns where the reader's order is not trusted, and fitted onto
  where the layout prints the symbol (affine, or a similarity: a QR is too small to tell
  perspective from corner noise);
- from the sheet's four corners (a perspective, exact for a flat sheet);
- then points are mapped and sampled through it, and boxes rectified to small images at a
  fixed resolution, so that every size there is in mm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast, overload

import cv2
import numpy as np
import numpy.typing as npt

from scanpipe.paper import render
from scanpipe.paper.kits import DocumentLayout
from scanpipe.paper.render import Box
from scanpipe.reading.normalise import Quad

MIN_QR_SIDE_PX = 12.0          # a smaller symbol cannot place a whole page
MIN_FINDER = 0.45              # likeness to a finder pattern of the QR's three marked corners
PAPER_ASPECT_TOLERANCE = 0.08  # a sheet's found sides may differ this much from the document's

_Float = TypeVar("_Float", bound=np.floating[Any])


@dataclass(frozen=True, eq=False)
class Placement:
    """Where a kit document lies on the page: mm on the document → pixels of the page."""

    matrix: npt.NDArray[np.float64]  # 3 × 3 (a perspective: a photo's sheet is not square to the lens)
    how: str                         # "code": from the code's corners; "paper": from the sheet's edges


# ------------------------------------------------------------------ the template's corners

def symbol_corners_mm(layout: DocumentLayout, qr_text: str) -> npt.NDArray[np.float64]:
    """The QR symbol's corners (quiet zone excluded) where `layout` prints the code of
    `qr_text`: top-left, top-right, bottom-right, bottom-left, mm (4 × 2)."""
    symbol = layout.qr_box(qr_text).inset(render.QUIET_ZONE_MODULES * layout.qr_module_mm)
    return np.array(symbol.corners())


def page_corners_mm(layout: DocumentLayout) -> npt.NDArray[np.float64]:
    """The page's corners, from its top-left clockwise, mm (4 × 2)."""
    return np.array(Box(0.0, 0.0, layout.page_w, layout.page_h).corners())


# ------------------------------------------------------------------ from a QR's corners

def code_corners(position: Sequence[tuple[float, float]]) -> npt.NDArray[np.float64] | None:
    """A code reader's four corners (4 × 2), clockwise on the page, when they frame a
    plausible, mildly foreshortened square; None otherwise."""
    try:
        corners = np.asarray(position, dtype=np.float64).reshape(4, 2)
    except (TypeError, ValueError):
        return None
    if not np.isfinite(corners).all():
        return None
    x, y = corners[:, 0], corners[:, 1]
    if float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) < 0:
        corners = corners[[0, 3, 2, 1]]  # counter-clockwise (a mirrored reading order)
    edges = np.roll(corners, -1, axis=0) - corners
    sides = np.linalg.norm(edges, axis=1)
    following = np.roll(edges, -1, axis=0)
    turns = edges[:, 0] * following[:, 1] - edges[:, 1] * following[:, 0]
    if sides.min() < MIN_QR_SIDE_PX or sides.max() > 1.6 * sides.min() or (turns <= 0).any():
        return None
    return corners


def perspective(source: npt.NDArray[np.float32],
                target: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """The perspective map (3 × 3) of four points `source` onto four `target` (4 × 2 each)."""
    return cast(npt.NDArray[np.float64],  # OpenCV's stubs give no dtype
                cv2.getPerspectiveTransform(source, target))


def affine_fit(source: npt.NDArray[np.float64],
               target: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The least-squares affine map (3 × 3) of points `source` onto `target` (n × 2 each)."""
    design = np.hstack([source, np.ones((len(source), 1))])
    solution, *_ = np.linalg.lstsq(design, target, rcond=None)
    return np.vstack([solution.T, [0.0, 0.0, 1.0]])


def _finder_scores(pixels: npt.NDArray[np.uint8], corners: npt.NDArray[np.float64],
                   n: int) -> tuple[npt.NDArray[np.floating[Any]], float]:
    """How much each corner's 7×7 modules look like a finder pattern (1 = perfectly), and the
    symbol's print contrast (grey levels)."""
    square = np.array([[0, 0], [n, 0], [n, n], [0, n]], dtype=np.float32)
    h = perspective(square, corners.astype(np.float32))
    idx = np.arange(7)
    ring = np.maximum(np.abs(idx[:, None] - 3), np.abs(idx[None, :] - 3))
    dark = (ring != 2).ravel()
    grid_v, grid_u = np.meshgrid(idx, idx, indexing="ij")
    starts = ((0, 0), (n - 7, 0), (n - 7, n - 7), (0, n - 7))  # module (u, v) of each corner
    centres = np.stack([np.stack([grid_u + u0 + 0.5, grid_v + v0 + 0.5], axis=-1)
                        for u0, v0 in starts])  # 4 × 7 × 7 × 2
    values = sample(pixels, h, centres).reshape(4, 49)
    light, ink = np.percentile(values, (90, 10))
    contrast = float(light - ink)
    if contrast < 1.0:
        return np.zeros(4), contrast
    scores = (values[:, ~dark].mean(axis=1) - values[:, dark].mean(axis=1)) / contrast
    return scores, contrast


def by_qr(pixels: npt.NDArray[np.uint8], position: Sequence[tuple[float, float]], qr_text: str,
          layout: DocumentLayout) -> tuple[npt.NDArray[np.float64], float] | None:
    """Template mm → image px from the QR alone (an affine fit), and the symbol's print
    contrast; None unless the corners frame the QR of `qr_text` (three finder patterns).
    The corners may come in any reader's order: the finder patterns put them right."""
    corners = code_corners(position)
    if corners is None:
        return None
    scores, contrast = _finder_scores(pixels, corners, len(render.qr_matrix(qr_text)))
    order = np.argsort(scores)
    if scores[order[1]] < MIN_FINDER:
        return None  # fewer than three finder patterns: the corners do not frame this QR
    # The corner without a finder pattern is the symbol's bottom-right.
    corners = np.roll(corners, 2 - int(order[0]), axis=0)
    return affine_fit(symbol_corners_mm(layout, qr_text), corners), contrast


def by_code(position: Sequence[tuple[float, float]], qr_text: str,
            layout: DocumentLayout) -> Placement | None:
    """The document placed by its code's corners, in the code's own order (a similarity):
    exact for the kit's own print, off for a code pasted over another's a little askew."""
    source = symbol_corners_mm(layout, qr_text).astype(np.float32)
    matrix, _ = cv2.estimateAffinePartial2D(source, np.array(position, dtype=np.float32))
    return None if matrix is None else Placement(np.vstack([matrix, (0.0, 0.0, 1.0)]), "code")


# ------------------------------------------------------------------ from the paper's corners

def _onto(layout: DocumentLayout, corners: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """The page onto four image points (its top-left first): a perspective."""
    return perspective(page_corners_mm(layout).astype(np.float32), corners)


def by_paper(quad: Quad | None, image_shape: tuple[int, int], layout: DocumentLayout,
             turns: int) -> Placement | None:
    """The document placed by the sheet's four corners (`quad`: top-left, top-right,
    bottom-right, bottom-left in the image; None: the sheet fills the image), its content
    turned `turns` quarter turns clockwise; None when the sheet is not the document's shape."""
    height, width = image_shape
    corners = np.array(quad if quad is not None else
                       ((0, 0), (width - 1, 0), (width - 1, height - 1), (0, height - 1)),
                       dtype=np.float32)
    corners = np.roll(corners, -(turns % 4), axis=0)  # the document's top-left corner first
    across = (np.linalg.norm(corners[1] - corners[0]) + np.linalg.norm(corners[2] - corners[3])) / 2
    down = (np.linalg.norm(corners[3] - corners[0]) + np.linalg.norm(corners[2] - corners[1])) / 2
    if down <= 0 or abs((across / down) / (layout.page_w / layout.page_h) - 1) > PAPER_ASPECT_TOLERANCE:
        return None
    return Placement(_onto(layout, corners), "paper")


def by_paper_near(quad: Quad | None, guess: npt.NDArray[np.float64], layout: DocumentLayout,
                  max_apart_mm: float) -> npt.NDArray[np.float64] | None:
    """Template mm → image px from the sheet's four corners (a perspective, which a QR is
    too small to tell). The QR's placement `guess` says which corner is the sheet's top-left,
    and must agree with it where the QR is, within `max_apart_mm`; None when no sheet was
    found or its corners do not put the QR where it is (a desk's edge, a thumb over a
    corner, another paper's size)."""
    if quad is None:
        return None
    corners = np.array(quad, dtype=np.float32)
    expected = map_points(guess, page_corners_mm(layout), np.float32)
    turn = min(range(4), key=lambda k: float(np.linalg.norm(np.roll(corners, -k, axis=0)
                                                             - expected, axis=1).sum()))
    h = _onto(layout, np.roll(corners, -turn, axis=0))
    near_qr = np.array(layout.qr_zone.corners())
    apart = float(np.linalg.norm(map_points(h, near_qr, np.float32)
                                 - map_points(guess, near_qr, np.float32), axis=1).max())
    return h if apart <= max_apart_mm * np.sqrt(abs(np.linalg.det(guess[:2, :2]))) else None


# ------------------------------------------------------------------ mapping and sampling

def _projected(m: npt.NDArray[_Float], x: npt.NDArray[_Float], y: npt.NDArray[_Float]
               ) -> tuple[npt.NDArray[_Float], npt.NDArray[_Float], npt.NDArray[_Float]]:
    w = m[2, 0] * x + m[2, 1] * y + m[2, 2]
    return (m[0, 0] * x + m[0, 1] * y + m[0, 2]) / w, (m[1, 0] * x + m[1, 1] * y + m[1, 2]) / w, w


@overload
def map_points(h: npt.NDArray[np.float64], points_mm: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...


@overload
def map_points(h: npt.NDArray[np.float64], points_mm: npt.NDArray[np.float64],
               dtype: type[_Float]) -> npt.NDArray[_Float]: ...


def map_points(h: npt.NDArray[np.float64], points_mm: npt.NDArray[np.float64],
               dtype: type[np.floating[Any]] = np.float64) -> npt.NDArray[np.floating[Any]]:
    """Template points (…, 2) in mm → image pixels through `h`, computed in `dtype`
    (float32: as fine as OpenCV's sampling maps, and cheaper)."""
    u, v, _ = _projected(h.astype(dtype), points_mm[..., 0].astype(dtype),
                         points_mm[..., 1].astype(dtype))
    return np.stack([u, v], axis=-1)


def local_frames(h: npt.NDArray[np.float64], centres: npt.NDArray[np.float64],
                 *vectors: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], ...]:
    """Template points and unit vectors (n × 2 mm each) → image points and the images of the
    vectors there (px per mm): the homography's local linear part, exact enough over a few
    millimetres and far cheaper than mapping every sample."""
    m = h.astype(np.float64)
    u, v, w = _projected(m, centres[:, 0], centres[:, 1])
    images = []
    for vector in vectors:
        du = ((m[0, 0] - u * m[2, 0]) * vector[:, 0] + (m[0, 1] - u * m[2, 1]) * vector[:, 1]) / w
        dv = ((m[1, 0] - v * m[2, 0]) * vector[:, 0] + (m[1, 1] - v * m[2, 1]) * vector[:, 1]) / w
        images.append(np.stack([du, dv], axis=1))
    return np.stack([u, v], axis=1), *images


def sample(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64],
           points_mm: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    """Grey levels at template points (… × 2 mm), bilinear; beyond the image its edge repeats
    (flat, so no line is ever found there)."""
    shape = points_mm.shape[:-1]
    xy = map_points(h, points_mm, np.float32).reshape(-1, shape[-1], 2)
    values = cv2.remap(pixels, np.ascontiguousarray(xy[..., 0]), np.ascontiguousarray(xy[..., 1]),
                       cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return values.astype(np.float32).reshape(shape)


# ------------------------------------------------------------------ rectifying

def grid(x: float, y: float, res: float) -> npt.NDArray[np.float64]:
    """Pixels of an image at `res` px per mm whose pixel (0, 0) lies at (`x`, `y`) mm → mm."""
    return np.array([[1 / res, 0, x], [0, 1 / res, y], [0, 0, 1]], dtype=np.float64)


def warp(pixels: npt.NDArray[np.uint8], to_image: npt.NDArray[np.float64], size: tuple[int, int],
         affine: bool = False) -> npt.NDArray[np.uint8]:
    """The image of `size` (width, height) whose pixels `to_image` maps into `pixels`,
    bilinear, the image's edge repeated beyond it. `affine`: `to_image`'s last row is taken
    as (0, 0, 1), which is cheaper."""
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    if affine:
        warped = cv2.warpAffine(pixels, to_image[:2], size, flags=flags,
                                borderMode=cv2.BORDER_REPLICATE)
    else:
        warped = cv2.warpPerspective(pixels, to_image, size, flags=flags,
                                     borderMode=cv2.BORDER_REPLICATE)
    return cast(npt.NDArray[np.uint8], warped)  # the warps keep their input's dtype


def rectify(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64], area: Box,
            res: float) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float64]]:
    """`area` (template mm) seen through `h` at `res` px per mm, and its px → image px map."""
    to_image = h @ grid(area.x + 0.5 / res, area.y + 0.5 / res, res)
    return warp(pixels, to_image, (round(area.w * res), round(area.h * res))), to_image
