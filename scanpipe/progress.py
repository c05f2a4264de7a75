"""How long work tells how far it is: a `Progress` callback, told `(done, total)`.

Every layer that can run for seconds takes one (kits, the audit, a backup, a purge…); the
command line draws it as a bar (`stations/progress.py`). Nothing here knows of terminals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Progress = Callable[[int, int], None]  # told (done, total) as the work goes
T = TypeVar("T")


def ticking(items: Iterable[T], total: int, progress: Progress | None, *, start: int = 0,
            every: int = 2000) -> Iterator[T]:
    """`items` passed on as they are, telling `progress` every `every` of them, and once at the
    end, how far the whole work is: `start` done before these, `total` in all."""
    done = start
    for item in items:
        yield item
        done += 1
        if progress is not None and (done - start) % every == 0:
            progress(done, max(total, done))
    if progress is not None:
        progress(done, max(total, done))
