"""Recognition in worker processes: one per core, Tesseract on one thread in each.

A worker reads a file, keeps its bytes in the image store (named by their SHA-256, written
atomically, so two workers or two stations storing the same file never clash) and decides its
pages. Only the decisions travel back. The station then records the files one by one in the
order they were scanned, because a kit envelope opens the batch for the pages after it: the
workers run ahead, the ledger never does.

A worker that dies breaks the pool, and every file then in flight with it: a decoder's
segmentation fault or the kernel's out-of-memory killer (the file's fault), or someone killing a
worker from outside (not the file's). So a file is never judged by one break: every file in flight
is tried again in a fresh pool, and a file whose second try breaks its pool too is tried once
more alone (the only file in a fresh process of its own, one such trial at a time). Only a file
that kills that process as well is reported as `WorkerCrashed`, so that it goes to quarantine and
the station goes on; killing a worker once never sends a file there.

Workers end with their station, however it ends (kill -9 included): the pool's processes are
started by a forkserver (a child of the station), so each worker asks the kernel for SIGKILL when
the forkserver ends (Linux's parent-death signal, see `die_with_parent`) and watches the station
itself (`exit_with`: a pidfd, else a poll). The forkserver ends by itself once the station and
its workers are gone (they hold the write ends of its "alive" pipe).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import select
import signal
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from models.images import ImageStore, sha256_of
from models.store.intake import FileRecord
from scanpipe.domain.campaign import Campaign
from scanpipe.domain.routing import unreadable
from scanpipe.reading.formats import sniff
from scanpipe.reading.pipeline import DEFAULT_SETTINGS, PageResult, RecognitionSettings, process_file

# Files a worker takes before it is replaced by a fresh process: what a long season's odd file
# leaves behind in a worker's memory does not stay for weeks.
TASKS_PER_WORKER = 500
# How long a group of files waits for the files right after it, decided a moment later, to
# record them in the same transaction (see `group_least`): a file is in the ledger at most
# this much later, and recording it costs the station's own process less than half the CPU.
GROUP_WAIT = 0.25
# glibc's mallopt parameters (malloc.h) and what a worker sets them to; see `keep_freed_memory`.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_FROM = 32 * 2**20    # glibc's largest: a 300 dpi A4 page (8.7 MB) and its copies stay in the heap
_TRIM_FROM = 256 * 2**20   # free memory at the heap's top kept up to this much


# prctl(2): the signal this process gets when its parent ends (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


class WorkerCrashed(Exception):
    """A file made its worker process die on its own: twice, the second time as the only file
    in a fresh process. Quarantine it (a worker killed from outside never raises this)."""


@dataclass(frozen=True)
class Prepared:
    """One file read, stored and decided, ready to be recorded."""

    path: Path
    sha256: str | None        # None: the file itself could not be read (see pages[0])
    media_type: str
    size: int
    pages: list[PageResult]
    peak_rss: int = 0         # the deciding process's peak resident memory, bytes

    def record(self, source_name: str, retake: bool = False) -> FileRecord:
        """What the ledger is to record of this file (read and stored: `sha256` is set)."""
        return FileRecord(source_name, self.sha256, self.media_type, self.size,
                          [(page.page, page.decision) for page in self.pages], retake)


def ahead(workers: int) -> int:
    """Files decided ahead of the one being recorded: enough to keep every worker busy, and to
    record a backlog many files a transaction (group commit)."""
    return 0 if workers == 0 else max(32, 8 * workers)


def group_least(workers: int) -> int:
    """Files a group waits for (up to `GROUP_WAIT`) before it is recorded: four a worker. With
    one or two files a transaction, recording costs the station's own process about 2 ms of CPU
    a file, which the workers then lack; with eight, about 0.8 ms (SQLite, two workers)."""
    return max(1, 4 * workers)


def joins(future: Future, size: int, least: int, deadline: float) -> bool:
    """Whether the file of `future` joins a group of `size` files now being gathered: it is
    decided, or the group has fewer than `least` files and it is decided by `deadline`
    (`time.monotonic`)."""
    if future.done():
        return True
    if size >= least:
        return False
    left = deadline - time.monotonic()
    return left > 0 and bool(wait([future], timeout=left).done)


def default_workers() -> int:
    """As many workers as the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def prepare(path: Path, campaign: Campaign, settings: RecognitionSettings = DEFAULT_SETTINGS,
            images: ImageStore | None = None) -> Prepared:
    """Read one file, keep it in `images` (unless None: a dry run) and decide its pages."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = unreadable(f"cannot read the file: {exc.strerror or exc}")
        return Prepared(Path(path), None, "unknown", 0, [PageResult(1, (), reason)], _peak_rss())
    if images is None:
        sha, pages = sha256_of(data), process_file(data, campaign, settings)
    else:  # the image is written and synced to disk while its pages are decided
        with ThreadPoolExecutor(1) as writer:
            stored = writer.submit(images.put, data)
            pages = process_file(data, campaign, settings)
            sha = stored.result()
    return Prepared(Path(path), sha, sniff(data).lower(), len(data), pages, _peak_rss())


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux gives KiB


# ------------------------------------------------------------------ the worker processes

_worker: tuple[Campaign, RecognitionSettings, ImageStore | None] | None = None


def _start_worker(campaign: Campaign, settings: RecognitionSettings, image_root: str | None,
                  station: int | None = None) -> None:
    global _worker
    if station is not None:
        die_with_parent(station)
        exit_with(station)
    set_up_worker_process()
    _worker = (campaign, settings, ImageStore(Path(image_root)) if image_root else None)


def set_up_worker_process() -> None:
    """What a worker process sets first: one thread for each library that would start more
    (one worker a core), and large blocks of memory kept for the next page."""
    os.environ["OMP_THREAD_LIMIT"] = "1"  # Tesseract's OpenMP threads would fight the other workers
    import cv2

    cv2.setNumThreads(1)  # so would OpenCV's
    keep_freed_memory()


def exit_with(pid: int) -> None:
    """End this process as soon as process `pid` (the station that started it) ends, however
    it ends: killed with -9, the station cannot shut its pool down, and a worker waiting for
    its next file would wait for ever (the other workers hold the pool's pipes open), keeping
    its memory and Tesseract's. Watches a pidfd (Linux 5.3+), else asks every second."""
    try:
        handle: int | None = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):
        handle = None

    def watch() -> None:
        if handle is not None:
            select.select([handle], [], [])  # readable once the process has ended
        else:
            while alive(pid):
                time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name=f"exit-with-{pid}", daemon=True).start()


