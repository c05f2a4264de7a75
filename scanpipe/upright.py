"""Which way up a page without a code is, and its printed text read that way.

Three witnesses: the page's geometry (the direction of its lines of writing,
then which way up they reach; see `normalise.upright_score`), the text read,
and Tesseract's orientation detection. Tesseract's detection is right on
print but turns handwriting upside down, even when it claims to be sure; the
geometry, when its vote is strong, is not (measured on the recognition
corpus: 23 of 200 handwritten pages flipped by Tesseract, none by a strong
geometric vote); text read the wrong way round names no case. So the page
is read the way the geometry says, and a strong geometric vote or text that
names a case settles it. Otherwise Tesseract's detection is asked (a second
run, costing half a full read), then the turn of a code on the page, then
the geometry however weak; and the page is read again if that answer differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from scanpipe import normalise, ocr

STRONG_UPRIGHT = 0.2  # |upright_score| from which the geometry overrules Tesseract on up or down

Read = Callable[[np.ndarray], ocr.OcrText]


def read_upright(sheet: np.ndarray, code_turns: Sequence[float], dpi: float | None,
                 read: Read, names_a_case: Callable[[ocr.OcrText], bool], *,
                 timeout: float) -> tuple[int | None, ocr.OcrText]:
    """The sheet's orientation (degrees its content is turned clockwise, or None when
    unknown) and its text, read upright and levelled by `read`.

    `code_turns` are the turns of codes found on the page (not ours: a last witness).
    """
    axis = normalise.line_axis(sheet)
    level = normalise.quarter_turn(sheet, axis)
    levelled = normalise.rotate(level, normalise.text_skew(level))
    score = normalise.upright_score(levelled)
    geometric = (axis if score >= 0 else axis + 180) % 360
    # Half a turn keeps the skew: the page levelled for the vote serves, turned over.
    text = read(levelled if geometric == axis else normalise.quarter_turn(levelled, 180))
    if abs(score) >= STRONG_UPRIGHT or names_a_case(text):
        return geometric, text
    degrees: int | None
    if (found := ocr.detect_orientation(sheet, dpi=dpi, timeout=timeout)) is not None:
        degrees = found.degrees
    elif code_turns:
        degrees = int(round(code_turns[0] / 90.0)) % 4 * 90
    else:
        degrees = geometric if score != 0 else None
    if (degrees or 0) == geometric:
        return degrees, text
    upright = normalise.quarter_turn(sheet, degrees or 0)
    again = read(normalise.rotate(upright, normalise.text_skew(upright)))
    return degrees, replace(again, seconds=text.seconds + again.seconds)
