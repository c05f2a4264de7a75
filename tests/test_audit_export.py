"""The audit export verifies offline, with the public key alone, and names what was changed;
the privacy purge removes images and words of delivered pieces and the audit still verifies."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, StepClock
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from season import build_season

from models.audit.export import write_export
from models.audit.export_check import verify_export
from models.store import Store

pytestmark = pytest.mark.slow  # a season built for each test: `make test-all` and CI run it


@pytest.fixture
def season(store, campaign_text):
    return store, build_season(store, campaign_text, envelopes=24, seed=3)


def _public_file(folder: Path, key: Ed25519PrivateKey) -> Path:
    path = folder / "office.pub"
    path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


# ------------------------------------------------------------------ export

def test_the_export_verifies_without_the_database(season, tmp_path):
    store, made = season
    out = tmp_path / "export"
    summary = write_export(store, out, public=_public_file(tmp_path, made.key), with_images=True)
    assert summary.events > 500 and summary.checkpoints == 2 and summary.images > 200
    assert not (tmp_path / "export.partial").exists()
    names = {p.name for p in out.iterdir()}
    assert {"events.jsonl", "items.csv", "bundles.csv", "checkpoints.jsonl", "office-signing.pub",
            "README.txt", "MANIFEST.sha256", "images"} <= names
    store.close()  # nothing below touches the database
    result = verify_export(out, made.key.public_key())
    assert result.ok, result.problem
    assert result.events == summary.events and result.checkpoints == 2
    assert result.images == summary.images
    with pytest.raises(FileExistsError):
        write_export(store, out, public=None)


def _edit_line(path: Path, number: int, change) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[number - 1] = change(lines[number - 1])
    path.write_text("".join(lines), encoding="utf-8")


def _set_cell(path: Path, row: int, column: str, value: str) -> None:
    """One cell of a CSV file changed (row 1 is the first row after the header)."""
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    rows[row][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)


def test_a_changed_export_is_caught_at_its_first_broken_place(season, tmp_path):
    store, made = season
    original = tmp_path / "original"
    write_export(store, original, public=_public_file(tmp_path, made.key), with_images=True)
    public = made.key.public_key()

    def fresh(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(original, target)
        return target

    edited = fresh("edited")
    _edit_line(edited / "events.jsonl", 40, lambda line: line.replace('"actor": "', '"actor": "x', 1))
    assert verify_export(edited, public).problem.where == "event 40"

    dropped = fresh("dropped")
    _edit_line(dropped / "events.jsonl", 77, lambda line: "")
    assert verify_export(dropped, public).problem.where == "event 77"

    rows = fresh("rows")
    _edit_line(rows / "items.csv", 12, lambda line: line.replace("embassy:", "embassy:X", 1)
               if "embassy:" in line else line.replace("routed", "review", 1))
    assert verify_export(rows, public).problem.where == "item 0000011"

    image = fresh("image")
    victim = next(p for p in (image / "images").rglob("*") if p.is_file())
    victim.write_bytes(b"another picture")
    assert verify_export(image, public).problem.where == f"image {victim.name}"

    added = fresh("added")
    (added / "notes.txt").write_text("slipped in")
    assert verify_export(added, public).problem.where == "notes.txt"

    # Cells that are not even of their type are a broken place too, never a crash of the verifier.
    for column, value in (("confidence", "abc"), ("reasons", "5"), ("id", "x")):
        odd = fresh(f"odd-{column}")
        _set_cell(odd / "items.csv", 12, column, value)
        problem = verify_export(odd, public).problem
        assert problem is not None and ("item" in problem.where), (column, problem)

    forged = fresh("forged")
    _edit_line(forged / "checkpoints.jsonl", 1, lambda line: json.dumps(
        {**json.loads(line), "signature": Ed25519PrivateKey.generate().sign(b"x").hex()}) + "\n")
    assert verify_export(forged, public).problem.where.startswith("checkpoint of event")

    # With another office's key, the checkpoints do not verify.
    assert not verify_export(original, Ed25519PrivateKey.generate().public_key()).ok
    # Without a key, the folder's own is used and the result says so.
    result = verify_export(original)
    assert result.ok and any("taken from the export itself" in w for w in result.warnings)


# The verifier needs neither the database stack nor the page readers (OpenCV, the barcode readers,
# fuzzy matching): an auditor runs it on an export alone.
_DATABASE_STACK = {"sqlalchemy", "sqlmodel", "alembic", "fastapi", "cv2", "zxingcpp", "pyzbar", "rapidfuzz"}


def _scanpipe_verify(*args: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`scanpipe-verify ARGS` in a Python of its own, and the top-level packages it imported."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    done = subprocess.run([sys.executable, "-X", "importtime", "-c",
                           "from models.audit.verify import main; main()", *map(str, args)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)})
    imported = {line.rpartition("|")[2].strip().partition(".")[0]
                for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done, imported


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)  # the export is the same on both
def test_scanpipe_verify_checks_an_export_without_the_database_stack(season, tmp_path):
    store, made = season
    public = _public_file(tmp_path, made.key)
    good = tmp_path / "export"
    summary = write_export(store, good, public=public, with_images=True)
    tampered = tmp_path / "tampered"
    shutil.copytree(good, tampered)
    _edit_line(tampered / "events.jsonl", 21, lambda line: line.replace('"station": "', '"station": "x', 1))

    verified, imported = _scanpipe_verify(good, "--public-key", public)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith(f"Verified: {summary.events} events in an unbroken chain, "
                                      "2 checkpoints verified")
    assert "models" in imported and not imported & _DATABASE_STACK

    refused, imported = _scanpipe_verify(tampered, "--public-key", public)
    assert refused.returncode == 1 and not refused.stdout
    assert "Error: AUDIT FAILED at event 21: " in refused.stderr
    assert "models" in imported and not imported & _DATABASE_STACK


# ------------------------------------------------------------------- purge

def _files(root: Path) -> set[str]:
    return {p.name for p in root.rglob("*") if p.is_file()}


def test_the_purge_removes_delivered_pieces_data_and_the_audit_still_verifies(season, tmp_path):
    store, made = season
    before = store.replay_ledger()
    delivered = {i.id for i in before.items.values() if before.outcome(i) == "delivered"}
    assert delivered
    with_words = {i.id for i in before.items.values() if i.state.get("text")}
    assert with_words
    result = store.purge(delivered_before=date(2022, 2, 1), actor="admin", station="office")
    assert set(result.items) >= delivered
    assert result.images and result.files_removed == len(result.images)
    on_disk = _files(store.images.root)
    assert not on_disk & set(result.images)  # no purged image remains on disk
    state = store.replay_ledger()
    kept = {i.sha256 for i in state.items.values() if not i.purged}
    assert kept <= on_disk  # nothing else was removed
    audit = store.audit(public=made.key.public_key())
    assert audit.ok, audit.problem
    assert audit.purged == len(result.images) and not any("still" in w for w in audit.warnings)
    # The words read on purged pieces are gone; the others are kept.
    for item_id in result.items:
        assert store.trail(item_id).words is None
        assert store.trail(item_id).image == "purged"
    for item_id in with_words - set(result.items):  # still in review: the words are kept
        found = [hit["found"] for c in store.review_piece(item_id).state["candidates"]
                 for hit in c["evidence"]]
        assert found and list(store.trail(item_id).words) == found
    # A second purge finds nothing more; pieces not delivered keep their images.
    again = store.purge(delivered_before=date(2022, 2, 1), actor="admin", station="office")
    assert not again.items and not again.images
    for item in state.items.values():
        if state.outcome(item) not in ("delivered",) and item.kind != "kit_envelope":
            assert not item.purged


def test_a_purge_cut_off_before_its_files_went_finishes_on_the_next_run(season, monkeypatch):
    store, made = season
    removed = []
    monkeypatch.setattr(type(store), "_remove_purged_files",
                        lambda self, progress: removed.append(1) or 0)
    first = store.purge(delivered_before=date(2022, 2, 1), actor="admin", station="office")
    assert removed and first.images
    lingering = store.audit(check_images=False)
    assert lingering.ok and any("still on disk" in w for w in lingering.warnings)
    monkeypatch.undo()
    second = store.purge(delivered_before=date(2022, 2, 1), actor="admin", station="office")
    assert not second.items and second.files_removed == len(first.images)
    assert not _files(store.images.root) & set(first.images)
    assert store.audit(public=made.key.public_key()).ok


def test_a_purge_date_before_every_delivery_removes_nothing(season):
    store, _ = season
    result = store.purge(delivered_before=date(2022, 1, 1), actor="admin", station="office")
    assert not result.items and not result.images
    assert store.audit(check_images=True).ok


def test_an_export_after_a_purge_verifies_and_holds_no_purged_image(season, tmp_path):
    store, made = season
    purged = store.purge(delivered_before=date(2022, 2, 1), actor="admin", station="office")
    out = tmp_path / "export"
    write_export(store, out, public=None, with_images=True)
    assert not _files(out / "images") & set(purged.images)
    assert verify_export(out, made.key.public_key()).ok
    reopened = Store.open(str(store.engine.url), store.images.root, StepClock())
    assert reopened.audit(public=made.key.public_key()).ok
    reopened.close()