def die_with_parent(station: int) -> bool:
    """Have the kernel send SIGKILL to this process the moment its parent ends (Linux's
    parent-death signal), then check that the parent is still the one expected: the station
    `station` itself, or a process the station started (the forkserver that forked this worker).
    Had the parent ended before the request, this process would already belong to another (init,
    a subreaper, outside the station's tree) and no signal would ever come: it ends at once
    instead. Where the tree cannot be read it carries on (`exit_with` watches the station). The
    signal is tied to the parent's thread that forked this process: the forkserver has only one.
    Under the forkserver the parent is not the station: the signal ends a worker with the
    forkserver, `exit_with` ends it with the station (the forkserver then ends by itself).
    Returns False where there is no parent-death signal (not Linux): `exit_with` remains."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    if prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    if descends_from(os.getppid(), station) is False:
        os._exit(0)  # the parent ended already: this worker has no one to work for
    return True


def descends_from(pid: int, ancestor: int) -> bool | None:
    """Whether process `pid` is `ancestor` or one of its descendants (None: cannot tell)."""
    for _ in range(64):
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
        parent = parent_of(pid)
        if parent is None:
            return None
        pid = parent
    return None


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, parent, …); None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return stat.rpartition(")")[2].split()


def parent_of(pid: int) -> int | None:
    """The parent of process `pid` (None: gone, or no /proc)."""
    fields = _proc_stat(pid)
    return int(fields[1]) if fields and len(fields) > 1 else None


def alive(pid: int) -> bool:
    """Whether process `pid` runs: not gone, and not a zombie (a station killed with -9 stays
    one until whoever started it collects it, and `kill(pid, 0)` still succeeds on it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, under another user
    fields = _proc_stat(pid)
    return not (fields and fields[0] in ("Z", "X"))


def keep_freed_memory() -> bool:
    """Let glibc keep the memory of a page decided for the next page instead of giving it back.

    By default glibc maps each large block (a page of 8.7 MB, its halved and levelled copies)
    afresh from the kernel and returns it when freed; on a virtual machine the kernel's page
    faults on that fresh memory cost about a fifth of a page's time (measured: 3–5 ms of
    system time a page, 0.1 ms with these settings). A worker's peak stays what its largest
    page needs (see bench/page_memory.py); it is replaced after `TASKS_PER_WORKER` files.
    Returns False where the C library is not glibc (nothing changed).
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_FROM)) and bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_FROM))


def prepare_in_worker(path: str) -> Prepared:
    """The task a worker runs on a path by default: prepared with the campaign it was started with."""
    assert _worker is not None, "the worker was not started"
    campaign, settings, images = _worker
    return prepare(Path(path), campaign, settings, images)


class Recognizer:
    """Decides files in `workers` processes (0: in the calling process, one at a time)."""

    def __init__(self, campaign: Campaign, settings: RecognitionSettings = DEFAULT_SETTINGS,
                 images: ImageStore | None = None, workers: int | None = None,
                 task: Callable[[str], Prepared] | None = None):
        """`task`: what a worker runs on a path (a module-level function; tests pass their own)."""
        self.campaign, self.settings, self.images = campaign, settings, images
        self.workers = default_workers() if workers is None else max(0, workers)
        self._task = task or prepare_in_worker
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.RLock()       # the pool, its generation and the tries below
        self._alone = threading.Lock()       # one file decided alone at a time
        self._generation = 0                 # pools made so far: the current one's number
        # Every future handed out while someone holds it: (path, its pool's generation, breaks
        # it was in before), and what replaced it when its pool broke (None: decided alone).
        self._tries: weakref.WeakKeyDictionary[Future, tuple[str, int, int]] = \
            weakref.WeakKeyDictionary()
        self._again: weakref.WeakKeyDictionary[Future, Future | None] = weakref.WeakKeyDictionary()

    def __enter__(self) -> Recognizer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def worker_pids(self) -> list[int]:
        """The process ids of the pool's workers now running (none before the first file)."""
        with self._lock:
            pool = self._pool
            return sorted(pool._processes or ()) if pool is not None else []

    def submit(self, path: Path) -> Future:
        """Start deciding `path`; `result` gives what came of it."""
        if self.workers == 0:
            future: Future = Future()
            try:
                future.set_result(prepare(path, self.campaign, self.settings, self.images))
            except BaseException as exc:  # handed to whoever asks for the result
                future.set_exception(exc)
            return future
        with self._lock:
            return self._submit(str(path), breaks=0)

    def result(self, future: Future, path: Path) -> Prepared:
        """What came of `submit(path)`. When the pool breaks (a worker died), the file is tried
        again with the others then in flight; a file that is in a broken pool twice is tried
        alone. Raises `WorkerCrashed` when the file kills that lone process too."""
        while True:
            try:
                return future.result()
            except BrokenProcessPool:
                pass
            again = self._after_break(future, str(path))
            if again is None:
                return self._decide_alone(str(path))
            future = again

    def _submit(self, path: str, breaks: int) -> Future:
        try:
            future = self._executor().submit(self._task, path)
        except BrokenProcessPool:  # broke since: its files are tried again by `_after_break`
            self._restart()
            future = self._executor().submit(self._task, path)
        self._tries[future] = (path, self._generation, breaks)
        return future

    def _after_break(self, broken: Future, path: str) -> Future | None:
        """What replaces `broken`, whose pool broke: the same file in a fresh pool, or None when
        it has been in a broken pool before (it is then decided alone). Every other file in
        flight in that pool is submitted again at the same time, so the fresh pool is busy at
        once and none waits for its turn."""
        with self._lock:
            if broken in self._again:
                return self._again[broken]
            generation = self._tries.setdefault(broken, (path, self._generation, 0))[1]
            if generation == self._generation:
                self._restart()
            for other, (other_path, other_generation, other_breaks) in list(self._tries.items()):
                if other_generation == generation and other not in self._again and _broke(other):
                    self._again[other] = (None if other_breaks
                                          else self._submit(other_path, other_breaks + 1))
            return self._again[broken]

    def _decide_alone(self, path: str) -> Prepared:
        """Decide one file as the only file of a fresh worker process: no other file, nor the
        memory another file takes, can be what kills it."""
        with self._alone:
            pool = self._new_pool(1)
            try:
                return pool.submit(self._task, path).result()
            except BrokenProcessPool:
                raise WorkerCrashed(
                    f"the recogniser's process died twice while reading {Path(path).name}, the "
                    "second time reading it alone (a damaged file, or not enough memory)") from None
            finally:
                pool.shutdown(wait=False, cancel_futures=True)

    def in_groups(self, paths: Iterable[Path], most: int = 64) -> Iterator[list[Prepared]]:
        """The paths' results in the given order, a group at a time: the next result, and those
        right after it that are already decided (at most `most`). Up to `ahead(workers)` files
        are decided ahead."""
        window = ahead(self.workers) or 1
        queue = iter(paths)
        pending: deque[tuple[Path, Future]] = deque()

        def fill() -> None:
            while len(pending) <= window:
                path = next(queue, None)
                if path is None:
                    return
                pending.append((path, self.submit(path)))

        fill()
        least = group_least(self.workers)
        while pending:
            group = [self._next(pending)]
            deadline = time.monotonic() + GROUP_WAIT
            while pending and len(group) < most and joins(pending[0][1], len(group), least,
                                                           deadline):
                group.append(self._next(pending))
            fill()
            yield group

    def _next(self, pending: deque) -> Prepared:
        path, future = pending.popleft()
        try:
            return self.result(future, path)
        except WorkerCrashed as exc:
            return Prepared(Path(path), None, "unknown", 0,
                            [PageResult(1, (), unreadable(str(exc)))])

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = self._new_pool(self.workers)
            self._generation += 1
        return self._pool

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        root = str(self.images.root) if self.images is not None else None
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["stations.workers"])  # each new worker starts warm
        return ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_start_worker,
            initargs=(self.campaign, self.settings, root, os.getpid()),
            max_tasks_per_child=TASKS_PER_WORKER)

    def _restart(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _broke(future: Future) -> bool:
    """Whether a future of a pool that broke is to be tried again: not cancelled (forgotten),
    not decided (a result, or the task's own exception), so broken with its pool."""
    if future.cancelled():
        return False
    return not future.done() or isinstance(future.exception(), BrokenProcessPool)
