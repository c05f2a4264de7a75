"""What the events say of the office's set-up that the stations act on — every campaign file
loaded (and so its cases and embassies), the people who sign in and their roles, the tray plan —
replayed, and the tables the stations read them from checked against it.

Stations route with the newest `campaign_version` text of their campaign, read cases and
embassies from `case_` and `embassy`, let people in by `person` and show trays from `tray`: an
edit of any of them by SQL would change what a station does without a line in the ledger. Each
`campaign.loaded` event holds the SHA-256 of the exact text loaded, so the stored text must
hash to it, and the case and embassy rows must be what those texts give (a newer file of a
campaign replaces the rows of the codes it names and leaves the others, as the store writes
them). People are replayed from `person.added` and `person.changed`; the password hash never
enters the ledger, so only the fact of a change is known of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from models.events import EventLike, EventType
from scanpipe.domain.campaign import (
    Campaign,
    CampaignError,
    campaign_digest,
    letter_destination,
    parse_campaign,
    postcard_destination,
)

Found = tuple[str, str]  # the place and what is wrong there (an audit `Problem`)

OFFICE_EVENTS = frozenset({EventType.CAMPAIGN_LOADED, EventType.PERSON_ADDED,
                           EventType.PERSON_CHANGED, EventType.TRAYS_SET})

CASE_COLUMNS = ("person", "country", "embassy", "letter_destination", "postcard_destination")
EMBASSY_COLUMNS = ("country", "name", "address")


@dataclass(frozen=True)
class CampaignLoad:
    """One `campaign.loaded` event: a campaign file that came into force."""

    seq: int
    at: str
    campaign: str
    sha256: str | None  # None: the event holds no hash (the text is then checked on its own)
    name: str | None
    cases: tuple[str, ...]
    embassies: tuple[str, ...]


@dataclass
class PersonLife:
    """Someone who may sign in, as `person.added` and `person.changed` events say."""

    id: int
    name: str
    role: str
    active: bool
    added_at: str
    password_changes: int = 0


@dataclass
class Office:
    """The office's set-up after the events applied so far."""

    loads: list[CampaignLoad] = field(default_factory=list)
    people: dict[int, PersonLife] = field(default_factory=dict)
    trays: dict[str, tuple[str, int]] = field(default_factory=dict)  # destination → (label, event)

    def apply(self, event: EventLike) -> str | None:
        """Apply one event of `OFFICE_EVENTS`; what is wrong with it, or None."""
        if event.type not in OFFICE_EVENTS:
            return None
        payload = json.loads(event.payload)
        match event.type:
            case EventType.CAMPAIGN_LOADED:
                sha = payload.get("sha256")
                self.loads.append(CampaignLoad(event.seq, event.at, event.subject,
                                               str(sha) if sha is not None else None,
                                               payload.get("name"),
                                               tuple(str(c) for c in payload.get("cases", ())),
                                               tuple(str(e) for e in payload.get("embassies", ()))))
            case EventType.PERSON_ADDED:
                number = _number(event.subject)
                if number in self.people:
                    return f"adds person {number} a second time"
                self.people[number] = PersonLife(number, str(payload["name"]), str(payload["role"]),
                                                 True, event.at)
            case EventType.PERSON_CHANGED:
                person = self.people.get(_number(event.subject))
                if person is None:
                    return "changes a person the ledger never added"
                person.name = str(payload.get("name", person.name))
                if "role" in payload:
                    person.role = str(payload["role"])
                if "active" in payload:
                    if not isinstance(payload["active"], bool):
                        return f"sets access to {payload['active']!r}, not true or false"
                    person.active = payload["active"]
                if "password" in payload:
                    person.password_changes += 1
            case EventType.TRAYS_SET:
                for destination, label in dict(payload["trays"]).items():
                    self.trays[str(destination)] = (str(label), event.seq)
        return None


def _number(subject: str) -> int:
    kind, _, number = subject.partition(":")
    if kind != "person":
        raise ValueError(f"subject {subject!r} is not person:N")
    return int(number)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def same_instant(stored: object, at: str) -> bool:
    """Whether a time read from a table (a datetime, naive when the database keeps no zone: UTC
    then, as the store writes every time) is the instant an event's `at` says."""
    if isinstance(stored, str):
        try:
            stored = datetime.fromisoformat(stored)
        except ValueError:
            return False
    if not isinstance(stored, datetime):
        return False
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=UTC)
    return stored == datetime.fromisoformat(at)


# ------------------------------------------------------------ campaign files

@dataclass(frozen=True)
class Expected:
    """The case and embassy rows the campaign files loaded give: (campaign, code) → (values,
    the load that wrote them)."""

    cases: dict[tuple[str, str], tuple[dict[str, str], CampaignLoad]]
    embassies: dict[tuple[str, str], tuple[dict[str, str], CampaignLoad]]


def _version(load: CampaignLoad) -> str:
    sha = f", sha256 {load.sha256[:12]}…" if load.sha256 else ""
    return f"the campaign file loaded at event {load.seq}{sha}"


