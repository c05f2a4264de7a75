"""Is a page blank? A duplex back or a stray sheet is dropped; anything written never is.

A page is blank when a person would say "nothing is written here": no stroke of a pen,
pencil or printer is found on it once dust and noise are set aside. Judged on the sheet
cut out of its scan, at about 150 dpi (a 0.3 mm pen stroke is two pixels wide there; a
file's resolution is believed only when it makes the sheet a sheet's size):

1. The paper's own level is found by a grey closing over 8 mm: whatever is darker than
   the paper around it and narrower than that is a mark (pen, pencil, marker, print);
   what is wider — a black band, the scanner's lid along an edge, a shadow, a darker
   paper — is the paper's level itself, not a mark. So writing beside a band is seen,
   and nothing is looked for on ground much darker than the paper (the lid, the band).
2. A mark's darkness is a share of its paper's level (grey paper, a dim photo and a low
   contrast scan alike), over the scan's own noise. A stroke reaches `STROKE_DARKNESS`
   somewhere; the show-through of the other side's print (at most 0.16) never does;
   `FAINT_DARKNESS` is where a mark's outline ends.
3. Marks are set aside, and counted, when they are specks (a core under `MIN_STROKE_MM`:
   dust, fibres, JPEG noise), faint (nowhere a stroke's darkness), on the sheet's edge
   (a sliver of the lid, a shadow's rim), punched holes, or straight lines longer than
   `RULE_MM` at any slant (ruled and squared paper, a crease, a bent corner's fold, the
   outline of a sheet photographed uncut). What remains are strokes, grouped into lines.
4. When the sheet found is much smaller than its image (a band across a page can make one
   part look like the whole sheet), a blank sheet is blank only if the whole image is too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from cv2.typing import MatLike

from scanpipe.domain.found import Blankness
from scanpipe.reading.pages import Pixels

WHOLE_PAGE = 0.85          # a sheet cut out smaller than this share of its image may be a part
WORK_DPI = 150.0           # a 0.3 mm stroke keeps two pixels
MIN_WORK_LONG_PX = 1754    # … and the sheet never fewer pixels along its length than A4 there
A4_LONG_MM = 297.0
_LINEAR_BELOW = 0.9        # a remaining reduction smaller than this is not worth its cost
PLAUSIBLE_LONG_MM = (100.0, 450.0)   # a sheet a file's resolution makes shorter or longer is
                                     # not believed (a reduced image keeping its scan's dpi)
PAPER_MM = 8.0             # marks narrower than this are ink; wider dark areas are not
PAPER_LEVEL = 0.4          # of the brightest paper: darker ground (the lid, a band) is not paper
FAINT_DARKNESS = 0.09      # share of the paper's level: a mark's outline
STROKE_DARKNESS = 0.17     # … and the darkness a stroke reaches (show-through stays under 0.16; a
                           # pencil page of the unseen corpus reached 0.17 at its darkest, and 0.20
                           # dropped it as blank)
NOISE_SIGMAS = (4.0, 6.0)  # … both at least this many noise widths over the paper's grain
MIN_STRONG_PX = 3          # pixels of a stroke at its darkness: one hot pixel is noise
MIN_STROKE_MM = 1.0        # shorter marks are specks: dust, fibres, JPEG noise
EDGE_MM = 2.0              # marks touching this border of the sheet are the scanner's or the cut's
HOLE_MM = (3.5, 9.0)       # a punched hole's size (6 mm), seen dark through the lid …
HOLE_ZONE_MM = 25.0        # … within this of an edge
RULE_MM = 15.0             # straight lines longer than this are ruled, creased or an outline
RULE_WIDTH_MM = 1.0        # … and what is wiped along them,
RULE_END_MM = 3.0          # … and beyond their ends


def blankness(sheet: Pixels, dpi: float | None, page: Pixels | None = None) -> Blankness:
    """Whether `sheet` (2-D uint8, the paper cut out of its scan) carries no writing at all,
    and what was found on it.

    `dpi` is the file's resolution, believed when it makes the sheet a plausible size;
    otherwise the sheet is taken to be A4 long, which can only over-count marks. `page` is
    the image the sheet was cut from: when the cut leaves much of it out (a black band or a
    dark edge across a page can make another part look like the whole sheet), a blank sheet
    is blank only if the whole image is too.
    """
    verdict = _judge(sheet, dpi)
    # Only a scan's (a photo's desk is no paper to look at; it carries no resolution).
    scanned = dpi is not None and _plausible(page.shape if page is not None else sheet.shape, dpi)
    if verdict.blank and page is not None and scanned and sheet.size < WHOLE_PAGE * page.size:
        whole = _judge(page, dpi)
        if not whole.blank:
            return replace(whole, detail=f"{whole.detail}, beside the sheet found")
    return verdict


def _judge(sheet: Pixels, dpi: float | None) -> Blankness:
    """Marks found, sorted, and strokes counted on one image."""
    work, mm = _working_image(sheet, dpi)
    faint, strong = _marks(work, mm)
    marks = _measure(faint, strong, mm)
    kinds = _sort(marks, work.shape, mm)
    ruled = 0
    # Long outlines, even when their core is short (a bent corner's faint shadow lines).
    span = np.maximum(marks.right - marks.left, marks.bottom - marks.top) / mm
    long = np.flatnonzero(kinds[_STROKE] & (span >= RULE_MM))
    if len(long):
        # Long marks: ruled or squared paper, a crease, a bent corner's fold, the outline of
        # a sheet photographed uncut — or writing, which stays where they cross it.
        faint, ruled = _remove_straight_lines(faint, marks, long, mm)
        marks = _measure(faint, cv2.bitwise_and(strong, faint), mm)
        kinds = _sort(marks, work.shape, mm)
    stroke = kinds[_STROKE]
    strokes = int(stroke.sum())
    ink = float(marks.area[stroke].sum()) / float(work.size)
    lines = _lines(marks.top[stroke], marks.bottom[stroke])
    set_aside = (*((what, int(kinds[what].sum())) for what in _SET_ASIDE), (_LINES, ruled))
    return Blankness(strokes == 0, strokes, lines, ink, set_aside,
                     _detail(strokes, lines, ink, set_aside))


_STROKE = "strokes"
_SET_ASIDE = (f"specks under {MIN_STROKE_MM:g} mm", "faint marks", "marks on the sheet's edge",
              "punched holes")
_LINES = "straight lines"
_ONE = {f"specks under {MIN_STROKE_MM:g} mm": f"speck under {MIN_STROKE_MM:g} mm",
        "faint marks": "faint mark", "marks on the sheet's edge": "mark on the sheet's edge",
        "punched holes": "punched hole", _LINES: "straight line"}


def _sort(marks: _Marks, shape: tuple[int, int], mm: float) -> dict[str, npt.NDArray[np.bool_]]:
    """Which marks are specks, faint, on the sheet's edge, punched holes, or strokes."""
    h, w = shape
    speck = marks.extent < MIN_STROKE_MM
    weak = ~speck & (marks.strong < MIN_STRONG_PX)
    edge = max(1, round(EDGE_MM * mm))
    on_edge = ~speck & ~weak & ((marks.left < edge) | (marks.top < edge)
                                | (marks.right > w - edge) | (marks.bottom > h - edge))
    bw, bh = marks.right - marks.left, marks.bottom - marks.top
    zone = HOLE_ZONE_MM * mm
    near_edge = ((marks.left < zone) | (marks.top < zone) | (marks.right > w - zone)
                 | (marks.bottom > h - zone))
    # A punched hole: a solid, round, dark disc a few mm across, near an edge (the lid seen
    # through it). A pen's "o" is a ring, not solid.
    size = np.maximum(bw, bh) / mm
    hole = (~speck & ~weak & ~on_edge & near_edge & (size >= HOLE_MM[0]) & (size <= HOLE_MM[1])
            & (np.minimum(bw, bh) >= 0.75 * np.maximum(bw, bh))
            & (marks.area >= 0.6 * bw * bh))
    stroke = ~speck & ~weak & ~on_edge & ~hole
    return dict(zip((*_SET_ASIDE, _STROKE), (speck, weak, on_edge, hole, stroke)))


