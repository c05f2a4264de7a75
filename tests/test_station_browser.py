"""The station in a real browser: Debian's Chromium, driven by Playwright, against a real
server with its hot folder. Screenshots of the live and review screens are saved in
tests/output/screenshots/."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
import segno
from browser_station import BROWSER_TESTS, CHROMIUM, CHROMIUM_ARGS, ROOT, running_station

from models.store import item_ref
from models.store.alarms import acknowledged
from models.store.people import Role
from scanpipe.domain.campaign import letter_destination, postcard_destination
from scanpipe.domain.payload import encode_payload, kit_payload
from scanpipe.domain.routing import Status

playwright_api = pytest.importorskip("playwright.sync_api",
                                     reason="playwright is not installed: run make test")
expect = playwright_api.expect
# A loaded machine (CI, two cores, OCR in other processes) answers slowly: every wait for the
# screen is generous; none is a measure of speed.
WAIT_MS = 30_000
expect.set_options(timeout=WAIT_MS)

SCANS = ROOT / "samples" / "scans"
SHOTS = Path(__file__).parent / "output" / "screenshots"
SCRIPT = "<script>alert('pwned')</script>"

pytestmark = BROWSER_TESTS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    people = [("Alice Martin", Role.OPERATOR, "2468"), ("Audrey", Role.AUDITOR, "1357")]
    with running_station(tmp_path_factory.mktemp("station"), people, wait_s=20) as running:
        yield running


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
    keys_ready(page)
    page.screenshot(path=str(SHOTS / "review.png"), full_page=True)
    first_case = page.locator("#choices button").first.get_attribute("value")
    page.keyboard.press("1")
    expect(page.locator("#flash")).to_contain_text("Bac")
    keys_ready(page)
    assert store.item(odd).status == "routed" and store.item(odd).case_code == first_case
    assert page.inner_text(".flash-tray") == plan[store.item(odd).destination]
    page.keyboard.press("u")
    page.wait_for_url(f"{url}/review/{odd}")
    keys_ready(page)
    assert store.item(odd).status == "review"
    # T makes it a letter to the person: it goes to the tray of the case's postcards.
    second_case = page.locator("#choices button").nth(1).get_attribute("value")
    page.keyboard.press("t")
    expect(page.locator("input[data-key=t]")).to_be_checked()  # a key acts once it stands alone
    page.keyboard.press("2")
    expect(page.locator("#flash")).to_contain_text("Bac")
    keys_ready(page)
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
    row.get_by_role("button", name="Fermer la liasse").click()
    expect(page.locator("#bundle-state")).to_have_text("préparée")
    expect(page.locator("#bundle-lines")).to_contain_text("ZHANG")
    page.locator("#dispatch").get_by_role("button", name="Envoyer").click()
    expect(page.locator("#bundle-state")).to_have_text("partie")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "bundle.png"), full_page=True)
    [bundle] = store.bundles(destination="embassy:CN")
    assert bundle.state == "dispatched" and bundle.created_by == "Chloé Coord"
    page.close()


# ---------------------------------------------------------------- issue 18: the screens

def signed_in_page(browser, server, width=1366, height=768):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, server["url"], "Alice Martin", "2468")
    page.wait_for_url(f"{server['url']}/live")
    return context, page


def keys_ready(page) -> None:
    """Wait until the page's script listens to the keys (a key pressed before is lost)."""
    page.wait_for_selector("html[data-keys=ready]", state="attached")


def in_review(store, n: int) -> int:
    from conftest import record_piece

    return record_piece(store, n, status=Status.REVIEW)


def history(store, item_id: int) -> list[str]:
    return [e.type for e in store.events() if e.subject == f"item:{item_id}"]


