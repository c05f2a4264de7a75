"""Who may do what at the station, sign-in throttling and CSRF tokens."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from models.store.people import Role, login_of


class Permission(StrEnum):
    SORT = "sort"            # the live screen, batches, the hot folder's pieces
    REVIEW = "review"        # settle pieces in review, undo one's own decisions
    SEE_TRAYS = "see_trays"  # the tray plan, to print it
    SET_TRAYS = "set_trays"  # change the tray plan
    PROGRESS = "progress"    # counts per case
    SEE_IMAGES = "see_images"
    PEOPLE = "people"        # add people, change roles and access
    BUNDLES = "bundles"      # close bundles, print their papers, record their delivery


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OPERATOR: frozenset({Permission.SORT, Permission.REVIEW, Permission.SEE_TRAYS,
                              Permission.SEE_IMAGES}),
    Role.COORDINATOR: frozenset({Permission.SORT, Permission.REVIEW, Permission.SEE_TRAYS,
                                 Permission.SET_TRAYS, Permission.PROGRESS, Permission.SEE_IMAGES,
                                 Permission.BUNDLES}),
    Role.AUDITOR: frozenset({Permission.SEE_TRAYS, Permission.PROGRESS, Permission.SEE_IMAGES}),
    Role.ADMIN: frozenset(Permission),
}


def may(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected, given)


@dataclass
class _Tries:
    failures: int = 0
    locked_until: float = 0.0
    last: float = 0.0
    names: dict[str, int] = field(default_factory=dict)  # an address's failures, per name


class SignInThrottle:
    """Slows down guessing, per name and per address.

    A name is keyed as people are looked up (`login_of`: NFKC, whitespace runs single, trimmed,
    case folded), so "Adam", "ADAM", "Adam\u00a0" and "\uff21dam" share one count: after `free`
    wrong tries for a name, each further wrong try locks that name for twice as long (from `base`
    seconds up to `ceiling`), from every address. An address has its own, much larger allowance
    (`address_free`, default ten times `free`) over all names tried from it, so one PC's typos
    for one name do not lock the other people of that PC, while a PC trying many names is still
    slowed down. A right answer clears the name's count and what that name added to the
    address's; failures are forgotten after `forget` quiet seconds."""

    def __init__(self, *, free: int = 5, base: float = 30.0, ceiling: float = 900.0,
                 forget: float = 3600.0, address_free: int | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.free, self.base, self.ceiling, self.forget = free, base, ceiling, forget
        self.address_free = 10 * free if address_free is None else address_free
        self.clock = clock
        self._tries: dict[str, _Tries] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(name: str, address: str) -> tuple[str, str, str]:
        login = login_of(name)
        return login, f"name:{login}", f"addr:{address}"

    def wait_seconds(self, name: str, address: str) -> int:
        """How long before another try for `name` from `address` is allowed (0: now)."""
        _, *keys = self._keys(name, address)
        now = self.clock()
        with self._lock:
            waits = [self._tries[k].locked_until - now for k in keys if k in self._tries]
        return max([0, *[int(w) + 1 for w in waits if w > 0]])

    def failed(self, name: str, address: str) -> None:
        login, name_key, address_key = self._keys(name, address)
        now = self.clock()
        with self._lock:
            for key, free in ((name_key, self.free), (address_key, self.address_free)):
                tries = self._tries.get(key)
                if tries is None or now - tries.last > self.forget:
                    tries = self._tries[key] = _Tries()
                tries.failures += 1
                tries.last = now
                if key == address_key:
                    tries.names[login] = tries.names.get(login, 0) + 1
                over = tries.failures - free
                if over >= 0:
                    tries.locked_until = now + min(self.ceiling, self.base * 2 ** over)
            if len(self._tries) > 10_000:  # an address flood: drop the oldest quiet entries
                for key, tries in sorted(self._tries.items(), key=lambda kv: kv[1].last)[:5_000]:
                    if tries.locked_until < now:
                        del self._tries[key]

    def succeeded(self, name: str, address: str) -> None:
        """The right PIN for `name`: its count goes, and so do its failures from `address`."""
        login, name_key, address_key = self._keys(name, address)
        with self._lock:
            self._tries.pop(name_key, None)
            tries = self._tries.get(address_key)
            if tries is not None:
                tries.failures -= tries.names.pop(login, 0)
                if tries.failures - self.address_free < 0:
                    tries.locked_until = 0.0
                if tries.failures <= 0:
                    del self._tries[address_key]
