"""Who the hot folder's pieces are recorded under, in a real browser (Debian's Chromium, driven by
Playwright) against a real server with its hot folder: a second person signing in elsewhere,
opening the bundles and the live screen, changes no attribution; only "scan in my name" does,
and the operator's sign-out leaves the files waiting in the inbox."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from browser_station import BROWSER_TESTS, CHROMIUM, CHROMIUM_ARGS, ROOT, running_station

from models.store import Store
from models.store.people import Role

playwright_api = pytest.importorskip("playwright.sync_api",
                                     reason="playwright is not installed: run make test")
WAIT_S = 60  # a loaded machine answers slowly; never a measure of speed
SCAN = ROOT / "samples" / "scans" / "envelope-1" / "02-letter-CAAL.jpg"

pytestmark = BROWSER_TESTS


@pytest.fixture
def server(tmp_path):
    people = [("Alice Martin", Role.OPERATOR, "2468"), ("Chloé Coord", Role.COORDINATOR, "9753")]
    with running_station(tmp_path, people, wait_s=WAIT_S, polling=True) as running:
        yield running


def sign_in(browser, url: str, name: str, pin: str):
    """A browser of its own (its own cookies), signed in."""
    context = browser.new_context()
    context.set_default_timeout(WAIT_S * 1000)
    page = context.new_page()
    page.goto(f"{url}/signin")
    page.fill("input[name=name]", name)
    page.fill("input[name=secret]", pin)
    page.click("form[action=\"/signin\"] button[type=submit]")
    page.wait_for_url(f"{url}/live")  # both may sort: the home page is the live screen
    return page


def drop(inbox: Path, name: str, data: bytes) -> None:
    """As a scanner does: write under a temporary name, then rename into place."""
    temp = inbox / f".{name}.part"
    temp.write_bytes(data)
    temp.rename(inbox / name)


def wait_for(check, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def actors(store: Store) -> list[str]:
    return [e.actor for e in store.events() if e.type.startswith("item.")]


def test_a_second_person_signing_in_elsewhere_changes_no_attribution(server):
    url, store, station = server["url"], server["store"], server["station"]
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            desk = sign_in(browser, url, "Alice Martin", "2468")  # the station had no operator
            assert station.operator == "Alice Martin"
            office = sign_in(browser, url, "Chloé Coord", "9753")  # another browser, a coordinator…
            office.goto(f"{url}/bundles")                           # …looking at the bundles
            office.goto(f"{url}/live")                              # …and at the live screen
            office.wait_for_timeout(1500)  # her live screen polls the feed meanwhile
            assert station.operator == "Alice Martin"
            drop(server["inbox"], "scan-0001.jpg", SCAN.read_bytes())
            wait_for(lambda: len(store.items()) == 1, "the scan was not taken in")
            assert set(actors(store)) == {"Alice Martin"}
            assert store.items()[0].operator == "Alice Martin"

            # "Scan in my name": a deliberate form, and only then the pieces are hers.
            office.evaluate("""() => {
                const form = document.createElement('form');
                form.method = 'post'; form.action = '/operator';
                const csrf = document.querySelector('input[name=csrf]').cloneNode();
                form.appendChild(csrf); document.body.appendChild(form); form.submit(); }""")
            office.wait_for_url(f"{url}/live")
            wait_for(lambda: station.operator == "Chloé Coord", "scan in my name did nothing")
            drop(server["inbox"], "scan-0002.jpg", SCAN.read_bytes() + b"\0")
            wait_for(lambda: len(store.items()) == 2, "the second scan was not taken in")
            assert store.items()[1].operator == "Chloé Coord"

            # Her sign-out: nobody scans at the station, the next file waits in the inbox.
            office.evaluate("""() => document.querySelector('form[action="/signout"]').submit()""")
            # The sign-in page, by the form's redirect or, when her live screen's poll is refused
            # first (the session is revoked before the redirect arrives), as /signin?next=/live.
            office.wait_for_url(lambda address: address.split("?")[0] == f"{url}/signin")
            assert station.operator is None
            drop(server["inbox"], "scan-0003.jpg", SCAN.read_bytes() + b"\0\0")
            desk.wait_for_timeout(2000)
            assert len(store.items()) == 2 and (server["inbox"] / "scan-0003.jpg").exists()
            assert set(actors(store)) == {"Alice Martin", "Chloé Coord"}
        finally:
            browser.close()
