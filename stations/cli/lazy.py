"""A click group whose commands are imported only when one of them runs.

Each command is named by "module:attribute" with its one-line help kept beside it, so the
group's --help lists every command without importing any, and `scanpipe X --help` imports X's
module alone. Importing the command modules (which pull in the store, the pipeline, reportlab…)
was most of the start-up time of every command.
"""

from __future__ import annotations

import importlib
import textwrap
from dataclasses import dataclass

import click


@dataclass(frozen=True)
class Lazy:
    """A command imported on first use: `target` is "package.module:attribute"."""

    target: str
    short_help: str

    def load(self) -> click.Command:
        module_name, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return command


class LazyGroup(click.Group):
    """A group of commands given as `Lazy` entries (commands added the usual way work too)."""

    def __init__(self, *args: object, lazy: dict[str, Lazy] | None = None, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy: dict[str, Lazy] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self.lazy[cmd_name].load(), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of commands as click makes it, the lazy ones' from the help kept beside
        them (so nothing is imported)."""
        names = [name for name in self.list_commands(ctx)
                 if name in self.lazy or not self.commands[name].hidden]
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self.commands[name].get_short_help_str(limit) if name in self.commands
                 else _shorten(self.lazy[name].short_help, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters at a word, as click shortens a command's help."""
    if len(text) <= limit:
        return text
    return textwrap.shorten(text, max(limit, 3), placeholder="...", break_on_hyphens=False)
