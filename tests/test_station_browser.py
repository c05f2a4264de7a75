"""The station in a real browser: Debian's Chromium, driven by Playwright, against a real
server with its hot folder. Screenshots of the live and review screens are saved in
tests/output/screenshots/."""

from __future__ import annotations

import io
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import segno

from models.store import Store
from models.store.people import Role
from scanpipe.domain.campaign import letter_destination, postcard_destination
from scanpipe.domain.payload import encode_payload, kit_payload
from scanpipe.reading.pipeline import RecognitionSettings
from stations.station import Station
from stations.web.app import create_app

playwright_api = pytest.importorskip("playwright.sync_api",
                                     reason="playwright is not installed: run make test")
expect = playwright_api.expect
# A loaded machine (CI, two cores, OCR in other processes) answers slowly: every wait for the
# screen is generous; none is a measure of speed.
WAIT_MS = 30_000
expect.set_options(timeout=WAIT_MS)

ROOT = Path(__file__).parent.parent
SCANS = ROOT / "samples" / "scans"
SHOTS = Path(__file__).parent / "output" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCRIPT = "<script>alert('pwned')</script>"
# Flags that keep Chromium from reaching for the network at start (there is none here).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="Chromium is not installed (make test installs it with apt)"),
              pytest.mark.slow]  # a real browser: `make test-all` and CI run it


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    root = tmp_path_factory.mktemp("station")
    store = Store.open(f"sqlite:///{root / 'ledger.sqlite3'}", root / "images")
    campaign, _ = store.load_campaign((ROOT / "samples" / "campaign.toml").read_text(encoding="utf-8"),
                                      actor="coordinator", station="office")
    store.add_person("Alice Martin", Role.OPERATOR, "2468", actor="setup", station="office")
    store.add_person("Audrey", Role.AUDITOR, "1357", actor="setup", station="office")
    folders = {n: root / n for n in ("inbox", "done", "quarantine", "work")}
    for folder in folders.values():
        folder.mkdir()
    station = Station(store, campaign, name="desk-1", recognition=RecognitionSettings(ocr=False),
                      **folders)
    app = create_app(station, secret="browser-test", language="fr")
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not web.started:
        assert time.monotonic() < deadline, "the station did not start"
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "store": store, "campaign": campaign,
           "inbox": folders["inbox"], "done": folders["done"], "quarantine": folders["quarantine"]}
    web.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def drop(inbox: Path, name: str, data: bytes) -> None:
    """As a scanner does: write under a temporary name, then rename into place."""
    temp = inbox / f".{name}.part"
    temp.write_bytes(data)
    temp.rename(inbox / name)


def sign_in(page, url: str, name: str, pin: str) -> None:
    page.goto(f"{url}/signin")
    page.fill("input[name=name]", name)
    page.fill("input[name=secret]", pin)
    page.click("form[action=\"/signin\"] button[type=submit]")


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=8, border=6)
    return out.getvalue()


