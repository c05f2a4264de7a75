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
MIN_LIKENESS = 0.85       # median block correlation from which the page is its template (measured: right 0.94–0.99, another case's at most 0.78)

# The case-specific print of each document, mm from the page's top-left.
_BLOCKS = {
    PayloadKind.LETTER: (kits.LETTER_LAYOUT, Box(15.0, 27.0, 145.0, 30.0)),
    PayloadKind.PETITION: (kits.petition_layout(), Box(15.0, 19.0, 180.0, 51.0)),
}


@functools.lru_cache(maxsize=64)
def _template(campaign: Campaign, case_code: str, kind: PayloadKind) -> np.ndarray:
    case = campaign.case(case_code)
    assert case is not None
    pdf = (kits.render_letter_sheet(campaign, case) if kind is PayloadKind.LETTER
           else kits.render_petition(campaign, case))
    # Blurred once here: the scan is blurred alike, so both lose the same fine detail.
    return cv2.GaussianBlur(load_pages(pdf, pdf_dpi=round(PX_PER_MM * 25.4))[0].pixels, (0, 0), 1.0)


def _symbol_corners_mm(layout: kits.DocumentLayout, text: str) -> np.ndarray:
    box = layout.qr_box(text)
    q = render.QUIET_ZONE_MODULES * layout.qr_module_mm
    x0, y0, x1, y1 = box.x + q, box.y + q, box.right - q, box.bottom - q
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=np.float32)


def likeness(pixels: np.ndarray, code: Code, kind: PayloadKind, campaign: Campaign,
             case_code: str) -> float | None:
    """How much the page's case block looks like the template's (0..1); None: no template block."""
    if kind not in _BLOCKS:
        return None
    layout, block = _BLOCKS[kind]
    template = _template(campaign, case_code, kind)
    scale = template.shape[1] / layout.page_w  # template px per mm
    source = _symbol_corners_mm(layout, code.text) * scale
    target = np.array(code.position, dtype=np.float32)
    matrix, _ = cv2.estimateAffinePartial2D(source, target)
    if matrix is None:
        return None
    margin = SEARCH_MM * scale
    x0, y0 = int(block.x * scale - margin), int(block.y * scale - margin)
    w, h = int(block.w * scale + 2 * margin), int(block.h * scale + 2 * margin)
    shift = np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1]], dtype=np.float64)
    placed = matrix.astype(np.float64) @ shift
    seen = cv2.warpAffine(pixels, placed, (w, h), flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)
    seen = cv2.GaussianBlur(seen, (0, 0), 1.0)
    expected = template
    bw, bh = int(BLOCK_MM[0] * scale), int(BLOCK_MM[1] * scale)
    m = int(margin)
    scores = []
    for by in range(int(block.y * scale), int(block.bottom * scale) - bh + 1, bh):
        for bx in range(int(block.x * scale), int(block.right * scale) - bw + 1, bw):
            patch = expected[by:by + bh, bx:bx + bw]
            if float(patch.std()) < 8:  # nothing printed here: says nothing either way
                continue
            sx, sy = bx - x0 - m, by - y0 - m
            window = seen[max(0, sy):sy + bh + 2 * m, max(0, sx):sx + bw + 2 * m]
            if window.shape[0] < bh or window.shape[1] < bw:
                continue
            scores.append(float(cv2.matchTemplate(window, patch, cv2.TM_CCOEFF_NORMED).max()))
    if not scores:
        return None
    return float(np.median(scores))
