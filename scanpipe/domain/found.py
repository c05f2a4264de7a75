"""What reading a page found, as values the routing decides on: barcodes (`Code`), the cases a
text may be about (`Candidate`, with the `TermHit`s that are its evidence) and how blank a sheet
is (`Blankness`). `scanpipe.reading` makes them; `scanpipe.domain.routing` and the ledger read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict

Point = tuple[int, int]
Corners = tuple[Point, Point, Point, Point]


class Reader(StrEnum):
    ZXING = "zxing-cpp"
    ZBAR = "zbar"


class Attempt(StrEnum):
    CORNERS = "corners"
    PAGE_QR = "page-qr"
    GLOBAL_THRESHOLD = "global-threshold"
    PAGE_ALL = "page-all"
    ZBAR = "zbar"
    UPSCALED = "upscaled"
    DOWNSCALED = "downscaled"
    EQUALISED = "equalised"


class CodeJson(TypedDict):
    """A `Code` as the command line writes it."""

    format: str
    text: str
    position: list[list[int]]
    reader: str
    attempt: str


@dataclass(frozen=True, slots=True)
class Code:
    """One barcode found on a page.

    `position` holds the four corners (top-left, top-right, bottom-right,
    bottom-left in the code's own orientation) in pixels of the page as given.
    `orientation` is how far the symbol is turned clockwise (degrees, zxing-cpp
    only); `attempt` names the try that found it.
    """

    format: str  # zxing-cpp's format names: "QRCode", "EAN13", "Code128", ...
    text: str
    position: Corners
    reader: Reader
    attempt: str = Attempt.PAGE_ALL.value
    orientation: float | None = None

    @property
    def center(self) -> tuple[float, float]:
        xs, ys = zip(*self.position)
        return sum(xs) / 4, sum(ys) / 4

    @property
    def side(self) -> float:
        """Mean length of the symbol's edges, in pixels."""
        import numpy as np  # here: the ledger's readers import this module, and need no numpy

        pts = np.array(self.position, dtype=np.float64)
        return float(np.mean(np.linalg.norm(pts - np.roll(pts, -1, axis=0), axis=1)))

    def to_json(self) -> CodeJson:
        return {"format": self.format, "text": self.text,
                "position": [list(p) for p in self.position],
                "reader": self.reader.value, "attempt": self.attempt}


@dataclass(frozen=True, slots=True)
class TermHit:
    """One term of a case found in the page: what was looked for, what was read, how alike."""

    term: str          # as written in the campaign file
    found: str         # the text of the page that matched it
    similarity: float  # 0..1; 1 is the same after folding
    weight: float      # evidence the term carries for this case; 0 when other cases share it
    evidence: str = ""            # an `Evidence` value: what kind of term it is on this page
    confidence: float | None = None  # Tesseract's least confidence over the words found


@dataclass(frozen=True, slots=True)
class Candidate:
    """A case the page may be about, its score (0..1), whether it is named, and the evidence."""

    case: str
    score: float
    hits: tuple[TermHit, ...]
    named: bool = False  # the page names the case's person (see the module's rules)


@dataclass(frozen=True, slots=True)
class Blankness:
    """What was found on a sheet, and whether it is blank."""

    blank: bool
    strokes: int          # marks of writing or print
    lines: int            # lines of writing they form
    ink: float            # share of the sheet the strokes cover
    set_aside: tuple[tuple[str, int], ...]   # marks not counted as writing, by why
    detail: str           # what was measured, in words, for the reason shown
