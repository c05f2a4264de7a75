"""Shared fixtures: the sample campaign, page images with codes, stores on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import segno
from click.testing import CliRunner
from PIL import Image
from recorded_tesseract import MODE, Recorder

from models.store import Store, normalise_url
from scanpipe.domain.campaign import Campaign, parse_campaign
from scanpipe.domain.payload import Payload, PayloadKind, encode_payload, kit_payload
from scanpipe.domain.routing import Decision, Finding, Kind, Method, Reason, Status
from scanpipe.reading import ocr
from stations.cli import cli

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ("station_app",)  # the station app's `setup` fixture
SAMPLE_CAMPAIGN = ROOT / "samples" / "campaign.toml"


_RECORDER = Recorder(ocr.run_tesseract) if MODE != "off" else None


@pytest.fixture(autouse=True)
def recorded_tesseract(request, monkeypatch) -> Recorder | None:
    """Tesseract's answers replayed by page hash (`tests/recorded_tesseract.py`), except in tests
    marked `real_tesseract`, which are about OCR itself."""
    if _RECORDER is None or request.node.get_closest_marker("real_tesseract"):
        return None
    monkeypatch.setattr(ocr, "run_tesseract", _RECORDER)
    return _RECORDER


def pytest_sessionfinish(session, exitstatus) -> None:
    if _RECORDER is not None and MODE == "record":
        _RECORDER.save()


def pytest_terminal_summary(terminalreporter) -> None:
    if _RECORDER is None or not (_RECORDER.hits or _RECORDER.added):
        return
    terminalreporter.write_line(f"recorded tesseract: {_RECORDER.hits} answers replayed, "
                                f"{_RECORDER.added} pages read by the program")
    most = sorted(_RECORDER.missed_by.items(), key=lambda item: -item[1])[:5]
    for test, pages in most:
        terminalreporter.write_line(f"  not recorded: {pages} page(s) in {test}")


@pytest.fixture(scope="session")
def campaign_text() -> str:
    return SAMPLE_CAMPAIGN.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def campaign(campaign_text) -> Campaign:
    return parse_campaign(campaign_text)


def case_code(campaign: Campaign, kind: PayloadKind, case: str) -> str:
    return encode_payload(Payload(kind, campaign.id, case), campaign.check_key)


def kit_code(campaign: Campaign, serial: int) -> str:
    return encode_payload(kit_payload(campaign.id, serial), campaign.check_key)


def page_with_codes(*codes: tuple[str, int, int], size=(1654, 2339), scale=5, fmt="JPEG",
                    background=245) -> bytes:
    """An A4-ish page at 200 dpi with QR codes (text, x, y) drawn on it, encoded as `fmt`."""
    page = Image.new("L", size, background)
    for text, x, y in codes:
        buf = io.BytesIO()
        segno.make(text, error="m").save(buf, kind="png", scale=scale, border=4)
        page.paste(Image.open(io.BytesIO(buf.getvalue())).convert("L"), (x, y))
    out = io.BytesIO()
    page.save(out, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return out.getvalue()


class StepClock:
    """A clock that advances one second per reading, so event times are distinct and known."""

    def __init__(self):
        self.now = datetime(2021, 12, 10, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _postgres_url() -> str | None:
    return os.environ.get("SCANPIPE_TEST_DATABASE_URL")


@contextlib.contextmanager
def own_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of SCANPIPE_TEST_DATABASE_URL, made for
    the caller and dropped after it (with whatever is still connected to it): the database the
    URL names is only connected to, never changed. Skips, visibly, without a reachable server."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = _postgres_url()
    if not url:
        pytest.skip("PostgreSQL tests skipped: SCANPIPE_TEST_DATABASE_URL is not set")
    server = make_url(normalise_url(url))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"scanpipe_test_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any connection failure means: skip, visibly
        admin.dispose()
        pytest.skip(f"PostgreSQL tests skipped: cannot create a database on {server.render_as_string()}"
                    f": {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL database of the test's own (see `own_postgres_database`)."""
    with own_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request, tmp_path) -> Iterator[str]:
    """The URL of an empty ledger database: a new SQLite file, or a new PostgreSQL database of
    the test's own (when the test server is reachable)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
        return
    with own_postgres_database() as url:
        yield url


@pytest.fixture
def store(ledger_url, tmp_path) -> Store:
    """A fresh, empty store on SQLite and (when reachable) on the PostgreSQL test server."""
    s = Store.open(ledger_url, tmp_path / "images", StepClock())
    yield s
    s.close()


@pytest.fixture
def run(tmp_path):
    """`scanpipe ARGS…` on a data folder of the test's own (click's runner, in process)."""
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), *map(str, args)])
    return invoke


@pytest.fixture
def loaded_store(store, campaign_text) -> Store:
    store.load_campaign(campaign_text, actor="coordinator", station="office")
    return store


def record_piece(store: Store, n: int, *, case="CAAL", kind=Kind.LETTER, status=Status.ROUTED,
                 destination="embassy:GT", signatures=None, decision: Decision | None = None) -> int:
    """Record one page with a made decision (no image decoding: these tests are about the
    ledger); returns its item id."""
    if decision is None:
        routed = status is Status.ROUTED
        decision = Decision(kind, status, case if routed else None, destination if routed else None,
                            Method.QR if routed else None, 1.0 if routed else 0.0,
                            (Finding(Reason.ROUTED_BY_QR if routed else Reason.NO_CODE, "made"),),
                            signatures=signatures)
    sha = hashlib.sha256(f"piece-{n}".encode()).hexdigest()
    [outcome] = store.record_file(source_name=f"{n:04d}.jpg", sha256=sha, media_type="jpeg", size=1,
                                  pages=[(1, decision)], station="s1", operator="ana")
    return outcome.item_id
