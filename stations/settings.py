"""Settings from the environment (SCANPIPE_*), validated once at the edge and passed down."""

from __future__ import annotations

import getpass
import socket
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_operator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "operator"


class Settings(BaseSettings):
    """Everything configurable; each field is also an environment variable SCANPIPE_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="SCANPIPE_", extra="ignore")

    data_dir: Path = Path("scanpipe-data")
    database_url: str | None = None  # default: SQLite file in data_dir
    station: str = socket.gethostname() or "station"
    operator: str = _default_operator()
    language: Literal["fr", "en", "nl"] = "fr"

    @property
    def ledger_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ledger.sqlite3').as_posix()}"

    @property
    def image_root(self) -> Path:
        return self.data_dir / "images"
