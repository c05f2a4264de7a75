"""Appending to the append-only, hash-chained event log.

Events are never updated or deleted; a correction is a new event that points at what it
corrects. What the events are and how they are hashed and chained: `models.events`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from models.events import GENESIS, EventType, canonical_json, event_hash
from models.store.tables import Event

_PG_LEDGER_LOCK = 0x5CA4_91BE  # advisory lock id that serialises appends on PostgreSQL


def lock_ledger(session: Session | Connection) -> None:
    """Serialise appends so the chain stays one line (SQLite: BEGIN IMMEDIATE does it)."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=_PG_LEDGER_LOCK))


def append_event(session: Session, *, at: str, actor: str, station: str, type_: EventType,
                 subject: str, payload: dict[str, Any]) -> Event:
    """Append one event inside the caller's transaction and return it."""
    lock_ledger(session)
    head = session.exec(select(Event).order_by(col(Event.seq).desc()).limit(1)).first()
    seq = head.seq + 1 if head else 1
    prev = head.hash if head else GENESIS
    body = canonical_json(payload)
    event = Event(seq=seq, at=at, actor=actor, station=station, type=type_.value,
                  subject=subject, payload=body, prev_hash=prev,
                  hash=event_hash(seq, at, actor, station, type_.value, subject, body, prev))
    session.add(event)
    session.flush()
    return event
