"""What every part of the store stands on: its engines, images and clock, its transactions, the
ledger's append, and the batch steps that intake and sorting share.

The parts (`models.store.intake`, `bundles`, …) are classes built on `StoreCore`; `Store`
joins them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
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


class StoreCore:
    """The ledger's database and images, and the steps every part of the store writes with."""

    def __init__(self, engine: Engine, images: ImageStore,
                 clock: Callable[[], datetime] = utc_now, writer: Engine | None = None):
        self.engine = engine  # reads
        self.writer = writer or engine  # transactions that write
        self.images = images
        self.clock = clock

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

    def _append(self, session: Session, at: str, actor: str, station: str, type_: EventType,
                subject: str, payload: dict[str, Any]) -> None:
        append_event(session, at=at, actor=actor, station=station, type_=type_,
                     subject=subject, payload=payload)

    # ------------------------------------------------------------- batches

    # The batch steps run in the caller's transaction (`models.store.intake` uses them too).

    def find_open_batch(self, session: Session, station: str) -> t.Batch | None:
        """The station's open batch, if any."""
        return session.exec(select(t.Batch).where(t.Batch.station == station,
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
        batch = t.Batch(station=station, operator=operator, kit_serial=kit_serial, opened_at=now)
        session.add(batch)
        session.flush()
        self._append(session, at, operator, station, EventType.BATCH_OPENED, f"batch:{batch.id}",
                     {"kit": kit_serial})
        return batch
