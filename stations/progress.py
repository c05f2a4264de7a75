"""Progress bars for the commands that can run over two seconds.

The layers below report progress through a plain callback, `tick(done, total)`, and know nothing
of terminals. `progress_bar` turns it into a bar on standard error with the count and the time
left, shown only when standard error is a terminal and only once the work has run for a moment
(a quick command prints nothing). Off a terminal (a pipe, a log, CI) it prints nothing at all.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

Tick = Callable[[int, int], None]
DELAY = 0.7  # seconds of work before a bar appears


def _on_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress_bar(label: str, *, stream: IO[str] | None = None, unit: str = "") -> Iterator[Tick]:
    """A `tick(done, total)` callback that draws `label`, a bar, `done/total unit` and the time
    left on a terminal; nothing anywhere else. The bar is cleared when the block ends."""
    out = stream or sys.stderr
    if not _on_terminal(out):
        yield lambda done, total: None
        return
    start = time.monotonic()
    drawn = [0.0]  # when the bar was last drawn

    def tick(done: int, total: int) -> None:
        now = time.monotonic()
        if now - start < DELAY or (now - drawn[0] < 0.1 and done < total):
            return
        drawn[0] = now
        out.write("\r" + line(label, done, total, now - start, unit) + "\x1b[K")
        out.flush()

    try:
        yield tick
    finally:
        if drawn[0]:
            out.write("\r\x1b[K")
            out.flush()


def line(label: str, done: int, total: int, elapsed: float, unit: str = "") -> str:
    """One line of a bar: `label [#####     ] 1,234/5,000 unit  25% · 0:12 left`."""
    width = 24
    share = min(1.0, done / total) if total > 0 else 0.0
    filled = int(share * width)
    left = ""
    if 0 < done < total and elapsed > 0:
        seconds = int(elapsed / done * (total - done))
        left = f" · {seconds // 60}:{seconds % 60:02d} left"
    count = f"{done:,}/{total:,}" + (f" {unit}" if unit else "")
    return f"{label} [{'#' * filled}{' ' * (width - filled)}] {count} {share:4.0%}{left}"
