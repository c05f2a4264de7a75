"""What every command of the command line shares: the settings, the store opened on first use,
the campaign file reader and the language choice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from models.schema import SchemaError
from models.store import NoCampaign, Store, StoreError
from scanpipe.domain.campaign import Campaign, CampaignError, parse_campaign
from stations.errors import BadInput, LedgerError, ScanpipeError
from stations.settings import Settings

LANGS = click.Choice(["fr", "en", "nl"])


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
        try:
            return self.store().campaign()
        except NoCampaign as exc:
            raise LedgerError(str(exc)) from None


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
    click.echo(json.dumps(value, ensure_ascii=False))
