"""Taking scanned files into the ledger: read, decide, store the image, record in one transaction.

The original file is only read, never moved or changed here; the image store
keeps its own copy, named by its SHA-256, written before the ledger commit so a
committed item always has its image.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from models.store import PageOutcome, Store
from scanpipe.domain.campaign import Campaign
from scanpipe.reading.formats import SCAN_SUFFIXES
from scanpipe.reading.pipeline import DEFAULT_SETTINGS, PageResult, RecognitionSettings
from stations.workers import Recognizer

_WORTH_A_POOL = 4


@dataclass(frozen=True)
class FileResult:
    """One input file: its pages' results and, when recorded, what the ledger did."""

    source: str
    pages: list[PageResult]
    sha256: str | None = None  # set once the image is stored
    outcomes: list[PageOutcome] | None = None  # None for a dry run
    peak_rss: int = 0  # peak memory of the process that decided it, bytes


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


def take_in(paths: list[Path], store: Store | None, campaign: Campaign, *, station: str,
            operator: str, dry_run: bool = False,
            settings: RecognitionSettings = DEFAULT_SETTINGS,
            workers: int | None = 0,
            recognizer: Recognizer | None = None) -> Iterator[FileResult]:
    """Take files in, yielding each result as soon as it is recorded, in the order given.

    `workers` processes decide the files ahead (None: one per core; 0: here, one at a time);
    the ledger records them strictly in order, the files already decided together in one
    transaction. A `recognizer` already started (its workers warm) may be given instead.
    """
    images = None if dry_run or store is None else store.images
    if len(paths) < _WORTH_A_POOL:
        workers = 0  # starting worker processes takes longer than deciding a file or two
    with contextlib.nullcontext(recognizer) if recognizer else Recognizer(
            campaign, settings, images, workers) as recognizer:
        for group in recognizer.in_groups(paths):
            records = [] if dry_run or store is None else [
                p.record(p.path.name) for p in group if p.sha256 is not None]
            recorded = iter(store.record_files(records, station=station, operator=operator)
                            if records else [])
            for prepared in group:
                outcomes = next(recorded) if records and prepared.sha256 is not None else None
                yield FileResult(str(prepared.path), prepared.pages, prepared.sha256, outcomes,
                                 prepared.peak_rss)
