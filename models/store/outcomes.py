"""The store's verbs for case outcomes (part of `models.store.Store`): what became of a case.

Each outcome is a `case.outcome` event with its row in `case_outcome`, in one transaction. A
case may have several (a sentence reduced, then the person freed); a wrong one is corrected by a
new outcome that names it (`corrects`), never by an edit: the corrected one stays, superseded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from models.events import EventType
from models.store import tables as t
from models.store.core import StoreCore
from models.store.ledger import lock_ledger
from scanpipe.domain.campaign import Campaign
from scanpipe.domain.outcomes import Outcome, check_day

MAX_SOURCE = 500
MAX_NOTE = 2000


class RecordRefused(ValueError):
    """Bad input for a record of the campaign (an outcome, a signatures import): the message
    says what is wrong and what to do."""


class RecordStateRefused(RecordRefused):
    """The ledger cannot do it as it stands (no such import, voided already, corrected already)."""


@dataclass(frozen=True)
class OutcomeView:
    number: int
    case: str
    outcome: Outcome
    on: date
    source: str
    note: str | None
    corrects: int | None
    corrected_by: int | None  # the newer outcome that corrects this one, if any
    recorded_at: str
    recorded_by: str


def _text(value: str | None, what: str, limit: int, *, required: bool) -> str | None:
    text = " ".join((value or "").split())
    if not text:
        if required:
            raise RecordRefused(f"the {what} is empty: say where the news comes from")
        return None
    if len(text) > limit:
        raise RecordRefused(f"the {what} is longer than {limit} characters")
    return text


class OutcomeVerbs(StoreCore):
    """Record and list case outcomes."""

    def record_outcome(self, campaign: Campaign, case: str, outcome: Outcome, on: date, *,
                       source: str, note: str | None = None, corrects: int | None = None,
                       actor: str, station: str) -> OutcomeView:
        """Record what became of `case` on day `on`, from `source`; `corrects`: the number of an
        outcome of the same case this one replaces. Raises `RecordRefused` saying why."""
        codes = {c.code for c in campaign.cases}
        if case not in codes:
            raise RecordRefused(f"{case!r} is no case of campaign {campaign.id}: "
                                f"one of {', '.join(sorted(codes))}")
        now, at = self.now()
        try:
            check_day(on, campaign, now.date())
        except ValueError as exc:
            raise RecordRefused(f"the outcome's date: {exc}") from None
        source_text = _text(source, "source", MAX_SOURCE, required=True)
        note_text = _text(note, "note", MAX_NOTE, required=False)
        with self.transaction() as session:
            lock_ledger(session)
            if corrects is not None:
                self._check_corrects(session, campaign.id, case, corrects)
            number = session.exec(select(func.count()).select_from(t.Event).where(
                t.Event.type == EventType.CASE_OUTCOME.value)).one() + 1
            row = t.CaseOutcomeRow(id=number, campaign_id=campaign.id, case_code=case,
                                   outcome=outcome.value, outcome_date=on, source=source_text or "",
                                   note=note_text, corrects=corrects, recorded_at=at,
                                   recorded_by=actor)
            session.add(row)
            self._append(session, at, actor, station, EventType.CASE_OUTCOME, f"outcome:{number}",
                         {"campaign": campaign.id, "case": case, "outcome": outcome.value,
                          "date": on.isoformat(), "source": source_text, "note": note_text,
                          "corrects": corrects})
        return _view(row, None)

    def _check_corrects(self, session: Session, campaign_id: str, case: str, number: int) -> None:
        earlier = session.get(t.CaseOutcomeRow, number)
        if earlier is None or earlier.campaign_id != campaign_id:
            raise RecordStateRefused(f"there is no outcome {number} in campaign {campaign_id}: "
                                     "'scanpipe outcome list' shows their numbers")
        if earlier.case_code != case:
            raise RecordStateRefused(f"outcome {number} is of case {earlier.case_code}, not {case}")
        newer = session.exec(select(t.CaseOutcomeRow.id)
                             .where(t.CaseOutcomeRow.corrects == number)).first()
        if newer is not None:
            raise RecordStateRefused(f"outcome {number} was corrected already by outcome {newer}: "
                                     f"correct {newer} instead")

    def outcomes(self, campaign_id: str) -> list[OutcomeView]:
        """The campaign's outcomes, oldest record first, each with what corrects it."""
        with Session(self.engine) as session:
            rows = session.exec(select(t.CaseOutcomeRow)
                                .where(t.CaseOutcomeRow.campaign_id == campaign_id)
                                .order_by(col(t.CaseOutcomeRow.id))).all()
        corrected = {r.corrects: r.id for r in rows if r.corrects is not None}
        return [_view(r, corrected.get(r.id)) for r in rows]


def _view(row: t.CaseOutcomeRow, corrected_by: int | None) -> OutcomeView:
    return OutcomeView(row.id, row.case_code, Outcome(row.outcome), row.outcome_date, row.source,
                       row.note, row.corrects, corrected_by, row.recorded_at, row.recorded_by)


def standing(outcomes: list[OutcomeView]) -> dict[str, list[OutcomeView]]:
    """Per case, its outcomes not corrected by another, by date then record."""
    found: dict[str, list[OutcomeView]] = {}
    for view in sorted(outcomes, key=lambda v: (v.on, v.number)):
        if view.corrected_by is None:
            found.setdefault(view.case, []).append(view)
    return found
