"""The campaign file: cases, embassies and partner offices of one marathon.

The file is TOML. `parse_campaign` validates it once and returns a frozen
`Campaign`; every error names the field (``cases[3].embassy``) and says what
to write instead. See the README, section "The campaign file".
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

# Codes travel inside QR payloads, so they are restricted to characters that QR
# alphanumeric mode encodes compactly and that cannot collide with the separator.
CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{0,23}$"
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Language = Annotated[str, StringConstraints(pattern=r"^(fr|en|nl)$")]


class CampaignError(ValueError):
    """The campaign file is not valid; the message names each bad field."""


class PostcardRoute(StrEnum):
    """Where the postcards of a case are forwarded."""

    PERSON = "person"
    RELATIVES = "relatives"
    PARTNER = "partner"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Embassy(_Frozen):
    """An embassy that receives the letters of one or more cases."""

    code: Code = Field(description="short code, usually the ISO country code, e.g. GT")
    country: Text
    name: Text
    address: Address
    language: Language | None = Field(
        default=None, description="language of its delivery sheets; the campaign's by default")


class Partner(_Frozen):
    """A partner office that forwards postcards (e.g. the movement's secretariat)."""

    code: Code
    name: Text
    address: Address


class Contact(_Frozen):
    """Who forwards the postcards sent to a person (a lawyer, a local office, a friend)."""

    name: Text
    address: Address


class Postcards(_Frozen):
    """Where a case's postcards go."""

    to: PostcardRoute
    name: Text | None = None
    address: Address | None = None
    partner: Code | None = None
    # to = "person": who receives the bundle and forwards the cards; without one, the
    # bundle's paper is a plain cover list that asks nobody to sign.
    contact: Contact | None = None

    @model_validator(mode="after")
    def _route_is_complete(self) -> Postcards:
        if self.to is PostcardRoute.PARTNER:
            if not self.partner:
                raise ValueError('to = "partner" needs partner = "<code of a [[partners]] entry>"')
        elif not (self.name and self.address):
            raise ValueError(f'to = "{self.to.value}" needs a name and an address')
        if self.contact is not None and self.to is not PostcardRoute.PERSON:
            raise ValueError(f'contact is for to = "person" only: with to = "{self.to.value}" the '
                             "cards already go to who forwards them")
        return self


class Case(_Frozen):
    """One person or group the marathon writes for."""

    code: Code
    person: Text = Field(description="the person or group, as printed")
    country: Text
    authority: Text = Field(description="who the letters are addressed to")
    authority_address: Address
    embassy: Code = Field(description="code of the embassy that receives the letters")
    keywords: tuple[Text, ...] = Field(
        min_length=1, description="names and words that identify the case in a letter"
    )
    summary: Text | None = None
    letter: Text | None = Field(default=None, description="the model letter")
    petition: Text | None = Field(default=None, description="the petition's demand")
    postcards: Postcards


class Campaign(_Frozen):
    """A whole campaign, validated."""

    id: Code
    name: Text
    deadline: date
    office: Text = Field(description="the office running the marathon, as printed on kits")
    return_address: Address
    qr_key: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        description="secret that makes QR checks unforgeable; keep it out of public copies",
    )
    language: Annotated[str, StringConstraints(pattern=r"^(fr|en|nl)$")] = "fr"
    embassies: tuple[Embassy, ...] = Field(min_length=1)
    partners: tuple[Partner, ...] = ()
    cases: tuple[Case, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> Campaign:
        problems: list[str] = []
        groups: tuple[tuple[str, Sequence[Embassy | Partner | Case]], ...] = (
            ("embassies", self.embassies), ("partners", self.partners), ("cases", self.cases))
        for label, items in groups:
            seen: set[str] = set()
            for i, item in enumerate(items):
                if item.code in seen:
                    problems.append(f"{label}[{i}].code: {item.code!r} is used twice")
                seen.add(item.code)
        embassies = {e.code for e in self.embassies}
        partners = {p.code for p in self.partners}
        for i, case in enumerate(self.cases):
            if case.embassy not in embassies:
                problems.append(
                    f"cases[{i}].embassy: {case.embassy!r} is not the code of an [[embassies]] entry "
                    f"(known: {', '.join(sorted(embassies))})"
                )
            if case.postcards.partner and case.postcards.partner not in partners:
                problems.append(
                    f"cases[{i}].postcards.partner: {case.postcards.partner!r} is not the code of a "
                    f"[[partners]] entry (known: {', '.join(sorted(partners)) or 'none'})"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # Look-ups used everywhere; tuples keep the model frozen and ordered as in the file.
    def case(self, code: str) -> Case | None:
        return next((c for c in self.cases if c.code == code), None)

    def embassy(self, code: str) -> Embassy | None:
        return next((e for e in self.embassies if e.code == code), None)

    def partner(self, code: str) -> Partner | None:
        return next((p for p in self.partners if p.code == code), None)

    def embassy_language(self, code: str) -> str:
        """The language of the papers handed to embassy `code`: its own, else the campaign's."""
        embassy = self.embassy(code)
        return (embassy.language if embassy else None) or self.language

    @property
    def check_key(self) -> bytes:
        """Key of the QR check: the secret if set, else a public per-campaign value."""
        return (self.qr_key or f"scanpipe:{self.id}").encode("utf-8")


def letter_destination(case: Case) -> str:
    """Destination of a case's letters and petition sheets, e.g. ``embassy:GT``."""
    return f"embassy:{case.embassy}"


def postcard_destination(case: Case) -> str:
    """Destination of a case's postcards: ``partner:AIIS``, ``person:CAAL``, ``relatives:CAAL``."""
    route = case.postcards
    match route.to:
        case PostcardRoute.PARTNER:
            return f"partner:{route.partner}"
        case PostcardRoute.PERSON | PostcardRoute.RELATIVES:
            return f"{route.to.value}:{case.code}"


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("function-after", "function-before") or str(part).startswith("function-"):
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _explain(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "string_pattern_mismatch":
        return "use 1 to 24 capital letters, digits or '-', starting with a letter or digit"
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a known field (check its spelling)"
    message = error["msg"]
    return message.removeprefix("Value error, ")


def parse_campaign(text: str) -> Campaign:
    """Parse and validate campaign TOML text; raise `CampaignError` naming every bad field."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError(f"the campaign file is not valid TOML: {exc}") from None
    try:
        return Campaign.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{_field_path(e['loc'])}: {_explain(e)}" for e in exc.errors()]
        raise CampaignError("the campaign file has problems:\n  " + "\n  ".join(lines)) from None


def campaign_digest(text: str) -> str:
    """SHA-256 of the campaign text, recorded in the ledger when it is loaded."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CampaignChange:
    """One difference between the campaign in force and a new version of its file.

    `subject` names what changed ("case CAAL", "embassy GT", "partner AIIS", "campaign"),
    `what` says how, in English. A change of where a case's pieces go also gives the case, the
    `route` ("letters": letters and petition sheets; "postcards": postcards and letters to the
    person) and the destinations before and after, so the pieces routed under the old file and
    not yet bundled can be counted (they are not moved by loading the file)."""

    subject: str
    what: str
    case: str | None = None
    route: str | None = None
    before: str | None = None
    after: str | None = None


_CASE_FIELDS = {"person": "the person", "country": "the country", "authority": "the authority",
                "authority_address": "the authority's address", "summary": "the summary",
                "letter": "the model letter", "petition": "the petition's demand"}
_PLACE_FIELDS = {"country": "the country", "name": "the name", "address": "the address",
                 "language": "the language of its papers"}
_CAMPAIGN_FIELDS = {"name": "the name", "deadline": "the deadline", "office": "the office",
                    "return_address": "the return address", "language": "the language",
                    "qr_key": "the QR key (codes printed before no longer verify)"}


def campaign_changes(old: Campaign, new: Campaign) -> list[CampaignChange]:
    """What `new` changes of `old` (the same campaign, a new version of its file), in order:
    the campaign, its embassies and partners, then its cases."""
    changes = [CampaignChange("campaign", f"{label} changed") for name, label in _CAMPAIGN_FIELDS.items()
               if getattr(old, name) != getattr(new, name)]
    changes += _places("embassy", {e.code: e for e in old.embassies}, {e.code: e for e in new.embassies})
    changes += _places("partner", {p.code: p for p in old.partners}, {p.code: p for p in new.partners})
    was, now = {c.code: c for c in old.cases}, {c.code: c for c in new.cases}
    for code in sorted(now.keys() - was.keys()):
        changes.append(CampaignChange(f"case {code}", f"added ({now[code].person})"))
    for code in sorted(was.keys() - now.keys()):
        changes.append(CampaignChange(f"case {code}", "removed: its pieces keep the case they have"))
    for code in [c.code for c in new.cases if c.code in was]:
        before_case, after_case = was[code], now[code]
        for route, destination in (("letters", letter_destination), ("postcards", postcard_destination)):
            if destination(before_case) != destination(after_case):
                what = ("letters and petition sheets" if route == "letters"
                        else "postcards and letters to the person")
                changes.append(CampaignChange(
                    f"case {code}", f"{what} now go to {destination(after_case)} "
                                    f"(were {destination(before_case)})",
                    case=code, route=route, before=destination(before_case),
                    after=destination(after_case)))
        if set(before_case.keywords) != set(after_case.keywords):
            added = sorted(set(after_case.keywords) - set(before_case.keywords))
            gone = sorted(set(before_case.keywords) - set(after_case.keywords))
            changes.append(CampaignChange(f"case {code}", "keywords changed: "
                                          + "; ".join(part for part in (
                                              "added " + ", ".join(added) if added else "",
                                              "removed " + ", ".join(gone) if gone else "") if part)))
        changes += [CampaignChange(f"case {code}", f"{label} changed")
                    for name, label in _CASE_FIELDS.items()
                    if getattr(before_case, name) != getattr(after_case, name)]
        if (before_case.postcards != after_case.postcards
                and postcard_destination(before_case) == postcard_destination(after_case)):
            changes.append(CampaignChange(f"case {code}", "the postcards' name, address or "
                                                          "contact changed"))
    return changes


def _places(kind: str, before: Mapping[str, Embassy | Partner],
            after: Mapping[str, Embassy | Partner]) -> list[CampaignChange]:
    changes = [CampaignChange(f"{kind} {code}", "added") for code in sorted(after.keys() - before.keys())]
    changes += [CampaignChange(f"{kind} {code}", "removed")
                for code in sorted(before.keys() - after.keys())]
    for code in [c for c in after if c in before]:
        changes += [CampaignChange(f"{kind} {code}", f"{label} changed")
                    for name, label in _PLACE_FIELDS.items()
                    if getattr(before[code], name, None) != getattr(after[code], name, None)]
    return changes
