"""The hot folder's file operations, made so that a crash loses no file.

The client reads a private copy in work/ (`<token>--<name>`); the original moves to
done/<date>/ or to quarantine/ (with `<name>.reason.txt`) under a free name, by a rename whose
folders are synced, or across filesystems by a synced copy before the original is removed. A
crash leaves a file in one place or both, never in none.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from models.images import sha256_of_file
from stations.hotfolder.inbox import Stat, stat_of

log = logging.getLogger(__package__)

_COPY_NAME = re.compile(r"^[0-9a-f]{12}--")  # work/<token>--<original name>: only these are ours


class Changed(Exception):
    """The file changed while it was copied: it was not complete after all."""


class LeftBehind(Exception):
    """The file is safe at `target` (copied across filesystems) but the original stayed."""

    def __init__(self, target: Path, error: OSError):
        super().__init__(str(error))
        self.target = target


def original_name(copy: Path) -> str:
    """The name the scanner gave a file, from the name of its copy in work/."""
    return _COPY_NAME.sub("", copy.name, count=1)


def copy_to_work(work: Path, path: Path, expected: Stat) -> Path:
    """A private copy for the client to read, checked against the size and time it settled at."""
    work.mkdir(parents=True, exist_ok=True)
    copy = work / f"{uuid.uuid4().hex[:12]}--{path.name}"
    try:
        with open(path, "rb") as source, open(copy, "xb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
            copied = target.tell()  # a private copy to read: never synced, the original stays
        if copied != expected.size or stat_of(path) != expected:
            raise Changed(path)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return copy


def clear_copies(work: Path) -> set[str]:
    """Delete the copies in work/ left by a crash; returns their digests: their originals, if
    still in the inbox, were being taken when the station stopped."""
    try:
        entries = list(os.scandir(work))
    except FileNotFoundError:
        return set()
    digests: set[str] = set()
    for entry in entries:
        if _COPY_NAME.match(entry.name) and not entry.is_dir(follow_symlinks=False):
            log.info("hot folder: removing a copy left when the station stopped: %s", entry.path)
            with contextlib.suppress(OSError):
                digests.add(sha256_of_file(Path(entry.path)))
            os.unlink(entry.path)
    return digests


def to_done(done: Path, name: str, path: Path, renamed: set[Path]) -> Path:
    """Move to done/<today>/, keeping the folders of `name` (relative to the inbox)."""
    folder = done / datetime.now().date().isoformat() / Path(name).parent
    target = _free_name(folder, path.name)
    _move(path, target, renamed)
    return target


def to_quarantine(quarantine: Path, name: str, path: Path, reason: str, renamed: set[Path]) -> Path:
    """Move to quarantine/ with `<name>.reason.txt`, written first so the file never lacks it."""
    target = _free_name(quarantine, path.name, also=".reason.txt")
    note = target.with_name(target.name + ".reason.txt")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    with open(note, "x", encoding="utf-8") as out:
        out.write(f"file: {name}\nquarantined: {when}\nreason: {reason}\n")
        out.flush()
        os.fsync(out.fileno())
    try:
        _move(path, target, renamed)
    except OSError:
        note.unlink(missing_ok=True)
        raise
    return target


def _free_name(folder: Path, name: str, also: str = "") -> Path:
    """The first of name, name-2, name-3... (before the suffix) not taken in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 1
    while True:
        candidate = folder / (name if number == 1 else f"{stem}-{number}{suffix}")
        if not candidate.exists() and not (also and candidate.with_name(candidate.name + also).exists()):
            return candidate
        number += 1


def _move(source: Path, target: Path, renamed: set[Path]) -> None:
    """Move to a free name so that a crash leaves the file in one place or both, never in none.

    The hot folder is the only writer of done/ and quarantine/, so checking that the name is
    free before `os.replace` never overwrites. A rename's folders are added to `renamed`, for
    the caller to sync once for all the files it moves.
    """
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.moving")
        try:
            with open(source, "rb") as src, open(temporary, "xb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
                dst.flush()
                os.fsync(dst.fileno())
            shutil.copystat(source, temporary)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        fsync_dir(target.parent)  # the copy is safe on disk before the original goes
        try:
            remove(source)
        except OSError as error:
            raise LeftBehind(target, error) from error
        return
    renamed.update((target.parent, source.parent))


def remove(path: Path) -> None:
    """Remove a file, durably."""
    os.unlink(path)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename durable: the directory entry is only on disk once the folder is synced."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # e.g. Windows, where folders cannot be opened like this
    try:
        os.fsync(fd)
    except OSError:
        pass  # some network filesystems refuse fsync on a folder
    finally:
        os.close(fd)
