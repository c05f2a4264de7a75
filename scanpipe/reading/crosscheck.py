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
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt

from scanpipe.domain.campaign import Campaign
from scanpipe.domain.found import Code
from scanpipe.domain.payload import PayloadKind
from scanpipe.paper import kits
from scanpipe.paper.render import Box
from scanpipe.reading import placement
from scanpipe.reading.normalise import Quad
from scanpipe.reading.pages import load_pages
from scanpipe.reading.placement import Placement

PX_PER_MM = 6.0           # resolution of the comparison (about 150 dpi)
SEARCH_MM = 2.5           # the placement from the code may be off by this much
MIN_LIKENESS = 0.85       # median block correlation from which the page is its template (measured on the
                          # recognition corpus's coded sheets: its own case's median 0.96, another
                          # case's at most 0.81)
OTHER_CASE_LEAD = 0.08    # where two cases' prints differ, the other must look this much more like the
                          # page (measured on simulated scans at 150-300 dpi: a kit's own print leads every
                          # other case by 0.09 or more there, a pasted code's case trails by 0.18 or more)
MIN_OTHER_LIKENESS = 0.75  # … and look like it at least this much
BLOCK_SURE = 0.9          # one block's likeness from which it surely shows that template's print
BLOCK_LEAD = 0.2          # … ahead of the other template by this much
_BLOCKS_DIFFER = 6.0      # mean grey-level difference from which two templates' blocks differ
_BLUR_RADIUS = 4          # px: how far the blur (sigma 1 px) reaches, a border for each window

_Patch = tuple[int, int, npt.NDArray[np.float32]]  # (x, y, grey levels) of a block, template px
_Window = tuple[int, int, int, int]                 # left, top, right, bottom, template px of a region
_Where = tuple[_Window, bytes]                      # a window and the placement's matrix, as bytes


class Sheet(StrEnum):
    """The kit documents whose print is compared with their template."""

    LETTER = "letter"
    PETITION = "petition"
    POSTCARD = "postcard"                  # the message side: "Message pour <person>"
    POSTCARD_PICTURE = "postcard_picture"  # the picture side: the emblem, around its web-address QR


@dataclass(frozen=True)
class _Region:
    """What is compared on a kit document: where, in blocks of what size, and whether its
    print differs with the kit's language (then every language's template is tried)."""

    layout: kits.DocumentLayout
    box: Box
    block_mm: tuple[float, float]
    by_language: bool
    px_per_mm: float = PX_PER_MM  # small print is compared finer
    specific_only: bool = False   # judge a page on the blocks that tell its case from most others


# The case-specific print of each document (the picture side: the emblem, the same for all
# cases), mm from the page's top-left.
_REGIONS = {
    Sheet.LETTER: _Region(kits.LETTER_LAYOUT, Box(15.0, 27.0, 145.0, 30.0), (48.0, 10.0), False),
    Sheet.PETITION: _Region(kits.petition_layout(), Box(15.0, 19.0, 180.0, 51.0), (48.0, 10.0),
                            False),
    Sheet.POSTCARD: _Region(kits.POSTCARD_MESSAGE_LAYOUT, Box(5.5, 4.5, 67.0, 5.5), (11.0, 5.5),
                            True, 12.0, True),
    Sheet.POSTCARD_PICTURE: _Region(kits.POSTCARD_PICTURE_LAYOUT, Box(6.0, 18.0, 56.0, 64.0),
                                    (14.0, 16.0), False),
}
_SHEETS = {PayloadKind.LETTER: Sheet.LETTER, PayloadKind.PETITION: Sheet.PETITION,
           PayloadKind.POSTCARD: Sheet.POSTCARD}


@dataclass(frozen=True, eq=False)
class _Template:
    """A kit template's case block, ready to compare: the blocks that hold print, and every
    block of the region (to find where two cases' prints differ)."""

    scale: float                  # template px per mm
    patches: tuple[_Patch, ...]   # the blocks that hold print
    grid: tuple[_Patch, ...]      # every block of the region, printed or not


def _render(campaign: Campaign, case_code: str, sheet: Sheet, lang: str | None) -> bytes:
    case = campaign.case(case_code)
    assert case is not None
    match sheet:
        case Sheet.LETTER:
            return kits.render_letter_sheet(campaign, case, lang)
        case Sheet.PETITION:
            return kits.render_petition(campaign, case, lang)
        case Sheet.POSTCARD | Sheet.POSTCARD_PICTURE:
            return kits.render_postcard(campaign, case, lang)


