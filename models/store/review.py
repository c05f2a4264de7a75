"""Settling pieces in review, and taking a decision back — both new ledger events.

A decision never edits the event it settles: `item.decided` carries the piece's
new state and the event it follows; `item.undone` carries the state before the
decision again and the decision it takes back. The item row is what the newest
of these events says, as for the machine's own decisions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.audit.evidence import join_words
from models.events import STATE_EVENTS, EventType
from models.store import tables as t
from models.store.core import StoreCore
from models.store.ledger import lock_ledger
from scanpipe.domain.campaign import Campaign
from scanpipe.domain.errors import CodedError
from scanpipe.domain.routing import Kind, Method, Reason, Status, destination_for

# The kinds a person can give a piece when choosing its case; `destination_for` sends each
# where it goes (a letter to the person where the case's postcards go, never to the embassy).
CASE_KINDS = (Kind.LETTER, Kind.SOLIDARITY_LETTER, Kind.POSTCARD, Kind.PETITION)


class ReviewError(CodedError):
    """A review action that cannot be done now; the message says why."""


class Verdict(StrEnum):
    CASE = "case"                  # route to a case (with a kind)
    NOT_CAMPAIGN = "not_campaign"  # not one of the campaign's pieces: set aside, not counted
    UNREADABLE = "unreadable"      # cannot be told: set aside for later


@dataclass(frozen=True)
class Choice:
    """What a person decided about one piece."""

    verdict: Verdict
    case: str | None = None
    kind: Kind | None = None
    signatures: int | None = None


@dataclass(frozen=True)
class ReviewPiece:
    """A piece as the review screen shows it: the item and the evidence of its last state."""

    item: t.Item
    state: dict[str, Any]  # the payload of the newest state event (reasons, evidence, candidates)
    state_seq: int  # that event's sequence number


@dataclass(frozen=True)
class Undone:
    item_id: int
    status: str
    decided_seq: int


@dataclass(frozen=True)
class MyDecision:
    """One decision a person made, as the review screen lists it: what it did, and whether
    it can still be taken back (it is still the piece's newest state and the piece is in no
    bundle) or has been already (`undone`)."""

    seq: int
    at: str
    item_id: int
    verdict: str  # "case", "not_campaign" or "unreadable" (from the state it gave)
    kind: str
    status: str
    case: str | None
    destination: str | None
    reasons: list[str]
    signatures: int | None
    undone: bool
    undoable: bool


def state_event(session: Session, item_id: int) -> t.Event | None:
    """The newest event that set the item's routing state (None: never decided)."""
    return session.exec(select(t.Event)
                        .where(t.Event.subject == f"item:{item_id}",
                               col(t.Event.type).in_([e.value for e in STATE_EVENTS]))
                        .order_by(col(t.Event.seq).desc()).limit(1)).first()


def _apply(item: t.Item, state: dict[str, Any]) -> None:
    """Make the item row say what a state event says."""
    item.kind = state["kind"]
    item.status = state["status"]
    item.case_code = state["case"]
    item.destination = state["destination"]
    item.method = state["method"]
    item.confidence = state["confidence"]
    item.reasons = json.dumps(state["reasons"])
    item.signatures = state["signatures"]


def decided_state(item: t.Item, choice: Choice, campaign: Campaign, follows: int) -> dict[str, Any]:
    """The state a person's choice gives a piece, in the shape of every state event."""
    base: dict[str, Any] = {"evidence": [], "kit": None, "bundle": None, "candidates": [], "follows": follows,
            "method": Method.MANUAL.value, "confidence": 1.0}
    match choice.verdict:
        case Verdict.CASE:
            case = campaign.case(choice.case) if choice.case else None
            if case is None:
                raise ReviewError(f"no case {choice.case!r} in campaign {campaign.id}",
                                  "no_case", case=choice.case or "")
            kind = choice.kind or (Kind(item.kind) if item.kind in CASE_KINDS else Kind.LETTER)
            if kind not in CASE_KINDS:
                raise ReviewError("a piece routed to a case is a letter to the authority, a letter "
                                  f"to the person, a postcard or a petition sheet, not {kind}",
                                  "wrong_kind", kind=kind.value)
            if choice.signatures is not None and not 0 <= choice.signatures <= 1000:
                raise ReviewError("a petition sheet has between 0 and 1000 signatures",
                                  "signatures_range")
            destination = destination_for(case, kind)
            signatures = choice.signatures if kind is Kind.PETITION else None
            if kind is Kind.PETITION and signatures is None and item.kind == Kind.PETITION.value:
                signatures = item.signatures
            return {**base, "kind": kind.value, "case": case.code, "destination": destination,
                    "status": Status.ROUTED.value, "reasons": [Reason.DECIDED_BY_HAND.value],
                    "signatures": signatures}
        case Verdict.NOT_CAMPAIGN | Verdict.UNREADABLE:
            reason = (Reason.NOT_A_CAMPAIGN_PIECE if choice.verdict is Verdict.NOT_CAMPAIGN
                      else Reason.SET_ASIDE_UNREADABLE)
            return {**base, "kind": item.kind, "case": None, "destination": None,
                    "status": Status.REJECTED.value, "reasons": [reason.value], "signatures": None}


