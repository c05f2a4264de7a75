"""When a file in the inbox is complete, and in which order the complete files are taken.

A scanner writes a file over time, so a file counts as settled only once its size and mtime
have stayed the same for `settle_seconds`. Files are taken oldest first, then in natural name
order, because the kit envelope scanned first opens the batch for the pages after it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from stations.hotfolder.client import Handled
from stations.hotfolder.inbox import Stat

log = logging.getLogger(__package__)

Order = tuple[int, list[int | str]]


@dataclass
class Seen:
    """A file in the inbox, not taken yet."""

    path: Path
    stat: Stat
    since: float                # clock time this size and mtime were first seen
    said_waiting: bool = False
    not_before: float = 0.0     # after a read error: not before this time
    delay: float = 0.0
    copy: Path | None = None    # copied early for `decide_ahead`
    order: Order | None = None  # its place in the queue (see `_queue_order`)
    judge_at: float = 0.0       # could not be decoded while maybe incomplete: held until then
    read_errors: int = 0        # times it could not even be opened or read


@dataclass
class Taken:
    """A file the client is through with, whose original still has to be moved."""

    path: Path
    stat: Stat
    outcome: Handled
    copy: Path | None = None    # the client's copy, removed once the original has moved
    placed: Path | None = None  # already copied there; only the original is left to remove
    not_before: float = 0.0
    delay: float = 0.0


class Queue:
    """The files seen in the inbox and not taken yet, and the files taken whose original is
    still to move, by name. One taker at a time changes it; `waiting` and `busy` may be asked
    from any thread."""

    def __init__(self, settle_seconds: float):
        self.settle_seconds = settle_seconds
        self._lock = threading.Lock()
        self._seen: dict[str, Seen] = {}
        self._taken: dict[str, Taken] = {}

    def refresh(self, found: dict[str, tuple[Path, Stat]], now: float) -> list[Seen]:
        """Bring what we know in line with the inbox's files; a changed size or mtime restarts
        settling. Returns the files dropped or restarted, whose early copies are to go."""
        stale: list[Seen] = []
        with self._lock:
            for name in [n for n in self._taken if found.get(n, (None, None))[1] != self._taken[n].stat]:
                log.warning("hot folder: %s left or changed before it was moved; forgetting it", name)
                gone = self._taken.pop(name)
                if gone.copy is not None:
                    gone.copy.unlink(missing_ok=True)
            for name in [n for n in self._seen if n not in found]:
                stale.append(self._seen.pop(name))
            for name, (path, st) in found.items():
                seen = self._seen.get(name)
                if name not in self._taken and (seen is None or seen.stat != st):
                    if seen is not None:
                        stale.append(seen)
                    self._seen[name] = Seen(path, st, since=now)
        return stale

    def settled(self, seen: Seen, now: float) -> bool:
        return now - seen.since >= self.settle_seconds and now >= seen.judge_at

    def by_copy(self, copy: Path) -> Seen | None:
        """The file whose early or current copy is `copy`."""
        with self._lock:
            return next((s for s in self._seen.values() if s.copy == copy), None)

    def due(self, now: float, excluded: Collection[str]) -> list[tuple[str, Seen]]:
        """The files not held back after a read error, less `excluded`, in queue order."""
        with self._lock:
            return sorted(((n, s) for n, s in self._seen.items()
                           if s.not_before <= now and n not in excluded), key=_queue_order)

    def seen(self, name: str) -> Seen:
        with self._lock:
            return self._seen[name]

    def copies(self, names: list[str]) -> list[tuple[str, Path]]:
        """The early copies of these files, for those still here."""
        with self._lock:
            found = [(n, self._seen[n].copy) for n in names if n in self._seen]
        return [(n, copy) for n, copy in found if copy is not None]

    def newly_waiting(self, now: float) -> list[str]:
        """The settled files not said to wait yet, in order; from now on they are."""
        with self._lock:
            newly = [n for n, s in sorted(self._seen.items(), key=_queue_order)
                     if not s.said_waiting and self.settled(s, now)]
            for name in newly:
                self._seen[name].said_waiting = True
        return newly

    def take(self, name: str, outcome: Handled) -> None:
        """The client is through with the file: its original is to move."""
        with self._lock:
            seen = self._seen.pop(name)
            self._taken[name] = Taken(seen.path, seen.stat, outcome, seen.copy)

    def to_move(self, now: float) -> list[tuple[str, Taken]]:
        """The files taken whose original may be moved now."""
        with self._lock:
            return [(n, t) for n, t in self._taken.items() if t.not_before <= now]

    def moved(self, name: str) -> None:
        with self._lock:
            self._taken.pop(name, None)

    def early_copies(self) -> list[Seen]:
        with self._lock:
            return [seen for seen in self._seen.values() if seen.copy is not None]

    def waiting(self) -> list[str]:
        with self._lock:
            return [name for name, _ in sorted(self._seen.items(), key=_queue_order)]

    def busy(self) -> bool:
        with self._lock:
            return bool(self._seen or self._taken)

    def wakes(self, now: float, paused_until: float) -> list[float]:
        """When something in the queue may change: a file settles, or may be tried again."""
        wakes: list[float] = []
        with self._lock:
            for seen in self._seen.values():
                settled = max(seen.since + self.settle_seconds, seen.judge_at)
                if seen.not_before > now:
                    wakes.append(seen.not_before)
                elif settled > now:
                    wakes.append(settled)
                else:  # settled and still here: the client was not ready or the queue is paused
                    wakes.append(max(paused_until, now + 0.25))
            wakes += [t.not_before for t in self._taken.values()]
        return wakes


def _queue_order(item: tuple[str, Seen]) -> Order:
    """Oldest first; then natural name order, so that scan-2 comes before scan-10."""
    name, seen = item
    if seen.order is None:  # worked out once a file: the queue is sorted for every file taken
        parts = re.split(r"(\d+)", name)
        seen.order = (seen.stat.mtime_ns,
                      [int(p) if i % 2 else p.lower() for i, p in enumerate(parts)])
    return seen.order
