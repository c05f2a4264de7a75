"""Progress bars for the commands that can run over two seconds.

The layers below report progress through a plain callback, `tick(done, total)`, and know nothing
of terminals. `progress_bar` turns it into a bar on standard error with the count and the time
left, shown only when standard error is a terminal and only once the work has run for a moment
(a quick command prints nothing). Off a terminal (a pipe, a log, CI) it prints nothing at all.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import click

from scanpipe.progress import Progress

Tick = Progress
DELAY = 0.7  # seconds of work before a bar appears


def _on_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Bar:
    """The `tick(done, total)` of `progress_bar`; `echo` prints a line above the bar (a command
    that tells each item as it goes), which the next tick draws again below it."""

    def __init__(self, label: str, stream: IO[str] | None, unit: str):
        self.label, self.stream, self.unit = label, stream, unit  # stream None: no bar
        self.start = time.monotonic()
        self.drawn = 0.0  # when the bar was last drawn (0: not on screen)

    def __call__(self, done: int, total: int) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if now - self.start < DELAY or (now - self.drawn < 0.1 and done < total):
            return
        self.drawn = now
        self.stream.write("\r" + line(self.label, done, total, now - self.start, self.unit) + "\x1b[K")
        self.stream.flush()

    def clear(self) -> None:
        """Take the bar off the screen (until the next tick)."""
        if self.stream is not None and self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = 0.0

    def echo(self, message: str, *, err: bool = False) -> None:
        """`click.echo(message)` on a line of its own, never glued to the bar."""
        self.clear()
        click.echo(message, err=err)


@contextmanager
def progress_bar(label: str, *, stream: IO[str] | None = None, unit: str = "") -> Iterator[Bar]:
    """A `tick(done, total)` callback that draws `label`, a bar, `done/total unit` and the time
    left on a terminal; nothing anywhere else. The bar is cleared when the block ends."""
    out = stream or sys.stderr
    bar = Bar(label, out if _on_terminal(out) else None, unit)
    try:
        yield bar
    finally:
        bar.clear()


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