class ReviewVerbs(StoreCore):
    """The store's verbs for the review screen (mixed into `models.store.Store`)."""

    def next_review(self, *, station: str | None = None, after: int = 0) -> int | None:
        """The id of the oldest piece in review after item `after` (of one station, or any)."""
        with Session(self.engine) as session:
            query = select(t.Item.id).where(t.Item.campaign_id == self.campaign_id,
                                            t.Item.status == Status.REVIEW.value, col(t.Item.id) > after)
            if station is not None:
                query = query.where(t.Item.station == station)
            return session.exec(query.order_by(col(t.Item.id)).limit(1)).first()

    def review_count(self, *, station: str | None = None) -> int:
        with Session(self.engine) as session:
            query = select(func.count()).select_from(t.Item).where(
                t.Item.campaign_id == self.campaign_id, t.Item.status == Status.REVIEW.value)
            if station is not None:
                query = query.where(t.Item.station == station)
            return session.exec(query).one()

    def review_piece(self, item_id: int) -> ReviewPiece | None:
        with Session(self.engine) as session:
            item = session.get(t.Item, item_id)
            if item is None or item.campaign_id != self.campaign_id:
                return None
            event = state_event(session, item_id)
            state = json.loads(event.payload) if event else {}
            if state.get("text"):
                kept = session.exec(select(t.EvidenceText.words)
                                    .where(t.EvidenceText.item_id == item_id,
                                           t.EvidenceText.digest == state["text"])).first()
                state = join_words(state, json.loads(kept) if kept else None)
        return ReviewPiece(item, state, event.seq if event else 0)

    def decide(self, item_id: int, choice: Choice, campaign: Campaign, *, actor: str,
               station: str, seen_seq: int | None = None) -> t.Item:
        """Settle a piece in review. `seen_seq`: the state the person saw; if the piece
        changed since (someone else settled it), nothing is written."""
        with self.transaction() as session:
            lock_ledger(session)  # nobody bundles or settles this piece meanwhile
            item = session.get(t.Item, item_id)
            if item is None or item.campaign_id != self.campaign_id:
                raise ReviewError(f"no item {item_id} in campaign {self.campaign_id}", "no_item",
                                  item=item_id)
            if campaign.id != item.campaign_id:
                raise ReviewError(f"item {item_id:07d} is a piece of campaign {item.campaign_id}, "
                                  f"not {campaign.id}", "no_item", item=item_id)
            current = state_event(session, item_id)
            if item.status != Status.REVIEW.value:
                by = current.actor if current else "nobody"
                raise ReviewError(f"item {item_id:07d} is no longer in review ({item.status}, by "
                                  f"{by})", "not_in_review", item=item_id, status=item.status, by=by)
            if seen_seq is not None and current is not None and current.seq != seen_seq:
                raise ReviewError(f"item {item_id:07d} changed while you looked at it; look again",
                                  "changed", item=item_id)
            state = decided_state(item, choice, campaign, current.seq if current else 0)
            _, at = self.now()
            self._append(session, at, actor, station, EventType.ITEM_DECIDED, f"item:{item_id}", state)
            _apply(item, state)
            session.add(item)
            return item

    def undo_last(self, *, actor: str, station: str) -> Undone | None:
        """Take back the newest decision of `actor` at `station` that still stands.

        The piece gets the state it had before that decision again (a new event);
        None when there is nothing of theirs left to take back.
        """
        with self.transaction() as session:
            lock_ledger(session)  # nobody bundles or settles these pieces meanwhile
            for decision in _decisions_of(session, actor, station, 50):
                item_id = _item_of(decision)
                current = state_event(session, item_id)
                if current is None or current.seq != decision.seq:
                    continue  # already taken back, or changed since by someone else
                mine = session.get(t.Item, item_id)
                if mine is None or mine.campaign_id != self.campaign_id:
                    continue  # a piece of another campaign: undone where that one is worked on
                undone = self._undo_in(session, decision, actor, station)
                if undone is not None:
                    return undone
            return None

    def undo(self, decision_seq: int, *, actor: str, station: str) -> Undone:
        """Take back one decision of `actor` at `station` (the `item.decided` event
        `decision_seq`), as long as it is still its piece's newest state: a new `item.undone`
        event gives the piece the state before it again. Raises ReviewError otherwise (not
        theirs, already taken back, the piece changed since, or it is in a bundle now)."""
        with self.transaction() as session:
            lock_ledger(session)  # nobody bundles or settles this piece meanwhile
            decision = session.exec(select(t.Event).where(t.Event.seq == decision_seq)).first()
            if (decision is None or decision.type != EventType.ITEM_DECIDED.value
                    or decision.actor != actor or decision.station != station):
                raise ReviewError(f"event {decision_seq} is not a decision of {actor} at {station}",
                                  "not_yours", seq=decision_seq)
            item_id = _item_of(decision)
            current = state_event(session, item_id)
            if current is None or current.seq != decision.seq:
                raise ReviewError(f"item {item_id:07d} changed since that decision (or it was "
                                  "taken back already)", "changed_since", item=item_id)
            undone = self._undo_in(session, decision, actor, station)
            if undone is None:
                raise ReviewError(f"item {item_id:07d} has no state before that decision",
                                  "changed_since", item=item_id)
            return undone

    def my_decisions(self, *, actor: str, station: str, limit: int = 8) -> list[MyDecision]:
        """The newest decisions of `actor` at `station`, newest first, with whether each still
        stands and can be taken back."""
        with Session(self.engine) as session:
            listed = []
            for decision in _decisions_of(session, actor, station, limit):
                item_id = _item_of(decision)
                state = json.loads(decision.payload)
                current = state_event(session, item_id)
                item = session.get(t.Item, item_id)
                standing = current is not None and current.seq == decision.seq
                undone = not standing and session.exec(
                    select(t.Event.seq).where(t.Event.subject == decision.subject,
                                              t.Event.type == EventType.ITEM_UNDONE.value,
                                              t.Event.seq > decision.seq)
                    .limit(1)).first() is not None
                reasons = list(state.get("reasons", []))
                verdict = (Verdict.CASE if state.get("case") else
                           Verdict.NOT_CAMPAIGN if Reason.NOT_A_CAMPAIGN_PIECE.value in reasons
                           else Verdict.UNREADABLE)
                listed.append(MyDecision(
                    seq=decision.seq, at=decision.at, item_id=item_id, verdict=verdict.value,
                    kind=state["kind"], status=state["status"], case=state.get("case"),
                    destination=state.get("destination"), reasons=reasons,
                    signatures=state.get("signatures"), undone=undone,
                    undoable=standing and item is not None and item.bundle_id is None))
            return listed

    def _undo_in(self, session: Session, decision: t.Event, actor: str,
                 station: str) -> Undone | None:
        """Append the `item.undone` event of `decision` in `session` (the caller checked it is
        the piece's newest state); None when the piece had no state before it."""
        item_id = _item_of(decision)
        before = session.exec(select(t.Event)
                              .where(t.Event.subject == decision.subject,
                                     col(t.Event.type).in_([e.value for e in STATE_EVENTS]),
                                     t.Event.seq < decision.seq)
                              .order_by(col(t.Event.seq).desc()).limit(1)).first()
        if before is None:
            return None
        item = session.get(t.Item, item_id)
        assert item is not None  # it has state events, so it has a row
        if item.bundle_id is not None:
            raise ReviewError(f"item {item_id:07d} is in bundle {item.bundle_id} now: a "
                              "coordinator must void that bundle before it can be undone",
                              "in_bundle", item=item_id, bundle=item.bundle_id)
        state = {**json.loads(before.payload), "undoes": decision.seq}
        _, at = self.now()
        self._append(session, at, actor, station, EventType.ITEM_UNDONE, decision.subject, state)
        _apply(item, state)
        session.add(item)
        return Undone(item_id, item.status, decision.seq)


def _decisions_of(session: Session, actor: str, station: str, limit: int) -> list[t.Event]:
    """The newest `item.decided` events of `actor` at `station`, newest first."""
    return list(session.exec(select(t.Event)
                             .where(t.Event.type == EventType.ITEM_DECIDED.value,
                                    t.Event.actor == actor, t.Event.station == station)
                             .order_by(col(t.Event.seq).desc()).limit(limit)).all())


def _item_of(event: t.Event) -> int:
    return int(event.subject.split(":", 1)[1])
