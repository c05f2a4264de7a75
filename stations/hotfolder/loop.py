"""The hot folder's queue at work: one pass (`run_once`), and the thread that runs it on the
watcher's events and on a rescan, until `stop`."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer, ObserverType
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from stations.hotfolder import moves
from stations.hotfolder.client import FolderClient, FolderEvent, FolderOptions, Folders, Handled, RetryLater
from stations.hotfolder.inbox import Inbox
from stations.hotfolder.settling import Queue, Seen

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
                self._refresh()
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
        return events

    def busy(self) -> bool:
        """Whether a file is still in the inbox waiting, or taken in but not yet moved."""
        return self._queue.busy()

    def waiting(self) -> list[str]:
        """Names seen but not yet taken (not stable yet, the client not ready, or to be retried)."""
        return self._queue.waiting()

    # ---------------------------------------------------------------- the queue

    def _refresh(self) -> None:
        """Bring the queue in line with the inbox; a changed size or mtime restarts settling."""
        found = self._files.scan()
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
                seen.copy = moves.copy_to_work(self.folders.work, seen.path, seen.stat)
            except (moves.Changed, OSError):
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
            try:
                self._client.refused(seen.path, name, refusal)
            except RetryLater as exc:
                self._pause(name, exc, events)
                return []
            except Exception:  # the file still goes to quarantine/ with its reason
                log.exception("hot folder: refused failed for %s", name)
            self._queue.take(name, Handled(done=False, reason=refusal))
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

    def _pause(self, name: str, exc: RetryLater, events: list[FolderEvent]) -> None:
        """The ledger is away (or nobody can take the file now): the whole queue waits."""
        self._retry_delay = self._longer(self._retry_delay)
        self._paused_until = self._clock() + self._retry_delay
        self._emit(FolderEvent("retry", name, str(exc) or "the handler asked to retry"), events)

    def _handle_copies(self, name: str, seen: Seen, followers: list[str],
                       events: list[FolderEvent]) -> list[tuple[str, Handled]] | None:
        """What the client made of the file and of the followers it took with it (by name);
        None when the file stays in the inbox."""
        try:
            copy = seen.copy or moves.copy_to_work(self.folders.work, seen.path, seen.stat)
            seen.copy = copy
        except (moves.Changed, FileNotFoundError):
            return None  # the next scan sees the new size, or that it is gone
        except OSError as exc:
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
        except RetryLater as exc:
            self._pause(name, exc, events)
            return None  # the copies stay with their files: what was decided of them still holds
        except Exception as exc:  # the station must not stop, and the piece must not be lost
            log.exception("hot folder: the handler failed on %s", name)
            outcomes = [Handled(done=False, reason=f"internal error while taking it in: "
                                                   f"{type(exc).__name__}: {exc}")]
        self._retry_delay = 0.0
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
                                                 taken.outcome.reason or "", renamed)
            except (OSError, moves.LeftBehind) as exc:
                if isinstance(exc, moves.LeftBehind):
                    taken.placed = exc.target
                taken.delay = self._longer(taken.delay)
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
            self._moved_at = self._clock()
            kind = "done" if taken.outcome.done else "quarantined"
            self._emit(FolderEvent(kind, name, taken.outcome.reason, target), events)

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
        log.log(logging.WARNING if event.kind in ("quarantined", "retry", "error") else logging.INFO,
                "hot folder: %s %s%s", event.kind, event.name, f": {event.reason}" if event.reason else "")
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
