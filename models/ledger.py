"""The append-only, hash-chained event log.

Each event's hash covers its sequence number, time, actor, station, type,
subject, payload and the previous event's hash, so altering, removing or
reordering any event breaks the chain from that place on. Events are never
updated or deleted; a correction is a new event that points at what it corrects.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable

from sqlalchemy import text
from sqlmodel import Session, select

from models.tables import Event

GENESIS = "0" * 64
_PG_LEDGER_LOCK = 0x5CA4_91BE  # advisory lock id that serialises appends on PostgreSQL


class EventType(StrEnum):
    """The registry of event types; nothing else is ever written to the ledger."""

    CAMPAIGN_LOADED = "campaign.loaded"
    BATCH_OPENED = "batch.opened"
    BATCH_CLOSED = "batch.closed"
    ITEM_SCANNED = "item.scanned"      # a new piece: image hash, page, batch
    ITEM_ROUTED = "item.routed"        # routed automatically (QR)
    ITEM_REVIEW = "item.review"        # needs a person's decision, with reasons
    ITEM_REJECTED = "item.rejected"    # the file could not be read
    ITEM_DUPLICATE = "item.duplicate"  # the same image again: recorded, not counted
    SHEET_ISSUED = "sheet.issued"      # a delivery sheet was written
    ITEM_DECIDED = "item.decided"      # a person settled a piece (review), with the new state
    ITEM_UNDONE = "item.undone"        # a person took back a decision: the state before it again
    PERSON_ADDED = "person.added"      # someone may now sign in, with a role
    PERSON_CHANGED = "person.changed"  # role, access or password changed (never the hash itself)
    TRAYS_SET = "trays.set"            # the tray plan of the sorting table changed
    BUNDLE_CLOSED = "bundle.closed"    # pieces put in a bundle for one destination, with the counts
    BUNDLE_DISPATCHED = "bundle.dispatched"  # handed over by hand, or posted with a tracking number
    BUNDLE_DELIVERED = "bundle.delivered"    # received: by whom, when, the signed sheet scanned back
    BUNDLE_REFUSED = "bundle.refused"        # the receiver would not take it, with the reason
    BUNDLE_RETURNED = "bundle.returned"      # came back (by post), with the reason
    BUNDLE_VOIDED = "bundle.voided"          # undone before delivery: its pieces are free again
    KITS_PRINTED = "kits.printed"            # kit serials printed to be sent out
    IMAGES_PURGED = "images.purged"          # privacy purge: images and words of delivered pieces
    FILE_QUARANTINED = "file.quarantined"    # a file set aside unread (not a scan, empty, too big,
                                             # it crashed the reader), with the reason


# The event types that set an item's whole routing state (their payload is that state),
# newest wins.
STATE_EVENTS = frozenset({EventType.ITEM_ROUTED, EventType.ITEM_REVIEW, EventType.ITEM_REJECTED,
                          EventType.ITEM_DECIDED, EventType.ITEM_UNDONE})


def canonical_json(value: dict) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(seq: int, at: str, actor: str, station: str, type_: str, subject: str,
               payload: str, prev_hash: str) -> str:
    """The hash of one event over exactly the stored texts."""
    material = json.dumps([seq, at, actor, station, type_, subject, payload, prev_hash],
                          separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def lock_ledger(session: Session) -> None:
    """Serialise appends so the chain stays one line (SQLite: BEGIN IMMEDIATE does it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=_PG_LEDGER_LOCK))


def append_event(session: Session, *, at: str, actor: str, station: str, type_: EventType,
                 subject: str, payload: dict) -> Event:
    """Append one event inside the caller's transaction and return it."""
    lock_ledger(session)
    head = session.exec(select(Event).order_by(Event.seq.desc()).limit(1)).first()
    seq = head.seq + 1 if head else 1
    prev = head.hash if head else GENESIS
    body = canonical_json(payload)
    event = Event(seq=seq, at=at, actor=actor, station=station, type=type_.value,
                  subject=subject, payload=body, prev_hash=prev,
                  hash=event_hash(seq, at, actor, station, type_.value, subject, body, prev))
    session.add(event)
    session.flush()
    return event


class Break(StrEnum):
    """How the chain can be broken."""

    GAP = "GAP"                  # a sequence number is missing or out of order
    LINK = "LINK"                # prev_hash is not the previous event's hash
    ALTERED = "ALTERED"          # the event's content does not give its hash
    UNKNOWN_TYPE = "UNKNOWN_TYPE"


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    kind: Break
    message: str


class ChainWalk:
    """Checks events one at a time, in sequence order, against the chain."""

    def __init__(self) -> None:
        self.expected_seq, self.prev, self.count = 1, GENESIS, 0
        self._known = {t.value for t in EventType}

    def step(self, event) -> ChainBreak | None:
        where = f"event {event.seq} ({event.type}, {event.at})"
        if event.seq > self.expected_seq:
            return ChainBreak(self.expected_seq, Break.GAP,
                              f"event {self.expected_seq} is missing (the next one is event "
                              f"{event.seq}) — an event was removed")
        if event.seq != self.expected_seq:
            return ChainBreak(event.seq, Break.GAP,
                              f"{where}: expected event {self.expected_seq} here — "
                              "the events were reordered or one was copied")
        if event.prev_hash != self.prev:
            return ChainBreak(event.seq, Break.LINK,
                              f"{where}: does not link to event {event.seq - 1} — "
                              "an event was removed, replaced or reordered here")
        recomputed = event_hash(event.seq, event.at, event.actor, event.station, event.type,
                                event.subject, event.payload, event.prev_hash)
        if recomputed != event.hash:
            return ChainBreak(event.seq, Break.ALTERED,
                              f"{where}: its content does not match its hash — the event was altered")
        if event.type not in self._known:
            return ChainBreak(event.seq, Break.UNKNOWN_TYPE,
                              f"{where}: unknown event type {event.type!r}")
        self.prev, self.expected_seq, self.count = event.hash, self.expected_seq + 1, self.count + 1
        return None


def verify_chain(events: Iterable[Event]) -> tuple[int, ChainBreak | None]:
    """Walk the events in sequence order; return how many verified and the first break."""
    walk = ChainWalk()
    for event in events:
        broken = walk.step(event)
        if broken:
            return walk.count, broken
    return walk.count, None