def test_a_day_at_the_station(server, browser):
    url, store, campaign = server["url"], server["store"], server["campaign"]
    plan = store.tray_plan(campaign)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # Sign in; the live screen opens with the hand-scanner field focused.
    sign_in(page, url, "Alice Martin", "2468")
    page.wait_for_url(f"{url}/live")
    assert page.evaluate("document.activeElement.id") == "kit-code"

    # The hand scanner types the kit envelope's code and Enter.
    page.keyboard.type(encode_payload(kit_payload(campaign.id, 1), campaign.check_key) + "\n")
    page.wait_for_url(f"{url}/live")
    assert "kit 1" in page.inner_text("#batch-label")

    # The document scanner drops the envelope's content into the hot folder.
    expected = {"02-letter-CAAL.jpg": "CAAL", "03-letter-CIHAM.jpg": "CIHAM",
                "04-postcard-JANNA-message-side.jpg": "JANNA",
                "05-petition-IMOLEAYO-4-signatures.jpg": "IMOLEAYO"}
    for name in expected:
        drop(server["inbox"], name, (SCANS / "envelope-1" / name).read_bytes())
    expect(page.locator("#pieces li")).to_have_count(4, timeout=WAIT_MS)
    rows = page.locator("#pieces li")
    shown = {rows.nth(i).locator(".what").inner_text().split(" · ")[0]:
             rows.nth(i).locator(".tray").inner_text() for i in range(rows.count())}
    for name, case_code in expected.items():
        case = campaign.case(case_code)
        destination = postcard_destination(case) if "postcard" in name else letter_destination(case)
        assert shown[case_code] == plan[destination], (case_code, shown)
    assert page.inner_text("#now-tray") in plan.values()
    expect(page.locator("#counts-batch")).to_have_text(re.compile(r"^4 "))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "live.png"), full_page=True)
    assert any(server["done"].rglob("02-letter-CAAL.jpg"))
    assert not any(server["inbox"].iterdir())

    # Two pieces the machine cannot settle: someone else's code, and a code carrying a script.
    drop(server["inbox"], "06-flyer.png", qr_png("https://www.example.org/flyer"))
    drop(server["inbox"], "07-odd-code.png", qr_png(SCRIPT))
    expect(page.locator("#pieces li.review")).to_have_count(2, timeout=WAIT_MS)
    assert page.inner_text("#now-tray") == plan["review"]

    # A damaged file: quarantined with its reason, and the screen raises the alarm.
    drop(server["inbox"], "08-torn.jpg", b"\xff\xd8\xff\xe0 not really a JPEG")
    page.wait_for_selector("#alarm:not([hidden])", timeout=WAIT_MS)
    assert "08-torn.jpg" in page.inner_text("#alarm-text")
    page.keyboard.press("Escape")
    assert list(server["quarantine"].glob("08-torn*.reason.txt"))

    # Review: the script is shown as text, never run; one key settles, one key undoes.
    odd = max(i.id for i in store.items() if i.source_name == "07-odd-code.png")
    page.goto(f"{url}/review/{odd}")
    assert SCRIPT in page.inner_text("#codes")
    page.screenshot(path=str(SHOTS / "review.png"), full_page=True)
    first_case = page.locator("#choices button").first.get_attribute("value")
    page.keyboard.press("1")
    page.wait_for_selector("#flash")
    assert store.item(odd).status == "routed" and store.item(odd).case_code == first_case
    assert page.inner_text(".flash-tray") == plan[store.item(odd).destination]
    page.keyboard.press("u")
    page.wait_for_url(f"{url}/review/{odd}")
    assert store.item(odd).status == "review"
    # T makes it a letter to the person: it goes to the tray of the case's postcards.
    second_case = page.locator("#choices button").nth(1).get_attribute("value")
    page.keyboard.press("t")
    page.keyboard.press("2")
    page.wait_for_selector("#flash")
    settled = store.item(odd)
    assert (settled.kind, settled.case_code) == ("solidarity_letter", second_case)
    assert settled.destination == postcard_destination(campaign.case(second_case))
    assert page.inner_text(".flash-tray") == plan[settled.destination]
    page.keyboard.press("u")
    page.wait_for_url(f"{url}/review/{odd}")
    assert store.item(odd).status == "review"
    assert dialogs == []

    # Close the batch: its summary.
    page.goto(f"{url}/live")
    page.click("#close-batch")
    page.wait_for_selector("#batch-summary")
    assert page.inner_text("#batch-review") == "2"
    assert "IMOLEAYO" in page.inner_text("#batch-summary")
    assert store.audit().ok
    context.close()


def test_an_auditor_gets_403_on_the_live_screen(server, browser):
    context = browser.new_context()
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, server["url"], "Audrey", "1357")
    page.wait_for_url(f"{server['url']}/progress")
    response = page.goto(f"{server['url']}/live")
    assert response.status == 403
    assert page.goto(f"{server['url']}/review").status == 403
    context.close()


def test_a_coordinator_closes_and_dispatches_a_bundle(server, browser):
    from conftest import record_piece

    store = server["store"]
    store.add_person("Chloé Coord", Role.COORDINATOR, "9753", actor="setup", station="office")
    for n in range(3):
        record_piece(store, 9000 + n, case="ZHANG", destination="embassy:CN")
    page = browser.new_page()
    page.set_default_timeout(WAIT_MS)
    sign_in(page, server["url"], "Chloé Coord", "9753")
    page.goto(f"{server['url']}/bundles")
    row = page.locator('#pending tr[data-destination="embassy:CN"]')
    expect(row).to_contain_text("3")
    row.get_by_role("button", name="Fermer le lot").click()
    expect(page.locator("#bundle-state")).to_have_text("préparé")
    expect(page.locator("#bundle-lines")).to_contain_text("ZHANG")
    page.locator("#dispatch").get_by_role("button", name="Envoyer").click()
    expect(page.locator("#bundle-state")).to_have_text("parti")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "bundle.png"), full_page=True)
    [bundle] = store.bundles(destination="embassy:CN")
    assert bundle.state == "dispatched" and bundle.created_by == "Chloé Coord"
    page.close()
