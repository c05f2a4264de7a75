"""What every command of the command line shares: the settings, the store opened on first use,
the campaign file reader, the language choice, and the one place errors become exit codes.

Nothing heavy is imported here at import time (the store, SQLAlchemy, the pipeline, typeset):
every command imports this module, and `scanpipe --help` must start at once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from stations.cli.lazy import LazyGroup
from stations.errors import BadInput, LedgerError, MissingProgram, ScanpipeError
from stations.untrusted import json_text, terminal_text

if TYPE_CHECKING:
    from models.store import Store
    from scanpipe.domain.campaign import Campaign
    from stations.settings import Settings

LANGS = click.Choice(["fr", "en", "nl"])

# The errors of the layers below that a command lets through, and the exit code each means;
# a ScanpipeError carries its own. The message is the error's own text. Each class is named by
# "module:Class" and looked up only when an error is being handled, and only in a module
# already imported: an error of a module never imported cannot have been raised.
EXIT_CODES: tuple[tuple[str, int], ...] = (
    ("models.store.core:StoreError", LedgerError.exit_code),
    ("models.store.bundles:BundleError", LedgerError.exit_code),
    ("models.store.people:PeopleError", BadInput.exit_code),
    # before RecordRefused, which it is a kind of
    ("models.store.outcomes:RecordStateRefused", LedgerError.exit_code),
    ("models.store.outcomes:RecordRefused", BadInput.exit_code),
    # a kit's or sheet's text needs a font package
    ("scanpipe.paper.typeset:FontMissing", MissingProgram.exit_code),
    ("models.store.orders:OrderConflict", BadInput.exit_code),
)
INTERRUPTED = 130

# The commands that may make a ledger where there is none; every other one refuses (see
# `Context.store`).
CREATES_LEDGER = "'scanpipe campaign load FILE' (or 'scanpipe db upgrade')"


def _imported_class(name: str) -> type[Exception] | None:
    module_name, _, class_name = name.partition(":")
    module = sys.modules.get(module_name)
    kind = getattr(module, class_name, None) if module is not None else None
    return kind if isinstance(kind, type) and issubclass(kind, Exception) else None


def exit_code(exc: Exception) -> int | None:
    """The exit code `exc` ends a command with; None for an error no command expects (a bug)."""
    if isinstance(exc, ScanpipeError):
        return exc.exit_code
    for name, code in EXIT_CODES:
        kind = _imported_class(name)
        if kind is not None and isinstance(exc, kind):
            return code
    return None


class ScanpipeGroup(LazyGroup):
    """The root group: its commands imported when they run (`LazyGroup`); turns every
    command's errors into a message and an exit code (the only place that does)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("Interrupted: what was recorded before stays recorded.", err=True)
            ctx.exit(INTERRUPTED)
        except Exception as exc:
            code = exit_code(exc)
            if code is None:
                raise
            # Its own line breaks kept (a campaign's problems, one a line); every other control
            # or disguising character escaped.
            lines = (terminal_text(line) for line in str(exc).split("\n"))
            click.echo("Error: " + "\n".join(lines), err=True)
            ctx.exit(code)


