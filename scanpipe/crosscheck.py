"""Is this page the kit document its code says it is? The cheap half of the cross-check.

A kit mix-up — case A's code on a sheet printed for case B — must not route.
Reading every coded page by OCR would cost a second a page, so first the
case-specific print of the page (the authority and its address on a letter
sheet, the demand on a petition sheet) is compared with the same block of the
kit template of the code's case, placed by the code's corners. Only a page that
does not look like its template is read by OCR (the caller's second half).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from scanpipe import kits, render
from scanpipe.campaign import Campaign
from scanpipe.codes import Code
from scanpipe.pages import load_pages
from scanpipe.payload import PayloadKind
from scanpipe.render import Box

PX_PER_MM = 6.0           # resolution of the comparison (about 150 dpi)
SEARCH_MM = 2.5           # the placement from the code may be off by this much
BLOCK_MM = (48.0, 10.0)   # blocks compared one by one, each free to shift a little
MIN_LIKENESS = 0.85       # median block correlation from which the page is its template (measured on the
                          # recognition corpus's coded sheets: its own case's median 0.96, another case's at most 0.81)
_BLUR_RADIUS = 4          # px: how far the blur (sigma 1 px) reaches, a border for each window

# The case-specific print of each document, mm from the page's top-left.
_BLOCKS = {
    PayloadKind.LETTER: (kits.LETTER_LAYOUT, Box(15.0, 27.0, 145.0, 30.0)),
    PayloadKind.PETITION: (kits.petition_layout(), Box(15.0, 19.0, 180.0, 51.0)),
}


@dataclass(frozen=True, eq=False)
class _Template:
    """A kit template's case block, ready to compare: the blocks that hold print."""

    scale: float                                      # template px per mm
    patches: tuple[tuple[int, int, np.ndarray], ...]  # (x, y, grey levels) of each block, template px


@functools.lru_cache(maxsize=64)
def _template(campaign: Campaign, case_code: str, kind: PayloadKind) -> _Template:
    case = campaign.case(case_code)
    assert case is not None
    pdf = (kits.render_letter_sheet(campaign, case) if kind is PayloadKind.LETTER
           else kits.render_petition(campaign, case))
    # Blurred once here: the scan is blurred alike, so both lose the same fine detail.
    pixels = cv2.GaussianBlur(load_pages(pdf, pdf_dpi=round(PX_PER_MM * 25.4))[0].pixels,
                              (0, 0), 1.0)
    layout, block = _BLOCKS[kind]
    scale = pixels.shape[1] / layout.page_w
    bw, bh = int(BLOCK_MM[0] * scale), int(BLOCK_MM[1] * scale)
    patches = []
    for by in range(int(block.y * scale), int(block.bottom * scale) - bh + 1, bh):
        for bx in range(int(block.x * scale), int(block.right * scale) - bw + 1, bw):
            patch = pixels[by:by + bh, bx:bx + bw]
            if float(patch.std()) >= 8:  # nothing printed here says nothing either way
                # As floats once here, which matchTemplate would otherwise convert each time.
                patch = patch.astype(np.float32)
                patch.flags.writeable = False
                patches.append((bx, by, patch))
    return _Template(scale, tuple(patches))


def _symbol_corners_mm(layout: kits.DocumentLayout, text: str) -> np.ndarray:
    box = layout.qr_box(text)
    q = render.QUIET_ZONE_MODULES * layout.qr_module_mm
    x0, y0, x1, y1 = box.x + q, box.y + q, box.right - q, box.bottom - q
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=np.float32)


def _block_scores(pixels: np.ndarray, code: Code, kind: PayloadKind, campaign: Campaign,
                  case_code: str) -> tuple[int, Iterator[float]] | None:
    """How many blocks of the template's case block can be compared on the page, and their
    scores one by one (the best correlation of each within its search window); None: no
    template block, or the code does not place one."""
    if kind not in _BLOCKS:
        return None
    layout, block = _BLOCKS[kind]
    template = _template(campaign, case_code, kind)
    scale = template.scale
    source = _symbol_corners_mm(layout, code.text) * scale
    target = np.array(code.position, dtype=np.float32)
    matrix, _ = cv2.estimateAffinePartial2D(source, target)
    if matrix is None:
        return None
    margin = SEARCH_MM * scale
    x0, y0 = int(block.x * scale - margin), int(block.y * scale - margin)
    w, h = int(block.w * scale + 2 * margin), int(block.h * scale + 2 * margin)
    m = int(margin)
    windows = []
    for bx, by, patch in template.patches:
        bh, bw = patch.shape
        sx, sy = bx - x0 - m, by - y0 - m
        # The window the block may shift in, cut to the compared region (as a slice would).
        left, top = max(0, sx), max(0, sy)
        right, bottom = min(w, sx + bw + 2 * m), min(h, sy + bh + 2 * m)
        if bottom - top >= bh and right - left >= bw:
            windows.append((left, top, right, bottom, patch))
    if not windows:
        return None
    placed = matrix.astype(np.float64) @ np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1]],
                                                  dtype=np.float64)

    def scores() -> Iterator[float]:
        # The page is sampled block by block, as far as the caller reads: each window with
        # a border for the blur, so that it is blurred as the whole region would be.
        pad = _BLUR_RADIUS
        for left, top, right, bottom, patch in windows:
            at = placed @ np.array([[1, 0, left - pad], [0, 1, top - pad], [0, 0, 1]],
                                   dtype=np.float64)
            seen = cv2.warpAffine(pixels, at[:2], (right - left + 2 * pad, bottom - top + 2 * pad),
                                  flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                  borderMode=cv2.BORDER_REPLICATE)
            seen = cv2.GaussianBlur(seen, (0, 0), 1.0)[pad:-pad, pad:-pad].astype(np.float32)
            yield float(cv2.matchTemplate(seen, patch, cv2.TM_CCOEFF_NORMED).max())

    return len(windows), scores()


def likeness(pixels: np.ndarray, code: Code, kind: PayloadKind, campaign: Campaign,
             case_code: str) -> float | None:
    """How much the page's case block looks like the template's (0..1): the median of its
    blocks' correlations; None: no template block."""
    found = _block_scores(pixels, code, kind, campaign, case_code)
    return None if found is None else float(np.median(list(found[1])))


def differs_from_template(pixels: np.ndarray, code: Code, kind: PayloadKind,
                          campaign: Campaign, case_code: str) -> bool:
    """Whether the page's case block does not look like the template's: `likeness` below
    `MIN_LIKENESS` (False when there is no template block to compare). Blocks are compared
    only until the median's side of `MIN_LIKENESS` is settled: about half of them."""
    found = _block_scores(pixels, code, kind, campaign, case_code)
    if found is None:
        return False
    count, scores = found
    settled = count // 2 + 1  # this many on one side hold both middle values there
    seen: list[float] = []
    for score in scores:
        seen.append(score)
        above = sum(s >= MIN_LIKENESS for s in seen)
        if above >= settled:
            return False
        if len(seen) - above >= settled:
            return True
    return float(np.median(seen)) < MIN_LIKENESS  # an even count split evenly: the middle two
