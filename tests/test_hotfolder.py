"""The hot folder: every complete file taken once, in order, and moved only after the handler."""

from __future__ import annotations

import errno
import os
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from stations.hotfolder import (
    FolderEvent,
    FolderOptions,
    Folders,
    Handled,
    HotFolder,
    Incomplete,
    OurFault,
    RetryLater,
    moves,
)

JPEG = b"\xff\xd8\xff\xe0" + b"scan" * 64


class Clock:
    """A clock the test moves by hand, so that settling and back-off need no sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Desk:
    """A hot folder in tmp_path whose client records what it was given; `options` are the
    folder's (FolderOptions), settling at once unless told."""

    def __init__(self, root: Path, answer=None, *, ready=lambda: True, screen=lambda event: None,
                 done: Path | None = None, quarantine: Path | None = None, work: Path | None = None,
                 **options):
        self.inbox = root / "inbox"
        self.inbox.mkdir(exist_ok=True)
        self.done, self.quarantine, self.work = (done or root / "done", quarantine or root / "quarantine",
                                                 work or root / "work")
        self.answer = answer or (lambda copy: Handled(done=True))
        self.calls: list[tuple[str, bytes, Path]] = []  # (original name, content, path given)
        self.events: list[FolderEvent] = []
        self._ready, self.screen = ready, screen
        options.setdefault("settle_seconds", 0)
        self.folder = HotFolder(Folders(self.inbox, self.done, self.quarantine, self.work), self,
                                FolderOptions(**options))

    # The hot folder's client: one file at a time, nothing decided ahead.

    def ready(self) -> bool:
        return self._ready()

    def take_files(self, copies: list[Path]) -> list[Handled]:
        copy = copies[0]
        self.calls.append((copy.name.split("--", 1)[1], copy.read_bytes(), copy))
        return [self.answer(copy)]

    def refused(self, original: Path, name: str, reason: str) -> None:
        pass

    def decide_ahead(self, copy: Path) -> None:
        pass

    def forget(self, copy: Path) -> None:
        pass

    def folder_event(self, event: FolderEvent) -> None:
        self.events.append(event)
        self.screen(event)

    def drop(self, name: str, data: bytes = JPEG, mtime: float | None = None) -> Path:
        path = self.inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path

    def handled(self) -> list[str]:
        return [name for name, _, _ in self.calls]

    def kinds(self, name: str | None = None) -> list[str]:
        return [e.kind for e in self.events if name is None or e.name == name]


