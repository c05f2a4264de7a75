"""The campaign file: cases, embassies and partner offices of one marathon.

The file is TOML. `parse_campaign` validates it once and returns a frozen
`Campaign`; every error names the field (``cases[3].embassy``) and says what
to write instead. See the README, section "The campaign file".

The campaign's `season` is the span of days its records may bear (see `Season`); a file without
one gets the default derived from the deadline (`default_season`).

A case's texts are written in the campaign's `language`; every other language the kits are
offered in (`languages`) has them in a sub-table of the case (``[cases.nl]``), and a text given
in the first but missing in the second is an error. `case_text` and `localized_case` give a
case's texts in one language.
"""

from __future__ import annotations

import calendar
import hashlib
import string
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
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from scanpipe.domain import i18n

# Codes travel inside QR payloads, so they are restricted to characters that QR
# alphanumeric mode encodes compactly and that cannot collide with the separator.
CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{0,23}$"
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
_LANGUAGE_PATTERN = r"^(fr|en|nl)$"
Language = Annotated[str, StringConstraints(pattern=_LANGUAGE_PATTERN)]
# A case's texts that kits print and that are given per language.
TRANSLATED_FIELDS = ("country", "summary", "authority", "salutation", "letter", "petition",
                     "instructions")
# The wording of kits that a campaign file may replace (the sheets' and labels' is built in).
_KIT_TEXT_PREFIXES = ("letter.", "postcard.", "petition.", "qr.", "label.kit")


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


class CaseTexts(_Frozen):
    """A case's texts in one more language: a ``[cases.nl]`` table (see TRANSLATED_FIELDS)."""

    country: Text | None = None
    summary: Text | None = None
    authority: Text | None = None
    salutation: Text | None = None
    letter: Text | None = None
    petition: Text | None = None
    instructions: Text | None = None


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
    salutation: Text | None = Field(default=None, description="the model letter's opening, "
                                                              "e.g. 'Monsieur le Président,'")
    letter: Text | None = Field(default=None, description="the model letter")
    petition: Text | None = Field(default=None, description="the petition's demand")
    instructions: Text | None = Field(default=None, description="one more line for writers")
    postcards: Postcards
    fr: CaseTexts | None = None
    en: CaseTexts | None = None
    nl: CaseTexts | None = None

    def texts_in(self, lang: str) -> CaseTexts | None:
        """The ``[cases.<lang>]`` table, if the file has one."""
        table: CaseTexts | None = getattr(self, lang, None) if lang in i18n.LANGUAGES else None
        return table


# The season a campaign file gives none of: from six months before the deadline (orders are
# taken and kits printed from the summer before a winter deadline) to a year after it
# (embassies give appointments months later; outcomes and late bundles follow).
SEASON_MONTHS_BEFORE = 6
SEASON_MONTHS_AFTER = 12
# A season given in the file may not start more than a year before the deadline nor end more
# than two years after it: beyond that a date is a typing error, not a campaign.
SEASON_MOST_MONTHS_BEFORE = 12
SEASON_MOST_MONTHS_AFTER = 24


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (negative: back), the 31st kept to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


class Season(_Frozen):
    """The days a campaign's records may bear: from the first kit sent out to the last bundle
    delivered. A date a person types (a delivery, a paper's date, a signature's day) is checked
    against it (`scanpipe.domain.season`)."""

    start: date
    end: date
    _derived: bool = PrivateAttr(default=False)

    @property
    def derived(self) -> bool:
        """True when the campaign file gives no season and this one comes from its deadline."""
        return self._derived

    def describe(self) -> str:
        """'2021-11-01 to 2022-06-30' (and where it comes from when it is the default)."""
        told = f"{self.start.isoformat()} to {self.end.isoformat()}"
        return told + (", derived from its deadline" if self.derived else "")


def default_season(deadline: date) -> Season:
    """The season of a campaign file that gives none (SEASON_MONTHS_BEFORE and _AFTER)."""
    season = Season(start=add_months(deadline, -SEASON_MONTHS_BEFORE),
                    end=add_months(deadline, SEASON_MONTHS_AFTER))
    season._derived = True
    return season


