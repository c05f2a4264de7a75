"""What the events say of the campaign's records from elsewhere — online signature imports and
case outcomes — replayed, and the tables that mirror them checked against them.

Replaying checks that each import is numbered in turn, names cases of its campaign, counts
whole signatures over days in order and that its total is their sum, is not the same file
imported twice into the campaign, and is voided once at most; that each outcome is numbered in
turn, of a case of its campaign, of a known kind, dated no later than it was recorded, and
corrects (if it does) an earlier outcome of the same case that nothing corrected before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from models.events import EventLike, EventType
from scanpipe.domain.outcomes import Outcome

MAX_COUNT = 10_000_000  # as `scanpipe.reading.signature_files` refuses more in one row
# The events these records follow (the campaign's, for its cases).
RECORD_EVENTS = frozenset({EventType.CAMPAIGN_LOADED, EventType.SIGNATURES_IMPORTED,
                           EventType.SIGNATURES_VOIDED, EventType.CASE_OUTCOME})


@dataclass
class ImportLife:
    number: int
    campaign: str
    sha256: str
    counts: dict[tuple[str, str], tuple[int, str, str]]  # (case, source) → (count, first, last day)
    voided: bool = False


@dataclass(frozen=True)
class OutcomeLife:
    number: int
    campaign: str
    case: str
    outcome: str
    date: str
    source: str
    note: str | None
    corrects: int | None
    at: str
    actor: str


@dataclass
class Records:
    """The campaigns' cases, and every signature import and outcome, after the events so far."""

    cases: dict[str, frozenset[str]] = field(default_factory=dict)  # per campaign, as last loaded
    imports: dict[int, ImportLife] = field(default_factory=dict)
    outcomes: dict[int, OutcomeLife] = field(default_factory=dict)
    corrected: dict[int, int] = field(default_factory=dict)  # outcome → the outcome correcting it

    def apply(self, event: EventLike) -> str | None:
        """Apply one event of `RECORD_EVENTS`; what is wrong with it, or None."""
        if event.type not in RECORD_EVENTS:
            return None
        payload = json.loads(event.payload)
        match event.type:
            case EventType.CAMPAIGN_LOADED:
                self.cases[event.subject] = frozenset(str(c) for c in payload["cases"])
                return None
            case EventType.SIGNATURES_IMPORTED:
                return self._imported(event, payload)
            case EventType.SIGNATURES_VOIDED:
                return self._voided(event, payload)
            case EventType.CASE_OUTCOME:
                return self._outcome(event, payload)
        return None

    def _cases(self, campaign: str) -> frozenset[str] | None:
        return self.cases.get(campaign)

    def _imported(self, event: EventLike, payload: dict[str, Any]) -> str | None:
        number = _number(event.subject, "signatures")
        if number != len(self.imports) + 1:
            return f"import {number} where import {len(self.imports) + 1} comes next"
        campaign = str(payload["campaign"])
        cases = self._cases(campaign)
        if cases is None:
            return f"imports signatures into campaign {campaign}, which was never loaded"
        sha = str(payload["file_sha256"])
        again = [i.number for i in self.imports.values()
                 if i.campaign == campaign and i.sha256 == sha and not i.voided]
        if again:
            return f"imports the same file as import {again[0]}, which is not voided"
        counts: dict[tuple[str, str], tuple[int, str, str]] = {}
        for entry in payload["counts"]:
            case, source, count = str(entry["case"]), str(entry["source"]), entry["count"]
            first, last = date.fromisoformat(entry["first_date"]), date.fromisoformat(entry["last_date"])
            if case not in cases:
                return f"counts signatures for {case!r}, no case of campaign {campaign}"
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COUNT:
                return f"counts {count!r} signatures for {case}: not a whole number of signatures"
            if not source or first > last:
                return f"the signatures of {case} have no source, or their days are out of order"
            if (case, source) in counts:
                return f"counts {case} from {source} twice"
            counts[(case, source)] = (count, first.isoformat(), last.isoformat())
        if not counts:
            return "an import of no signatures"
        if payload["total"] != sum(c for c, _, _ in counts.values()):
            return f"says {payload['total']} signatures in all, but its counts give another sum"
        self.imports[number] = ImportLife(number, campaign, sha, counts)
        return None

    def _voided(self, event: EventLike, payload: dict[str, Any]) -> str | None:
        number = _number(event.subject, "signatures")
        found = self.imports.get(number)
        if found is None:
            return f"voids import {number}, which the ledger never recorded"
        if found.campaign != payload["campaign"]:
            return f"voids import {number} of campaign {found.campaign} in campaign {payload['campaign']}"
        if found.voided:
            return f"voids import {number} a second time"
        found.voided = True
        return None

    def _outcome(self, event: EventLike, payload: dict[str, Any]) -> str | None:
        number = _number(event.subject, "outcome")
        if number != len(self.outcomes) + 1:
            return f"outcome {number} where outcome {len(self.outcomes) + 1} comes next"
        campaign, case = str(payload["campaign"]), str(payload["case"])
        if case not in (self._cases(campaign) or ()):
            return f"an outcome of {case!r}, no case of campaign {campaign}"
        Outcome(payload["outcome"])  # an unknown kind is a ValueError: the replay names it
        day = date.fromisoformat(payload["date"])
        if day > datetime.fromisoformat(event.at).date():
            return f"dated {day.isoformat()}, after it was recorded"
        corrects = payload.get("corrects")
        if corrects is not None:
            earlier = self.outcomes.get(corrects)
            if earlier is None or earlier.case != case or earlier.campaign != campaign:
                return f"corrects outcome {corrects}, which is no outcome of {case} in {campaign}"
            if corrects in self.corrected:
                return f"corrects outcome {corrects}, which outcome {self.corrected[corrects]} corrected"
            self.corrected[corrects] = number
        self.outcomes[number] = OutcomeLife(number, campaign, case, str(payload["outcome"]),
                                            day.isoformat(), str(payload["source"]),
                                            payload.get("note"), corrects, event.at, event.actor)
        return None


