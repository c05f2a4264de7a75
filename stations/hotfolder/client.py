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
    code: str | None = None    # the reason's stable short code (`REASON_CODES`), for the screens

    def __post_init__(self) -> None:
        if not self.done and not self.reason:
            raise ValueError("Handled(done=False) needs a reason: it is written beside the file")


# The stable short codes of why a file went to quarantine, kept in its reason note and shown
# in the station's language from the code (the English reason is the detail).
REASON_CODES = frozenset({
    "not_regular",   # a symlink, FIFO, socket, device or folder link: never opened
    "hard_link",     # a file with more than one name (a hard link to a secret): never read
    "too_large",     # more bytes than the limit: never read
    "empty",         # 0 bytes
    "not_a_scan",    # an extension scanpipe does not read
    "unreadable",    # read, but no page of it could be decoded (recorded as a rejected piece)
    "read_error",    # the file itself could not be read, tried several times
    "worker_died",   # it made the recogniser's process die
    "internal",      # the station failed on this file alone
})


class RetryLater(Exception):
    """Raised by the client when the failure is temporary (e.g. the database is unreachable):
    the file stays in the inbox and is tried again later."""


# What a `Fault` is about: the screens show a translated alarm from the code.
FAULT_CODES = frozenset({"image_store", "ledger", "work_folder", "inbox"})


class OurFault(RetryLater):
    """The station's own storage cannot be written (disk full, read-only, no permission, I/O
    error) or the ledger refuses to write: not the file's fault. The whole queue pauses with an
    alarm (`Fault`), nothing goes to quarantine, and it tries again by itself, every few seconds."""

    def __init__(self, code: str, detail: str):
        if code not in FAULT_CODES:
            raise ValueError(f"unknown fault code {code!r}")
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class Fault:
    """Why the hot folder is paused: `code` one of FAULT_CODES, `detail` the system's message
    (English), `since` when it began (ISO 8601, UTC)."""

    code: str
    detail: str
    since: str


class Incomplete(Exception):
    """Raised by the client when a copy could not be decoded but its original changed only
    moments ago (see `HotFolder.may_be_incomplete`): the file is still being written, so it is
    tried again once it has stayed the same longer, instead of being quarantined. Nothing may
    have been recorded of it."""


@dataclass(frozen=True)
class FolderEvent:
    """Something the hot folder did, for the screen and the log. `kind` is one of:

    "waiting" (settled, but the client is not ready; said once a file), "taken" (a copy went to
    the client), "done" and "quarantined" (the original went to `target`), "retry" (the client
    raised RetryLater; `reason` is its message), "error" (the file could not be read, or the
    original not moved; tried again later), "incomplete" (it could not be decoded but changed
    moments ago: tried again once it stays the same), "paused" (a `Fault` of ours: the queue
    waits; `reason` is "<code>: <detail>", `code` the fault's code) and "resumed" (it cleared).

    `name` is the name as found (it may hold any character: escape it wherever it is shown).
    """

    kind: str
    name: str                   # the file's name relative to the inbox
    reason: str | None = None
    target: Path | None = None  # where the original went (done/quarantine)
    code: str | None = None     # "quarantined": the reason's code; "paused": the fault's code


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
    # A file that cannot be decoded is judged (quarantined) only once it has stayed the same this
    # long: before that it may still be being written (a writer pausing mid-file).
    complete_seconds: float = 2.0
    fault_retry_seconds: tuple[float, float] = (0.5, 4.0)  # while a Fault of ours lasts
    read_attempts: int = 5         # a file that cannot even be opened is quarantined after these
    suffixes: frozenset[str] = SCAN_SUFFIXES
    clock: Callable[[], float] = time.monotonic  # for tests
