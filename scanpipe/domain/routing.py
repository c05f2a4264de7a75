"""The routing decision for one page: which case, which destination, and why.

A misrouted letter (handed to the wrong embassy) is the worst outcome and
review is cheap, so a page is routed only on unambiguous evidence: exactly one
valid case code of this campaign and nothing on the page that contradicts it,
or — for a page without a code — printed text that names one case strongly and
clearly ahead of every other. Everything else goes to review with its reasons
and the ranked candidate cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypedDict

from scanpipe.domain.campaign import Campaign, Case, letter_destination, postcard_destination
from scanpipe.domain.found import Blankness, Candidate, Code, TermHit
from scanpipe.domain.payload import Fault, Payload, PayloadKind, Rejected, parse_payload


class Kind(StrEnum):
    LETTER = "letter"                        # to the authority: it goes to the embassy
    SOLIDARITY_LETTER = "solidarity_letter"  # to the person: it goes where the postcards go
    POSTCARD = "postcard"
    PETITION = "petition"
    KIT_ENVELOPE = "kit_envelope"
    DELIVERY_RECEIPT = "delivery_receipt"
    UNKNOWN = "unknown"


class Status(StrEnum):
    ROUTED = "routed"
    REVIEW = "review"
    REJECTED = "rejected"


class Method(StrEnum):
    QR = "qr"
    OCR = "ocr"
    MANUAL = "manual"


class Reason(StrEnum):
    """Every outcome names its reasons from this list."""

    ROUTED_BY_QR = "ROUTED_BY_QR"
    KIT_ENVELOPE = "KIT_ENVELOPE"
    DELIVERY_RECEIPT = "DELIVERY_RECEIPT"
    NO_CODE = "NO_CODE"
    FOREIGN_CODE = "FOREIGN_CODE"
    MALFORMED_PAYLOAD = "MALFORMED_PAYLOAD"
    UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION"
    WRONG_CAMPAIGN = "WRONG_CAMPAIGN"
    BAD_CHECK = "BAD_CHECK"
    UNKNOWN_CASE = "UNKNOWN_CASE"
    CONFLICTING_CODES = "CONFLICTING_CODES"
    UNREADABLE_FILE = "UNREADABLE_FILE"
    ROUTED_BY_OCR = "ROUTED_BY_OCR"
    BLANK_PAGE = "BLANK_PAGE"                  # a duplex back or stray sheet: dropped, kept on record
    ENVELOPE_BY_SIZE = "ENVELOPE_BY_SIZE"      # an envelope without a kit code: an anonymous batch
    OCR_NO_TEXT = "OCR_NO_TEXT"                # nothing printed could be read (handwriting, say)
    OCR_NO_MATCH = "OCR_NO_MATCH"              # text read, no case named in it
    OCR_WEAK = "OCR_WEAK"                      # a case named, but the evidence is thin
    OCR_AMBIGUOUS = "OCR_AMBIGUOUS"            # two cases named about equally
    OCR_FAILED = "OCR_FAILED"                  # the OCR program failed or timed out
    TEXT_NAMES_OTHER_CASE = "TEXT_NAMES_OTHER_CASE"  # the code says one case, the print another
    SIGNATURES_NOT_COUNTED = "SIGNATURES_NOT_COUNTED"  # petition sheet whose rows could not be placed
    SIGNATURES_UNSURE = "SIGNATURES_UNSURE"    # rows counted, but the count may be wrong: a person checks
    ADDRESSEE_UNCLEAR = "ADDRESSEE_UNCLEAR"    # a case named, but to the authority or to the person?
    POSTCARD_PICTURE_SIDE = "POSTCARD_PICTURE_SIDE"  # the picture side of a kit postcard: not a piece
    RECOGNITION_FAILED = "RECOGNITION_FAILED"  # a fault in a recogniser: a person decides
    # Delivery sheets scanned back.
    RECEIPT_APPENDIX = "RECEIPT_APPENDIX"      # a further page of a delivery sheet: kept with the receipt
    RECEIPT_NOT_SIGNED = "RECEIPT_NOT_SIGNED"  # a bundle's code, but no signature or stamp in the box
    UNKNOWN_BUNDLE = "UNKNOWN_BUNDLE"          # a valid bundle code the ledger has no bundle for
    BUNDLE_NOT_DELIVERABLE = "BUNDLE_NOT_DELIVERABLE"  # the bundle was voided, refused or returned
    # Decisions of a person at review (method manual).
    DECIDED_BY_HAND = "DECIDED_BY_HAND"        # a person chose the case
    NOT_A_CAMPAIGN_PIECE = "NOT_A_CAMPAIGN_PIECE"  # a person: this paper is not one of ours
    SET_ASIDE_UNREADABLE = "SET_ASIDE_UNREADABLE"  # a person: unreadable, put aside for later


_FAULT_REASON = {
    Fault.FOREIGN: Reason.FOREIGN_CODE,
    Fault.MALFORMED: Reason.MALFORMED_PAYLOAD,
    Fault.UNSUPPORTED_VERSION: Reason.UNSUPPORTED_VERSION,
    Fault.WRONG_CAMPAIGN: Reason.WRONG_CAMPAIGN,
    Fault.BAD_CHECK: Reason.BAD_CHECK,
}
_CASE_KINDS = {PayloadKind.LETTER: Kind.LETTER, PayloadKind.POSTCARD: Kind.POSTCARD,
               PayloadKind.PETITION: Kind.PETITION}
_QR_FORMATS = {"QRCode", "MicroQRCode"}


class FindingJson(TypedDict):
    """A `Finding` as the ledger and the command line write it."""

    reason: str
    detail: str
    code: str | None
    reader: str | None
    attempt: str | None


class TermHitJson(TypedDict):
    term: str
    found: str
    similarity: float


class CandidateJson(TypedDict):
    """A candidate case as a reviewer sees it."""

    case: str
    score: float
    evidence: list[TermHitJson]


class DecisionJson(TypedDict):
    """A `Decision` as the ledger and the command line write it."""

    kind: str
    case: str | None
    destination: str | None
    status: str
    method: str | None
    confidence: float
    reasons: list[str]
    evidence: list[FindingJson]
    kit: int | None
    bundle: int | None
    signatures: int | None
    candidates: list[CandidateJson]


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence: a reason and what exactly was seen."""

    reason: Reason
    detail: str
    code_text: str | None = None
    reader: str | None = None
    attempt: str | None = None  # which try of the reader found the code

    def to_json(self) -> FindingJson:
        return {"reason": self.reason.value, "detail": self.detail,
                "code": self.code_text, "reader": self.reader, "attempt": self.attempt}


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one page, with the evidence."""

    kind: Kind
    status: Status
    case: str | None = None
    destination: str | None = None
    method: Method | None = None
    confidence: float = 0.0
    findings: tuple[Finding, ...] = ()
    kit_serial: int | None = None
    bundle_serial: int | None = None
    signatures: int | None = None                 # signed rows of a petition sheet
    candidates: tuple[Candidate, ...] = ()        # ranked cases for review, with their evidence

    @property
    def reasons(self) -> list[str]:
        seen: list[str] = []
        for finding in self.findings:
            if finding.reason.value not in seen:
                seen.append(finding.reason.value)
        return seen

    def to_json(self) -> DecisionJson:
        return {
            "kind": self.kind.value, "case": self.case, "destination": self.destination,
            "status": self.status.value, "method": self.method.value if self.method else None,
            "confidence": self.confidence, "reasons": self.reasons,
            "evidence": [f.to_json() for f in self.findings],
            "kit": self.kit_serial, "bundle": self.bundle_serial,
            "signatures": self.signatures,
            "candidates": [candidate_json(c) for c in self.candidates],
        }


def destination_for(case: Case, kind: Kind) -> str:
    """Where a piece of this kind goes: postcards and letters to the person where the case's
    postcards go (the person, the relatives, a partner office), never to the authorities;
    letters to the authority and petition sheets to the embassy."""
    if kind in (Kind.POSTCARD, Kind.SOLIDARITY_LETTER):
        return postcard_destination(case)
    return letter_destination(case)


def candidate_json(candidate: Candidate) -> CandidateJson:
    """A candidate case as shown to a reviewer: the case, its score and the words that named it."""
    return {"case": candidate.case, "score": round(candidate.score, 3),
            "evidence": [{"term": hit.term, "found": hit.found,
                          "similarity": round(hit.similarity, 3)} for hit in candidate.hits]}


def _read(codes: list[Code], campaign: Campaign) -> tuple[list[tuple[Code, Payload]], list[Finding]]:
    """Split the page's codes into valid payloads of this campaign and findings against them."""
    valid: list[tuple[Code, Payload]] = []
    findings: list[Finding] = []
    for code in codes:
        if code.format not in _QR_FORMATS:
            findings.append(Finding(Reason.FOREIGN_CODE, f"{code.format} barcode", code.text, code.reader,
                                    code.attempt))
            continue
        parsed = parse_payload(code.text, campaign.id, campaign.check_key)
        match parsed:
            case Rejected(fault=fault, detail=detail):
                findings.append(Finding(_FAULT_REASON[fault], detail, code.text, code.reader, code.attempt))
            case Payload(kind=kind, subject=subject) if (kind in _CASE_KINDS
                                                          and campaign.case(subject) is None):
                findings.append(Finding(Reason.UNKNOWN_CASE, f"case {subject} is not in this campaign",
                                        code.text, code.reader, code.attempt))
            case Payload():
                valid.append((code, parsed))
    return valid, findings