def until(condition, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def dated(done: Path) -> Path:
    """done/YYYY-MM-DD for today (either side of midnight)."""
    folders = [p for p in done.iterdir() if p.is_dir()]
    assert len(folders) == 1 and folders[0].name in {date.today().isoformat(), TODAY}
    return folders[0]


TODAY = date.today().isoformat()


# ------------------------------------------------------------------ taking files


def test_a_stable_file_is_handled_once_and_moved_to_done_by_date(tmp_path):
    desk = Desk(tmp_path)
    desk.drop("scan-1.jpg")
    events = desk.folder.run_once()
    assert [e.kind for e in events] == ["taken", "done"]
    target = dated(desk.done) / "scan-1.jpg"
    assert events[-1].target == target and target.read_bytes() == JPEG
    assert not (desk.inbox / "scan-1.jpg").exists()
    assert events == desk.events
    assert desk.folder.run_once() == [] and desk.handled() == ["scan-1.jpg"]


def test_the_handler_reads_a_copy_in_work_which_is_removed_afterwards(tmp_path):
    seen = {}

    def answer(copy: Path) -> Handled:
        seen["original still in the inbox"] = (tmp_path / "inbox" / "scan-1.jpg").exists()
        return Handled(done=True)

    desk = Desk(tmp_path, answer)
    desk.drop("scan-1.jpg")
    desk.folder.run_once()
    (_name, content, path), = desk.calls
    assert path.parent == desk.work and path.name.endswith("--scan-1.jpg")
    assert content == JPEG and seen["original still in the inbox"]
    assert list(desk.work.iterdir()) == []


def test_files_in_subfolders_are_taken_with_their_relative_name(tmp_path):
    desk = Desk(tmp_path)
    desk.drop("batch-7/scan-1.jpg")
    events = desk.folder.run_once()
    assert [(e.kind, e.name) for e in events] == [("taken", "batch-7/scan-1.jpg"),
                                                  ("done", "batch-7/scan-1.jpg")]
    assert (dated(desk.done) / "batch-7" / "scan-1.jpg").exists()


def test_a_file_is_taken_only_once_its_size_and_mtime_have_settled(tmp_path):
    clock = Clock()
    desk = Desk(tmp_path, settle_seconds=0.4, clock=clock)
    path = desk.drop("scan-1.jpg", JPEG[:10])
    assert desk.folder.run_once() == []                        # first seen now
    clock.now += 0.3
    with path.open("ab") as out:
        out.write(JPEG[10:])
    assert desk.folder.run_once() == []                        # it grew: settling starts again
    clock.now += 0.3
    os.utime(path, (1_600_000_000, 1_600_000_000))
    assert desk.folder.run_once() == []                        # same size, new mtime: again
    clock.now += 0.3
    assert desk.folder.run_once() == [] and desk.folder.waiting() == ["scan-1.jpg"]
    clock.now += 0.15
    assert [e.kind for e in desk.folder.run_once()] == ["taken", "done"]
    assert desk.calls[0][1] == JPEG and desk.folder.waiting() == []


def test_a_file_still_growing_is_not_taken_until_it_stops(tmp_path):
    # Settling takes 2 s of quiet: far more than the writer's pauses even on a loaded machine.
    desk = Desk(tmp_path, settle_seconds=2.0, rescan_seconds=0.5)
    taken_at: list[float] = []
    desk.answer = lambda copy: taken_at.append(time.monotonic()) or Handled(done=True)
    finished: list[float] = []

    def scanner() -> None:
        with (desk.inbox / "scan-1.pdf").open("wb") as out:
            for _ in range(12):
                out.write(b"%PDF-" + bytes(2000))
                out.flush()
                time.sleep(0.06)
        finished.append(time.monotonic())

    desk.folder.start()
    try:
        writer = threading.Thread(target=scanner)
        writer.start()
        writer.join()
        assert until(lambda: desk.handled() == ["scan-1.pdf"])
    finally:
        desk.folder.stop()
    assert len(desk.calls[0][1]) == 12 * 2005 and taken_at[0] > finished[0]


# ----------------------------------------------------------------------- order


def test_oldest_first_then_natural_name_order(tmp_path):
    desk = Desk(tmp_path)
    t = 1_700_000_000
    for name in ["scan-10.jpg", "scan-2.jpg", "scan-1.jpg"]:
        desk.drop(name, mtime=t)
    desk.drop("envelope.jpg", mtime=t - 10)
    desk.drop("after.jpg", mtime=t + 5)
    desk.folder.run_once()
    assert desk.handled() == ["envelope.jpg", "scan-1.jpg", "scan-2.jpg", "scan-10.jpg", "after.jpg"]


def test_an_older_file_still_settling_holds_back_the_pages_after_it(tmp_path):
    clock = Clock()
    desk = Desk(tmp_path, settle_seconds=0.4, clock=clock)
    desk.drop("page.jpg", mtime=1_700_000_010)
    desk.folder.run_once()
    clock.now += 0.5
    desk.drop("envelope.jpg", mtime=1_700_000_000)  # noticed late, but scanned first
    assert desk.folder.run_once() == []
    clock.now += 0.5
    desk.folder.run_once()
    assert desk.handled() == ["envelope.jpg", "page.jpg"]


# ------------------------------------------------------------------ quarantine


@pytest.mark.parametrize("name,data,reason", [
    ("notes.txt", b"hello", "not a scan: the extension .txt is not one scanpipe reads"),
    ("README", b"hello", "not a scan: the file has no extension"),
    ("scan-1.jpg", b"", "empty file (0 bytes)"),
    ("scan-2.PNG", bytes(5000), "too big: "),
])
def test_files_that_are_not_scans_go_to_quarantine_without_the_handler(tmp_path, name, data, reason):
    desk = Desk(tmp_path, max_bytes=4096)
    desk.drop(name, data)
    event, = desk.folder.run_once()
    assert event.kind == "quarantined" and event.reason.startswith(reason)
    assert event.target == desk.quarantine / name
    assert event.target.read_bytes() == data and desk.calls == []
    note = event.target.with_name(name + ".reason.txt").read_text(encoding="utf-8")
    assert event.reason in note and "UTC" in note and f"file: {name}" in note


def test_a_refusal_by_the_handler_quarantines_with_its_reason(tmp_path):
    desk = Desk(tmp_path, lambda copy: Handled(done=False, reason="unreadable file: truncated JPEG"))
    desk.drop("scan-1.jpg")
    kinds = [(e.kind, e.reason) for e in desk.folder.run_once()]
    assert kinds == [("taken", None), ("quarantined", "unreadable file: truncated JPEG")]
    note = desk.quarantine / "scan-1.jpg.reason.txt"
    assert "reason: unreadable file: truncated JPEG" in note.read_text(encoding="utf-8")


def test_a_refusal_needs_a_reason():
    with pytest.raises(ValueError):
        Handled(done=False)


def test_a_handler_crash_quarantines_the_file_and_the_worker_goes_on(tmp_path):
    def answer(copy: Path) -> Handled:
        if copy.name.endswith("--first.jpg"):
            raise RuntimeError("boom")
        return Handled(done=True)

    def broken_screen(event: FolderEvent) -> None:
        raise OSError("the screen is gone")

    desk = Desk(tmp_path, answer, settle_seconds=0.05, screen=broken_screen)
    desk.drop("first.jpg", mtime=1_700_000_000)
    desk.drop("second.jpg", mtime=1_700_000_001)
    desk.folder.start()
    try:
        assert until(lambda: (desk.quarantine / "first.jpg").exists()
                     and (desk.done / TODAY / "second.jpg").exists())
    finally:
        desk.folder.stop()
    note = (desk.quarantine / "first.jpg.reason.txt").read_text(encoding="utf-8")
    assert "internal error while taking it in: RuntimeError: boom" in note
    assert desk.handled() == ["first.jpg", "second.jpg"] and list(desk.work.iterdir()) == []


def test_names_already_in_done_and_quarantine_get_a_number(tmp_path):
    desk = Desk(tmp_path)
    (desk.done / TODAY).mkdir(parents=True)
    (desk.done / TODAY / "scan-1.jpg").write_bytes(b"earlier")
    (desk.done / TODAY / "scan-1-2.jpg").write_bytes(b"earlier")
    desk.quarantine.mkdir()
    (desk.quarantine / "notes.txt").write_bytes(b"earlier")
    desk.drop("scan-1.jpg")
    desk.drop("notes.txt", b"new")
    desk.folder.run_once()
    if date.today().isoformat() == TODAY:  # not across midnight
        assert (desk.done / TODAY / "scan-1-3.jpg").read_bytes() == JPEG
    assert (desk.quarantine / "notes-2.txt").read_bytes() == b"new"
    assert (desk.quarantine / "notes-2.txt.reason.txt").exists()
    assert (desk.quarantine / "notes.txt").read_bytes() == b"earlier"


# ---------------------------------------------------------- waiting and retrying


def test_files_wait_while_nobody_is_signed_in(tmp_path):
    signed_in = [False]
    desk = Desk(tmp_path, ready=lambda: signed_in[0])
    desk.drop("scan-1.jpg")
    desk.folder.run_once()
    desk.folder.run_once()
    assert desk.kinds() == ["waiting"] and desk.folder.waiting() == ["scan-1.jpg"]
    assert desk.calls == [] and (desk.inbox / "scan-1.jpg").exists()
    signed_in[0] = True
    assert [e.kind for e in desk.folder.run_once()] == ["taken", "done"]


def test_retry_later_keeps_the_file_and_pauses_the_queue_in_order(tmp_path):
    clock = Clock()
    failures = [2]

    def answer(copy: Path) -> Handled:
        if copy.name.endswith("--envelope.jpg") and failures[0]:
            failures[0] -= 1
            raise RetryLater("the ledger cannot be reached")
        return Handled(done=True)

    desk = Desk(tmp_path, answer, clock=clock)
    desk.drop("envelope.jpg", mtime=1_700_000_000)
    desk.drop("page.jpg", mtime=1_700_000_001)
    events = desk.folder.run_once()
    assert [(e.kind, e.reason) for e in events] == [("taken", None),
                                                    ("retry", "the ledger cannot be reached")]
    assert (desk.inbox / "envelope.jpg").exists()
    assert desk.folder.waiting() == ["envelope.jpg", "page.jpg"]
    assert desk.folder.run_once() == []           # paused for 2 s
    clock.now += 2
    assert desk.kinds()[-1:] == ["retry"] and len(desk.folder.run_once()) == 2
    clock.now += 2
    assert desk.folder.run_once() == []           # the pause grew to 4 s
    clock.now += 2
    desk.folder.run_once()
    assert desk.handled() == ["envelope.jpg"] * 3 + ["page.jpg"]
    assert sorted(p.name for p in dated(desk.done).iterdir()) == ["envelope.jpg", "page.jpg"]


def test_a_failed_move_is_retried_without_handling_the_file_again(tmp_path):
    clock = Clock()
    desk = Desk(tmp_path, clock=clock)
    desk.done.write_text("a file where the done folder should be")
    desk.drop("scan-1.jpg")
    events = desk.folder.run_once()
    assert [e.kind for e in events] == ["taken", "error"]
    assert "moving it to done/ failed" in events[-1].reason
    assert (desk.inbox / "scan-1.jpg").exists() and desk.folder.waiting() == []
    desk.done.unlink()
    assert desk.folder.run_once() == []           # not before the back-off
    clock.now += 2
    assert [e.kind for e in desk.folder.run_once()] == ["done"]
    assert desk.handled() == ["scan-1.jpg"] and (dated(desk.done) / "scan-1.jpg").exists()


def test_a_move_across_filesystems_copies_then_removes_the_original(tmp_path, monkeypatch):
    real_replace = os.replace

    def replace(source, target):
        if Path(source).parent.name == "inbox":
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(source, target)

    monkeypatch.setattr(moves.os, "replace", replace)
    desk = Desk(tmp_path)
    original = desk.drop("scan-1.jpg", mtime=1_700_000_000)
    event = desk.folder.run_once()[-1]
    assert event.kind == "done" and event.target.read_bytes() == JPEG
    assert event.target.stat().st_mtime == 1_700_000_000 and not original.exists()
    assert [p.name for p in event.target.parent.iterdir()] == ["scan-1.jpg"]


# ------------------------------------------------------------------ left alone


def test_hidden_temporary_and_own_folders_are_left_alone(tmp_path):
    inbox = tmp_path / "inbox"
    desk = Desk(tmp_path, done=inbox / "done", quarantine=inbox / "quarantine", work=inbox / "work")
    ignored = [".hidden.jpg", "~lock.jpg", "scan.jpg.part", "scan.jpg.tmp", "scan.jpg.crdownload",
               "scan.jpg.partial", "scan.JPG.TMP", ".sync/scan.jpg", "done/old.jpg",
               "quarantine/notes.txt", "work/scan.jpg"]
    for name in ignored:
        desk.drop(name)
    desk.drop("scan-1.jpg")
    desk.folder.run_once()
    assert desk.handled() == ["scan-1.jpg"] and desk.folder.waiting() == []
    assert all((inbox / name).exists() for name in ignored)
    assert desk.folder.run_once() == []           # what went to inbox/done/ is not taken again


def test_leftover_copies_in_work_are_removed_at_start(tmp_path):
    desk = Desk(tmp_path, settle_seconds=0.05)
    desk.work.mkdir()
    leftover = desk.work / "0123456789ab--scan-1.jpg"
    leftover.write_bytes(JPEG[:20])
    someone_elses = desk.work / "notes.txt"
    someone_elses.write_bytes(b"keep")
    desk.drop("scan-1.jpg")
    desk.folder.start()
    try:
        assert not leftover.exists() and someone_elses.exists()
        assert until(lambda: desk.handled() == ["scan-1.jpg"])
    finally:
        desk.folder.stop()
    assert desk.calls[0][1] == JPEG


# ---------------------------------------------------------------- the real watcher


@pytest.mark.parametrize("polling", [False, True])
def test_files_dropped_into_a_watched_inbox_are_handled_on_the_watcher_s_events(tmp_path, polling):
    # The folder's own rescan is an hour away: only the watcher's events (inotify, or watchdog's
    # polling observer) can bring the files in while the test waits.
    desk = Desk(tmp_path, settle_seconds=0.4, rescan_seconds=3600, polling=polling)
    desk.folder.start()
    try:
        time.sleep(0.1)  # the observer is watching
        partial = desk.inbox / "scan-1.jpg.part"
        partial.write_bytes(JPEG)
        partial.rename(desk.inbox / "scan-1.jpg")   # as scanners do
        assert until(lambda: desk.handled() == ["scan-1.jpg"], timeout=60)
        desk.drop("scan-2.jpg")                       # a plain write
        assert until(lambda: desk.handled() == ["scan-1.jpg", "scan-2.jpg"], timeout=60)
        assert until(lambda: desk.kinds("scan-2.jpg") == ["taken", "done"], timeout=60)
    finally:
        desk.folder.stop()
    assert not desk.folder.running()
    assert sorted(p.name for p in dated(desk.done).iterdir()) == ["scan-1.jpg", "scan-2.jpg"]


def test_an_original_that_cannot_be_removed_after_its_copy_is_not_copied_twice(tmp_path, monkeypatch):
    clock = Clock()
    real_replace, real_unlink = os.replace, os.unlink
    refusals = [1]

    def replace(source, target):
        if Path(source).parent.name == "inbox":
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(source, target)

    def unlink(path, *args, **kwargs):
        if Path(path).parent.name == "inbox" and refusals[0]:
            refusals[0] -= 1
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(moves.os, "replace", replace)
    monkeypatch.setattr(moves.os, "unlink", unlink)
    desk = Desk(tmp_path, clock=clock)
    original = desk.drop("scan-1.jpg")
    events = desk.folder.run_once()
    assert [e.kind for e in events] == ["taken", "paused", "error"]  # the inbox is ours to clear
    assert events[1].code == "inbox" and desk.folder.fault is not None
    placed, = desk.done.glob("*/scan-1.jpg")
    assert original.exists() and placed.read_bytes() == JPEG
    clock.now += 2
    event, resumed = desk.folder.run_once()
    assert event.kind == "done" and event.target == placed and not original.exists()
    assert resumed.kind == "resumed" and desk.folder.fault is None
    assert list(desk.done.glob("*/*")) == [placed]
    assert desk.handled() == ["scan-1.jpg"]


# ------------------------------------------------------------- faults and odd entries


def test_a_fault_of_ours_pauses_everything_and_resumes_when_it_clears(tmp_path):
    clock, broken = Clock(), [True]

    def answer(copy: Path) -> Handled:
        if broken[0]:
            raise OurFault("image_store", "No space left on device")
        return Handled(done=True)

    desk = Desk(tmp_path, answer, clock=clock, fault_retry_seconds=(0.5, 2.0))
    desk.drop("scan-1.jpg", mtime=1_700_000_000)
    desk.drop("scan-2.jpg", mtime=1_700_000_001)
    assert desk.folder.run_once()[-1].kind == "paused"
    for _ in range(4):  # tried again and again, never more than the longest wait apart
        assert [e.kind for e in desk.folder.run_once()] == []
        clock.now += 2.0
        desk.folder.run_once()
    assert desk.kinds().count("paused") == 1 and "quarantined" not in desk.kinds()
    assert desk.folder.fault is not None and desk.folder.fault.code == "image_store"
    assert sorted(p.name for p in desk.inbox.iterdir()) == ["scan-1.jpg", "scan-2.jpg"]
    broken[0] = False
    clock.now += 2.0
    desk.folder.run_once()
    assert desk.folder.fault is None and desk.kinds().count("resumed") == 1
    assert sorted(p.name for p in dated(desk.done).iterdir()) == ["scan-1.jpg", "scan-2.jpg"]


def test_an_incomplete_file_is_held_with_the_files_behind_it_then_judged(tmp_path):
    clock = Clock()
    judged = []

    def answer(copy: Path) -> Handled:
        if copy.name.endswith("--half.jpg"):
            if desk.folder.may_be_incomplete(copy):
                raise Incomplete("maybe still being written")
            judged.append(copy)
            return Handled(done=False, reason="unreadable", code="unreadable")
        return Handled(done=True)

    desk = Desk(tmp_path, answer, clock=clock, complete_seconds=3.0)
    desk.drop("half.jpg", mtime=1_700_000_000)
    desk.drop("next.jpg", mtime=1_700_000_001)
    assert [e.kind for e in desk.folder.run_once()] == ["taken", "incomplete"]
    clock.now += 1.0
    assert desk.folder.run_once() == []  # held, and the file after it waits behind it
    assert desk.handled() == ["half.jpg"] and list(desk.work.iterdir()) == []
    clock.now += 2.0
    kinds = [(e.kind, e.name) for e in desk.folder.run_once()]
    assert kinds == [("taken", "half.jpg"), ("quarantined", "half.jpg"), ("taken", "next.jpg"),
                     ("done", "next.jpg")]
    assert len(judged) == 1


def test_a_file_that_cannot_be_opened_is_quarantined_after_some_tries(tmp_path, monkeypatch):
    clock = Clock()
    real_open = os.open

    def failing(path, flags, *args, **kwargs):
        if str(path).endswith("inbox/bad.jpg"):
            raise OSError(errno.EIO, "Input/output error")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(moves.os, "open", failing)
    desk = Desk(tmp_path, clock=clock, read_attempts=3, retry_seconds=(1.0, 1.0))
    desk.drop("bad.jpg", mtime=1_700_000_000)
    desk.drop("good.jpg", mtime=1_700_000_001)
    for _ in range(3):
        desk.folder.run_once()
        clock.now += 1.0
    assert "quarantined" in desk.kinds("bad.jpg") and (desk.quarantine / "bad.jpg").exists()
    note = (desk.quarantine / "bad.jpg.reason.txt").read_text(encoding="utf-8")
    assert "code: read_error" in note and "Input/output error" in note
    assert desk.handled() == ["good.jpg"]


def test_links_pipes_and_hard_links_are_quarantined_unopened(tmp_path, monkeypatch):
    desk = Desk(tmp_path)
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(JPEG)
    os.symlink(secret, desk.inbox / "link.jpg")
    os.symlink(tmp_path, desk.inbox / "folder")
    os.mkfifo(desk.inbox / "pipe.jpg")
    os.link(secret, desk.inbox / "hard.jpg")
    opened = []
    real_open = os.open
    monkeypatch.setattr(moves.os, "open", lambda p, *a, **k: opened.append(p) or real_open(p, *a, **k))
    events = desk.folder.run_once()
    assert sorted((e.name, e.code) for e in events) == [
        ("folder", "not_regular"), ("hard.jpg", "hard_link"), ("link.jpg", "not_regular"),
        ("pipe.jpg", "not_regular")]
    assert desk.calls == [] and not any(Path(p).parent == desk.inbox for p in opened)
    assert (desk.quarantine / "link.jpg").is_symlink() and (desk.quarantine / "pipe.jpg").is_fifo()
    assert secret.read_bytes() == JPEG


def test_a_too_large_file_is_quarantined_unread_and_the_next_is_taken(tmp_path, monkeypatch):
    desk = Desk(tmp_path, max_bytes=4096)
    big = desk.drop("big.pdf", b"%PDF" + bytes(10_000), mtime=1_700_000_000)
    desk.drop("next.jpg", mtime=1_700_000_001)
    real_open = os.open
    monkeypatch.setattr(moves.os, "open", lambda p, *a, **k: (
        pytest.fail("the big file was opened") if Path(p) == big else real_open(p, *a, **k)))
    kinds = [(e.kind, e.name) for e in desk.folder.run_once()]
    assert kinds == [("quarantined", "big.pdf"), ("taken", "next.jpg"), ("done", "next.jpg")]


def test_an_inbox_that_cannot_be_read_raises_the_alarm_until_it_is_back(tmp_path):
    clock = Clock()
    desk = Desk(tmp_path, clock=clock)
    desk.inbox.rmdir()  # a network share unmounted, say
    event, = desk.folder.run_once()
    assert (event.kind, event.code) == ("paused", "inbox") and desk.folder.fault.code == "inbox"
    desk.inbox.mkdir()
    desk.drop("scan-1.jpg")
    clock.now += 5
    assert [e.kind for e in desk.folder.run_once()] == ["resumed", "taken", "done"]
    assert desk.folder.fault is None


def test_every_reason_and_fault_code_has_its_words_in_each_language():
    """The screens show a quarantine reason and a fault from their codes: every code the hot
    folder can give has its words, in every language of the station."""
    from stations.hotfolder import FAULT_CODES, REASON_CODES
    from stations.web.text import catalogue_keys, text

    keys = [*(f"quarantine.code.{c}" for c in REASON_CODES), *(f"fault.{c}" for c in FAULT_CODES)]
    assert set(keys) <= catalogue_keys()
    for key in keys:
        french, english, dutch = (text(key, lang) for lang in ("fr", "en", "nl"))
        assert french and english and dutch and len({french, english, dutch}) == 3, key
