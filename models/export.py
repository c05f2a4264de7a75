"""The audit export: a folder an auditor can take away and verify without the database.

    events.jsonl       every event, exactly as hashed, one per line
    items.csv          the item table;  bundles.csv: the bundle table
    checkpoints.jsonl  every signed checkpoint
    office-signing.pub the office's public key (when known)
    images/            the stored images, when asked for (purged ones are gone)
    README.txt         what this is and how to verify it
    MANIFEST.sha256    the SHA-256 of every file above (`sha256sum -c` reads it)

`verify_export` replays the events, checks the chain, the checkpoints, every
life, the two tables against the events, the images and the manifest.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlmodel import Session, select

from models import tables as t
from models.audit import (BUNDLE_COLUMNS, ITEM_COLUMNS, AuditResult, dict_get, rows_agree,
                          verify_events)
from models.images import ImageStore, fsync_dir
from models.replay import Problem
from models.signing import PUBLIC_NAME, SignedHead, SigningKeyError, key_id, load_public

MANIFEST = "MANIFEST.sha256"
_README = """scanpipe audit export
=====================

Campaign: {campaign}
Ledger head: event {head} (hash {hash})
Exported: {at}
Office key fingerprint: {key}

What is here
  events.jsonl       every event of the ledger, exactly as hashed, in order
  items.csv          the item table (one row per page taken in)
  bundles.csv        the bundle table
  checkpoints.jsonl  the office's signed checkpoints over the ledger's head
  office-signing.pub the office's public key, as found in the office
  images/            the scanned images, named by their SHA-256 (only if exported with images)
  MANIFEST.sha256    the SHA-256 of every file (check with: sha256sum -c MANIFEST.sha256)

How to verify (no database needed)
  scanpipe-verify THIS_FOLDER --public-key KEY_YOU_WERE_GIVEN.pub