def code_candidate(case: str, code_text: str) -> Candidate:
    """A case named by a valid code, as a candidate for the reviewer."""
    return Candidate(case, 1.0, (TermHit("code", code_text, 1.0, 1.0),))


def _code_candidates(valid: list[tuple[Code, Payload]], campaign: Campaign) -> tuple[Candidate, ...]:
    seen: dict[str, Candidate] = {}
    for code, payload in valid:
        if payload.kind in _CASE_KINDS and payload.subject not in seen:
            seen[payload.subject] = code_candidate(payload.subject, code.text)
    return tuple(seen.values())


def route_page(codes: list[Code], campaign: Campaign) -> Decision:
    """Decide one page from its codes. Routes only on one unambiguous valid code."""
    valid, findings = _read(codes, campaign)
    # Our own code, damaged or not ours to route, could be another case's: never guess past it.
    doubtful = [f for f in findings if f.reason is not Reason.FOREIGN_CODE]
    distinct = {(payload.kind, payload.subject) for _, payload in valid}

    if not valid:
        if not codes:
            findings.append(Finding(Reason.NO_CODE, "no barcode found on the page"))
        return Decision(Kind.UNKNOWN, Status.REVIEW, findings=tuple(findings))
    if len(distinct) > 1 or doubtful:
        what = ", ".join(sorted(f"{k.value}:{s}" for k, s in distinct))
        conflict = Finding(Reason.CONFLICTING_CODES, f"codes on the page disagree: {what}")
        return Decision(Kind.UNKNOWN, Status.REVIEW, findings=(conflict, *findings),
                        candidates=_code_candidates(valid, campaign))

    code, payload = valid[0]
    match payload.kind:
        case PayloadKind.LETTER | PayloadKind.POSTCARD | PayloadKind.PETITION:
            case = campaign.case(payload.subject)
            assert case is not None  # _read keeps only known cases
            kind = _CASE_KINDS[payload.kind]
            destination = destination_for(case, kind)
            found = Finding(Reason.ROUTED_BY_QR, f"{kind.value} of case {case.code}", code.text, code.reader,
                            code.attempt)
            return Decision(kind, Status.ROUTED, case.code, destination, Method.QR, 1.0,
                            (found, *findings))
        case PayloadKind.KIT:
            found = Finding(Reason.KIT_ENVELOPE, f"kit {payload.subject}", code.text, code.reader,
                            code.attempt)
            return Decision(Kind.KIT_ENVELOPE, Status.ROUTED, method=Method.QR, confidence=1.0,
                            findings=(found, *findings), kit_serial=payload.serial)
        case PayloadKind.BUNDLE:
            found = Finding(Reason.DELIVERY_RECEIPT, f"bundle {payload.subject}", code.text, code.reader,
                            code.attempt)
            return Decision(Kind.DELIVERY_RECEIPT, Status.ROUTED, method=Method.QR, confidence=1.0,
                            findings=(found, *findings), bundle_serial=payload.serial)
        case PayloadKind.APPENDIX:
            found = Finding(Reason.RECEIPT_APPENDIX, f"bundle {payload.subject}, a further page",
                            code.text, code.reader, code.attempt)
            return Decision(Kind.DELIVERY_RECEIPT, Status.ROUTED, method=Method.QR, confidence=1.0,
                            findings=(found, *findings), bundle_serial=payload.serial)


