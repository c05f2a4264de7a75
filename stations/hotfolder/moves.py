"""The hot folder's file operations, made so that a crash loses no file and no link is followed.

The client reads a private copy in work/ (`<token>--<name>`), made from a descriptor opened
without following links and checked (a regular file, the very entry seen in the inbox, one
name, not too large) before a byte is read. The original moves to done/<date>/ or to
quarantine/ (with `<name>.reason.txt`) under a free name, by a rename whose folders are synced,
or across filesystems by a synced copy before the original is removed. A crash leaves a file in
one place or both, never in none. Names are made safe for these folders (`safe_name`): no
control or bidi character, no invalid UTF-8, never longer than NAME_MAX; the reason note writes
the original name escaped (`escape`), one field a line.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import shutil
import stat
import unicodedata
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from models.images import fsync_dir, sha256_of_file
from stations.hotfolder.client import OurFault
from stations.hotfolder.inbox import Refusal, Stat, refusal, stat_of

log = logging.getLogger(__package__)

_COPY_NAME = re.compile(r"^[0-9a-f]{12}--")  # work/<token>--<original name>: only these are ours
NAME_MAX = 255          # bytes in one file name (Linux, macOS, Windows' NTFS in UTF-16 units)
NOTE_SUFFIX = ".reason.txt"
_CHUNK = 1024 * 1024
# Open flags for a file of the inbox: never through a link, never wait on a FIFO, never become
# the controlling terminal of a device (which is refused after fstat anyway).
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))


class Changed(Exception):
    """The file changed while it was copied: it was not complete after all."""


class Refused(Exception):
    """What was opened is not a file to take (a link swapped in, more names, too large)."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.reason)
        self.refusal = refusal


class Unreadable(OSError):
    """The file itself could not be opened or read (the file's fault, not ours)."""


class LeftBehind(Exception):
    """The file is safe at `target` (copied across filesystems) but the original stayed."""

    def __init__(self, target: Path, error: OSError):
        super().__init__(str(error))
        self.target = target


def original_name(copy: Path) -> str:
    """The name of a file, from the name of its copy in work/ (as `safe_name` made it: the hot
    folder's `original` gives the name exactly as found)."""
    return _COPY_NAME.sub("", copy.name, count=1)


# ----------------------------------------------------------------- names


def _unsafe(char: str) -> bool:
    """Control, format (bidi overrides, zero-width), separator, surrogate (an undecodable
    byte), private or unassigned characters: none is written raw into a name or a note."""
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def escape(text: str) -> str:
    """`text` on one line of printable characters: a backslash, control, bidi and other unsafe
    characters as \\xNN, \\uNNNN escapes, an undecodable byte (from a file name) as \\xNN."""
    out = []
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogateescape of an invalid byte
            out.append(f"\\x{code - 0xDC00:02x}")
        elif not _unsafe(char):
            out.append(char)
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def _size(text: str) -> int:
    return len(os.fsencode(text))


def safe_name(name: str, room: int = 0) -> str:
    """A name for our folders from `name` (a file name, no folder): unsafe characters replaced by
    "_", a leading dot dropped, and at most NAME_MAX - `room` bytes, cut with a hash of the whole
    name before the extension, which is kept. A plain, short name is kept as it is."""
    clean = "".join("_" if _unsafe(c) or c in "/\\" else c for c in name).lstrip(".") or "_"
    limit = NAME_MAX - room
    if clean == name and _size(clean) <= limit:
        return clean
    stem, suffix = os.path.splitext(clean)
    if _size(suffix) > 16:
        stem, suffix = clean, ""
    mark = "~" + hashlib.sha256(os.fsencode(name)).hexdigest()[:10]
    keep = limit - _size(mark) - _size(suffix)
    encoded = stem.encode("utf-8")[:max(0, keep)].decode("utf-8", "ignore")
    return f"{encoded}{mark}{suffix}"


# ----------------------------------------------------------------- reading


