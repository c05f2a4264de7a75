"""What every command of the command line shares: the settings, the store opened on first use,
the campaign file reader, the language choice, and the one place errors become exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from models.store import SchemaBehind, Store, StoreError, sqlite_file, sqlite_problem
from models.store.bundles import BundleError
from models.store.orders import OrderConflict
from models.store.outcomes import RecordRefused, RecordStateRefused
from models.store.people import PeopleError
from models.store.schema import SchemaError
from scanpipe.domain.campaign import Campaign, CampaignError, parse_campaign
from scanpipe.paper.typeset import FontMissing
from scanpipe.reading import ocr
from stations.errors import BadInput, LedgerError, MissingProgram, ScanpipeError
from stations.private import check_layout, prepare_private
from stations.settings import Settings
from stations.untrusted import json_text, terminal_text

LANGS = click.Choice(["fr", "en", "nl"])

# The errors of the layers below that a command lets through, and the exit code each means;
# a ScanpipeError carries its own. The message is the error's own text.
EXIT_CODES: tuple[tuple[type[Exception], int], ...] = (
    (StoreError, LedgerError.exit_code),
    (BundleError, LedgerError.exit_code),
    (PeopleError, BadInput.exit_code),
    (RecordStateRefused, LedgerError.exit_code),  # before RecordRefused, which it is a kind of
    (RecordRefused, BadInput.exit_code),
    (FontMissing, MissingProgram.exit_code),  # a kit's or sheet's text needs a font package
    (OrderConflict, BadInput.exit_code),
)
INTERRUPTED = 130


def exit_code(exc: Exception) -> int | None:
    """The exit code `exc` ends a command with; None for an error no command expects (a bug)."""
    if isinstance(exc, ScanpipeError):
        return exc.exit_code
    return next((code for kind, code in EXIT_CODES if isinstance(exc, kind)), None)


class ScanpipeGroup(click.Group):
    """The root group: turns every command's errors into a message and an exit code (the only
    place that does)."""

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
    """What every command gets: the settings, and the store opened on first use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._store: Store | None = None
        self._read_only = False

    def store(self, *, read_only: bool = False) -> Store:
        """The ledger, opened on first use. `read_only` for the commands that only read: the
        ledger is opened so that it cannot be written (a read-only file or mount will do), unless
        its schema must be upgraded first or it does not exist yet (then it is opened as usual)."""
        if self._store is not None and self._read_only and not read_only:
            self._store.close()
            self._store = None
        if self._store is None:
            url, images = self.settings.ledger_url, self.settings.image_root
            check_layout(self.settings)
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

    @staticmethod
    def _exists(url: str) -> bool:
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
        except (StoreError, SchemaError) as exc:
            raise LedgerError(str(exc)) from None
        except Exception as exc:  # the driver's own error types vary by database
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
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def read_campaign(path: str) -> tuple[str, Campaign]:
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
    if settings.ocr:
        try:
            ocr.available(settings.ocr_languages)
        except ocr.OcrUnavailable as exc:
            raise MissingProgram(f"{exc} (or set SCANPIPE_OCR=false to route by codes only)") from None
