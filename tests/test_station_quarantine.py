"""A station fed over a hundred malformed files: each is quarantined with its reason and a
ledger event (or, for a forged code on a good page, sent to review), and the station goes on
taking in the good pages between them."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from badfiles import READABLE, make_bad_files
from sqlalchemy import select
from sqlmodel import Session
from stacks import write_stack
from test_workers import dying_task

from models.events import EventType
from models.images import sha256_of_file
from models.store import tables as t
from scanpipe.domain.routing import Reason
from scanpipe.reading.pages import FileFault
from scanpipe.reading.pipeline import RecognitionSettings
from stations.station import Station
from stations.workers import Recognizer

MAX_BYTES = 8 * 1024 * 1024


def desk(store, campaign, root: Path, workers: int = 2) -> Station:
    station = Station(store, campaign, name="desk-1", inbox=root / "inbox", done=root / "done",
                      quarantine=root / "quarantine", work=root / "work",
                      recognition=RecognitionSettings(ocr=False), max_bytes=MAX_BYTES,
                      workers=workers, settle_seconds=0)
    station.sign_in("ana")
    return station


def run_until_empty(station: Station, patience: float = 120.0) -> None:
    """Run the hot folder until the inbox is empty; a file held (a pause of ours, a file that may
    still be being written) is tried again as the station would, after its wait."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        station.folder.run_once()  # never raises: that is the point
        if not station.folder.busy():
            return
        time.sleep(0.01)
    raise AssertionError(f"the inbox is not empty: {station.folder.waiting()}")


def where(root: Path, name: str) -> str:
    hits = [folder for folder in ("done", "quarantine", "inbox")
            if any(f == name for _, _, files in os.walk(root / folder) for f in files)]
    assert len(hits) == 1, f"{name} is in {hits}"
    return hits[0]


def reason_of(root: Path, name: str) -> str:
    return (root / "quarantine" / f"{name}.reason.txt").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.slow
def test_over_a_hundred_malformed_files_are_quarantined_with_reasons_and_events(
        store, campaign, campaign_text, tmp_path):
    store.load_campaign(campaign_text, actor="coordinator", station="office")
    inbox = tmp_path / "inbox"
    bad = make_bad_files(inbox)
    good = write_stack(inbox, campaign, 24, seed=11, prefix="good")
    # Refused before reading: too big, not a scan by its name, odd names.
    with open(inbox / "huge-scan.pdf", "wb") as out:
        out.write(b"%PDF-1.7\n")
        out.truncate(MAX_BYTES + 1)
    (inbox / "notes.txt").write_text("not a scan")
    (inbox / "no-extension").write_bytes(good[0].read_bytes())
    (inbox / 'évian <script>alert(1)<script> "x".jpg').write_bytes(b"<html>not an image</html>")
    assert len(bad) >= 100
    station = desk(store, campaign, tmp_path)
    try:
        run_until_empty(station)
    finally:
        station.stop()

    with Session(store.engine) as session:
        items = {row.image_sha256: row for row in session.execute(
            select(t.Item.image_sha256, t.Item.status, t.Item.reasons, t.Item.source_name))}
        quarantined = session.execute(select(t.Event.payload).where(
            t.Event.type == EventType.FILE_QUARANTINED.value)).scalars().all()
    for made in bad:
        name = made.path.name
        if isinstance(made.expected, FileFault):
            assert where(tmp_path, name) == "quarantine", made
            reason = reason_of(tmp_path, name)
            if made.expected is FileFault.EMPTY and (tmp_path / "quarantine" / name).stat().st_size == 0:
                assert "empty file" in reason
                assert any(f'"source":"{name}"' in p for p in quarantined), made
            else:
                assert made.expected.value in reason, (made, reason)
                row = items[sha256_of_file(tmp_path / "quarantine" / name)]
                assert row.status == "rejected" and "UNREADABLE_FILE" in row.reasons, made
        elif isinstance(made.expected, Reason):
            assert where(tmp_path, name) == "done", made
            row = items[sha256_of_file(next((tmp_path / "done").rglob(name)))]
            assert row.status == "review" and made.expected.value in row.reasons, made
        else:
            assert made.expected == READABLE
            assert where(tmp_path, name) == "done", made
            row = items[sha256_of_file(next((tmp_path / "done").rglob(name)))]
            assert "UNREADABLE_FILE" not in row.reasons, made
    for path in good:
        assert where(tmp_path, path.name) == "done"
    assert items[sha256_of_file(next((tmp_path / "done").rglob("good-0002.jpg")))].status == "routed"
    for name, why in (("huge-scan.pdf", "too big"), ("notes.txt", "not a scan"),
                      ("no-extension", "no extension")):
        assert where(tmp_path, name) == "quarantine" and why in reason_of(tmp_path, name)
        assert any(f'"source":"{name}"' in p for p in quarantined), name
    assert where(tmp_path, 'évian <script>alert(1)<script> "x".jpg') == "quarantine"
    result = store.audit()
    assert result.ok, result.problem
    assert store.reconciliation().figures["quarantined_files"] == len(quarantined) >= 4