Use the public key the office gave you directly (or compare the fingerprint above
with the one it published): a key taken from this folder proves only that the
folder agrees with itself. The verifier checks the hash chain, every checkpoint's
signature, that every piece had a consistent life (scanned, routed or decided,
bundled, dispatched, delivered, or set aside), that the tables say what the events
say, and that every image still has its hash. It exits 0 when everything
verifies, 1 with the first broken place otherwise.
"""


@dataclass(frozen=True, slots=True)
class EventRecord:
    seq: int
    at: str
    actor: str
    station: str
    type: str
    subject: str
    payload: str
    prev_hash: str
    hash: str


_EVENT_FIELDS = ("seq", "at", "actor", "station", "type", "subject", "payload", "prev_hash", "hash")


@dataclass(frozen=True)
class ExportSummary:
    folder: Path
    events: int
    items: int
    bundles: int
    checkpoints: int
    images: int


def write_export(store, folder: Path, *, public: Path | None,
                 with_images: bool = False) -> ExportSummary:
    """Write the export into `folder` (which must not exist): built beside it, then renamed."""
    if folder.exists():
        raise FileExistsError(f"{folder} exists already: choose a new folder for the export")
    partial = folder.with_name(folder.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    try:
        events, head = _write_events(store, partial / "events.jsonl")
        with Session(store.engine) as session:
            items = _write_csv(partial / "items.csv", ITEM_COLUMNS,
                               session.exec(select(t.Item).order_by(t.Item.id)))
            bundles = _write_csv(partial / "bundles.csv", BUNDLE_COLUMNS,
                                 session.exec(select(t.Bundle).order_by(t.Bundle.id)))
            stored = session.exec(select(t.StoredImage).where(t.StoredImage.purged_at.is_(None))
                                  .order_by(t.StoredImage.sha256)).all()
            campaign = session.exec(select(t.CampaignVersion.campaign_id)
                                    .order_by(t.CampaignVersion.id.desc()).limit(1)).first()
        checkpoints = store.checkpoints()
        (partial / "checkpoints.jsonl").write_text(
            "".join(json.dumps(c.to_json()) + "\n" for c in checkpoints), encoding="utf-8")
        fingerprint = "unknown (no public key was given)"
        if public is not None:
            shutil.copyfile(public, partial / PUBLIC_NAME)
            fingerprint = key_id(load_public(public))
        copied = 0
        if with_images:
            target = ImageStore(partial / "images")
            for image in stored:
                source = store.images.path_for(image.sha256)
                if source.exists():
                    destination = target.path_for(image.sha256)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, destination)
                    copied += 1
        (partial / "README.txt").write_text(_README.format(
            campaign=campaign or "—", head=head[0], hash=head[1], key=fingerprint,
            at=store.clock().isoformat(timespec="seconds")), encoding="utf-8")
        _write_manifest(partial)
        fsync_dir(partial)
        os.replace(partial, folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return ExportSummary(folder, events, items, bundles, len(checkpoints), copied)


def _write_events(store, path: Path) -> tuple[int, tuple[int, str]]:
    count, head = 0, (0, "")
    with path.open("w", encoding="utf-8") as out:
        for row in store.event_rows():
            out.write(json.dumps({name: getattr(row, name) for name in _EVENT_FIELDS},
                                 ensure_ascii=False) + "\n")
            count, head = count + 1, (row.seq, row.hash)
    return count, head


def _write_csv(path: Path, columns: tuple[str, ...], rows) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if getattr(row, c) is None else getattr(row, c) for c in columns])
            count += 1
    return count


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def _write_manifest(folder: Path) -> None:
    lines = [f"{_file_sha256(p)}  {p.relative_to(folder).as_posix()}\n" for p in _files(folder)]
    (folder / MANIFEST).write_text("".join(lines), encoding="utf-8")


# ------------------------------------------------------------------ verify

def read_events(path: Path) -> Iterator[EventRecord]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                data = json.loads(line)
                yield EventRecord(*(data[name] for name in _EVENT_FIELDS))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"events.jsonl line {number} is not an event: {exc}") from None


def read_checkpoints(path: Path) -> list[SignedHead]:
    if not path.exists():
        return []
    heads = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                heads.append(SignedHead.from_json(json.loads(line)))
            except (ValueError, SigningKeyError) as exc:
                raise ValueError(f"{path.name} line {number}: {exc}") from None
    return heads


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def verify_export(folder: Path, public: Ed25519PublicKey | None = None,
                  extra_checkpoints: tuple[SignedHead, ...] = ()) -> AuditResult:
    """Verify an export folder; `public`: the office's key (else the folder's own, with a warning)."""
    warnings: list[str] = []
    for name in ("events.jsonl", "items.csv", "bundles.csv"):
        if not (folder / name).is_file():
            return AuditResult(0, 0, 0, Problem(name, f"missing from {folder}: not an audit export"))
    if public is None and (folder / PUBLIC_NAME).exists():
        public = load_public(folder / PUBLIC_NAME)
        warnings.append(f"the public key was taken from the export itself ({key_id(public)[:16]}…): "
                        "compare it with the fingerprint the office published")
    try:
        checkpoints = [*read_checkpoints(folder / "checkpoints.jsonl"), *extra_checkpoints]
        found = verify_events(read_events(folder / "events.jsonl"), checkpoints, public)
    except ValueError as exc:
        return AuditResult(0, 0, 0, Problem("events.jsonl", str(exc)))
    warnings += found.warnings
    state = found.replay
    problem = found.problem or rows_agree(state, _read_csv(folder / "items.csv"),
                                          _read_csv(folder / "bundles.csv"), get=dict_get)
    images = 0
    image_root = folder / "images"
    if problem is None and image_root.is_dir():
        store = ImageStore(image_root)
        for sha in sorted({i.sha256 for i in state.items.values()} - state.purged_images):
            fault = store.check(sha)
            if fault:
                problem = Problem(f"image {sha}", f"the exported image is {fault}")
                break
            images += 1
    elif not image_root.is_dir():
        warnings.append("the export holds no images: their hashes are in the events, the files "
                        "were not checked")
    if problem is None:
        problem = _manifest_problem(folder)
    return AuditResult(found.events, len(state.items), images, problem, found.checkpoints,
                       found.signed_up_to, key_id(public) if public else None,
                       len(state.purged_images), tuple(warnings))


def _manifest_problem(folder: Path) -> Problem | None:
    manifest = folder / MANIFEST
    if not manifest.exists():
        return Problem(MANIFEST, "the manifest is missing")
    listed = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    present = {p.relative_to(folder).as_posix() for p in _files(folder)}
    for name in sorted(present - set(listed)):
        return Problem(name, "this file is not in the manifest: it was added after the export")
    for name, digest in sorted(listed.items()):
        if name not in present:
            return Problem(name, "this file is listed in the manifest but missing")
        if _file_sha256(folder / name) != digest:
            return Problem(name, "this file differs from its SHA-256 in the manifest")
    return None
