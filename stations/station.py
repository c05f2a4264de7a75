"""One scanning station at work: its hot folder, its operator, what the screen must tell.

The scanner drops files into the inbox; the hot folder hands each stable file
(a copy) to `Station.take_files`, which decides its pages and records them in the
ledger in one transaction, in the name of the station's operator (set deliberately:
`station watch --operator`, or on the app the sorting person who opens the live screen of a
station without one, or presses "scan in my name"; never a sign-in elsewhere). Only then does
the hot folder move the original to done/ (or to quarantine/, with the reason, when the file
cannot be read). While the station has no operator, files wait in the inbox.

The files after the one being recorded are decided ahead in worker processes (one per core);
they are recorded one at a time, in scanning order. A file taken in again after the station
stopped half-way (its copy was left in work/) is not recorded a second time, not even as a
duplicate. Every file that goes to quarantine/ is in the ledger: an unreadable one as a
rejected piece with its image, one refused before reading (not a scan, empty, too big, a link,
a pipe, a hard link: never opened, its hash only when it is a regular file small enough) or one
that made the recogniser's process die as a `file.quarantined` event.

Our faults are not the file's: when the image store, the work folder or the ledger cannot be
written, `take_files` raises `OurFault`, the hot folder pauses with `Station.fault` set (every
screen shows it), the files stay in the inbox, and it resumes by itself once the fault clears.
A copy that cannot be decoded while its original changed moments ago raises `Incomplete`
(nothing recorded): it is taken again once it stays the same.

A file taken back from quarantine/ (`retake`) is taken afresh. If its bytes are already in the
ledger (a file recorded as an unreadable, rejected piece) nothing new is recorded for them, not
even a duplicate: the piece is in the ledger once already, and the file goes back to quarantine/
if it is still unreadable. A file never recorded (refused before reading, one that made a
worker die, one quarantined by an older station for a fault of ours) is recorded as any file.
Refused again (still not a scan, still too large), it gets a new `file.quarantined` event.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import InternalError, OperationalError

from models.images import ImageStoreError
from models.store import Store
from scanpipe.domain.campaign import Campaign
from scanpipe.domain.routing import Reason, Status
from scanpipe.reading.pipeline import RecognitionSettings
from stations.hotfolder import (
    Fault,
    FolderEvent,
    FolderOptions,
    Folders,
    Handled,
    HotFolder,
    Incomplete,
    OurFault,
    QuarantinedFile,
    RetryLater,
    safe_digest,
)
from stations.workers import GROUP_WAIT, Prepared, Recognizer, WorkerCrashed, ahead, group_least, joins


@dataclass(frozen=True)
class Operator:
    """Whom the hot folder's pieces are recorded under, and until when (see `Station.operator`)."""

    name: str
    person_id: int | None = None  # a person of the web app (None: named on the command line)
    still_valid: Callable[[], bool] | None = None  # None: until changed


@dataclass(frozen=True)
class Notice:
    """Something the live screen must show that is not a ledger event (a quarantined file)."""

    number: int
    at: str
    kind: str
    name: str
    reason: str | None
    code: str | None = None  # a quarantine's reason code, or a pause's fault code


