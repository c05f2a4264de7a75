"""Backups of a ledger: a consistent copy taken while stations run, and its restore.

    DIR/manifest.json         what the backup holds (`Manifest`): scanpipe's version, the schema
                              revision, the database kind, the ledger's head, the time, and the
                              SHA-256 and size of every file below
    DIR/ledger.sqlite3        SQLite: the ledger, copied by SQLite's online backup
    DIR/ledger.pgdump         PostgreSQL: `pg_dump --format=custom`
    DIR/images/ab/cd/<sha256> every image the ledger copy refers to (not purged)
    DIR/<extra>/…             files kept beside the ledger: the private folder, the public key

The ledger is copied first, as one snapshot (SQLite's backup reads one transaction; pg_dump runs
in the snapshot our own transaction exported), and the list of images is read from that same
snapshot: images arriving meanwhile are not in it, and every image it refers to is on disk
already (a station stores the file before it commits the rows). The backup is built in
`DIR.part` and renamed to DIR at the end, so a DIR with a manifest is a whole backup.

Every file of a backup is its owner's only (0600, folders 0700): it holds secrets and scans.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, make_url, text
from sqlalchemy.engine import Connection
from sqlmodel import col, select

from models.images import ImageStore, fsync_dir, sha256_of_file
from models.store import normalise_url, sqlite_file
from models.store import tables as t
from models.store.core import StoreError
from scanpipe.progress import Progress

MANIFEST = "manifest.json"
FORMAT = "scanpipe-backup/1"
SQLITE_LEDGER = "ledger.sqlite3"
PG_LEDGER = "ledger.pgdump"
IMAGES = "images"
PART_MARK = ".scanpipe-backup-part"  # inside DIR.part: a folder a crashed backup left, ours to remove
FILE_MODE = 0o600
FOLDER_MODE = 0o700
PROGRAM_TIMEOUT = 6 * 3600.0  # seconds for pg_dump or pg_restore: a bound for a hung server


class BackupRefused(StoreError):
    """A backup or restore that cannot start: a folder that is not empty, a damaged backup, a
    backup of another kind of database. The message names the file and says what to do."""


class BackupFailed(StoreError):
    """The backup or restore stopped on the way (pg_dump failed, a disk full…); nothing was left
    under the backup's name, nor in the restore's target."""


class ProgramMissing(StoreError):
    """pg_dump or pg_restore is not installed."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the backup, with /
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, as manifest.json says."""

    scanpipe: str
    schema: str | None
    database: str  # "sqlite" or "postgresql"
    head_seq: int
    head_hash: str
    made_at: str
    events: int
    items: int
    images: int
    files: tuple[FileEntry, ...]
    missing_images: tuple[str, ...] = ()  # referred to by the ledger, not in the image store
    changed_images: tuple[str, ...] = ()  # copied as found, but not matching their name

    def to_json(self) -> dict[str, Any]:
        found = asdict(self)
        found["files"] = [asdict(entry) for entry in self.files]
        return {"format": FORMAT, **found}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format") != FORMAT:
            raise ValueError(f"its format is {data.get('format')!r}, not {FORMAT!r}")
        values = {k: v for k, v in data.items() if k != "format"}
        values["files"] = tuple(FileEntry(**entry) for entry in data["files"])
        values["missing_images"] = tuple(data.get("missing_images", ()))
        values["changed_images"] = tuple(data.get("changed_images", ()))
        return cls(**values)

    @property
    def ledger_file(self) -> str:
        return SQLITE_LEDGER if self.database == "sqlite" else PG_LEDGER


@dataclass(frozen=True)
class LedgerFacts:
    """What the ledger's snapshot says: its head, revision, counts, and the images it refers to."""

    schema: str | None
    head_seq: int
    head_hash: str
    events: int
    items: int
    images: tuple[str, ...]


@dataclass
class _Written:
    entries: list[FileEntry] = field(default_factory=list)

    def add(self, root: Path, path: Path, digest: str, size: int) -> None:
        self.entries.append(FileEntry(path.relative_to(root).as_posix(), digest, size))


# ------------------------------------------------------------------ backup


