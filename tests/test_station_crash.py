"""Stations killed at random moments (kill -9) lose no piece and count none twice; several
stations on one PostgreSQL ledger take every piece exactly once and keep one chain."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from stacks import write_stack

from models.events import EventType
from models.images import sha256_of_file
from models.store import Store
from models.store import tables as t

pytestmark = pytest.mark.slow  # kill -9 runs of whole stations: `make test-all` and CI run it

SCANPIPE = str(Path(sys.executable).with_name("scanpipe"))
PAGES = 200
RUNS = 8
_started: list[subprocess.Popen] = []  # every station a test started (see no_process_left)


def station(data: Path, name: str = "desk-1", *, url: str | None = None, images: Path | None = None,
            workers: int = 2) -> subprocess.Popen:
    """`scanpipe station watch --until-empty` as its own process, as an office runs it."""
    env = {**os.environ, "SCANPIPE_OCR": "false", "SCANPIPE_WORKERS": str(workers)}
    if url:
        env["SCANPIPE_DATABASE_URL"] = url
    if images:
        env["SCANPIPE_IMAGE_DIR"] = str(images)
    # Its own process group: whatever it starts (its workers) can be found, and ended, after.
    process = subprocess.Popen([SCANPIPE, "--data-dir", str(data), "station", "watch",
                                "--until-empty", "--operator", "ana", "--station", name],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    _started.append(process)
    return process


@pytest.fixture(autouse=True)
def no_process_left():
    """Every station a test started is gone after it, with all it started, pass or fail."""
    yield
    while _started:
        end_group(_started.pop())


def group_alive(process: subprocess.Popen) -> bool:
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def end_group(process: subprocess.Popen) -> None:
    """Kill whatever is left of the station's process group (nothing, when all went well)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait()


def files_in(folder: Path) -> list[Path]:
    return [Path(root) / f for root, _, files in os.walk(folder) for f in files] if folder.exists() else []


def finish(process: subprocess.Popen, timeout: float = 240) -> None:
    try:
        _, err = process.communicate(timeout=timeout)
    finally:
        end_group(process)
    assert process.returncode == 0, err.decode(errors="replace")


def workers_end_with(process: subprocess.Popen, timeout: float = 60) -> bool:
    """Whether the station's workers end by themselves once it was killed."""
    deadline = time.monotonic() + timeout
    while group_alive(process) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = group_alive(process)
    end_group(process)
    return not alive


def kill_when(process: subprocess.Popen, done: Path, files: int, rng: random.Random) -> int:
    """SIGKILL once `files` files are in done/ (plus a random instant); returns how many were."""
    while len(files_in(done)) < files and process.poll() is None:
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 0.04))
    process.send_signal(signal.SIGKILL)   # the station alone, as a crash of its own process
    process.wait()
    assert workers_end_with(process), "the killed station's workers went on running"
    return len(files_in(done))


def check_exactly_once(store: Store, expected: dict[str, str], data_dirs: list[Path]) -> None:
    """Every file in done/, none left behind, every image one item, no duplicate, chain whole."""
    for data in data_dirs:
        assert files_in(data / "inbox") == [], f"files left in {data / 'inbox'}"
        assert files_in(data / "quarantine") == []
        assert files_in(data / "work") == [], "copies left in work/"
    moved = sorted(p.name for data in data_dirs for p in files_in(data / "done"))
    assert moved == sorted(expected.values())
    with Session(store.engine) as session:
        items = session.execute(select(t.Item.image_sha256, t.Item.source_name)).all()
        duplicates = session.execute(select(func.count()).select_from(t.Event).where(
            t.Event.type == EventType.ITEM_DUPLICATE.value)).scalar_one()
    assert len(items) == len(expected), f"{len(items)} items for {len(expected)} pages"
    assert {sha: name for sha, name in items} == expected
    assert duplicates == 0
    result = store.audit()
    assert result.ok, result.problem


