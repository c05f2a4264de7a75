"""Bundles in the ledger, on SQLite and PostgreSQL: a piece is in one bundle at most, every
step is an event, voiding releases, receipts scanned back mark delivery, the audit sees it all."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from conftest import StepClock
from conftest import record_piece as piece
from sqlalchemy import text

from models.events import BundleState, EventType
from models.store import Store
from models.store.bundles import BundleError, DispatchMethod, NothingToBundle
from models.store.review import Choice, Verdict
from scanpipe.domain.routing import Decision, Finding, Kind, Method, Reason, Status

GT = "embassy:GT"


def receipt(serial: int, *, appendix: bool = False) -> Decision:
    reason = Reason.RECEIPT_APPENDIX if appendix else Reason.DELIVERY_RECEIPT
    return Decision(Kind.DELIVERY_RECEIPT, Status.ROUTED, method=Method.QR, confidence=1.0,
                    findings=(Finding(reason, f"bundle {serial}"),), bundle_serial=serial)


def events_of(store: Store, subject: str) -> list[str]:
    return [e.type for e in store.events() if e.subject == subject]


@pytest.fixture
def season(loaded_store):
    """Letters and a petition for the Guatemalan embassy, a postcard, a piece in review."""
    ids = {
        "caal": [piece(loaded_store, n) for n in range(3)],
        "petition": piece(loaded_store, 3, kind=Kind.PETITION, signatures=11),
        "postcard": piece(loaded_store, 4, case="CAAL", kind=Kind.POSTCARD,
                          destination="relatives:CAAL"),
        "review": piece(loaded_store, 5, status=Status.REVIEW),
    }
    return loaded_store, ids


def test_a_bundle_takes_the_routed_pieces_of_its_destination_once(season):
    store, ids = season
    view = store.close_bundle(GT, actor="cora", station="office")
    assert view.item_ids == (*ids["caal"], ids["petition"])
    [line] = view.lines
    assert (line.case, line.letters, line.postcards, line.petitions, line.signatures) == \
        ("CAAL", 3, 0, 1, 11)
    assert view.totals == {"letters": 3, "solidarity_letters": 0, "postcards": 0, "petitions": 1,
                           "signatures": 11, "pieces": 4}
    with pytest.raises(NothingToBundle):
        store.close_bundle(GT, actor="cora", station="office")
    # The event carries what the sheet will say.
    closed = [e for e in store.events() if e.type == EventType.BUNDLE_CLOSED]
    payload = json.loads(closed[0].payload)
    assert payload["items"] == list(view.item_ids) and payload["totals"] == view.totals
    # A piece routed later goes into the next bundle, not this one.
    later = piece(store, 10)
    assert store.close_bundle(GT, actor="cora", station="office").item_ids == (later,)
    assert {p.destination for p in store.pending()} == {"relatives:CAAL"}
    assert store.audit(check_images=False).ok


def test_voiding_releases_the_pieces_as_an_event(season):
    store, _ids = season
    first = store.close_bundle(GT, actor="cora", station="office")
    store.void_bundle(first.id, reason="wrong date on the sheet", actor="cora", station="office")
    assert events_of(store, f"bundle:{first.id}") == ["bundle.closed", "bundle.voided"]
    again = store.close_bundle(GT, actor="cora", station="office")
    assert again.item_ids == first.item_ids and again.id != first.id
    # The void bundle still tells what it held.
    assert store.bundle(first.id).item_ids == first.item_ids
    assert store.bundle(first.id).state is BundleState.VOID
    assert store.audit(check_images=False).ok


def test_delivery_states_are_ledger_events_and_wrong_steps_are_refused(season):
    store, _ = season
    b = store.close_bundle(GT, actor="cora", station="office").id
    with pytest.raises(BundleError, match="tracking number"):
        store.dispatch_bundle(b, method=DispatchMethod.POST, tracking=" ", actor="cora",
                              station="office")
    with pytest.raises(BundleError, match="returned only when dispatched"):
        store.return_bundle(b, reason="x", actor="cora", station="office")
    store.dispatch_bundle(b, method=DispatchMethod.POST, tracking="RR123456785BE", actor="cora",
                          station="office")
    with pytest.raises(BundleError, match="void only when"):
        store.void_bundle(b, reason="x", actor="cora", station="office")
    store.return_bundle(b, reason="address unknown", actor="cora", station="office")
    store.dispatch_bundle(b, method=DispatchMethod.HAND, tracking=None, actor="cora",
                          station="office")
    row = store.deliver_bundle(b, received_by="  Sra.\tMaría   López ", received_on=date(2022, 1, 20),
                               actor="cora", station="office")
    assert row.state == "delivered" and row.received_by == "Sra. María López"
    with pytest.raises(BundleError, match="is delivered"):
        store.refuse_bundle(b, reason="x", actor="cora", station="office")
    assert events_of(store, f"bundle:{b}") == [
        "bundle.closed", "bundle.dispatched", "bundle.returned", "bundle.dispatched",
        "bundle.delivered"]
    delivered = json.loads(store.bundle_events(b)[-1].payload)
    assert delivered == {"state": "delivered", "from": "dispatched", "received_by": "Sra. María López",
                         "received_on": "2022-01-20", "receipt_item": None}
    with pytest.raises(BundleError, match=r"control characters|needed"):
        store.refuse_bundle(b, reason="\x00", actor="cora", station="office")
    assert store.audit(check_images=False).ok


def test_late_pieces_are_flagged_but_bundled(loaded_store):
    early = piece(loaded_store, 1)
    cut = loaded_store.clock.now + timedelta(milliseconds=500)  # StepClock: a second a reading
    late = piece(loaded_store, 2)
    [waiting] = loaded_store.pending(late_after=cut)
    assert (waiting.pieces, waiting.late) == (2, 1)
    view = loaded_store.close_bundle(GT, actor="cora", station="office", late_after=cut)
    assert view.item_ids == (early, late) and view.late_ids == (late,)
    assert view.bundle.late == 1


def test_a_bundled_decision_cannot_be_undone(loaded_store, campaign):
    item = piece(loaded_store, 1, status=Status.REVIEW)
    loaded_store.decide(item, Choice(Verdict.CASE, "CAAL", Kind.LETTER), campaign, actor="ana",
                        station="s1")
    b = loaded_store.close_bundle(GT, actor="cora", station="office")
    assert b.item_ids == (item,)
    with pytest.raises(Exception, match="void that bundle"):
        loaded_store.undo_last(actor="ana", station="s1")
    loaded_store.void_bundle(b.id, reason="undo a review decision", actor="cora", station="office")
    assert loaded_store.undo_last(actor="ana", station="s1").status == "review"
    assert loaded_store.audit(check_images=False).ok


def test_a_void_bundle_still_shows_when_a_piece_of_it_went_back_to_review(loaded_store, campaign):
    decided = piece(loaded_store, 1, status=Status.REVIEW)
    routed = piece(loaded_store, 2)
    loaded_store.decide(decided, Choice(Verdict.CASE, "CAAL", Kind.LETTER), campaign, actor="ana",
                        station="s1")
    b = loaded_store.close_bundle(GT, actor="cora", station="office")
    loaded_store.void_bundle(b.id, reason="undo a review decision", actor="cora", station="office")
    loaded_store.undo_last(actor="ana", station="s1")
    view = loaded_store.bundle(b.id)  # the piece in review has no case now: it is in no line
    assert view.item_ids == tuple(sorted((decided, routed)))
    assert [(line.case, line.letters) for line in view.lines] == [("CAAL", 1)]


def test_a_receipt_scanned_back_marks_its_bundle_delivered_once(season):
    store, _ = season
    b = store.close_bundle(GT, actor="cora", station="office").id
    store.dispatch_bundle(b, method=DispatchMethod.HAND, tracking=None, actor="cora",
                          station="office")
    appendix = piece(store, 20, decision=receipt(b, appendix=True))
    assert store.bundle(b).state is BundleState.DISPATCHED  # a further page is not the signature
    signed = piece(store, 21, decision=receipt(b))
    row = store.bundle(b).bundle
    assert row.state == "delivered" and row.receipt_item_id == signed
    delivered = json.loads(store.bundle_events(b)[-1].payload)
    assert delivered["receipt_item"] == signed and delivered["from"] == "dispatched"
    # Another copy of the signed sheet: kept as a piece, the bundle does not change again.
    piece(store, 22, decision=receipt(b))
    assert events_of(store, f"bundle:{b}").count("bundle.delivered") == 1
    assert {i.id: i.status for i in store.items()}[appendix] == "routed"
    assert store.audit(check_images=False).ok


def test_receipts_of_unknown_or_void_bundles_go_to_review(season):
    store, _ = season
    unknown = piece(store, 30, decision=receipt(999))
    b = store.close_bundle(GT, actor="cora", station="office").id
    store.void_bundle(b, reason="reprinted", actor="cora", station="office")
    void = piece(store, 31, decision=receipt(b))
    items = {i.id: i for i in store.items()}
    assert items[unknown].status == "review" and "UNKNOWN_BUNDLE" in items[unknown].reasons
    assert items[void].status == "review" and "BUNDLE_NOT_DELIVERABLE" in items[void].reasons
    assert store.bundle(b).state is BundleState.VOID
    assert store.audit(check_images=False).ok


def test_progress_counts_each_step(season):
    store, _ = season
    b = store.close_bundle(GT, actor="cora", station="office").id
    store.dispatch_bundle(b, method=DispatchMethod.HAND, tracking=None, actor="c", station="o")
    store.close_bundle("relatives:CAAL", actor="cora", station="office")
    rows = {(r.case, r.destination): r for r in store.delivery_progress()}
    gt, cards = rows[("CAAL", GT)], rows[("CAAL", "relatives:CAAL")]
    assert (gt.routed, gt.bundled, gt.dispatched, gt.delivered) == (4, 4, 4, 0)
    assert (cards.routed, cards.bundled, cards.dispatched, cards.delivered) == (1, 1, 0, 0)
    store.deliver_bundle(b, received_by="consul", received_on=date(2022, 1, 21), actor="c",
                         station="o")
    assert {(r.case, r.destination): r for r in store.delivery_progress()}[("CAAL", GT)].delivered == 4


def test_two_coordinators_closing_at_once_never_share_a_piece(loaded_store, tmp_path):
    store = loaded_store
    ids = [piece(store, n) for n in range(40)]
    url = str(store.engine.url.render_as_string(hide_password=False))
    other = Store.open(url, tmp_path / "images", StepClock())  # a second station's connection
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def close(name: str, s: Store) -> None:
        start.wait()
        try:
            results[name] = s.close_bundle(GT, actor=name, station=name)
        except NothingToBundle as exc:
            results[name] = exc

    threads = [threading.Thread(target=close, args=("one", store)),
               threading.Thread(target=close, args=("two", other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    other.close()
    views = [r for r in results.values() if not isinstance(r, Exception)]
    assert len(results) == 2 and len(views) == 1  # one closed it, the other found nothing left
    assert views[0].item_ids == tuple(ids)
    assert all(i.bundle_id == views[0].id for i in store.items())
    assert store.audit(check_images=False).ok


def test_the_audit_sees_a_piece_moved_out_of_its_bundle(season):
    store, ids = season
    store.close_bundle(GT, actor="cora", station="office")
    with store.writer.begin() as connection:
        connection.execute(text("UPDATE item SET bundle_id = NULL WHERE id = :i"),
                           {"i": ids["petition"]})
    result = store.audit(check_images=False)
    assert not result.ok and "bundle" in result.problem.message


def test_the_audit_sees_a_bundle_state_changed_outside_the_ledger(season):
    store, _ = season
    b = store.close_bundle(GT, actor="cora", station="office").id
    with store.writer.begin() as connection:
        connection.execute(text("UPDATE bundle SET state = 'delivered' WHERE id = :b"), {"b": b})
    result = store.audit(check_images=False)
    assert not result.ok and result.problem.where == f"bundle {b}"


def test_an_older_ledger_gets_the_bundle_column(tmp_path, campaign_text):
    """A ledger made before bundles existed opens, gains item.bundle_id, and keeps its pieces."""
    path = tmp_path / "old.sqlite3"
    store = Store.open(f"sqlite:///{path}", tmp_path / "images", StepClock())
    store.load_campaign(campaign_text, actor="c", station="o")
    piece(store, 1)
    store.close()
    import sqlite3
    with sqlite3.connect(path) as db:  # the item table as it was, without the column
        columns = [row[1] for row in db.execute("PRAGMA table_info(item)") if row[1] != "bundle_id"]
        db.execute("PRAGMA foreign_keys=OFF")
        db.execute(f"CREATE TABLE item_old AS SELECT {', '.join(columns)} FROM item")
        db.execute("DROP TABLE item")
        db.execute("ALTER TABLE item_old RENAME TO item")
        db.execute("DROP TABLE bundle")
        db.execute("DROP TABLE alembic_version")  # made before migrations
    store = Store.open(f"sqlite:///{path}", tmp_path / "images", StepClock())
    view = store.close_bundle(GT, actor="c", station="o")
    assert view.item_ids == (1,)
    store.close()
