"""Faults that are the station's, not the file's, and files that are odd without being bad.

Disk full and read-only image store, a ledger that cannot be written, a file still being
written, a 10 GB sparse file, long and odd names. In each: every valid scan ends in the ledger
exactly once, nothing valid goes to quarantine, and the station resumes once the fault clears."""

from __future__ import annotations

import builtins
import errno
import hashlib
import io
import json
import os
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from stacks import write_stack

from models.events import EventType
from models.images import ImageStore, ImageStoreError
from models.store import Store
from scanpipe.reading.pipeline import RecognitionSettings
from stations.hotfolder.moves import NAME_MAX
from stations.serve import watch
from stations.settings import Settings
from stations.station import Station

LETTER = Path(__file__).parent.parent / "samples" / "scans" / "envelope-1" / "02-letter-CAAL.jpg"


class Desk:
    """A station on a SQLite ledger in tmp_path, its image store in `images` (a folder, or a
    small tmpfs mounted there by the test)."""

    def __init__(self, root: Path, campaign_text: str, campaign, *, workers: int = 0,
                 images: Path | None = None, **options):
        self.root = root
        self.images = images or root / "images"
        self.store = Store.open(f"sqlite:///{root / 'ledger.sqlite3'}", self.images)
        self.store.load_campaign(campaign_text, actor="coordinator", station="office")
        self.inbox = root / "inbox"
        options.setdefault("settle_seconds", 0)
        self.station = Station(self.store, campaign, name="desk-1", inbox=self.inbox,
                               done=root / "done", quarantine=root / "quarantine", work=root / "work",
                               recognition=RecognitionSettings(ocr=False), workers=workers,
                               **options)
        self.station.sign_in("ana")

    def run_until_empty(self, patience: float = 120.0) -> None:
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            self.station.folder.run_once()
            if not self.station.folder.busy():
                return
            time.sleep(0.02)
        raise AssertionError(f"the inbox is not empty: {self.station.folder.waiting()}")

    def run_a_while(self, rounds: int = 5) -> None:
        """Run as the station would while a fault lasts: a few tries, each after its pause."""
        for _ in range(rounds):
            self.station.folder.run_once()
            time.sleep(0.05)
            self.station.folder._paused_until = 0.0  # try again at once (the back-off is tested apart)

    def files(self, folder: str) -> list[Path]:
        return sorted(p for p in (self.root / folder).rglob("*") if not p.is_dir()) \
            if (self.root / folder).exists() else []

    def assert_each_valid_scan_once(self, scans: dict[str, bytes]) -> None:
        """Every scan recorded once (its image hash, all its pages), nothing in quarantine."""
        items = self.store.items()
        assert Counter(i.image_sha256 for i in items) == Counter(
            {hashlib.sha256(data).hexdigest(): 1 for data in scans.values()})
        assert all(i.status != "rejected" for i in items)
        assert not any(e.type == EventType.ITEM_DUPLICATE.value for e in self.store.events())
        assert self.files("quarantine") == [] and self.files("inbox") == []
        assert len(self.files("done")) == len(scans)
        assert self.station.fault is None

    def close(self) -> None:
        self.station.stop()
        self.store.close()


def stack(desk: Desk, campaign, pages: int) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in write_stack(desk.inbox, campaign, pages, seed=7)}


@pytest.fixture
def make_desk(tmp_path, campaign_text, campaign):
    made: list[Desk] = []

    def make(**kwargs) -> Desk:
        desk = Desk(tmp_path, campaign_text, campaign, **kwargs)
        made.append(desk)
        return desk

    yield make
    for desk in made:
        desk.close()


