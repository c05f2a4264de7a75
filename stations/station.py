"""One scanning station at work: its hot folder, who is signed in, what the screen must tell.

The scanner drops files into the inbox; the hot folder hands each stable file
(a copy) to `Station.take_file`, which decides its pages and records them in the
ledger in one transaction, in the name of the person signed in at the station.
Only then does the hot folder move the original to done/ (or to quarantine/,
with the reason, when the file cannot be read). While nobody is signed in,
files wait in the inbox.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.exc import OperationalError

from models.store import Store
from scanpipe.campaign import Campaign
from scanpipe.pages import sniff
from scanpipe.pipeline import RecognitionSettings
from scanpipe.routing import Reason, Status
from stations.hotfolder import FolderEvent, Handled, HotFolder, RetryLater, original_name
from stations.intake import read_and_decide


@dataclass(frozen=True)
class Notice:
    """Something the live screen must show that is not a ledger event (a quarantined file)."""

    number: int
    at: str
    kind: str
    name: str
    reason: str | None


class Station:
    """The state of one station process; thread-safe."""

    def __init__(self, store: Store, campaign: Campaign, *, name: str, inbox: Path, done: Path,
                 quarantine: Path, work: Path, recognition: RecognitionSettings,
                 polling: bool = False, max_bytes: int = 200 * 1024 * 1024):
        self.store = store
        self.campaign = campaign
        self.name = name
        self.inbox = inbox
        self.recognition = recognition
        self._lock = threading.Lock()
        self._operator: str | None = None
        self._notices: deque[Notice] = deque(maxlen=200)
        self._count = 0
        self.folder = HotFolder(inbox, done, quarantine, work, self.take_file, polling=polling,
                                max_bytes=max_bytes, ready=lambda: self.operator is not None,
                                on_event=self._folder_event)

    # -------------------------------------------------------------- people

    @property
    def operator(self) -> str | None:
        with self._lock:
            return self._operator

    def sign_in(self, name: str) -> None:
        """The person at the scanner now: the hot folder's pieces are taken in their name."""
        with self._lock:
            self._operator = name

    def sign_out(self, name: str) -> None:
        with self._lock:
            if self._operator == name:
                self._operator = None

    # ----------------------------------------------------------- hot folder

    def start(self) -> None:
        self.folder.start()

    def stop(self) -> None:
        self.folder.stop()

    def take_file(self, copy: Path) -> Handled:
        """Decide and record one file (a copy of what the scanner wrote)."""
        operator = self.operator
        if operator is None:
            raise RetryLater("nobody is signed in at the station")
        data, result = read_and_decide(copy, self.campaign, self.recognition)
        if data is None:
            raise RetryLater("the copy of the file could not be read")
        source = original_name(copy)
        try:
            sha = self.store.images.put(data)
            self.store.record_file(source_name=source, sha256=sha, media_type=sniff(data).lower(),
                                   size=len(data),
                                   pages=[(page.page, page.decision) for page in result.pages],
                                   station=self.name, operator=operator)
        except OperationalError as exc:  # the database is away: the file waits in the inbox
            raise RetryLater(f"the ledger cannot be reached: {exc.orig or exc}") from None
        unreadable = [p for p in result.pages if p.decision.status is Status.REJECTED
                      and Reason.UNREADABLE_FILE.value in p.decision.reasons]
        if unreadable and len(unreadable) == len(result.pages):
            detail = unreadable[0].decision.findings[0].detail
            return Handled(done=False, reason=f"unreadable file (recorded as a rejected piece): {detail}")
        return Handled(done=True)

    def waiting(self) -> list[str]:
        return self.folder.waiting()

    # -------------------------------------------------------------- notices

    def _folder_event(self, event: FolderEvent) -> None:
        if event.kind in ("quarantined", "retry", "error"):
            with self._lock:
                self._count += 1
                self._notices.append(Notice(self._count, datetime.now(timezone.utc).isoformat(),
                                            event.kind, event.name, event.reason))

    def notices(self, after: int = 0) -> list[Notice]:
        with self._lock:
            return [n for n in self._notices if n.number > after]

    @property
    def notice_head(self) -> int:
        with self._lock:
            return self._count

