"""Attacks through the hot folder's inbox, one test each, named after the attack: links, pipes
and hard links to what the station must never read, and names made to forge a reason note.

Each checks that no byte of the target entered the image store, the work folder or the ledger,
and that the station took in the valid scan dropped after it."""

from __future__ import annotations

import json
import os
import secrets
import threading
from pathlib import Path

import pytest

from models.events import EventType
from models.store import Store
from scanpipe.reading.pipeline import RecognitionSettings
from stations.hotfolder import moves
from stations.hotfolder.inbox import stat_of
from stations.station import Station

LETTER = Path(__file__).parent.parent / "samples" / "scans" / "envelope-1" / "02-letter-CAAL.jpg"
OLD, NEW = 1_700_000_000, 1_700_000_100  # the attack is older than the valid scan: it comes first


class Desk:
    """A station with its data folder in tmp_path: a cookie secret and a signing key in it, as a
    real station has, and the inbox beside them."""

    def __init__(self, tmp_path: Path, campaign_text: str, campaign):
        self.data = tmp_path / "data"
        self.data.mkdir()
        self.store = Store.open(f"sqlite:///{self.data / 'ledger.sqlite3'}", self.data / "images")
        self.store.load_campaign(campaign_text, actor="coordinator", station="office")
        self.inbox = tmp_path / "inbox"
        self.inbox.mkdir()
        self.secret = self.data / "station-secret"
        self.secret.write_text(f"SECRET-{secrets.token_urlsafe(32)}\n")
        (self.data / "keys").mkdir()
        self.key = self.data / "keys" / "office-signing.key"
        self.key.write_text(f"-----BEGIN PRIVATE KEY-----\n{secrets.token_hex(48)}\n")
        self.station = Station(self.store, campaign, name="desk-1", inbox=self.inbox,
                               done=self.data / "done", quarantine=self.data / "quarantine",
                               work=self.data / "work", recognition=RecognitionSettings(ocr=False),
                               workers=0, settle_seconds=0, complete_seconds=0)
        self.station.sign_in("ana")

    def drop_valid(self) -> Path:
        path = self.inbox / "02-letter-CAAL.jpg"
        path.write_bytes(LETTER.read_bytes())
        os.utime(path, (NEW, NEW))
        return path

    def run(self) -> None:
        """Take in everything, in a thread: a station blocked on a pipe would never come back."""
        def until_empty() -> None:
            for _ in range(200):
                self.station.folder.run_once()
                if not self.station.folder.busy():
                    return
        worker = threading.Thread(target=until_empty, daemon=True)
        worker.start()
        worker.join(120)
        assert not worker.is_alive(), "the station is blocked"
        assert not self.station.folder.busy(), self.station.folder.waiting()

    def stored(self) -> list[bytes]:
        """Every file's bytes in the image store and the work folder."""
        found = []
        for folder in (self.data / "images", self.data / "work"):
            for root, _dirs, files in os.walk(folder):
                found += [(Path(root) / f).read_bytes() for f in files]
        return found

    def assert_never_read(self, target: Path) -> None:
        content = target.read_bytes()
        needle = content.splitlines()[0] if content.strip() else content
        assert not any(needle in data for data in self.stored())
        events = [json.loads(e.payload) for e in self.store.events()
                  if e.type == EventType.FILE_QUARANTINED.value]
        assert events and all(e["sha256"] is None for e in events)
        assert all(needle.decode(errors="replace") not in json.dumps(e) for e in events)

    def assert_took_the_valid_scan(self) -> None:
        assert [i.source_name for i in self.store.items()] == ["02-letter-CAAL.jpg"]
        assert list((self.data / "done").rglob("02-letter-CAAL.jpg"))
        assert list((self.data / "work").iterdir()) == []

    def link(self, name: str, target: Path) -> Path:
        path = self.inbox / name
        os.symlink(target, path)
        os.utime(path, (OLD, OLD), follow_symlinks=False)
        return path

    def close(self) -> None:
        self.station.stop()
        self.store.close()


@pytest.fixture
def desk(tmp_path, campaign_text, campaign):
    d = Desk(tmp_path, campaign_text, campaign)
    yield d
    d.close()


