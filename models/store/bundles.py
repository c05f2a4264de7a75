"""Bundles: routed pieces handed over together, and every step of their delivery.

A coordinator closes a bundle for one destination (an embassy, or where a case's
postcards go) from the routed pieces not yet bundled. Its life:

    prepared ─→ dispatched ─→ delivered
        │  ╲         ├─→ refused ─┐
        │   ╲        └─→ returned ┤─→ dispatched again, or voided
        │    ╲──────────→ delivered / refused (handed over on the spot)
        └─→ voided (its pieces are free to be bundled again)

The states and steps are `models.events.BundleState` and `BUNDLE_STEPS`. Every step is a
ledger event written in the same transaction as the rows, and a piece is in one bundle at
most: the pieces point at their bundle, and closing takes the ledger's lock before it
chooses them, so two coordinators closing at once never share a piece.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Literal, overload

from sqlalchemy import case as sql_case
from sqlalchemy import func, literal, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models.events import BUNDLE_STEPS, PIECE_KINDS, BundleState, EventType, known_sum
from models.store import tables as t
from models.store.core import StoreCore, all_rows, stored_id
from models.store.ledger import lock_ledger
from scanpipe.domain.errors import CodedError
from scanpipe.domain.routing import Decision, Finding, Kind, Reason, Status

_CHUNK = 900  # ids per statement: far under every database's limit on parameters
_TEXT_LIMIT = 200


class DispatchMethod(StrEnum):
    HAND = "hand"
    POST = "post"


class BundleError(CodedError):
    """A bundle step that cannot be taken; the message says why and what to do."""


class NothingToBundle(BundleError):
    pass


@dataclass(frozen=True)
class BundleLine:
    """One case's pieces in a bundle."""

    case: str
    person: str
    letters: int             # to the authority
    postcards: int
    petitions: int
    signatures: int | None  # None when a petition sheet of the case was not counted
    solidarity_letters: int  # letters to the person: they travel with the postcards


@dataclass(frozen=True)
class BundleView:
    bundle: t.Bundle
    lines: tuple[BundleLine, ...]
    item_ids: tuple[int, ...]
    late_ids: tuple[int, ...]

    @property
    def id(self) -> int:
        assert self.bundle.id is not None  # a stored bundle
        return self.bundle.id

    @property
    def state(self) -> BundleState:
        return BundleState(self.bundle.state)

    @property
    def totals(self) -> dict[str, Any]:
        return {"letters": sum(x.letters for x in self.lines),
                "solidarity_letters": sum(x.solidarity_letters for x in self.lines),
                "postcards": sum(x.postcards for x in self.lines),
                "petitions": sum(x.petitions for x in self.lines),
                "signatures": known_sum([x.signatures for x in self.lines if x.petitions]),
                "pieces": len(self.item_ids)}


@dataclass(frozen=True)
class Pending:
    """Routed pieces of one destination waiting for a bundle."""

    destination: str
    letters: int
    solidarity_letters: int
    postcards: int
    petitions: int
    late: int

    @property
    def pieces(self) -> int:
        return self.letters + self.solidarity_letters + self.postcards + self.petitions


@dataclass(frozen=True)
class DeliveryProgress:
    """How far the routed pieces of one case and destination got."""

    case: str
    destination: str
    routed: int
    bundled: int
    dispatched: int
    delivered: int
    refused_or_returned: int
    # The routed pieces per kind: at a postcard destination, letters to the person apart.
    letters: int
    solidarity_letters: int
    postcards: int
    petitions: int


@overload
def clean_text(value: str | None, what: str, *, required: Literal[True]) -> str: ...


@overload
def clean_text(value: str | None, what: str, *, required: bool) -> str | None: ...


def clean_text(value: str | None, what: str, *, required: bool) -> str | None:
    """A person's words for the ledger: trimmed, one line, not too long."""
    value = " ".join((value or "").split())
    if not value:
        if required:
            raise BundleError(f"{what} is needed", "needed", what=what)
        return None
    if len(value) > _TEXT_LIMIT:
        raise BundleError(f"{what} is too long ({len(value)} characters; {_TEXT_LIMIT} at most)",
                          "too_long", what=what)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise BundleError(f"{what} holds control characters", "control", what=what)
    return value


