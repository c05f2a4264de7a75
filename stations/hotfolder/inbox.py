"""The inbox as the hot folder sees it: its entries, less its own folders and the files that
are not complete yet by their name (hidden, lock and temporary files), and which it refuses.

Entries are seen with `lstat`, never through a link: a symlink (to a file, to a folder or
dangling), a FIFO, a socket or a device is an entry to refuse, never a file to open, and a
folder link is never walked into. A regular file with more than one name (a hard link, which
may be a secret's other name) is refused too.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from stations.hotfolder.client import Folders

# What scanners, browsers and copy tools write before renaming to the final name.
TEMPORARY_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")


@dataclass(frozen=True)
class Stat:
    size: int
    mtime_ns: int
    mode: int = stat.S_IFREG  # the entry's type and permissions, as lstat gives them
    ino: int = 0
    dev: int = 0
    nlink: int = 1

    @staticmethod
    def of(st: os.stat_result) -> Stat:
        return Stat(st.st_size, st.st_mtime_ns, st.st_mode, st.st_ino, st.st_dev, st.st_nlink)

    @property
    def regular(self) -> bool:
        return stat.S_ISREG(self.mode)


def stat_of(path: Path) -> Stat:
    """The entry itself (`lstat`: a symlink is not followed)."""
    return Stat.of(os.lstat(path))


def kind_of(mode: int) -> str:
    """What an entry that is not a regular file is, in words."""
    for test, words in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                        (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                        (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return words
    return "not a regular file"


@dataclass(frozen=True)
class Refusal:
    """Why an entry is not offered to the client: a code of REASON_CODES and the English detail."""

    code: str
    reason: str


class Inbox:
    """Lists and judges the files in the inbox; its own done/, quarantine/ and work/ are skipped."""

    def __init__(self, folders: Folders, suffixes: frozenset[str], max_bytes: int):
        # Real paths to walk and compare.
        self.real = Path(os.path.realpath(folders.inbox))
        self.own = tuple(Path(os.path.realpath(p)) for p in (folders.done, folders.quarantine, folders.work))
        if self.real in self.own:
            raise ValueError(f"the inbox {folders.inbox} cannot also be the done, quarantine or work folder")
        self.suffixes = frozenset(s.lower() for s in suffixes)
        self.max_bytes = max_bytes

    def scan(self) -> dict[str, tuple[Path, Stat]]:
        """Every entry to consider (files, and links, pipes... to refuse), by its name relative
        to the inbox. Folders are walked into, links to folders are not. OSError when the inbox
        itself cannot be listed."""
        found: dict[str, tuple[Path, Stat]] = {}
        own = {str(p) for p in self.own}
        folders = [str(self.real)]
        while folders:
            folder = folders.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                if folder == str(self.real):
                    raise  # the inbox itself cannot be read: the hot folder raises the alarm
                continue  # a subfolder gone, or not readable: its files are not ours to see
            for entry in entries:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue  # gone since the listing
                if stat.S_ISDIR(st.st_mode):
                    if not entry.name.startswith(".") and entry.path not in own:
                        folders.append(entry.path)
                    continue
                if _ignored(entry.name):
                    continue
                name = os.path.relpath(entry.path, self.real).replace(os.sep, "/")
                found[name] = (Path(entry.path), Stat.of(st))
        return found

    def concerns(self, path: str) -> bool:
        """Whether a change at `path` may be a file to take (our own moves and copies are not)."""
        changed = Path(path)
        inside = changed.is_relative_to(self.real) and changed != self.real
        if not inside or any(changed.is_relative_to(own) for own in self.own):
            return False
        parts = changed.relative_to(self.real).parts
        return not any(p.startswith(".") for p in parts[:-1]) and not _ignored(parts[-1])

    def refusal(self, name: str, st: Stat) -> Refusal | None:
        """Why an entry is not even offered to the client, or None."""
        return refusal(name, st, self.suffixes, self.max_bytes)


def refusal(name: str, st: Stat, suffixes: frozenset[str], max_bytes: int) -> Refusal | None:
    """Why an entry (`st` from lstat, or fstat of what was opened) is not offered to the client."""
    if not st.regular:
        return Refusal("not_regular", f"not a regular file: {kind_of(st.mode)}; it was not opened "
                                      "(only files the scanner writes are taken)")
    if st.nlink > 1:
        return Refusal("hard_link", f"a file with {st.nlink} names (a hard link); it was not read "
                                    "(only files the scanner writes are taken)")
    suffix = Path(name).suffix.lower()
    readable = ", ".join(sorted(suffixes))
    if not suffix:
        return Refusal("not_a_scan", f"not a scan: the file has no extension; scanpipe reads {readable}")
    if suffix not in suffixes:
        return Refusal("not_a_scan", f"not a scan: the extension {suffix} is not one scanpipe reads "
                                     f"({readable})")
    if st.size == 0:
        return Refusal("empty", "empty file (0 bytes): the scanner wrote nothing; scan the pages again")
    if st.size > max_bytes:
        return Refusal("too_large", f"too big: {st.size / 2**20:.1f} MB, more than the limit of "
                                    f"{max_bytes / 2**20:.0f} MB a file (SCANPIPE_MAX_FILE_MB); "
                                    "scan fewer pages a file or at a lower resolution")
    return None


def _ignored(file_name: str) -> bool:
    """Hidden files, lock files and the temporary names files have before they are complete."""
    return file_name.startswith((".", "~")) or file_name.lower().endswith(TEMPORARY_SUFFIXES)
