"""Server-side sessions of the station app: the cookie holds only a token, the table decides.
Sign-out, a PIN, role or access change end sessions at once; sessions expire and idle out."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta

from conftest import StepClock
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from station_app import csrf, sign_in

from models.store import Store
from models.store import tables as t
from models.store.people import LastAdmin, Role
from stations.web.context import IDLE_MINUTES, SESSION_HOURS

COOKIE = "scanpipe_session"


def signed_in(client: TestClient, name: str) -> TestClient:
    """A new browser of the same app, signed in as `name`."""
    browser = TestClient(client.app)
    assert sign_in(browser, name).status_code == 303
    return browser


def may_enter(browser: TestClient, path: str = "/trays") -> bool:
    answer = browser.get(path, follow_redirects=False)
    assert answer.status_code in (200, 303), answer.status_code
    return answer.status_code == 200


def replay(client: TestClient, cookie: str) -> TestClient:
    """Another browser sending a copy of a cookie."""
    browser = TestClient(client.app)
    browser.cookies.set(COOKIE, cookie)
    return browser


def test_sign_out_ends_the_session_for_good(setup):
    store, _, _, client = setup
    assert sign_in(client, "Alice").status_code == 303
    cookie = client.cookies[COOKIE]
    copy = replay(client, cookie)
    assert may_enter(copy)  # the same cookie elsewhere is the same session…
    client.post("/signout", data={"csrf": csrf(client, "/live")})
    assert not may_enter(client)
    assert not may_enter(replay(client, cookie))  # …and ends with it
    with Session(store.engine) as session:
        row, = session.exec(select(t.WebSession))
    assert row.revoked_at is not None


def test_the_table_keeps_only_the_token_s_hash(setup):
    store, _, _, client = setup
    sign_in(client, "Alice")
    with Session(store.engine) as session:
        row, = session.exec(select(t.WebSession))
    assert len(row.token_hash) == 64
    token = store.open_session(row.person_id, station="desk-1", hours=1)
    with Session(store.engine) as session:
        hashes = list(session.exec(select(t.WebSession.token_hash)))
    assert token not in hashes and len(hashes) == 2


def test_a_pin_change_ends_every_session_of_that_person(setup):
    store, _, _, client = setup
    desk, office = signed_in(client, "Alice"), signed_in(client, "Alice")
    other = signed_in(client, "Chloé")
    store.change_person("Alice", actor="Adam", station="office", secret="5678")
    assert not may_enter(desk) and not may_enter(office)
    assert may_enter(other)  # nobody else's session ends
    assert sign_in(TestClient(client.app), "Alice", "1234").status_code == 401
    again = TestClient(client.app)
    assert sign_in(again, "Alice", "5678").status_code == 303 and may_enter(again)


def test_whoever_changes_her_own_pin_keeps_only_that_session(setup):
    store, _, _, client = setup
    store.change_person("Chloé", actor="setup", station="office", role=Role.ADMIN)
    here, elsewhere = signed_in(client, "Chloé"), signed_in(client, "Chloé")
    here.post("/people", data={"csrf": csrf(here, "/people"), "action": "change",
                               "name": "chloé", "secret": "24680"})
    assert store.check_sign_in("Chloé", "24680") is not None
    assert may_enter(here, "/people")
    assert not may_enter(elsewhere)


def test_a_role_change_and_removed_access_end_the_sessions(setup):
    store, _, _, client = setup
    admin = signed_in(client, "Adam")
    chloe = signed_in(client, "Chloé")
    admin.post("/people", data={"csrf": csrf(admin, "/people"), "action": "change",
                                "name": "Chloé", "role": "operator"})
    assert store.check_sign_in("Chloé", "1234").role is Role.OPERATOR
    assert not may_enter(chloe)
    alice = signed_in(client, "Alice")
    admin.post("/people", data={"csrf": csrf(admin, "/people"), "action": "deactivate",
                                "name": "Alice"})
    assert not may_enter(alice)
    assert may_enter(admin, "/people")


def test_sessions_expire_and_idle_out(setup):
    store, _, _, client = setup
    clock = store.clock = StepClock()
    start = clock.now
    busy, idle = signed_in(client, "Alice"), signed_in(client, "Chloé")
    clock.now += timedelta(minutes=IDLE_MINUTES // 2)
    assert may_enter(busy)
    clock.now += timedelta(minutes=IDLE_MINUTES // 2 + 1)
    assert may_enter(busy)      # seen half an idle time ago
    assert not may_enter(idle)  # not seen for longer than the idle time
    while clock.now - start < timedelta(hours=SESSION_HOURS) - timedelta(minutes=IDLE_MINUTES // 2):
        clock.now += timedelta(minutes=IDLE_MINUTES // 2)
        assert may_enter(busy)  # in use all day…
    clock.now += timedelta(minutes=IDLE_MINUTES // 2 + 1)
    assert not may_enter(busy)  # …until the working day is over
    assert may_enter(signed_in(client, "Alice"))


def test_a_change_that_changes_nothing_ends_no_session(setup):
    store, _, _, client = setup
    alice = signed_in(client, "Alice")
    store.change_person("Alice", actor="Adam", station="office", role=Role.OPERATOR, active=True)
    assert may_enter(alice)
    store.change_person("Chloé", actor="Adam", station="office", active=False)
    assert may_enter(alice)  # someone else's change ends only her sessions


def test_the_store_s_sessions_on_each_database(store):
    """The verbs under the app, on SQLite and PostgreSQL (the `store` fixture: a StepClock)."""
    ana = store.add_person("Ana", Role.OPERATOR, "1234", actor="setup", station="office")
    idle = timedelta(minutes=IDLE_MINUTES)
    first = store.open_session(ana.id, station="desk-1", hours=1)
    second = store.open_session(ana.id, station="desk-2", hours=1)
    found = store.session_person(first, idle=idle)
    assert found is not None and found[1] == ana and found[0].person_id == ana.id
    assert store.session_person("not-a-token", idle=idle) is None
    assert store.session_person(session_id=found[0].id, idle=idle, touch=False) == found
    store.end_session(first)
    assert store.session_person(first, idle=idle) is None
    assert store.session_person(second, idle=idle) is not None
    kept = store.session_person(second, idle=idle)[0].id
    store.change_person("Ana", actor="Ana", station="desk-2", secret="5678", keep_session=kept)
    assert store.session_person(second, idle=idle) is not None  # her own PIN change: kept
    store.change_person("Ana", actor="Adam", station="office", role=Role.AUDITOR)
    assert store.session_person(second, idle=idle) is None
    third = store.open_session(ana.id, station="desk-1", hours=1)
    assert store.revoke_sessions(ana.id) == 1 and store.session_person(third, idle=idle) is None
    store.clock.now += timedelta(hours=2)
    fourth = store.open_session(ana.id, station="desk-1", hours=1)
    store.clock.now += timedelta(hours=1, seconds=1)
    assert store.session_person(fourth, idle=timedelta(days=1)) is None  # expired


def test_an_admin_signs_someone_out_everywhere(setup):
    store, _, station, client = setup
    admin, desk, office = signed_in(client, "Adam"), signed_in(client, "Alice"), signed_in(client, "Alice")
    assert may_enter(desk, "/live") and station.operator == "Alice"
    admin.post("/people", data={"csrf": csrf(admin, "/people"), "action": "end_sessions",
                                "name": "alice"})
    assert not may_enter(desk) and not may_enter(office)
    assert station.operator is None  # her files wait until someone scans in her name
    assert store.check_sign_in("Alice", "1234") is not None  # her access stays
    other = signed_in(client, "Adam")
    admin.post("/people", data={"csrf": csrf(admin, "/people"), "action": "end_sessions",
                                "name": "Adam"})
    assert may_enter(admin, "/people") and not may_enter(other)  # herself: but here


def test_the_operator_s_new_browser_keeps_the_station_in_her_name(setup):
    store, _, station, client = setup
    clock = store.clock = StepClock()
    crashed = signed_in(client, "Alice")
    assert may_enter(crashed, "/live") and station.operator == "Alice"
    fresh = signed_in(client, "Alice")  # her browser crashed: she signs in again…
    assert may_enter(fresh, "/live")    # …and opens the live screen, which polls
    for _ in range(3):
        clock.now += timedelta(minutes=IDLE_MINUTES // 2)
        assert fresh.get("/api/feed").json()["operator"] == "Alice"
    assert not may_enter(crashed)  # the old session idled out, the station is still hers
    assert station.operator == "Alice"


def test_two_admins_stepping_down_at_once_leave_one_admin(store, monkeypatch):
    """The last-admin rule holds under concurrency: each admin's change checks that another
    admin remains; both checks made before either commits would leave none. Each check here
    waits for the other one (a barrier, given up after 2 s): with the ledger's lock taken
    first, the second change only checks after the first committed, and is refused."""
    for name in ("Adam", "Ada"):
        store.add_person(name, Role.ADMIN, "1234", actor="setup", station="office")
    both_checked = threading.Barrier(2, timeout=2)
    checked = Store._keep_an_admin

    def check_then_wait(self, session, changed):
        checked(self, session, changed)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()

    monkeypatch.setattr(Store, "_keep_an_admin", check_then_wait)
    refused: list[str] = []

    def step_down(name: str) -> None:
        try:
            store.change_person(name, actor=name, station="office", role=Role.OPERATOR,
                                keep_an_admin=True)
        except LastAdmin:
            refused.append(name)

    threads = [threading.Thread(target=step_down, args=(name,)) for name in ("Adam", "Ada")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    admins = [p.name for p in store.people() if p.role == Role.ADMIN and p.active]
    assert len(refused) == 1 and admins == refused