@pytest.mark.slow
def test_a_file_that_kills_the_reader_twice_is_quarantined_in_the_ledger(
        loaded_store, campaign, tmp_path):
    files = write_stack(tmp_path / "inbox", campaign, 6, seed=2)
    poison = tmp_path / "inbox" / "poison.jpg"
    poison.write_bytes(files[0].read_bytes()[:-10] + b"poison-end")
    os.utime(poison, ns=(files[2].stat().st_mtime_ns + 1,) * 2)
    station = desk(loaded_store, campaign, tmp_path)
    station.recognizer = Recognizer(campaign, RecognitionSettings(ocr=False), loaded_store.images,
                                    workers=2, task=dying_task)
    try:
        run_until_empty(station)
    finally:
        station.stop()
    assert where(tmp_path, "poison.jpg") == "quarantine"
    assert "died twice" in reason_of(tmp_path, "poison.jpg")
    assert all(where(tmp_path, f.name) == "done" for f in files)
    with Session(loaded_store.engine) as session:
        events = session.execute(select(t.Event.subject).where(
            t.Event.type == EventType.FILE_QUARANTINED.value)).scalars().all()
    assert events == [f"file:{sha256_of_file(tmp_path / 'quarantine' / 'poison.jpg')}"]
    assert loaded_store.audit().ok


