"""The routing decision for one page: which case, which destination, and why.

A misrouted letter (handed to the wrong embassy) is the worst outcome and
review is cheap, so a page is routed only on unambiguous evidence: exactly one
valid case code of this campaign and nothing on the page that contradicts it.
Everything else goes to review with its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from scanpipe.campaign import Campaign, letter_destination, postcard_destination
from scanpipe.codes import Code
from scanpipe.payload import Fault, Payload, PayloadKind, Rejected, parse_payload


class Kind(StrEnum):
    LETTER = "letter"
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


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence: a reason and what exactly was seen."""

    reason: Reason
    detail: str
    code_text: str | None = None
    reader: str | None = None

    def to_json(self) -> dict:
        return {"reason": self.reason.value, "detail": self.detail,
                "code": self.code_text, "reader": self.reader}


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

    @property
    def reasons(self) -> list[str]:
        seen: list[str] = []
        for finding in self.findings:
            if finding.reason.value not in seen:
                seen.append(finding.reason.value)
        return seen

    def to_json(self) -> dict:
        return {
            "kind": self.kind.value, "case": self.case, "destination": self.destination,
            "status": self.status.value, "method": self.method.value if self.method else None,
            "confidence": self.confidence, "reasons": self.reasons,
            "evidence": [f.to_json() for f in self.findings],
            "kit": self.kit_serial, "bundle": self.bundle_serial,
        }


def _read(codes: list[Code], campaign: Campaign) -> tuple[list[tuple[Code, Payload]], list[Finding]]:
    """Split the page's codes into valid payloads of this campaign and findings against them."""
    valid: list[tuple[Code, Payload]] = []
    findings: list[Finding] = []
    for code in codes:
        if code.format not in _QR_FORMATS:
            findings.append(Finding(Reason.FOREIGN_CODE, f"{code.format} barcode", code.text, code.reader))
            continue
        parsed = parse_payload(code.text, campaign.id, campaign.check_key)
        match parsed:
            case Rejected(fault=fault, detail=detail):
                findings.append(Finding(_FAULT_REASON[fault], detail, code.text, code.reader))
            case Payload(kind=kind, subject=subject) if kind in _CASE_KINDS and campaign.case(subject) is None:
                findings.append(Finding(Reason.UNKNOWN_CASE, f"case {subject} is not in this campaign",
                                        code.text, code.reader))
            case Payload():
                valid.append((code, parsed))
    return valid, findings


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
        return Decision(Kind.UNKNOWN, Status.REVIEW, findings=(conflict, *findings))

    code, payload = valid[0]
    match payload.kind:
        case PayloadKind.LETTER | PayloadKind.POSTCARD | PayloadKind.PETITION:
            case = campaign.case(payload.subject)
            assert case is not None  # _read keeps only known cases
            kind = _CASE_KINDS[payload.kind]
            destination = (postcard_destination(case) if kind is Kind.POSTCARD
                           else letter_destination(case))
            found = Finding(Reason.ROUTED_BY_QR, f"{kind.value} of case {case.code}", code.text, code.reader)
            return Decision(kind, Status.ROUTED, case.code, destination, Method.QR, 1.0,
                            (found, *findings))
        case PayloadKind.KIT:
            found = Finding(Reason.KIT_ENVELOPE, f"kit {payload.subject}", code.text, code.reader)
            return Decision(Kind.KIT_ENVELOPE, Status.ROUTED, method=Method.QR, confidence=1.0,
                            findings=(found, *findings), kit_serial=payload.serial)
        case PayloadKind.BUNDLE:
            found = Finding(Reason.DELIVERY_RECEIPT, f"bundle {payload.subject}", code.text, code.reader)
            return Decision(Kind.DELIVERY_RECEIPT, Status.ROUTED, method=Method.QR, confidence=1.0,
                            findings=(found, *findings), bundle_serial=payload.serial)


def unreadable(reason_detail: str) -> Decision:
    """The decision for a file that could not be read at all."""
    return Decision(Kind.UNKNOWN, Status.REJECTED,
                    findings=(Finding(Reason.UNREADABLE_FILE, reason_detail),))