@pytest.fixture(scope="module")
def stack(tmp_path_factory, campaign) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("stack")
    files = write_stack(folder, campaign, PAGES, seed=7)
    return folder, {sha256_of_file(path): path.name for path in files}


def _ledger(url: str, images: Path, campaign_text: str) -> Store:
    store = Store.open(url, images)
    store.load_campaign(campaign_text, actor="coordinator", station="office")
    return store


@pytest.mark.slow
@pytest.mark.parametrize("run", range(RUNS))
def test_a_station_killed_at_a_random_moment_loses_nothing_and_counts_nothing_twice(
        run, stack, tmp_path, campaign_text):
    source, expected = stack
    rng = random.Random(f"crash-{run}")
    data = tmp_path / "data"
    shutil.copytree(source, data / "inbox")  # keeps the mtimes: the same scanning order
    store = _ledger(f"sqlite:///{data / 'ledger.sqlite3'}", data / "images", campaign_text)
    try:
        first = station(data)
        # Anywhere from before the first file to the last hundred (a backlog is moved up to 33
        # files at a time, so later the station may be through before the signal lands).
        killed_at = kill_when(first, data / "done", rng.randrange(PAGES - 100), rng)
        assert killed_at < PAGES, "the station finished before it could be killed"
        finish(station(data))
        check_exactly_once(store, expected, [data])
    finally:
        store.close()


# ------------------------------------------------------------------ PostgreSQL


@pytest.mark.postgres
@pytest.mark.slow
def test_four_stations_on_postgresql_take_every_piece_exactly_once(postgres_url, tmp_path,
                                                                   campaign, campaign_text):
    images = tmp_path / "images"  # the shared image store
    store = _ledger(postgres_url, images, campaign_text)
    expected: dict[str, str] = {}
    datas = []
    for n in range(4):
        data = tmp_path / f"station-{n}"
        files = write_stack(data / "inbox", campaign, 60, seed=100 + n, first_kit=1 + 100 * n,
                            prefix=f"desk{n}")
        expected.update({sha256_of_file(path): path.name for path in files})
        datas.append(data)
    rng = random.Random("four")
    try:
        running = [station(data, f"desk-{n}", url=postgres_url, images=images)
                   for n, data in enumerate(datas)]
        # One of them crashes half-way and is started again while the others go on.
        kill_when(running[2], datas[2] / "done", rng.randrange(10, 50), rng)
        running[2] = station(datas[2], "desk-2", url=postgres_url, images=images)
        for process in running:
            finish(process)
        check_exactly_once(store, expected, datas)
        with Session(store.engine) as session:
            stations = dict(session.execute(select(t.Item.station, func.count())
                                            .group_by(t.Item.station)).all())
            batches = session.execute(select(t.Batch.station, t.Batch.kit_serial)).all()
        assert stations == {f"desk-{n}": 60 for n in range(4)}
        # Each station's envelopes opened their batches at that station, never another's.
        assert all(1 + 100 * int(s[-1]) <= kit < 100 * (int(s[-1]) + 1) for s, kit in batches)
    finally:
        store.close()


@pytest.mark.postgres
def test_the_same_file_at_two_stations_at_once_is_one_piece(postgres_url, tmp_path, campaign,
                                                           campaign_text):
    images = tmp_path / "images"
    store = _ledger(postgres_url, images, campaign_text)
    files = write_stack(tmp_path / "stack", campaign, 30, seed=5)
    datas = [tmp_path / "a", tmp_path / "b"]
    for data in datas:
        shutil.copytree(tmp_path / "stack", data / "inbox")
    try:
        running = [station(data, f"desk-{data.name}", url=postgres_url, images=images) for data in datas]
        for process in running:
            finish(process)
        with Session(store.engine) as session:
            items = session.execute(select(func.count()).select_from(t.Item)).scalar_one()
            duplicates = session.execute(select(func.count()).select_from(t.Event).where(
                t.Event.type == EventType.ITEM_DUPLICATE.value)).scalar_one()
        assert items == len(files) and duplicates == len(files)
        assert store.audit().ok
    finally:
        store.close()