def test_a_refusal_waits_while_the_ledger_is_away_and_is_written_once(
        loaded_store, campaign, tmp_path, monkeypatch):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "empty.jpg").write_bytes(b"")
    station = desk(loaded_store, campaign, tmp_path, workers=0)
    real = loaded_store.record_quarantine
    from sqlalchemy.exc import OperationalError

    def away(**kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(loaded_store, "record_quarantine", away)
    events = station.folder.run_once()
    assert [e.kind for e in events] == ["paused"] and where(tmp_path, "empty.jpg") == "inbox"
    assert station.fault is not None and station.fault.code == "ledger"
    monkeypatch.setattr(loaded_store, "record_quarantine", real)
    run_until_empty(station)  # the pause is short: it is tried again by itself
    assert where(tmp_path, "empty.jpg") == "quarantine" and station.fault is None
    assert "resumed" in [n.kind for n in station.notices()]
    # Refused again (as after a crash before it moved): no second event. Another empty file,
    # under another name, is another file: its own event.
    assert not loaded_store.record_quarantine(source_name="empty.jpg", sha256=sha256_of_file(
        tmp_path / "quarantine" / "empty.jpg"), size=0, reason="again", station="desk-1",
        operator="ana")
    (tmp_path / "inbox" / "empty-again.jpg").write_bytes(b"")
    run_until_empty(station)
    with Session(loaded_store.engine) as session:
        sources = session.execute(select(t.Event.payload).where(
            t.Event.type == EventType.FILE_QUARANTINED.value)).scalars().all()
    assert [json.loads(p)["source"] for p in sources] == ["empty.jpg", "empty-again.jpg"]


# ------------------------------------------------------- the quarantine, listed and retaken


def quarantine_events(store) -> list[dict]:
    return [json.loads(e.payload) for e in store.events()
            if e.type == EventType.FILE_QUARANTINED.value]


def test_quarantined_files_are_listed_newest_first_with_codes(loaded_store, campaign, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "notes.txt").write_text("not a scan")
    (inbox / "empty.jpg").write_bytes(b"")
    (inbox / "torn.jpg").write_bytes(b"\xff\xd8\xff\xe0 torn")
    for age, name in enumerate(("notes.txt", "empty.jpg", "torn.jpg")):
        os.utime(inbox / name, (1_700_000_000 + age,) * 2)
    station = desk(loaded_store, campaign, tmp_path, workers=0)
    try:
        run_until_empty(station)
        listed = station.quarantined()
    finally:
        station.stop()
    assert sorted((q.name, q.code) for q in listed) == [
        ("empty.jpg", "empty"), ("notes.txt", "not_a_scan"), ("torn.jpg", "unreadable")]
    assert [q.at for q in listed] == sorted((q.at for q in listed), reverse=True)
    torn = next(q for q in listed if q.name == "torn.jpg")
    assert torn.original == "torn.jpg" and torn.size == 9 and "unreadable" in torn.reason


def test_a_quarantine_note_or_file_put_there_by_hand_does_not_break_the_list(loaded_store, campaign,
                                                                               tmp_path):
    quarantine = tmp_path / "quarantine"
    quarantine.mkdir()
    (quarantine / "bare.jpg").write_bytes(b"no note")
    (quarantine / os.fsdecode(b"odd-\xff\n.jpg")).write_bytes(b"x")
    (quarantine / "garbled.jpg").write_bytes(b"x")
    (quarantine / "garbled.jpg.reason.txt").write_bytes(b"\xff\xfe no fields at all")
    (quarantine / "folder").mkdir()
    station = desk(loaded_store, campaign, tmp_path, workers=0)
    try:
        listed = {q.name: q for q in station.quarantined()}
    finally:
        station.stop()
    assert set(listed) == {"bare.jpg", "odd-\\xff\\x0a.jpg", "garbled.jpg"}
    assert listed["bare.jpg"].code == "" and listed["bare.jpg"].original == "bare.jpg"
    with pytest.raises(ValueError):
        station.retake("odd-\\xff\\x0a.jpg")  # an escaped name is not a file's name


@pytest.mark.parametrize("name", ["../ledger.sqlite3", "sub/x.jpg", "..", ".", "", "x.jpg.reason.txt",
                                  ".hidden.jpg", "a\nb.jpg", "/etc/passwd"])
def test_retake_refuses_what_is_not_a_quarantined_file_name(loaded_store, campaign, tmp_path, name):
    station = desk(loaded_store, campaign, tmp_path, workers=0)
    (tmp_path / "quarantine").mkdir(parents=True, exist_ok=True)
    (tmp_path / "quarantine" / "x.jpg.reason.txt").write_text("file: x.jpg\n")
    try:
        with pytest.raises(ValueError):
            station.retake(name)
        with pytest.raises(FileNotFoundError):
            station.retake("not-there.jpg")
    finally:
        station.stop()
    assert sorted(p.name for p in (tmp_path / "quarantine").iterdir()) == ["x.jpg.reason.txt"]


def test_retake_refuses_a_quarantined_link(loaded_store, campaign, tmp_path):
    station = desk(loaded_store, campaign, tmp_path, workers=0)
    (tmp_path / "quarantine").mkdir(parents=True, exist_ok=True)
    os.symlink("/etc/passwd", tmp_path / "quarantine" / "scan.jpg")
    try:
        with pytest.raises(ValueError):
            station.retake("scan.jpg")
    finally:
        station.stop()
    assert (tmp_path / "quarantine" / "scan.jpg").is_symlink()


def test_a_file_quarantined_by_a_fault_of_ours_is_retaken_and_recorded_once(
        loaded_store, campaign, tmp_path):
    # As an older station did on a full disk: a valid scan in quarantine, never recorded.
    scan, = write_stack(tmp_path / "quarantine", campaign, 1, seed=5)
    note = tmp_path / "quarantine" / f"{scan.name}.reason.txt"
    note.write_text(f"file: {scan.name}\nquarantined: 2026-12-01 10:00:00 UTC\n"
                    "reason: internal error while taking it in: OSError: No space left on device\n")
    station = desk(loaded_store, campaign, tmp_path, workers=0)
    try:
        assert station.retake(scan.name) == scan.name
        assert not note.exists() and (tmp_path / "inbox" / scan.name).exists()
        run_until_empty(station)
    finally:
        station.stop()
    item, = loaded_store.items()
    assert item.source_name == scan.name and item.status != "rejected"
    assert where(tmp_path, scan.name) == "done" and station.quarantined() == []


def test_retaking_a_recorded_unreadable_file_records_nothing_new(loaded_store, campaign, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "torn.jpg").write_bytes(b"\xff\xd8\xff\xe0 torn")
    station = desk(loaded_store, campaign, tmp_path, workers=0)
    try:
        run_until_empty(station)
        events = len(loaded_store.events())
        assert station.retake("torn.jpg") == "torn.jpg"
        run_until_empty(station)
        listed = station.quarantined()
    finally:
        station.stop()
    # The piece is in the ledger once already (a rejected piece): no duplicate, no new event;
    # the file, still unreadable, is back in quarantine with its reason.
    assert len(loaded_store.events()) == events
    assert [(q.name, q.code) for q in listed] == [("torn.jpg", "unreadable")]
    assert len(loaded_store.items()) == 1
