"""Taking scanned files into the ledger: read, decide, store the image, record in one transaction.

The original file is only read, never moved or changed here; the image store
keeps its own copy, named by its SHA-256, written before the ledger commit so a
committed item always has its image.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from models.store import PageOutcome, Store
from scanpipe.campaign import Campaign
from scanpipe.pages import sniff
from scanpipe.pipeline import DEFAULT_SETTINGS, PageResult, RecognitionSettings, process_file
from scanpipe.routing import unreadable

SCAN_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".pdf"}


@dataclass(frozen=True)
class FileResult:
    """One input file: its pages' results and, when recorded, what the ledger did."""

    source: str
    pages: list[PageResult]
    sha256: str | None = None  # set once the image is stored
    outcomes: list[PageOutcome] | None = None  # None for a dry run


def _natural_key(path: Path) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", str(path))]


def expand_paths(paths: Iterable[str]) -> tuple[list[Path], list[Path]]:
    """Files to take in, in scanning order, and files skipped in folders (not scans).

    A file named on the command line is always taken; in a folder, only files
    with a scan's extension are, hidden files and folders excluded.
    """
    files: list[Path] = []
    skipped: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = [p for p in path.rglob("*")
                     if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)]
            for candidate in sorted(found, key=_natural_key):
                (files if candidate.suffix.lower() in SCAN_SUFFIXES else skipped).append(candidate)
        else:
            files.append(path)
    return files, skipped


def read_and_decide(path: Path, campaign: Campaign,
                    settings: RecognitionSettings = DEFAULT_SETTINGS) -> tuple[bytes | None, FileResult]:
    """Read one file and decide its pages; an unreadable path is one rejected result."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, FileResult(str(path), [PageResult(1, (), unreadable(
            f"cannot read the file: {exc.strerror or exc}"))])
    return data, FileResult(str(path), process_file(data, campaign, settings))


def take_in(paths: list[Path], store: Store, campaign: Campaign, *, station: str,
            operator: str, dry_run: bool = False,
            settings: RecognitionSettings = DEFAULT_SETTINGS) -> Iterator[FileResult]:
    """Take files in one by one, yielding each result as soon as it is recorded."""
    for path in paths:
        data, result = read_and_decide(path, campaign, settings)
        if dry_run or data is None:
            yield result
            continue
        sha = store.images.put(data)
        outcomes = store.record_file(
            source_name=path.name, sha256=sha, media_type=sniff(data).lower(), size=len(data),
            pages=[(page.page, page.decision) for page in result.pages],
            station=station, operator=operator)
        yield FileResult(result.source, result.pages, sha, outcomes)
