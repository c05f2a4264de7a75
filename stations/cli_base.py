"""What every command of the command line shares: the settings, the store opened on first use,
the campaign file reader and the language choice."""

from __future__ import annotations

import json
from pathlib import Path

import click

from models.store import NoCampaign, Store
from scanpipe.campaign import Campaign, CampaignError, parse_campaign
from stations.errors import BadInput, LedgerError
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
            try:
                self._store = Store.open(self.settings.ledger_url, self.settings.image_root)
            except Exception as exc:  # the driver's own error types vary by database
                raise LedgerError(f"cannot open the ledger at {self.settings.ledger_url}: {exc}. "
                                  "Check SCANPIPE_DATABASE_URL / --database-url and that the "
                                  "database server is running.") from None
        return self._store

    def campaign(self) -> Campaign:
        try:
            return self.store().campaign()
        except NoCampaign as exc:
            raise LedgerError(str(exc)) from None


pass_context = click.make_pass_decorator(Context)


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
