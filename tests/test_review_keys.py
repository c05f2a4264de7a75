"""Review decisions as issue 18 wants them: each listed with what it did and its tray, any of
mine undone while it still stands (a new `item.undone` event, nothing removed), refusals said in
the station's language, a kit code scanned from any sorting screen, and the screens' plurals.
The keyboard itself (scanner bursts, the count after P) is tested in a real browser:
test_station_browser.py."""

from __future__ import annotations

import re

import pytest
from station_app import csrf, sign_in
from test_station_app import record_review

from models.store.review import Choice, ReviewError, Verdict
from scanpipe.domain.payload import Payload, PayloadKind, encode_payload, kit_payload
from scanpipe.domain.routing import Kind
from stations.web import text as words


def decide(store, campaign, item_id, case, actor="Alice", station="desk-1", kind=Kind.LETTER):
    return store.decide(item_id, Choice(Verdict.CASE, case=case, kind=kind), campaign,
                        actor=actor, station=station)


def types_of(store, item_id):
    return [e.type for e in store.events() if e.subject == f"item:{item_id}"]


def test_an_older_decision_is_undone_by_a_new_event_and_the_newer_one_stands(setup):
    store, campaign, _, _ = setup
    first, second = record_review(store, "desk-1"), record_review(store, "desk-1 ")
    decide(store, campaign, first, "ZHANG")
    decide(store, campaign, second, "RUNG")
    events = len(store.events())
    [newer, older] = store.my_decisions(actor="Alice", station="desk-1")
    assert (newer.item_id, older.item_id) == (second, first) and older.undoable
    undone = store.undo(older.seq, actor="Alice", station="desk-1")
    assert undone.item_id == first and store.item(first).status == "review"
    assert store.item(second).status == "routed"
    assert types_of(store, first)[-2:] == ["item.decided", "item.undone"]
    assert len(store.events()) == events + 1  # one more line; none removed
    listed = {d.item_id: d for d in store.my_decisions(actor="Alice", station="desk-1")}
    assert listed[first].undone and not listed[first].undoable
    assert listed[second].undoable and not listed[second].undone
    assert store.audit(check_images=False).ok


def test_a_decision_that_no_longer_stands_or_is_someone_elses_cannot_be_undone(setup):
    store, campaign, _, _ = setup
    item_id = record_review(store)
    decide(store, campaign, item_id, "ZHANG")
    [mine] = store.my_decisions(actor="Alice", station="desk-1")
    with pytest.raises(ReviewError) as refused:
        store.undo(mine.seq, actor="Chloé", station="desk-1")
    assert refused.value.code == "not_yours"
    store.undo(mine.seq, actor="Alice", station="desk-1")
    with pytest.raises(ReviewError) as again:
        store.undo(mine.seq, actor="Alice", station="desk-1")
    assert again.value.code == "changed_since"
    scanned = next(e.seq for e in store.events() if e.type == "item.scanned")
    with pytest.raises(ReviewError) as not_a_decision:
        store.undo(scanned, actor="Alice", station="desk-1")
    assert not_a_decision.value.code == "not_yours"
    assert types_of(store, item_id).count("item.undone") == 1