def unreadable(reason_detail: str) -> Decision:
    """The decision for a file that could not be read at all."""
    return Decision(Kind.UNKNOWN, Status.REJECTED,
                    findings=(Finding(Reason.UNREADABLE_FILE, reason_detail),))


def blank_page(blankness: Blankness) -> Decision:
    """A page with no writing and no code: dropped from the count, kept on record, with what
    was measured on it (strokes, lines of writing, what was set aside as dust or edge)."""
    return Decision(Kind.UNKNOWN, Status.REJECTED,
                    findings=(Finding(Reason.BLANK_PAGE, blankness.detail),))


def anonymous_envelope(size: str) -> Decision:
    """An envelope without a kit code: it opens an anonymous batch."""
    return Decision(Kind.KIT_ENVELOPE, Status.ROUTED, confidence=0.5,
                    findings=(Finding(Reason.ENVELOPE_BY_SIZE, f"no kit code; the paper is {size}-sized"),))


def route_by_text(coded: Decision, kind: Kind, candidates: tuple[Candidate, ...],
                  pick: Candidate | None, campaign: Campaign, *, why_not: Finding | None) -> Decision:
    """Decide a page without a valid code from the cases its printed text names.

    `coded` is the decision its codes gave (review, with their findings); `pick`
    the case the matcher found strong and clearly ahead, if any. A page carrying
    someone else's code or a damaged code of ours is never routed by its text:
    it goes to review with the candidates. `why_not` explains a missing pick.
    """
    findings = list(coded.findings)
    blocked = any(f.reason is not Reason.NO_CODE for f in findings)
    if pick is not None and not blocked:
        case = campaign.case(pick.case)
        assert case is not None  # the matcher ranks this campaign's cases only
        destination = destination_for(case, kind)
        terms = ", ".join(hit.term for hit in pick.hits[:4])
        routed = Finding(Reason.ROUTED_BY_OCR, f"{kind.value} of case {case.code}: {terms}")
        return Decision(kind, Status.ROUTED, case.code, destination, Method.OCR,
                        round(pick.score, 3), (routed, *findings), candidates=candidates)
    if why_not is not None:
        findings.append(why_not)
    return Decision(kind, Status.REVIEW, findings=tuple(findings), candidates=candidates)


