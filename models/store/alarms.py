"""Acknowledged alarms: a quarantined file stays an alarm on every screen of its station until
someone says they have seen it. Kept in `alarm_ack` (who and when), once per file; the file's own
record is its ledger event, which this never touches."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.store import tables as t
from models.store.core import StoreCore


@dataclass(frozen=True)
class Ack:
    name: str
    quarantined_at: str
    acked_by: str
    acked_at: str


def acknowledge(store: StoreCore, *, station: str, name: str, quarantined_at: str,
                actor: str) -> Ack:
    """Record that `actor` has seen the quarantined file `name` (quarantined at
    `quarantined_at`) at `station`; a second acknowledgement keeps the first."""
    _, at = store.now()
    try:
        with store.transaction() as session:
            session.add(t.AlarmAck(station=station, name=name, quarantined_at=quarantined_at,
                                   acked_by=actor, acked_at=at))
    except IntegrityError:
        pass  # seen already: the first one counts
    found = acknowledged(store, station=station, names=[name])
    return found[(name, quarantined_at)]


def acknowledged(store: StoreCore, *, station: str,
                 names: Iterable[str] | None = None) -> dict[tuple[str, str], Ack]:
    """The acknowledgements at `station` (of the files `names` only, when given), by
    (name, quarantined_at)."""
    with Session(store.engine) as session:
        query = select(t.AlarmAck).where(t.AlarmAck.station == station)
        if names is not None:
            query = query.where(col(t.AlarmAck.name).in_(list(names)))
        return {(row.name, row.quarantined_at): Ack(row.name, row.quarantined_at, row.acked_by,
                                                    row.acked_at)
                for row in session.exec(query).all()}
