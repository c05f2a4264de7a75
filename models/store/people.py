"""People who sign in at the stations: their role and their password (or PIN), hashed.

Adding someone or changing their role or access is a ledger event, so an auditor
can tell who could do what and since when. The hash itself never enters the
ledger; a password change is recorded as the fact that it changed.

A change of PIN, role or access revokes that person's sessions (`models.store.sessions`), so
it counts at once everywhere; whoever changes her own PIN keeps the session she did it from.
On the station app, no change may leave the ledger without an active admin (the last one
cannot demote or disable herself); the command line can, and can add an admin again.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from models.events import EventType
from models.store import tables as t
from models.store.ledger import lock_ledger
from models.store.sessions import SessionVerbs, SessionView
from scanpipe.domain.errors import CodedError

MIN_SECRET = 4  # a PIN of four digits at least; sign-ins are throttled at the station
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs the same time as a
    wrong PIN (made on first use: it costs a fifth of a second)."""
    return _HASHER.hash("scanpipe-no-such-person")


class Role(StrEnum):
    OPERATOR = "operator"        # scans, sorts and settles pieces in review
    COORDINATOR = "coordinator"  # what operators do, plus trays and progress
    AUDITOR = "auditor"          # reads progress and the ledger; changes nothing
    ADMIN = "admin"              # everything, and manages people


class PeopleError(CodedError):
    """A request about people that cannot be done; the message says why."""


@dataclass(frozen=True)
class PersonView:
    """A person as the rest of scanpipe sees them (never with the hash)."""

    id: int
    login: str
    name: str
    role: Role
    active: bool