@functools.lru_cache(maxsize=1024)
def _template(campaign: Campaign, case_code: str, sheet: Sheet, lang: str | None = None) -> _Template:
    pdf = _render(campaign, case_code, sheet, lang)
    page = 1 if sheet is Sheet.POSTCARD else 0
    region = _REGIONS[sheet]
    # Blurred once here: the scan is blurred alike, so both lose the same fine detail.
    pixels = cv2.GaussianBlur(load_pages(pdf, pdf_dpi=round(region.px_per_mm * 25.4))[page].pixels,
                              (0, 0), 1.0)
    scale = pixels.shape[1] / region.layout.page_w
    bw, bh = int(region.block_mm[0] * scale), int(region.block_mm[1] * scale)
    block = region.box
    patches, grid = [], []
    for by in range(int(block.y * scale), int(block.bottom * scale) - bh + 1, bh):
        for bx in range(int(block.x * scale), int(block.right * scale) - bw + 1, bw):
            # As floats once here, which matchTemplate would otherwise convert each time.
            patch = pixels[by:by + bh, bx:bx + bw].astype(np.float32)
            patch.flags.writeable = False
            grid.append((bx, by, patch))
            if float(patch.std()) >= 8:  # nothing printed here says nothing either way
                patches.append((bx, by, patch))
    return _Template(scale, tuple(patches), tuple(grid))


def by_code(code: Code, kind: PayloadKind | Sheet) -> Placement | None:
    """The document placed by its code's corners (where the kit prints it): exact for the
    kit's own print, off for a code pasted over another's a little askew."""
    sheet = _sheet(kind)
    return None if sheet is None else placement.by_code(code.position, code.text,
                                                         _REGIONS[sheet].layout)


def by_paper(quad: Quad | None, image_shape: tuple[int, int], kind: PayloadKind | Sheet,
             turns: int) -> Placement | None:
    """The document placed by the sheet's four corners (see `placement.by_paper`); None when
    the sheet is not the document's shape."""
    sheet = _sheet(kind)
    return None if sheet is None else placement.by_paper(quad, image_shape,
                                                         _REGIONS[sheet].layout, turns)


