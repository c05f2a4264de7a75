"""Attacks on the station app, one test each, named after the attack: replayed and forged
cookies, the last admin demoting herself, PIN guessing past the throttle, URLs with ids no
database holds, and pieces recorded in the name of whoever signed in last."""

from __future__ import annotations

import json
from base64 import b64encode
from pathlib import Path

import itsdangerous
import pytest
from fastapi.testclient import TestClient
from station_app import csrf, sign_in

from models.store.people import LastAdmin, Role
from stations.hotfolder import RetryLater
from stations.web.auth import SignInThrottle

COOKIE = "scanpipe_session"
SECURITY_HEADERS = {"content-security-policy": "default-src 'self'",
                    "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
                    "x-frame-options": "DENY", "cache-control": "no-store"}
SCAN = Path(__file__).parent.parent / "samples" / "scans" / "envelope-1" / "02-letter-CAAL.jpg"


def browser(client: TestClient, name: str | None = None) -> TestClient:
    """Another browser on the same app, signed in as `name` (None: nobody)."""
    other = TestClient(client.app)
    if name is not None:
        assert sign_in(other, name).status_code == 303
    return other


def let_in(client: TestClient, path: str) -> bool:
    return client.get(path, follow_redirects=False).status_code == 200


def has_security_headers(answer) -> bool:
    return all(value in answer.headers.get(name, "") for name, value in SECURITY_HEADERS.items())


# ------------------------------------------------------------------ cookies

