"""The content-addressed image store: every scanned file kept once, named by its SHA-256.

Files are written to a temporary name, flushed to disk and renamed into place,
so a crash leaves either the whole file or nothing under its final name. A store that cannot
be written (disk full, read-only, no permission, I/O error) raises `ImageStoreError`: the
station's fault, never the file's.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of_file(path: Path) -> str:
    """The SHA-256 of a file, read in pieces (files may be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ImageStoreError(OSError):
    """The image store could not be written: its errno and the system's message, with the store's
    folder. Pickles like any OSError (it crosses from worker processes)."""


@dataclass(frozen=True)
class ImageStore:
    root: Path

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store `data` (once) and return its SHA-256; ImageStoreError when it cannot be written."""
        digest = sha256_of(data)
        target = self.path_for(digest)
        try:
            if target.exists() and target.stat().st_size == len(data):
                return digest
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        except OSError as exc:
            raise self._error(exc) from None
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)
        except BaseException as exc:
            Path(temp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise self._error(exc) from None
            raise
        fsync_dir(target.parent)
        return digest

    def _error(self, exc: OSError) -> ImageStoreError:
        return ImageStoreError(exc.errno or 0, f"cannot write the image store {self.root}: "
                                               f"{exc.strerror or exc}")

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def check(self, sha256: str) -> str | None:
        """None when the stored file is present and matches its name, else what is wrong."""
        path = self.path_for(sha256)
        if not path.exists():
            return "missing from the image store"
        if sha256_of_file(path) != sha256:
            return "its content no longer matches its hash — the file was changed"
        return None


def fsync_dir(path: Path) -> None:
    """Make a rename durable: the directory entry is only on disk once the folder is synced."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # e.g. Windows, where folders cannot be opened like this
    try:
        os.fsync(fd)
    except OSError:
        pass  # some network filesystems refuse fsync on a folder
    finally:
        os.close(fd)
