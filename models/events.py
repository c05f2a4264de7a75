"""The ledger's vocabulary, without a database: the event types, what the events of intake
and of bundles say, and how events are hashed and chained.

Each event's hash covers its sequence number, time, actor, station, type, subject, payload
and the previous event's hash, so altering, removing or reordering any event breaks the
chain from that place on. The stations write events with `models.store.ledger`; the audit and
the offline verifier check them with what is here, so both follow the same rules.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from scanpipe.domain.routing import Decision, Kind, Status

GENESIS = "0" * 64  # the previous hash of the first event


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
    ITEM_MOVED = "item.moved"          # a routed piece sent where a changed campaign sends its case now
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
    SIGNATURES_IMPORTED = "signatures.imported"  # an online petition export: its file's hash,
                                                 # source, and signatures per case and source
    SIGNATURES_VOIDED = "signatures.voided"      # an import taken back (its counts no longer count)
    CASE_OUTCOME = "case.outcome"                # what became of a case (freed, acquitted…), with
                                                 # its day and source; may correct an earlier one
    ORDERS_IMPORTED = "orders.imported"      # kit orders from a file: its sha256, the rows imported


# The event types that set an item's whole routing state (their payload is that state),
# newest wins.
STATE_EVENTS = frozenset({EventType.ITEM_ROUTED, EventType.ITEM_REVIEW, EventType.ITEM_REJECTED,
                          EventType.ITEM_DECIDED, EventType.ITEM_UNDONE, EventType.ITEM_MOVED})


def canonical_json(value: dict[str, Any]) -> str:
    """The one text of a payload that is stored and hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(seq: int, at: str, actor: str, station: str, type_: str, subject: str,
               payload: str, prev_hash: str) -> str:
    """The hash of one event over exactly the stored texts."""
    material = json.dumps([seq, at, actor, station, type_, subject, payload, prev_hash],
                          separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ intake

def status_event(status: Status) -> EventType:
    """The event that records a machine's decision of this status."""
    match status:
        case Status.ROUTED:
            return EventType.ITEM_ROUTED
        case Status.REVIEW:
            return EventType.ITEM_REVIEW
        case Status.REJECTED:
            return EventType.ITEM_REJECTED


def decision_payload(decision: Decision) -> dict[str, Any]:
    """A decision as its state event holds it."""
    data = decision.to_json()
    return {key: data[key] for key in ("kind", "case", "destination", "status", "method",
                                       "confidence", "reasons", "evidence", "kit", "bundle",
                                       "signatures", "candidates")}


# ------------------------------------------------------------------- chain

class EventLike(Protocol):
    """An event as stored (a table row, or a line of an export): what a replay reads."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def station(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def payload(self) -> str: ...


class ChainedEvent(EventLike, Protocol):
    """An event with its links in the chain: what the chain walk checks."""

    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


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

    def step(self, event: ChainedEvent) -> ChainBreak | None:
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


# ----------------------------------------------------------------- bundles

PIECE_KINDS = (Kind.LETTER.value, Kind.SOLIDARITY_LETTER.value, Kind.POSTCARD.value,
               Kind.PETITION.value)
# Kinds that go where the case's postcards go (the person, the relatives, a partner office):
# never to an embassy, so never into an embassy's bundle.
FORWARDED_KINDS = frozenset({Kind.POSTCARD.value, Kind.SOLIDARITY_LETTER.value})


def to_authority(destination: str | None) -> bool:
    """An embassy's destination: it takes letters to the authority and petition sheets only."""
    return (destination or "").startswith("embassy:")


def misrouted_to_authority(kind: str | None, destination: str | None) -> bool:
    """A postcard or a letter to the person routed to an embassy: the worst misroute there is
    for such a letter, which the ledger never records (and the audit refuses)."""
    return kind in FORWARDED_KINDS and to_authority(destination)


def known_sum(counts: list[int | None]) -> int | None:
    """Signatures counted on petition sheets, summed; None when a sheet was not counted. The
    store's bundle totals and the audit's replay of them count so alike."""
    known = [n for n in counts if n is not None]
    return sum(known) if len(known) == len(counts) else None


class BundleState(StrEnum):
    PREPARED = "prepared"
    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    REFUSED = "refused"
    RETURNED = "returned"
    VOID = "void"


@dataclass(frozen=True)
class BundleStep:
    """A step of a bundle's life: the states it may start from, and the state it makes."""

    starts: frozenset[BundleState]
    to: BundleState


# Every step after a bundle is closed, by the event that records it.
BUNDLE_STEPS: dict[EventType, BundleStep] = {
    EventType.BUNDLE_DISPATCHED: BundleStep(frozenset({BundleState.PREPARED, BundleState.REFUSED,
                                                       BundleState.RETURNED}),
                                            BundleState.DISPATCHED),
    EventType.BUNDLE_DELIVERED: BundleStep(frozenset({BundleState.PREPARED, BundleState.DISPATCHED}),
                                           BundleState.DELIVERED),
    EventType.BUNDLE_REFUSED: BundleStep(frozenset({BundleState.PREPARED, BundleState.DISPATCHED}),
                                         BundleState.REFUSED),
    EventType.BUNDLE_RETURNED: BundleStep(frozenset({BundleState.DISPATCHED}), BundleState.RETURNED),
    EventType.BUNDLE_VOIDED: BundleStep(frozenset({BundleState.PREPARED, BundleState.REFUSED,
                                                   BundleState.RETURNED}),
                                        BundleState.VOID),
}


def next_steps(state: BundleState) -> frozenset[BundleState]:
    """The states a bundle in `state` may go to next (what buttons a screen offers)."""
    return frozenset(step.to for step in BUNDLE_STEPS.values() if state in step.starts)
