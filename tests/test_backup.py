"""`scanpipe backup` and `scanpipe restore`: a backup restored elsewhere verifies and holds the same
ledger; a damaged or incomplete backup and a target that holds anything are refused; a backup
taken while a station is taking files restores to a ledger that verifies."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import own_postgres_database
from sqlalchemy import create_engine, inspect, select
from stacks import write_stack
from test_station_crash import files_in
from test_station_kill import end_group
from test_workers import wait_for

from models.store import normalise_url
from models.store import tables as t
from models.store.backup import MANIFEST, ledger_facts
from stations.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SCANPIPE = str(Path(sys.executable).with_name("scanpipe"))


class Office:
    """A data folder (and, on PostgreSQL, a database) driven through the command line."""

    def __init__(self, data: Path, url: str | None):
        self.data, self.url = data, url

    def run(self, *args: object):
        options = ["--data-dir", str(self.data)] + (["--database-url", self.url] if self.url else [])
        return CliRunner().invoke(cli, [*options, *map(str, args)])

    @property
    def ledger_url(self) -> str:
        return self.url or f"sqlite:///{self.data / 'ledger.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def kind(request) -> str:
    return request.param


@pytest.fixture
def databases(kind):
    """Make PostgreSQL databases of the test's own (dropped after it); None on SQLite."""
    with contextlib.ExitStack() as stack:
        def new() -> str | None:
            return stack.enter_context(own_postgres_database()) if kind == "postgresql" else None
        yield new


@pytest.fixture
def office(tmp_path, databases, monkeypatch, campaign) -> Office:
    """A ledger with the sample campaign, an envelope and four pieces taken in (their images
    stored), the office's key pair and a signed checkpoint."""
    monkeypatch.setenv("SCANPIPE_OCR", "false")
    here = Office(tmp_path / "office", databases())
    scans = write_stack(tmp_path / "scans", campaign, 5, seed=3)[0].parent
    for args in (("campaign", "load", SAMPLES / "campaign.toml", "--operator", "coordinator"),
                 ("intake", "--new-batch", "--station", "desk-1", "--operator", "ana", scans),
                 ("audit", "key", "create"), ("audit", "checkpoint")):
        done = here.run(*args)
        assert done.exit_code == 0, done.output
    return here


def tables_of(url: str) -> list[str]:
    engine = create_engine(normalise_url(url))
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def hash_at(url: str, seq: int) -> str:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as connection:
            return connection.execute(select(t.Event.hash).where(t.Event.seq == seq)).scalar_one()
    finally:
        engine.dispose()


def restored(tmp_path: Path, databases, name: str = "restored") -> Office:
    return Office(tmp_path / name, databases())


