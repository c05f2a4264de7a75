"""Intake verbs: the pages of stored files recorded in the ledger, many files a transaction.

Every append to the chain waits for the ledger's lock, and every commit for the disk, so a
station with a backlog records the files that are ready together: one lock, one commit, rows
written in bulk (group commit). The files are still recorded one after the other, in the order
given, exactly as if each had had its own transaction; if anything fails, none is recorded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, SQLModel, col, select

from models.audit.evidence import seal_words
from models.events import (
    GENESIS,
    EventType,
    canonical_json,
    decision_payload,
    event_hash,
    misrouted_to_authority,
    status_event,
)
from models.store import tables as t
from models.store.bundles import BundleVerbs
from models.store.core import stored_id
from models.store.ledger import lock_ledger
from scanpipe.domain.found import Candidate
from scanpipe.domain.routing import Decision, Finding, Kind, Reason, Status

# The tables themselves: bulk inserts without the ORM's bookkeeping.
_IMAGE, _ITEM, _WORDS, _EVENT = (SQLModel.metadata.tables[name] for name in (
    "stored_image", "item", "evidence_text", "event"))


@dataclass(frozen=True)
class PageOutcome:
    """What intake did with one page: a new item, or a duplicate of an existing one."""

    page: int
    item_id: int
    duplicate: bool
    decision: Decision
    batch_id: int


@dataclass(frozen=True)
class FileRecord:
    """One stored file whose pages are to be recorded."""

    source_name: str
    sha256: str
    media_type: str
    size: int
    pages: Sequence[tuple[int, Decision]]
    retake: bool = False  # taken in again after the station stopped half-way: no duplicate events


class IntakeVerbs(BundleVerbs):
    """Part of `Store`: recording what the stations take in (a delivery sheet scanned back
    takes its bundle's step)."""

    def record_file(self, *, source_name: str, sha256: str, media_type: str, size: int,
                    pages: list[tuple[int, Decision]], station: str,
                    operator: str, retake: bool = False) -> list[PageOutcome]:
        """Record the pages of one stored file in one transaction.

        A page already in the ledger (same image hash and page) is recorded as a
        duplicate and not counted again; with `retake` (the station is taking in again a file
        it was taking when it stopped) such a page is not even recorded as a duplicate.
        A kit envelope closes the station's open batch and opens one for its kit; any other
        piece goes into the open batch, or into a new anonymous one.
        """
        record = FileRecord(source_name, sha256, media_type, size, pages, retake)
        return self.record_files([record], station=station, operator=operator)[0]

    def record_files(self, files: Sequence[FileRecord], *, station: str,
                     operator: str) -> list[list[PageOutcome]]:
        """Record several files in one transaction, in order, as `record_file` records one."""
        if not files:
            return []
        files = [replace(record, pages=[(page, never_to_authority(decision))
                                        for page, decision in record.pages])
                 for record in files]
        # What needs no ledger is made before taking its lock: the other stations wait less.
        states = [[seal_words(decision_payload(decision)) for _, decision in record.pages]
                  for record in files]
        with self.transaction() as session:
            lock_ledger(session)  # before looking for the pages: two stations may take one image
            group = _Group(self, session, station, operator)
            group.look_up(files)
            for record, sealed in zip(files, states):
                group.add(record, sealed)
            return group.finish()


@dataclass
class _Pending:
    """An item to insert, and what to write about it once it has its id."""

    row: dict[str, Any]
    decision: Decision
    state: dict[str, Any]
    sealed: tuple[str, str, str] | None  # the words read: digest, salt, words
    id: int | None = None


@dataclass
class _Outcome:
    page: int
    decision: Decision
    batch_id: int
    duplicate: bool
    item: _Pending | int  # a row inserted by this group (its id known once flushed), or an id

    @property
    def item_id(self) -> int:
        if isinstance(self.item, _Pending):
            assert self.item.id is not None  # given by the flush
            return self.item.id
        return self.item


@dataclass
class _OpenBatch:
    """The station's open batch, as this group sees it."""

    id: int
    kit: int | None
    items: int


@dataclass
class _Group:
    """The rows of one transaction, written in bulk; events hashed here, in chain order."""

    store: BundleVerbs  # the store: its clock, the station's batches, the delivery receipts
    session: Session
    station: str
    operator: str
    outcomes: list[list[_Outcome]] = field(default_factory=list)
    items: list[_Pending] = field(default_factory=list)       # not inserted yet
    # (type, item id or _Pending, payload)
    events: list[tuple[EventType, _Pending | int, dict[str, Any]]] = field(default_factory=list)
    known: dict[tuple[str, int], tuple[_Pending | int, int]] = field(default_factory=dict)
    stored: set[str] = field(default_factory=set)             # images the ledger holds
    images: list[dict[str, Any]] = field(default_factory=list)  # stored images, not inserted yet
    head: tuple[int, str] | None = None
    batch: _OpenBatch | None = None                           # the station's open batch
    now: datetime = field(init=False)
    at: str = field(init=False)
    campaign: str = field(init=False)  # the campaign the station works for

    def __post_init__(self) -> None:
        self.now, self.at = self.store.now()
        self.campaign = self.store.working_campaign()
        self.batch = self._open_batch()

    # -------------------------------------------------------------- one file

    def look_up(self, files: Sequence[FileRecord]) -> None:
        """What the ledger already holds of these files: their images, and their pages."""
        digests = sorted({record.sha256 for record in files})
        for start in range(0, len(digests), 500):
            chunk = digests[start:start + 500]
            self.stored.update(self.session.exec(
                select(t.StoredImage.sha256).where(col(t.StoredImage.sha256).in_(chunk))))
            for sha256, page, item_id, batch_id in self.session.exec(
                    select(t.Item.image_sha256, t.Item.page, stored_id(t.Item.id), t.Item.batch_id)
                    .where(col(t.Item.image_sha256).in_(chunk))):
                self.known[(sha256, page)] = (item_id, batch_id)

    def add(self, record: FileRecord,
            states: Sequence[tuple[dict[str, Any], tuple[str, str, str] | None]]) -> None:
        session = self.session
        if record.sha256 not in self.stored:
            self.images.append({"sha256": record.sha256, "size": record.size,
                                "media_type": record.media_type, "stored_at": self.now,
                                "purged_at": None})
            self.stored.add(record.sha256)
        outcomes: list[_Outcome] = []
        for (page, decision), (state, sealed) in zip(record.pages, states):
            existing = self.known.get((record.sha256, page))
            if existing is not None:
                ref, batch_id = existing
                if not record.retake:
                    self.events.append((EventType.ITEM_DUPLICATE, ref,
                                        {"source": record.source_name, "page": page}))
                outcomes.append(_Outcome(page, decision, batch_id, True, ref))
                continue
            checked = self.store.receipt_decision(session, decision)
            if checked is not decision:  # a receipt its bundle cannot take: to review
                decision = checked
                state, sealed = seal_words(decision_payload(decision))
            batch = self._batch_for(decision)
            pending = _Pending(self._item_row(record, page, decision, batch.id), decision, state,
                               sealed)
            self.items.append(pending)
            self.events.append((EventType.ITEM_SCANNED, pending,
                                {"sha256": record.sha256, "page": page, "source": record.source_name,
                                 "batch": batch.id}))
            self.events.append((status_event(decision.status), pending, state))
            batch.items += 1
            self.known[(record.sha256, page)] = (pending, batch.id)
            outcomes.append(_Outcome(page, decision, batch.id, False, pending))
            if decision.kind is Kind.DELIVERY_RECEIPT and decision.status is Status.ROUTED:
                self._flush()  # the bundle's step reads and writes the ledger itself
                assert pending.id is not None  # given by the flush
                self.store.take_receipt(self.session, decision, item_id=pending.id,
                                        image_sha256=record.sha256, page=page,
                                        when=(self.now, self.at), station=self.station,
                                        operator=self.operator)
                self.head = None
        self.outcomes.append(outcomes)

    def finish(self) -> list[list[PageOutcome]]:
        self._flush()
        return [[PageOutcome(o.page, o.item_id, o.duplicate, o.decision, o.batch_id)
                 for o in outcomes]
                for outcomes in self.outcomes]

    # ------------------------------------------------------------- batches

    def _open_batch(self) -> _OpenBatch | None:
        batch = self.store.find_open_batch(self.session, self.station)
        if batch is None:
            return None
        assert batch.id is not None  # a stored row
        count = self.session.exec(select(func.count()).select_from(t.Item)
                                  .where(t.Item.batch_id == batch.id)).one()
        return _OpenBatch(batch.id, batch.kit_serial, count)

    def _batch_for(self, decision: Decision) -> _OpenBatch:
        """A kit envelope opens its kit's batch (closing the open one); other pieces go into
        the open batch, or a new anonymous one. One envelope, one batch: an envelope whose
        batch the operator opened just before (hand scanner, or an empty anonymous batch)
        goes into it. Batches are closed and opened by the store's own steps, after what is
        pending here is written: their events follow those before them in the chain. Returns
        the batch the piece goes into."""
        batch = self.batch
        if decision.kind is Kind.KIT_ENVELOPE and decision.status is Status.ROUTED:
            serial = decision.kit_serial
            if batch is not None and batch.kit == serial and (serial is not None
                                                              or batch.items == 0):
                return batch
            self._flush()
            if batch is not None:
                row = self.session.get(t.Batch, batch.id)
                assert row is not None  # found open in this transaction
                self.store.close_batch_in(self.session, row, self.operator, self.station,
                                          (self.now, self.at))
            self.batch = batch = self._new_batch(serial)
        elif batch is None:
            self._flush()
            self.batch = batch = self._new_batch(None)
        return batch

    def _new_batch(self, kit: int | None) -> _OpenBatch:
        batch = self.store.new_batch_in(self.session, self.station, self.operator, kit,
                                        (self.now, self.at))
        self.head = None  # the store appended to the chain
        assert batch.id is not None  # given by the flush
        return _OpenBatch(batch.id, kit, 0)

    # -------------------------------------------------------------- writing

    def _item_row(self, record: FileRecord, page: int, decision: Decision,
                  batch_id: int) -> dict[str, Any]:
        return {"campaign_id": self.campaign, "batch_id": batch_id, "image_sha256": record.sha256,
                "page": page,
                "source_name": record.source_name, "kind": decision.kind.value,
                "status": decision.status.value, "case_code": decision.case,
                "destination": decision.destination,
                "method": decision.method.value if decision.method else None,
                "confidence": decision.confidence, "reasons": json.dumps(decision.reasons),
                "signatures": decision.signatures, "bundle_id": None, "station": self.station,
                "operator": self.operator, "scanned_at": self.now}

    def _flush(self) -> None:
        """Insert the pending items (their ids come back in order), then the events, hashed
        one after the other from the head, then the words read."""
        session = self.session
        if self.images:
            session.execute(insert(_IMAGE), self.images)
            self.images = []
        if self.items:
            ids = session.execute(
                insert(_ITEM).returning(_ITEM.c.id, sort_by_parameter_order=True),
                [p.row for p in self.items]).scalars().all()
            for pending, item_id in zip(self.items, ids, strict=True):
                pending.id = item_id
            words = [{"item_id": p.id, "digest": p.sealed[0], "salt": p.sealed[1],
                      "words": p.sealed[2]} for p in self.items if p.sealed is not None]
            if words:
                session.execute(insert(_WORDS), words)
            self.items = []
        if self.events:
            seq, prev = self._head()
            rows = []
            for type_, item, payload in self.events:
                subject = f"item:{item.id if isinstance(item, _Pending) else item}"
                seq += 1
                body = canonical_json(payload)
                digest = event_hash(seq, self.at, self.operator, self.station, type_.value,
                                    subject, body, prev)
                rows.append({"seq": seq, "at": self.at, "actor": self.operator,
                             "station": self.station, "type": type_.value, "subject": subject,
                             "payload": body, "prev_hash": prev, "hash": digest})
                prev = digest
            session.execute(insert(_EVENT), rows)
            self.head = (seq, prev)
            self.events = []

    def _head(self) -> tuple[int, str]:
        if self.head is None:
            row = self.session.exec(select(t.Event.seq, t.Event.hash)
                                    .order_by(col(t.Event.seq).desc()).limit(1)).first()
            self.head = (row[0], row[1]) if row else (0, GENESIS)
        return self.head


def never_to_authority(decision: Decision) -> Decision:
    """A postcard or letter to the person routed to an embassy goes to review instead.

    The recogniser routes them where the case's postcards go; should a decision say
    otherwise, the ledger must not record it — `audit verify` would refuse the ledger
    for good. A person decides, with the case as the candidate.
    """
    if decision.status is not Status.ROUTED or not misrouted_to_authority(
            decision.kind.value, decision.destination):
        return decision
    finding = Finding(Reason.ADDRESSEE_UNCLEAR,
                      f"a {decision.kind.value} of case {decision.case} was routed to "
                      f"{decision.destination}: letters to the person and postcards never go to "
                      "the authorities")
    candidates = decision.candidates or (
        (Candidate(decision.case, decision.confidence, ()),) if decision.case else ())
    return replace(decision, status=Status.REVIEW, case=None, destination=None, method=None,
                   confidence=0.0, findings=(finding, *decision.findings), candidates=candidates)
