"""What the scanning station reads and writes while sorting: batches, trays, the live feed."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, not_
from sqlalchemy import case as sql_case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models.events import EventType
from models.sides import SIDE_REASONS, Side, split_rejected
from models.store import tables as t
from models.store.core import StoreCore, all_rows
from scanpipe.domain.campaign import Campaign
from scanpipe.domain.routing import Kind, Status
from scanpipe.domain.trays import check_plan, default_plan

FEED_WINDOW = 2_000  # events a live screen may be behind before it reloads instead

# Events that change what the live screen of a station shows.
FEED_EVENTS = (EventType.ITEM_ROUTED, EventType.ITEM_REVIEW, EventType.ITEM_REJECTED,
               EventType.ITEM_DUPLICATE, EventType.ITEM_DECIDED, EventType.ITEM_UNDONE,
               EventType.ITEM_MOVED, EventType.BATCH_OPENED, EventType.BATCH_CLOSED)


@dataclass(frozen=True)
class FeedEvent:
    seq: int
    type: str
    subject: str
    actor: str
    at: str
    item: t.Item | None  # the item now (for item events)


@dataclass(frozen=True)
class BatchSummary:
    batch: t.Batch
    per_case: list[tuple[str, str, int, int | None]]  # case, kind, pieces, signatures
    by_status: dict[str, int]  # routed, review, rejected — and blank and picture sides apart
    envelopes: int
    duplicates: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def sides(self) -> int:
        """Pages of the batch that are blank backs or postcard picture sides."""
        return sum(self.by_status.get(side.value, 0) for side in Side)


@dataclass(frozen=True)
class Counts:
    """Items per status; rejected blank backs and picture sides under their `Side` instead."""

    batch: dict[str, int] = field(default_factory=dict)
    today: dict[str, int] = field(default_factory=dict)


class SortingVerbs(StoreCore):
    """The store's verbs for the sorting table (mixed into `models.store.Store`)."""

    # ---------------------------------------------------------------- trays

    def tray_plan(self, campaign: Campaign) -> dict[str, str]:
        """The plan in force: the defaults, with what a coordinator set over them."""
        plan = default_plan(campaign)
        with Session(self.engine) as session:
            for row in session.exec(select(t.Tray)):
                if row.destination in plan:
                    plan[row.destination] = row.label
        try:
            return check_plan(plan, campaign)
        except ValueError:
            return default_plan(campaign)  # a campaign change made the saved plan clash

    def set_trays(self, plan: dict[str, str], campaign: Campaign, *, actor: str,
                  station: str) -> dict[str, str]:
        """Save a tray plan (checked first) and record it in the ledger."""
        complete = check_plan(plan, campaign)
        with self.transaction() as session:
            for destination, label in complete.items():
                session.merge(t.Tray(destination=destination, label=label))
            _, at = self.now()
            self._append(session, at, actor, station, EventType.TRAYS_SET, f"campaign:{campaign.id}",
                         {"trays": complete})
        return complete

    # -------------------------------------------------------------- batches

    def open_batch(self, *, station: str, operator: str, kit_serial: int | None) -> int:
        """Close the station's open batch, if any, and open one (for a kit, or anonymous)."""
        with self.transaction() as session:
            batch = self.find_open_batch(session, station)
            if batch is not None:
                self.close_batch_in(session, batch, operator, station)
            opened = self.new_batch_in(session, station, operator, kit_serial)
            assert opened.id is not None  # given by the flush
            return opened.id

    def current_batch(self, station: str) -> t.Batch | None:
        with Session(self.engine) as session:
            return self.find_open_batch(session, station)

    def batch(self, batch_id: int) -> t.Batch | None:
        with Session(self.engine) as session:
            return session.get(t.Batch, batch_id)

    def batch_summary(self, batch_id: int) -> BatchSummary | None:
        with Session(self.engine) as session:
            batch = session.get(t.Batch, batch_id)
            if batch is None:
                return None
            rows = all_rows(session, sa_select(col(t.Item.case_code), col(t.Item.kind), col(t.Item.status),
                                               func.count(), func.sum(col(t.Item.signatures)))
                            .where(col(t.Item.batch_id) == batch_id)
                            .group_by(col(t.Item.case_code), col(t.Item.kind), col(t.Item.status)))
            sides = side_counts(session, col(t.Item.batch_id) == batch_id)
            duplicates = self._duplicates_in(session, batch)
        by_status: Counter[str] = Counter()
        per_case: list[tuple[str, str, int, int | None]] = []
        envelopes = 0
        for case, kind, status, count, signatures in rows:
            by_status[status] += count
            if kind == Kind.KIT_ENVELOPE.value:
                envelopes += count
            elif status == Status.ROUTED.value and case:
                per_case.append((case, kind, count, signatures))
        return BatchSummary(batch, sorted(per_case), split_rejected(dict(by_status), sides),
                            envelopes, duplicates)

    def _duplicates_in(self, session: Session, batch: t.Batch) -> int:
        """Pieces scanned again while the batch was open (recorded, not counted)."""
        bounds = dict(session.exec(select(t.Event.type, t.Event.seq)
                                   .where(t.Event.subject == f"batch:{batch.id}")).all())
        opened = bounds.get(EventType.BATCH_OPENED.value)
        if opened is None:
            return 0
        query = select(func.count()).select_from(t.Event).where(
            t.Event.type == EventType.ITEM_DUPLICATE.value, t.Event.station == batch.station,
            t.Event.seq > opened)
        closed = bounds.get(EventType.BATCH_CLOSED.value)
        if closed is not None:
            query = query.where(t.Event.seq < closed)
        return session.exec(query).one()

    # ----------------------------------------------------------------- feed

    def head_seq(self) -> int:
        with Session(self.engine) as session:
            return session.exec(select(func.max(t.Event.seq))).one() or 0

    def recent_items(self, station: str, limit: int = 12) -> list[t.Item]:
        with Session(self.engine) as session:
            # By (station, scanned_at): the index walks back from the newest, no sort of the season.
            return list(session.exec(select(t.Item).where(t.Item.station == station,
                                                          t.Item.campaign_id == self.campaign_id)
                                     .order_by(col(t.Item.scanned_at).desc(), col(t.Item.id).desc())
                                     .limit(limit)))

    def item(self, item_id: int) -> t.Item | None:
        with Session(self.engine) as session:
            return session.get(t.Item, item_id)

    def feed(self, station: str, after_seq: int, limit: int = 200) -> tuple[list[FeedEvent], int]:
        """What happened at `station` after event `after_seq`, oldest first, and the event to
        ask from next time. Only the last `FEED_WINDOW` events are looked at: a screen that
        fell further behind shows the newest."""
        wanted = {e.value for e in FEED_EVENTS}
        with Session(self.engine) as session:
            head = session.exec(select(func.max(t.Event.seq))).one() or 0
            start = max(after_seq, head - FEED_WINDOW)
            # A range of the primary key, filtered here: an index on type or station would make
            # the database walk the whole season.
            window = session.exec(select(t.Event).where(t.Event.seq > start)
                                  .order_by(col(t.Event.seq))).all()
            events = [e for e in window if e.station == station and e.type in wanted]
            if len(events) > limit:
                events = events[:limit]
                head = events[-1].seq
            else:
                head = max(head, after_seq, window[-1].seq if window else 0)
            ids = {int(e.subject.split(":", 1)[1]) for e in events if e.subject.startswith("item:")}
            items = {row.id: row for row in session.exec(select(t.Item).where(col(t.Item.id).in_(ids)))} \
                if ids else {}
        return [FeedEvent(e.seq, e.type, e.subject, e.actor, e.at,
                          items.get(int(e.subject.split(":", 1)[1])) if e.subject.startswith("item:")
                          else None) for e in events], head

    def counts(self, station: str, *, batch_id: int | None, since: datetime) -> Counts:
        """Pieces per status in the open batch and at the station since `since` (blank backs
        and picture sides counted apart from the rejected pages)."""
        with Session(self.engine) as session:
            batch: dict[str, int] = {}
            if batch_id is not None:
                in_batch = col(t.Item.batch_id) == batch_id
                batch = split_rejected(dict(session.exec(select(t.Item.status, func.count())
                                                         .where(in_batch)
                                                         .group_by(col(t.Item.status))).all()),
                                       side_counts(session, in_batch))
            here = (col(t.Item.station) == station, col(t.Item.scanned_at) >= since,
                    col(t.Item.campaign_id) == self.campaign_id)
            today = split_rejected(dict(session.exec(select(t.Item.status, func.count())
                                                     .where(*here)
                                                     .group_by(col(t.Item.status))).all()),
                                   side_counts(session, *here))
        return Counts(batch, today)


def side_counts(session: Session, *where: ColumnElement[bool]) -> dict[str, int]:
    """How many rejected items matching `where` are blank backs and picture sides
    (keys: `Side` values; only those with pages)."""
    # Reasons are a JSON list of codes: the quoted code is one whole entry. A page whose
    # reasons name both sides counts once, as the first (as `sides.side_of` says).
    names = [col(t.Item.reasons).contains(f'"{reason}"', autoescape=True) for reason, _ in SIDE_REASONS]
    # Sums, not a GROUP BY on an expression: PostgreSQL would take its bound parameters for
    # other columns than the selected ones.
    sums = [func.sum(sql_case((and_(name, *(not_(earlier) for earlier in names[:i])), 1),
                              else_=0))
            for i, name in enumerate(names)]
    row = session.exec(select(*sums).where(t.Item.status == Status.REJECTED.value,
                                           *where)).one()
    counted = {side.value: int(count or 0) for (_, side), count in zip(SIDE_REASONS, row)}
    return {key: n for key, n in counted.items() if n}


def reasons_of(item: t.Item) -> list[str]:
    reasons: list[str] = json.loads(item.reasons or "[]")
    return reasons
