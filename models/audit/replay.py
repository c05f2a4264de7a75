"""What the events alone say: every piece's and bundle's life, replayed in order.

The audit replays the ledger and needs nothing else — no table, no database — so
the same code checks a live ledger and an exported folder. Replaying also checks
that every life was consistent: a piece is scanned before anything happens to it,
a machine decides it once, a person settles only what is in review, no postcard or letter to the person is
ever routed to an embassy, only routed pieces of the bundle's destination are bundled
and each in one bundle at a time, every bundle step starts from a state that allows
it, and every printed sheet says the bundle's own totals. The first inconsistency is
named by its event.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypedDict

from models.audit.office import OFFICE_EVENTS, Office
from models.audit.records import RECORD_EVENTS, Records
from models.events import (
    BUNDLE_STEPS,
    PIECE_KINDS,
    STATE_EVENTS,
    BundleState,
    EventLike,
    EventType,
    known_sum,
    misrouted_to_authority,
)
from models.sides import rejected_as
from scanpipe.domain.orders import LANGUAGES as ORDER_LANGUAGES
from scanpipe.domain.orders import MAX_KITS, OrderKind
from scanpipe.domain.routing import Kind, Status

_MACHINE_STATES = frozenset({EventType.ITEM_ROUTED, EventType.ITEM_REVIEW, EventType.ITEM_REJECTED})


class ItemState(TypedDict, total=False):
    """What a piece's life needs of its newest state event (the rest — evidence, candidates —
    stays in the ledger: a season's worth of it would not fit in an auditor's memory). Empty
    until the first decision; then every key, None where the event has no such field."""

    kind: str | None
    case: str | None
    destination: str | None
    status: str | None
    method: str | None
    confidence: float | None
    reasons: list[str] | None
    signatures: int | None
    text: str | None  # the salted digest of the words read (`models.audit.evidence`)


class Totals(TypedDict):
    """A bundle's totals, as `bundle.closed` and `sheet.issued` events hold them."""

    letters: int
    solidarity_letters: int
    postcards: int
    petitions: int
    signatures: int | None  # None when a petition sheet was not counted
    pieces: int


@dataclass(frozen=True)
class Problem:
    """The first broken place found by the audit, and what is wrong there."""

    where: str
    message: str


@dataclass(slots=True)
class ItemLife:
    id: int
    scanned_seq: int
    scanned_at: str
    sha256: str
    page: int
    source: str
    batch: int
    station: str
    operator: str
    state: ItemState = field(default_factory=ItemState)
    state_seq: int = 0
    bundle: int | None = None
    seen_again: list[str] = field(default_factory=list)  # sources of later copies (duplicates)
    purged: bool = False
    campaign: str = ""  # its batch's campaign

    @property
    def status(self) -> str | None:
        return self.state.get("status")

    @property
    def kind(self) -> str | None:
        return self.state.get("kind")

    @property
    def is_piece(self) -> bool:
        """A letter (to the authority or to the person), postcard or petition sheet routed
        to a case: a piece to deliver."""
        return self.status == Status.ROUTED.value and self.kind in PIECE_KINDS


@dataclass
class BundleLife:
    id: int
    destination: str
    closed_seq: int
    closed_at: str
    closed_by: str
    items: list[int]
    late: list[int]
    totals: Totals
    lines: list[dict[str, Any]]
    state: str = BundleState.PREPARED.value
    changed_at: str = ""
    method: str | None = None
    tracking: str | None = None
    received_by: str | None = None
    received_on: str | None = None
    receipt_item: int | None = None
    note: str | None = None
    sheets: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (seq, sheet.issued payload)
    campaign: str = ""


@dataclass
class Batch:
    id: int
    kit: int | None
    station: str
    operator: str
    opened_at: str
    closed: bool = False
    campaign: str = ""
    closed_at: str | None = None


@dataclass
class OrderFacts:
    """A kit order as its `orders.imported` event says it, and the kits printed for it."""

    values: dict[str, Any]  # reference, kind, name, contact, email, address, language, kits
    seq: int                # the event that imported it
    printed: int = 0        # kits printed for it (new prints, not reprints)


