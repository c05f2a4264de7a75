"""The audit export: a folder an auditor can take away and verify without the database.

    events.jsonl       every event, exactly as hashed, one per line
    items.csv          the item table;  bundles.csv: the bundle table
    checkpoints.jsonl  every signed checkpoint
    office-signing.pub the office's public key (when known)
    images/            the stored images, when asked for (purged ones are gone)
    README.txt         what this is and how to verify it
    MANIFEST.sha256    the SHA-256 of every file above (`sha256sum -c` reads it)

`models.audit.export_check.verify_export` checks such a folder without the database.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, SQLModel, col, select

from models.audit.checks import BUNDLE_COLUMNS, ITEM_COLUMNS
from models.audit.export_check import EVENT_FIELDS, MANIFEST, export_files
from models.audit.signing import PUBLIC_NAME, key_id, load_public
from models.images import ImageStore, fsync_dir, sha256_of_file
from models.store import Store
from models.store import tables as t

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


@dataclass(frozen=True)
class ExportSummary:
    folder: Path
    events: int
    items: int
    bundles: int
    checkpoints: int
    images: int


def write_export(store: Store, folder: Path, *, public: Path | None,
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
            item_rows = session.exec(select(t.Item).order_by(col(t.Item.id)))
            items = _write_csv(partial / "items.csv", ITEM_COLUMNS, item_rows)
            bundle_rows = session.exec(select(t.Bundle).order_by(col(t.Bundle.id)))
            bundles = _write_csv(partial / "bundles.csv", BUNDLE_COLUMNS, bundle_rows)
            stored = session.exec(select(t.StoredImage).where(col(t.StoredImage.purged_at).is_(None))
                                  .order_by(t.StoredImage.sha256)).all()
            campaign = session.exec(select(t.CampaignVersion.campaign_id)
                                    .order_by(col(t.CampaignVersion.id).desc()).limit(1)).first()
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


def _write_events(store: Store, path: Path) -> tuple[int, tuple[int, str]]:
    count, head = 0, (0, "")
    with path.open("w", encoding="utf-8") as out:
        for row in store.event_rows():
            out.write(json.dumps({name: getattr(row, name) for name in EVENT_FIELDS},
                                 ensure_ascii=False) + "\n")
            count, head = count + 1, (row.seq, row.hash)
    return count, head


def _write_csv(path: Path, columns: tuple[str, ...], rows: Iterable[SQLModel]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if getattr(row, c) is None else getattr(row, c) for c in columns])
            count += 1
    return count


def _write_manifest(folder: Path) -> None:
    lines = [f"{sha256_of_file(p)}  {p.relative_to(folder).as_posix()}\n" for p in export_files(folder)]
    (folder / MANIFEST).write_text("".join(lines), encoding="utf-8")