def test_a_scanner_burst_on_the_review_page_opens_the_batch_and_decides_nothing(server, browser):
    """Issue 18: the hand scanner's digits and letters were taken as review keys."""
    url, store, campaign = server["url"], server["store"], server["campaign"]
    item_id = in_review(store, 8100)
    context, page = signed_in_page(browser, server)
    page.goto(f"{url}/review/{item_id}")
    keys_ready(page)
    before = history(store, item_id)
    decided = sum(e.type in ("item.decided", "item.undone") for e in store.events())
    code = encode_payload(kit_payload(campaign.id, 77), campaign.check_key)
    assert set(code) & set("123456789LTCPXSU0")  # the code is full of review keys
    # A hand scanner: keys 10 ms apart, then Enter — with the focus on the page, not a field.
    page.keyboard.type(code + "\n", delay=10)
    expect(page.locator("#flash")).to_contain_text("kit 77")
    keys_ready(page)
    assert page.url.endswith(f"/review/{item_id}")  # it stays on the piece
    assert store.item(item_id).status == "review" and history(store, item_id) == before
    assert sum(e.type in ("item.decided", "item.undone") for e in store.events()) == decided
    assert store.current_batch("desk-1").kit_serial == 77
    # The same burst with the focus in the signatures field: still a scan, never a decision.
    page.keyboard.press("p")
    expect(page.locator("#signatures")).to_be_focused()
    code = encode_payload(kit_payload(campaign.id, 78), campaign.check_key)
    page.keyboard.type(code + "\n", delay=5)
    expect(page.locator("#flash")).to_contain_text("kit 78")
    assert store.item(item_id).status == "review" and history(store, item_id) == before
    assert sum(e.type in ("item.decided", "item.undone") for e in store.events()) == decided
    assert store.current_batch("desk-1").kit_serial == 78
    context.close()


def test_a_number_typed_after_p_is_the_signature_count(server, browser):
    """Issue 18: typing a petition's count after P sent the piece to the case of that number."""
    url, store = server["url"], server["store"]
    item_id = in_review(store, 8200)
    context, page = signed_in_page(browser, server)
    page.goto(f"{url}/review/{item_id}")
    keys_ready(page)
    third = page.locator("#choices button").nth(2).get_attribute("value")
    page.keyboard.press("p")
    expect(page.locator("#signatures")).to_be_focused()
    page.keyboard.type("12", delay=200)  # a person typing the count
    assert store.item(item_id).status == "review"  # a digit in the count field decides nothing
    page.keyboard.press("Enter")  # the count is set: the next digit picks the case
    expect(page.locator("#signatures")).not_to_be_focused()
    assert store.item(item_id).status == "review"
    page.keyboard.press("3")
    expect(page.locator("#flash")).to_contain_text(item_ref(item_id))
    decided = store.item(item_id)
    assert (decided.status, decided.kind, decided.signatures, decided.case_code) == \
        ("routed", "petition", 12, third)
    expect(page.locator("#flash")).to_contain_text("12 signatures")
    context.close()


def test_each_decision_is_listed_and_any_of_mine_can_be_undone(server, browser):
    url, store = server["url"], server["store"]
    plan = store.tray_plan(server["campaign"])
    first, second = in_review(store, 8300), in_review(store, 8301)
    context, page = signed_in_page(browser, server)
    for item_id in (first, second):
        page.goto(f"{url}/review/{item_id}")
        keys_ready(page)
        page.keyboard.press("1")
        expect(page.locator("#flash")).to_contain_text(item_ref(item_id))
    page.goto(f"{url}/review/{in_review(store, 8302)}")
    mine = page.locator("#mine-list li")
    expect(mine.nth(0)).to_contain_text(item_ref(second))
    expect(mine.nth(1)).to_contain_text(item_ref(first))
    assert mine.nth(1).locator(".mine-tray").inner_text() == plan[store.item(first).destination]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "review-decisions.png"))
    # Undo the older one while the newer one stands: a new event, nothing removed.
    events_before = len(store.events())
    mine.nth(1).get_by_role("button", name="Annuler").click()
    page.wait_for_url(f"{url}/review/{first}")
    assert store.item(first).status == "review" and store.item(second).status == "routed"
    assert history(store, first)[-2:] == ["item.decided", "item.undone"]
    assert len(store.events()) == events_before + 1
    expect(page.locator("#mine-list li").nth(1)).to_contain_text("annulée")
    assert store.audit(check_images=False).ok
    context.close()


def test_a_letter_with_a_blank_back_shows_both_pages_and_the_letters_tray(server, browser):
    """Issue 18: a blank duplex back turned the big panel red with a "—" tray."""
    store, campaign = server["store"], server["campaign"]
    tray = store.tray_plan(campaign)[letter_destination(campaign.case("SPHERE"))]
    context, page = signed_in_page(browser, server)
    name = "08-letter-SPHERE-with-blank-back.tif"
    drop(server["inbox"], name, (SCANS / "envelope-2" / name).read_bytes())
    pages = page.locator("#now-pages li")
    expect(pages).to_have_count(2)
    expect(pages.nth(0)).to_have_class(re.compile(r"\brouted\b.*\blead\b|\blead\b.*\brouted\b"))
    expect(pages.nth(1)).to_have_class(re.compile(r"\bblank_side\b"))
    expect(pages.nth(1)).to_contain_text("verso blanc")
    assert pages.nth(0).locator(".page-tray").inner_text() == tray
    assert page.inner_text("#now-tray") == tray
    assert "rejected" not in page.get_attribute("#now", "class")
    expect(page.locator("#now-case")).to_contain_text("SPHERE")
    context.close()