def text_contradicts(decision: Decision, candidates: tuple[Candidate, ...]) -> Decision:
    """The cross-check: a code names one case, the printed text names another → review, with
    every case named and the code's case as candidates (a kit mix-up, a sticker)."""
    others = [c for c in candidates if c.named and c.case != decision.case]
    if not others:
        return decision
    named = ", ".join(c.case for c in others)
    finding = Finding(Reason.TEXT_NAMES_OTHER_CASE,
                      f"the code says case {decision.case}, the printed text names case {named}")
    coded = decision.findings[0].code_text or ""
    assert decision.case is not None  # routed by a case's code (the cross-check's premise)
    if all(c.case != decision.case for c in candidates):
        candidates = (*candidates, code_candidate(decision.case, coded))
    return Decision(decision.kind, Status.REVIEW, findings=(finding, *decision.findings),
                    candidates=candidates, kit_serial=decision.kit_serial)


def printed_for_other_case(decision: Decision, case: str, detail: str, likeness: float) -> Decision:
    """The cross-check by template: the code names one case, the page carries another case's
    kit print → review with both (the printed case first)."""
    finding = Finding(Reason.TEXT_NAMES_OTHER_CASE, detail)
    coded = decision.findings[0].code_text or ""
    printed = Candidate(case, round(likeness, 3), (TermHit("kit print", detail, likeness, 1.0),))
    return Decision(decision.kind, Status.REVIEW, findings=(finding, *decision.findings),
                    candidates=(printed, code_candidate(decision.case or "", coded)),
                    kit_serial=decision.kit_serial)


def picture_side(code: Code) -> Decision:
    """The picture side of a kit postcard (its web-address code): the back of a card, not a
    piece — it is counted by its message side. Kept on record like a blank back."""
    finding = Finding(Reason.POSTCARD_PICTURE_SIDE,
                      "the picture side of a kit postcard: its message side is the piece",
                      code.text, code.reader, code.attempt)
    return Decision(Kind.POSTCARD, Status.REJECTED, findings=(finding,))


def unsigned_receipt(decision: Decision, detail: str) -> Decision:
    """A bundle's code without a signature or stamp in the receipt box: a person looks at it.

    It does not mark the bundle delivered (that needs the receiver's signature or stamp);
    the bundle serial stays on the decision so the reviewer sees which bundle it is.
    """
    finding = Finding(Reason.RECEIPT_NOT_SIGNED, detail)
    return replace(decision, status=Status.REVIEW, method=None, confidence=0.0,
                   findings=(finding, *decision.findings))


def uncounted_petition(decision: Decision) -> Decision:
    """A petition sheet whose signature rows could not be placed: a person counts them.

    The case found stays on the decision, so the reviewer only confirms it and types the count.
    """
    finding = Finding(Reason.SIGNATURES_NOT_COUNTED,
                      "the rows of the petition sheet could not be located on the image")
    return replace(decision, status=Status.REVIEW, findings=(finding, *decision.findings),
                   candidates=_case_kept(decision))


def unsure_petition(decision: Decision, count: int, doubts: Sequence[str]) -> Decision:
    """A petition sheet counted, but the count may be wrong: a person confirms it or types another.

    The case and the proposed count stay on the decision (`signatures`), so the reviewer
    confirms both with one key; the doubts say what to look at.
    """
    finding = Finding(Reason.SIGNATURES_UNSURE,
                      f"{count} signed row{'s' * (count != 1)} counted, but unsure: {'; '.join(doubts)}")
    return replace(decision, status=Status.REVIEW, signatures=count,
                   findings=(finding, *decision.findings), candidates=_case_kept(decision))


def _case_kept(decision: Decision) -> tuple[Candidate, ...]:
    """The candidates a reviewer sees for a page whose case is known: its code's case."""
    if decision.case and not decision.candidates:
        return (code_candidate(decision.case, decision.findings[0].code_text or ""),)
    return decision.candidates
