"""The store's verbs for kit orders (part of `models.store.Store`): import the office's orders,
tie printed kits to them, and count what came back per order and per kind of orderer.

An import is one `orders.imported` event (the file's SHA-256 and the rows as imported) in the
same transaction as its `kit_order` rows. The kits printed for an order are a `kits.printed`
event that names the order's reference; what came back is counted from the batches opened by
a kit envelope whose serial lies in the order's ranges. Every row belongs to one campaign.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models.events import PIECE_KINDS, EventType
from models.store import tables as t
from models.store.core import StoreCore, all_rows, kit_prints
from models.store.ledger import append_event, lock_ledger
from scanpipe.domain.campaign import Campaign
from scanpipe.domain.orders import KitOrderLine, OrderKind
from scanpipe.domain.routing import Kind, Status

NO_ORDER = "no order"  # the kind of the kits printed for no order, in the totals
REMINDER_DAYS = 7       # reminders: from a week before the campaign's deadline
_COMPARED = ("kind", "name", "contact", "email", "address", "language", "kits")


class OrderConflict(ValueError):
    """A file's row says otherwise than the order imported before under its reference; the
    message names every such line."""


@dataclass(frozen=True)
class ImportOutcome:
    imported: int          # new orders
    unchanged: int         # rows of orders imported before with the same values
    same_file: bool        # this very file (its SHA-256) was imported before: nothing read
    event_seq: int | None  # the orders.imported event written, if any


@dataclass(frozen=True)
class KitRange:
    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def __str__(self) -> str:
        return f"{self.first:06d}" if self.first == self.last else f"{self.first:06d}–{self.last:06d}"


@dataclass
class OrderFigures:
    """What one order (or the kits printed for no order) gave, counted from the tables."""

    reference: str | None  # None: the kits printed without an order
    kind: str              # school, group, person, or NO_ORDER
    name: str
    ranges: list[KitRange] = field(default_factory=list)
    kits_back: int = 0
    pieces: Counter[str] = field(default_factory=Counter)  # per piece kind
    signatures: int = 0

    @property
    def kits_sent(self) -> int:
        return sum(r.count for r in self.ranges)

    @property
    def return_rate(self) -> float | None:
        return self.kits_back / self.kits_sent if self.kits_sent else None


@dataclass
class KindTotals:
    kind: str
    orders: int = 0
    kits_sent: int = 0
    kits_back: int = 0
    pieces: Counter[str] = field(default_factory=Counter)
    signatures: int = 0

    @property
    def return_rate(self) -> float | None:
        return self.kits_back / self.kits_sent if self.kits_sent else None


@dataclass(frozen=True)
class Reminders:
    applies_from: date            # a week before the deadline
    due: bool                     # today is on or after `applies_from`
    orders: tuple[t.KitOrder, ...]  # orders sent kits with nothing back (all of them when due)
    not_printed: int              # orders no kit was printed for yet


def kind_totals(figures: Iterable[OrderFigures]) -> list[KindTotals]:
    """Totals per kind of orderer (school, group, person), then the kits of no order."""
    totals = {kind: KindTotals(kind) for kind in [*(k.value for k in OrderKind), NO_ORDER]}
    for one in figures:
        total = totals[one.kind]
        total.orders += one.reference is not None
        total.kits_sent += one.kits_sent
        total.kits_back += one.kits_back
        total.pieces.update(one.pieces)
        total.signatures += one.signatures
    return list(totals.values())


def order_printed_problem(session: Session, campaign_id: str, reference: str, count: int) -> str | None:
    """Why `count` kits cannot be recorded as printed for order `reference` now (None: they
    can): no such order in the campaign, kits printed for it already, or another number of
    kits than it ordered. Run under the ledger's lock, by `Store.record_kits_printed`."""
    order = session.exec(select(t.KitOrder).where(t.KitOrder.campaign_id == campaign_id,
                                                  t.KitOrder.reference == reference)).first()
    if order is None:
        return f"there is no order {reference!r} in campaign {campaign_id}: import it first"
    printed = _order_ranges(session, campaign_id, {reference}).get(reference)
    if printed:
        spans = ", ".join(str(r) for r in printed)
        return (f"the kits of order {reference} were printed already ({spans}); to print them "
                f"again use 'scanpipe kits --reprint FIRST-LAST'")
    if count != order.kits:
        return f"order {reference} is for {order.kits} kits, not {count}"
    return None


def _printed_ranges(session: Session, campaign_id: str) -> tuple[dict[str, list[KitRange]], list[KitRange]]:
    """The kit serials of `campaign_id`'s new prints (not reprints): per order reference, and
    for no order. Each campaign numbers its kits from 1; a print recorded before a ledger held
    several campaigns names none and is its first campaign's."""
    ranges: dict[str, list[KitRange]] = defaultdict(list)
    unordered: list[KitRange] = []
    for found in kit_prints(session, campaign_id):
        if found.get("reprint"):
            continue
        first = int(found["first"])
        kit_range = KitRange(first, first + int(found["count"]) - 1)
        if found.get("order") is None:
            unordered.append(kit_range)
        else:
            ranges[str(found["order"])].append(kit_range)
    return dict(ranges), unordered


def _order_ranges(session: Session, campaign_id: str, references: set[str]) -> dict[str, list[KitRange]]:
    """The kit serials printed for each of these orders of `campaign_id`, by reference."""
    return {ref: spans for ref, spans in _printed_ranges(session, campaign_id)[0].items()
            if ref in references}


