"""What the hot folder sees in the inbox, and when a file there counts as complete."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanpipe.reading.formats import SCAN_SUFFIXES
from stations.hotfolder import Folders, Handled
from stations.hotfolder.inbox import Inbox
from stations.hotfolder.settling import Queue


class Watch:
    """An inbox and its queue, looked at by hand at the clock times a test gives."""

    def __init__(self, root: Path, settle_seconds: float = 0.4):
        self.root = root
        self.inbox = Inbox(Folders(root / "inbox", root / "done", root / "quarantine", root / "work"),
                           SCAN_SUFFIXES, max_bytes=1024)
        self.queue = Queue(settle_seconds)

    def look(self, now: float) -> list[str]:
        """Refresh at `now`; returns the names of the files dropped or restarted."""
        return [seen.path.name for seen in self.queue.refresh(self.inbox.scan(), now)]

    def settled(self, now: float) -> list[str]:
        return [name for name, seen in self.queue.due(now, ()) if self.queue.settled(seen, now)]

    def write(self, name: str, data: bytes, mode: str = "wb") -> Path:
        path = self.root / "inbox" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open(mode) as out:
            out.write(data)
        return path


def test_a_growing_file_is_not_taken_until_it_has_stayed_the_same(tmp_path):
    watch = Watch(tmp_path, settle_seconds=0.5)
    watch.write("scan-1.pdf", b"%PDF-" + bytes(100))
    assert watch.look(0.0) == [] and watch.settled(0.25) == []
    watch.write("scan-1.pdf", bytes(100), mode="ab")       # the scanner writes on
    assert watch.look(0.25) == ["scan-1.pdf"]                # settling starts again
    assert watch.look(0.5) == [] and watch.settled(0.5) == []
    assert watch.settled(0.75) == ["scan-1.pdf"]


def test_a_new_mtime_alone_restarts_settling(tmp_path):
    watch = Watch(tmp_path)
    path = watch.write("scan-1.jpg", b"\xff\xd8 scan")
    watch.look(0.0)
    os.utime(path, (1_600_000_000, 1_600_000_000))
    assert watch.look(0.25) == ["scan-1.jpg"] and watch.settled(0.5) == []


def test_settled_files_come_oldest_first_then_in_natural_name_order(tmp_path):
    watch = Watch(tmp_path, settle_seconds=0)
    for name, mtime in [("scan-10.jpg", 20), ("scan-2.jpg", 20), ("envelope.jpg", 10)]:
        os.utime(watch.write(name, b"scan"), (1_700_000_000 + mtime,) * 2)
    watch.look(0.0)
    assert watch.settled(0.0) == ["envelope.jpg", "scan-2.jpg", "scan-10.jpg"]
    assert watch.queue.newly_waiting(0.0) == watch.settled(0.0)
    assert watch.queue.newly_waiting(1.0) == []              # said once a file


def test_a_taken_file_that_changes_before_its_move_is_forgotten_and_seen_anew(tmp_path):
    watch = Watch(tmp_path, settle_seconds=0)
    watch.write("scan-1.jpg", b"scan")
    watch.look(0.0)
    copy = tmp_path / "copy"
    copy.write_bytes(b"scan")
    watch.queue.seen("scan-1.jpg").copy = copy
    watch.queue.take("scan-1.jpg", Handled(done=True))
    assert [name for name, _ in watch.queue.to_move(0.0)] == ["scan-1.jpg"]
    watch.write("scan-1.jpg", b"rescanned", mode="ab")
    watch.look(1.0)
    assert watch.queue.to_move(1.0) == [] and not copy.exists()
    assert watch.queue.waiting() == ["scan-1.jpg"] and watch.settled(1.0) == ["scan-1.jpg"]


def test_hidden_temporary_and_own_files_are_not_seen_nor_wake_the_folder(tmp_path):
    root = tmp_path / "inbox"
    inbox = Inbox(Folders(root, root / "done", root / "quarantine", root / "work"), SCAN_SUFFIXES, 1024)
    for name in [".hidden.jpg", "~lock.jpg", "scan.jpg.part", ".sync/scan.jpg", "done/old.jpg",
                 "work/0123456789ab--scan-1.jpg", "scan-1.jpg", "batch/scan-2.jpg"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"scan")
    assert sorted(inbox.scan()) == ["batch/scan-2.jpg", "scan-1.jpg"]
    real = inbox.real
    assert inbox.concerns(str(real / "batch" / "scan-3.jpg"))
    assert not any(inbox.concerns(str(path)) for path in [
        real, real / "scan.jpg.crdownload", real / ".sync" / "scan.jpg", real / "done" / "old.jpg",
        real / "work" / "0123456789ab--scan-1.jpg", tmp_path / "elsewhere.jpg"])


def test_the_inbox_cannot_be_one_of_the_folder_s_own_folders(tmp_path):
    with pytest.raises(ValueError):
        Inbox(Folders(tmp_path, tmp_path / "done", tmp_path / "quarantine", tmp_path),
              SCAN_SUFFIXES, max_bytes=1024)