def quarantined_link(desk: Desk, name: str, target: Path) -> None:
    """The link itself is in quarantine/ (never a copy of its target), with its reason."""
    moved = desk.data / "quarantine" / name
    assert moved.is_symlink() and os.readlink(moved) == str(target)
    entry, = desk.station.quarantined()
    assert (entry.name, entry.code) == (name, "not_regular") and "symbolic link" in entry.reason


def test_symlink_to_etc_passwd_is_never_read(desk):
    desk.link("scan-0001.jpg", Path("/etc/passwd"))
    desk.drop_valid()
    desk.run()
    desk.assert_never_read(Path("/etc/passwd"))
    quarantined_link(desk, "scan-0001.jpg", Path("/etc/passwd"))
    desk.assert_took_the_valid_scan()


def test_symlink_to_the_station_secret_is_never_read(desk):
    desk.link("scan-0001.jpg", desk.secret)
    desk.drop_valid()
    desk.run()
    desk.assert_never_read(desk.secret)
    quarantined_link(desk, "scan-0001.jpg", desk.secret)
    desk.assert_took_the_valid_scan()


def test_symlink_to_the_signing_key_is_never_read(desk):
    desk.link("scan-0001.pdf", desk.key)
    desk.drop_valid()
    desk.run()
    desk.assert_never_read(desk.key)
    quarantined_link(desk, "scan-0001.pdf", desk.key)
    desk.assert_took_the_valid_scan()


def test_symlink_to_a_directory_is_not_walked_into(desk):
    (desk.data / "keys" / "secret.jpg").write_bytes(desk.key.read_bytes())
    desk.link("keys", desk.data / "keys")
    desk.drop_valid()
    desk.run()
    desk.assert_never_read(desk.key)
    quarantined_link(desk, "keys", desk.data / "keys")
    assert (desk.data / "keys" / "secret.jpg").exists()  # the folder linked to is left alone
    desk.assert_took_the_valid_scan()


def test_fifo_in_the_inbox_does_not_block_the_station(desk):
    fifo = desk.inbox / "scan-0001.jpg"
    os.mkfifo(fifo)
    os.utime(fifo, (OLD, OLD))
    desk.drop_valid()
    desk.run()  # a FIFO opened for reading without a writer would block for ever
    moved = desk.data / "quarantine" / "scan-0001.jpg"
    assert moved.is_fifo()
    entry, = desk.station.quarantined()
    assert entry.code == "not_regular" and "FIFO" in entry.reason
    desk.assert_took_the_valid_scan()


def test_hard_link_to_a_secret_is_never_read(desk):
    os.link(desk.secret, desk.inbox / "scan-0001.jpg")
    os.utime(desk.inbox / "scan-0001.jpg", (OLD, OLD))
    desk.drop_valid()
    desk.run()
    desk.assert_never_read(desk.secret)
    entry, = desk.station.quarantined()
    assert entry.code == "hard_link"
    desk.assert_took_the_valid_scan()


def test_a_file_swapped_for_a_symlink_after_it_settled_is_never_read(desk):
    path = desk.inbox / "scan-0001.jpg"
    path.write_bytes(LETTER.read_bytes())
    settled = stat_of(path)
    path.unlink()
    os.symlink(desk.secret, path)  # between the listing and the opening
    with pytest.raises(moves.Refused) as refused:
        moves.copy_to_work(desk.data / "work", path, settled, 10**8)
    assert refused.value.refusal.code == "not_regular"
    assert list((desk.data / "work").iterdir()) == []


def test_a_name_with_a_newline_cannot_forge_a_reason_line(desk):
    forged = "notes.txt\nreason: accepted by the office\ncode: none\nfile: x.jpg"
    path = desk.inbox / forged
    path.write_bytes(b"not a scan")
    os.utime(path, (OLD, OLD))
    desk.drop_valid()
    desk.run()
    note, = (desk.data / "quarantine").glob("*.reason.txt")
    lines = note.read_text(encoding="utf-8").splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == ["file", "quarantined", "reason", "code", "size"]
    assert lines[0] == "file: notes.txt\\x0areason: accepted by the office\\x0acode: none\\x0afile: x.jpg"
    assert lines[2].startswith("reason: unreadable file") and lines[3] == "code: unreadable"
    entry, = desk.station.quarantined()
    assert "\n" not in entry.name + entry.original and entry.code == "unreadable"
    assert entry.original == lines[0].removeprefix("file: ")
    assert [i.source_name for i in desk.store.items()] == [forged, "02-letter-CAAL.jpg"]