class Station:
    """The state of one station process; thread-safe."""

    def __init__(self, store: Store, campaign: Campaign, *, name: str, inbox: Path, done: Path,
                 quarantine: Path, work: Path, recognition: RecognitionSettings,
                 polling: bool = False, max_bytes: int = 200 * 1024 * 1024,
                 workers: int | None = 0, settle_seconds: float = 0.4,
                 complete_seconds: float = FolderOptions.complete_seconds,
                 on_event: Callable[[FolderEvent], None] = lambda event: None):
        """`workers`: processes that decide files ahead (None: one per core; 0: none, each
        file is decided in `take_file` itself). `complete_seconds`: how long a file that cannot
        be decoded must stay the same before it is judged (it may still be being written)."""
        self.store = store
        self.campaign = campaign
        self.name = name
        self.inbox = inbox
        self.recognition = recognition
        self._lock = threading.Lock()
        self._operator: Operator | None = None
        self._notices: deque[Notice] = deque(maxlen=200)
        self._count = 0
        self._on_event = on_event
        self.max_bytes = max_bytes
        self._retaken: set[str] = set()  # digests of files taken back from quarantine/
        self.recognizer = Recognizer(campaign, recognition, store.images, workers)
        self._ahead: dict[Path, Future] = {}  # copies being decided ahead, by their path
        self.folder = HotFolder(Folders(inbox, done, quarantine, work), self,
                                FolderOptions(settle_seconds=settle_seconds, polling=polling,
                                              lookahead=ahead(self.recognizer.workers),
                                              max_bytes=max_bytes,
                                              complete_seconds=complete_seconds))

    # -------------------------------------------------------------- people

    # The operator is whoever the hot folder's pieces are recorded under. It is set on purpose
    # only: by `station watch --operator` (`sign_in`), or by the web app for a person who may
    # sort (`set_operator`: opening the live screen of a station with no operator, or "scan in
    # my name"); signing in elsewhere, looking at pages or polling the feed never changes it.
    # A web operator holds while `still_valid` says so (her session live, her role able to
    # sort): checked whenever the operator is read, so a sign-out, a revoked or expired
    # session, a disabled person or a lost permission clears it, and files wait in the inbox.

    @property
    def operator(self) -> str | None:
        with self._lock:
            current = self._operator
        if current is None:
            return None
        if current.still_valid is not None and not current.still_valid():
            with self._lock:
                if self._operator is current:
                    self._operator = None
            return None
        return current.name

    def set_operator(self, name: str, *, person_id: int | None = None,
                     still_valid: Callable[[], bool] | None = None,
                     only_if_free: bool = False) -> bool:
        """Record the hot folder's pieces in `name`'s name from now on (`only_if_free`: only if
        the station has no operator, or it is already this person, who then holds it through
        this new `still_valid`: her new browser). Returns whether `name` is the operator now."""
        if only_if_free:
            _ = self.operator  # drops a stale operator (its check may query: outside the lock)
        with self._lock:
            current = self._operator
            if (only_if_free and current is not None
                    and (person_id is None or current.person_id != person_id)):
                return (current.name, current.person_id) == (name, person_id)
            self._operator = Operator(name, person_id, still_valid)
            return True

    def sign_in(self, name: str) -> None:
        """The person at the scanner from now on, as `station watch --operator` names her."""
        self.set_operator(name)

    def sign_out(self, name: str) -> None:
        """`name` leaves the scanner: the station has no operator if it was her."""
        with self._lock:
            if self._operator is not None and self._operator.name == name:
                self._operator = None

    def release(self, person_id: int) -> None:
        """The web person `person_id` signed out or lost access: no operator if it was her."""
        with self._lock:
            if self._operator is not None and self._operator.person_id == person_id:
                self._operator = None

    # ----------------------------------------------------------- hot folder

    def start(self) -> None:
        self.folder.start()

    def stop(self) -> None:
        self.folder.stop()
        with self._lock:
            ahead, self._ahead = list(self._ahead.values()), {}
        for future in ahead:
            future.cancel()
        self.recognizer.close()

    # The hot folder's client (stations.hotfolder.FolderClient): ready, decide_ahead, forget,
    # take_files, refused, folder_event.

    def ready(self) -> bool:
        """Files are taken while the station has an operator; until then they wait in the inbox."""
        return self.operator is not None

    def decide_ahead(self, copy: Path) -> None:
        self._future(copy)

    def forget(self, copy: Path) -> None:
        with self._lock:
            future = self._ahead.pop(copy, None)
        if future is not None:
            future.cancel()

    def take_file(self, copy: Path) -> Handled:
        """Decide and record one file (a copy of what the scanner wrote)."""
        return self.take_files([copy])[0]

    def take_files(self, copies: list[Path]) -> list[Handled]:
        """Record the first file, and with it (one transaction: group commit) those after it
        already decided, in order; returns the outcomes of the files taken."""
        operator = self.operator
        if operator is None:
            raise RetryLater("nobody is signed in at the station")
        first = copies[0]
        try:
            prepared = [self.recognizer.result(self._future(first), first)]
        except WorkerCrashed as exc:
            self.forget(first)
            self._quarantine_in_ledger(first, self.folder.original(first), str(exc), operator)
            return [Handled(done=False, reason=str(exc), code="worker_died")]
        except OSError as exc:  # writing the image store (or a worker's own temporary files)
            self.forget(first)
            raise _our_fault(exc) from None
        if prepared[0].sha256 is None:
            self.forget(first)
            detail = prepared[0].pages[0].decision.findings[0].detail if prepared[0].pages else ""
            raise OurFault("work_folder", f"the copy of the file in the work folder could not be "
                                          f"read: {detail}")
        if not _handled(prepared[0]).done and self.folder.may_be_incomplete(first):
            self.forget(first)
            raise Incomplete("it cannot be decoded and it changed moments ago: it may still be "
                             "being written; it is tried again once it stays the same")
        least, deadline = group_least(self.recognizer.workers), time.monotonic() + GROUP_WAIT
        for copy in copies[1:]:
            with self._lock:
                future = self._ahead.get(copy)
            if (future is None or not joins(future, len(prepared), least, deadline)
                    or future.exception() is not None):
                break
            ready = future.result()
            if ready.sha256 is None or (not _handled(ready).done
                                        and self.folder.may_be_incomplete(copy)):
                break  # taken alone, later
            prepared.append(ready)
        records = [p.record(ledger_name(self.folder.original(p.path)),
                            retake=p.sha256 in self.folder.interrupted or p.sha256 in self._retaken)
                   for p in prepared]
        try:
            self.store.record_files(records, station=self.name, operator=operator)
        except (OperationalError, InternalError, OSError) as exc:  # the files wait in the inbox
            raise _ledger_fault(exc) from None
        for p in prepared:
            self.forget(p.path)
        return [_handled(p) for p in prepared]

    def _future(self, copy: Path) -> Future:
        """The copy's decision, submitted to the workers unless it already was."""
        with self._lock:
            future = self._ahead.get(copy)
            if future is None:
                future = self._ahead[copy] = self.recognizer.submit(copy)
        return future

    def refused(self, original: Path, name: str, reason: str) -> None:
        """A file refused before it was read goes in the ledger before it goes to quarantine/:
        its hash only when it is a regular file with one name and not too large (never through
        a link, never a pipe or device opened), else None."""
        self._quarantine_in_ledger(original, name, reason, self.operator or "station")

    def _quarantine_in_ledger(self, path: Path, name: str, reason: str, operator: str) -> None:
        sha, size = safe_digest(path, self.max_bytes)
        try:
            self.store.record_quarantine(source_name=ledger_name(name), sha256=sha, size=size,
                                         reason=reason, station=self.name, operator=operator)
        except (OperationalError, InternalError, OSError) as exc:
            raise _ledger_fault(exc) from None

    def waiting(self) -> list[str]:
        return self.folder.waiting()

    # ------------------------------------------------------ faults, quarantine

    @property
    def fault(self) -> Fault | None:
        """Why the hot folder is paused when the fault is ours (the image store, the ledger, the
        work folder or the inbox cannot be written), for a banner on every screen; None while
        all is well. It clears by itself when the fault does."""
        return self.folder.fault

    def quarantined(self) -> list[QuarantinedFile]:
        """The files in quarantine/ with their reasons (code and English detail), newest first.
        Names and reasons come escaped (printable, one line), whatever the file was called."""
        return self.folder.quarantined()

    def retake(self, name: str) -> str:
        """Move one quarantined file (`QuarantinedFile.name`) back into the inbox, to be taken
        afresh; returns its name in the inbox. ValueError for a name that is not a quarantined
        regular file's (path separators, "..", a note, a link), FileNotFoundError when it is gone.
        See the module's doc for what the ledger then records."""
        source = self.folder.folders.quarantine / name
        if "/" not in name and "\0" not in name and name not in (".", ".."):
            sha, _size = safe_digest(source, self.max_bytes)
            if sha is not None:
                with self._lock:
                    self._retaken.add(sha)
        return self.folder.retake(name)

    # -------------------------------------------------------------- notices

    def folder_event(self, event: FolderEvent) -> None:
        self._on_event(event)
        if event.kind in ("quarantined", "retry", "error", "paused", "resumed"):
            with self._lock:
                self._count += 1
                self._notices.append(Notice(self._count, datetime.now(UTC).isoformat(),
                                            event.kind, event.name, event.reason, event.code))

    def notices(self, after: int = 0) -> list[Notice]:
        with self._lock:
            return [n for n in self._notices if n.number > after]

    @property
    def notice_head(self) -> int:
        with self._lock:
            return self._count



def ledger_name(name: str) -> str:
    """A file name as the ledger keeps it: valid UTF-8 whatever bytes the name had (an
    undecodable byte written as \\xNN); other characters are kept (and escaped where shown)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _our_fault(exc: OSError) -> OurFault:
    if isinstance(exc, ImageStoreError):
        return OurFault("image_store", exc.strerror or str(exc))
    return OurFault("work_folder", f"{exc.strerror or exc}")


def _ledger_fault(exc: Exception) -> OurFault:
    detail = getattr(exc, "orig", None) or exc
    return OurFault("ledger", f"the ledger cannot be written: {detail}")


def _handled(prepared: Prepared) -> Handled:
    """done/ for a file with pieces in it; quarantine/ when no page of it could be read."""
    unreadable = [p for p in prepared.pages if p.decision.status is Status.REJECTED
                  and Reason.UNREADABLE_FILE.value in p.decision.reasons]
    if unreadable and len(unreadable) == len(prepared.pages):
        detail = unreadable[0].decision.findings[0].detail
        return Handled(done=False, reason=f"unreadable file (recorded as a rejected piece): {detail}",
                       code="unreadable")
    return Handled(done=True)

