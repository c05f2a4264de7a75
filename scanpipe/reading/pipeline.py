"""From the bytes of one scanned file to a decision per page.

Reads like a table of contents: load the pages; read their codes (cheap tries
first); a page with a valid code of ours is routed by it, its petition rows
counted and its printed text checked against it; a page without one is
measured (paper, blank, size), turned upright, read by OCR and matched to the
cases, and routed only on strong, unambiguous evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from scanpipe.domain.campaign import Campaign
from scanpipe.domain.found import Code
from scanpipe.domain.payload import Payload, PayloadKind, parse_payload
from scanpipe.domain.routing import (
    Decision,
    Finding,
    Kind,
    Reason,
    Status,
    anonymous_envelope,
    blank_page,
    picture_side,
    printed_for_other_case,
    route_page,
    text_contradicts,
    uncounted_petition,
    unreadable,
    unsigned_receipt,
    unsure_petition,
)
from scanpipe.paper import kits
from scanpipe.reading import blank, crosscheck, normalise, ocr, receipts, text_routing, upright
from scanpipe.reading.codes import scan_codes
from scanpipe.reading.matching import MatchSettings, rank_cases
from scanpipe.reading.pages import Page, Pixels, UnreadableFile, open_pages
from scanpipe.reading.petition import count_signatures

_QR_FORMATS = {"QRCode", "MicroQRCode"}


@dataclass(frozen=True, slots=True)
class RecognitionSettings:
    """How hard to try and how sure to be; built once from the station's settings."""

    ocr: bool = True                      # read printed text of pages without a valid code
    ocr_languages: str = "fra+nld+eng"
    ocr_timeout: float = 60.0             # seconds per Tesseract call
    cross_check: bool = True              # check a code's case against the printed text
    match: MatchSettings = field(default_factory=MatchSettings)


DEFAULT_SETTINGS = RecognitionSettings()


@dataclass(frozen=True, slots=True)
class PageResult:
    """One page of a file: its codes, what to do with it, and what was seen of it."""

    page: int
    codes: tuple[Code, ...]
    decision: Decision
    orientation: int | None = None   # degrees the content is turned clockwise in the file
    size: str = normalise.SizeClass.UNKNOWN.value
    attempts: tuple[str, ...] = ()   # the code-reading tries made, in order
    ocr_seconds: float = 0.0


def decode_file(data: bytes) -> list[tuple[int, list[Code]]]:
    """Every page's number with every code found on it; raises `UnreadableFile`.

    Pages are read one at a time (only the codes are kept), and a file that fails
    on a later page raises as a whole, like one that fails on its first.
    """
    found = []
    for page in open_pages(data):
        found.append((page.number, list(scan_codes(page.pixels, quick_first=False).codes)))
        del page  # before the next page is decoded: one page in memory at a time
    return found


def process_file(data: bytes, campaign: Campaign,
                 settings: RecognitionSettings = DEFAULT_SETTINGS) -> list[PageResult]:
    """Decide every page of a scanned file, one page at a time.

    An unreadable file is one rejected result, also when the fault shows only on a
    later page (a truncated last page, say): the results of the pages before it are
    dropped, so the file is recorded whole or quarantined whole, never in part.
    """
    results = []
    try:
        for page in open_pages(data):
            results.append(_safely(page, campaign, settings))
            del page  # before the next page is decoded: one page in memory at a time
    except UnreadableFile as exc:
        return [PageResult(1, (), unreadable(str(exc)))]
    return results


def _safely(page: Page, campaign: Campaign, settings: RecognitionSettings) -> PageResult:
    """`process_page`, but a fault in one recogniser sends the page to review instead of
    stopping the station: the piece is kept, with the fault as its reason."""
    try:
        return process_page(page, campaign, settings)
    except Exception as exc:  # the safety net of the whole pipeline
        finding = Finding(Reason.RECOGNITION_FAILED, f"{type(exc).__name__}: {exc}"[:500])
        return PageResult(page.number, (), Decision(Kind.UNKNOWN, Status.REVIEW, findings=(finding,)))