def write_backup(url: str, image_root: Path, folder: Path, *, extras: Mapping[str, Path],
                 clock: Callable[[], datetime], progress: Progress | None = None,
                 timeout: float = PROGRAM_TIMEOUT) -> Manifest:
    """Back up the ledger at `url` with its images under `image_root` into `folder` (new, or an
    empty folder): the ledger's snapshot first, then the images it refers to, then `extras`
    (name in the backup → a file or folder, copied when it exists). Returns the manifest.

    Raises `BackupRefused` for a `folder` that holds something or a ledger that does not exist,
    `ProgramMissing` without pg_dump, `BackupFailed` when the copy fails on the way."""
    refuse_unempty(folder, "the backup folder", "give a new or empty folder")
    kind = _kind(url)
    if kind == "sqlite":
        path = sqlite_file(url)
        if path is None or not path.is_file():
            raise BackupRefused(f"there is no SQLite ledger at {path or url}: check --data-dir "
                                "(SCANPIPE_DATA_DIR) or SCANPIPE_DATABASE_URL")
    partial = _fresh_partial(folder)
    try:
        written = _Written()
        if kind == "sqlite":
            snapshot = _sqlite_backup(url, partial / SQLITE_LEDGER)
        else:
            snapshot = _pg_backup(url, partial / PG_LEDGER, timeout)
        ledger = partial / (SQLITE_LEDGER if kind == "sqlite" else PG_LEDGER)
        os.chmod(ledger, FILE_MODE)
        written.add(partial, ledger, *_hash_file(ledger))
        missing, changed = _copy_images(ImageStore(image_root), snapshot.images,
                                        ImageStore(partial / IMAGES), written, partial, progress)
        for name, source in extras.items():
            _copy_extra(source, partial / name, written, partial)
        manifest = Manifest(
            scanpipe=_version(), schema=snapshot.schema, database=kind,
            head_seq=snapshot.head_seq, head_hash=snapshot.head_hash,
            made_at=clock().isoformat(timespec="seconds"), events=snapshot.events,
            items=snapshot.items, images=len(snapshot.images) - len(missing),
            files=tuple(written.entries), missing_images=tuple(missing), changed_images=tuple(changed))
        _write_new(partial / MANIFEST, (json.dumps(manifest.to_json(), indent=1) + "\n").encode())
        (partial / PART_MARK).unlink()
        fsync_dir(partial)
        os.replace(partial, folder)  # over an empty folder too (POSIX rename)
        fsync_dir(folder.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _kind(url: str) -> str:
    backend = make_url(normalise_url(url)).get_backend_name()
    if backend == "sqlite" and sqlite_file(url) is not None:
        return "sqlite"
    if backend == "postgresql":
        return "postgresql"
    raise BackupRefused(f"scanpipe backs up a SQLite ledger file or a PostgreSQL database, not "
                        f"{backend} ({'in memory' if backend == 'sqlite' else 'unsupported'})")


def refuse_unempty(folder: Path, what: str, todo: str) -> None:
    """`BackupRefused`, naming what `folder` holds, unless it is missing or an empty folder."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise BackupRefused(f"{what} {folder} is a file or a link, not a folder: {todo}")
    if folder.is_dir():
        held = sorted(entry.name for entry in folder.iterdir())
        if held:
            shown = ", ".join(held[:5]) + (f" and {len(held) - 5} more" if len(held) > 5 else "")
            raise BackupRefused(f"{what} {folder} is not empty (it holds {shown}): {todo}")


def _fresh_partial(folder: Path) -> Path:
    """`folder`.part, made anew (0700); one a crashed backup left (it holds our mark) is removed,
    anything else under that name is refused."""
    partial = folder.with_name(folder.name + ".part")
    if partial.is_symlink() or partial.exists():
        if not (partial.is_dir() and not partial.is_symlink() and (partial / PART_MARK).exists()):
            raise BackupRefused(f"{partial} exists and is not a backup left unfinished: move it away")
        shutil.rmtree(partial)
    partial.parent.mkdir(parents=True, exist_ok=True)
    os.mkdir(partial, FOLDER_MODE)
    os.chmod(partial, FOLDER_MODE)  # whatever the umask
    (partial / PART_MARK).touch(FILE_MODE)
    return partial


def _version() -> str:
    try:
        return version("scanpipe")
    except PackageNotFoundError:
        return "unknown"


def _snapshot(connection: Connection) -> LedgerFacts:
    """The head, schema revision, counts and images (not purged) of the ledger as `connection`
    sees it: one transaction, the backup's snapshot."""
    heads = MigrationContext.configure(connection).get_current_heads()
    head = connection.execute(select(t.Event.seq, t.Event.hash)
                              .order_by(col(t.Event.seq).desc()).limit(1)).first()
    events = connection.execute(select(func.count()).select_from(t.Event)).scalar_one()
    items = connection.execute(select(func.count()).select_from(t.Item)).scalar_one()
    images = connection.execute(select(t.StoredImage.sha256)
                                .where(col(t.StoredImage.purged_at).is_(None))
                                .order_by(col(t.StoredImage.sha256))).scalars().all()
    return LedgerFacts(heads[0] if heads else None, head[0] if head else 0, head[1] if head else "",
                     events, items, tuple(images))


def _sqlite_backup(url: str, target: Path) -> LedgerFacts:
    """SQLite's online backup of the live file into `target`, in one step (one read transaction:
    a snapshot, which in WAL mode neither waits for the stations' writes nor holds them up); the
    copy is then made a file of its own (no write-ahead log) and read for its snapshot."""
    path = sqlite_file(url)
    assert path is not None
    source = sqlite3.connect("file:" + quote(str(path.absolute())) + "?mode=ro", uri=True, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            problem = copy.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupFailed(f"cannot copy the SQLite ledger {path}: {exc}") from None
    finally:
        source.close()
    if problem != "ok":
        raise BackupFailed(f"the copy of the SQLite ledger {path} is damaged ({problem}): the "
                           "ledger file itself may be; keep it as it is and ask for help")
    return ledger_facts(f"sqlite:///{target.as_posix()}")


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL of `url` for libpq's programs, without its password, and the environment that
    gives them the password (never on a command line, where others see it)."""
    parsed = make_url(normalise_url(url))
    env = {**os.environ}
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(program: str, args: list[str], url: str, timeout: float) -> None:
    """Run pg_dump or pg_restore on the database at `url`; `BackupFailed` with its own words
    (the password masked) when it fails, `ProgramMissing` when it is not installed."""
    target, env = _libpq(url)
    try:
        done = subprocess.run([program, "--no-password", f"--dbname={target}", *args], env=env,
                              capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise ProgramMissing(f"{program} is not installed: install the PostgreSQL client programs "
                             "(e.g. apt install postgresql-client), of the server's version or "
                             "newer") from None
    except subprocess.TimeoutExpired:
        raise BackupFailed(f"{program} did not finish within {timeout:.0f} s: check the database "
                           "server and try again") from None
    if done.returncode != 0:
        said = " ".join(done.stderr.strip().splitlines()[-5:]) or f"exit code {done.returncode}"
        password = env.get("PGPASSWORD")
        if password:
            said = said.replace(password, "***")
        raise BackupFailed(f"{program} failed: {said}")


def _pg_backup(url: str, target: Path, timeout: float) -> LedgerFacts:
    """pg_dump in the snapshot of a transaction of ours (exported to it), which also reads the
    head and the images: the dump and the image list are of one moment."""
    engine = create_engine(normalise_url(url), pool_pre_ping=True)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ",
                                                      postgresql_readonly=True)
            with connection.begin():
                exported = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                snapshot = _snapshot(connection)
                _run("pg_dump", ["--format=custom", f"--snapshot={exported}",
                                 f"--file={target}"], url, timeout)
    finally:
        engine.dispose()
    return snapshot


def _copy_images(source: ImageStore, images: Iterable[str], target: ImageStore, written: _Written,
                 root: Path, progress: Progress | None) -> tuple[list[str], list[str]]:
    """Copy `images` from `source` to `target`; returns those missing and those whose content no
    longer matches their name (copied as found: the backup keeps what is there)."""
    wanted = list(images)
    missing, changed = [], []
    for done, sha in enumerate(wanted, 1):
        destination = target.path_for(sha)
        try:
            digest, size = _copy_file(source.path_for(sha), destination)
        except FileNotFoundError:
            missing.append(sha)
        else:
            written.add(root, destination, digest, size)
            if digest != sha:
                changed.append(sha)
        if progress:
            progress(done, len(wanted))
    return missing, changed


def _copy_extra(source: Path, target: Path, written: _Written, root: Path) -> None:
    """Copy the file or folder `source` (its regular files; links are not followed) to `target`."""
    if source.is_symlink() or not source.exists():
        return
    if source.is_file():
        written.add(root, target, *_copy_file(source, target))
        return
    for parent, folders, files in os.walk(source):
        folders.sort()
        for name in sorted(files):
            path = Path(parent) / name
            if path.is_file() and not path.is_symlink():
                copy = target / path.relative_to(source)
                written.add(root, copy, *_copy_file(path, copy))


# ------------------------------------------------------------------ files


def _copy_file(source: Path, target: Path, mode: int = FILE_MODE) -> tuple[str, int]:
    """Copy `source` to the new file `target` (`mode` whatever the umask, flushed to disk), its
    folders made 0700; returns the SHA-256 and size of what was copied."""
    with source.open("rb") as stream:
        return _write_stream(stream.read, target, mode)


def _write_new(target: Path, data: bytes, mode: int = FILE_MODE) -> None:
    chunks = iter((data, b""))
    _write_stream(lambda _size: next(chunks), target, mode)


def _write_stream(read: Callable[[int], bytes], target: Path, mode: int) -> tuple[str, int]:
    _folders(target.parent)
    digest, size = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), mode)
        for chunk in iter(lambda: read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), size


def _folders(folder: Path) -> None:
    """`folder` and its missing parents, made 0700."""
    if folder.is_dir():
        return
    _folders(folder.parent)
    os.mkdir(folder, FOLDER_MODE)
    os.chmod(folder, FOLDER_MODE)


def _hash_file(path: Path) -> tuple[str, int]:
    """The SHA-256 and size of a file the backup holds (written, never changed after)."""
    return sha256_of_file(path), path.stat().st_size


# ------------------------------------------------------------------ restore


def read_backup(folder: Path, progress: Progress | None = None) -> Manifest:
    """The manifest of the backup in `folder`, once every file it lists is there with its size
    and SHA-256; `BackupRefused` naming the first file missing or changed."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BackupRefused(f"there is no backup folder {folder}")
    try:
        manifest = Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise BackupRefused(f"{folder} holds no {MANIFEST}: it is not a scanpipe backup, or one "
                            "that never finished (a backup gets its manifest last)") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupRefused(f"the manifest {path} cannot be read ({exc}): the backup is damaged; "
                            "use another one") from None
    if not any(entry.path == manifest.ledger_file for entry in manifest.files):
        raise BackupRefused(f"the manifest {path} lists no ledger file: the backup is damaged; "
                            "use another one")
    for done, entry in enumerate(manifest.files, 1):
        file = folder / entry.path
        if ".." in Path(entry.path).parts or Path(entry.path).is_absolute():
            raise BackupRefused(f"the manifest {path} names a file outside the backup ({entry.path}): "
                                "it is damaged or forged; use another backup")
        if not file.is_file():
            raise BackupRefused(f"the backup is incomplete: {file} is missing; use another backup")
        if _hash_file(file) != (entry.sha256, entry.size):
            raise BackupRefused(f"the backup is damaged: {file} is not what its manifest says (its "
                                "size or SHA-256 differs); use another backup")
        if progress:
            progress(done, len(manifest.files))
    return manifest


def restore_backup(folder: Path, manifest: Manifest, url: str, image_root: Path, *,
                   extras: Mapping[str, Path], progress: Progress | None = None,
                   timeout: float = PROGRAM_TIMEOUT) -> None:
    """Restore the backup in `folder` (checked: `read_backup`) into the empty ledger at `url`,
    its images into `image_root`, and each of `extras` (name in the backup → where it goes).

    The ledger comes last, so a restore cut off leaves no ledger; a restore that fails removes
    what it wrote. Raises `BackupRefused` for a target that is not empty (naming what is there)
    or a backup of another kind of database."""
    kind = _kind(url)
    if kind != manifest.database:
        into = ("a data folder, without SCANPIPE_DATABASE_URL" if manifest.database == "sqlite"
                else "an empty PostgreSQL database given by --database-url")
        raise BackupRefused(f"this is a backup of a {manifest.database} ledger: it restores into "
                            f"{manifest.database} only, not into {kind}; restore it into {into}")
    refuse_unempty(image_root, "the image store", "restore into an empty data folder")
    for name, place in extras.items():
        if place.is_symlink() or place.exists():
            refuse_unempty(place, f"the restore's target for {name}",
                            "restore into an empty data folder")
    if kind == "sqlite":
        ledger = sqlite_file(url)
        assert ledger is not None
        if ledger.exists():
            raise BackupRefused(f"there is a ledger at {ledger} already: a restore never "
                                "overwrites a ledger; restore into an empty data folder")
    else:
        _refuse_unempty_database(url)
    undo = _Undo()
    try:
        _restore_files(folder, manifest, IMAGES, image_root, undo, progress)
        for name, place in extras.items():
            _restore_files(folder, manifest, name, place, undo, None)
        if kind == "sqlite":
            assert ledger is not None
            _restore_sqlite(folder / SQLITE_LEDGER, ledger, undo)
        else:
            _run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error",
                                "--single-transaction", str(folder / PG_LEDGER)], url, timeout)
    except BaseException:
        undo.run()
        raise


