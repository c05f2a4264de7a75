"""`scanpipe backup DIR` and `scanpipe restore DIR`: the ledger, its images, keys and secrets,
copied while stations run, and restored into an empty data folder, then verified."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stations.cli.base import Context, masked_url, pass_context
from stations.errors import AuditFailed, BadInput, LedgerError, MissingProgram
from stations.progress import progress_bar
from stations.untrusted import terminal_text

# The store, the backup and the keys are imported by the commands, so that their --help
# loads none of them.
if TYPE_CHECKING:
    from models.store.backup import Manifest
    from stations.settings import Settings

_FOLDER = click.Path(file_okay=False, path_type=Path)
PRIVATE = "private"


def _public() -> str:
    """The office's public key's name in a backup."""
    from models.audit.signing import PUBLIC_NAME

    return f"keys/{PUBLIC_NAME}"


@contextmanager
def _errors() -> Iterator[None]:
    """The backup's errors as the command line's: a refusal is bad input (3), a missing program
    5, a failure on the way the ledger's (4)."""
    from models.store.backup import BackupFailed, BackupRefused, ProgramMissing

    try:
        yield
    except BackupRefused as exc:
        raise BadInput(str(exc)) from None
    except ProgramMissing as exc:
        raise MissingProgram(str(exc)) from None
    except BackupFailed as exc:
        raise LedgerError(str(exc)) from None


def _extras(settings: Settings) -> dict[str, Path]:
    """What is kept beside the ledger, by its name in the backup: the private folder (with the
    signing key when SCANPIPE_SIGNING_KEY puts it elsewhere) and the office's public key."""
    from models.audit.signing import PRIVATE_NAME

    extras = {PRIVATE: settings.private_dir, _public(): settings.public_key_path}
    key = settings.signing_key_path
    if key.parent != settings.private_dir and not (settings.private_dir / PRIVATE_NAME).exists():
        extras[f"{PRIVATE}/{PRIVATE_NAME}"] = key
    return extras


def _refuse_overlap(folder: Path, settings: Settings) -> None:
    """A backup written where intake reads, or into the image store or the private folder, would
    be taken in, mixed with scans, or exposed: refused."""
    where = Path(os.path.realpath(folder))
    for what, place in (("inbox", settings.inbox_dir), ("image store", settings.image_root),
                        ("private folder", settings.private_dir)):
        real = Path(os.path.realpath(place))
        if where == real or where.is_relative_to(real) or real.is_relative_to(where):
            raise BadInput(f"the backup folder {folder} overlaps the {what} {place}: put backups "
                           "apart, best on another disk")


@click.command("backup")
@click.argument("folder", type=_FOLDER)
@pass_context
def backup(obj: Context, folder: Path) -> None:
    """Back up the ledger, its images, the office's keys and the station's secrets into FOLDER
    (new or empty), while the stations keep working.

    SQLite is copied by its online backup, PostgreSQL by pg_dump; the images are
    those the copied ledger refers to. FOLDER gets manifest.json last (what is
    there, with every file's SHA-256): keep it on another disk or off-site,
    encrypted: it holds secrets. Exits 1 when images the ledger refers to are
    missing or changed (the backup is written all the same).
    """
    from models.store.backup import write_backup
    from models.store.core import utc_now

    settings = obj.settings
    obj.refuse_no_ledger()  # a mistyped --data-dir: say so, do not back up nothing
    _refuse_overlap(folder, settings)
    with _errors(), progress_bar("Images", unit="images") as tick:
        manifest = write_backup(settings.ledger_url, settings.image_root, folder,
                                extras=_extras(settings), clock=utc_now, progress=tick)
    size = sum(entry.size for entry in manifest.files)
    click.echo(f"Backed up the {manifest.database} ledger up to event {manifest.head_seq} (hash "
               f"{manifest.head_hash[:16]}…): {manifest.events} events, {manifest.items} items, "
               f"{manifest.images} images; {len(manifest.files)} files, {size / 1e6:.1f} MB in "
               f"{terminal_text(folder)}")
    problems = []
    if manifest.missing_images:
        problems.append(f"{len(manifest.missing_images)} images the ledger refers to are missing "
                        f"from the image store (first: {manifest.missing_images[0]})")
    if manifest.changed_images:
        problems.append(f"{len(manifest.changed_images)} images no longer match their hash "
                        f"(first: {manifest.changed_images[0]})")
    if problems:
        raise AuditFailed("; ".join(problems) + ": the backup holds what was there (listed in "
                          "manifest.json). Run 'scanpipe audit verify' to see what happened.")


@click.command("restore")
@click.argument("folder", type=_FOLDER)
@pass_context
def restore(obj: Context, folder: Path) -> None:
    """Restore the backup in FOLDER into an empty data folder (--data-dir) or, for a backup of
    PostgreSQL, an empty database (--database-url), then verify it.

    Every file is checked against the manifest first; a damaged or incomplete
    backup is refused, naming the file. A target that holds anything is refused:
    a restore never overwrites a ledger. A backup restores into the same kind of
    database it was taken from. Exits 0 when the restored ledger verifies
    (as 'audit verify', images re-hashed), 1 otherwise.
    """
    from models.store.backup import read_backup, refuse_unempty, restore_backup

    settings = obj.settings
    url = settings.ledger_url
    with _errors():
        refuse_unempty(settings.data_dir, "the data folder", "restore into a new or empty data "
                                                             "folder (--data-dir)")
        with progress_bar("Checking the backup", unit="files") as tick:
            manifest = read_backup(folder, progress=tick)
        with progress_bar("Restoring images", unit="images") as tick:
            restore_backup(folder, manifest, url, settings.image_root,
                           extras={PRIVATE: settings.private_dir,
                                   _public(): settings.public_key_path},
                           progress=tick)
    where = (terminal_text(settings.data_dir) if manifest.database == "sqlite"
             else masked_url(url))
    click.echo(f"Restored the backup of {manifest.made_at} (event {manifest.head_seq}) into {where}",
               err=True)
    _verify(settings, url, manifest)


def _verify(settings: Settings, url: str, manifest: Manifest) -> None:
    """The audit of the restored ledger, printed as 'audit verify' does; its head and counts must
    be the manifest's."""
    from models.audit.signing import SigningKeyError, load_public
    from models.audit.verify import report
    from models.store import SchemaBehind, Store
    from models.store.backup import ledger_facts

    facts = ledger_facts(url)
    found = (facts.head_seq, facts.head_hash, facts.events, facts.items)
    if found != (manifest.head_seq, manifest.head_hash, manifest.events, manifest.items):
        raise AuditFailed(f"the restored ledger is not the one backed up: head {facts.head_seq} "
                          f"({facts.head_hash[:16]}…), {facts.events} events, {facts.items} items; "
                          f"the manifest says {manifest.head_seq} ({manifest.head_hash[:16]}…), "
                          f"{manifest.events} events, {manifest.items} items")
    public = None
    if settings.public_key_path.exists():
        try:
            public = load_public(settings.public_key_path)
        except SigningKeyError as exc:
            raise BadInput(str(exc)) from None
    try:
        store = Store.open_read_only(url, settings.image_root)
    except SchemaBehind:
        click.echo(f"The backup's schema ({manifest.schema}) is older than this scanpipe's: "
                   "upgrading it.", err=True)
        store = Store.open(url, settings.image_root)
    try:
        result = store.audit(check_images=True, public=public)
    finally:
        store.close()
    report(result, "the restored ledger")