def process_page(page: Page, campaign: Campaign,
                 settings: RecognitionSettings = DEFAULT_SETTINGS) -> PageResult:
    """Decide one page."""
    key = campaign.check_key

    def ours(codes: Sequence[Code]) -> bool:
        return any(c.format in _QR_FORMATS and isinstance(parse_payload(c.text, campaign.id, key), Payload)
                   for c in codes)

    reading = scan_codes(page.pixels, ours, dpi=page.dpi, trusted=lambda code: ours((code,)))
    codes = list(reading.codes)
    decision = route_page(codes, campaign)
    if ours(codes):
        result = PageResult(page.number, reading.codes, decision, _code_orientation(codes, campaign),
                            attempts=reading.attempts)
        return _check_coded(page, result, campaign, settings)
    picture = _picture_side(page, codes, campaign)
    if picture is not None:
        return PageResult(page.number, reading.codes, picture_side(picture),
                          round((picture.orientation or 0) / 90.0) % 4 * 90,
                          attempts=reading.attempts)
    return _read_uncoded(page, reading.codes, reading.attempts, decision, campaign, settings)


def _picture_side(page: Page, codes: Sequence[Code], campaign: Campaign) -> Code | None:
    """The web-address code of our kit postcard's picture side, when the page is one (the
    back of a card, not a piece: the card is counted by its message side)."""
    if len(codes) != 1 or codes[0].text != kits.FOREIGN_URL or codes[0].format not in _QR_FORMATS:
        return None
    code = codes[0]
    if crosscheck.is_postcard_picture_side(page.pixels, code, campaign):
        return code
    turns = round((code.orientation or 0) / 90.0) % 4
    paper = crosscheck.by_paper(normalise.find_paper(page.pixels), page.pixels.shape,
                                crosscheck.Sheet.POSTCARD_PICTURE, turns)
    if paper is not None and crosscheck.is_postcard_picture_side(page.pixels, paper, campaign):
        return code
    return None


# ------------------------------------------------------------------ pages with our code

def _our_code(codes: Sequence[Code], campaign: Campaign) -> tuple[Code, Payload] | None:
    for code in codes:
        if code.format in _QR_FORMATS:
            parsed = parse_payload(code.text, campaign.id, campaign.check_key)
            if isinstance(parsed, Payload):
                return code, parsed
    return None


def _code_orientation(codes: Sequence[Code], campaign: Campaign) -> int | None:
    """Kit codes are printed upright, so the code's turn is the page's."""
    found = _our_code(codes, campaign)
    if found is None or found[0].orientation is None:
        return None
    return round(found[0].orientation / 90.0) % 4 * 90


def _check_coded(page: Page, result: PageResult, campaign: Campaign,
                 settings: RecognitionSettings) -> PageResult:
    decision = result.decision
    if decision.status is not Status.ROUTED:
        return result
    found = _our_code(result.codes, campaign)
    assert found is not None  # process_page checks only pages with our code
    code, payload = found
    if payload.kind is PayloadKind.BUNDLE:
        return replace(result, decision=_check_receipt(page, code, decision))
    decision, seconds = _cross_check(page, result, code, payload, campaign, settings)
    if decision.status is Status.ROUTED and decision.kind is Kind.PETITION:
        counted = count_signatures(page.pixels, code.position, code.text)
        if counted is None:
            decision = uncounted_petition(decision)
        elif counted.doubts:
            decision = unsure_petition(decision, counted.count, counted.doubts)
        else:
            decision = replace(decision, signatures=counted.count)
    return replace(result, decision=decision, ocr_seconds=seconds)


