"""The audit export read back and checked, without any database (`models.audit.export` writes it).

`verify_export` replays the events, checks the chain, the checkpoints, every life, the two
tables against the events, the images and the manifest.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from models.audit.checks import AuditResult, dict_get, orders_agree, rows_agree, verify_events
from models.audit.records import records_agree
from models.audit.replay import Problem
from models.audit.signing import PUBLIC_NAME, SignedHead, SigningKeyError, key_id, load_public
from models.images import ImageStore, sha256_of_file

MANIFEST = "MANIFEST.sha256"
# The files of the image store an export left out as not scanned images, with the reason.
SKIPPED = "images-skipped.csv"
# The tables of signature imports and case outcomes (`models.audit.records`); an export made
# before they existed has neither, and no event that needs them.
SIGNATURES_CSV = "online_signatures.csv"
OUTCOMES_CSV = "case_outcome.csv"
ORDERS_CSV = "kit_orders.csv"  # the kit order table (exports made before orders have none)
# The fields of each line of events.jsonl, as the ledger stores and hashes them.
EVENT_FIELDS = ("seq", "at", "actor", "station", "type", "subject", "payload", "prev_hash", "hash")


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


def export_files(folder: Path) -> list[Path]:
    """Every file of an export but its manifest, in order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def read_events(path: Path) -> Iterator[EventRecord]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                data = json.loads(line)
                yield EventRecord(*(data[name] for name in EVENT_FIELDS))
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


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _read_if_there(path: Path) -> list[dict[str, str]]:
    return _read_csv(path) if path.is_file() else []


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
    if problem is None:
        disagree = records_agree(state.records, _read_if_there(folder / SIGNATURES_CSV),
                                 _read_if_there(folder / OUTCOMES_CSV), get=dict_get)
        problem = Problem(*disagree) if disagree else None
    if problem is None and (state.orders or (folder / ORDERS_CSV).is_file()):
        # An export made before kit orders existed has no such file, and no order to check.
        problem = (orders_agree(state, _read_csv(folder / ORDERS_CSV), get=dict_get)
                   if (folder / ORDERS_CSV).is_file()
                   else Problem(ORDERS_CSV, f"missing from {folder}, but the ledger imported kit orders"))
    images = 0
    image_root = folder / "images"
    if problem is None and image_root.is_dir():
        store = ImageStore(image_root)
        left_out = {row.get("sha256", "") for row in _read_csv(folder / SKIPPED)} \
            if (folder / SKIPPED).is_file() else set()
        if left_out:
            warnings.append(f"{len(left_out)} file(s) of the image store were left out of the "
                            f"export as not scanned images ({SKIPPED} says why): their hashes are "
                            "in the events, the files were not checked")
        for sha in sorted({i.sha256 for i in state.items.values()} - state.purged_images - left_out):
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
    present = {p.relative_to(folder).as_posix() for p in export_files(folder)}
    for name in sorted(present - set(listed)):
        return Problem(name, "this file is not in the manifest: it was added after the export")
    for name, digest in sorted(listed.items()):
        if name not in present:
            return Problem(name, "this file is listed in the manifest but missing")
        if sha256_of_file(folder / name) != digest:
            return Problem(name, "this file differs from its SHA-256 in the manifest")
    return None
