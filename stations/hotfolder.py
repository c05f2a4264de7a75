"""The hot folder: take each file the scanner writes, exactly once, only when it is complete.

Built after paperless-ngx's document consumer, because a piece of paper must never be lost
nor counted twice:

- A scanner writes a file over time (over a network share, in bursts), so a file is taken only
  once its size and mtime have stayed the same for `settle_seconds`. watchdog's events tell us
  early that something changed; a rescan every `rescan_seconds` catches what events miss
  (network shares, a full inotify queue).
- The handler reads a copy in work/, so a scanner rewriting the file cannot change what is
  read. The original moves to done/ only after the handler returned (the ledger committed), or
  to quarantine/ with a reason file. A crash at any point leaves the original in the inbox (or,
  at worst, in both places): it is taken again, and the ledger behind the handler is idempotent.
- The copy is removed only after its original has moved, so a copy left in work/ at start marks
  a file that was being taken when the station stopped: its digest goes into `interrupted`,
  and the handler can tell a file taken in again after a crash from a file scanned twice.
- With `lookahead`, the next settled files are copied early and offered to `prefetch` (the
  station starts deciding them in its worker processes); they are still handled one at a time,
  in order.
- A file refused before it is read (not a scan, empty, too big) is told to `on_refusal` (the
  station writes it in the ledger) before it goes to quarantine/.
- One worker takes the files one at a time, oldest first, because the kit envelope scanned first
  opens the batch for the pages after it. For the same reason a `RetryLater` (the ledger is
  away) pauses the whole queue instead of letting later pages overtake the file that waits.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import stat
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from models.images import sha256_of_file

log = logging.getLogger(__name__)

SCAN_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".pdf"})
# What scanners, browsers and copy tools write before renaming to the final name.
TEMPORARY_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")
_COPY_NAME = re.compile(r"^[0-9a-f]{12}--")  # work/<token>--<original name>: only these are ours
_NUDGING_EVENTS = {"created", "modified", "moved", "closed", "deleted"}


@dataclass(frozen=True)
class Handled:
    """What the handler did with a file."""

    done: bool                 # True: move the original to done/; False: to quarantine/
    reason: str | None = None  # why it goes to quarantine (required when done is False)

    def __post_init__(self) -> None:
        if not self.done and not self.reason:
            raise ValueError("Handled(done=False) needs a reason: it is written beside the file")


class RetryLater(Exception):
    """Raised by a handler when the failure is temporary (e.g. the database is unreachable):
    the file stays in the inbox and is tried again later."""


@dataclass(frozen=True)
class FolderEvent:
    """Something the hot folder did, for the screen and the log. `kind` is one of:

    "waiting" (settled, but ready() is False; said once a file), "taken" (a copy went to the
    handler), "done" and "quarantined" (the original went to `target`), "retry" (the handler
    raised RetryLater; `reason` is its message), "error" (the file could not be read, or the
    original not moved; tried again later).
    """

    kind: str
    name: str                   # the file's name relative to the inbox
    reason: str | None = None
    target: Path | None = None  # where the original went (done/quarantine)


@dataclass(frozen=True)
class _Stat:
    size: int
    mtime_ns: int


@dataclass
class _Seen:
    """A file in the inbox, not taken yet."""

    path: Path
    stat: _Stat
    since: float                # clock time this size and mtime were first seen
    said_waiting: bool = False
    not_before: float = 0.0     # after a read error: not before this time
    delay: float = 0.0
    copy: Path | None = None    # copied early for `prefetch`
    order: tuple | None = None  # its place in the queue (see `_queue_order`)


@dataclass
class _Taken:
    """A file the handler is through with, whose original still has to be moved."""

    path: Path
    stat: _Stat
    outcome: Handled
    copy: Path | None = None    # the handler's copy, removed once the original has moved
    placed: Path | None = None  # already copied there; only the original is left to remove
    not_before: float = 0.0
    delay: float = 0.0


class _Changed(Exception):
    """The file changed while it was copied: it was not complete after all."""


class _LeftBehind(Exception):
    """The file is safe at `target` (copied across filesystems) but the original stayed."""

    def __init__(self, target: Path, error: OSError):
        super().__init__(str(error))
        self.target = target


class HotFolder:
    """Watches `inbox` and hands every complete file, once, to `handle` (see the module doc)."""

    def __init__(self, inbox: Path, done: Path, quarantine: Path, work: Path,
                 handle: Callable[[Path], Handled], *,
                 settle_seconds: float = 0.4, rescan_seconds: float = 2.0,
                 max_bytes: int = 200 * 1024 * 1024, polling: bool = False,
                 ready: Callable[[], bool] = lambda: True,
                 on_event: Callable[[FolderEvent], None] = lambda e: None,
                 suffixes: frozenset[str] = SCAN_SUFFIXES,
                 retry_seconds: tuple[float, float] = (2.0, 30.0),
                 clock: Callable[[], float] = time.monotonic,
                 lookahead: int = 0,
                 prefetch: Callable[[Path], None] = lambda copy: None,
                 forget: Callable[[Path], None] = lambda copy: None,
                 on_refusal: Callable[[Path, str, str], None] = lambda path, name, reason: None,
                 handle_group: Callable[[list[Path]], list[Handled]] | None = None):
        """`retry_seconds`: first and longest wait after a failure; `clock`: for tests.

        `lookahead` files after the one being handled are copied and given to `prefetch`;
        `forget` is told of such a copy that will not be handled (the file changed or went).
        `on_refusal(original, name, reason)` is called before a refused file goes to quarantine;
        it may raise `RetryLater`. `handle_group`, when given, replaces `handle`: it is offered
        the next file's copy followed by the early copies after it, and returns the outcomes of
        the first few of them that it took (one at least), in order.
        """
        self.inbox, self.done, self.quarantine, self.work = (
            Path(os.path.abspath(p)) for p in (inbox, done, quarantine, work))
        # Real paths to walk and compare: the inbox's own done/, quarantine/, work/ are skipped.
        self._real_inbox = Path(os.path.realpath(inbox))
        self._own = tuple(Path(os.path.realpath(p)) for p in (done, quarantine, work))
        if self._real_inbox in self._own:
            raise ValueError(f"the inbox {inbox} cannot also be the done, quarantine or work folder")
        self._handle, self._ready, self._on_event, self._clock = handle, ready, on_event, clock
        self._lookahead, self._prefetch, self._forget = max(0, lookahead), prefetch, forget
        self._on_refusal = on_refusal
        self._handle_group = handle_group or (lambda copies: [handle(copies[0])])
        self.interrupted: frozenset[str] = frozenset()  # digests of copies left by a crash
        self.settle_seconds, self.rescan_seconds = settle_seconds, rescan_seconds
        self.max_bytes, self.polling = max_bytes, polling
        self.suffixes = frozenset(s.lower() for s in suffixes)
        self._first_delay, self._max_delay = retry_seconds
        self._lock = threading.Lock()        # guards _seen and _taken for waiting()
        self._take_lock = threading.RLock()  # one taker at a time: the worker or run_once
        self._seen: dict[str, _Seen] = {}
        self._taken: dict[str, _Taken] = {}
        self._paused_until = 0.0             # after RetryLater the whole queue waits
        self._retry_delay = 0.0
        self._moved_at = float("-inf")
        self._work_cleared = False
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._worker: threading.Thread | None = None
        self._observer = None

    # ------------------------------------------------------------------ public

    def start(self) -> None:
        """Clear leftover copies, then watch the inbox and take files in a background thread."""
        self.inbox.mkdir(parents=True, exist_ok=True)
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
            with self._take_lock, self._lock:
                early = [seen for seen in self._seen.values() if seen.copy is not None]
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
                self._prefetch_after(name, now, tried, events)
                tried.update(self._take(name, events, self._followers(name, now, tried)))
        return events

    def busy(self) -> bool:
        """Whether a file is still in the inbox waiting, or taken in but not yet moved."""
        with self._lock:
            return bool(self._seen or self._taken)

    def waiting(self) -> list[str]:
        """Names seen but not yet taken (not stable yet, ready() is False, or to be retried)."""
        with self._lock:
            return [name for name, _ in sorted(self._seen.items(), key=_queue_order)]

    # ---------------------------------------------------------------- the queue

    def _refresh(self) -> None:
        """Bring what we know in line with the inbox; a changed size or mtime restarts settling."""
        found = self._scan()
        now = self._clock()
        stale: list[_Seen] = []
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
                    self._seen[name] = _Seen(path, st, since=now)
        for seen in stale:
            self._drop_copy(seen)

    def _next(self, now: float, tried: set[str]) -> str | None:
        """The oldest file if it has settled; an older file still settling holds later ones back."""
        with self._lock:
            queue = sorted(((n, s) for n, s in self._seen.items()
                            if s.not_before <= now and n not in tried), key=_queue_order)
        if not queue or now - queue[0][1].since < self.settle_seconds:
            return None
        return queue[0][0]

    def _prefetch_after(self, name: str, now: float, tried: set[str], events: list[FolderEvent]) -> None:
        """Copy the file about to be handled and the settled ones after it, and offer them to
        `prefetch`, so that they are being decided while the first is recorded."""
        if not self._lookahead:
            return
        with self._lock:
            queue = sorted(((n, s) for n, s in self._seen.items()
                            if s.not_before <= now and (n == name or n not in tried)),
                           key=_queue_order)
        for other, seen in queue[: self._lookahead + 1]:
            if now - seen.since < self.settle_seconds:
                break  # an unsettled file holds the later ones back, as in `_next`
            if seen.copy is not None or self._refusal(other, seen.stat) is not None:
                continue
            try:
                seen.copy = self._copy_to_work(seen.path, seen.stat)
            except (_Changed, OSError):
                continue  # `_take` meets it again and says what is wrong
            try:
                self._prefetch(seen.copy)
            except Exception:  # the handler decides it itself later
                log.exception("hot folder: prefetch failed for %s", other)

    def _drop_copy(self, seen: _Seen) -> None:
        """An early copy that will not be handled: tell `forget`, then remove it."""
        copy, seen.copy = seen.copy, None
        if copy is None:
            return
        try:
            self._forget(copy)
        except Exception:
            log.exception("hot folder: forget failed for %s", copy)
        copy.unlink(missing_ok=True)

    def _say_waiting(self, now: float, events: list[FolderEvent]) -> None:
        with self._lock:
            newly = [n for n, s in sorted(self._seen.items(), key=_queue_order)
                     if not s.said_waiting and now - s.since >= self.settle_seconds]
            for name in newly:
                self._seen[name].said_waiting = True
        for name in newly:
            self._emit(FolderEvent("waiting", name, "waits until someone signs in at the station"), events)

    def _followers(self, name: str, now: float, tried: set[str]) -> list[str]:
        """The settled files right after `name`, already copied, that may go with it."""
        if self._lookahead == 0:
            return []
        with self._lock:
            queue = sorted(((n, s) for n, s in self._seen.items()
                            if s.not_before <= now and n != name and n not in tried),
                           key=_queue_order)
        followers = []
        for other, seen in queue[: self._lookahead]:
            if (seen.copy is None or now - seen.since < self.settle_seconds
                    or self._refusal(other, seen.stat) is not None):
                break
            followers.append(other)
        return followers

    def _take(self, name: str, events: list[FolderEvent], followers: list[str] = ()) -> list[str]:
        """Offer a settled file (and the copied files after it) to the handler, or refuse it,
        then move the originals; returns the names of the files taken."""
        seen = self._seen[name]
        refusal = self._refusal(name, seen.stat)
        if refusal is not None:
            try:
                self._on_refusal(seen.path, name, refusal)
            except RetryLater as exc:
                self._pause(name, exc, events)
                return []
            except Exception:  # the file still goes to quarantine/ with its reason
                log.exception("hot folder: on_refusal failed for %s", name)
            self._to_taken(name, Handled(done=False, reason=refusal))
            taken = [name]
        else:
            outcomes = self._handle_copies(name, seen, followers, events)
            if outcomes is None:
                return []
            taken = [other for other, _ in outcomes]
            for other, outcome in outcomes:
                self._to_taken(other, outcome)
        self._move_taken(events)
        return taken

    def _pause(self, name: str, exc: RetryLater, events: list[FolderEvent]) -> None:
        """The ledger is away (or nobody can take the file now): the whole queue waits."""
        self._retry_delay = self._longer(self._retry_delay)
        self._paused_until = self._clock() + self._retry_delay
        self._emit(FolderEvent("retry", name, str(exc) or "the handler asked to retry"), events)

    def _handle_copies(self, name: str, seen: _Seen, followers: list[str],
                       events: list[FolderEvent]) -> list[tuple[str, Handled]] | None:
        """What the handler made of the file and of the followers it took with it (by name);
        None when the file stays in the inbox."""
        try:
            copy = seen.copy or self._copy_to_work(seen.path, seen.stat)
            seen.copy = copy
        except (_Changed, FileNotFoundError):
            return None  # the next scan sees the new size, or that it is gone
        except OSError as exc:
            seen.delay = self._longer(seen.delay)
            seen.not_before = self._clock() + seen.delay
            self._emit(FolderEvent("error", name, f"cannot read it: {exc}; it stays in the inbox "
                                   f"and is tried again in {seen.delay:.0f} s"), events)
            return None
        with self._lock:
            group = [(name, copy)] + [(n, self._seen[n].copy) for n in followers if n in self._seen]
        self._emit(FolderEvent("taken", name), events)
        try:
            outcomes = self._handle_group([c for _, c in group])
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

    def _to_taken(self, name: str, outcome: Handled) -> None:
        with self._lock:
            seen = self._seen.pop(name)
            self._taken[name] = _Taken(seen.path, seen.stat, outcome, seen.copy)

    def _refusal(self, name: str, st: _Stat) -> str | None:
        """Why a file is not even offered to the handler, or None."""
        suffix = Path(name).suffix.lower()
        readable = ", ".join(sorted(self.suffixes))
        if not suffix:
            return f"not a scan: the file has no extension; scanpipe reads {readable}"
        if suffix not in self.suffixes:
            return f"not a scan: the extension {suffix} is not one scanpipe reads ({readable})"
        if st.size == 0:
            return "empty file (0 bytes): the scanner wrote nothing; scan the pages again"
        if st.size > self.max_bytes:
            return (f"too big: {st.size / 2**20:.1f} MB, more than the limit of "
                    f"{self.max_bytes / 2**20:.0f} MB a file (SCANPIPE_MAX_FILE_MB); "
                    "scan fewer pages a file or at a lower resolution")
        return None

    # ------------------------------------------------------------- the files

    def _scan(self) -> dict[str, tuple[Path, _Stat]]:
        found: dict[str, tuple[Path, _Stat]] = {}
        own = {str(p) for p in self._own}
        for root, dirs, files in os.walk(self._real_inbox):
            dirs[:] = [d for d in dirs if not d.startswith(".") and os.path.join(root, d) not in own]
            for file in files:
                if _ignored(file):
                    continue
                path = os.path.join(root, file)
                try:
                    st = os.stat(path)
                except OSError:
                    continue  # gone since the listing
                if stat.S_ISREG(st.st_mode):
                    name = os.path.relpath(path, self._real_inbox).replace(os.sep, "/")
                    found[name] = (Path(path), _Stat(st.st_size, st.st_mtime_ns))
        return found

    def _copy_to_work(self, path: Path, expected: _Stat) -> Path:
        """A private copy for the handler to read, checked against the size and time it settled at."""
        self.work.mkdir(parents=True, exist_ok=True)
        copy = self.work / f"{uuid.uuid4().hex[:12]}--{path.name}"
        try:
            with open(path, "rb") as source, open(copy, "xb") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
                copied = target.tell()  # a private copy to read: never synced, the original stays
            if copied != expected.size or _stat_of(path) != expected:
                raise _Changed(path)
        except BaseException:
            copy.unlink(missing_ok=True)
            raise
        return copy

    def _move_taken(self, events: list[FolderEvent]) -> None:
        """Move the originals the handler is through with; a failure is retried later, not re-handled."""
        now = self._clock()
        with self._lock:
            due = [(n, t) for n, t in self._taken.items() if t.not_before <= now]
        moved: list[tuple[str, _Taken, Path]] = []
        renamed: set[Path] = set()  # folders whose entries changed, made durable once for all
        for name, taken in due:
            where = "done/" if taken.outcome.done else "quarantine/"
            try:
                if taken.placed is not None:  # never a second copy in done/ or quarantine/
                    target = taken.placed
                    _remove(taken.path)
                elif taken.outcome.done:
                    folder = self.done / datetime.now().date().isoformat() / Path(name).parent
                    target = _free_name(folder, taken.path.name)
                    _move(taken.path, target, renamed)
                else:
                    target = self._quarantine(name, taken.path, taken.outcome.reason or "", renamed)
            except (OSError, _LeftBehind) as exc:
                if isinstance(exc, _LeftBehind):
                    taken.placed = exc.target
                taken.delay = self._longer(taken.delay)
                taken.not_before = self._clock() + taken.delay
                self._emit(FolderEvent("error", name, f"taken in, but moving it to {where} failed: "
                                       f"{exc}; trying again in {taken.delay:.0f} s"), events)
                continue
            moved.append((name, taken, target))
        for folder in renamed:
            _fsync_dir(folder)
        for name, taken, target in moved:
            with self._lock:
                self._taken.pop(name, None)
            if taken.copy is not None:
                taken.copy.unlink(missing_ok=True)  # only now: see the module's doc
            self._moved_at = self._clock()
            kind = "done" if taken.outcome.done else "quarantined"
            self._emit(FolderEvent(kind, name, taken.outcome.reason, target), events)

    def _quarantine(self, name: str, path: Path, reason: str, renamed: set[Path]) -> Path:
        """Move to quarantine/ with `<name>.reason.txt`, written first so the file never lacks it."""
        target = _free_name(self.quarantine, path.name, also=".reason.txt")
        note = target.with_name(target.name + ".reason.txt")
        when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        with open(note, "x", encoding="utf-8") as out:
            out.write(f"file: {name}\nquarantined: {when}\nreason: {reason}\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            _move(path, target, renamed)
        except OSError:
            note.unlink(missing_ok=True)
            raise
        return target

    def _clear_work(self) -> None:
        """Delete copies left by a crash, keeping their digests in `interrupted`: their
        originals, if still in the inbox, were being taken when the station stopped."""
        if self._work_cleared:
            return
        self._work_cleared = True
        try:
            entries = list(os.scandir(self.work))
        except FileNotFoundError:
            return
        interrupted = set(self.interrupted)
        for entry in entries:
            if _COPY_NAME.match(entry.name) and not entry.is_dir(follow_symlinks=False):
                log.info("hot folder: removing a copy left when the station stopped: %s", entry.path)
                try:
                    interrupted.add(sha256_of_file(Path(entry.path)))
                except OSError:
                    pass
                os.unlink(entry.path)
        self.interrupted = frozenset(interrupted)

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
        wakes = [now + self.rescan_seconds]
        with self._lock:
            for seen in self._seen.values():
                settled = seen.since + self.settle_seconds
                if seen.not_before > now:
                    wakes.append(seen.not_before)
                elif settled > now:
                    wakes.append(settled)
                else:  # settled and still here: ready() was False or the queue is paused
                    wakes.append(max(self._paused_until, now + 0.25))
            wakes += [t.not_before for t in self._taken.values()]
        if now - self._moved_at < 0.6:
            # watchdog's inotify observer holds back every event queued behind the unpaired
            # IN_MOVED_FROM of our own move out of the inbox for 0.5 s: look for ourselves.
            wakes.append(now + 0.1)
        return max(0.05, min(wakes) - now)

    def _watch(self):
        """A watchdog observer on the inbox; falls back to polling, then to the rescan alone."""
        kinds = [PollingObserver] if self.polling else [Observer, PollingObserver]
        for kind in kinds:
            observer = kind(timeout=min(1.0, self.rescan_seconds)) if kind is PollingObserver else kind()
            try:
                observer.schedule(_Nudge(self), str(self._real_inbox), recursive=True)
                observer.start()
                return observer
            except OSError as exc:  # e.g. the inotify watch limit
                log.warning("hot folder: %s cannot watch %s (%s)", kind.__name__, self.inbox, exc)
        return None

    def _concerns(self, path: str) -> bool:
        """Whether a change at `path` may be a file to take (our own moves and copies are not)."""
        changed = Path(path)
        inside = changed.is_relative_to(self._real_inbox) and changed != self._real_inbox
        if not inside or any(changed.is_relative_to(own) for own in self._own):
            return False
        parts = changed.relative_to(self._real_inbox).parts
        return not any(p.startswith(".") for p in parts[:-1]) and not _ignored(parts[-1])

    # --------------------------------------------------------------- helpers

    def _is_ready(self) -> bool:
        try:
            return bool(self._ready())
        except Exception:
            log.exception("hot folder: ready() failed; files wait")
            return False

    def _emit(self, event: FolderEvent, events: list[FolderEvent]) -> None:
        events.append(event)
        log.log(logging.WARNING if event.kind in ("quarantined", "retry", "error") else logging.INFO,
                "hot folder: %s %s%s", event.kind, event.name, f": {event.reason}" if event.reason else "")
        try:
            self._on_event(event)
        except Exception:  # a screen that fails to show an event must not stop the intake
            log.exception("hot folder: on_event failed for %s", event)

    def _longer(self, delay: float) -> float:
        return self._first_delay if delay <= 0 else min(delay * 2, self._max_delay)


class _Nudge(FileSystemEventHandler):
    """Wakes the worker when something changes in the inbox; the worker then looks for itself."""

    def __init__(self, folder: HotFolder):
        self._folder = folder

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _NUDGING_EVENTS or (event.is_directory and event.event_type == "modified"):
            return
        paths = [os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        if any(self._folder._concerns(p) for p in paths):
            self._folder._wake.set()


def original_name(copy: Path) -> str:
    """The name the scanner gave a file, from the name of its copy in work/."""
    return _COPY_NAME.sub("", copy.name, count=1)


def _ignored(file_name: str) -> bool:
    """Hidden files, lock files and the temporary names files have before they are complete."""
    return file_name.startswith((".", "~")) or file_name.lower().endswith(TEMPORARY_SUFFIXES)


def _queue_order(item: tuple[str, _Seen]) -> tuple:
    """Oldest first; then natural name order, so that scan-2 comes before scan-10."""
    name, seen = item
    if seen.order is None:  # worked out once a file: the queue is sorted for every file taken
        parts = re.split(r"(\d+)", name)
        seen.order = (seen.stat.mtime_ns,
                      [int(p) if i % 2 else p.lower() for i, p in enumerate(parts)])
    return seen.order



def _stat_of(path: Path) -> _Stat:
    st = os.stat(path)
    return _Stat(st.st_size, st.st_mtime_ns)


def _free_name(folder: Path, name: str, also: str = "") -> Path:
    """The first of name, name-2, name-3... (before the suffix) not taken in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 1
    while True:
        candidate = folder / (name if number == 1 else f"{stem}-{number}{suffix}")
        if not candidate.exists() and not (also and candidate.with_name(candidate.name + also).exists()):
            return candidate
        number += 1


def _move(source: Path, target: Path, renamed: set[Path]) -> None:
    """Move to a free name so that a crash leaves the file in one place or both, never in none.

    The worker is the only writer of done/ and quarantine/, so checking that the name is free
    before `os.replace` never overwrites. A rename's folders are added to `renamed`, for the
    caller to sync once for all the files it moves.
    """
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.moving")
        try:
            with open(source, "rb") as src, open(temporary, "xb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
                dst.flush()
                os.fsync(dst.fileno())
            shutil.copystat(source, temporary)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)  # the copy is safe on disk before the original goes
        try:
            _remove(source)
        except OSError as error:
            raise _LeftBehind(target, error) from error
        return
    renamed.update((target.parent, source.parent))


def _remove(path: Path) -> None:
    os.unlink(path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable: the directory entry is only on disk once the folder is synced."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # e.g. Windows, where folders cannot be opened like this
    try:
        os.fsync(fd)
    except OSError:
        pass  # some network filesystems refuse fsync on a folder
    finally:
        os.close(fd)