def _cross_check(page: Page, result: PageResult, code: Code, payload: Payload, campaign: Campaign,
                 settings: RecognitionSettings) -> tuple[Decision, float]:
    """Does the print of a coded page say the code's case? (decision, OCR seconds spent)

    The case-specific print (a letter sheet's authority and address, a petition's demand, a
    postcard's "Message pour <person>") is compared with the kit template of the code's case,
    placed by the code, then by the sheet's edges (a code pasted a little askew, a photo);
    a page that looks like neither is compared with every other case's template, and read
    by OCR if none is clearly its own: a page whose print names another case goes to review
    with both (a kit mix-up, a sticker, a photocopy).
    """
    decision = result.decision
    if not settings.cross_check:
        return decision, 0.0
    pixels, kind, case = page.pixels, payload.kind, payload.subject
    if not crosscheck.differs_from_template(pixels, code, kind, campaign, case):
        return decision, 0.0
    paper = crosscheck.by_paper(normalise.find_paper(pixels), pixels.shape, kind,
                                (result.orientation or 0) // 90)
    if paper is not None and not crosscheck.differs_from_template(pixels, paper, kind, campaign, case):
        return decision, 0.0
    for where in (code, paper):
        other = None if where is None else crosscheck.printed_for_other_case(
            pixels, where, kind, campaign, case)
        if other is not None:
            return printed_for_other_case(decision, other.case, other.detail, other.likeness), 0.0
    if not settings.ocr:
        return decision, 0.0
    # Not the kit sheet of its case as printed, nor clearly another's: read what is printed.
    turned = normalise.quarter_turn(normalise.flatten_light(pixels), result.orientation or 0)
    turned = normalise.rotate(turned, (code.orientation or 0.0) - (result.orientation or 0))
    try:
        text = _read(turned, page.dpi, settings)
    except ocr.OcrError as exc:
        failed = Finding(Reason.OCR_FAILED, f"cross-check: {exc}")
        return replace(decision, status=Status.REVIEW, findings=(failed, *decision.findings)), 0.0
    return text_contradicts(decision, rank_cases(text, campaign)), text.seconds


def _check_receipt(page: Page, code: Code, decision: Decision) -> Decision:
    """A delivery sheet's first page marks its bundle delivered only when it is signed or
    stamped; a bundle label, or a sheet scanned before signing, goes to review."""
    check = receipts.check_receipt(page.pixels, code)
    if check is None:
        return unsigned_receipt(decision, "a bundle's code, but not on a delivery sheet's first "
                                          "page (a bundle label?)")
    if not check.signed:
        return unsigned_receipt(decision, f"the signature and stamp boxes are empty (ink "
                                          f"{check.signature_ink:.1f} and {check.stamp_ink:.1f} mm²)")
    return decision


# ------------------------------------------------------------------ pages without

def _read_uncoded(page: Page, codes: tuple[Code, ...], attempts: tuple[str, ...], coded: Decision,
                  campaign: Campaign, settings: RecognitionSettings) -> PageResult:
    paper = normalise.measure_paper(page.pixels, page.dpi)
    sheet = normalise.rectify(page.pixels, paper.corners) if paper.corners else page.pixels
    result = PageResult(page.number, codes, coded, size=paper.size.value, attempts=attempts)
    if not codes:
        found = blank.blankness(sheet, page.dpi, page.pixels)
        if found.blank:
            return replace(result, decision=blank_page(found))
        if paper.size is normalise.SizeClass.ENVELOPE:
            return replace(result, decision=anonymous_envelope(paper.size.value))
    if not settings.ocr:
        return result

    try:
        orientation, text = upright.read_upright(
            normalise.flatten_light(sheet),
            [c.orientation for c in codes if c.orientation is not None], page.dpi,
            lambda pixels: _read(pixels, page.dpi, settings),
            lambda text: text_routing.names_a_case(text, campaign, settings.match),
            timeout=settings.ocr_timeout)
    except ocr.OcrError as exc:
        failed = Finding(Reason.OCR_FAILED, str(exc))
        return replace(result, decision=replace(coded, findings=(*coded.findings, failed)))
    decision = text_routing.decide_by_text(text, paper.size, coded, campaign, settings.match)
    return replace(result, decision=decision, orientation=orientation, ocr_seconds=text.seconds)


def _read(upright: Pixels, dpi: float | None, settings: RecognitionSettings) -> ocr.OcrText:
    return ocr.read_text(upright, dpi=dpi, languages=settings.ocr_languages,
                         timeout=settings.ocr_timeout)
