"""The hot folder's queue at work: one pass (`run_once`), and the thread that runs it on the
watcher's events and on a rescan, until `stop`."""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer, ObserverType
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from stations.hotfolder import moves, quarantine
from stations.hotfolder.client import (
    Fault,
    FolderClient,
    FolderEvent,
    FolderOptions,
    Folders,
    Handled,
    Incomplete,
    OurFault,
    RetryLater,
)
from stations.hotfolder.inbox import Inbox, Refusal
from stations.hotfolder.settling import Queue, Seen

# Errors of writing our own folders that are ours, not the file's: the queue pauses.
OUR_ERRNOS = frozenset(getattr(errno, name) for name in
                       ("ENOSPC", "EROFS", "EACCES", "EPERM", "EDQUOT", "EIO", "ENOMEM")
                       if hasattr(errno, name))

log = logging.getLogger(__package__)

_NUDGING_EVENTS = {"created", "modified", "moved", "closed", "deleted"}


class HotFolder:
    """Watches the inbox and hands every complete file, once, to the client (see the package doc)."""

    def __init__(self, folders: Folders, client: FolderClient, options: FolderOptions):
        self.folders = Folders(*(Path(os.path.abspath(p))
                                 for p in (folders.inbox, folders.done, folders.quarantine, folders.work)))
        self._files = Inbox(folders, options.suffixes, options.max_bytes)
        self._queue = Queue(options.settle_seconds)
        self._client, self._options, self._clock = client, options, options.clock
        self._lookahead = max(0, options.lookahead)
        self.interrupted: frozenset[str] = frozenset()  # digests of copies left by a crash
        self._take_lock = threading.RLock()  # one taker at a time: the worker or run_once
        self._paused_until = 0.0             # after RetryLater the whole queue waits
        self._retry_delay = 0.0
        self._fault: Fault | None = None     # why the queue is paused, when it is our fault
        self._fault_in = ""                  # "take", "move" or "scan": what must work to clear it
        self._fault_delay = 0.0
        self._names: dict[Path, str] = {}    # copy in work/ -> the file's name as found
        self._held = False                   # the file just tried is held: stop this pass
        self._moved_at = float("-inf")
        self._work_cleared = False
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._worker: threading.Thread | None = None
        self._observer: BaseObserver | None = None

    # ------------------------------------------------------------------ public

    def start(self) -> None:
        """Clear leftover copies, then watch the inbox and take files in a background thread."""
        self.folders.inbox.mkdir(parents=True, exist_ok=True)
        with self._take_lock:
            self._clear_work()
        self._observer = self._watch()
        self._worker = threading.Thread(target=self._work_loop, name="hotfolder", daemon=True)
        self._worker.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching; waits up to `timeout` for a file being handled to finish."""
        deadline = time.monotonic() + timeout
        self._stopping.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(max(0.0, deadline - time.monotonic()))
        if self._worker is not None:
            self._worker.join(max(0.0, deadline - time.monotonic()))
        if self._worker is None or not self._worker.is_alive():
            with self._take_lock:
                early = self._queue.early_copies()
            for seen in early:
                self._drop_copy(seen)

    def running(self) -> bool:
        """Whether the watcher or the thread taking files in is still alive (after `stop`, a
        file whose handling outlasted its timeout keeps the thread alive until it is done)."""
        threads = [self._worker, self._observer]
        return any(t is not None and t.is_alive() for t in threads)

    def run_once(self) -> list[FolderEvent]:
        """Take every file that is stable right now, in order; returns what happened.

        A file first seen by this call counts as stable only after `settle_seconds`.
        """
        events: list[FolderEvent] = []
        with self._take_lock:
            self._clear_work()
            tried: set[str] = set()
            while not self._stopping.is_set():
                self._refresh(events)
                self._move_taken(events)
                now = self._clock()
                if now < self._paused_until:
                    break
                name = self._next(now, tried)
                if name is None:
                    break
                if not self._is_ready():
                    self._say_waiting(now, events)
                    break
                tried.add(name)
                self._prefetch_after(name, now, tried)
                tried.update(self._take(name, events, self._followers(name, now, tried)))
                if self._held:  # an older file held as maybe incomplete: the later ones wait
                    self._held = False
                    break
        return events

    def busy(self) -> bool:
        """Whether a file is still in the inbox waiting, or taken in but not yet moved."""
        return self._queue.busy()

    @property
    def fault(self) -> Fault | None:
        """Why the queue is paused, when the fault is ours (our storage or the ledger); None
        while all is well. It clears by itself once a retry succeeds."""
        return self._fault

    def original(self, copy: Path) -> str:
        """The name (relative to the inbox, exactly as found) of the file `copy` is a copy of."""
        return self._names.get(copy) or moves.original_name(copy)

    def may_be_incomplete(self, copy: Path) -> bool:
        """Whether the file `copy` was made of changed less than `complete_seconds` ago (it may
        still be being written): a copy that cannot be decoded is then not judged yet, the
        client raises `Incomplete` and it is tried again later."""
        seen = self._queue.by_copy(copy)
        return seen is not None and self._clock() - seen.since < self._options.complete_seconds

    def quarantined(self) -> list[quarantine.QuarantinedFile]:
        """The files in quarantine/, newest first (see `quarantine.QuarantinedFile`)."""
        return quarantine.listing(self.folders.quarantine)

    def retake(self, name: str) -> str:
        """Move quarantine/`name` back into the inbox (crash-safely, its note removed after), to
        be taken afresh; returns its name in the inbox. ValueError for a name that is not a
        quarantined regular file's, FileNotFoundError when it is gone."""
        inbox_name, _path = quarantine.retake(self.folders.quarantine, self.folders.inbox, name)
        self._wake.set()
        return inbox_name

    def waiting(self) -> list[str]:
        """Names seen but not yet taken (not stable yet, the client not ready, or to be retried)."""
        return self._queue.waiting()

    # ---------------------------------------------------------------- the queue

    def _refresh(self, events: list[FolderEvent]) -> None:
        """Bring the queue in line with the inbox; a changed size or mtime restarts settling."""
        try:
            found = self._files.scan()
        except OSError as exc:  # the inbox is gone (a share unmounted) or cannot be read
            self._pause_fault("", OurFault("inbox", f"cannot read the inbox {self.folders.inbox}: "
                                                    f"{exc.strerror or exc}"), "scan", events)
            return
        self._resume("scan", events)
        for seen in self._queue.refresh(found, self._clock()):
            self._drop_copy(seen)

    def _next(self, now: float, tried: set[str]) -> str | None:
        """The oldest file if it has settled; an older file still settling holds later ones back."""
        queue = self._queue.due(now, tried)
        if not queue or not self._queue.settled(queue[0][1], now):
            return None
        return queue[0][0]

    def _prefetch_after(self, name: str, now: float, tried: set[str]) -> None:
        """Copy the file about to be handled and the settled ones after it, and offer them to
        `decide_ahead`, so that they are being decided while the first is recorded."""
        if not self._lookahead:
            return
        for other, seen in self._queue.due(now, tried - {name})[: self._lookahead + 1]:
            if not self._queue.settled(seen, now):
                break  # an unsettled file holds the later ones back, as in `_next`
            if seen.copy is not None or self._files.refusal(other, seen.stat) is not None:
                continue
            try:
                seen.copy = self._copy(other, seen)
            except (moves.Changed, moves.Refused, OurFault, OSError):
                continue  # `_take` meets it again and says what is wrong
            try:
                self._client.decide_ahead(seen.copy)
            except Exception:  # the client decides it itself later
                log.exception("hot folder: decide_ahead failed for %s", other)

    def _drop_copy(self, seen: Seen) -> None:
        """An early copy that will not be handled: tell `forget`, then remove it."""
        copy, seen.copy = seen.copy, None
        if copy is None:
            return
        self._names.pop(copy, None)
        try:
            self._client.forget(copy)
        except Exception:
            log.exception("hot folder: forget failed for %s", copy)
        copy.unlink(missing_ok=True)

    def _say_waiting(self, now: float, events: list[FolderEvent]) -> None:
        for name in self._queue.newly_waiting(now):
            self._emit(FolderEvent("waiting", name, "waits until someone signs in at the station"), events)

    def _followers(self, name: str, now: float, tried: set[str]) -> list[str]:
        """The settled files right after `name`, already copied, that may go with it."""
        if self._lookahead == 0:
            return []
        followers = []
        for other, seen in self._queue.due(now, tried | {name})[: self._lookahead]:
            if (seen.copy is None or not self._queue.settled(seen, now)
                    or self._files.refusal(other, seen.stat) is not None):
                break
            followers.append(other)
        return followers

    def _take(self, name: str, events: list[FolderEvent], followers: list[str]) -> list[str]:
        """Offer a settled file (and the copied files after it) to the client, or refuse it,
        then move the originals; returns the names of the files taken."""
        seen = self._queue.seen(name)
        refusal = self._files.refusal(name, seen.stat)
        if refusal is not None:
            if not self._refuse(name, seen, refusal, events):
                return []
            taken = [name]
        else:
            outcomes = self._handle_copies(name, seen, followers, events)
            if outcomes is None:
                return []
            taken = [other for other, _ in outcomes]
            for other, outcome in outcomes:
                self._queue.take(other, outcome)
        self._move_taken(events)
        return taken

    def _refuse(self, name: str, seen: Seen, refusal: Refusal, events: list[FolderEvent]) -> bool:
        """Tell the client of a file refused before it is read, and queue it for quarantine/;
        False when the client asked to wait (the file stays in the inbox)."""
        outcome = self._refused_outcome(name, seen, refusal, events)
        if outcome is None:
            return False
        if self._fault is not None and self._fault.code == "ledger":
            self._resume("take", events)  # the ledger took the refusal: it is back
        self._drop_copy(seen)
        self._queue.take(name, outcome)
        return True

    def _refused_outcome(self, name: str, seen: Seen, refusal: Refusal,
                         events: list[FolderEvent]) -> Handled | None:
        """`refused` to the client, and the file's way to quarantine/; None (the queue paused,
        the file stays in the inbox) when the client asked to wait."""
        try:
            self._client.refused(seen.path, name, refusal.reason)
        except OurFault as exc:
            self._pause_fault(name, exc, "take", events)
            return None
        except RetryLater as exc:
            self._pause(name, exc, events)
            return None
        except Exception:  # the file still goes to quarantine/ with its reason
            log.exception("hot folder: refused failed for %s", name)
        return Handled(done=False, reason=refusal.reason, code=refusal.code)

    def _pause(self, name: str, exc: RetryLater, events: list[FolderEvent]) -> None:
        """The ledger is away (or nobody can take the file now): the whole queue waits."""
        self._retry_delay = self._longer(self._retry_delay)
        self._paused_until = self._clock() + self._retry_delay
        self._emit(FolderEvent("retry", name, str(exc) or "the handler asked to retry"), events)

    def _pause_fault(self, name: str, exc: OurFault, where: str, events: list[FolderEvent]) -> None:
        """Our storage or the ledger cannot be written: the whole queue waits, files stay in the
        inbox, and it is tried again soon (backing off to `fault_retry_seconds`' longest)."""
        first, longest = self._options.fault_retry_seconds
        self._fault_delay = first if self._fault_delay <= 0 else min(self._fault_delay * 2, longest)
        self._paused_until = self._clock() + self._fault_delay
        self._fault_in = where
        if self._fault is None or self._fault.code != exc.code:
            self._fault = Fault(exc.code, exc.detail, datetime.now(UTC).isoformat())
            self._emit(FolderEvent("paused", name, str(exc), code=exc.code), events)

    def _resume(self, where: str, events: list[FolderEvent]) -> None:
        """What failed (taking files in, or moving them) worked again: the fault is over."""
        if where == "take":
            self._fault_delay = 0.0
        if self._fault is not None and self._fault_in == where:
            fault, self._fault = self._fault, None
            self._fault_delay = 0.0
            self._emit(FolderEvent("resumed", "", f"{fault.code}: cleared", code=fault.code), events)

    def _copy(self, name: str, seen: Seen) -> Path:
        copy = moves.copy_to_work(self.folders.work, seen.path, seen.stat, self._options.max_bytes)
        self._names[copy] = name
        return copy

    def _handle_copies(self, name: str, seen: Seen, followers: list[str],
                       events: list[FolderEvent]) -> list[tuple[str, Handled]] | None:
        """What the client made of the file and of the followers it took with it (by name);
        None when the file stays in the inbox."""
        try:
            copy = seen.copy or self._copy(name, seen)
            seen.copy = copy
        except (moves.Changed, FileNotFoundError):
            return None  # the next scan sees the new size, or that it is gone
        except moves.Refused as exc:  # what was opened is not what lstat saw: a link swapped in...
            refused = self._refused_outcome(name, seen, exc.refusal, events)
            return None if refused is None else [(name, refused)]
        except OurFault as exc:
            self._pause_fault(name, exc, "take", events)
            return None
        except OSError as exc:  # the file itself cannot be read: tried a few times, then judged
            seen.read_errors += 1
            if seen.read_errors >= max(1, self._options.read_attempts):
                why = Refusal("read_error", f"cannot read the file: {exc.strerror or exc} "
                                            f"(tried {seen.read_errors} times)")
                refused = self._refused_outcome(name, seen, why, events)
                return None if refused is None else [(name, refused)]
            seen.delay = self._longer(seen.delay)
            seen.not_before = self._clock() + seen.delay
            self._emit(FolderEvent("error", name, f"cannot read it: {exc}; it stays in the inbox "
                                   f"and is tried again in {seen.delay:.0f} s"), events)
            return None
        group = [(name, copy), *self._queue.copies(followers)]
        self._emit(FolderEvent("taken", name), events)
        try:
            outcomes = self._client.take_files([c for _, c in group])
            if (not isinstance(outcomes, list) or not 1 <= len(outcomes) <= len(group)
                    or not all(isinstance(o, Handled) for o in outcomes)):
                raise TypeError(f"the handler returned {outcomes!r} instead of Handled outcomes")
        except OurFault as exc:
            self._pause_fault(name, exc, "take", events)
            return None  # the copies stay with their files: what was decided of them still holds
        except RetryLater as exc:
            self._pause(name, exc, events)
            return None
        except Incomplete as exc:  # still being written, perhaps: held until it stays the same
            seen.judge_at = seen.since + self._options.complete_seconds
            self._held = True
            self._drop_copy(seen)
            self._emit(FolderEvent("incomplete", name, str(exc) or "it may still be being written"),
                       events)
            return None
        except Exception as exc:  # the station must not stop, and the piece must not be lost
            log.exception("hot folder: the handler failed on %s", name)
            outcomes = [Handled(done=False, reason=f"internal error while taking it in: "
                                                   f"{type(exc).__name__}: {exc}", code="internal")]
        self._retry_delay = 0.0
        self._resume("take", events)
        for other, _ in group[1: len(outcomes)]:
            self._emit(FolderEvent("taken", other), events)
        return [(other, outcome) for (other, _), outcome in zip(group, outcomes)]

    def _move_taken(self, events: list[FolderEvent]) -> None:
        """Move the originals the client is through with; a failure is retried later, not re-handled."""
        moved = []
        renamed: set[Path] = set()  # folders whose entries changed, made durable once for all
        for name, taken in self._queue.to_move(self._clock()):
            where = "done/" if taken.outcome.done else "quarantine/"
            try:
                if taken.placed is not None:  # never a second copy in done/ or quarantine/
                    target = taken.placed
                    moves.remove(taken.path)
                elif taken.outcome.done:
                    target = moves.to_done(self.folders.done, name, taken.path, renamed)
                else:
                    target = moves.to_quarantine(self.folders.quarantine, name, taken.path,
                                                 taken.outcome.reason or "", renamed,
                                                 code=taken.outcome.code)
            except (OSError, moves.LeftBehind) as exc:
                if isinstance(exc, moves.LeftBehind):
                    taken.placed = exc.target
                error = exc.__cause__ if isinstance(exc, moves.LeftBehind) else exc
                if isinstance(error, OSError) and error.errno in OUR_ERRNOS:
                    # the original could not leave the inbox, or the inbox is read-only
                    inbox_side = (isinstance(exc, moves.LeftBehind)
                                  or not os.access(taken.path.parent, os.W_OK))
                    code = "inbox" if inbox_side else "work_folder"
                    self._pause_fault(name, OurFault(code, f"cannot move it to {where}: "
                                                           f"{error.strerror or error}"), "move", events)
                taken.delay = self._longer(taken.delay)
                if self._fault is not None and self._fault_in == "move":
                    taken.delay = min(taken.delay, self._options.fault_retry_seconds[1])
                taken.not_before = self._clock() + taken.delay
                self._emit(FolderEvent("error", name, f"taken in, but moving it to {where} failed: "
                                       f"{exc}; trying again in {taken.delay:.0f} s"), events)
                continue
            moved.append((name, taken, target))
        for folder in renamed:
            moves.fsync_dir(folder)
        for name, taken, target in moved:
            self._queue.moved(name)
            if taken.copy is not None:
                taken.copy.unlink(missing_ok=True)  # only now: see the package's doc
                self._names.pop(taken.copy, None)
            self._moved_at = self._clock()
            kind = "done" if taken.outcome.done else "quarantined"
            self._emit(FolderEvent(kind, name, taken.outcome.reason, target,
                                   code=None if taken.outcome.done else taken.outcome.code), events)
        if moved:
            self._resume("move", events)

    def _clear_work(self) -> None:
        """Delete copies left by a crash, once, keeping their digests in `interrupted`."""
        if self._work_cleared:
            return
        self._work_cleared = True
        self.interrupted = self.interrupted | moves.clear_copies(self.folders.work)

    # ------------------------------------------------------------ the worker

    def _work_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_once()
                timeout = self._next_wake()
            except Exception:  # a fault here must not end the station's intake
                log.exception("hot folder: unexpected error; carrying on")
                timeout = 1.0
            self._wake.wait(timeout)
            self._wake.clear()
            self._stopping.wait(0.05)  # a file being written sends bursts of events: look once

    def _next_wake(self) -> float:
        now = self._clock()
        wakes = [now + self._options.rescan_seconds, *self._queue.wakes(now, self._paused_until)]
        if now - self._moved_at < 0.6:
            # watchdog's inotify observer holds back every event queued behind the unpaired
            # IN_MOVED_FROM of our own move out of the inbox for 0.5 s: look for ourselves.
            wakes.append(now + 0.1)
        return max(0.05, min(wakes) - now)

    def _watch(self) -> BaseObserver | None:
        """A watchdog observer on the inbox; falls back to polling, then to the rescan alone."""
        polling = self._options.polling
        kinds: list[ObserverType] = [PollingObserver] if polling else [Observer, PollingObserver]
        for kind in kinds:
            timeout = min(1.0, self._options.rescan_seconds)
            observer = kind(timeout=timeout) if kind is PollingObserver else kind()
            try:
                observer.schedule(_Nudge(self._files, self._wake), str(self._files.real), recursive=True)
                observer.start()
                return observer
            except OSError as exc:  # e.g. the inotify watch limit
                log.warning("hot folder: %s cannot watch %s (%s)", type(observer).__name__,
                            self.folders.inbox, exc)
        return None

    # --------------------------------------------------------------- helpers

    def _is_ready(self) -> bool:
        try:
            return bool(self._client.ready())
        except Exception:
            log.exception("hot folder: ready() failed; files wait")
            return False

    def _emit(self, event: FolderEvent, events: list[FolderEvent]) -> None:
        events.append(event)
        loud = event.kind in ("quarantined", "retry", "error", "paused")
        log.log(logging.WARNING if loud else logging.INFO,
                "hot folder: %s %s%s", event.kind, moves.escape(event.name),
                f": {moves.escape(event.reason)}" if event.reason else "")
        try:
            self._client.folder_event(event)
        except Exception:  # a screen that fails to show an event must not stop the intake
            log.exception("hot folder: folder_event failed for %s", event)

    def _longer(self, delay: float) -> float:
        first, longest = self._options.retry_seconds
        return first if delay <= 0 else min(delay * 2, longest)


class _Nudge(FileSystemEventHandler):
    """Wakes the worker when something changes in the inbox; the worker then looks for itself."""

    def __init__(self, inbox: Inbox, wake: threading.Event):
        self._inbox, self._wake = inbox, wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _NUDGING_EVENTS or (event.is_directory and event.event_type == "modified"):
            return
        paths = [os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        if any(self._inbox.concerns(p) for p in paths):
            self._wake.set()