def test_a_backup_restored_elsewhere_verifies_and_holds_the_same_ledger(office, tmp_path, databases):
    done = office.run("backup", tmp_path / "backup")
    assert done.exit_code == 0, done.output
    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text())
    live = ledger_facts(office.ledger_url)
    assert (manifest["head_seq"], manifest["head_hash"]) == (live.head_seq, live.head_hash)
    assert manifest["items"] == live.items == 5 and manifest["images"] == len(live.images) == 5
    assert manifest["database"] == ("sqlite" if office.url is None else "postgresql")
    assert not (tmp_path / "backup.part").exists()
    # Everything in the backup is its owner's only: it holds the office's private key.
    for path in [tmp_path / "backup", *(tmp_path / "backup").rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    assert (tmp_path / "backup" / "private" / "office-signing.key").is_file()

    target = restored(tmp_path, databases)
    done = target.run("restore", tmp_path / "backup")
    assert done.exit_code == 0, done.output
    assert "Verified: " in done.output and "1 checkpoint verified" in done.output
    again = ledger_facts(target.ledger_url)
    assert again == live
    verify = target.run("audit", "verify")
    assert verify.exit_code == 0, verify.output
    private = target.data / "private"
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    key = private / "office-signing.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_bytes() == (office.data / "private" / "office-signing.key").read_bytes()
    public = target.data / "keys" / "office-signing.pub"
    assert stat.S_IMODE(public.stat().st_mode) == 0o644
    # The restored ledger works: a new piece goes on the restored chain.
    more = target.run("intake", "--station", "desk-2", "--operator", "bob",
                      SAMPLES / "scans" / "envelope-2" / "02-letter-BAKER.jpg")
    assert more.exit_code == 0, more.output
    assert target.run("audit", "verify").exit_code == 0


@pytest.mark.parametrize("damage", ["image changed", "image missing", "ledger missing",
                                    "manifest missing"])
def test_a_damaged_or_incomplete_backup_is_refused_naming_the_file(office, tmp_path, databases,
                                                                    damage):
    backup = tmp_path / "backup"
    assert office.run("backup", backup).exit_code == 0
    files = json.loads((backup / MANIFEST).read_text())["files"]
    image = backup / next(f["path"] for f in files if f["path"].startswith("images/"))
    ledger = backup / files[0]["path"]
    named = {"image changed": image, "image missing": image, "ledger missing": ledger,
             "manifest missing": backup / MANIFEST}[damage]
    if damage == "image changed":
        data = bytearray(image.read_bytes())
        data[len(data) // 2] ^= 0x01
        image.write_bytes(bytes(data))
    else:
        named.unlink()
    target = restored(tmp_path, databases)
    done = target.run("restore", backup)
    assert done.exit_code == 3, done.output
    assert (MANIFEST if damage == "manifest missing" else str(named)) in done.output
    assert not target.data.exists(), "a refused backup wrote nothing"
    if target.url:
        assert tables_of(target.url) == [], "a refused backup wrote nothing"


def test_a_target_that_holds_anything_is_refused_and_left_as_it_was(office, tmp_path, databases):
    backup = tmp_path / "backup"
    assert office.run("backup", backup).exit_code == 0
    before = ledger_facts(office.ledger_url)
    # The office's own data folder (and database): never overwritten.
    done = office.run("restore", backup)
    assert done.exit_code == 3, done.output
    assert "not empty" in done.output and "images" in done.output
    assert ledger_facts(office.ledger_url) == before
    # A data folder with a file of someone's in it.
    target = restored(tmp_path, databases)
    target.data.mkdir()
    (target.data / "notes.txt").write_text("mine")
    done = target.run("restore", backup)
    assert done.exit_code == 3 and "notes.txt" in done.output, done.output
    assert sorted(p.name for p in target.data.iterdir()) == ["notes.txt"]
    if office.url:
        # An empty data folder, but a database that holds a ledger: named, and left alone.
        other = Office(tmp_path / "empty", office.url)
        done = other.run("restore", backup)
        assert done.exit_code == 3 and "holds a scanpipe ledger" in done.output, done.output
        assert ledger_facts(office.url) == before and not other.data.exists()


def test_a_backup_folder_that_holds_anything_is_refused(office, tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "old.txt").write_text("x")
    done = office.run("backup", folder)
    assert done.exit_code == 3 and "old.txt" in done.output, done.output
    assert sorted(p.name for p in folder.iterdir()) == ["old.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert office.run("backup", empty).exit_code == 0
    assert (empty / MANIFEST).is_file()


def test_a_backup_restores_into_the_same_kind_of_database_only(office, tmp_path):
    assert office.run("backup", tmp_path / "backup").exit_code == 0
    with own_postgres_database() as url:
        other = Office(tmp_path / "target", None if office.url else url)
        done = other.run("restore", tmp_path / "backup")
        assert done.exit_code == 3, done.output
        made = "postgresql" if office.url else "sqlite"
        assert f"restores into {made} only" in done.output
        assert not other.data.exists() and tables_of(url) == []


def test_without_pg_dump_the_backup_says_what_to_install_and_never_prints_the_password(
        tmp_path, monkeypatch):
    with own_postgres_database() as url:
        from sqlalchemy import make_url
        secret_url = make_url(url).set(password="s3cret-Pw").render_as_string(hide_password=False)
        here = Office(tmp_path / "office", secret_url)
        if here.run("campaign", "load", SAMPLES / "campaign.toml").exit_code != 0:
            pytest.skip("the test server refuses a password in the URL")
        monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
        done = here.run("backup", tmp_path / "backup")
        assert done.exit_code == 5, done.output
        assert "pg_dump is not installed" in done.output and "s3cret" not in done.output
        assert not (tmp_path / "backup").exists() and not (tmp_path / "backup.part").exists()


# ------------------------------------------------------------ while a station is taking files


def _start_station(data: Path, url: str | None) -> subprocess.Popen:
    env = {**os.environ, "SCANPIPE_OCR": "false", "SCANPIPE_WORKERS": "1",
           "PYTHONPATH": str(ROOT)}
    if url:
        env["SCANPIPE_DATABASE_URL"] = url
    return subprocess.Popen([SCANPIPE, "--data-dir", str(data), "station", "watch",
                             "--operator", "ana", "--station", "desk-1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


@pytest.mark.slow
def test_a_backup_taken_while_a_station_takes_files_restores_and_verifies(
        tmp_path, campaign, databases, monkeypatch):
    monkeypatch.setenv("SCANPIPE_OCR", "false")
    office = Office(tmp_path / "office", databases())
    assert office.run("campaign", "load", SAMPLES / "campaign.toml").exit_code == 0
    assert office.run("audit", "key", "create").exit_code == 0
    staged = write_stack(tmp_path / "staged", campaign, 80, seed=20)
    inbox = office.data / "inbox"
    inbox.mkdir(parents=True)
    working, rest = threading.Event(), threading.Event()

    def feed() -> None:
        """The scanner: ten files, then (once the station is at work) a file every tenth of a
        second, and the rest at once when told."""
        for number, path in enumerate(staged):
            if number >= 10:
                working.wait()
                rest.wait(0.1)
            os.replace(path, inbox / path.name)

    station = _start_station(office.data, office.url)
    feeder = threading.Thread(target=feed)
    feeder.start()
    backups = []
    try:
        wait_for(lambda: len(files_in(office.data / "done")) >= 5, "the station at work")
        working.set()
        while feeder.is_alive() and len(backups) < 3:  # backups while files keep coming
            folder = tmp_path / f"backup-{len(backups) + 1}"
            done = office.run("backup", folder)
            assert done.exit_code == 0, done.output
            backups.append(folder)
        rest.set()
        feeder.join()
        wait_for(lambda: len(files_in(office.data / "done")) == len(staged) or station.poll() is not None,
                 "every file taken in", limit=300)
        assert station.poll() is None, station.communicate()[1].decode(errors="replace")
    finally:
        working.set()
        rest.set()
        feeder.join()
        end_group(station)
    final = ledger_facts(office.ledger_url)
    taken = [json.loads((folder / MANIFEST).read_text())["items"] for folder in backups]
    assert taken and 0 < taken[0] < final.items, "no backup was taken while files were coming in"
    print(f"backups of {taken} items while the station took in {final.items}")
    for number, folder in enumerate(backups, 1):
        target = restored(tmp_path, databases, f"restored-{number}")
        done = target.run("restore", folder)
        assert done.exit_code == 0, done.output
        facts = ledger_facts(target.ledger_url)
        assert set(facts.images) <= set(final.images)
        assert hash_at(office.ledger_url, facts.head_seq) == facts.head_hash, "not the live chain"
        assert target.run("audit", "verify").exit_code == 0
        shutil.rmtree(target.data)


def test_an_image_missing_from_the_store_is_reported_and_the_restore_names_it(office, tmp_path,
                                                                               databases):
    lost = ledger_facts(office.ledger_url).images[0]
    (office.data / "images" / lost[:2] / lost[2:4] / lost).unlink()
    done = office.run("backup", tmp_path / "backup")
    assert done.exit_code == 1 and "missing" in done.output and lost in done.output, done.output
    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text())
    assert manifest["missing_images"] == [lost] and manifest["images"] == 4
    done = restored(tmp_path, databases).run("restore", tmp_path / "backup")
    assert done.exit_code == 1 and "AUDIT FAILED" in done.output and lost in done.output, done.output


def test_a_backup_cut_off_is_cleared_by_the_next_but_a_folder_of_someone_else_is_not(office,
                                                                                      tmp_path):
    left = tmp_path / "backup.part"
    left.mkdir()
    (left / ".scanpipe-backup-part").touch()
    (left / "ledger.sqlite3").write_bytes(b"half")
    assert office.run("backup", tmp_path / "backup").exit_code == 0
    assert not left.exists()
    theirs = tmp_path / "other.part"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine")
    done = office.run("backup", tmp_path / "other")
    assert done.exit_code == 3 and "other.part" in done.output, done.output
    assert (theirs / "notes.txt").read_text() == "mine" and not (tmp_path / "other").exists()