def test_replayed_cookie_after_sign_out_is_refused(setup):
    _, _, _, client = setup
    sign_in(client, "Adam")
    stolen = client.cookies[COOKIE]
    assert client.post("/signout", data={"csrf": csrf(client, "/people")},
                       follow_redirects=False).status_code == 303
    thief = browser(client)
    thief.cookies.set(COOKIE, stolen)
    answer = thief.get("/people", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/signin?next=/people")
    assert thief.get("/api/feed").status_code == 401


def forged(secret: str, data: dict) -> str:
    """A session cookie as Starlette signs it, made with a leaked `station-secret`."""
    payload = b64encode(json.dumps(data).encode())
    return itsdangerous.TimestampSigner(secret).sign(payload).decode()


def test_forged_cookie_with_the_leaked_secret_opens_nothing(setup):
    store, _, _, client = setup
    adam = next(p for p in store.people() if p.name == "Adam")
    attacker = browser(client)
    for data in ({"person": adam.id, "csrf": "x"},                  # the old cookie's shape
                 {"sid": "guessed-token", "person": adam.id, "csrf": "x"},
                 {"sid": None, "person": adam.id}, {"sid": 12345}):
        attacker.cookies.set(COOKIE, forged("test-secret", data))
        answer = attacker.get("/people", follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/signin?next=/people")
    # The forged cookie is well signed: the same secret with a live session's token does open.
    sign_in(client, "Adam")
    assert let_in(client, "/people")


# ------------------------------------------------------------------- people

def test_last_admin_self_demotion_is_refused(setup):
    store, _, _, client = setup
    sign_in(client, "adam")
    for change in ({"action": "change", "role": "operator"}, {"action": "deactivate"}):
        page = client.post("/people", data={"csrf": csrf(client, "/people"), "name": "Adam",
                                            **change}).text  # back on /people, the flash says why
        assert "dernière personne admin active" in page
        adam = next(p for p in store.people() if p.name == "Adam")
        assert (adam.role, adam.active) == (Role.ADMIN, True)
    with pytest.raises(LastAdmin):
        store.change_person("Adam", actor="Adam", station="office", role=Role.AUDITOR,
                            keep_an_admin=True)
    assert [e.type for e in store.events()].count("person.changed") == 0
    # With a second admin, she may step down (and is signed out by her role change).
    store.change_person("Chloé", actor="Adam", station="office", role=Role.ADMIN)
    client.post("/people", data={"csrf": csrf(client, "/people"), "name": "Adam",
                                 "action": "change", "role": "coordinator"})
    assert store.check_sign_in("Adam", "1234").role is Role.COORDINATOR
    assert not let_in(client, "/people")
    with pytest.raises(LastAdmin):  # Chloé is the last one now
        store.change_person("Chloé", actor="Chloé", station="office", active=False,
                            keep_an_admin=True)


# ---------------------------------------------------------------- throttling

FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in "Marie Claire")
VARIANTS = ["marie  claire", "Marie\u00a0Claire", FULL_WIDTH, " MARIE CLAIRE ", "Marie\u2003\u2003Claire"]


@pytest.mark.parametrize("variant", VARIANTS,
                         ids=["double space", "no-break space", "full width", "case", "em spaces"])
def test_throttle_bypass_by_name_variants_is_closed(setup, variant):
    store, _, _, client = setup
    store.add_person("Marie Claire", Role.OPERATOR, "1234", actor="setup", station="office")
    assert store.check_sign_in(variant, "1234") is not None  # the variant is the same person…
    for _ in range(3):  # the fixture's throttle: three free wrong tries per name
        assert sign_in(client, "Marie Claire", "0000").status_code == 401
    assert sign_in(client, variant, "0000").status_code == 429  # …so it shares her count
    assert sign_in(client, variant, "1234").status_code == 429


@pytest.mark.parametrize("variant", VARIANTS,
                         ids=["double space", "no-break space", "full width", "case", "em spaces"])
def test_throttle_bypass_by_name_variants_counts_every_variant(setup, variant):
    store, _, _, client = setup
    store.add_person("Marie Claire", Role.OPERATOR, "1234", actor="setup", station="office")
    for _ in range(3):
        assert sign_in(client, variant, "0000").status_code == 401
    assert sign_in(client, "Marie Claire", "1234").status_code == 429


def test_one_pc_s_typos_do_not_lock_the_others_of_that_pc(setup):
    _, _, _, client = setup
    for _ in range(3):
        assert sign_in(client, "Alice", "0000").status_code == 401
    assert sign_in(client, "Alice", "1234").status_code == 429  # Alice is slowed down…
    for name in ("Chloé", "Audrey", "Adam"):  # …the others at the same PC are not
        assert sign_in(browser(client), name).status_code == 303


def test_one_pc_trying_many_names_is_still_slowed_down():
    now = [0.0]
    throttle = SignInThrottle(free=3, address_free=6, base=60, clock=lambda: now[0])
    for n in range(6):
        assert throttle.wait_seconds(f"name {n}", "10.0.0.7") == 0
        throttle.failed(f"name {n}", "10.0.0.7")
    assert throttle.wait_seconds("Alice", "10.0.0.7") > 0  # the PC guessed too much
    assert throttle.wait_seconds("Alice", "10.0.0.8") == 0  # another PC is free
    now[0] += 61
    assert throttle.wait_seconds("Alice", "10.0.0.7") == 0


def test_success_resets_the_name_s_count(setup):
    _, _, _, client = setup
    for _ in range(2):
        assert sign_in(client, "Alice", "0000").status_code == 401
    assert sign_in(client, "alice", "1234").status_code == 303
    for _ in range(2):
        assert sign_in(client, "ALICE", "0000").status_code == 401
    assert sign_in(client, "Alice", "1234").status_code == 303  # not locked: the count restarted


def test_success_resets_the_address_s_count_for_that_name():
    throttle = SignInThrottle(free=10, address_free=3, clock=lambda: 0.0)
    for _ in range(2):
        throttle.failed("Alice", "10.0.0.7")
    throttle.succeeded("ALICE", "10.0.0.7")
    throttle.failed("Chloé", "10.0.0.7")
    throttle.failed("Chloé", "10.0.0.7")
    assert throttle.wait_seconds("Audrey", "10.0.0.7") == 0  # Alice's typos were forgiven
    throttle.failed("Chloé", "10.0.0.7")
    assert throttle.wait_seconds("Audrey", "10.0.0.7") > 0   # Chloé's three were not


# ------------------------------------------------------------------ big ids

HUGE = "99999999999999999999"  # above 2**63


@pytest.mark.parametrize("method, path", [
    ("GET", f"/review/{HUGE}"), ("GET", f"/items/{HUGE}/image"), ("GET", f"/batch/{HUGE}"),
    ("GET", f"/bundles/{HUGE}"), ("POST", f"/review/{HUGE}/decide"),
    ("POST", f"/bundles/{HUGE}/step"), ("GET", f"/review/{2**63}"), ("GET", f"/review/-{HUGE}"),
    ("GET", f"/items/{'9' * 5000}/image"), ("GET", f"/api/feed?after={HUGE}"),
])
def test_huge_ids_answer_404_with_the_security_headers(setup, method, path):
    _, _, _, client = setup
    sign_in(client, "Adam")
    answer = client.request(method, path, data={"csrf": csrf(client, "/live")},
                            follow_redirects=False)
    assert answer.status_code == 404 and has_security_headers(answer)
    if not path.startswith("/api/"):
        assert "Cette page ou cette pièce n&#39;existe pas." in answer.text


def test_the_largest_id_a_database_holds_is_simply_not_found(setup):
    _, _, _, client = setup
    sign_in(client, "Adam")
    for path in (f"/review/{2**63 - 1}", f"/items/{2**63 - 1}/image", f"/bundles/{2**63 - 1}"):
        answer = client.get(path)
        assert answer.status_code == 404 and has_security_headers(answer)


def test_an_unexpected_crash_shows_a_plain_page_with_the_security_headers(setup, monkeypatch):
    store, _, _, client = setup
    sign_in(client, "Alice")
    secret_detail = "connection to 10.1.2.3 password=hunter2 failed"

    def broken(*_args, **_kwargs):
        raise RuntimeError(secret_detail)

    monkeypatch.setattr(store, "recent_items", broken)
    monkeypatch.setattr(store, "feed", broken)
    crashing = TestClient(client.app, raise_server_exceptions=False)
    crashing.cookies.set(COOKIE, client.cookies[COOKIE])
    for path in ("/live", "/api/feed"):
        answer = crashing.get(path)
        assert answer.status_code == 500 and has_security_headers(answer)
        assert secret_detail not in answer.text and "Traceback" not in answer.text
        assert "RuntimeError" not in answer.text


# -------------------------------------------------------------- attribution

def record_through_the_station(station, tmp_path: Path, number: int):
    """A scan taken in by the station's hot folder client, as the hot folder hands it over."""
    copy = tmp_path / "work" / f"{number:012x}--02-letter-CAAL.jpg"
    copy.write_bytes(SCAN.read_bytes() + bytes([number]))  # distinct bytes: a new file each time
    return station.take_file(copy)


def actors_of_pieces(store) -> set[str]:
    return {e.actor for e in store.events() if e.type.startswith("item.")}


def test_attribution_a_second_person_signing_in_elsewhere_does_not_take_the_hot_folder(setup, tmp_path):
    store, _, station, client = setup
    desk = browser(client, "Alice")
    assert let_in(desk, "/live")  # Alice opens the live screen of a station with no operator
    assert station.operator == "Alice"
    office = browser(client, "Chloé")  # a coordinator signs in from another browser…
    assert let_in(office, "/bundles")  # …looks at the bundles…
    assert office.get("/api/feed").status_code == 200  # …polls the feed…
    assert let_in(office, "/live")  # …even opens the live screen
    assert station.operator == "Alice"
    assert record_through_the_station(station, tmp_path, 1).done
    assert actors_of_pieces(store) == {"Alice"}
    assert store.items()[-1].operator == "Alice"
    assert desk.get("/api/feed").json()["operator"] == "Alice"


def test_attribution_follows_only_a_deliberate_scan_in_my_name(setup, tmp_path):
    store, _, station, client = setup
    desk, office = browser(client, "Alice"), browser(client, "Chloé")
    let_in(desk, "/live")
    assert office.post("/operator", data={}).status_code == 403  # a form without its token
    assert station.operator == "Alice"
    answer = office.post("/operator", data={"csrf": csrf(office, "/live"), "next": "//evil.example"},
                         follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    assert station.operator == "Chloé"
    assert record_through_the_station(station, tmp_path, 2).done
    auditor = browser(client, "Audrey")
    assert auditor.post("/operator", data={"csrf": csrf(auditor, "/trays")}).status_code == 403
    assert actors_of_pieces(store) == {"Chloé"} and station.operator == "Chloé"


@pytest.mark.parametrize("how", ["sign-out", "sign-out elsewhere", "revoked", "disabled",
                                 "no more SORT", "PIN changed"])
def test_attribution_ends_with_the_operator_s_session(setup, tmp_path, how):
    store, _, station, client = setup
    desk = browser(client, "Alice")
    let_in(desk, "/live")
    assert station.operator == "Alice"
    if how == "sign-out":
        desk.post("/signout", data={"csrf": csrf(desk, "/live")})
    elif how == "sign-out elsewhere":
        elsewhere = browser(client, "Alice")
        elsewhere.post("/signout", data={"csrf": csrf(elsewhere, "/trays")})
    elif how == "revoked":
        store.revoke_sessions(next(p.id for p in store.people() if p.name == "Alice"))
    elif how == "disabled":
        store.change_person("Alice", actor="Adam", station="office", active=False)
    elif how == "no more SORT":
        store.change_person("Alice", actor="Adam", station="office", role=Role.AUDITOR)
    else:
        store.change_person("Alice", actor="Adam", station="office", secret="97531")
    assert station.operator is None and not station.ready()
    with pytest.raises(RetryLater):  # the file waits in the inbox
        record_through_the_station(station, tmp_path, 3)
    assert actors_of_pieces(store) == set()