def test_a_quarantined_file_stays_an_alarm_until_acknowledged(server, browser):
    """Issue 18: alarms were lost unless the live screen was open; no screen listed them."""
    url, store = server["url"], server["store"]
    context, page = signed_in_page(browser, server, 1024, 600)
    page.close()  # the live screen is closed when the file arrives
    drop(server["inbox"], "notes <b>.txt", b"not a scan at all")
    deadline = time.monotonic() + WAIT_MS / 1000
    while not any(p.name == "notes <b>.txt" for p in server["quarantine"].iterdir()):
        assert time.monotonic() < deadline, "the file never reached quarantine/"
        time.sleep(0.1)
    page = context.new_page()
    page.goto(f"{url}/live")
    expect(page.locator("#alarm")).to_be_visible()
    expect(page.locator("#alarm-text")).to_contain_text("notes <b>.txt")  # shown as text
    expect(page.locator("#alarm-count")).to_have_class(re.compile(r"\bon\b"))
    page.locator("#alarm-see").click()
    page.wait_for_url(f"{url}/quarantine")
    row = page.locator('#quarantine tr[data-name="notes <b>.txt"]')
    expect(row).to_contain_text("pas une image ni un PDF")
    # Re-take: back in the inbox, where the hot folder takes it (and sets it aside) again.
    row.get_by_role("button", name="Reprendre").click()
    expect(page.locator("#flash")).to_contain_text("de nouveau dans le dossier surveillé")
    deadline = time.monotonic() + WAIT_MS / 1000
    while not any(p.name == "notes <b>.txt" for p in server["quarantine"].iterdir()):
        assert time.monotonic() < deadline, "the re-taken file was not taken again"
        time.sleep(0.1)
    page.goto(f"{url}/quarantine")
    unseen = int(page.inner_text("#alarm-count-n"))  # this file and those before it
    assert unseen == page.locator("#quarantine tr.unseen").count()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "quarantine.png"))
    row.get_by_role("button", name="Vu").click()
    expect(row).to_contain_text("vu par Alice Martin")
    if unseen > 1:
        expect(page.locator("#alarm-count-n")).to_have_text(str(unseen - 1))
    else:
        expect(page.locator("#alarm-count-n")).to_have_count(0)
    acks = acknowledged(store, station="desk-1", names=["notes <b>.txt"])
    assert [a.acked_by for a in acks.values()] == ["Alice Martin"]
    # Every file seen: no alarm on the live screen any more.
    while page.locator("#quarantine tr.unseen").count():
        page.locator("#quarantine tr.unseen button.ack").first.click()
        expect(page.locator("#flash")).to_contain_text("arrêtée")
    page.goto(f"{url}/live")
    expect(page.locator("#alarm-count-n")).to_have_count(0)
    expect(page.locator("#alarm")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("width, height", [(1366, 768), (1024, 600)])
def test_the_screens_fit_a_small_laptop(server, browser, width, height):
    """What matters on each screen is above the fold, at 1366×768 and at 1024×600; the
    screenshots (tests/output/screenshots/) are the README's."""
    url, store = server["url"], server["store"]
    odd = [i.id for i in store.items() if i.source_name == "07-odd-code.png"]
    context, page = signed_in_page(browser, server, width, height)
    SHOTS.mkdir(parents=True, exist_ok=True)

    def above_the_fold(selector: str) -> None:
        box = page.locator(selector).first.bounding_box()
        assert box is not None, selector
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (selector, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)

    page.goto(f"{url}/live")
    page.screenshot(path=str(SHOTS / f"live-{width}x{height}.png"))
    for selector in ("#kit-code", "#now-tray", "#now-pages", "#counts", "#batch-label"):
        above_the_fold(selector)
    if odd:
        page.goto(f"{url}/review/{odd[0]}")
    else:
        page.goto(f"{url}/review/{in_review(store, 8400 + width)}")
    page.screenshot(path=str(SHOTS / f"review-{width}x{height}.png"))
    for selector in ("#kit-code", "#scan-image", "#choices li:last-child", ".verdicts", ".keys",
                     "#undo-form", "#mine h2"):
        above_the_fold(selector)
    page.goto(f"{url}/quarantine")
    above_the_fold("h1")
    page.screenshot(path=str(SHOTS / f"quarantine-{width}x{height}.png"))
    context.close()
