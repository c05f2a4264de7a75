"""bench/ledger_fill.py: a bulk-filled season verifies like real intake, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import itertools

from conftest import kit_code

from bench.ledger_fill import FillStats, fill_ledger
from models.events import GENESIS, EventType, decision_payload
from models.store import tables as t
from scanpipe.domain.found import Code, Reader
from scanpipe.domain.routing import route_page

ITEMS = 2000


@pytest.fixture
def filled(store, campaign_text):
    """A store whose chain already holds the campaign load and one real intake, then the fill."""
    store.load_campaign(campaign_text, actor="someone-else", station="office")
    campaign = store.campaign()
    kit = route_page([Code("QRCode", kit_code(campaign, 9999), ((0, 0), (9, 0), (9, 9), (0, 9)),
                           Reader.ZXING)], campaign)
    # A real intake at one of the fill's stations leaves its batch open there.
    store.record_file(source_name="before.jpg", sha256="ab" * 32, media_type="jpeg", size=10,
                      pages=[(1, kit)], station="station-1", operator="zoe")
    before = store.events()
    calls = []
    stats = fill_ledger(store, campaign_text, items=ITEMS, stations=3, seed=11,
                        progress=lambda done, total: calls.append((done, total)))
    return store, before, stats, calls


@pytest.mark.slow
def test_a_filled_season(filled):
    """One fill per database (it is the slow part), checked from every side."""
    _verifies_and_continues_the_chain(*filled)
    _follows_the_mix(*filled)
    _says_what_intake_would_write(*filled)
    _serves_the_reports(*filled)
    _takes_real_intake_after(*filled)


def _verifies_and_continues_the_chain(store, before, stats, calls):
    assert isinstance(stats, FillStats) and stats.items == ITEMS and stats.seconds > 0
    result = store.audit(check_images=False)
    assert result.ok, result.problem
    events = store.events()
    assert result.items == ITEMS + 1 and result.events == len(events) == len(before) + stats.events
    assert events[0].type == EventType.CAMPAIGN_LOADED and events[0].prev_hash == GENESIS
    assert [(e.seq, e.hash) for e in events[:len(before)]] == [(e.seq, e.hash) for e in before]
    assert events[len(before)].prev_hash == before[-1].hash
    assert sum(1 for e in events if e.type == EventType.CAMPAIGN_LOADED) == 1  # not loaded twice
    assert calls[-1] == (ITEMS, ITEMS)
    # The intake's batch left open at station-1 was closed by that station's first envelope.
    first_close = next(e for e in events[len(before):] if e.type == EventType.BATCH_CLOSED)
    assert first_close.subject == "batch:1" and json.loads(first_close.payload) == {"items": 1}
    # Without image files, the full audit says so: the docstring's advice is needed.
    assert not store.audit(check_images=True).ok


def _follows_the_mix(store, before, stats, calls):
    items = [i for i in store.items() if i.source_name != "before.jpg"]
    kinds = Counter(i.kind for i in items)
    statuses = Counter(i.status for i in items)
    share = {k: n / len(items) for k, n in (kinds + statuses).items()}
    assert 0.54 < share["letter"] < 0.66 and 0.20 < share["postcard"] < 0.30
    assert 0.05 < share["petition"] < 0.11 and 0.02 < share["kit_envelope"] < 0.08
    assert 0.88 < share["routed"] < 0.94 and 0.05 < share["review"] < 0.09
    assert 0.01 < share["rejected"] < 0.035
    assert kinds["kit_envelope"] == stats.batches  # one envelope opens each batch
    for item in items:
        reasons = json.loads(item.reasons)
        if item.status == "review":
            assert reasons and any(r in reasons for r in (
                "OCR_WEAK", "OCR_AMBIGUOUS", "TEXT_NAMES_OTHER_CASE", "SIGNATURES_NOT_COUNTED",
                "CONFLICTING_CODES"))
        if item.status == "rejected":
            assert reasons in (["UNREADABLE_FILE"], ["BLANK_PAGE"])
        if item.kind == "petition" and item.status == "routed":
            assert 0 <= item.signatures <= 20
    assert len({i.image_sha256 for i in items}) == len(items)
    assert {i.station for i in items} == {"station-1", "station-2", "station-3"}
    assert 3 <= len({i.operator for i in items}) <= 8
    days = {i.scanned_at.date() for i in items}
    assert 35 <= len(days) <= 40 and (max(days) - min(days)).days < 70


def _says_what_intake_would_write(store, before, stats, calls):
    events = store.events()
    state = {e.subject: json.loads(e.payload) for e in events
             if e.type in (EventType.ITEM_ROUTED, EventType.ITEM_REVIEW, EventType.ITEM_REJECTED)}
    for item in store.items():  # the columns the audit does not compare
        said = state[f"item:{item.id}"]
        assert (item.method, item.confidence, item.reasons) == (
            said["method"], said["confidence"], json.dumps(said["reasons"]))
    candidates = [len(p["candidates"]) for p in state.values() if p["status"] == "review"]
    assert candidates and min(candidates) >= 1 and max(candidates) <= 3
    # A routed QR letter: the same decision recorded by real intake gives the same payload.
    campaign = store.campaign()
    letter = next(p for p in state.values() if p["kind"] == "letter" and p["method"] == "qr"
                  and p["reasons"] == ["ROUTED_BY_QR"])
    found = letter["evidence"][0]
    decision = route_page([Code("QRCode", found["code"], ((0, 0), (9, 0), (9, 9), (0, 9)),
                                Reader(found["reader"]), found["attempt"])], campaign)
    assert json.loads(json.dumps(decision_payload(decision))) == letter
    # Batches: opened and closed when their events say, all closed.
    stamps = {(e.type, e.subject): e.at for e in events}
    batches = [b for b in _batches(store) if b.id > 1]
    assert batches and all(b.closed_at is not None for b in _batches(store))
    for b in batches:
        assert _same_time(b.opened_at, stamps[(EventType.BATCH_OPENED, f"batch:{b.id}")])
        assert _same_time(b.closed_at, stamps[(EventType.BATCH_CLOSED, f"batch:{b.id}")])
    # Times never go back along the chain, in Store.now's format.
    times = [datetime.fromisoformat(e.at) for e in events[len(before):]]
    assert all(a <= b for a, b in itertools.pairwise(times))
    assert all(e.at.endswith("+00:00") and len(e.at) == 32 for e in events)


def _serves_the_reports(store, before, stats, calls):
    rows = store.routing_summary()
    assert sum(r.count for r in rows) == ITEMS + 1
    routed_letters = sum(r.count for r in rows if r.status == "routed" and r.kind == "letter")
    waiting = {p.destination: p for p in store.pending()}
    assert routed_letters > waiting["embassy:GT"].letters > 0
    assert sum(p.pieces for p in waiting.values()) == sum(
        r.count for r in rows if r.status == "routed" and r.kind in ("letter", "postcard", "petition"))
    petitions = [r for r in rows if r.kind == "petition" and r.status == "routed"]
    assert petitions and all(r.signatures is not None for r in petitions)


def test_the_same_seed_gives_the_same_season(tmp_path, campaign_text):
    from models.store import Store
    hashes = []
    for n in (1, 2):
        s = Store.open(f"sqlite:///{tmp_path / f'l{n}.sqlite3'}", tmp_path / "images",
                       clock=lambda: datetime.fromisoformat("2021-11-01T10:00:00+00:00"))
        fill_ledger(s, campaign_text, items=200, stations=2, seed=3)
        hashes.append(s.events()[-1].hash)
        s.close()
    assert hashes[0] == hashes[1]


def _takes_real_intake_after(store, before, stats, calls):
    """Real intake goes on after the fill: ids (PostgreSQL's sequences too) and chain continue."""
    campaign = store.campaign()
    kit = route_page([Code("QRCode", kit_code(campaign, 4242), ((0, 0), (9, 0), (9, 9), (0, 9)),
                           Reader.ZXING)], campaign)
    [outcome] = store.record_file(source_name="after.jpg", sha256="cd" * 32, media_type="jpeg",
                                  size=10, pages=[(1, kit)], station="station-2", operator="zoe")
    assert outcome.item_id == ITEMS + 2 and outcome.batch_id == stats.batches + 2
    assert store.close_batch(station="station-2", operator="zoe") == outcome.batch_id
    assert store.audit(check_images=False).ok


def _batches(store):
    from sqlmodel import Session, select
    with Session(store.engine) as session:
        return list(session.exec(select(t.Batch).order_by(t.Batch.id)).all())


def _same_time(column: datetime, stamp: str) -> bool:
    """A datetime column against its event's ISO text (PostgreSQL and SQLite drop the zone)."""
    return column.replace(tzinfo=None) == datetime.fromisoformat(stamp).replace(tzinfo=None)