class OrderVerbs(StoreCore):
    """Import orders; the orders and their kits; what came back; the reminders."""

    def import_orders(self, lines: Sequence[KitOrderLine], campaign: Campaign, *, sha256: str,
                      source: str, actor: str, station: str) -> ImportOutcome:
        """Import the checked orders of a file: one `orders.imported` event and its rows, in
        one transaction. The same file again, or rows of orders imported before with the same
        values, import nothing; a row that says otherwise than its order imported before
        raises `OrderConflict` (nothing is imported)."""
        with self.transaction() as session:
            lock_ledger(session)  # two imports of the same file at once import it once
            for payload in session.exec(select(t.Event.payload).where(
                    t.Event.type == EventType.ORDERS_IMPORTED.value,
                    t.Event.subject == f"orders:{sha256}")):
                if json.loads(payload).get("campaign") == campaign.id:
                    return ImportOutcome(0, len(lines), True, None)
            known = {row.reference: row for row in session.exec(
                select(t.KitOrder).where(t.KitOrder.campaign_id == campaign.id))}
            conflicts, new = [], []
            for line in lines:
                before = known.get(line.reference)
                if before is None:
                    new.append(line)
                    continue
                differs = [c for c in _COMPARED if getattr(before, c) != line.values()[c]]
                if differs:
                    conflicts.append(
                        f"line {line.line}, column {differs[0]}: order {line.reference} was imported "
                        f"before with {differs[0]} {getattr(before, differs[0])!r}, not "
                        f"{line.values()[differs[0]]!r}: correct the row, or give a new order a "
                        "new reference")
            if conflicts:
                raise OrderConflict(f"nothing imported: {len(conflicts)} rows say otherwise than the "
                                    "orders imported before under their reference:\n"
                                    + "\n".join(conflicts))
            if not new:
                return ImportOutcome(0, len(lines), False, None)
            now, at = self.now()
            event = append_event(session, at=at, actor=actor, station=station,
                                 type_=EventType.ORDERS_IMPORTED, subject=f"orders:{sha256}",
                                 payload={"campaign": campaign.id, "sha256": sha256,
                                          "source": source,
                                          "orders": [line.values() for line in new]})
            for line in new:
                session.add(t.KitOrder(campaign_id=campaign.id, reference=line.reference,
                                       kind=line.kind.value, name=line.name, contact=line.contact,
                                       email=line.email, address=line.address,
                                       language=line.language, kits=line.kits, imported_at=now,
                                       import_seq=event.seq))
            return ImportOutcome(len(new), len(lines) - len(new), False, event.seq)

    def kit_orders(self, campaign: Campaign) -> list[t.KitOrder]:
        """The campaign's orders, in the order they were imported."""
        with Session(self.engine) as session:
            return list(session.exec(select(t.KitOrder).where(t.KitOrder.campaign_id == campaign.id)
                                     .order_by(col(t.KitOrder.id))))

    def order_kits(self, campaign: Campaign) -> dict[str, list[KitRange]]:
        """The kit serials printed for each of the campaign's orders (a new print, not a
        reprint), by reference; an order printed for nothing yet is absent."""
        references = {order.reference for order in self.kit_orders(campaign)}
        with Session(self.engine) as session:
            return _order_ranges(session, campaign.id, references)

    def order_figures(self, campaign: Campaign) -> list[OrderFigures]:
        """Per order: kits sent, kits back, pieces per kind and signatures; then one line for
        the kits printed for no order."""
        orders = self.kit_orders(campaign)
        with Session(self.engine) as session:
            printed, unordered = _printed_ranges(session, campaign.id)
            ranges = {o.reference: printed.get(o.reference, []) for o in orders}
            back = set(session.exec(select(t.Batch.kit_serial)
                                    .where(col(t.Batch.kit_serial).is_not(None),
                                           t.Batch.campaign_id == campaign.id).distinct()))
            pieces = all_rows(session, sa_select(col(t.Batch.kit_serial), col(t.Item.kind),
                                                 func.count(), func.sum(col(t.Item.signatures)))
                              .join(t.Batch, col(t.Item.batch_id) == col(t.Batch.id))
                              .where(col(t.Batch.kit_serial).is_not(None),
                                     col(t.Batch.campaign_id) == campaign.id,
                                     col(t.Item.status) != Status.REJECTED.value,
                                     col(t.Item.kind).in_(PIECE_KINDS))
                              .group_by(col(t.Batch.kit_serial), col(t.Item.kind)))
        figures = [OrderFigures(o.reference, o.kind, o.name, ranges[o.reference]) for o in orders]
        figures.append(OrderFigures(None, NO_ORDER, "", unordered))
        owner = sorted(((r, f) for f in figures for r in f.ranges), key=lambda pair: pair[0].first)
        starts = [kit_range.first for kit_range, _ in owner]

        def find(serial: int | None) -> OrderFigures | None:
            """The order whose ranges hold `serial` (new prints never overlap)."""
            at = bisect_right(starts, serial) - 1 if serial is not None else -1
            if at < 0 or serial is None or serial > owner[at][0].last:
                return None
            return owner[at][1]

        for serial in back:
            one = find(serial)
            if one is not None:
                one.kits_back += 1
        for serial, kind, count, signatures in pieces:
            one = find(serial)
            if one is not None:
                one.pieces[kind] += count
                if kind == Kind.PETITION.value:
                    one.signatures += signatures or 0
        return figures

    def reminders(self, campaign: Campaign, today: date) -> Reminders:
        """The orders sent kits of which none came back, to write to from a week before the
        deadline."""
        applies_from = campaign.deadline - timedelta(days=REMINDER_DAYS)
        orders = {o.reference: o for o in self.kit_orders(campaign)}
        figures = [f for f in self.order_figures(campaign) if f.reference is not None]
        quiet = tuple(orders[f.reference] for f in figures
                      if f.reference is not None and f.kits_sent and not f.kits_back)
        not_printed = sum(1 for f in figures if not f.kits_sent)
        return Reminders(applies_from, today >= applies_from, quiet, not_printed)
