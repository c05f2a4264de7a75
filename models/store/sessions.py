"""Server-side sessions of the station app: who a browser is, decided by a row, not by a cookie.

A sign-in opens a session: a random token goes into the browser's cookie and only its SHA-256
into the table, with the person, when it was opened, last seen and when it expires. Every
request finds its session by the token's hash; a session holds while it is not revoked, not
expired, not idle for longer than the app allows, and its person is still active. Sign-out
revokes it; changing a person's PIN, role or access revokes all of theirs
(`PeopleVerbs.change_person`). Rows are never deleted, only revoked: sessions are not ledger
events (signing in changes nothing on paper), but an admin can tell who was signed in when.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.store import tables as t
from models.store.core import StoreCore

TOUCH_EVERY = timedelta(seconds=60)  # `last_seen` is written at most this often per session


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class SessionView:
    """A live session: its row id and its person's id (read the person afresh with `person`)."""

    id: int
    person_id: int
    created_at: datetime
    expires_at: datetime


class SessionVerbs(StoreCore):
    """The store's verbs about sessions (mixed into `models.store.Store` through `PeopleVerbs`)."""

    def open_session(self, person_id: int, *, station: str, hours: float) -> str:
        """A new session for `person_id`, valid `hours` at most; returns its token (given out
        once: the table keeps only its hash)."""
        token = secrets.token_urlsafe(32)
        now, _ = self.now()
        with self.transaction() as session:
            session.add(t.WebSession(token_hash=token_hash(token), person_id=person_id,
                                     station=station[:80], created_at=now, last_seen=now,
                                     expires_at=now + timedelta(hours=hours)))
        return token

    def _live_session(self, token: str | None = None, *, session_id: int | None = None,
                      idle: timedelta, touch: bool = True) -> tuple[SessionView, t.Person] | None:
        """The session of `token` (or of row `session_id`) and its person's row, if it still
        holds: not revoked, not expired, seen within `idle`, its person active. `touch` marks
        it seen now. (`PeopleVerbs.session_person` is the public verb.)"""
        if not token and session_id is None:
            return None
        now, _ = self.now()
        with Session(self.engine) as session:
            query = select(t.WebSession, t.Person).join(
                t.Person, col(t.Person.id) == col(t.WebSession.person_id))
            query = (query.where(t.WebSession.token_hash == token_hash(token)) if token
                     else query.where(t.WebSession.id == session_id))
            found = session.exec(query).first()
        if found is None:
            return None
        row, person = found
        if (row.revoked_at is not None or now >= row.expires_at or now - row.last_seen > idle
                or not person.active):
            return None
        assert row.id is not None  # a stored row
        if touch and now - row.last_seen >= TOUCH_EVERY:
            with self.transaction() as session:
                session.exec(update(t.WebSession).where(col(t.WebSession.id) == row.id)
                             .values(last_seen=now))
        return SessionView(row.id, row.person_id, row.created_at, row.expires_at), person

    def end_session(self, token: str | None) -> None:
        """Revoke the session of `token` (sign-out); an unknown token changes nothing."""
        if not token:
            return
        now, _ = self.now()
        with self.transaction() as session:
            session.exec(update(t.WebSession)
                         .where(col(t.WebSession.token_hash) == token_hash(token),
                                col(t.WebSession.revoked_at).is_(None))
                         .values(revoked_at=now))

    def revoke_sessions(self, person_id: int, *, keep: int | None = None) -> int:
        """Revoke every session of `person_id` but `keep` (a session id); returns how many."""
        with self.transaction() as session:
            return self._revoke(session, person_id, keep=keep)

    def _revoke(self, session: Session, person_id: int, *, keep: int | None = None) -> int:
        now, _ = self.now()
        query = update(t.WebSession).where(col(t.WebSession.person_id) == person_id,
                                           col(t.WebSession.revoked_at).is_(None))
        if keep is not None:
            query = query.where(col(t.WebSession.id) != keep)
        return int(session.exec(query.values(revoked_at=now)).rowcount)