class Campaign(_Frozen):
    """A whole campaign, validated."""

    id: Code
    name: Text
    deadline: date
    season: Season = Field(
        default=None, validate_default=True,
        description="the days its records may bear [default: from the deadline]")
    office: Text = Field(description="the office running the marathon, as printed on kits")
    return_address: Address
    qr_key: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        description="secret that makes QR checks unforgeable; keep it out of public copies",
    )
    language: Language = "fr"
    languages: tuple[Language, ...] = Field(
        default=(), description="the languages kits are offered in [default: language]")
    # [texts.<lang>] tables as ((lang, ((key, text), …)), …): a campaign stays hashable.
    texts: tuple[tuple[Language, tuple[tuple[str, Text], ...]], ...] = Field(
        default=(), description="kit wording replacing the built-in one, per language")

    @field_validator("season", mode="before")
    @classmethod
    def _season_or_default(cls, value: object, info: ValidationInfo) -> object:
        deadline = info.data.get("deadline")
        if value is None and isinstance(deadline, date):
            return default_season(deadline)
        return value  # without a valid deadline, its own error is enough

    @model_validator(mode="after")
    def _season_holds_the_deadline(self) -> Campaign:
        season, deadline = self.season, self.deadline
        problems: list[str] = []
        earliest = add_months(deadline, -SEASON_MOST_MONTHS_BEFORE)
        latest = add_months(deadline, SEASON_MOST_MONTHS_AFTER)
        if season.start > deadline:
            problems.append(f"season.start: {season.start.isoformat()} is after the deadline "
                            f"{deadline.isoformat()}: the season holds it")
        elif season.start < earliest:
            problems.append(f"season.start: {season.start.isoformat()} is more than "
                            f"{SEASON_MOST_MONTHS_BEFORE} months before the deadline "
                            f"{deadline.isoformat()}: start on {earliest.isoformat()} or later")
        if season.end < deadline:
            problems.append(f"season.end: {season.end.isoformat()} is before the deadline "
                            f"{deadline.isoformat()}: the season holds it")
        elif season.end > latest:
            problems.append(f"season.end: {season.end.isoformat()} is more than "
                            f"{SEASON_MOST_MONTHS_AFTER} months after the deadline "
                            f"{deadline.isoformat()}: end on {latest.isoformat()} or before")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @field_validator("texts", mode="before")
    @classmethod
    def _texts_as_pairs(cls, value: object) -> object:
        if isinstance(value, Mapping):
            unknown = [str(lang) for lang in value if lang not in i18n.LANGUAGES]
            if unknown:
                raise ValueError(f"[texts.{unknown[0]}]: {unknown[0]!r} is not a language kits "
                                 f"print in: use {', '.join(i18n.LANGUAGES)}")
            return tuple((lang, tuple(wording.items()) if isinstance(wording, Mapping) else wording)
                         for lang, wording in value.items())
        return value
    embassies: tuple[Embassy, ...] = Field(min_length=1)
    partners: tuple[Partner, ...] = ()
    cases: tuple[Case, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _languages_are_complete(self) -> Campaign:
        problems: list[str] = []
        offered = self.offered_languages
        if self.languages and self.language not in self.languages:
            problems.append(f"languages: must hold the campaign's language {self.language!r} "
                            f"(its cases' texts are written in it)")
        if len(set(self.languages)) != len(self.languages):
            problems.append("languages: a language is given twice")
        for i, case in enumerate(self.cases):
            for lang in i18n.LANGUAGES:
                table = case.texts_in(lang)
                if lang == self.language or lang not in offered:
                    if table is not None:
                        problems.append(
                            f"cases[{i}].{lang}: " + (
                                f"the case's own fields are in {lang}: write these texts there"
                                if lang == self.language else
                                f"the campaign does not offer {lang} (languages = "
                                f"[{', '.join(offered)}]): add it there or remove this table"))
                    continue
                for name in TRANSLATED_FIELDS:
                    base, translated = getattr(case, name), getattr(table, name, None)
                    if base is not None and translated is None:
                        problems.append(f"cases[{i}].{lang}.{name}: missing: the campaign offers {lang}")
                    elif base is None and translated is not None:
                        problems.append(f"cases[{i}].{lang}.{name}: the case has no {name} in "
                                        f"{self.language}: give it there too, or remove this one")
        for lang, wording in self.texts:
            if lang not in offered:
                problems.append(f"texts.{lang}: the campaign does not offer {lang}")
            for key, value in wording:
                problems += _wording_problems(f"texts.{lang}.{key}", key, value)
        if problems:
            raise ValueError("\n".join(problems))
        return self

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
            raise ValueError("\n".join(problems))
        return self

    def wording(self, lang: str) -> dict[str, str]:
        """The ``[texts.<lang>]`` table: kit wording replacing the built-in one."""
        return next((dict(pairs) for one, pairs in self.texts if one == lang), {})

    @property
    def offered_languages(self) -> tuple[str, ...]:
        """The languages kits are offered in, the campaign's own first."""
        return self.languages or (self.language,)

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


def _wording_problems(path: str, key: str, value: str) -> list[str]:
    """What is wrong with `value` replacing the built-in kit wording `key`."""
    kit_keys = [k for k in i18n.keys() if k.startswith(_KIT_TEXT_PREFIXES)]  # noqa: SIM118
    if key in _CAMPAIGN_TEXTS:
        return []
    if key not in kit_keys:
        known = ", ".join([*_CAMPAIGN_TEXTS, *kit_keys])
        return [f"{path}: not a kit text (known: {known})"]
    try:
        wanted = _placeholders(i18n.text(key, "en"))  # the built-in one, unfilled
        given = _placeholders(value)
    except ValueError as exc:
        return [f"{path}: {exc} (write {{{{ and }}}} for a brace)"]
    if given != wanted:
        names = ", ".join("{" + n + "}" for n in sorted(wanted)) or "none"
        return [f"{path}: use exactly the placeholders of the built-in text ({names})"]
    return []


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


class LanguageNotOffered(CampaignError):
    """A paper was asked for in a language the campaign does not offer."""


def check_language(campaign: Campaign, lang: str) -> str:
    """`lang` if the campaign offers it; raise LanguageNotOffered naming the ones it does."""
    if lang not in campaign.offered_languages:
        raise LanguageNotOffered(f"the campaign does not offer {lang!r}: it offers "
                                 f"{', '.join(campaign.offered_languages)} (see languages in "
                                 "the campaign file)")
    return lang


def case_text(campaign: Campaign, case: Case, field: str, lang: str) -> str | None:
    """The case's `field` (one of TRANSLATED_FIELDS) as printed in `lang`."""
    if field not in TRANSLATED_FIELDS:
        raise ValueError(f"{field!r} is not a translated text of a case")
    check_language(campaign, lang)
    if lang == campaign.language:
        value: str | None = getattr(case, field)
        return value
    table = case.texts_in(lang)
    translated: str | None = getattr(table, field) if table is not None else None
    return translated


def localized_case(campaign: Campaign, case: Case, lang: str) -> Case:
    """The case with its texts in `lang` (the papers print its fields as they are)."""
    if check_language(campaign, lang) == campaign.language:
        return case
    update: dict[str, object] = {name: case_text(campaign, case, name, lang)
                                 for name in TRANSLATED_FIELDS}
    return case.model_copy(update=update)


# Fields of the campaign that a [texts.<lang>] table may give in that language.
_CAMPAIGN_TEXTS = ("name", "office", "return_address")


def kit_text(campaign: Campaign, key: str, lang: str, **fmt: object) -> str:
    """The kit wording `key` in `lang`: the campaign file's (``[texts.nl]``) or the built-in;
    "name", "office" and "return_address" are the campaign's unless ``[texts.nl]`` gives them."""
    template = campaign.wording(lang).get(key)
    if template is None:
        if key in _CAMPAIGN_TEXTS:
            value: str = getattr(campaign, key)
            return value
        return i18n.text(key, lang, **fmt)
    return template.format(**fmt) if fmt else template


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
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == _LANGUAGE_PATTERN:
        return f"use {', '.join(i18n.LANGUAGES)}"
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
        lines: list[str] = []
        for e in exc.errors():
            path, message = _field_path(e["loc"]), _explain(e)
            if path == "(top level)" and all(": " in line for line in message.split("\n")):
                lines += message.split("\n")  # a check of the whole file names its own fields
            else:
                lines.append(f"{path}: {message}")
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
                "letter": "the model letter", "petition": "the petition's demand",
                "salutation": "the salutation", "instructions": "the instructions"}
_PLACE_FIELDS = {"country": "the country", "name": "the name", "address": "the address",
                 "language": "the language of its papers"}
_CAMPAIGN_FIELDS = {"name": "the name", "deadline": "the deadline",
                    "season": "the season (the days typed dates may bear)", "office": "the office",
                    "return_address": "the return address", "language": "the language",
                    "qr_key": "the QR key (codes printed before no longer verify)",
                    "offered_languages": "the languages kits are offered in",
                    "texts": "the kit wording ([texts])"}


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
        for lang in i18n.LANGUAGES:
            was_texts, now_texts = before_case.texts_in(lang), after_case.texts_in(lang)
            changes += [CampaignChange(f"case {code}", f"{_CASE_FIELDS[name]} ({lang}) changed")
                        for name in TRANSLATED_FIELDS
                        if getattr(was_texts, name, None) != getattr(now_texts, name, None)]
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