def test_the_review_screen_lists_my_decisions_with_their_tray_and_undoes_any_of_them(setup):
    store, campaign, _, client = setup
    plan = store.tray_plan(campaign)
    first, second = record_review(store, "desk-1"), record_review(store, "desk-1 ")
    sign_in(client, "Alice")
    token = csrf(client, "/live")
    for item_id, case in ((first, "ZHANG"), (second, "RUNG")):
        seen = re.search(r'name="seen" value="(\d+)"', client.get(f"/review/{item_id}").text).group(1)
        client.post(f"/review/{item_id}/decide", data={"csrf": token, "case": case, "seen": seen})
    page = client.get("/review", follow_redirects=True).text  # nothing left: the "done" page
    rows = re.findall(r'<li class="standing" data-seq="(\d+)" data-item="(\d+)">\s*'
                      r'<span class="mine-tray">([^<]+)</span>', page)
    assert [(int(item), tray) for _, item, tray in rows] == \
        [(second, plan[store.item(second).destination]), (first, plan["embassy:CN"])]
    assert f"{first:07d}</a> → ZHANG (lettre à l&#39;autorité)" in page
    older_seq = rows[1][0]
    response = client.post("/review/undo", data={"csrf": token, "decision": older_seq},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/review/{first}"
    assert store.item(first).status == "review" and store.item(second).status == "routed"
    # The same decision again: refused, in French, never the store's English.
    again = client.post("/review/undo", data={"csrf": token, "decision": older_seq})
    assert "a changé depuis cette décision" in again.text and "changed since" not in again.text
    forged = client.post("/review/undo", data={"csrf": token, "decision": "1e9; DROP"})
    assert "n&#39;est pas une de vos décisions" in forged.text
    assert store.audit().ok


def test_a_refused_decision_is_said_in_the_station_language(setup):
    store, campaign, _, client = setup
    item_id = record_review(store)
    sign_in(client, "Alice")
    seen = re.search(r'name="seen" value="(\d+)"', client.get(f"/review/{item_id}").text).group(1)
    store.decide(item_id, Choice(Verdict.UNREADABLE), campaign, actor="Chloé", station="desk-2")
    page = client.post(f"/review/{item_id}/decide",
                       data={"csrf": csrf(client, "/live"), "case": "ZHANG", "seen": seen}).text
    assert f"La pièce {item_id:07d} n&#39;est plus à vérifier (décidée par Chloé)" in page
    assert "no longer in review" not in page
    other = record_review(store, "desk-1  ")
    page = client.post(f"/review/{other}/decide",
                       data={"csrf": csrf(client, "/live"), "case": "NOPE", "kind": "letter"}).text
    assert "Le cas « NOPE » n&#39;existe pas" in page and "no case" not in page
    page = client.post(f"/review/{other}/decide",
                       data={"csrf": csrf(client, "/live"), "case": "ZHANG", "kind": "petition",
                             "signatures": "5000"}).text
    assert "entre 0 et 1000 signatures" in page
    assert store.item(other).status == "review"


def test_a_kit_code_scanned_on_any_sorting_screen_opens_the_batch_and_goes_back_there(setup):
    store, campaign, _, client = setup
    item_id = record_review(store)
    sign_in(client, "Alice")
    page = client.get(f"/review/{item_id}").text
    assert 'id="scan-form"' in page and f'name="next" value="/review/{item_id}"' in page
    code = encode_payload(kit_payload(campaign.id, 9), campaign.check_key)
    response = client.post("/batch/open", data={"csrf": csrf(client, "/live"), "code": code,
                                                "next": f"/review/{item_id}"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/review/{item_id}"
    batch = store.current_batch("desk-1")
    assert batch.kit_serial == 9
    shown = client.get(f"/review/{item_id}").text
    assert f"Douchette : lot n° {batch.id} ouvert pour le kit 9" in shown
    # Never to another site.
    response = client.post("/batch/open", data={"csrf": csrf(client, "/live"), "code": code,
                                                "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("code, said", [
    ("", "rien n&#39;a été tapé"),
    ("letter", "c&#39;est le code d&#39;une pièce (lettre à l&#39;autorité), pas d&#39;une enveloppe"),
    ("forged", "code mal lu ou falsifié"),
    ("https://example.org/", "code étranger à la campagne"),
])
def test_why_a_code_opens_no_batch_is_said_in_french(setup, code, said):
    store, campaign, _, client = setup
    if code == "letter":
        code = encode_payload(Payload(PayloadKind.LETTER, campaign.id, "CAAL"), campaign.check_key)
    elif code == "forged":
        code = encode_payload(kit_payload(campaign.id, 9), campaign.check_key)[:-1] + "0"
    sign_in(client, "Alice")
    page = client.post("/batch/open", data={"csrf": csrf(client, "/live"), "code": code}).text
    assert said in page
    assert not re.search(r"not a scanpipe code|check does not match|nothing was typed|not an envelope", page)
    assert store.current_batch("desk-1") is None


@pytest.mark.parametrize("lang, counts", [
    ("fr", {0: "0 fichier", 1: "1 fichier", 2: "2 fichiers"}),
    ("en", {0: "0 files", 1: "1 file", 2: "2 files"}),
    ("nl", {0: "0 bestanden", 1: "1 bestand", 2: "2 bestanden"}),
])
def test_plurals_follow_each_language(lang, counts):
    for count, said in counts.items():
        assert words.plural("file", count, lang) == said


def test_a_batch_is_a_lot_and_a_bundle_a_liasse_everywhere_on_screen():
    for key in words.catalogue_keys():
        french, english = words.text(key, "fr"), words.text(key, "en")
        if re.search(r"\bbundles?\b", english, re.IGNORECASE):
            assert not re.search(r"\blots?\b", french, re.IGNORECASE), (key, french)
        if re.search(r"\bbatch(es)?\b", english, re.IGNORECASE):
            assert not re.search(r"\bliasses?\b", french, re.IGNORECASE), (key, french)


def test_every_event_has_a_name_in_each_language():
    from models.events import EventType

    for event in EventType:
        for lang in words.LANGUAGES:
            assert words.event_name(event.value, lang) != event.value, (event, lang)
    assert words.event_name("bundle.closed", "fr") == "liasse fermée"


def test_a_refused_bundle_step_is_said_in_french(setup):
    from conftest import record_piece

    store, _, _, client = setup
    record_piece(store, 1, case="ZHANG", destination="embassy:CN")
    sign_in(client, "Chloé")
    token = csrf(client, "/live")
    client.post("/bundles/close", data={"csrf": token, "destination": "embassy:CN"})
    page = client.post("/bundles/1/step", data={"csrf": token, "action": "dispatch",
                                                "method": "post", "tracking": ""}).text
    assert "Il manque : N° de suivi (poste)." in page and "is needed" not in page
    page = client.post("/bundles/1/step", data={"csrf": token, "action": "return",
                                                "reason": "adresse fausse"}).text
    assert "La liasse n° 1 est préparée : elle ne peut pas devenir revenue maintenant." in page
    assert "only when" not in page
    assert "liasse fermée" in page  # the history names its events in French