class Context:
    """What every command gets: the settings, read on first use (so `--help` reads none), and
    the store, opened on first use."""

    def __init__(self, overrides: Mapping[str, Any] | None = None):
        self._overrides = dict(overrides or {})  # the root options given, over SCANPIPE_*
        self._settings: Settings | None = None
        self._store: Store | None = None
        self._read_only = False

    @property
    def settings(self) -> Settings:
        """The settings (SCANPIPE_* and the root options), validated on first use."""
        if self._settings is None:
            from pydantic import ValidationError

            from stations.settings import Settings
            try:
                self._settings = Settings(**self._overrides)
            except ValidationError as exc:
                problems = "; ".join(f"SCANPIPE_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}"
                                     for e in exc.errors())
                raise BadInput(f"invalid settings: {problems}") from None
        return self._settings

    def store(self, *, read_only: bool = False, create: bool = False) -> Store:
        """The ledger, opened on first use. `read_only` for the commands that only read: the
        ledger is opened so that it cannot be written (a read-only file or mount will do), unless
        its schema must be upgraded first (then it is opened as usual). Where there is no ledger
        (a mistyped --data-dir, a database without scanpipe's tables) only a command that makes
        one (`create`: 'campaign load', 'scan') goes on; every other one refuses, creating
        nothing."""
        from models.store import SchemaBehind, Store, sqlite_file, sqlite_problem
        from stations.private import check_layout, prepare_private

        if self._store is not None and self._read_only and not read_only:
            self._store.close()
            self._store = None
        if self._store is None:
            url, images = self.settings.ledger_url, self.settings.image_root
            check_layout(self.settings)
            if not create:
                self.refuse_no_ledger()
            with self.reaching_ledger():
                if read_only and self._exists(url):
                    try:
                        self._store, self._read_only = Store.open_read_only(
                            url, images, campaign_id=self.settings.campaign_id), True
                        return self._store
                    except SchemaBehind:
                        pass
            # A command that writes: the ledger must be writable, and the private folder is made
            # or repaired first (an old layout's secrets moved in), before anything reads a file.
            path = sqlite_file(url)
            problem = sqlite_problem(path) if path is not None and path.exists() else None
            if problem:
                raise LedgerError(f"cannot write the SQLite ledger file {path}: {problem}.")
            prepare_private(self.settings)
            with self.reaching_ledger():
                self._store, self._read_only = Store.open(
                    url, images, campaign_id=self.settings.campaign_id), False
        return self._store

    def has_ledger(self) -> bool:
        """Whether the settings' database holds a ledger (open already, or found there); looks
        only, creates nothing."""
        from models.store import holds_ledger

        if self._store is not None:
            return True
        with self.reaching_ledger():
            return holds_ledger(self.settings.ledger_url)

    def refuse_no_ledger(self) -> None:
        """LedgerError unless the settings' database holds a ledger: it names the SQLite file
        (or the database) and the command that makes a ledger. Looks only; creates nothing."""
        from models.store import sqlite_file

        if self.has_ledger():
            return
        url = self.settings.ledger_url
        path = sqlite_file(url)
        where = (f"no ledger in the folder {path.parent} (no file {path.name})"
                 if path is not None and not path.exists() else
                 f"no scanpipe ledger in {path if path is not None else masked_url(url)}")
        raise LedgerError(f"{where}. Check --data-dir / SCANPIPE_DATA_DIR (or --database-url / "
                          f"SCANPIPE_DATABASE_URL); a new ledger is made by {CREATES_LEDGER}.")

    @staticmethod
    def _exists(url: str) -> bool:
        from models.store import sqlite_file

        path = sqlite_file(url)
        return path is None or path.exists()

    @contextmanager
    def reaching_ledger(self) -> Iterator[None]:
        """Failures to reach the ledger's database, or to bring its schema to this scanpipe's,
        as a LedgerError that says what to do."""
        try:
            yield
        except ScanpipeError:
            raise
        except Exception as exc:  # the driver's own error types vary by database
            from models.store.core import StoreError
            from models.store.schema import SchemaError

            if isinstance(exc, (StoreError, SchemaError)):
                raise LedgerError(str(exc)) from None
            raise LedgerError(ledger_hint(self.settings.ledger_url, exc)) from None

    def campaign(self, *, read_only: bool = False) -> Campaign:
        """The campaign the commands work for (`--campaign-id`, else the store's default)."""
        return self.store(read_only=read_only).campaign()

    def written_to(self) -> str:
        """Which campaign a command wrote to, as it says so."""
        return f"campaign {terminal_text(self.store().campaign_id or '—')}"


pass_context = click.make_pass_decorator(Context)


def ledger_hint(url: str, exc: Exception) -> str:
    """Why the ledger at `url` could not be opened, and what to do: for a SQLite file, what is
    wrong with the file or its folder; for a server, to check the URL and the server."""
    from models.store import sqlite_file, sqlite_problem

    error = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    path = sqlite_file(url)
    if path is not None:
        problem = sqlite_problem(path)
        return (f"cannot open the SQLite ledger file {path}: {error}"
                + (f"; {problem}." if problem else ". Check the file and its folder (--data-dir, "
                   "SCANPIPE_DATA_DIR or SCANPIPE_DATABASE_URL)."))
    return (f"cannot open the ledger at {masked_url(url)}: {error}. Check SCANPIPE_DATABASE_URL / "
            "--database-url and that the database server is running.")


def masked_url(url: str) -> str:
    """A database URL fit to print: any password replaced by ***."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def read_campaign(path: str) -> tuple[str, Campaign]:
    """The text of the campaign file at `path` and the campaign it gives; BadInput otherwise."""
    from scanpipe.domain.campaign import CampaignError, parse_campaign

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read the campaign file {path}: {exc}") from None
    try:
        return text, parse_campaign(text)
    except CampaignError as exc:
        raise BadInput(f"{path}: {exc}") from None


def echo_json(value: dict) -> None:
    click.echo(json_text(value))


def need_ocr(settings: Settings) -> None:
    """Tesseract and its languages must be there when the settings read printed text."""
    from scanpipe.reading import ocr

    if settings.ocr:
        try:
            ocr.available(settings.ocr_languages)
        except ocr.OcrUnavailable as exc:
            raise MissingProgram(f"{exc} (or set SCANPIPE_OCR=false to route by codes only)") from None