class _Page:
    """A page placed for one sheet, sampled window by window as templates ask: each window
    warped and blurred once, each block scored once, however many templates share it (the
    code's case's blocks are compared with every other case's)."""

    def __init__(self, pixels: npt.NDArray[np.uint8], placed: Placement, sheet: Sheet):
        self.pixels, self.placement, self.sheet = pixels, placed, sheet
        self._seen: dict[_Where, npt.NDArray[np.float32]] = {}
        self._scores: dict[tuple[_Where, int], tuple[npt.NDArray[np.float32], float]] = {}

    def score(self, placed: npt.NDArray[np.float64], window: _Window,
              patch: npt.NDArray[np.float32]) -> float:
        """The best correlation of `patch` within `window` (template pixels of the region,
        `placed` on the page)."""
        where = (window, placed.tobytes())
        key = (where, id(patch))  # the patch is kept with its score: its id is not reused
        if key not in self._scores:
            score = cv2.matchTemplate(self._window(where, placed), patch, cv2.TM_CCOEFF_NORMED)
            self._scores[key] = (patch, float(score.max()))
        return self._scores[key][1]

    def _window(self, where: _Where, placed: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
        # With a border for the blur, so that the window is blurred as the whole region would be.
        if where not in self._seen:
            left, top, right, bottom = where[0]
            pad = _BLUR_RADIUS
            at = placed @ placement.grid(left - pad, top - pad, 1.0)
            size = (right - left + 2 * pad, bottom - top + 2 * pad)
            seen = placement.warp(self.pixels, at, size,
                                  affine=bool(np.allclose(placed[2], (0.0, 0.0, 1.0))))
            self._seen[where] = cv2.GaussianBlur(seen, (0, 0), 1.0)[pad:-pad, pad:-pad].astype(
                np.float32)
        return self._seen[where]


def _block_scores(page: _Page, template: _Template) -> tuple[int, Iterator[float]] | None:
    """How many blocks of the template's region can be compared on the page, and their
    scores one by one (the best correlation of each within its search window); None: no
    template block to compare."""
    region = _REGIONS[page.sheet]
    block = region.box
    scale = template.scale
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
            windows.append(((left, top, right, bottom), patch))
    if not windows:
        return None
    # Template pixels → mm → page pixels, from the region's corner.
    placed = page.placement.matrix.astype(np.float64) @ placement.grid(x0 / scale, y0 / scale, scale)
    # Scored as far as the caller reads.
    return len(windows), (page.score(placed, window, patch) for window, patch in windows)


def _where(where: Code | Placement, sheet: Sheet) -> Placement | None:
    return where if isinstance(where, Placement) else by_code(where, sheet)


def _templates(campaign: Campaign, case_code: str, sheet: Sheet) -> list[_Template]:
    """The case's templates of that sheet: one, or one per kit language (the campaign's first)."""
    if not _REGIONS[sheet].by_language:
        return [_template(campaign, case_code, sheet)]
    return [_template(campaign, case_code, sheet, lang) for lang in _languages(campaign)]


def _languages(campaign: Campaign) -> list[str]:
    return list(campaign.offered_languages)  # kits are printed in these only, its own first


@functools.lru_cache(maxsize=1024)
def _specific(campaign: Campaign, case_code: str, sheet: Sheet, lang: str | None) -> _Template:
    """The case's template cut to the blocks that differ from at least half the other cases'
    (a postcard's "Message pour" is the same on every card: only the name tells)."""
    own = _template(campaign, case_code, sheet, lang)
    others = [_template(campaign, c.code, sheet, lang) for c in campaign.cases if c.code != case_code]
    kept = []
    for index, (bx, by, patch) in enumerate(own.grid):
        if float(patch.std()) < 8:
            continue
        differing = sum(float(np.abs(patch - o.grid[index][2]).mean()) >= _BLOCKS_DIFFER
                        for o in others)
        if differing * 2 >= len(others):
            kept.append((bx, by, patch))
    return _Template(own.scale, tuple(kept), own.grid) if kept else own


def _judged(campaign: Campaign, case_code: str, sheet: Sheet) -> list[_Template]:
    """The templates a page coded for the case is judged against."""
    if not _REGIONS[sheet].specific_only:
        return _templates(campaign, case_code, sheet)
    languages = _languages(campaign) if _REGIONS[sheet].by_language else [None]
    return [_specific(campaign, case_code, sheet, lang) for lang in languages]


def _sheet(kind: PayloadKind | Sheet) -> Sheet | None:
    return kind if isinstance(kind, Sheet) else _SHEETS.get(kind)


def likeness(pixels: npt.NDArray[np.uint8], where: Code | Placement, kind: PayloadKind | Sheet,
             campaign: Campaign, case_code: str) -> float | None:
    """How much the page's case block, placed by a code or a `Placement`, looks like the
    case's template (0..1): the median of its blocks' correlations (the best over the kit's
    languages); None: no template block."""
    sheet = _sheet(kind)
    placed = None if sheet is None else _where(where, sheet)
    if sheet is None or placed is None:
        return None
    page = _Page(pixels, placed, sheet)
    found = [_block_scores(page, t) for t in _templates(campaign, case_code, sheet)]
    medians = [float(np.median(list(f[1]))) for f in found if f is not None]
    return max(medians) if medians else None


def _differs(found: tuple[int, Iterator[float]]) -> bool:
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


def differs_from_template(pixels: npt.NDArray[np.uint8], where: Code | Placement, kind: PayloadKind | Sheet,
                          campaign: Campaign, case_code: str) -> bool:
    """Whether the page's case block, placed by a code or a `Placement`, looks like none of
    the case's templates: `likeness` below `MIN_LIKENESS` (False when there is no template
    block to compare). Blocks are compared only until the median's side of `MIN_LIKENESS`
    is settled: about half of them."""
    sheet = _sheet(kind)
    placed = None if sheet is None else _where(where, sheet)
    if sheet is None or placed is None:
        return False
    compared = False
    page = _Page(pixels, placed, sheet)
    for template in _judged(campaign, case_code, sheet):
        found = _block_scores(page, template)
        if found is None:
            continue
        compared = True
        if not _differs(found):
            return False
    return compared


@dataclass(frozen=True, slots=True)
class OtherCase:
    """Another case's kit print found on a page coded for a case: a mix-up or a sticker."""

    case: str
    likeness: float       # of the other case's template, where the two templates differ
    own_likeness: float   # of the code's case's template, at the same places

    @property
    def detail(self) -> str:
        return (f"the print is case {self.case}'s kit, not the code's (likeness "
                f"{self.likeness:.2f} against {self.own_likeness:.2f}, where they differ)")


def _differing(a: _Template, b: _Template) -> tuple[_Template, _Template] | None:
    """The two templates cut to the blocks where their prints differ (the shared "Message
    pour", a common title, say nothing of which case it is)."""
    keep_a, keep_b = [], []
    for (ax, ay, pa), (_, _, pb) in zip(a.grid, b.grid):
        # Both printed: a blank block correlates with nothing (a blank page region with a
        # blank block would count as a perfect match of a shorter name's template).
        if float(np.abs(pa - pb).mean()) >= _BLOCKS_DIFFER and min(pa.std(), pb.std()) >= 8:
            keep_a.append((ax, ay, pa))
            keep_b.append((ax, ay, pb))
    if not keep_a:
        return None
    return _Template(a.scale, tuple(keep_a), a.grid), _Template(b.scale, tuple(keep_b), b.grid)


def _median(page: _Page, template: _Template) -> float | None:
    found = _block_scores(page, template)
    return None if found is None else float(np.median(list(found[1])))


def printed_for_other_case(pixels: npt.NDArray[np.uint8], where: Code | Placement, kind: PayloadKind,
                           campaign: Campaign, case_code: str) -> OtherCase | None:
    """The case whose kit print the page clearly carries, when it is not `case_code`'s.

    Each other case is compared with the code's case where their templates differ (call it
    once the code's own template differs: it costs a few comparisons a case); another case
    counts only when it looks like the page there, and clearly more than the code's case does.
    """
    sheet = _sheet(kind)
    placed = None if sheet is None else _where(where, sheet)
    if sheet is None or placed is None:
        return None
    found: OtherCase | None = None
    # The page is printed in one language: the one whose template of the code's case fits it
    # best (what all cases print alike, a heading, "Message pour", tells the language).
    page = _Page(pixels, placed, sheet)
    owns = _templates(campaign, case_code, sheet)
    fits = [_median(page, t) or 0.0 for t in owns] if len(owns) > 1 else [1.0]
    language = int(np.argmax(fits))
    own = owns[language]
    for case in campaign.cases:
        if case.code == case_code:
            continue
        other = _templates(campaign, case.code, sheet)[language]
        pair = _differing(other, own)
        if pair is None:
            continue
        theirs_found, ours_found = (_block_scores(page, t) for t in pair)
        if theirs_found is None or ours_found is None:
            continue
        theirs, ours = (np.array(list(found_[1])) for found_ in (theirs_found, ours_found))
        lead = float(np.median(theirs) - np.median(ours))
        if _prints_other(theirs, ours) and (found is None or
                                            lead > found.likeness - found.own_likeness):
            found = OtherCase(case.code, float(np.median(theirs)), float(np.median(ours)))
    return found


def _prints_other(theirs: npt.NDArray[np.float64], ours: npt.NDArray[np.float64]) -> bool:
    """Whether the page carries the other case's print rather than the code's case's, from
    their blocks' likeness where the two templates differ: clearly more like the other's
    over all of them, or — part of them hidden (a thumb over a photographed card, a stain)
    — clearly the other's in one block at least and the code's case's in none."""
    if np.median(theirs) >= MIN_OTHER_LIKENESS and np.median(theirs) - np.median(ours) >= OTHER_CASE_LEAD:
        return True
    other = (theirs >= BLOCK_SURE) & (theirs - ours >= BLOCK_LEAD)
    own = (ours >= BLOCK_SURE) & (ours - theirs >= BLOCK_LEAD)
    return bool(other.any()) and not own.any()


MIN_PICTURE_LIKENESS = 0.7  # the emblem is large and plain: a photo of it still correlates well


def is_postcard_picture_side(pixels: npt.NDArray[np.uint8], where: Code | Placement,
                             campaign: Campaign) -> bool:
    """Whether the page is the picture side of one of our kit postcards, placed by its
    web-address QR or by the card's edges (the emblem is the same for every case)."""
    like = likeness(pixels, where, Sheet.POSTCARD_PICTURE, campaign, campaign.cases[0].code)
    return like is not None and like >= MIN_PICTURE_LIKENESS