@dataclass
class Replay:
    """The state of everything after the events applied so far.

    A ledger holds several campaigns (years): every batch, piece and bundle is one campaign's
    (events written before there were several name none: they are the first campaign's), and
    `only` gives one campaign's part."""

    campaign_id: str | None = None  # the campaign loaded last (`only`: the campaign shown)
    campaigns: list[str] = field(default_factory=list)  # every campaign loaded, in order
    items: dict[int, ItemLife] = field(default_factory=dict)
    bundles: dict[int, BundleLife] = field(default_factory=dict)
    batches: dict[int, Batch] = field(default_factory=dict)
    kits_printed: set[int] = field(default_factory=set)  # `only`: one campaign's; else all serials
    kits_by_campaign: dict[str, set[int]] = field(default_factory=dict)
    orders: dict[tuple[str, str], OrderFacts] = field(default_factory=dict)  # (campaign, reference)
    order_files: set[tuple[str, str]] = field(default_factory=set)  # (campaign, sha256) imported
    quarantined_files: list[str] = field(default_factory=list)  # their names, in order
    purged_images: set[str] = field(default_factory=set)
    purges: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    records: Records = field(default_factory=Records)  # signature imports and case outcomes
    office: Office = field(default_factory=Office)  # campaign files, people, trays
    sealed_words: set[tuple[int, str]] = field(default_factory=set)  # (item, digest of its words)
    head_seq: int = 0
    head_hash: str = ""
    problem: Problem | None = None

    @property
    def first_campaign(self) -> str:
        """The campaign of the events that name none: the ledger's first."""
        return self.campaigns[0] if self.campaigns else ""

    def _campaign_of(self, payload: dict[str, Any]) -> tuple[str, str | None]:
        """The campaign an event's payload names (or the first), and what is wrong with it."""
        campaign = payload.get("campaign", self.first_campaign)
        if not isinstance(campaign, str) or campaign not in self.campaigns:
            return str(campaign), f"names campaign {campaign}, which was never loaded"
        return campaign, None

    def only(self, campaign: str | None) -> Replay:
        """The part of this state that is `campaign`'s: its batches, pieces, bundles and kits
        (the chain's head, purges and quarantined files stay the whole ledger's)."""
        return replace(self, campaign_id=campaign,
                       items={k: v for k, v in self.items.items() if v.campaign == campaign},
                       bundles={k: v for k, v in self.bundles.items() if v.campaign == campaign},
                       batches={k: v for k, v in self.batches.items() if v.campaign == campaign},
                       kits_printed=set(self.kits_by_campaign.get(campaign or "", set())))

    def outcome(self, item: ItemLife) -> str:
        """Where a piece's life stands (one of `report_types.OUTCOMES`)."""
        status = item.status
        if status == Status.REVIEW.value:
            return "review"
        if status == Status.REJECTED.value:
            # A blank back or a picture side is part of its file, not lost nor unreadable.
            return rejected_as(item.state.get("reasons"), item.state.get("method"))
        if not item.is_piece:
            return "not_a_piece"
        if item.bundle is None:
            return "waiting"
        state = self.bundles[item.bundle].state
        return {BundleState.DELIVERED.value: "delivered", BundleState.DISPATCHED.value: "dispatched",
                BundleState.PREPARED.value: "bundled"}.get(state, "back")

    # ------------------------------------------------------------------ apply

    def apply(self, event: EventLike, hash_: str = "") -> Problem | None:
        """Apply one event; the first inconsistency is kept in `problem` and returned."""
        self.head_seq, self.head_hash = event.seq, hash_
        try:
            problem = self._apply(event)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problem = f"its payload is not what a {event.type} event holds ({type(exc).__name__}: {exc})"
        if problem is not None and self.problem is None:
            self.problem = Problem(f"event {event.seq}", f"{event.type} of {event.subject}: {problem}")
        return self.problem

    def _apply(self, event: EventLike) -> str | None:
        type_ = event.type
        if type_ == EventType.CAMPAIGN_LOADED:
            self.campaign_id = event.subject
            if event.subject not in self.campaigns:
                self.campaigns.append(event.subject)
        if type_ in OFFICE_EVENTS:
            wrong = self.office.apply(event)
            if wrong or type_ not in RECORD_EVENTS:
                return wrong
        if type_ in RECORD_EVENTS:
            return self.records.apply(event)
        if type_ == EventType.KITS_PRINTED:
            payload = json.loads(event.payload)
            first, count = int(payload["first"]), int(payload["count"])
            if first < 1 or count < 1:
                return "a kit range starts at serial 1 or later and holds one kit at least"
            campaign, wrong = self._campaign_of(payload)
            if wrong:
                return wrong
            self.kits_printed.update(range(first, first + count))
            self.kits_by_campaign.setdefault(campaign, set()).update(range(first, first + count))
            return self._order_printed(payload, count, campaign) if "order" in payload else None
        if type_ == EventType.ORDERS_IMPORTED:
            return self._orders(event)
        if type_ in (EventType.BATCH_OPENED, EventType.BATCH_CLOSED):
            return self._batch(event)
        if type_ == EventType.ITEM_SCANNED:
            return self._scanned(event)
        if type_ in STATE_EVENTS:
            return self._state(event)
        if type_ == EventType.ITEM_DUPLICATE:
            item = self.items.get(_id(event.subject, "item"))
            if item is None:
                return "a copy of an item the ledger never scanned"
            item.seen_again.append(str(json.loads(event.payload).get("source", "")))
            return None
        if type_ == EventType.BUNDLE_CLOSED:
            return self._closed(event)
        if type_ in BUNDLE_STEPS:
            return self._step(event)
        if type_ == EventType.SHEET_ISSUED:
            return self._sheet(event)
        if type_ == EventType.IMAGES_PURGED:
            return self._purged(event)
        if type_ == EventType.FILE_QUARANTINED:
            self.quarantined_files.append(str(json.loads(event.payload)["source"]))
            return None
        return None

    def _orders(self, event: EventLike) -> str | None:
        payload = json.loads(event.payload)
        campaign, sha256 = str(payload["campaign"]), str(payload["sha256"])
        if event.subject != f"orders:{sha256}":
            return f"its subject does not name the file it imports ({sha256})"
        if (campaign, sha256) in self.order_files:
            return "imports a file imported before"
        self.order_files.add((campaign, sha256))
        for order in payload["orders"]:
            reference = str(order["reference"])
            if (campaign, reference) in self.orders:
                return f"imports order {reference} a second time"
            if order["kind"] not in {k.value for k in OrderKind}:
                return f"order {reference} is of no known kind ({order['kind']!r})"
            if order["language"] not in ORDER_LANGUAGES:
                return f"order {reference} is in no known language ({order['language']!r})"
            if not isinstance(order["kits"], int) or not 1 <= order["kits"] <= MAX_KITS:
                return f"order {reference} is for {order['kits']!r} kits, not 1 to {MAX_KITS}"
            self.orders[(campaign, reference)] = OrderFacts(dict(order), event.seq)
        return None

    def _order_printed(self, payload: dict[str, Any], count: int, campaign: str) -> str | None:
        reference = str(payload["order"])
        order = self.orders.get((campaign, reference))
        if order is None:
            return f"prints kits for order {reference}, which was never imported"
        if payload.get("reprint"):
            return None
        if order.printed:
            return f"prints the kits of order {reference} a second time"
        if count != order.values["kits"]:
            return f"prints {count} kits for order {reference}, which is for {order.values['kits']}"
        order.printed = count
        return None

    def _batch(self, event: EventLike) -> str | None:
        batch_id = _id(event.subject, "batch")
        if event.type == EventType.BATCH_OPENED:
            if batch_id in self.batches:
                return "this batch was opened before"
            payload = json.loads(event.payload)
            campaign, wrong = self._campaign_of(payload)
            if wrong:
                return wrong
            self.batches[batch_id] = Batch(batch_id, payload.get("kit"), event.station, event.actor,
                                           event.at, campaign=campaign)
            return None
        batch = self.batches.get(batch_id)
        if batch is None:
            return "closes a batch that was never opened"
        batch.closed, batch.closed_at = True, event.at
        return None

    def _scanned(self, event: EventLike) -> str | None:
        item_id = _id(event.subject, "item")
        if item_id in self.items:
            return "this item was scanned before"
        payload = json.loads(event.payload)
        if payload["batch"] not in self.batches:
            return f"its batch {payload['batch']} was never opened"
        self.items[item_id] = ItemLife(item_id, event.seq, event.at, payload["sha256"],
                                       int(payload["page"]), str(payload["source"]),
                                       payload["batch"], event.station, event.actor,
                                       campaign=self.batches[payload["batch"]].campaign)
        return None

    def _state(self, event: EventLike) -> str | None:
        item = self.items.get(_id(event.subject, "item"))
        if item is None:
            return "decides an item the ledger never scanned"
        payload = json.loads(event.payload)
        if event.type in _MACHINE_STATES:
            if item.state:
                return "the machine decided this item a second time"
        elif event.type == EventType.ITEM_DECIDED:
            if item.status != Status.REVIEW.value:
                return f"settles an item that was not in review (it was {item.status})"
            if payload.get("follows") != item.state_seq:
                return (f"says it follows event {payload.get('follows')}, but the item's state was "
                        f"event {item.state_seq}")
        elif event.type == EventType.ITEM_UNDONE:
            if payload.get("undoes") != item.state_seq:
                return f"takes back event {payload.get('undoes')}, which is not the item's newest decision"
            if item.bundle is not None:
                return f"takes back a decision while the item is in bundle {item.bundle}"
        elif event.type == EventType.ITEM_MOVED:
            if item.status != Status.ROUTED.value or item.bundle is not None:
                return f"moves an item that is not routed and out of any bundle (it was {item.status})"
            if payload.get("follows") != item.state_seq:
                return (f"says it follows event {payload.get('follows')}, but the item's state was "
                        f"event {item.state_seq}")
            was = item.state.get("destination")
            if payload.get("moved_from") != was or payload.get("destination") == was:
                return (f"says it moves the item from {payload.get('moved_from')} to "
                        f"{payload.get('destination')}, but it went to {was}")
            if (payload.get("case"), payload.get("kind")) != (item.state.get("case"),
                                                              item.state.get("kind")):
                return "a move changes only where a piece goes, never its case or kind"
        if (payload.get("status") == Status.ROUTED.value
                and misrouted_to_authority(payload.get("kind"), payload.get("destination"))):
            return (f"routes a {payload.get('kind')} to {payload.get('destination')}: letters to "
                    "the person and postcards never go to the authorities")
        item.state, item.state_seq = _kept_state(payload), event.seq
        if payload.get("text"):
            self.sealed_words.add((item.id, str(payload["text"])))
        return None

    def _closed(self, event: EventLike) -> str | None:
        bundle_id = _id(event.subject, "bundle")
        if bundle_id in self.bundles:
            return "this bundle was closed before"
        payload = json.loads(event.payload)
        destination, ids = payload["destination"], [int(i) for i in payload["items"]]
        campaign, wrong = self._campaign_of(payload)
        if wrong:
            return wrong
        if not ids:
            return "an empty bundle"
        if len(set(ids)) != len(ids):
            return "a piece is listed twice"
        for item_id in ids:
            item = self.items.get(item_id)
            if item is None:
                return f"bundles item {item_id:07d}, which the ledger never scanned"
            if not item.is_piece:
                return f"bundles item {item_id:07d}, which is not a routed piece ({item.status}, {item.kind})"
            if misrouted_to_authority(item.kind, destination):
                return (f"bundles item {item_id:07d}, a {item.kind}, for {destination}: letters to "
                        "the person and postcards never go to the authorities")
            if item.state.get("destination") != destination:
                return (f"bundles item {item_id:07d} for {destination}, but the item is routed to "
                        f"{item.state.get('destination')}")
            if item.bundle is not None:
                return f"bundles item {item_id:07d}, which is in bundle {item.bundle} already"
            if item.campaign != campaign:
                return (f"bundles item {item_id:07d}, a piece of campaign {item.campaign}, in a "
                        f"bundle of campaign {campaign}")
        late = [int(i) for i in payload.get("late", [])]
        if not set(late) <= set(ids):
            return "flags as late a piece that is not in the bundle"
        counted = piece_totals(self.items[i] for i in ids)
        totals = recorded_totals(payload["totals"])
        if totals != counted:
            return f"says totals {payload['totals']}, but its pieces give {counted}"
        for item_id in ids:
            self.items[item_id].bundle = bundle_id
        self.bundles[bundle_id] = BundleLife(bundle_id, destination, event.seq, event.at, event.actor,
                                             ids, late, totals, payload.get("lines", []),
                                             changed_at=event.at, campaign=campaign)
        return None

    def _step(self, event: EventLike) -> str | None:
        bundle = self.bundles.get(_id(event.subject, "bundle"))
        if bundle is None:
            return "a step of a bundle that was never closed"
        step = EventType(event.type)
        rule = BUNDLE_STEPS[step]
        payload = json.loads(event.payload)
        if BundleState(bundle.state) not in rule.starts:
            return f"the bundle was {bundle.state}, from which it cannot become {rule.to.value}"
        if payload.get("from") != bundle.state or payload.get("state") != rule.to.value:
            return (f"says {payload.get('from')} → {payload.get('state')}, but the bundle was "
                    f"{bundle.state} and this step makes it {rule.to.value}")
        bundle.state, bundle.changed_at = rule.to.value, event.at
        match step:
            case EventType.BUNDLE_DISPATCHED:
                bundle.method, bundle.tracking = payload.get("method"), payload.get("tracking")
            case EventType.BUNDLE_DELIVERED:
                receipt = payload.get("receipt_item")
                if receipt is not None and receipt not in self.items:
                    return f"keeps item {receipt:07d} as the receipt, which the ledger never scanned"
                bundle.received_by = payload.get("received_by")
                bundle.received_on = payload.get("received_on")
                bundle.receipt_item = receipt
            case EventType.BUNDLE_REFUSED | EventType.BUNDLE_RETURNED:
                bundle.note = payload.get("reason")
            case EventType.BUNDLE_VOIDED:
                bundle.note = payload.get("reason")
                for item_id in bundle.items:
                    if self.items[item_id].bundle == bundle.id:
                        self.items[item_id].bundle = None
        return None

    def _sheet(self, event: EventLike) -> str | None:
        bundle = self.bundles.get(_id(event.subject, "bundle"))
        if bundle is None:
            return "a paper of a bundle that was never closed"
        payload = json.loads(event.payload)
        printed = recorded_totals(payload.get("totals"))
        if printed != bundle.totals:
            return (f"the {payload.get('document')} printed says totals {payload.get('totals')}, "
                    f"but the bundle holds {bundle.totals}")
        bundle.sheets.append((event.seq, {**payload, "totals": printed}))
        return None

    def _purged(self, event: EventLike) -> str | None:
        payload = json.loads(event.payload)
        for item_id in payload["items"]:
            item = self.items.get(int(item_id))
            if item is None:
                return f"purges item {int(item_id):07d}, which the ledger never scanned"
            if self.outcome(item) != "delivered" and item.kind != Kind.KIT_ENVELOPE.value:
                return f"purges item {item.id:07d}, which was not delivered ({self.outcome(item)})"
            item.purged = True
        self.purged_images.update(payload["images"])
        self.purges.append((event.seq, payload))
        return None


