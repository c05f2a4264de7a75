"""Which way up a page without a code is, and its printed text read that way.

Three witnesses: the page's geometry (the direction of its lines of writing, then which
way up they reach; see `normalise.upright_score`), the text read, and Tesseract's
orientation detection. Print read the right way up gives words Tesseract is mostly sure
of, lying across the image; read upside down it gives garbage it mostly doubts, and read a
quarter turn off it finds the lines running down the page (it reads those too) and gives
words taller than wide. So the page is read the way the geometry says, and a read that
reads well (or names a case, across the image) settles it. Otherwise Tesseract's detection
is asked (costing half a full read) and the page read again its way. When neither settles
it, the turns the geometry is unsure of are read (the other way up when its up-or-down vote
is weak, the other direction of lines when that vote is unclear), at most two more reads,
stopping at the first that reads well. Tesseract's detection is right on print but turns
handwriting upside down, even when it claims to be sure, and handwriting reads as garbage
every way: there a strong geometric vote is kept (measured on the recognition corpus: 23
of 200 handwritten pages flipped by Tesseract, none by a strong geometric vote). Without an
answer from Tesseract: the turn of a code on the page, then the geometry however weak.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from scanpipe.reading import normalise, ocr
from scanpipe.reading.pages import Pixels

STRONG_UPRIGHT = 0.2   # |upright_score| from which the geometry is trusted on handwriting
AXIS_CLEAR = 3.0       # line_axis_vote's clarity from which the lines' direction is trusted
                       # (measured on the unseen corpus: every wrong direction was under it)
SURE_WORD = 60.0       # Tesseract's confidence from which a word read is sure
READS_WELL = 12        # sure words of three letters or more: the page was read the right way up…
SURE_SHARE = 0.45      # … when they are this share of the words read
BETTER = 1.5           # a second read wins with this many times the first read's sure words

Read = Callable[[Pixels], ocr.OcrText]


def sure_words(text: ocr.OcrText) -> int:
    """Words of three letters or more that Tesseract is sure of."""
    return sum(1 for w in text.words
               if w.confidence >= SURE_WORD and sum(c.isalpha() for c in w.text) >= 3)


def reads_well(text: ocr.OcrText) -> bool:
    """Whether print was read the right way up: most of its words sure (measured on typed
    letters: 70-80 % read upright, 15-25 % upside down or sideways, where Tesseract still
    reads some garbage with confidence), enough of them, and lying across the image.
    Tesseract finds lines that run down a page and reads them too, so a page a quarter turn
    off can read well: its words' boxes are then taller than wide."""
    sure = sure_words(text)
    return sure >= READS_WELL and sure >= SURE_SHARE * len(text.words) and _across(text)


def _across(text: ocr.OcrText) -> bool:
    boxes = [w.box for w in text.words
             if w.confidence >= SURE_WORD and sum(c.isalpha() for c in w.text) >= 4]
    if not boxes:
        return False
    return float(np.median([width / max(1, height) for _, _, width, height in boxes])) > 1.0


def read_upright(sheet: Pixels, code_turns: Sequence[float], dpi: float | None,
                 read: Read, names_a_case: Callable[[ocr.OcrText], bool], *,
                 timeout: float) -> tuple[int | None, ocr.OcrText]:
    """The sheet's orientation (degrees its content is turned clockwise, or None when
    unknown) and its text, read upright and levelled by `read`.

    `code_turns` are the turns of codes found on the page (not ours: a last witness).
    """
    axis, clarity = normalise.line_axis_vote(sheet)
    level = normalise.quarter_turn(sheet, axis)
    levelled = normalise.rotate(level, normalise.text_skew(level))
    score = normalise.upright_score(levelled)
    geometric = (axis if score >= 0 else axis + 180) % 360
    reads: dict[int, ocr.OcrText] = {}

    def at(turn: int) -> ocr.OcrText:
        if turn % 180 == axis:  # half a turn keeps the skew: the levelled page serves
            image = levelled if turn == axis else normalise.quarter_turn(levelled, 180)
        else:
            upright = normalise.quarter_turn(sheet, turn)
            image = normalise.rotate(upright, normalise.text_skew(upright))
        reads[turn] = read(image)
        return reads[turn]

    def settles(text: ocr.OcrText) -> bool:
        return reads_well(text) or (names_a_case(text) and _across(text))

    def answer(turn: int | None, text: ocr.OcrText) -> tuple[int | None, ocr.OcrText]:
        return turn, replace(text, seconds=sum(t.seconds for t in reads.values()))

    first = at(geometric)
    if settles(first):
        return answer(geometric, first)
    found = ocr.detect_orientation(sheet, dpi=dpi, timeout=timeout)
    if found is not None and found.degrees != geometric:
        again = at(found.degrees)
        if settles(again) or sure_words(again) >= max(READS_WELL / 2, BETTER * sure_words(first)):
            return answer(found.degrees, again)
    for turn in _doubted(axis, clarity, geometric, score, sheet):
        if turn not in reads and settles(at(turn)):
            return answer(turn, reads[turn])
    if found is not None and found.degrees != geometric and abs(score) < STRONG_UPRIGHT:
        return answer(found.degrees, reads[found.degrees])
    if found is not None or abs(score) >= STRONG_UPRIGHT:
        return answer(geometric, first)
    degrees: int | None
    if code_turns:
        degrees = round(code_turns[0] / 90.0) % 4 * 90
    else:
        degrees = geometric if score != 0 else None
    if degrees is None or degrees in reads:
        return answer(degrees, reads.get(degrees if degrees is not None else geometric, first))
    return answer(degrees, at(degrees))


def _doubted(axis: int, clarity: float, geometric: int, score: float,
             sheet: Pixels) -> list[int]:
    """The turns worth a read when the first did not settle: the other way up when the
    up-or-down vote is weak, the other direction of lines (its likelier way up) when the
    lines' direction is unclear."""
    turns = []
    if abs(score) < STRONG_UPRIGHT:
        turns.append((geometric + 180) % 360)
    if clarity < AXIS_CLEAR:
        other = (axis + 90) % 360
        level = normalise.quarter_turn(sheet, other)
        up = normalise.upright_score(normalise.rotate(level, normalise.text_skew(level)))
        turns.append(other if up >= 0 else (other + 180) % 360)
    return turns
