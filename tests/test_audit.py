"""The audit proves what it must: 100 random tamperings of a 5,000-event ledger, each caught
at its first broken place; checkpoints verify with the public key alone; every piece's life is
checked; the reconciliation's figures are the ledger's; the sample is reproducible."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import StepClock
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from season import build_season
from sqlalchemy import text

from models.audit.checks import clopper_pearson, upper_bound
from models.audit.population import draw
from models.events import event_hash
from models.store import Store

pytestmark = pytest.mark.slow  # a big season and a hundred tamperings: `make test-all` and CI run it

ENVELOPES = 230  # about 22 events each: over 5,000 events in all


@pytest.fixture(scope="module")
def season_ledger(tmp_path_factory, campaign_text):
    """A season of over 5,000 events on SQLite, built once; each test works on a copy."""
    folder = tmp_path_factory.mktemp("season")
    store = Store.open(f"sqlite:///{folder / 'ledger.sqlite3'}", folder / "images", StepClock())
    started = time.perf_counter()
    season = build_season(store, campaign_text, envelopes=ENVELOPES)
    print(f"season built in {time.perf_counter() - started:.1f} s")
    store.close()
    return folder, season


def _copy(season_ledger, tmp_path) -> Store:
    folder, _ = season_ledger
    shutil.copyfile(folder / "ledger.sqlite3", tmp_path / "ledger.sqlite3")
    return Store.open(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", folder / "images", StepClock())


def _public(season_ledger):
    return season_ledger[1].key.public_key()


def _rows(path: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql, args).fetchall()


def _run(path: Path, *statements: tuple[str, tuple]) -> None:
    with sqlite3.connect(path) as db:
        for sql, args in statements:
            db.execute(sql, args)


_COLUMNS = ("seq", "at", "actor", "station", "type", "subject", "payload", "prev_hash", "hash")


def test_the_season_is_big_and_verifies(season_ledger, tmp_path):
    store = _copy(season_ledger, tmp_path)
    result = store.audit(public=_public(season_ledger))
    assert result.ok, result.problem
    assert result.events >= 5000
    assert result.checkpoints == 2 and result.signed_up_to == result.events
    kinds = Counter(e.type for e in store.event_rows())
    for needed in ("kits.printed", "item.duplicate", "item.decided", "item.undone", "bundle.closed",
                   "bundle.delivered", "bundle.refused", "bundle.voided", "sheet.issued"):
        assert kinds[needed], needed


# -------------------------------------------------------------- the tamperings

def _edit_field(path: Path, rng: random.Random, head: int) -> str:
    seq = rng.randint(1, head)
    column = rng.choice(("at", "actor", "station", "subject", "payload", "type"))
    [value] = _rows(path, f"SELECT {column} FROM event WHERE seq = ?", seq)[0]
    if column == "payload":
        data = json.loads(value)
        key = rng.choice(sorted(data)) if data else None
        data[key or "x"] = "forged" if data.get(key) != "forged" else "forged again"
        changed = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    elif column == "type":
        changed = "item.routed" if value != "item.routed" else "item.review"
    else:
        changed = value + "x"
    _run(path, (f"UPDATE event SET {column} = ? WHERE seq = ?", (changed, seq)))
    return f"event {seq}"


def _delete_event(path: Path, rng: random.Random, head: int) -> str:
    seq = rng.randint(1, head)
    _run(path, ("DELETE FROM event WHERE seq = ?", (seq,)))
    # The newest event gone leaves an unbroken chain: the checkpoint that signed it says so.
    return f"checkpoint of event {head}" if seq == head else f"event {seq}"


def _swap_events(path: Path, rng: random.Random, head: int) -> str:
    first, second = sorted(rng.sample(range(1, head + 1), 2))
    rows = {r[0]: r for r in _rows(path, "SELECT * FROM event WHERE seq IN (?, ?)", first, second)}
    # The contents change places; the sequence numbers stay where they were.
    _run(path, ("DELETE FROM event WHERE seq IN (?, ?)", (first, second)),
         (f"INSERT INTO event ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
          (first, *rows[second][1:])),
         (f"INSERT INTO event ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
          (second, *rows[first][1:])))
    return f"event {first}"


def _alter_image(path: Path, rng: random.Random, head: int, images: Path) -> str:
    shas = [r[0] for r in _rows(path, "SELECT sha256 FROM stored_image WHERE purged_at IS NULL")]
    sha = rng.choice(sorted(shas))
    file = images / sha[:2] / sha[2:4] / sha
    file.write_bytes(file.read_bytes() + b"!")
    return f"image {sha}"


def _replace_signature(path: Path, rng: random.Random, head: int) -> str:
    checkpoints = _rows(path, "SELECT id, seq, campaign_id, hash, signed_at FROM checkpoint")
    row = rng.choice(checkpoints)
    forger = Ed25519PrivateKey.generate()
    forged = forger.sign(b"anything at all").hex() if rng.random() < 0.5 else "00" * 64
    _run(path, ("UPDATE checkpoint SET signature = ? WHERE id = ?", (forged, row[0])))
    return f"checkpoint of event {row[1]}"


TAMPERINGS = (_edit_field, _delete_event, _swap_events, _alter_image, _replace_signature)


def test_a_hundred_random_tamperings_are_each_caught_at_the_first_broken_place(season_ledger,
                                                                             tmp_path):
    folder, season = season_ledger
    public = season.key.public_key()
    rng = random.Random(2027)
    caught = Counter()
    for round_ in range(100):
        tamper = TAMPERINGS[round_ % len(TAMPERINGS)]
        work = tmp_path / f"round-{round_}"
        work.mkdir()
        db = work / "ledger.sqlite3"
        shutil.copyfile(folder / "ledger.sqlite3", db)
        images = folder / "images"
        [(head,)] = _rows(db, "SELECT max(seq) FROM event")
        originals = {p: p.read_bytes() for p in images.rglob("*") if p.is_file()} \
            if tamper is _alter_image else {}
        expected = (tamper(db, rng, head, images) if tamper is _alter_image
                    else tamper(db, rng, head))
        store = Store.open(f"sqlite:///{db}", images, StepClock())
        try:
            result = store.audit(public=public)
        finally:
            store.close()
            for path, data in originals.items():  # the image store is shared by the rounds
                if path.read_bytes() != data:
                    path.write_bytes(data)
        assert not result.ok, f"round {round_}: {tamper.__name__} was not caught"
        assert result.problem.where.startswith(expected), (
            f"round {round_}: {tamper.__name__} expected at {expected}, reported at "
            f"{result.problem.where}: {result.problem.message}")
        caught[tamper.__name__] += 1
        shutil.rmtree(work)
    assert sum(caught.values()) == 100 and len(caught) == len(TAMPERINGS)


def test_a_history_rewritten_with_fresh_hashes_is_caught_by_the_checkpoint(season_ledger, tmp_path):
    """A forger who knows the hash recipe recomputes the chain after an edit: only the signed
    checkpoint can tell — and it names the span where the change lies."""
    store = _copy(season_ledger, tmp_path)
    db = tmp_path / "ledger.sqlite3"
    checkpoints = sorted(c.seq for c in store.checkpoints())
    store.close()
    # An event no table mirrors (who closed a batch), after the first checkpoint.
    [(target,)] = _rows(db, "SELECT min(seq) FROM event WHERE type = 'batch.closed' AND seq > ?",
                        checkpoints[0])
    rows = _rows(db, "SELECT * FROM event WHERE seq >= ? ORDER BY seq", target)
    [(prev,)] = _rows(db, "SELECT hash FROM event WHERE seq = ?", target - 1)
    statements = []
    for row in rows:
        seq, at, actor, station, type_, subject, payload, _, _ = row
        if seq == target:
            actor = "someone else"
        digest = event_hash(seq, at, actor, station, type_, subject, payload, prev)
        statements.append(("UPDATE event SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                           (actor, prev, digest, seq)))
        prev = digest
    _run(db, *statements)
    store = Store.open(f"sqlite:///{db}", season_ledger[0] / "images", StepClock())
    result = store.audit(public=_public(season_ledger))
    assert not result.ok
    assert result.problem.where.startswith(f"checkpoint of event {checkpoints[1]}")
    assert f"events {checkpoints[0] + 1}–{checkpoints[1]}" in result.problem.message
    # Without the key, nothing can tell: the audit says the checkpoints were not checked.
    blind = store.audit(check_images=False)
    assert blind.ok and any("not checked" in w for w in blind.warnings)
    store.close()


def test_a_checkpoint_kept_outside_catches_a_ledger_cut_short(season_ledger, tmp_path):
    store = _copy(season_ledger, tmp_path)
    key = season_ledger[1].key
    for first in range(1000, 1030):  # events no table mirrors
        store.record_kits_printed(first, 1, actor="coordinator", station="office")
    kept = store.sign_checkpoint(key)  # mailed to the auditors
    with store.writer.begin() as connection:  # the newest events and every checkpoint go
        connection.execute(text("DELETE FROM event WHERE seq > :s"), {"s": kept.seq - 30})
        connection.execute(text("DELETE FROM checkpoint"))
    public = key.public_key()
    assert store.audit(public=public, check_images=False).ok  # nothing inside can tell
    result = store.audit(public=public, check_images=False, extra_checkpoints=(kept,))
    assert result.problem.where.startswith(f"checkpoint of event {kept.seq}")
    assert f"events {kept.seq - 29}–{kept.seq} were removed" in result.problem.message
    store.close()


def test_a_checkpoint_signed_with_another_key_is_refused(season_ledger, tmp_path):
    store = _copy(season_ledger, tmp_path)
    store.sign_checkpoint(Ed25519PrivateKey.generate())  # somebody else's key
    result = store.audit(public=_public(season_ledger), check_images=False)
    assert not result.ok and "does not verify with the office key" in result.problem.message
    store.close()


@pytest.mark.parametrize("change, where", [
    ("UPDATE item SET destination = 'embassy:XX' WHERE id = 40", "item 0000040"),
    ("UPDATE item SET bundle_id = NULL WHERE id = (SELECT min(id) FROM item WHERE bundle_id "
     "IS NOT NULL)", "item "),
    ("UPDATE bundle SET state = 'delivered' WHERE state = 'refused'", "bundle "),
    ("UPDATE evidence_text SET words = '[\"someone else\"]' WHERE id = 1", "item "),
    ("UPDATE stored_image SET purged_at = '2022-01-01' WHERE rowid = 3", "image "),
])
def test_tables_that_say_otherwise_than_the_events_are_caught(season_ledger, tmp_path, change,
                                                               where):
    store = _copy(season_ledger, tmp_path)
    store.close()
    _run(tmp_path / "ledger.sqlite3", (change, ()))
    store = Store.open(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", season_ledger[0] / "images",
                       StepClock())
    result = store.audit(public=_public(season_ledger), check_images=False)
    assert not result.ok and result.problem.where.startswith(where), result.problem
    store.close()


# ------------------------------------------------------------- every life

def _append_forged(store: Store, type_: str, subject: str, payload: dict) -> None:
    """Append an event that keeps the chain whole (as a buggy or dishonest program could)."""
    with store.writer.begin() as connection:
        seq, prev = connection.execute(text("SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1")).one()
        body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        at = "2022-02-01T10:00:00.000000+00:00"
        digest = event_hash(seq + 1, at, "x", "y", type_, subject, body, prev)
        connection.execute(text("INSERT INTO event (seq, at, actor, station, type, subject, payload, "
                                "prev_hash, hash) VALUES (:s, :at, 'x', 'y', :t, :sub, :p, :prev, :h)"),
                           {"s": seq + 1, "at": at, "t": type_, "sub": subject, "p": body,
                            "prev": prev, "h": digest})


def test_an_inconsistent_life_is_named_even_when_the_chain_holds(season_ledger, tmp_path):
    store = _copy(season_ledger, tmp_path)
    delivered = season_ledger[1].delivered_bundles[0]
    view = store.bundle(delivered)
    _append_forged(store, "bundle.closed", "bundle:999", {
        "destination": view.bundle.destination, "items": [view.item_ids[0]], "late": [],
        "lines": [], "totals": view.totals})
    result = store.audit(check_images=False)
    assert not result.ok
    assert result.problem.where == f"event {result.events + 1}"
    assert f"in bundle {delivered} already" in result.problem.message
    store.close()


def test_a_bundle_step_its_state_does_not_allow_is_named(season_ledger, tmp_path):
    store = _copy(season_ledger, tmp_path)
    delivered = season_ledger[1].delivered_bundles[0]
    _append_forged(store, "bundle.voided", f"bundle:{delivered}",
                   {"from": "delivered", "state": "void", "reason": "hide it"})
    result = store.audit(check_images=False)
    assert "cannot become void" in result.problem.message
    store.close()


def test_a_letter_to_the_person_bundled_for_an_embassy_is_named(season_ledger, tmp_path):
    """A forged bundle that would hand a letter to the person to the authorities."""
    store = _copy(season_ledger, tmp_path)
    state = store.replay_ledger()
    letter = next(i for i in state.items.values()
                  if i.is_piece and i.kind == "solidarity_letter")
    embassy = next(i.state["destination"] for i in state.items.values()
                   if i.is_piece and i.state["case"] == letter.state["case"]
                   and i.kind == "letter")
    _append_forged(store, "bundle.closed", "bundle:999", {
        "destination": embassy, "items": [letter.id], "late": [], "lines": [],
        "totals": {"letters": 0, "solidarity_letters": 1, "postcards": 0, "petitions": 0,
                   "signatures": None, "pieces": 1}})
    result = store.audit(check_images=False)
    assert not result.ok and result.problem.where == f"event {result.events + 1}"
    assert (f"bundles item {letter.id:07d}, a solidarity_letter, for {embassy}: letters to the "
            "person and postcards never go to the authorities") in result.problem.message
    store.close()


def test_a_letter_to_the_person_routed_to_an_embassy_is_named(season_ledger, tmp_path):
    """A forged decision that routes a letter to the person to an embassy: refused before any
    bundle could take it."""
    store = _copy(season_ledger, tmp_path)
    waiting = store.next_review()
    piece = store.review_piece(waiting)
    _append_forged(store, "item.decided", f"item:{waiting}", {
        "kind": "solidarity_letter", "case": "CAAL", "destination": "embassy:GT",
        "status": "routed", "method": "manual", "confidence": 1.0,
        "reasons": ["DECIDED_BY_HAND"], "signatures": None, "follows": piece.state_seq})
    result = store.audit(check_images=False)
    assert not result.ok
    assert "routes a solidarity_letter to embassy:GT" in result.problem.message
    store.close()


def test_a_ledger_from_before_letters_to_the_person_still_verifies(season_ledger, tmp_path):
    """Bundles closed and sheets printed before the kind existed carry no count of it: read as
    0, they agree with their pieces; a count that disagrees is still named."""
    store = _copy(season_ledger, tmp_path)
    bundle = next(b for b in store.replay_ledger().bundles.values()
                  if b.totals["solidarity_letters"] == 0 and b.state == "delivered")
    older = {k: v for k, v in bundle.totals.items() if k != "solidarity_letters"}
    _append_forged(store, "sheet.issued", f"bundle:{bundle.id}",
                   {"document": "delivery_sheet", "lang": "fr", "issued_on": "2022-01-30",
                    "pdf_sha256": "2" * 64, "totals": older})
    assert store.audit(check_images=False).ok
    _append_forged(store, "sheet.issued", f"bundle:{bundle.id}",
                   {"document": "label", "lang": "fr", "issued_on": "2022-01-30",
                    "pdf_sha256": "3" * 64, "totals": {**older, "solidarity_letters": 2}})
    result = store.audit(check_images=False)
    assert not result.ok and "printed says totals" in result.problem.message
    store.close()


# --------------------------------------------------------------- sampling

def test_the_sample_is_reproducible_and_drawn_from_every_piece_held_or_delivered(season_ledger, tmp_path):
    store = _copy(season_ledger, tmp_path)
    state = store.replay_ledger()
    first = draw(state, "auditor-2022", 40)
    again = draw(state, "auditor-2022", 40)
    other = draw(state, "someone else", 40)
    assert first == again and first.order != other.order and first.draws == 40
    held = {i.id: state.outcome(i) for i in state.items.values()
            if state.outcome(i) in ("waiting", "bundled", "dispatched", "back", "delivered")}
    assert first.population == len(held) and set(first.order) == set(held)
    assert {"tray", "bundle", "delivered"} <= set(first.strata)  # the season has all three
    for piece in first.pieces:
        assert piece.item_id in held
        if piece.place.bundle is not None:
            bundle = store.bundle(piece.place.bundle)
            assert bundle.item_ids[piece.place.position - 1] == piece.item_id  # as printed on the sheet
    # Drawn as the ledger stood earlier: the same as before anything newer happened.
    sample = store.draw_sample("auditor-2022", 40, as_of=state.head_seq)
    assert sample.order == first.order
    store.close()


def test_exact_binomial_bounds():
    assert upper_bound(0, 100) == pytest.approx(1 - 0.05 ** (1 / 100), abs=1e-6)
    low, high = clopper_pearson(5, 100)
    assert low == pytest.approx(0.01643, abs=5e-5) and high == pytest.approx(0.11284, abs=5e-5)
    low, high = clopper_pearson(0, 30)
    assert low == 0.0 and high == pytest.approx(1 - 0.025 ** (1 / 30), abs=1e-6)


# ----------------------------------------------------------- reconciliation

def test_the_reconciliation_counts_what_the_ledger_holds(season_ledger, tmp_path):
    store = _copy(season_ledger, tmp_path)
    report = store.reconciliation()
    figures = report.figures
    db = tmp_path / "ledger.sqlite3"
    pieces = "status = 'routed' AND kind IN ('letter', 'solidarity_letter', 'postcard', 'petition')"
    assert figures["items"] == _rows(db, "SELECT count(*) FROM item")[0][0]
    assert figures["pieces"] == _rows(db, f"SELECT count(*) FROM item WHERE {pieces}")[0][0]
    assert figures["delivered"] == _rows(
        db, f"SELECT count(*) FROM item JOIN bundle ON bundle.id = item.bundle_id "
            f"WHERE {pieces} AND bundle.state = 'delivered'")[0][0]
    assert figures["in_review"] == _rows(db, "SELECT count(*) FROM item WHERE status = 'review'")[0][0]
    # Letters to the person are pieces of their own kind, counted apart; blank backs and
    # picture sides are counted as such, never as unreadable files.
    assert figures["solidarity_letters"] == _rows(
        db, f"SELECT count(*) FROM item WHERE {pieces} AND kind = 'solidarity_letter'")[0][0] > 0
    for figure, reason in (("blank_sides", "BLANK_PAGE"), ("picture_sides", "POSTCARD_PICTURE_SIDE"),
                           ("unreadable_files", "UNREADABLE_FILE")):
        assert figures[figure] == _rows(db, "SELECT count(*) FROM item WHERE status = 'rejected' "
                                            "AND reasons = ?", f'["{reason}"]')[0][0] > 0
    outcomes = dict(report.table("outcomes").rows)
    assert (outcomes["blank_side"], outcomes["picture_side"]) == (figures["blank_sides"],
                                                                  figures["picture_sides"])
    by_destination = report.table("by_destination")
    for row in by_destination.rows:  # letters to the person only where postcards go
        if row[0].startswith("embassy:"):
            assert row[by_destination.columns.index("solidarity_letters")] == 0
    assert sum(by_destination.column("solidarity_letters")) == figures["solidarity_letters"]
    assert figures["duplicates"] == _rows(
        db, "SELECT count(*) FROM event WHERE type = 'item.duplicate'")[0][0]
    assert figures["kits_sent"] == ENVELOPES + 20 and figures["kits_returned"] == ENVELOPES
    assert figures["return_rate"] == pytest.approx(ENVELOPES / (ENVELOPES + 20), abs=1e-4)
    assert figures["signatures"] == _rows(
        db, f"SELECT coalesce(sum(signatures), 0) FROM item WHERE {pieces}")[0][0]
    by_case = report.table("by_case")
    assert sum(by_case.column("pieces")) == figures["pieces"]
    for case, count in _rows(db, f"SELECT case_code, count(*) FROM item WHERE {pieces} "
                                 "GROUP BY case_code"):
        assert by_case.rows[by_case.column("case").index(case)][-1] == count
    assert sum(report.table("by_day").column("items")) == figures["items"]
    assert sum(report.table("by_station").column("items")) == figures["items"]
    assert sum(report.table("outcomes").column("items")) == figures["items"]
    # Every piece that needs a person is an exception with its id, to pull from the shelves:
    # in review, set aside, unreadable, or in a bundle that came back. Waiting is a figure.
    pulled = {row[1] for row in report.table("exceptions").rows
              if row[0] in ("review", "set_aside", "unreadable", "back")}
    needs_a_person = {f"{i:07d}" for (i,) in _rows(
        db, "SELECT item.id FROM item LEFT JOIN bundle ON bundle.id = item.bundle_id WHERE "
            "item.kind != 'kit_envelope' AND item.status != 'routed' AND item.reasons NOT IN "
            "('[\"BLANK_PAGE\"]', '[\"POSTCARD_PICTURE_SIDE\"]') OR bundle.state IN "
            "('refused', 'returned')")}
    assert pulled == needs_a_person
    waiting = _rows(db, f"SELECT count(*) FROM item WHERE {pieces} AND bundle_id IS NULL")[0][0]
    assert figures["waiting"] == waiting > 0
    delivery = report.table("delivery")
    assert sum(delivery.column("delivered")) == figures["delivered"]
    assert all(row[-1] is True for row in report.table("bundles").rows if row[-1] is not None)
    store.close()


def test_a_sheet_printed_with_other_totals_is_caught_and_reported(season_ledger, tmp_path):
    store = _copy(season_ledger, tmp_path)
    bundle = season_ledger[1].delivered_bundles[0]
    totals = dict(store.bundle(bundle).totals)
    totals["letters"] += 1
    _append_forged(store, "sheet.issued", f"bundle:{bundle}",
                   {"document": "delivery_sheet", "lang": "fr", "issued_on": "2022-01-30",
                    "pdf_sha256": "1" * 64, "totals": totals})
    result = store.audit(check_images=False)
    assert not result.ok and "printed says totals" in result.problem.message
    store.close()


def test_checkpoints_on_either_database(store, campaign_text):
    """Signing and verifying on whichever database the store runs on (PostgreSQL when set)."""
    season = build_season(store, campaign_text, envelopes=6)
    assert store.audit(public=season.key.public_key()).ok
    with store.writer.begin() as connection:
        connection.execute(text("UPDATE event SET actor = 'eve' WHERE seq = 5"))
    result = store.audit(public=season.key.public_key(), check_images=False)
    assert result.problem.where == "event 5"
