"""The audit export: a folder an auditor can take away and verify without the database.

    events.jsonl       every event, exactly as hashed, one per line
    items.csv          the item table;  bundles.csv: the bundle table
    online_signatures.csv, case_outcome.csv: the tables of signature imports and case outcomes
    kit_orders.csv     the kit order table
    checkpoints.jsonl  every signed checkpoint
    office-signing.pub the office's public key (when known)
    images/            the scanned images, when asked for (purged ones are gone)
    images-skipped.csv what the image store held for a piece but is not a scanned image (with
                       images only): left out, each with the reason
    README.txt         what this is and how to verify it
    MANIFEST.sha256    the SHA-256 of every file above (`sha256sum -c` reads it)

`models.audit.export_check.verify_export` checks such a folder without the database.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, SQLModel, col, select

from models.audit.checks import BUNDLE_COLUMNS, ITEM_COLUMNS, ORDER_COLUMNS
from models.audit.export_check import (
    EVENT_FIELDS,
    MANIFEST,
    ORDERS_CSV,
    OUTCOMES_CSV,
    SIGNATURES_CSV,
    SKIPPED,
    export_files,
)
from models.audit.records import OUTCOME_COLUMNS, SIGNATURE_COLUMNS
from models.audit.signing import PUBLIC_NAME, key_id, load_public
from models.images import ImageStore, fsync_dir, sha256_of_file
from models.store import Store
from models.store import tables as t
from scanpipe.progress import Progress
from scanpipe.reading.formats import sniff

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
  online_signatures.csv  online petition signatures imported, per import, case and source
  case_outcome.csv   what became of each case (freed, acquitted…)
  kit_orders.csv     the kit order table (who ordered kits)
  checkpoints.jsonl  the office's signed checkpoints over the ledger's head
  office-signing.pub the office's public key, as found in the office
  images/            the scanned images, named by their SHA-256 (only if exported with images)
  images-skipped.csv the files of the image store that are not scanned images (by their first
                     bytes), left out, each with the reason (only if exported with images)
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
{skipped}"""

# The file mode of an export's files by default: its owner's only (its folders: 0700).
PRIVATE_MODE = 0o600


@dataclass(frozen=True)
class ExportSummary:
    folder: Path
    events: int
    items: int
    bundles: int
    checkpoints: int
    images: int
    skipped: tuple[tuple[str, str], ...] = field(default=())  # (sha256, reason) left out


def scan_type(head: bytes) -> str | None:
    """The scan format of a file by its first bytes (at least 32 of them): JPEG, PNG, TIFF, BMP,
    WEBP or PDF, the formats a station takes in; None for anything else."""
    kind = sniff(head)
    # "BM" alone starts many texts: a BMP has one of the known header sizes after it.
    if kind == "UNKNOWN" or (kind == "BMP" and int.from_bytes(head[14:18], "little")
                             not in (12, 40, 52, 56, 64, 108, 124)):
        return None
    return kind


def folder_mode(file_mode: int) -> int:
    """The mode of an export's folders for files of `file_mode`: searchable where readable."""
    return file_mode | ((file_mode & 0o444) >> 2)


