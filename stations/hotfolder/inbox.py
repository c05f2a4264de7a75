"""The inbox as the hot folder sees it: its files, less its own folders and the files that are
not complete yet by their name (hidden, lock and temporary files), and which files it refuses."""

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


def stat_of(path: Path) -> Stat:
    st = os.stat(path)
    return Stat(st.st_size, st.st_mtime_ns)


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
        """Every file to consider, by its name relative to the inbox."""
        found: dict[str, tuple[Path, Stat]] = {}
        own = {str(p) for p in self.own}
        for root, dirs, files in os.walk(self.real):
            dirs[:] = [d for d in dirs if not d.startswith(".") and os.path.join(root, d) not in own]
            for file in files:
                if _ignored(file):
                    continue
                path = os.path.join(root, file)
                try:
                    st = os.stat(path)
                except OSError:
                    continue  # gone since the listing
                if stat.S_ISREG(st.st_mode):
                    name = os.path.relpath(path, self.real).replace(os.sep, "/")
                    found[name] = (Path(path), Stat(st.st_size, st.st_mtime_ns))
        return found

    def concerns(self, path: str) -> bool:
        """Whether a change at `path` may be a file to take (our own moves and copies are not)."""
        changed = Path(path)
        inside = changed.is_relative_to(self.real) and changed != self.real
        if not inside or any(changed.is_relative_to(own) for own in self.own):
            return False
        parts = changed.relative_to(self.real).parts
        return not any(p.startswith(".") for p in parts[:-1]) and not _ignored(parts[-1])

    def refusal(self, name: str, st: Stat) -> str | None:
        """Why a file is not even offered to the client, or None."""
        suffix = Path(name).suffix.lower()
        readable = ", ".join(sorted(self.suffixes))
        if not suffix:
            return f"not a scan: the file has no extension; scanpipe reads {readable}"
        if suffix not in self.suffixes:
            return f"not a scan: the extension {suffix} is not one scanpipe reads ({readable})"
        if st.size == 0:
            return "empty file (0 bytes): the scanner wrote nothing; scan the pages again"
        if st.size > self.max_bytes:
            return (f"too big: {st.size / 2**20:.1f} MB, more than the limit of "
                    f"{self.max_bytes / 2**20:.0f} MB a file (SCANPIPE_MAX_FILE_MB); "
                    "scan fewer pages a file or at a lower resolution")
        return None


def _ignored(file_name: str) -> bool:
    """Hidden files, lock files and the temporary names files have before they are complete."""
    return file_name.startswith((".", "~")) or file_name.lower().endswith(TEMPORARY_SUFFIXES)
