"""`audit verify` covers every table a station acts on: the campaign file stations route with,
its cases and embassies, people and their roles and access, batches, trays, the words kept
for pieces, and when pieces came in and who closed a bundle. Each is tampered with by SQL, on
SQLite and PostgreSQL, and the audit names the table, the row, the field and what the ledger
says; an untampered ledger — after a role change, a campaign reload and a privacy purge —
verifies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from argon2 import PasswordHasher
from conftest import StepClock, record_piece
from sqlalchemy import text

from models.store import Store, people
from models.store.people import Role
from scanpipe.domain.campaign import campaign_digest
from scanpipe.domain.found import Candidate, TermHit
from scanpipe.domain.routing import Decision, Finding, Kind, Method, Reason, Status

ADDRESS = "Boulevard Général Wahis 53"


@dataclass(frozen=True)
class Office:
    store: Store
    purged: int        # a piece delivered and purged (its words gone by an images.purged event)
    kept: int          # a piece in review whose words must stay
    purged_words: tuple[str, str, str]  # the purged piece's evidence row before the purge


def _read_piece(store: Store, n: int, status: Status) -> int:
    """A letter routed (or sent to review) by the words read on it: its words are kept apart."""
    routed = status is Status.ROUTED
    hits = (TermHit("Bernardo Caal Xol", f"une lettre pour Bernardo Caal Xol, de Jeanne {n}", 0.95, 0.9),)
    decision = Decision(Kind.LETTER, status, "CAAL" if routed else None,
                        "embassy:GT" if routed else None, Method.OCR if routed else None,
                        0.9 if routed else 0.0,
                        (Finding(Reason.ROUTED_BY_OCR if routed else Reason.OCR_WEAK, "read"),),
                        candidates=(Candidate("CAAL", 0.9, hits, named=True),))
    return record_piece(store, n, decision=decision)


def _words(store: Store, item_id: int) -> tuple[str, str, str]:
    with store.writer.connect() as connection:
        row = connection.execute(text("SELECT digest, salt, words FROM evidence_text "
                                      "WHERE item_id = :i"), {"i": item_id}).one()
    return row[0], row[1], row[2]


def build_office(store: Store, campaign_text: str) -> Office:
    """A ledger with everything these tables hold: a campaign loaded then reloaded, people
    added and changed by events, trays set, batches, pieces with their words, a purge."""
    store.load_campaign(campaign_text, actor="coordinator", station="office")
    store.add_person("Ana", Role.ADMIN, "1234", actor="setup", station="office")
    store.add_person("Bruno", Role.OPERATOR, "1234", actor="ana", station="office")
    store.add_person("Chloé", Role.OPERATOR, "1234", actor="ana", station="office")
    store.add_person("Dirk", Role.OPERATOR, "1234", actor="ana", station="office")
    store.change_person("Bruno", role=Role.COORDINATOR, actor="ana", station="office")
    store.change_person("Chloé", active=False, actor="ana", station="office")
    store.change_person("Dirk", secret="98765", actor="ana", station="office")
    campaign = store.campaign()
    plan = store.tray_plan(campaign)
    store.set_trays({**plan, "embassy:GT": "GT-A"}, campaign, actor="bruno", station="office")
    store.open_batch(station="s1", operator="ana", kit_serial=None)
    purged = _read_piece(store, 1, Status.ROUTED)
    record_piece(store, 2)
    store.close_batch(station="s1", operator="ana")
    kept = _read_piece(store, 3, Status.REVIEW)
    words = _words(store, purged)
    bundle = store.close_bundle("embassy:GT", actor="bruno", station="office")
    store.deliver_bundle(bundle.id, received_by="Consul", received_on=date(2021, 12, 20),
                         actor="bruno", station="office")
    assert purged in store.purge(delivered_before=date(2022, 1, 1), actor="ana",
                                 station="office").items
    # A new version of the file: an embassy moved. Its rows change, and that is no tampering.
    store.load_campaign(campaign_text.replace(ADDRESS, "Boulevard Général Wahis 55"),
                        actor="coordinator", station="office")
    store.open_batch(station="s2", operator="bruno", kit_serial=12)  # open, nothing in it yet
    return Office(store, purged, kept, words)


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Passwords hashed at argon2's lowest cost: these tests are about the ledger, not the hash
    (at the real cost, the five hashes of a ledger take most of its making)."""
    monkeypatch.setattr(people, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def office(store, campaign_text) -> Office:
    return build_office(store, campaign_text)


def _sql(store: Store, statement: str, **values: object) -> None:
    with store.writer.begin() as connection:
        connection.execute(text(statement), values)


def test_an_untampered_ledger_verifies_after_role_changes_a_reload_and_a_purge(office):
    result = office.store.audit(check_images=False)
    assert result.ok, result.problem
    assert not [w for w in result.warnings if "words" in w or "campaign" in w]


def test_the_audit_reports_its_progress_up_to_the_whole(office):
    calls: list[tuple[int, int]] = []
    assert office.store.audit(check_images=False, progress=lambda d, t: calls.append((d, t))).ok
    assert calls and all(0 <= d <= t for d, t in calls)
    assert calls[-1][0] == calls[-1][1] > 0
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def _edited_campaign(store: Store, *, rehash: bool) -> None:
    """Send the letters of case CAAL to another embassy in the stored file stations route with
    (and, with `rehash`, fix the row's own hash as a careful tamperer would)."""
    with store.writer.connect() as connection:
        row_id, toml = connection.execute(text(
            "SELECT id, toml FROM campaign_version ORDER BY id DESC LIMIT 1")).one()
    edited = toml.replace('embassy = "GT"', 'embassy = "ER"', 1)
    assert edited != toml
    _sql(store, "UPDATE campaign_version SET toml = :toml" + (", sha256 = :sha" if rehash else "")
         + " WHERE id = :id", toml=edited, sha=campaign_digest(edited), id=row_id)


# (what is changed by SQL, where the audit must name it, words its message must hold)
TAMPERS = {
    "campaign text": (lambda o: _edited_campaign(o.store, rehash=False),
                      "campaign_version row 2", ["hashes to", "stations route with"]),
    "campaign text and its hash": (lambda o: _edited_campaign(o.store, rehash=True),
                                   "campaign_version row 2", ["hashes to", "event"]),
    "campaign row added": (lambda o: _sql(
        o.store, "INSERT INTO campaign_version (campaign_id, name, deadline, sha256, toml, loaded_at) "
                 "SELECT campaign_id, name, deadline, sha256, toml, loaded_at FROM campaign_version "
                 "WHERE id = 1"),
        "campaign_version row 3", ["no campaign.loaded event"]),
    "case embassy": (lambda o: _sql(o.store, "UPDATE case_ SET embassy = 'ER' WHERE code = 'CAAL'"),
                     "case CAAL of campaign MDL2021 (table case_)", ["embassy", "'ER'", "'GT'"]),
    "case letters' destination": (lambda o: _sql(
        o.store, "UPDATE case_ SET letter_destination = 'embassy:ER' WHERE code = 'CAAL'"),
        "case CAAL of campaign MDL2021", ["letter_destination", "'embassy:ER'", "'embassy:GT'"]),
    "case removed": (lambda o: _sql(o.store, "DELETE FROM case_ WHERE code = 'WENDY'"),
                     "case WENDY of campaign MDL2021", ["no row"]),
    "embassy address": (lambda o: _sql(o.store, "UPDATE embassy SET address = :a WHERE code = 'GT'",
                                       a=f"\n{ADDRESS}\n1030 Schaerbeek"),
                        "embassy GT of campaign MDL2021 (table embassy)",
                        ["address", "Wahis 55", "event"]),
    "person role": (lambda o: _sql(o.store, "UPDATE person SET role = 'admin' WHERE login = 'bruno'"),
                    "person 2 (bruno)", ["role", "'admin'", "'coordinator'"]),
    "person access": (lambda o: _sql(o.store, "UPDATE person SET active = TRUE WHERE login = 'chloé'"),
                      "person 3 (chloé)", ["active", "True", "False"]),
    "person name": (lambda o: _sql(o.store, "UPDATE person SET login = 'boss' WHERE login = 'dirk'"),
                    "person 4 (boss)", ["login", "'dirk'"]),
    "person added": (lambda o: _sql(
        o.store, "INSERT INTO person (login, name, role, password_hash, active, created_at) "
                 "SELECT 'eve', 'Eve', 'admin', password_hash, TRUE, created_at FROM person "
                 "WHERE login = 'ana'"),
        "person 5 (eve)", ["no person.added event"]),
    "batch station": (lambda o: _sql(o.store, "UPDATE batch SET station = 's9' WHERE id = 1"),
                      "batch 1", ["station", "'s9'", "'s1'"]),
    "batch kit": (lambda o: _sql(o.store, "UPDATE batch SET kit_serial = 7 WHERE id = 1"),
                  "batch 1", ["kit_serial", "7", "None"]),
    "batch reopened": (lambda o: _sql(o.store, "UPDATE batch SET closed_at = NULL WHERE id = 1"),
                       "batch 1", ["closed_at", "closed it at"]),
    "batch closed": (lambda o: _sql(o.store, "UPDATE batch SET closed_at = opened_at "
                                             "WHERE station = 's2'"),
                     "batch 3", ["closed_at", "no batch.closed event"]),
    "batch removed": (lambda o: _sql(o.store, "DELETE FROM batch WHERE station = 's2'"),
                      "batch 3", ["no row"]),
    "piece scanned earlier": (lambda o: _sql(o.store, "UPDATE item SET scanned_at = :t WHERE id = 2",
                                             t="2021-12-01 09:00:00"),
                              "item 0000002", ["scanned_at", "scanned it at"]),
    "bundle closed by": (lambda o: _sql(o.store, "UPDATE bundle SET created_by = 'dirk'"),
                         "bundle 1", ["created_by", "'dirk'", "'bruno'"]),
    "tray label": (lambda o: _sql(o.store, "UPDATE tray SET label = '1' "
                                           "WHERE destination = 'embassy:GT'"),
                   "tray of embassy:GT", ["label", "'1'", "'GT-A'"]),
    "words deleted": (lambda o: _sql(o.store, "DELETE FROM evidence_text WHERE item_id = :i", i=o.kept),
                      "item {kept:07d} (its words)", ["not in evidence_text", "no images.purged"]),
    "purged words put back": (lambda o: _sql(
        o.store, "INSERT INTO evidence_text (item_id, digest, salt, words) VALUES (:i, :d, :s, :w)",
        i=o.purged, d=o.purged_words[0], s=o.purged_words[1], w=o.purged_words[2]),
        "item {purged:07d} (its words", ["images.purged event removed"]),
}


@pytest.mark.parametrize("tamper", sorted(TAMPERS))
def test_a_tampered_table_is_named_by_the_audit(office, tamper):
    change, where, words = TAMPERS[tamper]
    change(office)
    result = office.store.audit(check_images=False)
    assert not result.ok
    expected = where.format(kept=office.kept, purged=office.purged)
    assert result.problem.where.startswith(expected), result.problem
    for word in words:
        assert word in result.problem.message, result.problem


def test_audit_verify_names_an_edited_case_and_exits_1(run, tmp_path, campaign_text):
    data = tmp_path / "data"
    data.mkdir()
    store = Store.open(f"sqlite:///{data / 'ledger.sqlite3'}", data / "images", StepClock())
    build_office(store, campaign_text)
    assert run("audit", "verify", "--no-images").exit_code == 0
    _sql(store, "UPDATE case_ SET embassy = 'ER' WHERE code = 'CAAL'")
    store.close()
    result = run("audit", "verify", "--no-images")
    assert result.exit_code == 1
    assert "AUDIT FAILED at case CAAL of campaign MDL2021 (table case_): its embassy is 'ER'" \
           in result.output
    assert "Verifying" not in result.output  # no bar off a terminal