@dataclass
class _Undo:
    """What a restore wrote, removed if it fails: what it made, and what it put in folders that
    were there, empty."""

    made: list[Path] = field(default_factory=list)
    filled: list[Path] = field(default_factory=list)

    def note(self, path: Path) -> None:
        """Writing at `path` comes next: note the outermost of it and its folders that is
        missing, or the folder that is there."""
        missing = [p for p in (path, *path.parents) if not p.exists()]
        if missing:
            self.made.append(missing[-1])
        elif path.is_dir():
            self.filled.append(path)

    def run(self) -> None:
        for path in [*reversed(self.made), *(e for f in self.filled for e in f.iterdir())]:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _restore_sqlite(copy: Path, ledger: Path, undo: _Undo) -> None:
    """The ledger file last, whole or not at all: copied beside its place, then renamed."""
    partial = ledger.with_name(ledger.name + ".part")
    partial.unlink(missing_ok=True)
    undo.note(partial)
    undo.note(ledger)
    _copy_file(copy, partial)
    os.replace(partial, ledger)
    fsync_dir(ledger.parent)


def _restore_files(folder: Path, manifest: Manifest, name: str, place: Path, undo: _Undo,
                   progress: Progress | None) -> None:
    """Copy the backup's files under `name` (a folder, or one file) to `place`, keeping their
    paths below it: a folder's files 0600 and its folders 0700; one file its mode as before
    (0600 in the backup; a public key is made readable again, 0644)."""
    prefix = name + "/"
    entries = [e for e in manifest.files if e.path == name or e.path.startswith(prefix)]
    if not entries:
        return
    undo.note(place)
    for done, entry in enumerate(entries, 1):
        target = place if entry.path == name else place / entry.path[len(prefix):]
        mode = FILE_MODE
        if entry.path == name and name.endswith(".pub"):
            mode = 0o644
            target.parent.mkdir(parents=True, exist_ok=True)  # readable, as its file
        _copy_file(folder / entry.path, target, mode)
        if progress:
            progress(done, len(entries))


def _refuse_unempty_database(url: str) -> None:
    engine = create_engine(normalise_url(url), pool_pre_ping=True)
    try:
        with engine.connect() as connection:
            tables = connection.execute(text(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
                "ORDER BY 1")).scalars().all()
    finally:
        engine.dispose()
    if tables:
        shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
        ledger = "a scanpipe ledger: " if "public.event" in tables else ""
        raise BackupRefused(f"the database to restore into is not empty (it holds {ledger}{shown}): a "
                            "restore never overwrites a ledger; make a new database (createdb) "
                            "and restore into it")


def ledger_facts(url: str) -> LedgerFacts:
    """The head, schema revision, counts and images of the ledger at `url` (after a restore, to
    compare with the manifest)."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as connection:
            return _snapshot(connection)
    finally:
        engine.dispose()