def versions_agree(office: Office, rows: Iterable[Any],
                   warnings: list[str]) -> tuple[Found | None, Expected]:
    """Every `campaign_version` row (in id order) must be the file its `campaign.loaded` event
    (in sequence order) loaded: the same campaign, a text that hashes to the event's SHA-256,
    the same name, loaded at the event's time. Returns the first problem, and the case and
    embassy rows those files give."""
    expected = Expected({}, {})
    loads = iter(office.loads)
    for row in rows:
        where = f"campaign_version row {row.id} (campaign {row.campaign_id})"
        load = next(loads, None)
        if load is None:
            return (where, "no campaign.loaded event in the ledger for it — a campaign file "
                                  "was added outside the ledger, and stations route with it"), expected
        campaign = _version_read(row, load, warnings)
        if isinstance(campaign, str):
            return (where, campaign), expected
        for embassy in campaign.embassies:
            expected.embassies[(campaign.id, embassy.code)] = (
                {"country": embassy.country, "name": embassy.name, "address": embassy.address}, load)
        for case in campaign.cases:
            expected.cases[(campaign.id, case.code)] = (
                {"person": case.person, "country": case.country, "embassy": case.embassy,
                 "letter_destination": letter_destination(case),
                 "postcard_destination": postcard_destination(case)}, load)
    missing = next(loads, None)
    if missing is not None:
        return (f"event {missing.seq}", f"campaign.loaded of {missing.campaign}: the ledger "
                                               "loaded this campaign file but campaign_version has "
                                               "no row for it"), expected
    return None, expected


def _version_read(row: Any, load: CampaignLoad, warnings: list[str]) -> Campaign | str:
    """The campaign of a `campaign_version` row, or what is wrong with the row."""
    if row.campaign_id != load.campaign:
        return (f"its campaign_id is {row.campaign_id!r} but {_version(load)} is of campaign "
                f"{load.campaign!r}")
    text_sha = campaign_digest(row.toml)
    if load.sha256 is None:
        warnings.append(f"campaign.loaded event {load.seq} holds no hash of its file: "
                        f"campaign_version row {row.id} checked against its own hash only")
    elif text_sha != load.sha256:
        return (f"its campaign text hashes to {text_sha[:12]}… but {_version(load)} — the "
                "stored campaign was edited, and stations route with it")
    if row.sha256 != text_sha:
        return f"its sha256 is {row.sha256!r} but its text hashes to {text_sha!r}"
    try:
        campaign = parse_campaign(row.toml)
    except CampaignError as exc:
        return f"its campaign text no longer reads ({exc})"
    facts: dict[str, object] = {"name": campaign.name, "deadline": campaign.deadline}
    if load.name is not None and load.name != campaign.name:
        return f"its text names the campaign {campaign.name!r} but {_version(load)} says {load.name!r}"
    if (load.cases, load.embassies) != (tuple(c.code for c in campaign.cases),
                                        tuple(e.code for e in campaign.embassies)):
        return f"its text does not give the cases and embassies {_version(load)} lists"
    for column, want in facts.items():
        have = getattr(row, column)
        if _text(have) != _text(want):
            return f"its {column} is {have!r} but its campaign text says {want!r}"
    if not same_instant(row.loaded_at, load.at):
        return f"its loaded_at is {row.loaded_at!r} but {_version(load)} at {load.at}"
    return campaign


def codes_agree(table: str, columns: tuple[str, ...],
                expected: dict[tuple[str, str], tuple[dict[str, str], CampaignLoad]],
                rows: Iterable[Any]) -> Found | None:
    """The `case_` or `embassy` rows must be exactly those the campaign files give."""
    noun = "case" if table == "case_" else "embassy"
    seen: set[tuple[str, str]] = set()
    for row in rows:
        key = (_text(row.campaign_id), _text(row.code))
        where = f"{noun} {key[1]} of campaign {key[0]} (table {table})"
        found = expected.get(key)
        if found is None:
            return (where, f"no campaign file loaded gives this {noun} — the row was added "
                                  "or its code changed outside the ledger")
        seen.add(key)
        values, load = found
        for column in columns:
            have = getattr(row, column)
            if _text(have) != values[column]:
                return (where, f"its {column} is {have!r} but {_version(load)} says "
                                      f"{values[column]!r}")
    for campaign, code in expected:
        if (campaign, code) not in seen:
            return (f"{noun} {code} of campaign {campaign} (table {table})",
                           f"{_version(expected[(campaign, code)][1])} gives this {noun} but the "
                           "table has no row for it")
    return None


# -------------------------------------------------------------------- people

def people_agree(office: Office, rows: Iterable[Any], login_of: Callable[[str], str]) -> Found | None:
    """Every `person` row must be who the events added, with the role, access and name the
    newest event gave (and the sign-in name folded from it), added when the event says."""
    seen: set[int] = set()
    for row in rows:
        where = f"person {row.id} ({row.login})"
        life = office.people.get(row.id)
        if life is None:
            return (where, "no person.added event in the ledger for this person — someone "
                                  "was let in outside the ledger")
        seen.add(row.id)
        facts: dict[str, object] = {"name": life.name, "login": login_of(life.name),
                                    "role": life.role, "active": life.active}
        for column, want in facts.items():
            have = getattr(row, column)
            if have != want:
                return (where, f"its {column} is {have!r} but the ledger says {want!r}")
        if not same_instant(row.created_at, life.added_at):
            return (where, f"its created_at is {row.created_at!r} but the ledger added this "
                                  f"person at {life.added_at}")
    for number, life in office.people.items():
        if number not in seen:
            return (f"person {number} ({life.name})",
                           "the ledger added this person but the person table has no row")
    return None


# --------------------------------------------------------------------- trays

def trays_agree(office: Office, rows: Iterable[Any]) -> Found | None:
    """The `tray` rows must be the labels the `trays.set` events gave, newest winning."""
    seen: set[str] = set()
    for row in rows:
        where = f"tray of {row.destination}"
        found = office.trays.get(row.destination)
        if found is None:
            return (where, "no trays.set event in the ledger gives this tray")
        seen.add(row.destination)
        label, seq = found
        if row.label != label:
            return (where, f"its label is {row.label!r} but the trays.set event {seq} "
                                  f"says {label!r}")
    for destination, (_, seq) in office.trays.items():
        if destination not in seen:
            return (f"tray of {destination}", f"the trays.set event {seq} sets this tray "
                                                     "but the tray table has no row for it")
    return None