def _number(subject: str, prefix: str) -> int:
    kind, _, number = subject.partition(":")
    if kind != prefix:
        raise ValueError(f"subject {subject!r} is not {prefix}:N")
    return int(number)


# ------------------------------------------------------------ tables vs events

SIGNATURE_COLUMNS = ("id", "campaign_id", "import_seq", "case_code", "source", "count", "first_date",
                     "last_date", "file_sha256", "voided")
OUTCOME_COLUMNS = ("id", "campaign_id", "case_code", "outcome", "outcome_date", "source", "note",
                   "corrects", "recorded_at", "recorded_by")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def records_agree(records: Records, signatures: Iterable[Any], outcomes: Iterable[Any],
                  get: Callable[[Any, str], Any] = getattr) -> tuple[str, str] | None:
    """Every `online_signatures` and `case_outcome` row must be what the events say, and every
    count and outcome of the events must have its row. Returns (where, what is wrong) or None."""
    seen: set[tuple[int, str, str]] = set()
    for row in signatures:
        where = f"online_signatures row {get(row, 'id')}"
        try:
            number = int(get(row, "import_seq"))
        except (TypeError, ValueError):
            return where, f"its import_seq is {get(row, 'import_seq')!r}, not a number"
        life = records.imports.get(number)
        key = (number, _text(get(row, "case_code")), _text(get(row, "source")))
        if life is None or (key[1], key[2]) not in life.counts:
            return where, (f"import {number} of the ledger counts nothing for {key[1]!r} from "
                           f"{key[2]!r} — the row was added or changed outside the ledger")
        if key in seen:
            return where, f"a second row for import {number}, {key[1]} from {key[2]}"
        seen.add(key)
        count, first, last = life.counts[(key[1], key[2])]
        facts: dict[str, object] = {"campaign_id": life.campaign, "count": count, "first_date": first,
                                    "last_date": last, "file_sha256": life.sha256,
                                    "voided": life.voided}
        for column, want in facts.items():
            have = get(row, column)
            if _text(have) != _text(want) and not (column == "voided" and _same_flag(have, life.voided)):
                return where, (f"its {column} is {have!r} but the ledger says {want!r} "
                               f"(import {number}, {key[1]} from {key[2]})")
    for life in records.imports.values():
        for case, source in life.counts:
            if (life.number, case, source) not in seen:
                return (f"signatures import {life.number}",
                        f"the ledger counts {case} from {source} but online_signatures has no row for it")
    numbers: set[int] = set()
    for row in outcomes:
        where = f"case_outcome row {get(row, 'id')}"
        try:
            number = int(get(row, "id"))
        except (TypeError, ValueError):
            return where, "its id is not a number"
        outcome = records.outcomes.get(number)
        if outcome is None:
            return where, "no case.outcome event in the ledger for it — the row was added outside the ledger"
        numbers.add(number)
        facts = {"campaign_id": outcome.campaign, "case_code": outcome.case, "outcome": outcome.outcome,
                 "outcome_date": outcome.date, "source": outcome.source, "note": outcome.note,
                 "corrects": outcome.corrects, "recorded_at": outcome.at, "recorded_by": outcome.actor}
        for column, want in facts.items():
            if _text(get(row, column)) != _text(want):
                return where, f"its {column} is {get(row, column)!r} but the ledger says {want!r}"
    for number in records.outcomes:
        if number not in numbers:
            return f"outcome {number}", "the ledger records this outcome but case_outcome has no row for it"
    return None


def _same_flag(have: object, want: bool) -> bool:
    """A boolean as a table or a CSV file holds it (True, 1, "1", "true")."""
    return _text(have).lower() in (("true", "1") if want else ("false", "0"))
