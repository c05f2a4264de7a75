"""What every part of the store stands on: its engines, images and clock, its transactions, the
ledger's append, and the batch steps that intake and sorting share.

The parts (`models.store.intake`, `bundles`, …) are classes built on `StoreCore`; `Store`
joins them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVarTuple, cast

from sqlalchemy import Select, func
from sqlalchemy.engine import Engine, Row
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from models.events import EventType
from models.images import ImageStore
from models.store import tables as t
from models.store.ledger import append_event

_Ts = TypeVarTuple("_Ts")


def utc_now() -> datetime:
    return datetime.now(UTC)


def all_rows(session: Session, statement: Select[*_Ts]) -> Sequence[Row[*_Ts]]:
    """Every row of a select of more than four columns, typed: sqlmodel's `select` and
    `Session.exec` type four at most (this is what `exec` runs for them)."""
    return OrmSession.execute(session, statement).all()


def stored_id(column: int | None) -> Mapped[int]:
    """A primary key column to select: the tables type it `int | None` (a new row has none
    yet), but a row read back always has it."""
    return cast("Mapped[int]", col(column))


class StoreError(Exception):
    """A request the ledger cannot satisfy; the message says what to do."""


class NoCampaign(StoreError):
    pass


class UnknownCampaign(StoreError):
    """A campaign id chosen that this ledger does not hold; the message lists the ones it holds."""


@dataclass(frozen=True)
class SummaryRow:
    """Pieces of one case, destination, kind and status (`Store.routing_summary`)."""

    case: str | None
    destination: str | None
    kind: str
    status: str
    count: int
    signatures: int | None = None  # petition sheets: signed rows counted (None: none counted)
    uncounted: int = 0  # petition sheets whose signatures were not counted (not in `signatures`)


def known_campaigns(session: Session) -> list[str]:
    """The ids of the campaigns loaded into this ledger, the one added most recently first. A new
    version of an older campaign's file does not move it up: fixing last year's file never
    makes last year the default of every command and station."""
    added = func.min(t.CampaignVersion.id)
    rows = session.exec(select(t.CampaignVersion.campaign_id, added)
                        .group_by(col(t.CampaignVersion.campaign_id))).all()
    return [campaign for campaign, _ in sorted(rows, key=lambda row: -(row[1] or 0))]


def kit_prints(session: Session, campaign: str | None) -> list[dict[str, Any]]:
    """The payloads of `campaign`'s `kits.printed` events, oldest first. An event that names no
    campaign is the ledger's first campaign's (written before a ledger held several)."""
    first_campaign = session.exec(select(t.CampaignVersion.campaign_id)
                                  .order_by(col(t.CampaignVersion.id)).limit(1)).first()
    payloads = [json.loads(payload) for payload in session.exec(
        select(t.Event.payload).where(t.Event.type == EventType.KITS_PRINTED.value)
        .order_by(col(t.Event.seq)))]
    return [found for found in payloads if found.get("campaign", first_campaign) == campaign]


class StoreCore:
    """The ledger's database and images, and the steps every part of the store writes with.

    One ledger holds several campaigns (years); a store works for one of them (`campaign_id`):
    every count, list and new row is that campaign's. The events stay one chain.
    """

    def __init__(self, engine: Engine, images: ImageStore,
                 clock: Callable[[], datetime] = utc_now, writer: Engine | None = None,
                 campaign_id: str | None = None):
        self.engine = engine  # reads
        self.writer = writer or engine  # transactions that write
        self.images = images
        self.clock = clock
        self.chosen_campaign = campaign_id  # as asked for (None: the default)
        self._campaign_id: str | None = None

    @property
    def campaign_id(self) -> str | None:
        """The campaign this store works for: the one chosen, else the one added most recently
        (the only one, in most ledgers); None while no campaign is loaded. An id chosen that the
        ledger does not hold raises `UnknownCampaign`."""
        if self._campaign_id is None:
            with Session(self.engine) as session:
                known = known_campaigns(session)
            if self.chosen_campaign is None:
                self._campaign_id = known[0] if known else None
            elif self.chosen_campaign in known:
                self._campaign_id = self.chosen_campaign
            else:
                held = ", ".join(known) if known else "none: load a campaign file first"
                raise UnknownCampaign(f"this ledger holds no campaign {self.chosen_campaign!r}; the "
                                      f"campaigns it holds: {held} (--campaign-id or "
                                      "SCANPIPE_CAMPAIGN_ID)")
        return self._campaign_id

    def work_for(self, campaign_id: str) -> None:
        """Work for `campaign_id` from now on (one this ledger holds)."""
        self.chosen_campaign, self._campaign_id = campaign_id, None

    def working_campaign(self) -> str:
        """The campaign new rows are written for; raises `NoCampaign` while none is loaded."""
        campaign = self.campaign_id
        if campaign is None:
            raise NoCampaign("no campaign is loaded in this ledger: run "
                             "'scanpipe campaign load CAMPAIGN.toml' first")
        return campaign

    def close(self) -> None:
        self.engine.dispose()
        self.writer.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with Session(self.writer, expire_on_commit=False) as session, session.begin():
            yield session

    def now(self) -> tuple[datetime, str]:
        """The clock's time in UTC, and its text as events hold it."""
        now = self.clock().astimezone(UTC)
        return now, now.isoformat(timespec="microseconds")

    def today(self) -> date:
        """The clock's day in the station's time zone: what 'today' means to a typed day."""
        return self.clock().astimezone().date()

    def _append(self, session: Session, at: str, actor: str, station: str, type_: EventType,
                subject: str, payload: dict[str, Any]) -> None:
        append_event(session, at=at, actor=actor, station=station, type_=type_,
                     subject=subject, payload=payload)

    # ------------------------------------------------------------- batches

    # The batch steps run in the caller's transaction (`models.store.intake` uses them too).

    def find_open_batch(self, session: Session, station: str) -> t.Batch | None:
        """The station's open batch, if any."""
        return session.exec(select(t.Batch).where(t.Batch.station == station,
                                                  t.Batch.campaign_id == self.campaign_id,
                                                  col(t.Batch.closed_at).is_(None))
                            .order_by(col(t.Batch.id).desc()).limit(1)).first()

    def close_batch_in(self, session: Session, batch: t.Batch, operator: str, station: str,
                       when: tuple[datetime, str] | None = None) -> None:
        """Close `batch` and record it, with its item count."""
        now, at = when or self.now()
        batch.closed_at = now
        session.add(batch)
        count = session.exec(select(func.count()).select_from(t.Item)
                             .where(t.Item.batch_id == batch.id)).one()
        self._append(session, at, operator, station, EventType.BATCH_CLOSED, f"batch:{batch.id}",
                     {"items": count})

    def new_batch_in(self, session: Session, station: str, operator: str,
                     kit_serial: int | None, when: tuple[datetime, str] | None = None) -> t.Batch:
        """Open a batch at the station (for a kit, or anonymous) and record it."""
        now, at = when or self.now()
        campaign = self.working_campaign()
        batch = t.Batch(campaign_id=campaign, station=station, operator=operator,
                        kit_serial=kit_serial, opened_at=now)
        session.add(batch)
        session.flush()
        self._append(session, at, operator, station, EventType.BATCH_OPENED, f"batch:{batch.id}",
                     {"kit": kit_serial, "campaign": campaign})
        return batch
