"""The text inside scanpipe's QR codes, and its strict parser.

Format (version 1)::

    SP1:<kind>:<campaign>:<subject>:<check>

* ``kind``: ``K`` kit envelope, ``L`` case letter sheet, ``P`` postcard,
  ``S`` petition sheet, ``B`` bundle (on a delivery sheet's first page, the one
  the receiver signs, and on bundle labels), ``A`` a further page of a bundle's
  delivery sheet (its appendix of item ids);
* ``campaign``: the campaign id; ``subject``: the case code (L, P, S) or a serial
  number (K, B, A) written in decimal without leading zeros;
* ``check``: 8 Crockford base-32 characters, the first 40 bits of
  HMAC-SHA256(campaign key, everything before the last ``:``).

Only capital letters, digits and ``:-`` are used, so the code is encoded in QR
alphanumeric mode (a version-2 symbol for a typical payload). The check catches
mistyped and partly read payloads (a wrong one passes with probability 2^-40)
and, when the campaign sets a secret ``qr_key``, codes forged without the key.
Anything that is not exactly this is reported with a `Fault`, never routed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

PREFIX = "SP1"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CHECK_LENGTH = 8
_CODE = r"[A-Z0-9][A-Z0-9-]{0,23}"
_SERIAL = r"[1-9][0-9]{0,8}"
_SHAPE = re.compile(
    rf"^SP1:(?P<kind>[KLPSBA]):(?P<campaign>{_CODE}):(?P<subject>{_CODE}):(?P<check>[{_CROCKFORD}]{{{_CHECK_LENGTH}}})$"
)
# Anything that starts like one of ours but is not well formed is damaged, not foreign.
_OURS = re.compile(r"^\s*SP\d+:", re.IGNORECASE)


class PayloadKind(StrEnum):
    KIT = "K"
    LETTER = "L"
    POSTCARD = "P"
    PETITION = "S"
    BUNDLE = "B"
    APPENDIX = "A"  # a further page of a bundle's delivery sheet

    @property
    def has_serial(self) -> bool:
        return self in (PayloadKind.KIT, PayloadKind.BUNDLE, PayloadKind.APPENDIX)


# What a code of another campaign is, as a reviewer reads it ("kit 12 of campaign MDL2021").
_WHAT = {PayloadKind.KIT: "kit {subject}", PayloadKind.LETTER: "letter sheet of case {subject}",
         PayloadKind.POSTCARD: "postcard of case {subject}",
         PayloadKind.PETITION: "petition sheet of case {subject}",
         PayloadKind.BUNDLE: "delivery sheet of bundle {subject}",
         PayloadKind.APPENDIX: "delivery sheet of bundle {subject}"}


class Fault(StrEnum):
    """Why a code's text is not a valid scanpipe payload for this campaign."""

    FOREIGN = "FOREIGN_CODE"            # someone else's code (a web address on a postcard)
    UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION"
    MALFORMED = "MALFORMED_PAYLOAD"     # ours by its prefix, but damaged or truncated
    WRONG_CAMPAIGN = "WRONG_CAMPAIGN"   # well formed, another campaign's
    BAD_CHECK = "BAD_CHECK"             # well formed, check does not match: misread or forged


@dataclass(frozen=True, slots=True)
class Payload:
    """A valid payload: what a scanpipe QR code says."""

    kind: PayloadKind
    campaign: str
    subject: str

    @property
    def serial(self) -> int | None:
        return int(self.subject) if self.kind.has_serial else None


@dataclass(frozen=True, slots=True)
class Rejected:
    """A code text that is not a valid payload, with the reason."""

    fault: Fault
    detail: str


def _check(key: bytes, body: str) -> str:
    digest = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    value = int.from_bytes(digest[:5], "big")  # 40 bits = 8 base-32 characters
    chars = []
    for _ in range(_CHECK_LENGTH):
        value, rem = divmod(value, 32)
        chars.append(_CROCKFORD[rem])
    return "".join(reversed(chars))


def encode_payload(payload: Payload, key: bytes) -> str:
    """The QR text for `payload`, checked with `key` (see `Campaign.check_key`)."""
    subject_ok = (re.fullmatch(_SERIAL, payload.subject) if payload.kind.has_serial
                  else re.fullmatch(_CODE, payload.subject))
    if not subject_ok or not re.fullmatch(_CODE, payload.campaign):
        raise ValueError(f"cannot encode {payload!r}: campaign or subject out of format")
    body = f"{PREFIX}:{payload.kind.value}:{payload.campaign}:{payload.subject}"
    return f"{body}:{_check(key, body)}"


def kit_payload(campaign: str, serial: int) -> Payload:
    return Payload(PayloadKind.KIT, campaign, str(serial))


def bundle_payload(campaign: str, serial: int) -> Payload:
    return Payload(PayloadKind.BUNDLE, campaign, str(serial))


def appendix_payload(campaign: str, serial: int) -> Payload:
    return Payload(PayloadKind.APPENDIX, campaign, str(serial))


def parse_payload(text: str, campaign: str, key: bytes) -> Payload | Rejected:
    """Parse a code's text strictly; anything not exactly a valid payload is `Rejected`."""
    if not _OURS.match(text):
        return Rejected(Fault.FOREIGN, "not a scanpipe code")
    if not text.lstrip().upper().startswith(PREFIX + ":"):
        return Rejected(Fault.UNSUPPORTED_VERSION, f"unknown prefix {text.split(':', 1)[0]!r}")
    shape = _SHAPE.match(text)
    if shape is None:
        return Rejected(Fault.MALFORMED, "damaged or truncated scanpipe code")
    kind = PayloadKind(shape["kind"])
    if kind.has_serial and not re.fullmatch(_SERIAL, shape["subject"]):
        return Rejected(Fault.MALFORMED, "serial number out of format")
    if shape["campaign"] != campaign:
        # Another year's paper (one ledger holds several campaigns): said plainly, never routed.
        what = _WHAT[kind].format(subject=shape["subject"])
        return Rejected(Fault.WRONG_CAMPAIGN, f"{what} of campaign {shape['campaign']}")
    body = text.rsplit(":", 1)[0]
    if not hmac.compare_digest(_check(key, body), shape["check"]):
        return Rejected(Fault.BAD_CHECK, "check does not match: misread, mistyped or forged")
    return Payload(kind, shape["campaign"], shape["subject"])
