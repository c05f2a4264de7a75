"""Files the commands write for people: whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path


def write_whole(path: Path, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all: into `path.part`, then renamed into place,
    so that a reader never sees half a file. When writing fails the partial file is removed and
    the OSError raised."""
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    return path
