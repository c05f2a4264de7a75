"""What the browser tests share: Debian's Chromium and its flags, and a real station (the app
under uvicorn, with its hot folder) on a free local port, for as long as a `with` lasts."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from models.store import Store
from models.store.people import Role
from scanpipe.reading.pipeline import RecognitionSettings
from stations.station import Station
from stations.web.app import create_app

ROOT = Path(__file__).parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep Chromium from reaching for the network at start (there is none here).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# A real browser: `make test-all` and CI run these, where Chromium is installed.
BROWSER_TESTS = [pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Chromium is not installed (make test installs it with apt)"),
                 pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_station(root: Path, people: list[tuple[str, Role, str]], *, wait_s: float,
                    **station: Any) -> Iterator[dict[str, Any]]:
    """A station with the sample campaign and `people` (name, role, PIN) in `root`, served on
    127.0.0.1; yields its url, store, campaign, station and folders; stops it after."""
    import uvicorn

    store = Store.open(f"sqlite:///{root / 'ledger.sqlite3'}", root / "images")
    campaign, _ = store.load_campaign((ROOT / "samples" / "campaign.toml").read_text(encoding="utf-8"),
                                      actor="coordinator", station="office")
    for name, role, pin in people:
        store.add_person(name, role, pin, actor="setup", station="office")
    folders = {n: root / n for n in ("inbox", "done", "quarantine", "work")}
    for folder in folders.values():
        folder.mkdir()
    desk = Station(store, campaign, name="desk-1", recognition=RecognitionSettings(ocr=False),
                   **folders, **station)
    app = create_app(desk, secret="browser-test", language="fr")
    port = _free_port()
    web = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                        lifespan="on"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + wait_s
    while not web.started:
        assert time.monotonic() < deadline, "the station did not start"
        time.sleep(0.05)
    try:
        yield {"url": f"http://127.0.0.1:{port}", "store": store, "campaign": campaign,
               "station": desk, **folders}
    finally:
        web.should_exit = True
        thread.join(timeout=30)
        store.close()