def login_of(name: str) -> str:
    """How a name is compared at sign-in: NFKC, trimmed, inner spaces single, case folded."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _clean_name(name: str) -> str:
    cleaned = " ".join(unicodedata.normalize("NFKC", name).split())
    if not cleaned or len(cleaned) > 60:
        raise PeopleError("a name has 1 to 60 characters", "name_length")
    if any(unicodedata.category(c).startswith("C") for c in cleaned):
        raise PeopleError("a name cannot hold control characters", "name_controls")
    return cleaned


def _check_secret(secret: str) -> None:
    if len(secret) < MIN_SECRET:
        raise PeopleError(f"a password or PIN has at least {MIN_SECRET} characters", "secret_short",
                          least=MIN_SECRET)
    if len(secret) > 256:
        raise PeopleError("a password has at most 256 characters", "secret_long")


def _view(row: t.Person) -> PersonView:
    assert row.id is not None  # a stored row
    return PersonView(row.id, row.login, row.name, Role(row.role), row.active)


class LastAdmin(PeopleError):
    """The change would leave nobody able to manage people."""


class PeopleVerbs(SessionVerbs):
    """The store's verbs about people and their sessions (mixed into `models.store.Store`)."""

    def add_person(self, name: str, role: Role, secret: str, *, actor: str,
                   station: str) -> PersonView:
        """Let someone sign in with `secret` as their password or PIN."""
        cleaned = _clean_name(name)
        _check_secret(secret)
        login = login_of(cleaned)
        with self.transaction() as session:
            if session.exec(select(t.Person).where(t.Person.login == login)).first():
                raise PeopleError(f"someone named {cleaned!r} already exists; choose another name "
                                  "or change that person's role or password", "exists", name=cleaned)
            now, at = self.now()
            row = t.Person(login=login, name=cleaned, role=Role(role).value,
                           password_hash=_HASHER.hash(secret), active=True, created_at=now)
            session.add(row)
            session.flush()
            self._append(session, at, actor, station, EventType.PERSON_ADDED, f"person:{row.id}",
                         {"name": cleaned, "role": row.role})
            return _view(row)

    def change_person(self, name: str, *, actor: str, station: str, role: Role | None = None,
                      active: bool | None = None, secret: str | None = None,
                      keep_session: int | None = None, keep_an_admin: bool = False) -> PersonView:
        """Change someone's role, access (active) or password; each change is an event and
        revokes the person's sessions (but `keep_session`, the session of someone changing
        her own password, which a role or access change never keeps). With `keep_an_admin`
        (the station app's people page, where only admins manage people), raises `LastAdmin`
        when the change would leave no active admin; the command line, which can always add
        an admin, may do it."""
        if secret is not None:
            _check_secret(secret)
        with self.transaction() as session:
            if keep_an_admin:  # two admins stepping down at once: one of them stays admin
                lock_ledger(session)
            row = self._person_row(session, name)
            was_admin = row.active and row.role == Role.ADMIN.value
            changes: dict[str, Any] = {}
            if role is not None and Role(role).value != row.role:
                row.role = changes["role"] = Role(role).value
            if active is not None and active != row.active:
                row.active = changes["active"] = active
            if secret is not None:
                row.password_hash = _HASHER.hash(secret)
                changes["password"] = "changed"
            if keep_an_admin and was_admin and not (row.active and row.role == Role.ADMIN.value):
                self._keep_an_admin(session, row)
            if changes:
                _, at = self.now()
                session.add(row)
                self._append(session, at, actor, station, EventType.PERSON_CHANGED,
                             f"person:{row.id}", {"name": row.name, **changes})
                assert row.id is not None  # a stored row
                keep = keep_session if changes.keys() == {"password"} else None
                self._revoke(session, row.id, keep=keep)
            return _view(row)

    def _keep_an_admin(self, session: Session, changed: t.Person) -> None:
        """Refuse a change that takes the last active admin away (`changed` was one)."""
        others = session.exec(select(t.Person).where(t.Person.role == Role.ADMIN.value,
                                                     t.Person.active == True,  # noqa: E712
                                                     t.Person.id != changed.id)).first()
        if others is None:
            raise LastAdmin(f"{changed.name} is the last active admin: make someone else admin "
                            "first, or nobody could manage people any more", "last_admin",
                            name=changed.name)

    def end_sessions_of(self, name: str, *, keep_session: int | None = None) -> int:
        """Sign `name` out everywhere (but `keep_session`); returns how many sessions ended."""
        with self.transaction() as session:
            row = self._person_row(session, name)
            assert row.id is not None  # a stored row
            return self._revoke(session, row.id, keep=keep_session)

    def session_person(self, token: str | None = None, *, session_id: int | None = None,
                       idle: timedelta, touch: bool = True) -> tuple[SessionView, PersonView] | None:
        """The live session of `token` (or of row `session_id`) and its person, read afresh;
        None when there is none (unknown, revoked, expired, idle, or the person disabled)."""
        found = self._live_session(token, session_id=session_id, idle=idle, touch=touch)
        return None if found is None else (found[0], _view(found[1]))

    def people(self) -> list[PersonView]:
        with Session(self.engine) as session:
            return [_view(row) for row in session.exec(select(t.Person).order_by(t.Person.login))]

    def person(self, person_id: int) -> PersonView | None:
        with Session(self.engine) as session:
            row = session.get(t.Person, person_id)
            return _view(row) if row else None

    def check_sign_in(self, name: str, secret: str) -> PersonView | None:
        """The person when the name and secret match an active person; None otherwise."""
        with Session(self.engine) as session:
            row = session.exec(select(t.Person).where(t.Person.login == login_of(name))).first()
        try:
            _HASHER.verify(row.password_hash if row else _dummy_hash(), secret)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not row.active:
            return None
        if _HASHER.check_needs_rehash(row.password_hash):
            with self.transaction() as session:
                fresh = session.get(t.Person, row.id)
                assert fresh is not None  # nobody is ever removed
                fresh.password_hash = _HASHER.hash(secret)
                session.add(fresh)
        return _view(row)

    def _person_row(self, session: Session, name: str) -> t.Person:
        row = session.exec(select(t.Person).where(t.Person.login == login_of(name))).first()
        if row is None:
            raise PeopleError(f"nobody named {name!r}: 'scanpipe people list' shows who exists",
                              "nobody", name=name)
        return row
