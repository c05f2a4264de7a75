"""Is a page blank? A duplex back or a stray sheet is dropped; anything written never is.

`is_blank` says whether a sheet (cut out of its scan) carries no writing at all.
"""

from __future__ import annotations

import cv2
import numpy as np

from scanpipe.normalise import INK_CONTRAST, ink_mask

BLANK_WORK_DPI = 75      # resolution at which blankness is judged
BLANK_MAX_INK = 0.0001   # of the sheet (a short word is about 0.0003): writing is never dropped as blank


def ink_fraction(sheet: np.ndarray, dpi: float | None) -> float:
    """Share of the sheet (margins excluded) covered by ink marks bigger than specks."""
    height, width = sheet.shape
    # Judge at about 75 dpi: specks and JPEG noise vanish, a pen stroke does not.
    source_dpi = dpi or max(height, width) / 11.7  # unknown: assume the sheet is about A4 long
    scale = min(1.0, BLANK_WORK_DPI / source_dpi)
    small = cv2.resize(sheet, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else sheet
    h, w = small.shape
    my, mx = int(h * 0.06), int(w * 0.06)  # edges carry shadows, scanner borders, punched holes
    inner = small[my:h - my, mx:w - mx]
    if inner.size == 0:
        return 0.0
    mask = ink_mask(inner, INK_CONTRAST)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA] if count > 1 else np.array([], dtype=np.int32)
    return float(areas[areas >= 3].sum()) / float(inner.size)


def is_blank(sheet: np.ndarray, dpi: float | None) -> tuple[bool, float]:
    """Whether the sheet carries no writing (a duplex back, a stray sheet), and its ink fraction."""
    ink = ink_fraction(sheet, dpi)
    return ink < BLANK_MAX_INK, ink
