"""What every command of the command line shares: the settings, the store opened on first use,
the campaign file reader, the language choice, and the one place errors become exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from models.store import Store, StoreError
from models.store.bundles import BundleError
from models.store.people import PeopleError
from models.store.schema import SchemaError
from scanpipe.domain.campaign import Campaign, CampaignError, parse_campaign
from scanpipe.reading import ocr
from stations.errors import BadInput, LedgerError, MissingProgram, ScanpipeError
from stations.settings import Settings
from stations.untrusted import json_text, terminal_text

LANGS = click.Choice(["fr", "en", "nl"])

# The errors of the layers below that a command lets through, and the exit code each means;
# a ScanpipeError carries its own. The message is the error's own text.
EXIT_CODES: tuple[tuple[type[Exception], int], ...] = (
    (StoreError, LedgerError.exit_code),
    (BundleError, LedgerError.exit_code),
    (PeopleError, BadInput.exit_code),
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
            click.echo(f"Error: {terminal_text(exc)}", err=True)
            ctx.exit(code)


class Context:
    """What every command gets: the settings, and the store opened on first use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._store: Store | None = None

    def store(self) -> Store:
        if self._store is None:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            with self.reaching_ledger():
                self._store = Store.open(self.settings.ledger_url, self.settings.image_root)
        return self._store

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
            raise LedgerError(f"cannot open the ledger at {masked_url(self.settings.ledger_url)}: "
                              f"{exc}. Check SCANPIPE_DATABASE_URL / --database-url and that the "
                              "database server is running.") from None

    def campaign(self) -> Campaign:
        return self.store().campaign()


pass_context = click.make_pass_decorator(Context)


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