def _lines(rows: Iterable[tuple[str | None, str, int | None]],
           persons: dict[str, str]) -> tuple[BundleLine, ...]:
    """Counts per case from (case, kind, signatures) rows. A piece without a case is in no line:
    one of a void bundle that was taken back to review since."""
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    signed: dict[str, list[int | None]] = defaultdict(list)
    for case, kind, signatures in rows:
        if case is None:
            continue
        kinds[case][kind] += 1
        if kind == Kind.PETITION.value:
            signed[case].append(signatures)
    lines = []
    for case in sorted(kinds):
        counts = signed[case]
        lines.append(BundleLine(case, persons.get(case, case), kinds[case][Kind.LETTER.value],
                                kinds[case][Kind.POSTCARD.value], kinds[case][Kind.PETITION.value],
                                known_sum(counts),
                                kinds[case][Kind.SOLIDARITY_LETTER.value]))
    return tuple(lines)


def _line_json(line: BundleLine) -> dict[str, Any]:
    return {"case": line.case, "letters": line.letters,
            "solidarity_letters": line.solidarity_letters, "postcards": line.postcards,
            "petitions": line.petitions, "signatures": line.signatures}


class BundleVerbs(StoreCore):
    """The store's verbs for bundles (mixed into `models.store.Store`)."""

    # ----------------------------------------------------------------- reads

    def _persons(self, session: Session) -> dict[str, str]:
        return {row.code: row.person for row in session.exec(
            select(t.CaseRow).where(t.CaseRow.campaign_id == self.campaign_id))}

    def _own_bundle(self, session: Session, bundle_id: int) -> t.Bundle:
        """Bundle `bundle_id` of the store's campaign; `BundleError` if there is none."""
        bundle = session.get(t.Bundle, bundle_id)
        if bundle is None:
            raise BundleError(f"there is no bundle {bundle_id}: 'scanpipe bundle list' shows them",
                              "no_bundle", id=bundle_id)
        if bundle.campaign_id != self.campaign_id:
            raise BundleError(f"bundle {bundle_id} is of campaign {bundle.campaign_id}, not "
                              f"{self.campaign_id}: choose its campaign with --campaign-id "
                              f"{bundle.campaign_id}", "other_campaign", id=bundle_id,
                              campaign=bundle.campaign_id)
        return bundle

    def pending(self, *, late_after: datetime | None = None) -> list[Pending]:
        """Per destination, the routed pieces not yet in a bundle."""
        late = (func.sum(sql_case((col(t.Item.scanned_at) >= late_after.astimezone(UTC), 1),
                                  else_=0))
                if late_after is not None else literal(0))
        with Session(self.engine) as session:
            rows = session.exec(
                select(col(t.Item.destination), col(t.Item.kind), func.count(), late)
                .where(t.Item.campaign_id == self.campaign_id,
                       t.Item.status == Status.ROUTED.value, col(t.Item.bundle_id).is_(None),
                       col(t.Item.kind).in_(PIECE_KINDS), col(t.Item.destination).is_not(None))
                .group_by(col(t.Item.destination), col(t.Item.kind))).all()
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for destination, kind, count, late_count in rows:
            assert destination is not None  # selected so
            counts[destination][kind] += count
            counts[destination]["late"] += int(late_count or 0)
        return [Pending(d, c[Kind.LETTER.value], c[Kind.SOLIDARITY_LETTER.value],
                        c[Kind.POSTCARD.value], c[Kind.PETITION.value], c["late"])
                for d, c in sorted(counts.items())]

    def bundles(self, *, state: BundleState | None = None,
                destination: str | None = None) -> list[t.Bundle]:
        with Session(self.engine) as session:
            query = select(t.Bundle).where(t.Bundle.campaign_id == self.campaign_id) \
                .order_by(col(t.Bundle.id))
            if state is not None:
                query = query.where(t.Bundle.state == state.value)
            if destination is not None:
                query = query.where(t.Bundle.destination == destination)
            return list(session.exec(query).all())

    def bundle(self, bundle_id: int) -> BundleView:
        """One bundle with its pieces and counts; raises `BundleError` if there is none."""
        with Session(self.engine) as session:
            bundle = self._own_bundle(session, bundle_id)
            closed = session.exec(select(t.Event).where(
                t.Event.subject == f"bundle:{bundle_id}",
                t.Event.type == EventType.BUNDLE_CLOSED.value)).first()
            recorded: dict[str, Any] = (json.loads(closed.payload) if closed
                                        else {"items": [], "late": []})
            columns = (stored_id(t.Item.id), col(t.Item.case_code), col(t.Item.kind),
                       col(t.Item.signatures))
            rows: list[tuple[int, str | None, str, int | None]] = []
            if bundle.state == BundleState.VOID.value:
                # Its pieces were released (and may be in another bundle): read them as closed.
                ids = recorded["items"]
                for start in range(0, len(ids), _CHUNK):
                    rows += session.exec(select(*columns)
                                         .where(col(t.Item.id).in_(ids[start:start + _CHUNK]))).all()
            else:
                rows += session.exec(select(*columns)
                                     .where(t.Item.bundle_id == bundle_id)
                                     .order_by(col(t.Item.id))).all()
            persons = self._persons(session)
        lines = _lines(((case, kind, signed) for _, case, kind, signed in rows), persons)
        return BundleView(bundle, lines, tuple(sorted(row[0] for row in rows)),
                          tuple(recorded.get("late", [])))

    def bundle_events(self, bundle_id: int) -> list[t.Event]:
        with Session(self.engine) as session:
            return list(session.exec(select(t.Event).where(t.Event.subject == f"bundle:{bundle_id}")
                                     .order_by(col(t.Event.seq))).all())

    def delivery_progress(self) -> list[DeliveryProgress]:
        """Per case and destination: pieces routed, bundled, dispatched and delivered.

        Each count includes the next (a delivered piece was also dispatched and bundled).
        """
        with Session(self.engine) as session:
            rows = all_rows(session, sa_select(
                col(t.Item.case_code), col(t.Item.destination), col(t.Item.kind), col(t.Bundle.state),
                func.count())
                .join(t.Bundle, col(t.Item.bundle_id) == t.Bundle.id, isouter=True)
                .where(col(t.Item.campaign_id) == self.campaign_id,
                       col(t.Item.status) == Status.ROUTED.value, col(t.Item.kind).in_(PIECE_KINDS),
                       col(t.Item.case_code).is_not(None))
                .group_by(col(t.Item.case_code), col(t.Item.destination), col(t.Item.kind),
                          col(t.Bundle.state)))
        # State None: not in a bundle (the outer join found none).
        table: dict[tuple[str, str], Counter[str | None]] = defaultdict(Counter)
        kinds: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for case, destination, kind, state, count in rows:
            assert case is not None and destination is not None  # a routed piece of a case
            table[(case, destination)][state] += count
            kinds[(case, destination)][kind] += count
        out = []
        for (case, destination), by_state in sorted(table.items()):
            delivered = by_state[BundleState.DELIVERED.value]
            dispatched = by_state[BundleState.DISPATCHED.value] + delivered
            back = by_state[BundleState.REFUSED.value] + by_state[BundleState.RETURNED.value]
            bundled = dispatched + back + by_state[BundleState.PREPARED.value]
            of = kinds[(case, destination)]
            out.append(DeliveryProgress(case, destination, sum(by_state.values()), bundled,
                                        dispatched, delivered, back, of[Kind.LETTER.value],
                                        of[Kind.SOLIDARITY_LETTER.value], of[Kind.POSTCARD.value],
                                        of[Kind.PETITION.value]))
        return out

    # ---------------------------------------------------------------- writes

    def close_bundle(self, destination: str, *, actor: str, station: str,
                     late_after: datetime | None = None) -> BundleView:
        """Put every routed piece of `destination` not yet in a bundle into a new bundle.

        `late_after`: the moment the campaign's deadline passed; pieces scanned after
        it are flagged (they are bundled all the same). Raises `NothingToBundle`.
        """
        campaign = self.working_campaign()
        with self.transaction() as session:
            lock_ledger(session)  # PostgreSQL: one closer at a time (SQLite: BEGIN IMMEDIATE)
            rows = all_rows(session, sa_select(
                stored_id(t.Item.id), col(t.Item.case_code), col(t.Item.kind), col(t.Item.signatures),
                col(t.Item.scanned_at))
                .where(col(t.Item.campaign_id) == campaign,
                       col(t.Item.status) == Status.ROUTED.value, col(t.Item.destination) == destination,
                       col(t.Item.bundle_id).is_(None), col(t.Item.kind).in_(PIECE_KINDS))
                .order_by(col(t.Item.id)))
            if not rows:
                raise NothingToBundle(f"no routed piece for {destination} is waiting for a bundle",
                                      "nothing_to_bundle", destination=destination)
            ids = [row[0] for row in rows]
            late = [row[0] for row in rows
                    if late_after is not None and row[4] >= late_after]
            now, at = self.now()
            bundle = t.Bundle(campaign_id=campaign, destination=destination, state=BundleState.PREPARED.value,
                              pieces=len(ids), late=len(late), created_at=now, created_by=actor,
                              changed_at=now)
            session.add(bundle)
            session.flush()
            taken = 0
            for start in range(0, len(ids), _CHUNK):
                result = session.exec(update(t.Item)
                                      .where(col(t.Item.id).in_(ids[start:start + _CHUNK]),
                                             col(t.Item.bundle_id).is_(None))
                                      .values(bundle_id=bundle.id))
                taken += result.rowcount
            if taken != len(ids):  # cannot happen under the lock; never let it pass silently
                raise BundleError("some of these pieces were bundled by someone else at the same "
                                  "moment; nothing was changed — try again", "race")
            lines = _lines(((case, kind, signed) for _, case, kind, signed, _ in rows),
                           self._persons(session))
            view = BundleView(bundle, lines, tuple(ids), tuple(late))
            self._append(session, at, actor, station, EventType.BUNDLE_CLOSED, f"bundle:{bundle.id}",
                         {"campaign": campaign, "destination": destination, "items": ids, "late": late,
                          "lines": [_line_json(x) for x in lines], "totals": view.totals})
        return view

    def _step(self, bundle_id: int, step: EventType, *, actor: str, station: str,
              payload: dict[str, Any], **fields: Any) -> t.Bundle:
        with self.transaction() as session:
            lock_ledger(session)
            bundle = self._own_bundle(session, bundle_id)
            self._apply_step(session, bundle, step, actor=actor, station=station, payload=payload,
                             **fields)
            return bundle

    def _apply_step(self, session: Session, bundle: t.Bundle, step: EventType, *, actor: str,
                    station: str, payload: dict[str, Any], at: tuple[datetime, str] | None = None,
                    **fields: Any) -> None:
        state, rule = BundleState(bundle.state), BUNDLE_STEPS[step]
        if state not in rule.starts:
            allowed = ", ".join(sorted(s.value for s in rule.starts))
            raise BundleError(f"bundle {bundle.id} is {state.value}: it can be "
                              f"{rule.to.value} only when {allowed}", "state",
                              id=bundle.id, state=state.value, to=rule.to.value)
        now, stamp = at or self.now()
        bundle.state = rule.to.value
        bundle.changed_at = now
        for name, value in fields.items():
            setattr(bundle, name, value)
        session.add(bundle)
        if step is EventType.BUNDLE_VOIDED:
            session.exec(update(t.Item).where(col(t.Item.bundle_id) == bundle.id)
                         .values(bundle_id=None))
        self._append(session, stamp, actor, station, step, f"bundle:{bundle.id}",
                     {"state": rule.to.value, "from": state.value, **payload})

    def dispatch_bundle(self, bundle_id: int, *, method: DispatchMethod, tracking: str | None,
                        actor: str, station: str) -> t.Bundle:
        """Record that the bundle left the office: by hand, or by post with its tracking number."""
        tracking = clean_text(tracking, "the tracking number", required=method is DispatchMethod.POST)
        return self._step(bundle_id, EventType.BUNDLE_DISPATCHED, actor=actor, station=station,
                          payload={"method": method.value, "tracking": tracking},
                          method=method.value, tracking=tracking)

    def deliver_bundle(self, bundle_id: int, *, received_by: str | None, received_on: date,
                       actor: str, station: str, receipt_item: int | None = None,
                       outside_season: bool = False) -> t.Bundle:
        """Record that the bundle was received: by whom (a name, or the signed sheet), when.
        `outside_season`: the person confirmed a day after the campaign's season (the event
        says so: ``"outside_season": true``)."""
        received_by = clean_text(received_by, "the name of who received it",
                                 required=receipt_item is None)
        if receipt_item is not None:
            with Session(self.engine) as session:
                item = session.get(t.Item, receipt_item)
            if item is None or item.campaign_id != self.campaign_id:
                raise BundleError(f"there is no item {receipt_item:07d} to keep as the receipt",
                                  "no_receipt", item=receipt_item)
        return self._step(bundle_id, EventType.BUNDLE_DELIVERED, actor=actor, station=station,
                          payload={"received_by": received_by, "received_on": received_on.isoformat(),
                                   "receipt_item": receipt_item,
                                   **({"outside_season": True} if outside_season else {})},
                          received_by=received_by, received_on=received_on,
                          receipt_item_id=receipt_item)

    def refuse_bundle(self, bundle_id: int, *, reason: str, actor: str, station: str) -> t.Bundle:
        reason = clean_text(reason, "the reason", required=True)
        return self._step(bundle_id, EventType.BUNDLE_REFUSED, actor=actor, station=station,
                          payload={"reason": reason}, note=reason)

    def return_bundle(self, bundle_id: int, *, reason: str, actor: str, station: str) -> t.Bundle:
        reason = clean_text(reason, "the reason", required=True)
        return self._step(bundle_id, EventType.BUNDLE_RETURNED, actor=actor, station=station,
                          payload={"reason": reason}, note=reason)

    def void_bundle(self, bundle_id: int, *, reason: str, actor: str, station: str) -> t.Bundle:
        """Undo a bundle that was not delivered: its pieces may be bundled again."""
        reason = clean_text(reason, "the reason", required=True)
        return self._step(bundle_id, EventType.BUNDLE_VOIDED, actor=actor, station=station,
                          payload={"reason": reason}, note=reason)

    def record_sheet_issued(self, bundle_id: int, *, document: str, lang: str, issued_on: date,
                            pdf_sha256: str, totals: dict[str, Any], actor: str, station: str) -> None:
        """A delivery sheet, forwarding manifest or label of a bundle was written."""
        with self.transaction() as session:
            _, at = self.now()
            self._append(session, at, actor, station, EventType.SHEET_ISSUED, f"bundle:{bundle_id}",
                         {"document": document, "lang": lang, "issued_on": issued_on.isoformat(),
                          "pdf_sha256": pdf_sha256, "totals": totals})

    # ------------------------------------------------------------- receipts

    def receipt_decision(self, session: Session, decision: Decision) -> Decision:
        """A delivery sheet scanned back: review unless its bundle can take it (in the caller's
        transaction, as `take_receipt`)."""
        if decision.kind is not Kind.DELIVERY_RECEIPT or decision.status is not Status.ROUTED:
            return decision
        lock_ledger(session)  # see the bundle as it is now, and keep it so until the commit
        bundle = session.get(t.Bundle, decision.bundle_serial) if decision.bundle_serial else None
        if bundle is not None and bundle.campaign_id != self.campaign_id:
            bundle = None  # its sheet's code names this campaign: another's bundle is not it
        if bundle is None:
            finding = Finding(Reason.UNKNOWN_BUNDLE,
                              f"this ledger has no bundle {decision.bundle_serial}")
        elif (bundle.state != BundleState.DELIVERED.value
              and BundleState(bundle.state) not in BUNDLE_STEPS[EventType.BUNDLE_DELIVERED].starts):
            finding = Finding(Reason.BUNDLE_NOT_DELIVERABLE, f"bundle {bundle.id} is {bundle.state}")
        else:
            return decision
        return replace(decision, status=Status.REVIEW, method=None, confidence=0.0,
                       findings=(finding, *decision.findings))

    def take_receipt(self, session: Session, decision: Decision, *, item_id: int, image_sha256: str,
                     page: int, when: tuple[datetime, str], station: str, operator: str) -> None:
        """The signed first page of a delivery sheet (item `item_id`) marks its bundle delivered."""
        if (decision.kind is not Kind.DELIVERY_RECEIPT or decision.status is not Status.ROUTED
                or Reason.RECEIPT_APPENDIX.value in decision.reasons):
            return
        bundle = session.get(t.Bundle, decision.bundle_serial)
        if (bundle is None or bundle.campaign_id != self.campaign_id
                or bundle.state == BundleState.DELIVERED.value):
            return  # a second copy of a receipt already taken: kept as a piece, nothing changes
        received_on = when[0].astimezone().date()
        self._apply_step(session, bundle, EventType.BUNDLE_DELIVERED, actor=operator,
                         station=station, at=when,
                         payload={"received_by": None, "received_on": received_on.isoformat(),
                                  "receipt_item": item_id, "receipt_image": image_sha256,
                                  "receipt_page": page},
                         received_on=received_on, receipt_item_id=item_id)