@pytest.fixture
def tmpfs(tmp_path):
    """A folder with a small tmpfs mounted on it (root only), unmounted after."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        where = tmp_path / f"tmpfs-{uuid.uuid4().hex[:6]}"
        where.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], check=False)


def remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


# -------------------------------------------------------------- our storage


@pytest.mark.slow
def test_a_full_image_store_pauses_the_queue_and_resumes_by_itself(make_desk, campaign, monkeypatch):
    desk = make_desk()
    scans = stack(desk, campaign, 6)
    real_put, full, stored = ImageStore.put, [True], [0]

    def put(self, data: bytes) -> str:
        if full[0] and stored[0] >= 2:  # the disk fills up after two scans
            raise ImageStoreError(errno.ENOSPC, f"cannot write the image store {self.root}: "
                                                "No space left on device")
        stored[0] += 1
        return real_put(self, data)

    monkeypatch.setattr(ImageStore, "put", put)
    desk.run_a_while()
    fault = desk.station.fault
    assert fault is not None and fault.code == "image_store" and "No space left" in fault.detail
    assert desk.files("quarantine") == [] and len(desk.files("inbox")) == 4  # two went in first
    assert [n.kind for n in desk.station.notices()].count("paused") == 1
    assert not any(e.type == EventType.FILE_QUARANTINED.value for e in desk.store.events())

    full[0] = False  # space freed: no one restarts the station
    desk.run_until_empty()
    desk.assert_each_valid_scan_once(scans)
    assert [n.kind for n in desk.station.notices()] == ["paused", "resumed"]


@pytest.mark.slow
def test_a_full_tmpfs_image_store_with_workers_pauses_and_resumes(make_desk, campaign, tmpfs):
    images = tmpfs("160k")
    desk = make_desk(workers=2, images=images)
    scans = stack(desk, campaign, 30)
    desk.run_a_while(rounds=40)
    assert desk.station.fault is not None and desk.station.fault.code == "image_store"
    assert desk.files("quarantine") == [] and desk.files("inbox")
    remount(images, "size=64m")
    desk.run_until_empty()
    desk.assert_each_valid_scan_once(scans)


@pytest.mark.slow
def test_a_read_only_image_store_pauses_and_resumes(make_desk, campaign, tmpfs):
    images = tmpfs("64m")
    remount(images, "ro")
    desk = make_desk(workers=2, images=images)
    scans = stack(desk, campaign, 8)
    desk.run_a_while()
    fault = desk.station.fault
    assert fault is not None and fault.code == "image_store" and "Read-only" in fault.detail
    assert desk.files("quarantine") == [] and len(desk.files("inbox")) == 8
    remount(images, "rw")
    desk.run_until_empty()
    desk.assert_each_valid_scan_once(scans)


@pytest.mark.parametrize("message", ["database or disk is full", "attempt to write a readonly database"])
def test_a_ledger_that_cannot_be_written_pauses_the_queue(make_desk, campaign, monkeypatch, message):
    desk = make_desk()
    scans = stack(desk, campaign, 4)
    real = desk.store.record_files
    broken = [True]

    def record_files(*args, **kwargs):
        if broken[0]:
            raise OperationalError("INSERT INTO event", {}, Exception(message))
        return real(*args, **kwargs)

    monkeypatch.setattr(desk.store, "record_files", record_files)
    desk.run_a_while()
    fault = desk.station.fault
    assert fault is not None and fault.code == "ledger" and message in fault.detail
    assert desk.files("quarantine") == [] and len(desk.files("inbox")) == 4
    broken[0] = False
    desk.run_until_empty()
    desk.assert_each_valid_scan_once(scans)


def test_a_work_folder_that_cannot_be_written_pauses_the_queue(make_desk, campaign, monkeypatch):
    desk = make_desk()
    scans = stack(desk, campaign, 3)
    real_open, broken = builtins.open, [True]

    def no_space(file, mode="r", *args, **kwargs):
        if broken[0] and "x" in mode and Path(str(file)).parent == desk.root / "work":
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_space)
    desk.run_a_while()
    assert desk.station.fault is not None and desk.station.fault.code == "work_folder"
    assert desk.files("quarantine") == [] and len(desk.files("inbox")) == 3
    broken[0] = False
    desk.run_until_empty()
    desk.assert_each_valid_scan_once(scans)


# -------------------------------------------------------------- odd files


def test_a_file_still_being_written_is_waited_for_not_quarantined(make_desk):
    desk = make_desk(settle_seconds=0.4, complete_seconds=2.0)
    desk.inbox.mkdir(parents=True, exist_ok=True)
    data = LETTER.read_bytes()
    path = desk.inbox / "02-letter-CAAL.jpg"
    halfway = threading.Event()

    def scanner() -> None:
        with open(path, "wb") as out:
            out.write(data[: len(data) // 2])
            out.flush()
            halfway.set()
            time.sleep(0.6)  # the writer pauses longer than the settling time
            out.write(data[len(data) // 2:])

    writer = threading.Thread(target=scanner)
    writer.start()
    halfway.wait()
    desk.station.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not desk.files("done") and not desk.files("quarantine"):
            time.sleep(0.05)
    finally:
        writer.join()
        desk.station.stop()
    desk.assert_each_valid_scan_once({path.name: data})


def test_a_10gb_sparse_file_is_quarantined_unread_and_the_next_letter_is_taken(make_desk, monkeypatch):
    desk = make_desk()
    desk.inbox.mkdir(parents=True, exist_ok=True)
    big = desk.inbox / "01-big.pdf"
    with open(big, "wb") as out:
        out.write(b"%PDF-1.7\n")
    os.truncate(big, 10 * 2**30)
    os.utime(big, (1_700_000_000, 1_700_000_000))
    letter = desk.inbox / "02-letter-CAAL.jpg"
    letter.write_bytes(LETTER.read_bytes())
    os.utime(letter, (1_700_000_100, 1_700_000_100))
    identity = (os.stat(big).st_ino, os.stat(big).st_dev)

    read_from_big, opened = [0], []
    real_read, real_open = os.read, io.open

    def counting_read(fd, n):
        data = real_read(fd, n)
        st = os.fstat(fd)
        if (st.st_ino, st.st_dev) == identity:
            read_from_big[0] += len(data)
        return data

    def watching_open(file, *args, **kwargs):
        try:
            st = os.stat(file) if isinstance(file, (str, bytes, os.PathLike)) else None
        except OSError:
            st = None
        if st is not None and (st.st_ino, st.st_dev) == identity:
            opened.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "read", counting_read)
    monkeypatch.setattr(io, "open", watching_open)
    monkeypatch.setattr(builtins, "open", watching_open)
    desk.run_until_empty()
    assert read_from_big[0] == 0 and opened == []
    entry, = desk.station.quarantined()
    assert (entry.name, entry.code, entry.size) == ("01-big.pdf", "too_large", 10 * 2**30)
    event, = [json.loads(e.payload) for e in desk.store.events()
              if e.type == EventType.FILE_QUARANTINED.value]
    assert event["sha256"] is None and event["size"] == 10 * 2**30
    assert [i.source_name for i in desk.store.items()] == ["02-letter-CAAL.jpg"]


ODD_NAMES = [
    "a" * (NAME_MAX - 4) + ".jpg",                     # 255 bytes: the longest name there is
    "é" * 120 + "-scan.jpg",                           # 249 bytes, two a letter
    "scan\n1.jpg",                                     # a newline
    "\u202egpj.1-nacs.jpg",                            # a right-to-left override
    os.fsdecode(b"scan-\xff\xfe.jpg"),                 # bytes that are not UTF-8
    "scan\x1b[31m-red.jpg",                            # a terminal escape sequence
]


def test_long_and_odd_names_are_each_taken_once(make_desk, campaign):
    desk = make_desk()
    pages = write_stack(desk.root / "stack", campaign, len(ODD_NAMES), seed=3)
    desk.inbox.mkdir(parents=True, exist_ok=True)
    scans = {}
    for name, page in zip(ODD_NAMES, pages, strict=True):
        (desk.inbox / name).write_bytes(page.read_bytes())
        scans[name] = page.read_bytes()
    desk.run_until_empty()
    desk.assert_each_valid_scan_once(scans)
    for path in desk.files("done"):
        assert len(os.fsencode(path.name)) <= NAME_MAX
        assert path.name.isprintable() and "\u202e" not in path.name
        path.name.encode("utf-8")  # valid UTF-8: no undecodable byte left
    sources = {i.source_name for i in desk.store.items()}
    assert "scan-\\xff\\xfe.jpg" in sources and "scan\n1.jpg" in sources  # shown escaped, kept whole


def test_station_watch_until_empty_returns_with_a_242_byte_name(tmp_path, campaign_text):
    data = tmp_path / "data"
    settings = Settings(data_dir=data, ocr=False, workers=0, station="desk-1")
    data.mkdir()
    store = Store.open(f"sqlite:///{data / 'ledger.sqlite3'}", data / "images")
    loaded, _ = store.load_campaign(campaign_text, actor="coordinator", station="office")
    (data / "inbox").mkdir()
    name = "s" * 238 + ".jpg"
    (data / "inbox" / name).write_bytes(LETTER.read_bytes())
    said: list = []
    tally = watch(settings, store, loaded, operator="ana", until_empty=True, say=said.append)
    store.close()
    assert tally.get("done") == 1 and not tally.get("left")
    assert [e.kind for e in said if e.kind != "taken"] == ["done"]


def test_until_empty_stops_when_a_fault_of_ours_lasts(tmp_path, campaign_text, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    settings = Settings(data_dir=data, ocr=False, workers=0, station="desk-1")
    store = Store.open(f"sqlite:///{data / 'ledger.sqlite3'}", data / "images")
    loaded, _ = store.load_campaign(campaign_text, actor="coordinator", station="office")
    (data / "inbox").mkdir()
    (data / "inbox" / "02-letter-CAAL.jpg").write_bytes(LETTER.read_bytes())

    def full(self, data: bytes) -> str:
        raise ImageStoreError(errno.ENOSPC, "cannot write the image store: No space left on device")

    monkeypatch.setattr(ImageStore, "put", full)
    tally = watch(settings, store, loaded, operator="ana", until_empty=True, say=lambda e: None,
                  fault_patience=0.5)
    store.close()
    assert tally["left"] == 1 and not tally["quarantined"]
    assert (data / "inbox" / "02-letter-CAAL.jpg").exists()
    assert not (data / "quarantine").exists() or not any((data / "quarantine").iterdir())
