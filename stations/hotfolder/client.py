"""What the hot folder and the station it serves say to each other, and how it is set up."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from scanpipe.reading.formats import SCAN_SUFFIXES


@dataclass(frozen=True)
class Handled:
    """What the client did with a file."""

    done: bool                 # True: move the original to done/; False: to quarantine/
    reason: str | None = None  # why it goes to quarantine (required when done is False)

    def __post_init__(self) -> None:
        if not self.done and not self.reason:
            raise ValueError("Handled(done=False) needs a reason: it is written beside the file")


class RetryLater(Exception):
    """Raised by the client when the failure is temporary (e.g. the database is unreachable):
    the file stays in the inbox and is tried again later."""


@dataclass(frozen=True)
class FolderEvent:
    """Something the hot folder did, for the screen and the log. `kind` is one of:

    "waiting" (settled, but the client is not ready; said once a file), "taken" (a copy went to
    the client), "done" and "quarantined" (the original went to `target`), "retry" (the client
    raised RetryLater; `reason` is its message), "error" (the file could not be read, or the
    original not moved; tried again later).
    """

    kind: str
    name: str                   # the file's name relative to the inbox
    reason: str | None = None
    target: Path | None = None  # where the original went (done/quarantine)


class FolderClient(Protocol):
    """What the hot folder calls on the station it serves (from its worker thread)."""

    def ready(self) -> bool:
        """Whether files may be taken now; while not, settled files wait in the inbox."""

    def take_files(self, copies: list[Path]) -> list[Handled]:
        """Take the copy of the next file, and perhaps the early copies after it; returns the
        outcomes of the first few it took (one at least), in order. May raise RetryLater."""

    def refused(self, original: Path, name: str, reason: str) -> None:
        """A file refused before it is read (not a scan, empty, too big), told before it goes
        to quarantine/. May raise RetryLater."""

    def decide_ahead(self, copy: Path) -> None:
        """An early copy of a settled file after the one being taken (with `lookahead`)."""

    def forget(self, copy: Path) -> None:
        """An early copy that will not be taken after all (its file changed or went)."""

    def folder_event(self, event: FolderEvent) -> None:
        """Something the hot folder did."""


@dataclass(frozen=True)
class Folders:
    """The scanner's inbox and the hot folder's own folders (none of them may be the inbox)."""

    inbox: Path
    done: Path        # done/<date>/<name>: taken in
    quarantine: Path  # <name> and <name>.reason.txt: refused
    work: Path        # <token>--<name>: the copies the client reads


@dataclass(frozen=True)
class FolderOptions:
    """How the hot folder waits and what it takes."""

    settle_seconds: float = 0.4    # a file's size and mtime unchanged this long: it is complete
    rescan_seconds: float = 2.0    # look at the inbox at least this often, events or not
    retry_seconds: tuple[float, float] = (2.0, 30.0)  # first and longest wait after a failure
    polling: bool = False          # watch by polling (network shares) instead of inotify
    lookahead: int = 0             # settled files copied early and offered to `decide_ahead`
    max_bytes: int = 200 * 1024 * 1024
    suffixes: frozenset[str] = SCAN_SUFFIXES
    clock: Callable[[], float] = time.monotonic  # for tests
