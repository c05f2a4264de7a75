"""Workers die with their station, and a worker killed from outside is not the file's fault.

A station killed with -9 leaves no worker, forkserver or other process of its own behind (found
in /proc by a marker in their environment, which every process it starts inherits, and by its
process group), and the next station takes every valid scan exactly once. A worker killed from
outside while files are in flight sends none of them to quarantine; a file that kills its worker
on its own still goes there."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session
from stacks import write_stack
from test_station_crash import check_exactly_once, files_in
from test_station_quarantine import desk, where
from test_workers import gated_task, started_workers, wait_for

from models.events import EventType
from models.images import sha256_of_file
from models.store import Store
from models.store import tables as t
from scanpipe.reading.pipeline import RecognitionSettings
from stations.workers import Recognizer

SCANPIPE = str(Path(sys.executable).with_name("scanpipe"))
MARKER = "SCANPIPE_TEST_STATION_MARK"


@dataclass(frozen=True)
class Proc:
    pid: int
    command: str
    rss_kib: int


def processes_of(mark: str, group: int) -> list[Proc]:
    """Every live process (not a zombie: it holds no memory) whose environment carries `mark`
    or that is in process group `group`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()
            environ = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if stat[0] in ("Z", "X"):
            continue
        if f"{MARKER}={mark}".encode() in environ or int(stat[2]) == group:
            rss = next((int(line.split()[1]) for line in status.splitlines()
                        if line.startswith("VmRSS:")), 0)
            found.append(Proc(int(entry), command.decode(errors="replace")[:120], rss))
    return found


def start_station(data: Path, mark: str) -> subprocess.Popen:
    """`scanpipe station watch --until-empty` with two workers, in a session of its own."""
    env = {**os.environ, "SCANPIPE_OCR": "false", "SCANPIPE_WORKERS": "2", MARKER: mark,
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.Popen([SCANPIPE, "--data-dir", str(data), "station", "watch",
                             "--until-empty", "--operator", "ana", "--station", "desk-1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def end_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait()


@pytest.mark.slow
def test_a_station_killed_with_kill_9_leaves_no_process_and_loses_no_scan(tmp_path, campaign,
                                                                           campaign_text):
    data = tmp_path / "data"
    files = write_stack(data / "inbox", campaign, 120, seed=18)
    expected = {sha256_of_file(path): path.name for path in files}
    store = Store.open(f"sqlite:///{data / 'ledger.sqlite3'}", data / "images")
    store.load_campaign(campaign_text, actor="coordinator", station="office")
    mark = uuid.uuid4().hex
    first = start_station(data, mark)
    try:
        # Files being decided: some recorded, both workers and the forkserver running.
        before = wait_for(lambda: (len(files_in(data / "done")) >= 8 and first.poll() is None and
                                   (found := processes_of(mark, first.pid)) and
                                   sum("forkserver" in p.command for p in found) >= 3 and found),
                          "the station at work with its forkserver and two workers")
        first.send_signal(signal.SIGKILL)  # the station alone, as a crash of its own process
        first.wait()
        left = [p for p in before if p.pid != first.pid]
        print(f"before kill -9: {len(before)} processes, {sum(p.rss_kib for p in before)} KiB; "
              f"besides the station: {len(left)}, {sum(p.rss_kib for p in left)} KiB")
        wait_for(lambda: not processes_of(mark, first.pid), "the station's processes ended")
        assert len(files_in(data / "done")) < len(files), "the station finished before the kill"
    finally:
        end_group(first)
    second = start_station(data, mark)
    try:
        _, err = second.communicate(timeout=600)
        assert second.returncode == 0, err.decode(errors="replace")
        wait_for(lambda: not processes_of(mark, second.pid), "the second station's processes ended")
    finally:
        end_group(second)
    try:
        check_exactly_once(store, expected, [data])
    finally:
        store.close()


def quarantined_events(store: Store) -> list[str]:
    with Session(store.engine) as session:
        return list(session.execute(select(t.Event.subject).where(
            t.Event.type == EventType.FILE_QUARANTINED.value)).scalars().all())


def run_with_a_worker_killed(station, root: Path, files: list[Path]) -> None:
    """Run `station` (its hot folder thread) until every file left the inbox, killing one of
    its workers from outside while two files are in flight."""
    station.start()
    try:
        busy = wait_for(lambda: started_workers(root / "gate", 2), "two files in flight")
        os.kill(busy[0], signal.SIGKILL)
        (root / "gate" / "go").touch()
        wait_for(lambda: (len(files_in(root / "done")) + len(files_in(root / "quarantine"))
                          >= len(files) and not station.folder.busy()), "every file handled")
    finally:
        station.stop()


@pytest.mark.slow
def test_a_worker_killed_from_outside_sends_no_file_to_quarantine(loaded_store, campaign,
                                                                  tmp_path):
    (tmp_path / "gate").mkdir()
    files = write_stack(tmp_path / "inbox", campaign, 10, seed=81)
    station = desk(loaded_store, campaign, tmp_path)
    station.recognizer = Recognizer(campaign, RecognitionSettings(ocr=False), loaded_store.images,
                                    workers=2, task=gated_task)
    run_with_a_worker_killed(station, tmp_path, files)
    assert files_in(tmp_path / "quarantine") == [] and quarantined_events(loaded_store) == []
    assert all(where(tmp_path, f.name) == "done" for f in files)
    with Session(loaded_store.engine) as session:
        items = sorted(session.execute(select(t.Item.source_name)).scalars().all())
    assert items == sorted(f.name for f in files)  # each exactly once
    assert loaded_store.audit().ok


@pytest.mark.slow
def test_a_file_that_kills_its_worker_on_its_own_still_goes_to_quarantine(loaded_store,
                                                                         campaign, tmp_path):
    # Killed from outside as well: only the file that kills workers by itself is set aside.
    (tmp_path / "gate").mkdir()
    files = write_stack(tmp_path / "inbox", campaign, 8, seed=82)
    poison = tmp_path / "inbox" / "poison.jpg"
    poison.write_bytes(files[0].read_bytes()[:-10] + b"poison-end")
    os.utime(poison, ns=(files[2].stat().st_mtime_ns + 1,) * 2)
    station = desk(loaded_store, campaign, tmp_path)
    station.recognizer = Recognizer(campaign, RecognitionSettings(ocr=False), loaded_store.images,
                                    workers=2, task=gated_task)
    run_with_a_worker_killed(station, tmp_path, [*files, poison])
    assert where(tmp_path, "poison.jpg") == "quarantine"
    reason = (tmp_path / "quarantine" / "poison.jpg.reason.txt").read_text(encoding="utf-8")
    assert "died twice" in reason and "alone" in reason
    assert all(where(tmp_path, f.name) == "done" for f in files)
    assert quarantined_events(loaded_store) == [
        f"file:{sha256_of_file(tmp_path / 'quarantine' / 'poison.jpg')}"]
    assert loaded_store.audit().ok

