"""The station web app in-process, for the tests of its screens: a ledger with one person of each
role, a station without OCR, and a client (the `setup` fixture, registered by conftest.py), with
the helpers that sign in through the form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models.store import Store
from models.store.people import Role
from scanpipe.reading.pipeline import RecognitionSettings
from stations.station import Station
from stations.web.app import create_app
from stations.web.auth import SignInThrottle

CAMPAIGN_TEXT = (Path(__file__).parent.parent / "samples" / "campaign.toml").read_text(encoding="utf-8")


@pytest.fixture()
def setup(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", tmp_path / "images")
    campaign, _ = store.load_campaign(CAMPAIGN_TEXT, actor="coordinator", station="office")
    for name, role in (("Alice", Role.OPERATOR), ("Chloé", Role.COORDINATOR),
                       ("Audrey", Role.AUDITOR), ("Adam", Role.ADMIN)):
        store.add_person(name, role, "1234", actor="setup", station="office")
    folders = {n: tmp_path / n for n in ("inbox", "done", "quarantine", "work")}
    for folder in folders.values():
        folder.mkdir()
    station = Station(store, campaign, name="desk-1", recognition=RecognitionSettings(ocr=False),
                      **folders)
    throttle = SignInThrottle(free=3, base=60, clock=lambda: 0.0)  # a lock never runs out here
    app = create_app(station, secret="test-secret", throttle=throttle, run_hot_folder=False)
    with TestClient(app) as client:
        yield store, campaign, station, client


def csrf(client: TestClient, path: str = "/signin") -> str:
    page = client.get(path)
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: TestClient, name: str, secret: str = "1234"):
    return client.post("/signin", data={"csrf": csrf(client), "name": name, "secret": secret,
                                        "next": "/"}, follow_redirects=False)