def open_regular(path: Path, expected: Stat, max_bytes: int) -> int:
    """A descriptor on the file at `path`, opened without following a link and checked to be the
    regular file `expected` (lstat) saw, with one name and at most `max_bytes`; the caller
    closes it. Raises Refused, Changed, FileNotFoundError or Unreadable."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):  # a link put there since the listing
            raise Refused(Refusal("not_regular", "not a regular file: a symbolic link; it was "
                                                 "not opened")) from None
        raise Unreadable(exc.errno, exc.strerror, str(path)) from None
    try:
        opened = Stat.of(os.fstat(fd))
        if (opened.ino, opened.dev) != (expected.ino, expected.dev) and expected.ino:
            raise Changed(path)
        why = refusal(path.name, opened, frozenset({path.suffix.lower()}), max_bytes)
        if why is not None and why.code in ("not_regular", "hard_link"):
            raise Refused(why)
        if (opened.size, opened.mtime_ns) != (expected.size, expected.mtime_ns):
            raise Changed(path)  # it grew or was rewritten since it settled: it settles again
        if why is not None and why.code == "too_large":
            raise Refused(why)
        if stat.S_ISREG(opened.mode) and os.get_blocking(fd) is False:
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def _writing(work: Path) -> Iterator[None]:
    """An OSError in the block is ours: the work folder cannot be written (OurFault)."""
    try:
        yield
    except OSError as exc:
        raise OurFault("work_folder", f"cannot write the work folder {work}: "
                                      f"{exc.strerror or exc}") from None


def _chunks(fd: int, path: Path, most: int) -> Iterator[bytes]:
    """The bytes of the open file `fd`, until its end or until more than `most` were read;
    Unreadable (the file's fault) when it cannot be read."""
    read = 0
    while read <= most:
        try:
            chunk = os.read(fd, _CHUNK)
        except OSError as exc:
            raise Unreadable(exc.errno, exc.strerror, str(path)) from None
        if not chunk:
            return
        read += len(chunk)
        yield chunk


def copy_to_work(work: Path, path: Path, expected: Stat, max_bytes: int | None = None) -> Path:
    """A private copy for the client to read, checked against the entry and the size and time it
    settled at. Reads at most the settled size and one byte more. Raises Changed, Refused,
    FileNotFoundError, Unreadable (the file's fault) or OurFault (work/ cannot be written)."""
    with _writing(work):
        work.mkdir(parents=True, exist_ok=True)
    fd = open_regular(path, expected, expected.size if max_bytes is None else max_bytes)
    try:
        copy = work / f"{uuid.uuid4().hex[:12]}--{safe_name(path.name, room=14)}"
        with _writing(work):
            target = open(copy, "xb")  # noqa: SIM115 - closed by the `with target` below
        try:
            copied = 0
            with target:
                for chunk in _chunks(fd, path, expected.size):
                    copied += len(chunk)
                    with _writing(work):
                        target.write(chunk)  # a private copy to read: never synced, the original stays
                with _writing(work):
                    target.flush()
            after = Stat.of(os.fstat(fd))
            if copied != expected.size or (after.size, after.mtime_ns) != (expected.size, expected.mtime_ns):
                raise Changed(path)
        except BaseException:
            copy.unlink(missing_ok=True)
            raise
    finally:
        os.close(fd)
    return copy


def safe_digest(path: Path, max_bytes: int) -> tuple[str | None, int | None]:
    """The SHA-256 and size of the regular file at `path`, read through a descriptor opened as
    `open_regular` opens it; (None, size) for a file too large to read, (None, None) for an entry
    that is not a regular file with one name, or one that cannot be read. Never follows a link."""
    try:
        seen = stat_of(path)
    except OSError:
        return None, None
    if not seen.regular or seen.nlink > 1:
        return None, None
    if seen.size > max_bytes:
        return None, seen.size
    try:
        fd = open_regular(path, seen, max_bytes)
    except (OSError, Refused, Changed):
        return None, None
    digest, size = hashlib.sha256(), 0
    try:
        for chunk in _chunks(fd, path, max_bytes):
            digest.update(chunk)
            size += len(chunk)
    except OSError:
        return None, None
    finally:
        os.close(fd)
    return (digest.hexdigest(), size) if size <= max_bytes else (None, size)


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
    parents = [safe_name(part) for part in Path(name).parent.parts]
    folder = done.joinpath(datetime.now().date().isoformat(), *parents)
    target = free_name(folder, safe_name(path.name, room=8))
    _move(path, target, renamed)
    return target


def to_quarantine(quarantine: Path, name: str, path: Path, reason: str, renamed: set[Path],
                  code: str | None = None) -> Path:
    """Move to quarantine/ with `<name>.reason.txt`, written first so the file never lacks it.
    The note says, one field a line, the name as found and the reason, both escaped (no line
    can be forged), when, the reason's code and the size."""
    target = free_name(quarantine, safe_name(path.name, room=8 + len(NOTE_SUFFIX)), also=NOTE_SUFFIX)
    note = target.with_name(target.name + NOTE_SUFFIX)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    try:
        size: int | None = os.lstat(path).st_size
    except OSError:
        size = None
    fields = [("file", escape(name)), ("quarantined", when), ("reason", escape(reason)),
              ("code", escape(code or "")), ("size", "" if size is None else str(size))]
    with open(note, "x", encoding="utf-8") as out:
        out.write("".join(f"{key}: {value}\n" for key, value in fields))
        out.flush()
        os.fsync(out.fileno())
    try:
        _move(path, target, renamed)
    except OSError:
        note.unlink(missing_ok=True)
        raise
    return target


def free_name(folder: Path, name: str, also: str = "") -> Path:
    """The first of name, name-2, name-3... (before the suffix) not taken in `folder` (a
    dangling link counts as taken)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = os.path.splitext(name)
    number = 1
    while True:
        candidate = folder / (name if number == 1 else f"{stem}-{number}{suffix}")
        if not os.path.lexists(candidate) and not (also and os.path.lexists(
                candidate.with_name(candidate.name + also))):
            return candidate
        number += 1


def _move(source: Path, target: Path, renamed: set[Path]) -> None:
    """Move to a free name so that a crash leaves the file in one place or both, never in none.

    The hot folder is the only writer of done/ and quarantine/, so checking that the name is
    free before `os.replace` never overwrites. A rename's folders are added to `renamed`, for
    the caller to sync once for all the files it moves. A link is moved as a link, never
    followed; across filesystems a symlink or FIFO is made again, and an entry with nothing of
    its own to keep (a device, a socket, a hard link's extra name) is only removed.
    """
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        seen = os.lstat(source)
        if stat.S_ISLNK(seen.st_mode) or stat.S_ISFIFO(seen.st_mode) or (
                stat.S_ISREG(seen.st_mode) and seen.st_nlink == 1):
            _copy_entry(source, seen, target)
        # else: a device, a socket or a hard link's extra name has nothing of its own to keep
        fsync_dir(target.parent)  # the copy is safe on disk before the original goes
        try:
            remove(source)
        except OSError as error:
            raise LeftBehind(target, error) from error
        return
    renamed.update((target.parent, source.parent))


def _copy_entry(source: Path, seen: os.stat_result, target: Path) -> None:
    """A copy of the entry `source` (a symlink, a FIFO, or a regular file with one name) at
    `target`, synced, made under a temporary name first; never through a link."""
    temporary = target.with_name(f".moving-{uuid.uuid4().hex[:12]}")
    try:
        if stat.S_ISLNK(seen.st_mode):
            os.symlink(os.readlink(source), temporary)
        elif stat.S_ISFIFO(seen.st_mode):
            os.mkfifo(temporary, 0o600)
        else:
            fd = os.open(source, _OPEN_FLAGS)
            with os.fdopen(fd, "rb") as src, open(temporary, "xb") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
                dst.flush()
                os.fsync(dst.fileno())
            shutil.copystat(source, temporary, follow_symlinks=False)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def move(source: Path, target: Path) -> None:
    """Move `source` to the free name `target` crash-safely (see `_move`), durably."""
    renamed: set[Path] = set()
    _move(source, target, renamed)
    for folder in renamed:
        fsync_dir(folder)


def remove(path: Path) -> None:
    """Remove a file, durably."""
    os.unlink(path)
    fsync_dir(path.parent)
