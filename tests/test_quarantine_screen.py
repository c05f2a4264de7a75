"""The quarantine screen and the station's alarms, in-process: the hot folder's listing,
re-take and fault (`Station.quarantined`, `Station.retake`, `Station.fault`) stood in for by a
small stub, so these tests are about the screens (tests/test_station_quarantine.py tests the
listing and re-take themselves, the browser tests both together). Names are shown escaped, reasons in the
station's language from their code; re-take and acknowledge are CSRF forms; an alarm stays on
every screen until someone acknowledges it, and who did is recorded."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from station_app import csrf, sign_in

from models.store.alarms import acknowledged
from stations.hotfolder import Fault, QuarantinedFile

SCRIPT_NAME = "<script>alert('q')</script>.jpg"


@dataclass
class HotFolderStandIn:
    files: list[QuarantinedFile]
    fault: Fault | None = None
    retaken: list[str] = field(default_factory=list)

    def quarantined(self) -> list[QuarantinedFile]:
        return list(self.files)

    def retake(self, name: str) -> str:
        if "/" in name or name not in {f.name for f in self.files}:
            raise ValueError(f"not in quarantine: {name!r}")
        self.files = [f for f in self.files if f.name != name]
        self.retaken.append(name)
        return name


@pytest.fixture()
def folder(setup, monkeypatch):
    _, _, station, _ = setup
    stand_in = HotFolderStandIn([
        QuarantinedFile(SCRIPT_NAME, SCRIPT_NAME, "not a scan: text/html", "not_a_scan",
                        "2026-12-04T10:00:00+00:00", 1234),
        QuarantinedFile("huge.tif", "huge.tif", "larger than 200 MB", "too_large",
                        "2026-12-04T10:05:00+00:00", 300 * 1024 * 1024),
    ])
    monkeypatch.setattr(station, "quarantined", stand_in.quarantined, raising=False)
    monkeypatch.setattr(station, "retake", stand_in.retake, raising=False)
    monkeypatch.setattr(type(station), "fault", property(lambda _self: stand_in.fault), raising=False)
    return stand_in


def unseen_count(page: str) -> int | None:
    found = re.search(r'<b id="alarm-count-n">(\d+)</b>', page)
    return int(found.group(1)) if found else None


def test_the_quarantine_screen_lists_each_file_escaped_with_its_reason_in_french(setup, folder):
    _, _, _, client = setup
    sign_in(client, "Alice")
    page = client.get("/quarantine").text
    assert SCRIPT_NAME not in page and "&lt;script&gt;alert(&#39;q&#39;)&lt;/script&gt;.jpg" in page
    assert "pas une image ni un PDF" in page and "fichier trop gros" in page
    assert "300.0 Mo" in page
    assert unseen_count(page) == 2


@pytest.mark.parametrize("name, allowed", [("Alice", True), ("Chloé", True), ("Adam", True),
                                           ("Audrey", False)])
def test_who_may_see_the_quarantine(setup, folder, name, allowed):
    _, _, _, client = setup
    sign_in(client, name)
    assert client.get("/quarantine").status_code == (200 if allowed else 403)
    assert client.get("/api/alarms").status_code == (200 if allowed else 403)


def test_acknowledging_records_who_and_stops_the_alarm_on_every_screen(setup, folder):
    store, _, _, client = setup
    sign_in(client, "Alice")
    live = client.get("/live").text
    assert re.search(r'<div id="alarm" class="alarm" role="alert"\s*>', live)  # not hidden
    assert "Fichier mis en quarantaine : &lt;script&gt;" in live  # shown on load, not only new ones
    form = {"name": SCRIPT_NAME, "at": "2026-12-04T10:00:00+00:00"}
    assert client.post("/quarantine/ack", data=form).status_code == 403  # no CSRF token
    assert client.post("/quarantine/ack", data={**form, "csrf": "forged"}).status_code == 403
    assert acknowledged(store, station="desk-1") == {}
    page = client.post("/quarantine/ack", data={**form, "csrf": csrf(client, "/live")}).text
    assert "vu par Alice le" in page and unseen_count(page) == 1
    [ack] = acknowledged(store, station="desk-1").values()
    assert (ack.name, ack.acked_by) == (SCRIPT_NAME, "Alice")
    # Again (another screen, later): the first acknowledgement is kept.
    sign_in(client, "Chloé")
    client.post("/quarantine/ack", data={**form, "csrf": csrf(client, "/live")})
    assert [a.acked_by for a in acknowledged(store, station="desk-1").values()] == ["Alice"]
    feed = client.get("/api/feed").json()["quarantine"]
    assert feed["unseen"] == 1 and [f["name"] for f in feed["files"]] == ["huge.tif"]
    assert feed["unseen_text"] == "1 fichier en quarantaine non vu"
    # A file that is not in quarantine cannot be acknowledged.
    page = client.post("/quarantine/ack", data={"name": "../../etc/passwd", "at": "x",
                                                "csrf": csrf(client, "/live")}).text
    assert "Ce fichier n&#39;est pas en quarantaine." in page
    assert len(acknowledged(store, station="desk-1")) == 1


def test_retake_moves_the_file_back_and_a_bad_name_is_refused_in_french(setup, folder):
    _, _, _, client = setup
    sign_in(client, "Alice")
    token = csrf(client, "/live")
    assert client.post("/quarantine/retake", data={"name": "huge.tif"}).status_code == 403
    page = client.post("/quarantine/retake", data={"name": "huge.tif", "csrf": token}).text
    assert folder.retaken == ["huge.tif"] and "de nouveau dans le dossier surveillé" in page
    page = client.post("/quarantine/retake", data={"name": "../ledger.sqlite3", "csrf": token}).text
    assert folder.retaken == ["huge.tif"]
    assert "n&#39;a pas pu être repris" in page and "not in quarantine" not in page


def test_a_station_fault_is_a_banner_on_every_screen_while_it_lasts(setup, folder):
    _, _, _, client = setup
    sign_in(client, "Alice")
    assert 'id="fault" class="fault" role="alert" hidden' in client.get("/live").text
    folder.fault = Fault("image_store", "[Errno 28] No space left on device: <img src=x>",
                         "2026-12-04T11:00:00+00:00")
    for path in ("/live", "/review", "/trays", "/quarantine"):
        page = client.get(path, follow_redirects=True).text
        assert "impossible d&#39;écrire dans le stockage des images" in page, path
        assert "&lt;img src=x&gt;" in page and "<img src=x>" not in page, path
    assert client.get("/api/alarms").json()["fault"]["code"] == "image_store"
    folder.fault = None
    assert 'id="fault" class="fault" role="alert" hidden' in client.get("/trays").text


@pytest.mark.parametrize("lang, words", [
    ("en", ("Hand scanner", "Quarantined files", "file too large", "Quarantine")),
    ("nl", ("Handscanner", "Bestanden in quarantaine", "bestand te groot", "Quarantaine")),
])
def test_the_screens_speak_english_and_dutch(setup, folder, lang, words):
    _, _, _, client = setup
    sign_in(client, "Alice")
    client.post("/lang", data={"csrf": csrf(client, "/live"), "lang": lang, "next": "/quarantine"})
    page = client.get("/quarantine").text
    for word in words:
        assert word in page, word
    assert "Douchette" not in page and "Fichiers en quarantaine" not in page
    assert client.get("/live").status_code == 200 and client.get("/review").status_code == 200
