"""Who may do what at the station, sign-in throttling and CSRF tokens."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from enum import StrEnum

from models.store.people import Role


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


class SignInThrottle:
    """Slows down guessing: after `free` wrong tries for a name or from an address, each
    further wrong try locks it for twice as long (from `base` seconds up to `ceiling`).
    A right answer clears the name; failures are forgotten after `forget` quiet seconds."""

    def __init__(self, *, free: int = 5, base: float = 30.0, ceiling: float = 900.0,
                 forget: float = 3600.0, clock=time.monotonic):
        self.free, self.base, self.ceiling, self.forget = free, base, ceiling, forget
        self.clock = clock
        self._tries: dict[str, _Tries] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, *keys: str) -> int:
        """How long before another try is allowed for any of `keys` (0: now)."""
        now = self.clock()
        with self._lock:
            waits = [self._tries[k].locked_until - now for k in keys if k in self._tries]
        return max([0, *[int(w) + 1 for w in waits if w > 0]])

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                tries = self._tries.get(key)
                if tries is None or now - tries.last > self.forget:
                    tries = self._tries[key] = _Tries()
                tries.failures += 1
                tries.last = now
                over = tries.failures - self.free
                if over >= 0:
                    tries.locked_until = now + min(self.ceiling, self.base * 2 ** over)
            if len(self._tries) > 10_000:  # an address flood: drop the oldest quiet entries
                for key, tries in sorted(self._tries.items(), key=lambda kv: kv[1].last)[:5_000]:
                    if tries.locked_until < now:
                        del self._tries[key]

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._tries.pop(key, None)