def write_export(store: Store, folder: Path, *, public: Path | None, with_images: bool = False,
                 mode: int = PRIVATE_MODE,
                 progress: Progress | None = None) -> ExportSummary:
    """Write the export into `folder` (which must not exist): built beside it, then renamed.

    Its files get `mode` (default 0600: the owner's only), its folders the same with search
    rights (0700); never writable by others. With images, only the scanned images of the
    ledger's pieces are copied, never through a symbolic link: what the image store holds for a
    piece that is not a JPEG, PNG, TIFF, WebP, BMP or PDF by its first bytes, or not a regular
    file, is left out and listed in images-skipped.csv with the reason.

    `progress(done, total)` counts the events written, then the images copied, then the files
    hashed for the manifest (the total grows once their number is known).
    """
    if mode & ~0o777 or mode & 0o022 or not mode & 0o400:
        raise ValueError(f"an export's file mode is readable by its owner and writable by nobody "
                         f"else, not {mode:o}")
    if folder.exists():
        raise FileExistsError(f"{folder} exists already: choose a new folder for the export")
    partial = folder.with_name(folder.name + ".partial")
    if partial.is_symlink() or partial.is_file():
        partial.unlink()
    elif partial.exists():
        shutil.rmtree(partial)
    partial.parent.mkdir(parents=True, exist_ok=True)
    os.mkdir(partial, 0o700)
    os.chmod(partial, 0o700)  # whatever the umask: nobody else reaches what is written inside
    tell = progress or (lambda done, total: None)
    expected = store.head_seq()  # events are numbered from 1 without gaps
    try:
        events, head = _write_events(store, partial / "events.jsonl",
                                     lambda done: tell(done, max(expected, done)))
        with Session(store.engine) as session:
            item_rows = session.exec(select(t.Item).order_by(col(t.Item.id)))
            items = _write_csv(partial / "items.csv", ITEM_COLUMNS, item_rows)
            bundle_rows = session.exec(select(t.Bundle).order_by(col(t.Bundle.id)))
            bundles = _write_csv(partial / "bundles.csv", BUNDLE_COLUMNS, bundle_rows)
            signature_rows = session.exec(select(t.OnlineSignatures).order_by(col(t.OnlineSignatures.id)))
            _write_csv(partial / SIGNATURES_CSV, SIGNATURE_COLUMNS, signature_rows)
            outcome_rows = session.exec(select(t.CaseOutcomeRow).order_by(col(t.CaseOutcomeRow.id)))
            _write_csv(partial / OUTCOMES_CSV, OUTCOME_COLUMNS, outcome_rows)
            order_rows = session.exec(select(t.KitOrder).order_by(col(t.KitOrder.id)))
            _write_csv(partial / ORDERS_CSV, ORDER_COLUMNS, order_rows)
            stored = session.exec(select(t.StoredImage.sha256)
                                  .where(col(t.StoredImage.purged_at).is_(None))
                                  .where(col(t.StoredImage.sha256).in_(select(t.Item.image_sha256)))
                                  .order_by(t.StoredImage.sha256)).all()
            campaign = session.exec(select(t.CampaignVersion.campaign_id)
                                    .order_by(col(t.CampaignVersion.id).desc()).limit(1)).first()
        checkpoints = store.checkpoints()
        (partial / "checkpoints.jsonl").write_text(
            "".join(json.dumps(c.to_json()) + "\n" for c in checkpoints), encoding="utf-8")
        fingerprint = "unknown (no public key was given)"
        if public is not None:
            fingerprint = key_id(load_public(public))  # SigningKeyError when it cannot be read
            shutil.copyfile(public, partial / PUBLIC_NAME)
        copied, skipped = 0, []
        if with_images:
            target = ImageStore(partial / "images")
            target.root.mkdir()
            for done, sha in enumerate(stored, 1):
                reason = _copy_scan(store.images, sha, target)
                tell(events + done, events + len(stored))
                if reason is None:
                    copied += 1
                else:
                    skipped.append((sha, reason))
            _write_csv_rows(partial / SKIPPED, ("sha256", "reason"), skipped)
        (partial / "README.txt").write_text(_README.format(
            campaign=campaign or "—", head=head[0], hash=head[1], key=fingerprint,
            at=store.clock().isoformat(timespec="seconds"), skipped=_skipped_text(skipped)),
            encoding="utf-8")
        before = events + len(stored if with_images else ())
        _write_manifest(partial, lambda done, files: tell(before + done, before + files))
        _set_modes(partial, mode)
        fsync_dir(partial)
        os.replace(partial, folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return ExportSummary(folder, events, items, bundles, len(checkpoints), copied, tuple(skipped))


def _skipped_text(skipped: list[tuple[str, str]]) -> str:
    if not skipped:
        return ""
    return ("\nLeft out (not scanned images; listed in images-skipped.csv)\n"
            + "".join(f"  {sha}  {reason}\n" for sha, reason in skipped))


@contextmanager
def _opened_blob(images: ImageStore, sha256: str) -> Iterator[int]:
    """The stored file of `sha256` opened for reading, without following a symbolic link at any
    step below the store's root; raises OSError (ELOOP, ENOTDIR…) when one is in the way."""
    path = images.path_for(sha256).relative_to(images.root)
    nofollow = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fds = [os.open(images.root, os.O_RDONLY | os.O_DIRECTORY)]
    try:
        for part in path.parts[:-1]:
            fds.append(os.open(part, nofollow | os.O_DIRECTORY, dir_fd=fds[-1]))
        # O_NONBLOCK: a FIFO planted in the store must not hold the export forever.
        fds.append(os.open(path.parts[-1], nofollow | os.O_NONBLOCK, dir_fd=fds[-1]))
        yield fds[-1]
    finally:
        for fd in reversed(fds):
            os.close(fd)


def _copy_scan(images: ImageStore, sha256: str, target: ImageStore) -> str | None:
    """Copy the stored file of `sha256` into `target` if it is a regular file holding a scan;
    None when copied, else why it was left out."""
    try:
        with _opened_blob(images, sha256) as fd:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return "not a regular file in the image store"
            with os.fdopen(os.dup(fd), "rb") as source:
                kind = scan_type(source.read(64))
                if kind is None:
                    return "not a scanned image or PDF by its first bytes"
                source.seek(0)
                destination = target.path_for(sha256)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with destination.open("xb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
    except FileNotFoundError:
        return "missing from the image store"
    except OSError as exc:
        return f"not opened: a symbolic link or unreadable ({exc.strerror})"
    return None


def _set_modes(folder: Path, mode: int) -> None:
    """`mode` on every file under `folder`, and `folder_mode(mode)` on it and its folders."""
    for parent, _folders, files in os.walk(folder):
        os.chmod(parent, folder_mode(mode))
        for name in files:
            os.chmod(os.path.join(parent, name), mode, follow_symlinks=False)


def _write_events(store: Store, path: Path,
                  progress: Callable[[int], None]) -> tuple[int, tuple[int, str]]:
    count, head = 0, (0, "")
    with path.open("w", encoding="utf-8") as out:
        for row in store.event_rows():
            out.write(json.dumps({name: getattr(row, name) for name in EVENT_FIELDS},
                                 ensure_ascii=False) + "\n")
            count, head = count + 1, (row.seq, row.hash)
            if count % 1000 == 0:
                progress(count)
    progress(count)
    return count, head


def _write_csv_rows(path: Path, columns: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)


def _write_csv(path: Path, columns: tuple[str, ...], rows: Iterable[SQLModel]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if getattr(row, c) is None else getattr(row, c) for c in columns])
            count += 1
    return count


def _write_manifest(folder: Path, progress: Progress) -> None:
    files = list(export_files(folder))
    lines = []
    for done, p in enumerate(files, 1):
        lines.append(f"{sha256_of_file(p)}  {p.relative_to(folder).as_posix()}\n")
        progress(done, len(files))
    (folder / MANIFEST).write_text("".join(lines), encoding="utf-8")
