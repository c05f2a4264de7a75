"""Recognition in worker processes: one per core, Tesseract on one thread in each.

A worker reads a file, keeps its bytes in the image store (named by their SHA-256, written
atomically, so two workers or two stations storing the same file never clash) and decides its
pages. Only the decisions travel back. The station then records the files one by one in the
order they were scanned, because a kit envelope opens the batch for the pages after it: the
workers run ahead, the ledger never does.

A worker that dies (a decoder's segmentation fault, the kernel's out-of-memory killer) breaks
the pool: the pool is made again and the file is tried once more alone; a file that kills a
worker twice is reported as `WorkerCrashed` so that it goes to quarantine and the station goes on.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import select
import threading
import time
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
from scanpipe.reading.pages import sniff
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


class WorkerCrashed(Exception):
    """A file made its worker process die twice; quarantine it."""


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
            while _alive(pid):
                time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name=f"exit-with-{pid}", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, under another user
    return True


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

    def __enter__(self) -> Recognizer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(self, path: Path) -> Future:
        """Start deciding `path`; `result` gives what came of it."""
        if self.workers == 0:
            future: Future = Future()
            try:
                future.set_result(prepare(path, self.campaign, self.settings, self.images))
            except BaseException as exc:  # handed to whoever asks for the result
                future.set_exception(exc)
            return future
        try:
            return self._executor().submit(self._task, str(path))
        except BrokenProcessPool:
            self._restart()
            return self._executor().submit(self._task, str(path))

    def result(self, future: Future, path: Path) -> Prepared:
        """What came of `submit(path)`; raises `WorkerCrashed` when the file kills a worker twice."""
        try:
            return future.result()
        except BrokenProcessPool:
            pass
        self._restart()
        try:
            return self._executor().submit(self._task, str(path)).result()
        except BrokenProcessPool:
            self._restart()
            raise WorkerCrashed(f"the recogniser's process died twice while reading {Path(path).name} "
                                "(a damaged file, or not enough memory)") from None

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
            root = str(self.images.root) if self.images is not None else None
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["stations.workers"])  # each new worker starts warm
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=context,
                initializer=_start_worker,
                initargs=(self.campaign, self.settings, root, os.getpid()),
                max_tasks_per_child=TASKS_PER_WORKER)
        return self._pool

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
