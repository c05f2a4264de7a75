"""The station app in-process (no browser): roles, CSRF, sign-in throttling, review and undo
as ledger events, batches, trays, images by item id, escaping. The browser tests are in
test_station_browser.py."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image
from station_app import csrf, sign_in

from models.store import Store
from models.store.people import Role
from scanpipe.domain.payload import encode_payload, kit_payload
from scanpipe.domain.routing import Candidate, Decision, Finding, Kind, Reason, Status
from stations.handscanner import as_azerty

SCRIPT = "<script>alert('qr')</script>"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("L", (200, 280), 255).save(out, "JPEG")
    return out.getvalue()


def record_review(store: Store, station: str = "desk-1", code_text: str = "https://example.org") -> int:
    data = jpeg() + station.encode()  # distinct bytes per call: distinct images
    sha = store.images.put(data)
    decision = Decision(Kind.LETTER, Status.REVIEW,
                        findings=(Finding(Reason.FOREIGN_CODE, "not a scanpipe code", code_text, "zxing"),
                                  Finding(Reason.OCR_AMBIGUOUS, "two cases")),
                        candidates=(Candidate("ZHANG", 0.8, ()), Candidate("RUNG", 0.7, ())))
    outcome, = store.record_file(source_name="scan-0001.jpg", sha256=sha, media_type="jpeg",
                                 size=len(data), pages=[(1, decision)], station=station,
                                 operator="Alice")
    return outcome.item_id


def test_pages_need_sign_in_and_the_session_cookie_is_locked_down(setup):
    _, _, _, client = setup
    response = client.get("/live", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")
    response = sign_in(client, "alice")  # names are matched without case
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/live").status_code == 200
    assert "default-src 'self'" in client.get("/live").headers["content-security-policy"]


def test_wrong_pin_is_refused_and_guessing_is_throttled(setup):
    _, _, _, client = setup
    for _ in range(3):
        assert sign_in(client, "Alice", "0000").status_code == 401
    assert sign_in(client, "Alice", "0000").status_code == 429  # locked now…
    assert sign_in(client, "Alice", "1234").status_code == 429  # …even for the right PIN


def test_every_form_needs_its_csrf_token(setup):
    _, _, _, client = setup
    response = client.post("/signin", data={"name": "Alice", "secret": "1234"})
    assert response.status_code == 403
    sign_in(client, "Alice")
    assert client.post("/batch/anonymous", data={}).status_code == 403
    assert client.post("/batch/anonymous", data={"csrf": "forged"}).status_code == 403
    assert client.post("/batch/anonymous", data={"csrf": csrf(client, "/live")},
                       follow_redirects=False).status_code == 303


@pytest.mark.parametrize("name, path, allowed", [
    ("Audrey", "/live", False), ("Audrey", "/review", False), ("Audrey", "/progress", True),
    ("Audrey", "/people", False), ("Alice", "/people", False), ("Alice", "/progress", False),
    ("Alice", "/trays/edit", False), ("Chloé", "/trays/edit", True), ("Adam", "/people", True),
])
def test_each_role_sees_only_its_pages(setup, name, path, allowed):
    _, _, _, client = setup
    sign_in(client, name)
    response = client.get(path, follow_redirects=True)
    assert (response.status_code == 200) is allowed, response.status_code
    if not allowed:
        assert response.status_code == 403


def test_a_kit_code_typed_by_the_hand_scanner_opens_a_batch(setup):
    store, campaign, _, client = setup
    sign_in(client, "Alice")
    code = encode_payload(kit_payload(campaign.id, 42), campaign.check_key)
    client.post("/batch/open", data={"csrf": csrf(client, "/live"), "code": code})
    batch = store.current_batch("desk-1")
    assert batch.kit_serial == 42 and batch.operator == "Alice"
    # A code that is not a kit envelope's is refused, shown escaped, and changes nothing.
    page = client.post("/batch/open", data={"csrf": csrf(client, "/live"), "code": SCRIPT})
    assert SCRIPT not in page.text and "&lt;script&gt;" in page.text
    assert store.current_batch("desk-1").id == batch.id
    closed = client.post("/batch/close", data={"csrf": csrf(client, "/live")})
    assert closed.url.path == f"/batch/{batch.id}"
    assert store.current_batch("desk-1") is None


def test_review_decision_and_undo_are_new_ledger_events(setup):
    store, _, _, client = setup
    item_id = record_review(store, code_text=SCRIPT)
    sign_in(client, "Alice")
    page = client.get("/review", follow_redirects=True)
    assert page.url.path == f"/review/{item_id}"
    assert SCRIPT not in page.text and "&lt;script&gt;alert(&#39;qr&#39;)&lt;/script&gt;" in page.text
    keys = re.findall(r'value="([A-Z0-9-]+)" data-key="(\d)"', page.text)
    assert keys[:2] == [("ZHANG", "1"), ("RUNG", "2")]  # ranked first, then the other cases
    seen = re.search(r'name="seen" value="(\d+)"', page.text).group(1)
    done = client.post(f"/review/{item_id}/decide",
                       data={"csrf": csrf(client, "/live"), "case": "ZHANG", "kind": "letter",
                             "seen": seen})
    item = store.item(item_id)
    assert (item.status, item.case_code, item.method, item.destination) == \
        ("routed", "ZHANG", "manual", "embassy:CN")
    assert "Bac" in done.text or "Tray" in done.text
    client.post("/review/undo", data={"csrf": csrf(client, "/live")})
    item = store.item(item_id)
    assert (item.status, item.case_code) == ("review", None)
    types = [e.type for e in store.events() if e.subject == f"item:{item_id}"]
    assert types == ["item.scanned", "item.review", "item.decided", "item.undone"]
    assert store.audit().ok
    # Nothing left to undo for Alice; the piece can be settled again.
    client.post("/review/undo", data={"csrf": csrf(client, "/live")})
    assert store.item(item_id).status == "review"


def test_a_stale_review_page_cannot_overwrite_another_decision(setup):
    store, campaign, _, client = setup
    item_id = record_review(store)
    sign_in(client, "Alice")
    seen = re.search(r'name="seen" value="(\d+)"',
                     client.get(f"/review/{item_id}").text).group(1)
    from models.store.review import Choice, Verdict
    store.decide(item_id, Choice(Verdict.UNREADABLE), campaign, actor="Chloé", station="desk-2")
    client.post(f"/review/{item_id}/decide",
                data={"csrf": csrf(client, "/live"), "case": "ZHANG", "seen": seen})
    item = store.item(item_id)
    assert item.status == "rejected" and json.loads(item.reasons) == ["SET_ASIDE_UNREADABLE"]


def test_images_are_served_by_item_id_only(setup):
    store, _, _, client = setup
    item_id = record_review(store)
    sign_in(client, "Audrey")  # auditors may look at the scans
    image = client.get(f"/items/{item_id}/image?w=120")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(image.content)).width <= 120
    assert client.get("/items/999999/image").status_code == 404
    assert client.get("/items/../../etc/passwd/image").status_code == 404


def test_coordinator_sets_the_tray_plan_and_it_is_checked(setup):
    store, campaign, _, client = setup
    sign_in(client, "Chloé")
    token = csrf(client, "/trays/edit")
    plan = store.tray_plan(campaign)
    clash = {f"tray:{k}": v for k, v in plan.items()} | {"tray:embassy:GT": plan["embassy:ER"]}
    page = client.post("/trays", data={"csrf": token, **clash})
    assert "embassy:ER" in page.text and store.tray_plan(campaign)["embassy:GT"] == "1"
    wanted = {f"tray:{k}": v for k, v in plan.items()} | {"tray:embassy:GT": "A1"}
    client.post("/trays", data={"csrf": csrf(client, "/trays/edit"), **wanted})
    assert store.tray_plan(campaign)["embassy:GT"] == "A1"
    assert [e.type for e in store.events()][-1] == "trays.set"
    assert ">A1<" in client.get("/trays").text


def test_refusals_of_the_tray_plan_and_the_people_page_are_in_the_station_language(setup):
    """The store's refusals are English for the logs; the screens say them in French (or
    English when chosen), with the names filled in and escaped."""
    store, campaign, _, client = setup
    sign_in(client, "Adam")
    plan = store.tray_plan(campaign)
    clash = {f"tray:{k}": v for k, v in plan.items()} | {"tray:embassy:GT": plan["embassy:ER"]}
    page = client.post("/trays", data={"csrf": csrf(client, "/trays/edit"), **clash}).text
    assert "est donné deux fois (embassy:GT et embassy:ER)" in page or \
        "est donné deux fois (embassy:ER et embassy:GT)" in page
    assert "is given to both" not in page
    bad_label = {f"tray:{k}": v for k, v in plan.items()} | {"tray:embassy:GT": "<b>trop-long</b>"}
    page = client.post("/trays", data={"csrf": csrf(client, "/trays/edit"), **bad_label}).text
    assert "de 1 à 8 lettres" in page and "&lt;b&gt;trop-long&lt;/b&gt;" in page
    page = client.post("/people", data={"csrf": csrf(client, "/people"), "action": "add",
                                        "name": "Alice", "role": "operator", "secret": "98765"}).text
    assert "« Alice » existe déjà" in page and "already exists" not in page
    page = client.post("/people", data={"csrf": csrf(client, "/people"), "action": "add",
                                        "name": "Bea", "role": "operator", "secret": "1"}).text
    assert "au moins" in page and "caractères" in page
    client.post("/lang", data={"csrf": csrf(client, "/people"), "lang": "en", "next": "/people"})
    page = client.post("/people", data={"csrf": csrf(client, "/people"), "action": "add",
                                        "name": "Alice", "role": "operator", "secret": "98765"}).text
    assert "“Alice” already exists" in page
    assert [p.name for p in store.people()].count("Alice") == 1 and "Bea" not in \
        [p.name for p in store.people()]


def test_admin_adds_a_person_and_removes_access(setup):
    store, _, _, client = setup
    sign_in(client, "Adam")
    client.post("/people", data={"csrf": csrf(client, "/people"), "action": "add", "name": "Zoé",
                                 "role": "operator", "secret": "98765"})
    assert store.check_sign_in("zoé", "98765").role is Role.OPERATOR
    client.post("/people", data={"csrf": csrf(client, "/people"), "action": "deactivate",
                                 "name": "Zoé"})
    assert store.check_sign_in("Zoé", "98765") is None
    assert [e.type for e in store.events()][-2:] == ["person.added", "person.changed"]
    assert "98765" not in json.dumps([e.payload for e in store.events()])


def test_live_feed_reports_new_pieces_with_their_tray(setup):
    store, campaign, _, client = setup
    sign_in(client, "Alice")
    head = int(re.search(r'data-after="(\d+)"', client.get("/live").text).group(1))
    item_id = record_review(store)
    feed = client.get(f"/api/feed?after={head}").json()
    piece, = feed["pieces"]
    assert piece["id"] == item_id and piece["tray"] == store.tray_plan(campaign)["review"]
    assert feed["review"] == 1 and feed["after"] > head
    assert client.get(f"/api/feed?after={feed['after']}").json()["pieces"] == []


def test_english_is_available(setup):
    _, _, _, client = setup
    assert "Connexion" in client.get("/signin").text
    client.post("/lang", data={"csrf": csrf(client), "lang": "en", "next": "/signin"})
    assert "Sign in" in client.get("/signin").text


def test_a_hand_scanner_on_the_wrong_keyboard_layout_still_opens_the_batch(setup):
    store, campaign, _, client = setup
    sign_in(client, "Alice")
    code = encode_payload(kit_payload(campaign.id, 1207), campaign.check_key)
    garbled = as_azerty(code)
    assert garbled != code and ":" not in garbled
    client.post("/batch/open", data={"csrf": csrf(client, "/live"), "code": garbled})
    assert store.current_batch("desk-1").kit_serial == 1207
    # A garbled code whose check fails is still refused.
    client.post("/batch/open", data={"csrf": csrf(client, "/live"), "code": garbled[:-1] + "&"})
    assert store.current_batch("desk-1").kit_serial == 1207
    assert len([e for e in store.events() if e.type == "batch.opened"]) == 1


def test_the_envelope_page_after_its_label_was_scanned_keeps_the_batch(setup):
    store, campaign, _, client = setup
    sign_in(client, "Alice")
    code = encode_payload(kit_payload(campaign.id, 5), campaign.check_key)
    client.post("/batch/open", data={"csrf": csrf(client, "/live"), "code": code})
    opened = store.current_batch("desk-1").id
    envelope = Decision(Kind.KIT_ENVELOPE, Status.ROUTED, kit_serial=5,
                        findings=(Finding(Reason.KIT_ENVELOPE, "kit 5", code, "zxing"),))
    data = jpeg() + b"envelope"
    outcome, = store.record_file(source_name="env.jpg", sha256=store.images.put(data),
                                 media_type="jpeg", size=len(data), pages=[(1, envelope)],
                                 station="desk-1", operator="Alice")
    assert outcome.batch_id == opened and store.current_batch("desk-1").id == opened


def test_the_station_takes_a_file_in_the_name_of_whoever_is_signed_in(setup, tmp_path):
    from stations.hotfolder import RetryLater

    store, _, station, _ = setup
    scan = tmp_path / "work" / "0123456789ab--02-letter-CAAL.jpg"
    scan.write_bytes((Path(__file__).parent.parent / "samples" / "scans" / "envelope-1" /
                      "02-letter-CAAL.jpg").read_bytes())
    with pytest.raises(RetryLater):  # nobody at the station: the file waits in the inbox
        station.take_file(scan)
    station.sign_in("Alice")
    assert station.take_file(scan).done
    item, = store.items()
    assert (item.case_code, item.operator, item.station, item.source_name) == \
        ("CAAL", "Alice", "desk-1", "02-letter-CAAL.jpg")
    torn = tmp_path / "work" / "0123456789ac--torn.jpg"
    torn.write_bytes(b"\xff\xd8\xff\xe0 torn")
    handled = station.take_file(torn)
    assert not handled.done and "unreadable" in handled.reason
    assert store.items()[-1].status == "rejected"  # recorded, and the file quarantined
    station.sign_out("Alice")
    assert station.operator is None


def test_an_unknown_page_answers_404_in_the_station_language(setup):
    _, _, _, client = setup
    sign_in(client, "Alice")
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "n&#39;existe pas" in response.text


# ------------------------------------------- letters to the person, blank and picture sides

def _record(store: Store, decision: Decision, name: str, page: int = 1) -> int:
    data = jpeg() + name.encode()
    outcome, = store.record_file(source_name=name, sha256=store.images.put(data),
                                 media_type="jpeg", size=len(data), pages=[(page, decision)],
                                 station="desk-1", operator="Alice")
    return outcome.item_id


def test_review_sets_a_letter_to_the_person_with_its_key_and_shows_the_postcard_tray(setup):
    store, campaign, _, client = setup
    item_id = record_review(store)
    sign_in(client, "Alice")
    page = client.get(f"/review/{item_id}").text
    # T sets the kind; it clashes with no other key of the page.
    assert re.search(r'value="solidarity_letter" data-key="t"[^>]*> <kbd>T</kbd>lettre à la personne', page)
    keys = re.findall(r'data-key="([^"]+)"', page)
    assert keys.count("t") == 1 and len(keys) == len(set(keys))
    assert "T lettre à la personne" in page  # the keys line says it
    seen = re.search(r'name="seen" value="(\d+)"', page).group(1)
    done = client.post(f"/review/{item_id}/decide",
                       data={"csrf": csrf(client, "/live"), "case": "ZHANG",
                             "kind": "solidarity_letter", "seen": seen})
    item = store.item(item_id)
    assert (item.kind, item.destination) == ("solidarity_letter", "partner:AIIS")
    tray = store.tray_plan(campaign)["partner:AIIS"]
    assert tray != store.tray_plan(campaign)["embassy:CN"]
    assert "lettre à la personne), Amnesty International" in done.text
    assert f"Bac {tray}." in done.text
    assert store.audit().ok


def test_the_office_pages_count_letters_to_the_person(setup):
    store, campaign, _, client = setup
    wendy = campaign.case("WENDY")
    for n in range(2):
        _record(store, Decision(Kind.SOLIDARITY_LETTER, Status.ROUTED, "WENDY", "person:WENDY",
                                findings=(Finding(Reason.ROUTED_BY_QR, "made"),)), f"w{n}.jpg")
    _record(store, Decision(Kind.LETTER, Status.ROUTED, "WENDY", f"embassy:{wendy.embassy}",
                            findings=(Finding(Reason.ROUTED_BY_QR, "made"),)), "w-letter.jpg")
    sign_in(client, "Chloé")
    client.post("/lang", data={"csrf": csrf(client, "/progress"), "lang": "en", "next": "/"})
    progress = client.get("/progress").text
    assert "Letters to the person" in progress and "Letters to the authority" in progress
    # WENDY: 1 letter to the authority, 2 letters to the person, 0 postcards, 0 petitions.
    assert re.search(r"<strong>WENDY</strong>[^<]*</td><td class=\"num\">1</td>"
                     r"<td class=\"num\">2</td><td class=\"num\">0</td>", progress)
    bundles = client.get("/bundles").text
    assert re.search(r'data-destination="person:WENDY">.*?<td class="num">0</td>'
                     r'<td class="num">2</td><td class="num">0</td>', bundles, re.DOTALL)


def test_blank_and_picture_sides_are_counted_as_sides_on_the_screens(setup):
    store, _, _, client = setup
    sign_in(client, "Alice")
    head = int(re.search(r'data-after="(\d+)"', client.get("/live").text).group(1))
    client.post("/batch/anonymous", data={"csrf": csrf(client, "/live")})
    for reason, name in ((Reason.BLANK_PAGE, "duplex.pdf"), (Reason.POSTCARD_PICTURE_SIDE, "card.pdf")):
        _record(store, Decision(Kind.UNKNOWN, Status.REJECTED, findings=(Finding(reason, "made"),)),
                name, page=2)
    _record(store, Decision(Kind.UNKNOWN, Status.REJECTED,
                            findings=(Finding(Reason.UNREADABLE_FILE, "torn"),)), "torn.jpg")
    feed = client.get(f"/api/feed?after={head}").json()
    cards = {p["source"]: p for p in feed["pieces"]}
    assert (cards["duplex.pdf"]["status"], cards["duplex.pdf"]["status_label"],
            cards["duplex.pdf"]["tray"]) == ("blank_side", "verso blanc", None)
    assert cards["card.pdf"]["status"] == "picture_side" and cards["card.pdf"]["tray"] is None
    assert cards["torn.jpg"]["status"] == "rejected" and cards["torn.jpg"]["tray"] is not None
    assert feed["counts"]["batch"] == {"blank_side": 1, "picture_side": 1, "rejected": 1}
    closed = client.post("/batch/close", data={"csrf": csrf(client, "/live")})
    assert re.search(r'id="batch-rejected">1<', closed.text)
    assert re.search(r'id="batch-blank-sides">1<', closed.text)
    assert re.search(r'id="batch-picture-sides">1<', closed.text)
