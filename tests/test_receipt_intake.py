"""A delivery sheet signed by the receiver and scanned back, taken in like any piece: its bundle
is marked delivered and the scan kept as the receipt; unsigned sheets, labels and further pages
do not mark anything."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from conftest import record_piece

from models.events import BundleState, EventType
from models.store.bundles import DispatchMethod
from scanpipe.paper.sheets import render_delivery_sheet
from scanpipe.reading.pipeline import RecognitionSettings, process_file
from scanpipe.simulate.scansim import rasterise_pdf, sign_delivery_sheet
from stations.delivery import delivery_sheet, render_label, render_sheet

pytestmark = pytest.mark.slow  # seasons with bundles on both databases: `make test-all` and CI run it

CODES_ONLY = RecognitionSettings(ocr=False)


def jpeg(image, quality=75) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality, dpi=(200, 200))
    return out.getvalue()


def take_in(store, campaign, data: bytes, name: str):
    sha = store.images.put(data)
    results = process_file(data, campaign, CODES_ONLY)
    return store.record_file(source_name=name, sha256=sha, media_type="jpeg", size=len(data),
                             pages=[(r.page, r.decision) for r in results], station="desk-1",
                             operator="ana")


@pytest.fixture
def bundled(loaded_store, campaign):
    """Bundle 1: 300 letters for the Guatemalan embassy, dispatched; its sheet in French."""
    for n in range(300):
        record_piece(loaded_store, n)
    view = loaded_store.close_bundle("embassy:GT", actor="cora", station="office")
    loaded_store.dispatch_bundle(view.id, method=DispatchMethod.HAND, tracking=None,
                                 actor="cora", station="office")
    pdf = render_sheet(view, campaign, date(2022, 1, 20), "fr")
    return loaded_store, view.id, pdf


@pytest.mark.parametrize("turns", [0, 2], ids=["upright", "upside-down"])
def test_a_signed_sheet_scanned_back_marks_its_bundle_delivered(bundled, campaign, turns):
    store, bundle_id, pdf = bundled
    pages = sign_delivery_sheet(pdf, seed=3 + turns, quarter_turns=turns)
    assert len(pages) == 1  # 300 letters of one case: a one-page summary
    [first] = take_in(store, campaign, jpeg(pages[0]), "retour-ambassade.jpg")
    assert first.decision.kind.value == "delivery_receipt" and not first.duplicate
    row = store.bundle(bundle_id).bundle
    assert row.state == "delivered" and row.receipt_item_id == first.item_id
    [event] = [e for e in store.bundle_events(bundle_id) if e.type == EventType.BUNDLE_DELIVERED]
    assert event.actor == "ana" and first.decision.bundle_serial == bundle_id
    # A further page (a table of thirty cases runs over) is recognised as the same sheet and
    # kept; nothing more changes.
    sheet = delivery_sheet(store.bundle(bundle_id), campaign, date(2022, 1, 20))
    longer = replace(sheet, lines=sheet.lines * 30)
    further = sign_delivery_sheet(render_delivery_sheet(longer, "fr"), seed=4,
                                  quarter_turns=turns)[1]
    [second] = take_in(store, campaign, jpeg(further), "retour-ambassade-2.jpg")
    assert "RECEIPT_APPENDIX" in second.decision.reasons and second.decision.status.value == "routed"
    # The same scan again is one piece.
    [again] = take_in(store, campaign, jpeg(pages[0]), "retour-ambassade (1).jpg")
    assert again.duplicate
    assert [e.type for e in store.bundle_events(bundle_id)].count("bundle.delivered") == 1
    assert store.audit(check_images=False).ok  # the made pieces have no image files


def test_an_unsigned_sheet_or_a_label_goes_to_review(bundled, campaign):
    store, bundle_id, pdf = bundled
    blank = sign_delivery_sheet(pdf, seed=5, signed=False, stamp=False, receiver=None)[0]
    [unsigned] = take_in(store, campaign, jpeg(blank), "pas-signe.jpg")
    assert unsigned.decision.status.value == "review"
    assert unsigned.decision.reasons[0] == "RECEIPT_NOT_SIGNED"
    label_pdf = render_label(store.bundle(bundle_id), campaign, date(2022, 1, 20), "fr")
    [label] = take_in(store, campaign, jpeg(rasterise_pdf(label_pdf, 200)[0]), "etiquette.jpg")
    assert label.decision.status.value == "review" and "RECEIPT_NOT_SIGNED" in label.decision.reasons
    assert store.bundle(bundle_id).state is BundleState.DISPATCHED


def test_a_stamp_alone_is_a_receipt(bundled, campaign):
    store, bundle_id, pdf = bundled
    stamped = sign_delivery_sheet(pdf, seed=8, signed=False, stamp=True, receiver=None)[0]
    [outcome] = take_in(store, campaign, jpeg(stamped, quality=50), "cachet.jpg")
    assert outcome.decision.status.value == "routed"
    assert store.bundle(bundle_id).state is BundleState.DELIVERED