def _kept_state(payload: dict[str, Any]) -> ItemState:
    return ItemState(kind=payload.get("kind"), case=payload.get("case"),
                     destination=payload.get("destination"), status=payload.get("status"),
                     method=payload.get("method"), confidence=payload.get("confidence"),
                     reasons=payload.get("reasons"), signatures=payload.get("signatures"),
                     text=payload.get("text"))


def piece_totals(items: Iterable[ItemLife]) -> Totals:
    """A bundle's totals from its pieces' states, as `BundleView.totals` counts them."""
    kinds: Counter[str | None] = Counter()
    signatures: list[int | None] = []
    pieces = 0
    for item in items:
        pieces += 1
        kinds[item.kind] += 1
        if item.kind == Kind.PETITION.value:
            signatures.append(item.state.get("signatures"))
    return {"letters": kinds[Kind.LETTER.value],
            "solidarity_letters": kinds[Kind.SOLIDARITY_LETTER.value],
            "postcards": kinds[Kind.POSTCARD.value], "petitions": kinds[Kind.PETITION.value],
            "signatures": known_sum(signatures),
            "pieces": pieces}


def recorded_totals(totals: object) -> object:
    """Totals as a `bundle.closed` or `sheet.issued` event holds them, in today's shape: a
    ledger written before letters to the person were a kind of their own has no count of
    them, which can only be 0 (anything that is not a dict is left to fail the comparison)."""
    if isinstance(totals, dict) and "solidarity_letters" not in totals:
        return {**totals, "solidarity_letters": 0}
    return totals


def _id(subject: str, prefix: str) -> int:
    kind, _, number = subject.partition(":")
    if kind != prefix:
        raise ValueError(f"subject {subject!r} is not a {prefix}")
    return int(number)


def replay(events: Iterable[EventLike], until: int | None = None) -> Replay:
    """Replay `events` (in sequence order), up to event `until` if given."""
    state = Replay()
    for event in events:
        if until is not None and event.seq > until:
            break
        state.apply(event, getattr(event, "hash", ""))
    return state
