"""What is in quarantine/, read back from the files and their reason notes, and taking one file
back into the inbox to be taken afresh."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from models.images import fsync_dir
from stations.hotfolder.moves import NOTE_SUFFIX, escape, free_name, move


@dataclass(frozen=True)
class QuarantinedFile:
    """A file in quarantine/.

    `name`: its name in quarantine/ (what `retake` takes); `original`: the name it had in the
    inbox, escaped as the note keeps it (printable, one line: any backslash, control or bidi
    character written as an escape); `reason`: the English reason (escaped likewise) and `code`
    its stable code (REASON_CODES; "" when the note has none); `at`: when it was quarantined
    (ISO 8601, UTC); `size`: bytes (of the entry itself: a link is not followed).
    """

    name: str
    original: str
    reason: str
    code: str
    at: str
    size: int


def _note(path: Path) -> dict[str, str]:
    fields: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return fields
    for line in text.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key not in fields:
            fields[key] = value
    return fields


def _iso(when: str, fallback: float) -> str:
    try:
        return datetime.strptime(when, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC).isoformat()
    except ValueError:
        return datetime.fromtimestamp(fallback, UTC).isoformat()


def listing(quarantine: Path) -> list[QuarantinedFile]:
    """Every file in quarantine/ (not its notes, not a move's temporary file), newest first."""
    try:
        entries = list(os.scandir(quarantine))
    except OSError:
        return []
    found = []
    for entry in entries:
        if entry.name.startswith(".") or entry.name.endswith(NOTE_SUFFIX):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode):
            continue
        note = _note(Path(entry.path + NOTE_SUFFIX))
        name = escape(entry.name)  # our names are safe already; an odd one put there by hand is not
        found.append(QuarantinedFile(
            name=name, original=note.get("file", name), reason=note.get("reason", ""),
            code=note.get("code", ""), at=_iso(note.get("quarantined", ""), st.st_mtime),
            size=st.st_size))
    return sorted(found, key=lambda q: (q.at, q.name), reverse=True)


def retake(quarantine: Path, inbox: Path, name: str) -> tuple[str, Path]:
    """Move quarantine/`name` back into the inbox (a rename, its folders synced: a crash leaves it
    in one place), then remove its note. `name` must be a plain name of a regular file in
    quarantine/. Returns the name in the inbox and the file's new path. Raises ValueError for a
    name that is not one, FileNotFoundError when it is not there."""
    if (not isinstance(name, str) or not name or name in (".", "..") or "/" in name or "\\" in name
            or "\0" in name or name.startswith(".") or name.endswith(NOTE_SUFFIX)
            or escape(name) != name):
        raise ValueError(f"not the name of a quarantined file: {escape(str(name))}")
    source = quarantine / name
    st = os.lstat(source)  # FileNotFoundError when it is not there
    if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
        raise ValueError(f"{name} is not a regular file: taking it again would only refuse it again")
    target = free_name(inbox, name)
    move(source, target)
    Path(str(source) + NOTE_SUFFIX).unlink(missing_ok=True)
    fsync_dir(quarantine)
    return target.name, target
