"""Runs of consecutive true values in a sequence (dark QR modules in a row, inked rows of a page)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def true_runs(flags: Iterable[bool]) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of true values in `flags`, in order; `end` is exclusive."""
    start: int | None = None
    index = -1
    for index, flag in enumerate(flags):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            yield start, index
            start = None
    if start is not None:
        yield start, index + 1