def _working_image(sheet: Pixels, dpi: float | None) -> tuple[MatLike, float]:
    """The sheet at about `WORK_DPI`, never with fewer than `MIN_WORK_LONG_PX` along its
    length, and its pixels per millimetre. Reduced by a whole factor with an area average
    (cheap), then by what remains with a linear one (a thin stroke keeps most of its
    darkness between two pixels)."""
    long_px = max(sheet.shape)
    believed = dpi if dpi and _plausible(sheet.shape, dpi) else long_px / A4_LONG_MM * 25.4
    scale = min(1.0, max(WORK_DPI / believed, MIN_WORK_LONG_PX / long_px))
    work: MatLike = sheet
    factor = int(1 / scale)
    if factor > 1:
        h, w = sheet.shape
        work = cv2.resize(sheet[:h - h % factor, :w - w % factor], (w // factor, h // factor),
                          interpolation=cv2.INTER_AREA)
    rest = scale * factor
    if rest < _LINEAR_BELOW:
        work = cv2.resize(work, None, fx=rest, fy=rest, interpolation=cv2.INTER_LINEAR)
    return work, believed * (work.shape[1] / sheet.shape[1]) / 25.4


def _plausible(shape: tuple[int, ...], dpi: float) -> bool:
    """Whether `dpi` makes an image of `shape` a sheet's length (not a phone's 72 dpi, nor
    the 400 dpi a reduced image kept from its scan)."""
    return PLAUSIBLE_LONG_MM[0] <= max(shape) / dpi * 25.4 <= PLAUSIBLE_LONG_MM[1]


def _marks(work: MatLike, mm: float) -> tuple[MatLike, MatLike]:
    """Pixels of marks (their outline) and of strokes (their core), as 0/255 masks.

    The paper's level is a grey closing over `PAPER_MM`: it fills in every mark narrower
    than that, and keeps steps and wide areas (a band, a shadow, the lid) as they are.
    It is worked out at half the resolution (four times cheaper; paper varies slowly).
    """
    h, w = work.shape
    # Each half-resolution pixel the darkest of its four: along a step (a band's edge, the
    # lid's) the paper's level then never reaches over to the dark side, where it would
    # make a line of "ink" a pixel wide.
    half = np.ascontiguousarray(cv2.erode(work, np.ones((2, 2), np.uint8),
                                          anchor=(0, 0))[::2, ::2])
    side = max(3, round(PAPER_MM * mm / 2) | 1)
    level = cv2.morphologyEx(half, cv2.MORPH_CLOSE,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    paper = cv2.resize(level, (w, h), interpolation=cv2.INTER_NEAREST)
    darkness = cv2.subtract(paper, work)
    share = cv2.divide(darkness, paper, scale=255)  # darkness as a share of the paper, 0–255
    # The paper's grain: how far its pixels sit under the closing (most pixels are paper).
    counts = np.cumsum(np.bincount(darkness[::4, ::4].ravel(), minlength=256))
    p50, p75 = (int(np.searchsorted(counts, counts[-1] * q)) for q in (0.5, 0.75))
    sigma = max(1.0, (p75 - p50) / 0.674)
    # Marks are looked for on paper: not on the lid, a black band or a desk's dark wood,
    # whose grain is large beside their level.
    levels = np.cumsum(np.bincount(level[::4, ::4].ravel(), minlength=256))
    brightest = max(1.0, float(np.searchsorted(levels, levels[-1] * 0.95)))
    _, on_paper = cv2.threshold(paper, PAPER_LEVEL * brightest, 255, cv2.THRESH_BINARY)
    share = cv2.bitwise_and(share, on_paper)
    masks = []
    for darkest, sigmas in zip((FAINT_DARKNESS, STROKE_DARKNESS), NOISE_SIGMAS):
        # Over the grain too: its darkness as a share of the brightest paper.
        least = max(darkest, (p50 + sigmas * sigma) / brightest)
        masks.append(cv2.threshold(share, least * 255, 255, cv2.THRESH_BINARY)[1])
    return masks[0], masks[1]


@dataclass(frozen=True, slots=True)
class _Marks:
    """The connected marks of a mask: bounding boxes (px, right and bottom exclusive), the
    extent of their strokes' core (mm), their area and their strokes' pixels (px)."""

    left: npt.NDArray[np.int64]
    top: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    bottom: npt.NDArray[np.int64]
    extent: npt.NDArray[np.float64]
    area: npt.NDArray[np.int64]
    strong: npt.NDArray[np.int64]
    labels: MatLike    # the label image, and each mark's label in it
    ids: npt.NDArray[np.integer[Any]]


def _measure(faint: MatLike, strong: MatLike, mm: float) -> _Marks:
    """The marks of `faint`, with the pixels of `strong` in each. Labelled without OpenCV's
    statistics (which visit every pixel of the sheet): only the marks' pixels are looked at."""
    _, labels = cv2.connectedComponents(faint, connectivity=8)
    points = cv2.findNonZero(faint)
    if points is None:
        none = np.zeros(0, dtype=np.int64)
        return _Marks(none, none, none, none, none.astype(float), none, none, labels, none)
    points = points.reshape(-1, 2)
    label = labels[points[:, 1], points[:, 0]]
    order = np.argsort(label, kind="stable")
    xs, ys = points[order, 0].astype(np.int64), points[order, 1].astype(np.int64)
    label = label[order]
    starts = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
    left, right = np.minimum.reduceat(xs, starts), np.maximum.reduceat(xs, starts) + 1
    top, bottom = np.minimum.reduceat(ys, starts), np.maximum.reduceat(ys, starts) + 1
    area = np.diff(np.r_[starts, len(label)])
    # A mark's extent is its core's: a speck's soft halo does not make it a stroke.
    hot = strong[ys, xs] > 0
    far = np.iinfo(np.int64).max // 4
    hot_left = np.minimum.reduceat(np.where(hot, xs, far), starts)
    hot_right = np.maximum.reduceat(np.where(hot, xs, -far), starts)
    hot_top = np.minimum.reduceat(np.where(hot, ys, far), starts)
    hot_bottom = np.maximum.reduceat(np.where(hot, ys, -far), starts)
    extent = np.maximum(np.maximum(hot_right - hot_left, hot_bottom - hot_top) + 1, 0) / mm
    strong_px = np.add.reduceat(hot.astype(np.int64), starts)
    return _Marks(left, top, right, bottom, extent, area, strong_px, labels, label[starts])


def _remove_straight_lines(faint: MatLike, marks: _Marks, long: npt.NDArray[np.intp],
                           mm: float) -> tuple[MatLike, int]:
    """`faint` without the straight lines longer than `RULE_MM` found in the marks `long`,
    and how many lines that was (collinear pieces counted once)."""
    length = max(3, round(RULE_MM * mm))
    cleared = faint.copy()
    found: set[tuple[int, int]] = set()
    for i in long:
        left, top, right, bottom = (int(v) for v in (marks.left[i], marks.top[i], marks.right[i],
                                                     marks.bottom[i]))
        mark = np.where(marks.labels[top:bottom, left:right] == marks.ids[i], 255, 0).astype(np.uint8)
        segments = cv2.HoughLinesP(mark, 1, np.pi / 180, threshold=length // 2,
                                   minLineLength=length, maxLineGap=max(2, round(mm)))
        if segments is None:
            continue
        for x1, y1, x2, y2 in segments.reshape(-1, 4).astype(np.float64):
            # Wiped a little beyond its ends too: where two lines meet (a fold's corner).
            along = np.array([x2 - x1, y2 - y1]) / max(1.0, float(np.hypot(x2 - x1, y2 - y1)))
            reach = along * RULE_END_MM * mm
            start = np.round(np.array([left + x1, top + y1]) - reach).astype(int)
            end = np.round(np.array([left + x2, top + y2]) + reach).astype(int)
            cv2.line(cleared, tuple(start), tuple(end), 0,
                     thickness=max(3, round(RULE_WIDTH_MM * mm)))
            angle = np.arctan2(y2 - y1, x2 - x1) % np.pi
            offset = (left + x1) * np.sin(angle) - (top + y1) * np.cos(angle)
            found.add((round(angle / np.radians(3)), round(offset / (3 * mm))))
    return cleared, len(found)


def _lines(tops: npt.NDArray[np.int64], bottoms: npt.NDArray[np.int64]) -> int:
    """How many lines of writing strokes form: their middle halves, stacked, make bands."""
    if len(tops) == 0:
        return 0
    starts = tops + (bottoms - tops) / 4
    ends = tops + 3 * (bottoms - tops) / 4
    order = np.argsort(starts)
    lines, reach = 0, -1.0
    for start, end in zip(starts[order], ends[order]):
        if start > reach:
            lines += 1
        reach = max(reach, end)
    return lines


def _detail(strokes: int, lines: int, ink: float, set_aside: tuple[tuple[str, int], ...]) -> str:
    aside = [f"{n} {what if n != 1 else _ONE.get(what, what)}" for what, n in set_aside if n]
    listed = ", ".join(aside[:-1]) + f" and {aside[-1]}" if len(aside) > 1 else "".join(aside)
    measured = (f"{listed} set aside; " if aside else "") + f"ink {ink:.4%}"
    if strokes == 0:
        return f"no strokes or lines of writing found ({measured})"
    return (f"{strokes} stroke{'s' * (strokes != 1)} in {lines} line{'s' * (lines != 1)} "
            f"of writing ({measured})")
