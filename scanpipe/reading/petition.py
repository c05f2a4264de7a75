"""Counting the signed rows of a scanned petition sheet.

The sheet's template is known to the millimetre (`kits.petition_layout`), so
the count is a matter of placing that template on the image and looking into
each row's signature box:

1. The case QR places the template roughly. Its corners come from the code
   reader; the finder patterns tell which corner is which, so corners from
   either reader, in any order, are put right (or refused when no QR is there).
2. The QR is small and far from the table: a fraction of a pixel of error at
   the QR is millimetres at the bottom row, and a photo's perspective adds
   more. So the table's outer border is found instead: the top and right
   borders (nearest the QR) first, followed to their ends; then all four, each
   fitted as a straight line through the outermost valleys of grey-level
   profiles sampled across it (the bottom one where it runs alone, clear of the
   signature boxes), handwriting set aside as outliers. The four crossings give
   a homography — exact for a flat sheet, whether scanned skewed or
   photographed at an angle. When a photo's perspective puts the QR's guess too
   far off for that, the sheet's four corners (`normalise.find_paper`) place the
   template instead, if they put the QR where it is.
3. The ruled row lines are then measured where the names are written, so a
   sheet that is not quite flat moves each row's box by its own amount; and
   every box's printed border must be found where its row puts it. If not,
   the sheet is not counted (None): the caller sends it to review rather than
   guess. Where no printed line is seen at all along a box's border, something
   lies on the sheet (the thumb that holds a photographed sheet): that part of
   the box is covered, not misplaced, and is neither checked nor read.
4. Inside each signature box, shrunk clear of its printed border, ink is what
   is darker than the local paper by more than the noise and a share of the
   QR's print contrast; straight remnants of printed rules along the edges,
   dots and specks are dropped, and a row is signed when enough stroke ink of
   enough extent remains.
5. The count says when it is unsure (`SignatureCount.doubts`), so a person checks
   it instead of trusting an over-count: ink close to the least a signature leaves,
   or faint marks in many rows (paper texture, noise: bad scans over-count there);
   a straight line (a fold) or a shadow's hard edge across a box counted signed;
   a box partly covered, counted unsigned, whose row has a name (or a covered
   one): its signature may be under the cover; row lines missing or off the
   table's placement (a sheet not flat).

All geometry is in template millimetres mapped to image pixels (pixel centres
at integer coordinates, as OpenCV samples).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from scanpipe.paper import kits
from scanpipe.paper.render import Box
from scanpipe.reading import ink, normalise, placement

# A line: a point on it and its unit direction, template mm.
_Line = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]

# Search and measurement constants, all in mm of the sheet unless noted.
_PAPER_AT_QR = 5.0        # the sheet's corners must put the QR this near where it is
_BORDER_WINDOW = 12.0     # how far the QR-based guess may miss the table's border
_BORDER_STATION_STEP = 8.0
_PASSES = 4               # placements of the table, each from the last one's lines
_BOX_GAP = 1.2            # the nearest line inside the table's border (a signature box's)
_SETTLED = 0.25           # a placement whose corners move less than this is final
_WALK_STEP = 1.0          # following a border to its end
_WALK_LENGTH = 260.0      # … at most this far (the guess's scale may be well off)
_WALK_GAP = 4.0           # … which is where it stays missing this long
_MIN_WALK = 0.6           # share of a border's length it must be followed for
_WALK_TOLERANCE = 0.8     # … or strays this far from straight (a sheet not quite flat)
_MAX_TILT = 0.1           # slope of a border in the guess's frame (perspective, QR error)
_TILT_STEP = 0.005        # … tried at this spacing: 0.5 mm over a 200 mm border
_COARSE_STEP = 0.2        # sampling across a border on the first, widest search
_MIN_LINE_SUPPORT = 0.5   # share of stations a printed line is found at
_ACROSS_STEP = 0.1        # sampling across a line; peaks are placed to a fraction of it
_ALONG_LEN = 4.0          # each station averages this length of the line: ink on a line is long
_ALONG_SAMPLES = 9
_FLANK = (0.45, 0.9)      # a ruled line is darker than both sides this far from its centre
_LINE_TOLERANCE = 0.3     # a found point within this of the fitted line is an inlier
_ROW_STATION_STEP = 8.0
_ROW_WINDOW = 2.5         # a row line may bend this far from the table's plane (not half a row)
_ROW_TILT = 0.02          # … and tilt this much across the name and contact columns
_MIN_ROW_LINES = 0.7      # share of the row lines that must be found
_CHECK_WINDOW = 0.6       # the boxes' borders must be found this close to where rows put them
_MIN_BOX_EDGES = 4        # … at this many of the six places each box is looked at
_COVER_STEP = 2.0         # the boxes' top and bottom borders are looked at this far apart
_BARE_WINDOW = 3.0        # no printed line at all this near where a border should be: covered
_BARE_STEP = 0.25         # … looked at this finely across
_BARE_FLAT = 2.5          # … and its grey changes less than this many times the line floor there
_MIN_COVER_RUN = 2        # stations: a cover hides at least this much of a border (a stroke, less)
_COVER_EDGE = 2           # … and its outline, soft and seen askew, this many stations either way
_MAX_COVERED = 0.5        # share of the boxes that may be covered for the placement to be proven
_CELL_RES = 6.0           # px per mm of the rectified signature boxes
_CELL_MARGIN = 0.65       # shrink of a signature box: clear of its 1.2 pt border and small errors
_RULE_THICKNESS = 1.5     # a rule's remnant along a cell's edge is no thicker than this (a tilt too),
_RULE_WIDTH = 0.7         # … and hold no more ink than a line this wide along their length,
_RULE_SPREAD = 0.25       # … straight within this (mm, one standard deviation) when that long
_MIN_INK_CONTRAST = 0.18  # ink is darker than the paper by this share of the QR's contrast
_MIN_INK = 2.5            # mm² of ink in strokes: the least a signature leaves
_MIN_SIGNATURE_EXTENT = 3.0   # mm: the strokes of a signature span at least this much
# What makes a count unsure (see `_doubts`).
_NEAR_INK = (0.4, 2.0)    # × _MIN_INK: stroke ink this close to a signature's least
_TEXTURE_ROWS = 3         # … in this many rows is the paper's texture or noise
_LIGHT_EDGE = 0.15        # a change of light this steep across a signed box: a shadow's edge
_MAX_LINES_MISSING = 2    # ruled row lines not found (a stain, a name across one)
_MAX_OFF_PLANE = 1.0      # mm: a row line this far from the table's placement
_MAX_EDGES_MISSING = 1    # places a box's border was not found
_LIGHT_KERNEL = 4.0       # mm: the light on a box, judged over more than any stroke's width
_LIGHT_STEP = 2.0         # … and how much it changes over this distance
_STRAIGHT_SPAN = 0.8      # a line across this share of a box, its ink within this (mm, one
_STRAIGHT_SPREAD = 0.3    # standard deviation) of a straight line: a fold or a ruler's line


@dataclass(frozen=True)
class SignatureCount:
    """The signed rows of one petition sheet."""

    count: int                      # rows whose signature box holds a signature
    signed: tuple[bool, ...]        # per row, in row order
    ink: tuple[float, ...]          # per row, mm² of stroke ink the decision was made on
    registered_by: str              # how the template was placed on the image, e.g. "qr+table"
    doubts: tuple[str, ...] = ()    # why the count may be wrong, in words; empty when sure


def count_signatures(pixels: npt.NDArray[np.uint8], qr_corners: Sequence[tuple[float, float]],
                     qr_text: str, rows: int = 15) -> SignatureCount | None:
    """Count the signed rows of a petition sheet, or None when it cannot be placed reliably.
    The count says why it may be wrong (`doubts`, empty when it is sure): then a person
    confirms it or types another.

    `pixels` is the page as given (2-D uint8, any quarter turn, skewed, any
    resolution); `qr_corners` the case QR symbol's four outer corners in image
    pixels (top-left, top-right, bottom-right, bottom-left in the code's own
    orientation, as zxing-cpp reports them; other orders are put right from the
    finder patterns); `qr_text` the QR's text, which fixes the symbol's size;
    `rows` the number of rows the sheet was printed with (1 to 30).
    """
    if pixels.ndim != 2 or pixels.dtype != np.uint8 or min(pixels.shape) < 32:
        return None
    layout = kits.petition_layout(rows)
    cells = kits.petition_rows(rows)
    qr = placement.by_qr(pixels, qr_corners, qr_text, layout)
    if qr is None:
        return None
    guess, contrast = qr
    placed, how = _place_table(pixels, guess, layout, cells, contrast), "qr+table"
    if placed is None:
        # A photo's perspective may put the QR's guess too far off at the table's far corner:
        # the sheet's own corners, when they are found, place the whole sheet at once.
        paper = placement.by_paper_near(normalise.find_paper(pixels), guess, layout, _PAPER_AT_QR)
        if paper is not None:
            placed, how = _place_table(pixels, paper, layout, cells, contrast), "qr+paper+table"
    if placed is None:
        return None
    h, found = placed
    seen = _measure_cells(pixels, h, [row.signature for row in cells], found.shifts, contrast,
                          found.covered, found.stations)
    signed = tuple(bool(amount >= _MIN_INK) for amount in seen.ink)
    hidden = _maybe_under_cover(pixels, h, cells, found.shifts, seen, signed, contrast)
    return SignatureCount(sum(signed), signed, tuple(round(float(amount), 2) for amount in seen.ink),
                          how, _doubts(found, seen, signed, hidden))


# ------------------------------------------------------------------ 2. the table's border

def _profiles(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64],
              centres: npt.NDArray[np.float64], along: npt.NDArray[np.float64],
              across: npt.NDArray[np.float64], window: float, step: float = _ACROSS_STEP,
              along_len: float = _ALONG_LEN,
              samples: int = _ALONG_SAMPLES) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float64]]:
    """Grey-level profiles across a line at each station (stations × samples), each averaged
    over `along_len` mm of the line, and the offsets (mm, `step` apart) they were sampled at."""
    offsets = np.arange(-window, window + step / 2, step)
    steps = np.linspace(-along_len / 2, along_len / 2, samples)
    at, step_along, step_across = placement.local_frames(h, centres, along, across)
    n = len(centres)
    base = (at[:, None, :] + steps[None, :, None] * step_along[:, None, :]).astype(np.float32)
    shift = (offsets[None, :, None] * step_across[:, None, :]).astype(np.float32)
    map_x = (base[:, :, None, 0] + shift[:, None, :, 0]).reshape(n * samples, -1)
    map_y = (base[:, :, None, 1] + shift[:, None, :, 1]).reshape(n * samples, -1)
    values = cv2.remap(pixels, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    profiles = values.reshape(n, samples, -1).mean(axis=1, dtype=np.float32)
    return profiles, offsets


def _valleys(profiles: npt.NDArray[np.float32], floor: float,
             step: float = _ACROSS_STEP) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """How much darker each sample is than both flanks of a thin line, and which samples are
    clear local maxima of that (≥ `floor` and ≥ a quarter of their profile's best)."""
    near, far = (round(f / step) for f in _FLANK)
    width = far - near
    padded = np.concatenate([np.repeat(profiles[:, :1], far, axis=1), profiles,
                             np.repeat(profiles[:, -1:], far, axis=1)], axis=1)  # edges repeated
    csum = np.concatenate([np.zeros((len(padded), 1)), np.cumsum(padded, axis=1)], axis=1)
    centre = np.arange(profiles.shape[1]) + far
    left = (csum[:, centre - near + 1] - csum[:, centre - far + 1]) / width
    right = (csum[:, centre + far] - csum[:, centre + near]) / width
    depth = np.minimum(left, right) - profiles
    best = depth.max(axis=1, keepdims=True)
    peak = np.zeros_like(depth, dtype=bool)
    peak[:, 1:-1] = (depth[:, 1:-1] >= depth[:, :-2]) & (depth[:, 1:-1] > depth[:, 2:])
    peak &= (depth >= floor) & (depth >= 0.25 * best)
    return depth, peak


def _refine(depth: npt.NDArray[np.float64], rows: npt.NDArray[np.intp],
            cols: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
    """Sub-sample position of peaks by a parabola through their neighbours."""
    c = np.clip(cols, 1, depth.shape[1] - 2)
    a, b, d = depth[rows, c - 1], depth[rows, c], depth[rows, c + 1]
    denom = a - 2 * b + d
    safe = np.where(np.abs(denom) > 1e-9, denom, -1.0)
    shift: npt.NDArray[np.float64] = np.clip(0.5 * (a - d) / safe, -0.5, 0.5)
    return c + shift


def _fit(s: npt.NDArray[np.float64], t: npt.NDArray[np.float64]) -> tuple[float, float]:
    """Least-squares t = a + b·s."""
    sm, tm = np.add.reduce(s) / len(s), np.add.reduce(t) / len(t)  # the means, as .mean() has them
    ds = s - sm
    var = float(np.add.reduce(ds ** 2))
    b = float(np.add.reduce(ds * (t - tm)) / var) if var > 1e-12 else 0.0
    return float(tm - b * sm), b


@functools.lru_cache(maxsize=8)
def _slopes(max_tilt: float) -> npt.NDArray[np.float64]:
    """The slopes a Hough vote tries, `_TILT_STEP` apart (read-only: shared between calls)."""
    slopes = np.linspace(-max_tilt, max_tilt, 2 * round(max_tilt / _TILT_STEP) + 1)
    slopes.flags.writeable = False
    return slopes


def _straight_runs(groups: Sequence[tuple[npt.NDArray[np.float64], npt.NDArray[np.intp],
                                          npt.NDArray[np.float64], int]],
                   max_tilt: float) -> list[list[tuple[float, float, int]]]:
    """Per group of valleys (s, station, t, stations) — a side of the border, a row line —
    the straight lines t = a + b·s met by valleys at most of its stations: a Hough vote over
    slope and offset (every group's in one go), then least squares on each winner's points.
    Each line is (a, b, stations met). Every group holds at least one valley, its stations in
    ascending order."""
    slopes = _slopes(max_tilt)
    sizes = [len(t) for _, _, t, _ in groups]
    first = np.cumsum([0, *sizes[:-1]])
    group = np.repeat(np.arange(len(groups)), sizes)
    s_all = np.concatenate([g[0] for g in groups])
    station_all = np.concatenate([g[1] for g in groups])
    t_all = np.concatenate([g[2] for g in groups])
    centres = np.array([0.5 * (s.min() + s.max()) for s, *_ in groups])
    bins = np.round((t_all[None, :] - slopes[:, None] * (s_all[None, :] - centres[group][None, :]))
                    / _LINE_TOLERANCE).astype(np.int64)
    low = np.minimum.reduceat(bins.min(axis=0), first) - 1
    span = np.maximum.reduceat(bins.max(axis=0), first) - low + 2
    votes = np.zeros((len(groups), len(slopes), int(span.max()), max(g[3] for g in groups)),
                     dtype=bool)
    votes[group[None, :], np.arange(len(slopes))[:, None], bins - low[group][None, :],
          station_all[None, :]] = True
    met = votes.sum(axis=3)
    met = met[:, :, :-2] + met[:, :, 1:-1] + met[:, :, 2:]  # a point near a bin's edge votes for both
    found = []
    for g, (s, station, t, stations) in enumerate(groups):
        votes_g = met[g, :, :int(span[g]) - 2]
        centre, offset_bins = centres[g], int(low[g]) + 1
        lines = []
        taken = np.zeros(len(t), dtype=bool)
        while True:
            k, j = np.unravel_index(int(np.argmax(votes_g)), votes_g.shape)
            if votes_g[k, j] < _MIN_LINE_SUPPORT * stations:
                break
            offset = (j + offset_bins) * _LINE_TOLERANCE
            near = np.abs(t - slopes[k] * (s - centre) - offset) < 1.5 * _LINE_TOLERANCE
            votes_g[:, max(0, j - 4):j + 5] = 0
            if (near & taken).any() or near.sum() < 2:
                continue
            taken |= near
            a, b = _fit(s[near], t[near])
            inliers = np.abs(a + b * s - t) < _LINE_TOLERANCE
            hit = station[inliers]  # in ascending order: count the distinct stations
            met_at = int(np.count_nonzero(np.diff(hit))) + 1 if len(hit) else 0
            if met_at >= _MIN_LINE_SUPPORT * stations:
                lines.append((*_fit(s[inliers], t[inliers]), met_at))
        found.append(lines)
    return found


def _border_sides(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64],
                  sides: Sequence[tuple[tuple[float, float], tuple[float, float],
                                        tuple[float, float]]],
                  floor: float, window: float, step: float,
                  max_tilt: float) -> list[_Line | None]:
    """Sides of the table's border, each (start, end, outward) in template mm, as lines in the
    template frame of `h` (None where not found), all sampled in one go. Of the straight lines
    found near a side, the outermost: inside the border run row lines and the signature boxes'
    borders, outside it is bare paper."""
    frames, centres, alongs, acrosses = [], [], [], []
    for start, end, outward in sides:
        p0, p1 = np.array(start), np.array(end)
        length = float(np.linalg.norm(p1 - p0))
        along = (p1 - p0) / length
        across = np.array(outward, dtype=np.float64)
        count = max(6, int(length // _BORDER_STATION_STEP))
        s = np.linspace(2.0, length - 2.0, count)
        frames.append((p0, length, along, across, s))
        centres.append(p0 + s[:, None] * along)
        alongs.append(np.tile(along, (count, 1)))
        acrosses.append(np.tile(across, (count, 1)))
    profiles, offsets = _profiles(pixels, h, np.concatenate(centres), np.concatenate(alongs),
                                  np.concatenate(acrosses), window, step)
    depth, peak = _valleys(profiles, floor, step)
    rows, column = np.nonzero(peak)
    t = offsets[0] + _refine(depth, rows, column) * step
    first = np.cumsum([0, *(len(frame[4]) for frame in frames)])
    bounds = np.searchsorted(rows, first)
    groups, searched = [], []
    for k, (_, _, _, _, s) in enumerate(frames):
        mine = slice(bounds[k], bounds[k + 1])
        if bounds[k + 1] - bounds[k] >= 2:
            station = rows[mine] - first[k]
            groups.append((s[station], station, t[mine], len(s)))
            searched.append(k)
    lines_of = dict(zip(searched, _straight_runs(groups, max_tilt) if groups else []))
    found: list[_Line | None] = []
    for k, (p0, length, along, across, _) in enumerate(frames):
        lines = lines_of.get(k)
        if not lines:
            found.append(None)
            continue
        a, b, _ = max(lines, key=lambda line: line[0] + line[1] * length / 2)
        point = p0 + a * across
        direction = along + b * across
        found.append((point, direction / np.linalg.norm(direction)))
    return found


def _cross(p: npt.NDArray[np.float64], d: npt.NDArray[np.float64], q: npt.NDArray[np.float64],
           e: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Where line (p, d) meets line (q, e)."""
    k = np.linalg.solve(np.array([d, -e]).T, q - p)
    crossing: npt.NDArray[np.float64] = p + k[0] * d
    return crossing


def _line_end(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64], start: npt.NDArray[np.float64],
              direction: npt.NDArray[np.float64], floor: float) -> float:
    """How far (mm) the printed line through `start` runs along `direction` before bare paper."""
    s = np.arange(_WALK_STEP, _WALK_LENGTH, _WALK_STEP)
    normal = np.array([-direction[1], direction[0]])
    profiles, offsets = _profiles(pixels, h, start + s[:, None] * direction,
                                  np.tile(direction, (len(s), 1)), np.tile(normal, (len(s), 1)),
                                  _FLANK[1] + _WALK_TOLERANCE, along_len=_WALK_STEP, samples=3)
    depth, _ = _valleys(profiles, floor)
    present = depth[:, np.abs(offsets) <= _WALK_TOLERANCE].max(axis=1) >= floor
    # The end: the first place from which the line is mostly missing for a few mm.
    run = max(2, round(_WALK_GAP / _WALK_STEP))
    share = np.convolve(present.astype(float), np.ones(run) / run, mode="valid")
    gone = np.flatnonzero(share < 0.3)
    return float(s[gone[0]] if len(gone) else s[-1])


def _walk_corners(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64], top: _Line, right: _Line,
                  table: Box, floor: float) -> tuple[npt.NDArray[np.float64], float] | None:
    """A new guess from the top and right borders alone (those nearest the QR, found even when
    the QR's guess is far off at the bottom-left): their crossing, and how far each runs. Also
    how far (mm) that moved the three corners it found."""
    try:
        corner = _cross(*top, *right)
    except np.linalg.LinAlgError:
        return None
    across_top = _line_end(pixels, h, corner, -top[1], floor)
    down_right = _line_end(pixels, h, corner, right[1], floor)
    if min(across_top / table.w, down_right / table.h) < _MIN_WALK:
        return h, 0.0  # lost the line early (a crease, a stain): keep the QR's guess
    top_left, bottom_right = corner - across_top * top[1], corner + down_right * right[1]
    found = np.array([top_left, corner, bottom_right, top_left + bottom_right - corner])
    expected = np.array(table.corners())
    moved = float(np.abs(found[:3] - expected[:3]).max())
    return placement.perspective(expected.astype(np.float32),
                                 placement.map_points(h, found, np.float32)), moved


def _fit_borders(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64], table: Box, floor: float,
                 window: float, alone: float) -> npt.NDArray[np.float64] | None:
    """Passes over the four borders from placement `h`, searching `window` mm at first: the
    outermost lines found make the next placement, until the corners stay put. The bottom
    border is looked at left of `alone` mm, where it runs alone: under the signature column
    the boxes' bottoms run 1.2 mm above it, and a photo shaken across the rows blurs the two
    into one band whose valley wanders between them."""
    left, top, right, bottom = table.x, table.y, table.right, table.bottom
    expected = np.array(table.corners())
    search = (floor, window, _COARSE_STEP if window > 4.0 else _ACROSS_STEP,
              float(np.clip(window / 50.0, 2 * _TILT_STEP, _MAX_TILT)))
    for _ in range(_PASSES):
        sides = _border_sides(pixels, h, (((left, top), (right, top), (0.0, -1.0)),
                                          ((right, top), (right, bottom), (1.0, 0.0)),
                                          ((left, bottom), (alone, bottom), (0.0, 1.0)),
                                          ((left, top), (left, bottom), (-1.0, 0.0))), *search)
        lines = [side for side in sides if side is not None]
        if len(lines) < len(sides):
            return None
        try:
            found = np.array([_cross(*lines[k], *lines[(k + 3) % 4]) for k in range(4)])
        except np.linalg.LinAlgError:
            return None
        h = placement.perspective(expected.astype(np.float32),
                                  placement.map_points(h, found, np.float32))
        shift = float(np.abs(found - expected).max())
        if shift < _SETTLED or (shift + _BOX_GAP < window and search[2] == _ACROSS_STEP):
            # Finely placed, and anything further out would have been in reach: the lines
            # found are the outermost; another pass would find them again.
            return h
        # The next pass need only look as far, and as tilted, as this one moved things.
        window = float(np.clip(2.0 * shift + 1.5, _FLANK[1] + 1.0, _BORDER_WINDOW))
        search = (floor, window, _ACROSS_STEP, float(np.clip(window / 50.0, 2 * _TILT_STEP,
                                                              _MAX_TILT)))
    return None


def _place_table(pixels: npt.NDArray[np.uint8], guess: npt.NDArray[np.float64], layout: kits.DocumentLayout,
                 cells: tuple[kits.PetitionRow, ...],
                 contrast: float) -> tuple[npt.NDArray[np.float64], _Rows] | None:
    """Template mm → image px from the table's four border lines, and each row's shift from
    it (None if the borders are not found, or the rows are not where they put them).

    A photo's perspective can put the QR's guess a row or more off at the bottom-left, where
    the outermost line in reach would then be a row line. So the top and right borders,
    nearest the QR, are found first and followed to their ends: three corners of the table,
    whatever the scale. A scan's fourth corner is then known too, and the borders are looked
    for close by; if that fails, or a photo's corners moved a lot, they are looked for
    farther off."""
    floor = 0.1 * contrast
    table = layout.table
    assert table is not None  # a petition sheet's layout has its table
    coarse = (floor, _BORDER_WINDOW, _COARSE_STEP, _MAX_TILT)
    left, top, right, bottom = table.x, table.y, table.right, table.bottom
    top_side, right_side = _border_sides(pixels, guess, (((left, top), (right, top), (0.0, -1.0)),
                                                         ((right, top), (right, bottom), (1.0, 0.0))),
                                         *coarse)
    if top_side is None or right_side is None:
        return None
    walked = _walk_corners(pixels, guess, top_side, right_side, table, floor)
    if walked is None:
        return None
    h, moved = walked
    near = float(np.clip(1.5 * moved + 2.0, _FLANK[1] + 1.0, _BORDER_WINDOW))
    for window in dict.fromkeys((near, _BORDER_WINDOW)):
        placed = _fit_borders(pixels, h, table, floor, window, cells[0].contact.right)
        if placed is None:
            continue
        rows = _row_shifts(pixels, placed, cells, contrast)
        if rows is not None:
            return placed, rows
    return None


# ------------------------------------------------------------------ 3. the rows

def _row_line_shifts(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64],
                     cells: tuple[kits.PetitionRow, ...], floor: float) -> npt.NDArray[np.float64]:
    """How far (mm, down) each ruled row line, the table's bottom included, lies from where
    `h` puts it, at the signature column; NaN where it was not found. Measured across the name
    and contact columns, where each line runs alone, and carried on straight to the right."""
    first = cells[0]
    xs = np.concatenate([np.arange(first.name.x + 3.0, first.name.right - 2.0, _ROW_STATION_STEP),
                         np.arange(first.contact.x + 3.0, first.contact.right - 2.0,
                                   _ROW_STATION_STEP)])
    ys = [row.name.y for row in cells] + [cells[-1].name.bottom]
    centres = np.array([(x, y) for y in ys for x in xs])
    count = len(centres)
    profiles, offsets = _profiles(pixels, h, centres, np.tile((1.0, 0.0), (count, 1)),
                                  np.tile((0.0, 1.0), (count, 1)), _ROW_WINDOW)
    depth, peak = _valleys(profiles, floor)
    rows, column = np.nonzero(peak)
    t = offsets[0] + _refine(depth, rows, column) * _ACROSS_STEP
    bounds = np.searchsorted(rows, np.arange(len(ys) + 1) * len(xs))
    groups, searched = [], []
    for j in range(len(ys)):
        mine = slice(bounds[j], bounds[j + 1])
        if bounds[j + 1] - bounds[j] >= 2:
            station = rows[mine] - j * len(xs)
            groups.append((xs[station], station, t[mine], len(xs)))
            searched.append(j)
    at = first.signature.x + first.signature.w / 2
    shifts = np.full(len(ys), np.nan)
    for j, lines in zip(searched, _straight_runs(groups, _ROW_TILT) if groups else []):
        if lines:
            # Handwriting crosses the line here and there; the line itself is met most often.
            a, b, _ = max(lines, key=lambda line: (line[2], -abs(line[0] + line[1] * at)))
            shifts[j] = a + b * at
    return shifts


@dataclass(frozen=True)
class _Rows:
    """Where the rows were found: each signature box's shift (mm, down) from the table's
    placement, how well the ruled lines and the boxes' borders bore it out, and what of each
    box something lying on the sheet hides (a thumb)."""

    shifts: npt.NDArray[np.float64]
    lines_missing: int          # ruled row lines (the table's bottom included) not found
    off_plane: float            # mm: the farthest a found row line lies from the table's plane
    edges_missing: tuple[int, ...]   # per row, the places its box's border was not found
    edge_places: int                 # … of this many looked at
    covered: npt.NDArray[np.bool_]    # rows × stations: the box is hidden there (see `_cover`)
    stations: npt.NDArray[np.float64]  # mm: where along the boxes (x) the stations lie


def _row_shifts(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64],
                cells: tuple[kits.PetitionRow, ...], contrast: float) -> _Rows | None:
    """Per row, how far (mm, down) its signature box lies from where `h` puts it — a sheet
    that is not quite flat bends the rows a little — or None when the ruled lines and the
    boxes' borders are not where they should be: then `h` is wrong, and nothing is counted.
    Where something lies on the sheet (a thumb holding a photographed sheet), the boxes'
    borders are not seen at all: that part is covered, not a misplacement."""
    floor = 0.1 * contrast
    lines = _row_line_shifts(pixels, h, cells, floor)
    found = np.isfinite(lines)
    if found.mean() < _MIN_ROW_LINES:
        return None
    known = np.flatnonzero(found)
    off_plane = float(np.abs(lines[known]).max())
    lines = np.interp(np.arange(len(lines)), known, lines[known])
    shifts = (lines[:-1] + lines[1:]) / 2
    # What of the boxes something lying on the sheet hides: no printed line at all there.
    first = cells[0].signature
    stations = np.arange(first.x + 2.0, first.right - 1.9, _COVER_STEP)
    along = np.array([(x, y + dy) for row, dy in zip(cells, shifts)
                      for y in (row.signature.y, row.signature.bottom) for x in stations])
    covered = _cover(_bare(pixels, h, along, floor).reshape(2 * len(cells), -1))
    covered = np.any(covered.reshape(len(cells), 2, -1), axis=1)
    if covered.mean() > _MAX_COVERED:
        return None  # too little of the boxes seen to prove the placement
    # The boxes' own borders must then be where the shifted rows put them, where uncovered.
    centres, alongs, acrosses, hidden = [], [], [], []
    for row, dy, cover in zip(cells, shifts, covered):
        box = row.signature
        for x in (box.x + 0.25 * box.w, box.x + 0.75 * box.w):
            for y in (box.y, box.bottom):
                centres.append((x, y + dy))
                alongs.append((1.0, 0.0))
                acrosses.append((0.0, 1.0))
                hidden.append(cover[np.argmin(np.abs(stations - x))])
        for x, end in ((box.x, cover[0]), (box.right, cover[-1])):
            centres.append((x, box.y + box.h / 2 + dy))
            alongs.append((0.0, 1.0))
            acrosses.append((1.0, 0.0))
            hidden.append(end)
    profiles, offsets = _profiles(pixels, h, np.array(centres), np.array(alongs),
                                  np.array(acrosses), _CHECK_WINDOW + _FLANK[1])
    _, peak = _valleys(profiles, floor)
    inner = np.abs(offsets) <= _CHECK_WINDOW
    places = len(centres) // len(cells)
    seen = (peak & inner[None, :]).any(axis=1).reshape(len(cells), places)
    looked = ~np.array(hidden).reshape(len(cells), places)
    found_edges = (seen & looked).sum(axis=1)
    if (found_edges * places < _MIN_BOX_EDGES * looked.sum(axis=1)).any():
        return None  # some box is not where its row puts it: its ink would be misread
    return _Rows(shifts, int((~found).sum()), off_plane,
                 tuple(int(n) for n in looked.sum(axis=1) - found_edges), places,
                 covered, stations)


def _bare(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64], points: npt.NDArray[np.float64],
          floor: float) -> npt.NDArray[np.bool_]:
    """At template points on horizontal printed lines (mm): whether nothing is seen within
    `_BARE_WINDOW` of them — no printed line (where a box's border runs, a row line and the
    next box's border run that near) and hardly a change of grey (lines blurred into one
    dark band are no line, but no bare paper either). Coarsely sampled: any line will do."""
    count = len(points)
    profiles, offsets = _profiles(pixels, h, points, np.tile((1.0, 0.0), (count, 1)),
                                  np.tile((0.0, 1.0), (count, 1)), _BARE_WINDOW + _FLANK[1],
                                  _BARE_STEP, _COVER_STEP, 3)
    _, peak = _valleys(profiles, floor, _BARE_STEP)
    within = np.abs(offsets) <= _BARE_WINDOW
    flat = np.ptp(profiles[:, within], axis=1) < _BARE_FLAT * floor
    bare: npt.NDArray[np.bool_] = flat & ~(peak & within[None, :]).any(axis=1)
    return bare


def _cover(bare: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Stations (lines × stations) where something hides the sheet: bare runs of at least
    `_MIN_COVER_RUN` stations (a pen's stroke across a border hides less), widened each way by
    `_COVER_EDGE` stations, where the cover's soft outline lies."""
    runs = cv2.morphologyEx(bare.astype(np.uint8), cv2.MORPH_OPEN,
                            np.ones((1, _MIN_COVER_RUN), np.uint8))
    return cv2.dilate(runs, np.ones((1, 2 * _COVER_EDGE + 1), np.uint8)).astype(bool)


# ------------------------------------------------------------------ 4. the ink

@dataclass(frozen=True)
class _Cells:
    """What is inside each box of a column of boxes (the signature boxes), per row."""

    ink: npt.NDArray[np.float64]         # mm² of stroke ink, the signature is judged on
    strokes: npt.NDArray[np.float64]     # … also where it spans too little for a signature
    straight: npt.NDArray[np.float64]    # mm² of it in straight lines across the box (a fold, a ruler)
    light_step: npt.NDArray[np.float64]  # the steepest change of light across the box (share of the paper)
    covered: npt.NDArray[np.float64]     # mm of the box's width hidden (its ink there is not looked at)


def _measure_cells(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64], cells: Sequence[Box],
                   shifts: npt.NDArray[np.float64], contrast: float,
                   hidden: npt.NDArray[np.bool_] | None = None,
                   stations: npt.NDArray[np.float64] | None = None) -> _Cells:
    """The ink inside each box of a column (`cells`, of one width, each moved down by its
    shift), where it is not `hidden` (boxes × `stations` along them, mm)."""
    boxes = [box.inset(_CELL_MARGIN) for box in cells]
    # The column, rectified at a fixed resolution so that every size is in mm.
    x0, y0 = boxes[0].x, boxes[0].y - _ROW_WINDOW
    column, _ = placement.rectify(pixels, h, Box(x0, y0, boxes[0].w,
                                                 boxes[-1].bottom + _ROW_WINDOW - y0), _CELL_RES)
    width = column.shape[1]
    darker = ink.darker_than_paper(column, 7, 9)
    height = round(boxes[0].h * _CELL_RES)
    tops = [round((box.y + dy - y0) * _CELL_RES) for box, dy in zip(boxes, shifts)]
    inside = np.stack([darker[top:top + height] for top in tops])
    # What a cover hides, per pixel column of each box: its nearest station's.
    open_ = np.ones((len(boxes), width), dtype=bool)
    if hidden is not None and stations is not None and hidden.any():
        x = x0 + (np.arange(width) + 0.5) / _CELL_RES
        nearest = np.clip(np.round((x - stations[0]) / _COVER_STEP).astype(int), 0,
                          len(stations) - 1)
        open_ = ~hidden[:, nearest]
    # The paper's noise, from what is seen of the cells.
    visible = np.broadcast_to(open_[:, None, :], inside.shape)
    sample = inside[:, ::2, ::2][visible[:, ::2, ::2]] if not open_.all() else inside[:, ::2, ::2]
    threshold = ink.threshold(sample, _MIN_INK_CONTRAST * contrast)
    # One image of all cells, a blank row under each so that nothing joins two of them.
    stacked = np.zeros((len(boxes), height + 1, width), dtype=np.uint8)
    stacked[:, :height] = inside > threshold
    if not open_.all():
        stacked[:, :height] &= visible
    inked = stacked.reshape(-1, width)
    ink.wipe_rule_remnants(inked, height, _CELL_RES)
    strokes, raw, straight = _stroke_ink(inked, height)
    area = _CELL_RES * _CELL_RES
    return _Cells(strokes / area, raw / area, straight / area,
                  _light_steps(column, tops, height, open_),
                  (~open_).sum(axis=1) / _CELL_RES)


def _light_steps(column: npt.NDArray[np.uint8], tops: list[int], height: int,
                 open_: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """Per box, the steepest change of the light falling on it (share of the paper's level
    over `_LIGHT_STEP` mm): a shadow's hard edge or a fold's shade across the box, where the
    paper's level is misjudged and its dark side taken for ink. Judged on the light under
    the ink (a dilation wider than any stroke), at a quarter of the column's resolution:
    light changes over millimetres. Not where a cover hides the box, nor as near it as the
    light is judged over: its outline is no shadow on the ink looked at."""
    small = cv2.resize(column, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    side = round(_LIGHT_KERNEL * _CELL_RES / 4) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    light = cv2.blur(cv2.dilate(small, kernel), (side, side))
    step = max(1, round(_LIGHT_STEP * _CELL_RES / 4))
    across = np.zeros(light.shape, np.uint8)
    across[:, :-step] = cv2.absdiff(light[:, step:], light[:, :-step])
    across[:-step] = np.maximum(across[:-step], cv2.absdiff(light[step:], light[:-step]))
    level = max(1.0, float(light.mean()))
    if open_.all():
        return np.array([across[top // 4:(top + height) // 4].max() for top in tops]) / level
    near = np.ones((1, 2 * (side + step) + 1), np.uint8)
    judged = cv2.erode(open_[:, ::4][:, :light.shape[1]].astype(np.uint8), near,
                       borderType=cv2.BORDER_REPLICATE).astype(bool)
    return np.array([across[top // 4:(top + height) // 4, judged[k]].max(initial=0)
                     for k, top in enumerate(tops)]) / level


def _stroke_ink(inked: npt.NDArray[np.uint8], height: int
                ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per cell (cells of `height` rows stacked, one blank row apart): the pixels of ink in
    components large enough to be pen strokes, when together they span a signature's extent
    (dots, specks and JPEG ringing do not count); the same whatever their span; and the
    pixels of the strokes that are straight lines across most of the cell."""
    width = inked.shape[1]
    found = ink.components(inked, height)
    x, y, w, h, area = found.x, found.y, found.w, found.h, found.area
    extent, thickness = found.extent, found.thickness
    # A thin straight piece along the cell's edge is a printed rule the placement let in
    # (a sheet that is not quite flat), not a pen's stroke: however tilted, its ink is one
    # line's width along its length, where a signature's loops hold several; and it is
    # straight, where a signature of one flat wavy stroke near the edge is not.
    band = 2 * ink.RULE_BAND * _CELL_RES  # what the straight runs left, a little further in
    at_edge = (x < band) | (y < band) | (x + w > width - band) | (y + h > height - band)
    thin = ((thickness <= _RULE_THICKNESS * _CELL_RES) & (extent >= 3 * thickness)
            & (area <= _RULE_WIDTH * _CELL_RES * extent))
    rule = at_edge & thin
    for i in np.flatnonzero(rule & (extent >= ink.RULE_RUN * _CELL_RES)):
        rule[i] = found.spread(int(i), ddof=1) <= _RULE_SPREAD * _CELL_RES
    stroke = found.stroke_sized(_CELL_RES) & ~rule
    # A straight line across most of the box, at any slant: a fold's crease or a ruler's
    # line, where a signature loops (its ink strays far from any one line).
    across = np.flatnonzero(stroke & (area <= _RULE_WIDTH * _CELL_RES * extent)
                            & ((w >= _STRAIGHT_SPAN * width) | (h >= _STRAIGHT_SPAN * height)))
    straight = np.zeros(found.boxes)
    for i in across:
        if found.spread(int(i), ddof=1) <= _STRAIGHT_SPREAD * _CELL_RES:
            straight[found.box[i]] += area[i]
    total, span, _ = found.measure(stroke)
    raw = total.copy()
    total[span < _MIN_SIGNATURE_EXTENT * _CELL_RES] = 0.0
    return total, raw, straight


def _maybe_under_cover(pixels: npt.NDArray[np.uint8], h: npt.NDArray[np.float64],
                       cells: tuple[kits.PetitionRow, ...], shifts: npt.NDArray[np.float64],
                       seen: _Cells, signed: tuple[bool, ...], contrast: float) -> list[int]:
    """Rows counted unsigned whose box is partly covered and where a signature may lie under
    the cover: their name or town is written, or covered too. A row whose name and town are
    both left empty was signed by nobody: the sheet asks everyone who signs for both."""
    rows = [k for k, yes in enumerate(signed) if not yes and seen.covered[k] > 0]
    if not rows:
        return []
    moved = shifts[rows]
    doubtful = np.zeros(len(rows), dtype=bool)
    for boxes in ([cells[k].name for k in rows], [cells[k].contact for k in rows]):
        stations = np.arange(boxes[0].x + 2.0, boxes[0].right - 1.9, _COVER_STEP)
        points = np.array([(x, y + dy) for box, dy in zip(boxes, moved)
                           for y in (box.y, box.bottom) for x in stations])
        bare = _bare(pixels, h, points, 0.1 * contrast)
        covered = _cover(bare.reshape(2 * len(rows), len(stations))).reshape(len(rows), -1)
        written = _measure_cells(pixels, h, boxes, moved, contrast).strokes
        doubtful |= covered.any(axis=1) | (written >= _NEAR_INK[0] * _MIN_INK)
    return [k for k, doubt in zip(rows, doubtful) if doubt]


def _doubts(found: _Rows, seen: _Cells, signed: tuple[bool, ...],
            hidden: Sequence[int] = ()) -> tuple[str, ...]:
    """Why the count may be wrong, in words (empty when it is sure): ink close to the least
    a signature leaves, or in many rows like paper texture or noise; a straight line or a
    shadow's edge across a box counted signed; a box partly covered where a signature may
    lie under the cover (`hidden`); rows not where the table's placement puts them (a sheet
    not flat, a placement that fits poorly)."""
    doubts = []
    low, high = (share * _MIN_INK for share in _NEAR_INK)
    near = [k for k, amount in enumerate(seen.strokes) if low <= amount < high]
    if len(near) >= _TEXTURE_ROWS:
        doubts.append(f"faint marks like paper texture or noise in {len(near)} rows "
                      f"({_rows(near)})")
    elif near:
        inks = ", ".join(f"{seen.strokes[k]:.1f}" for k in near)
        doubts.append(f"ink close to a signature's least ({_MIN_INK} mm²) in {_rows(near)}: "
                      f"{inks} mm²")
    straight = [k for k, yes in enumerate(signed) if yes and seen.straight[k] >= 0.5 * seen.ink[k]]
    if straight:
        doubts.append(f"a straight line across the box of {_rows(straight)} (a fold? a ruler?)")
    shadow = [k for k, yes in enumerate(signed) if yes and seen.light_step[k] >= _LIGHT_EDGE]
    if shadow:
        doubts.append(f"a shadow's edge across the box of {_rows(shadow)}")
    if hidden:
        widths = ", ".join(f"{seen.covered[k]:.0f}" for k in hidden)
        doubts.append(f"the box of {_rows(hidden)} partly covered ({widths} mm of its width; a "
                      f"thumb?), its name written or covered too: a signature may be under it")
    if found.lines_missing > _MAX_LINES_MISSING:
        doubts.append(f"{found.lines_missing} of the {len(signed) + 1} ruled row lines not found")
    if found.off_plane > _MAX_OFF_PLANE:
        doubts.append(f"row lines up to {found.off_plane:.1f} mm from where the table's placement "
                      f"puts them (a sheet not flat?)")
    worst = int(np.argmax(found.edges_missing))
    if found.edges_missing[worst] > _MAX_EDGES_MISSING:
        doubts.append(f"the box border of {_rows([worst])} not found at "
                      f"{found.edges_missing[worst]} of its {found.edge_places} places")
    return tuple(doubts)


def _rows(rows: Sequence[int]) -> str:
    """Rows by their printed numbers: "row 4", "rows 2, 7, 9"."""
    numbers = ", ".join(str(k + 1) for k in rows)
    return f"row{'s' * (len(rows) > 1)} {numbers}"
