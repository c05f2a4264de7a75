"""The bundle pages of the station app: who may see and do what, closing, printing the papers,
recording each step of delivery as ledger events, and untrusted words shown escaped."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
from conftest import record_piece
from station_app import csrf, sign_in

from models.events import EventType
from scanpipe.domain.routing import Kind

SCRIPT = "<script>alert('x')</script>"


def fill(store) -> None:
    for n in range(3):
        record_piece(store, n)
    record_piece(store, 3, kind=Kind.PETITION, signatures=9)
    record_piece(store, 4, kind=Kind.POSTCARD, destination="relatives:CAAL")


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.get_textpage().get_text_range().split())
                    for p in pdfium.PdfDocument(data))


def test_operators_do_not_see_bundles_and_auditors_change_nothing(setup):
    store, _, _, client = setup
    fill(store)
    sign_in(client, "Alice")
    assert client.get("/bundles").status_code == 403
    client.post("/signout", data={"csrf": csrf(client, "/live")})
    sign_in(client, "Audrey")
    page = client.get("/bundles")
    assert page.status_code == 200 and "embassy:GT" in page.text
    assert "/bundles/close" not in page.text  # no button for an auditor
    token = csrf(client, "/bundles")
    refused = client.post("/bundles/close", data={"csrf": token, "destination": "embassy:GT"})
    assert refused.status_code == 403 and store.bundles() == []


def test_a_coordinator_closes_prints_dispatches_and_records_delivery(setup):
    store, campaign, _, client = setup
    fill(store)
    sign_in(client, "Chloé")
    token = csrf(client, "/bundles")
    closed = client.post("/bundles/close", data={"csrf": token, "destination": "embassy:GT"},
                         follow_redirects=False)
    assert closed.status_code == 303 and closed.headers["location"] == "/bundles/1"
    page = client.get("/bundles/1")
    assert "Liasse n° 1" in page.text and re.search(r"TOTAL</td><td class=\"num\">3<", page.text)

    sheet = client.post("/bundles/1/papers", data={"csrf": token, "document": "sheet", "lang": "en"})
    assert sheet.headers["content-type"] == "application/pdf"
    words = pdf_text(sheet.content)
    assert "Embassy" in words or campaign.embassy("GT").name in words
    assert "TOTAL 3 0 1 9" in words
    label = client.post("/bundles/1/papers", data={"csrf": token, "document": "label"})
    assert label.headers["content-type"] == "application/pdf"
    issued = [e for e in store.events() if e.type == EventType.SHEET_ISSUED]
    assert [e.subject for e in issued] == ["bundle:1", "bundle:1"]

    no_tracking = client.post("/bundles/1/step", data={"csrf": token, "action": "dispatch",
                                                       "method": "post", "tracking": ""})
    assert "tracking" in no_tracking.text and store.bundle(1).state.value == "prepared"
    client.post("/bundles/1/step", data={"csrf": token, "action": "dispatch", "method": "post",
                                         "tracking": "RR123456785BE"})
    assert store.bundle(1).state.value == "dispatched"
    shown = client.post("/bundles/1/step", data={"csrf": token, "action": "deliver",
                                                 "received_by": SCRIPT, "received_on": "2022-01-20"})
    assert store.bundle(1).bundle.received_by == SCRIPT
    assert SCRIPT not in shown.text and "&lt;script&gt;" in shown.text
    steps = [e.type for e in store.events() if e.subject == "bundle:1"]
    assert steps == ["bundle.closed", "sheet.issued", "sheet.issued", "bundle.dispatched",
                     "bundle.delivered"]
    progress = client.get("/progress")
    assert 'id="delivery"' in progress.text
    assert re.search(r"CAAL</strong></td><td>[^<]+</td><td class=\"num\">4</td><td class=\"num\">4</td>"
                     r"<td class=\"num\">4</td><td class=\"num\">4</td>", progress.text)
    assert store.audit(check_images=False).ok


def test_wrong_steps_say_why_and_change_nothing(setup):
    store, _, _, client = setup
    fill(store)
    sign_in(client, "Chloé")
    token = csrf(client, "/bundles")
    client.post("/bundles/close", data={"csrf": token, "destination": "relatives:CAAL"})
    page = client.post("/bundles/1/step", data={"csrf": token, "action": "return", "reason": "x"})
    assert "La liasse n° 1 est préparée : elle ne peut pas devenir revenue maintenant." in page.text
    assert client.get("/bundles/99").status_code == 404
    missing = client.post("/bundles/1/step", data={"action": "void", "reason": "x"})
    assert missing.status_code == 403  # no CSRF token
    assert [e.type for e in store.events() if e.subject == "bundle:1"] == ["bundle.closed"]
