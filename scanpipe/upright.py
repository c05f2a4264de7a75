"""Which way up a page without a code is, and its printed text read that way.

Three witnesses: the page's geometry (the direction of its lines of writing, then which
way up they reach; see `normalise.upright_score`), the text read, and Tesseract's
orientation detection. Print read the right way up gives words Tesseract is mostly sure
of; read upside down or sideways it gives garbage it mostly doubts. So the page is read the way
the geometry says, and a read that gives enough sure words (or names a case) settles it.
Otherwise Tesseract's detection is asked (costing half a full read) and the page read
again its way; the read with more sure words wins. Tesseract's detection is right on print
but turns handwriting upside down, even when it claims to be sure, and handwriting reads
as garbage both ways: there a strong geometric vote is kept (measured on the recognition
corpus: 23 of 200 handwritten pages flipped by Tesseract, none by a strong geometric
vote). Without an answer from Tesseract: the turn of a code on the page, then the geometry
however weak.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from scanpipe import normalise, ocr

STRONG_UPRIGHT = 0.2   # |upright_score| from which the geometry is trusted on handwriting
SURE_WORD = 60.0       # Tesseract's confidence from which a word read is sure
READS_WELL = 12        # sure words of three letters or more: the page was read the right way up…
SURE_SHARE = 0.45      # … when they are this share of the words read
BETTER = 1.5           # a second read wins with this many times the first read's sure words

Read = Callable[[np.ndarray], ocr.OcrText]


def sure_words(text: ocr.OcrText) -> int:
    """Words of three letters or more that Tesseract is sure of."""
    return sum(1 for w in text.words
               if w.confidence >= SURE_WORD and sum(c.isalpha() for c in w.text) >= 3)


def reads_well(text: ocr.OcrText) -> bool:
    """Whether print was read the right way up: most of its words sure (measured on typed
    letters: 70-80 % read upright, 15-25 % upside down or sideways, where Tesseract still
    reads some garbage with confidence), and enough of them."""
    sure = sure_words(text)
    return sure >= READS_WELL and sure >= SURE_SHARE * len(text.words)


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
    if reads_well(text) or names_a_case(text):
        return geometric, text
    found = ocr.detect_orientation(sheet, dpi=dpi, timeout=timeout)
    if found is not None and found.degrees != geometric:
        upright = normalise.quarter_turn(sheet, found.degrees)
        again = read(normalise.rotate(upright, normalise.text_skew(upright)))
        spent = text.seconds + again.seconds
        if reads_well(again) or names_a_case(again) or (
                sure_words(again) >= max(READS_WELL / 2, BETTER * sure_words(text))):
            return found.degrees, replace(again, seconds=spent)
        if abs(score) >= STRONG_UPRIGHT:
            return geometric, replace(text, seconds=spent)
        return found.degrees, replace(again, seconds=spent)
    if found is not None or abs(score) >= STRONG_UPRIGHT:
        return geometric, text
    degrees: int | None
    if code_turns:
        degrees = int(round(code_turns[0] / 90.0)) % 4 * 90
    else:
        degrees = geometric if score != 0 else None
    if (degrees or 0) == geometric:
        return degrees, text
    upright = normalise.quarter_turn(sheet, degrees or 0)
    again = read(normalise.rotate(upright, normalise.text_skew(upright)))
    return degrees, replace(again, seconds=text.seconds + again.seconds)
