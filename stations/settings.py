"""Settings from the environment (SCANPIPE_*), validated once at the edge and passed down."""

from __future__ import annotations

import getpass
import socket
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:  # the pipeline (numpy, OpenCV…) is imported only by the commands that read pages
    from scanpipe.reading.pipeline import RecognitionSettings


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
    # The campaign (year) the commands and stations work for, of those the ledger holds;
    # default: the only one, or the one added most recently.
    campaign_id: str | None = Field(default=None, min_length=1, max_length=24)
    image_dir: Path | None = None     # the image store; default data_dir/images (share it between stations)
    station: str = socket.gethostname() or "station"
    operator: str = _default_operator()
    language: Literal["fr", "en", "nl"] = "fr"
    # Recognition (see the README, "How a page is recognised").
    ocr: bool = True
    ocr_languages: str = Field(default="fra+nld+eng", pattern=r"^[a-z_]{3,}(\+[a-z_]{3,})*$")
    ocr_timeout: float = Field(default=60.0, gt=0, le=600)
    # default (None): the matcher's own, `scanpipe.reading.matching.MatchSettings`
    ocr_min_score: float | None = Field(default=None, ge=0, le=1)
    ocr_min_margin: float | None = Field(default=None, ge=0, le=1)
    cross_check: bool = True
    workers: int | None = Field(default=None, ge=0, le=256)  # None: one per core; 0: in-process
    # The station app (see the README, "Running a station").
    host: str = "127.0.0.1"
    port: int = Field(default=8800, ge=1, le=65535)
    inbox: Path | None = None  # the folder the scanner writes into; default data_dir/inbox
    polling: bool = False      # watch the inbox by polling (network shares without inotify)
    max_file_mb: int = Field(default=200, ge=1, le=4096)
    # The audit (see the README, "Audit").
    signing_key: Path | None = None  # the office's private key; default data_dir/private/
    public_key: Path | None = None   # the office's public key; default data_dir/keys/ (or
                                     # beside SCANPIPE_SIGNING_KEY when that is set)

    @property
    def recognition(self) -> RecognitionSettings:
        from scanpipe.reading.matching import MatchSettings
        from scanpipe.reading.pipeline import RecognitionSettings

        given = {"min_score": self.ocr_min_score, "min_margin": self.ocr_min_margin}
        match = replace(MatchSettings(), **{k: v for k, v in given.items() if v is not None})
        return RecognitionSettings(ocr=self.ocr, ocr_languages=self.ocr_languages,
                                   ocr_timeout=self.ocr_timeout, cross_check=self.cross_check,
                                   match=match)

    @property
    def ledger_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ledger.sqlite3').as_posix()}"

    @property
    def inbox_dir(self) -> Path:
        return self.inbox or self.data_dir / "inbox"

    @property
    def image_root(self) -> Path:
        return self.image_dir or self.data_dir / "images"

    @property
    def private_dir(self) -> Path:
        """Where the station's secrets live (0700): see `stations.private`."""
        return self.data_dir / "private"

    @property
    def signing_key_path(self) -> Path:
        from models.audit.signing import PRIVATE_NAME

        return self.signing_key or self.private_dir / PRIVATE_NAME

    @property
    def public_key_path(self) -> Path:
        from models.audit.signing import PUBLIC_NAME

        if self.public_key:
            return self.public_key
        if self.signing_key:
            return self.signing_key.parent / PUBLIC_NAME
        return self.data_dir / "keys" / PUBLIC_NAME
