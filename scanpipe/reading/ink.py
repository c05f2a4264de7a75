"""Ink in the boxes of a kit document: what a pen left there, against the paper.

A box is looked at rectified (`placement.rectify`) at `res` px per mm, clear of its printed
border. Ink is what is darker than the local paper by more than the paper's noise and a share
of the print's contrast; straight remnants of the printed rules along the box's edges are
wiped, then the ink falls into connected components, of which the pen's strokes are the large
ones (dots, specks and JPEG ringing are smaller) and whose area and extent are measured.

Several boxes of one size may be stacked in one image (a column of signature boxes), each
`height` rows, one blank row apart so that no component joins two of them; a single box is
a stack of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt

RULE_BAND = 0.8     # mm: rule remnants are looked for this close to a box's edge
RULE_RUN = 3.0      # mm: … as straight runs at least this long
MIN_STROKE = 1.2    # mm: a dot or a speck is smaller than this


def darker_than_paper(image: npt.NDArray[np.uint8], kernel: int, blur: int) -> npt.NDArray[np.uint8]:
    """How much darker than the local paper each pixel of `image` is (uint8, saturating).
    The paper's level is a grey closing: it wipes out strokes narrower than `kernel` px,
    then is smoothed over `blur` px."""
    closed = cv2.dilate(image, cv2.getStructuringElement(cv2.MORPH_RECT, (kernel, kernel)))
    return cast(npt.NDArray[np.uint8], cv2.subtract(cv2.blur(closed, (blur, blur)), image))


def threshold(darker: npt.NDArray[np.uint8], floor: float) -> float:
    """The least darkness (grey levels) that is ink, from a sample of `darker_than_paper`'s
    values: above the paper's noise, judged from the lightest quarter of the sample (paper
    even when most of it is inked: blank paper sits about two noise widths under the
    envelope), and at least `floor` (a share of the print's contrast)."""
    counts = np.cumsum(np.bincount(darker.ravel(), minlength=256))
    p05, p25 = (int(np.searchsorted(counts, max(1, counts[-1]) * q)) for q in (0.05, 0.25))
    noise = max(1.0, (p25 - p05) / 0.97)
    return max(p25 + 5.0 * noise, floor, 6.0)


def wipe_rule_remnants(ink: npt.NDArray[np.uint8], height: int, res: float) -> None:
    """Clear long straight runs along the boxes' edges (0/1 ink, boxes of `height` rows
    stacked): what a sheet that is not quite flat lets in of the printed borders, not a pen's
    stroke (a signature's underline may go too; its loops stay)."""
    band = round(RULE_BAND * res)
    run = round(RULE_RUN * res)
    y = np.arange(ink.shape[0]) % (height + 1)
    x = np.arange(ink.shape[1])
    rows = ((y < band) | (y >= height - band))[:, None]
    columns = ((x < band) | (x >= ink.shape[1] - band))[None, :]
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, run), np.uint8))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((run, 1), np.uint8))
    rule = ((across > 0) & rows) | ((down > 0) & columns)
    # … with their soft edges, a pixel either side.
    ink[cv2.dilate(rule.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0] = 0


def line_spread(mask: npt.NDArray[np.bool_ | np.uint8], ddof: int = 0) -> float:
    """How far (px, one standard deviation) the ink of `mask` (one component, 0/1) strays
    from a straight line: its spread across its main direction, a line's thickness. `ddof`:
    the variance divided by the pixel count less this (1: the sample's)."""
    m = cv2.moments(mask.astype(np.uint8), binaryImage=True)
    n = m["m00"] - ddof
    vx, vy, cv = m["mu20"] / n, m["mu02"] / n, m["mu11"] / n
    least = (vx + vy) / 2 - np.sqrt(((vx - vy) / 2) ** 2 + cv * cv)
    return float(np.sqrt(max(least, 0.0)))


@dataclass(frozen=True)
class Components:
    """The 8-connected components of the ink of stacked boxes, each in its box's pixels."""

    labels: npt.NDArray[np.int32]  # per pixel of the stack: 0 for paper, k + 1 for component k
    height: int                    # rows of a box
    boxes: int                     # how many are stacked
    x: npt.NDArray[np.int32]       # per component: its bounding box, in its box …
    y: npt.NDArray[np.int32]
    w: npt.NDArray[np.int32]
    h: npt.NDArray[np.int32]
    area: npt.NDArray[np.int32]    # … its pixels of ink
    box: npt.NDArray[np.int32]     # … and which box it lies in

    @property
    def extent(self) -> npt.NDArray[np.int32]:
        return np.maximum(self.w, self.h)

    @property
    def thickness(self) -> npt.NDArray[np.int32]:
        return np.minimum(self.w, self.h)

    def stroke_sized(self, res: float) -> npt.NDArray[np.bool_]:
        """Which components are large enough to be a pen's strokes."""
        return self.extent >= MIN_STROKE * res

    def mask(self, k: int) -> npt.NDArray[np.bool_]:
        """Component `k`'s pixels within its bounding box (bool)."""
        top = int(self.box[k]) * (self.height + 1) + int(self.y[k])
        x, w, h = int(self.x[k]), int(self.w[k]), int(self.h[k])
        inside: npt.NDArray[np.bool_] = self.labels[top:top + h, x:x + w] == k + 1
        return inside

    def spread(self, k: int, ddof: int = 0) -> float:
        """How far component `k`'s ink strays from a straight line (see `line_spread`)."""
        return line_spread(self.mask(k), ddof)

    def measure(self, kept: npt.NDArray[np.bool_]
                ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Per box, of the components `kept` picks: their pixels of ink, and how far they
        span across (x) and down (y), px (negative where none is kept)."""
        box, x, y = self.box[kept], self.x[kept], self.y[kept]
        # Weighted, bincount counts in float64 (numpy's stubs say intp whatever the weights).
        total = cast(npt.NDArray[np.float64],
                     np.bincount(box, weights=self.area[kept], minlength=self.boxes))
        width = int(self.labels.shape[1])
        left, right = np.full(self.boxes, width), np.zeros(self.boxes, dtype=np.int64)
        top, bottom = np.full(self.boxes, self.height), np.zeros(self.boxes, dtype=np.int64)
        np.minimum.at(left, box, x)
        np.maximum.at(right, box, x + self.w[kept])
        np.minimum.at(top, box, y)
        np.maximum.at(bottom, box, y + self.h[kept])
        return total, right - left, bottom - top


def components(ink: npt.NDArray[np.uint8], height: int) -> Components:
    """The connected components of 0/1 `ink` (uint8), boxes of `height` rows stacked."""
    _, found, counted, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    # OpenCV's stubs give no dtype: its labels and stats are int32.
    labels, stats = cast(npt.NDArray[np.int32], found), cast(npt.NDArray[np.int32], counted)[1:]
    top = stats[:, cv2.CC_STAT_TOP]
    return Components(labels, height, (ink.shape[0] + 1) // (height + 1),
                      stats[:, cv2.CC_STAT_LEFT], top % (height + 1),
                      stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT],
                      stats[:, cv2.CC_STAT_AREA], top // (height + 1))
