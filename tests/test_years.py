"""Several campaigns (years) in one ledger, on SQLite and PostgreSQL: each campaign's intake,
review, bundles, summary and kit serials stay its own; the campaign chosen per store and per
command; the audit replays every campaign from the one chain and names a tampered campaign
column or a piece bundled across campaigns; another year's QR goes to review; a ledger of
revision 0003 is upgraded with its rows; `scanpipe compare` equals the campaigns' summaries."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from alembic import command
from alembic.config import Config
from click.testing import CliRunner
from conftest import ROOT, StepClock, kit_code, page_with_codes, record_piece
from sqlalchemy import MetaData, inspect, text

from models.audit.replay import replay
from models.events import EventType
from models.store import Store, UnknownCampaign, open_engines
from models.store.bundles import BundleError, DispatchMethod
from scanpipe.domain.campaign import parse_campaign
from scanpipe.domain.routing import Kind, Status
from stations.cli import cli

A, B = "MDL2021", "MDL2022"
CAMPAIGN_B = ROOT / "samples" / "campaign-2022.toml"
LEDGER_0003 = Path(__file__).parent / "data" / "ledger-0003.json"


@pytest.fixture
def two_years(store, campaign_text) -> Store:
    """A ledger holding 2021 (pieces of CAAL, ZHANG, CIHAM, one in review) and then 2022
    (pieces of ZHANG, CIHAMALI, CHOW, one in review); the store works for 2022."""
    store.load_campaign(campaign_text, actor="coordinator", station="office")
    for n in range(3):
        record_piece(store, n)                                       # CAAL, embassy:GT
    record_piece(store, 3, case="ZHANG", destination="embassy:CN")
    record_piece(store, 4, case="ZHANG", kind=Kind.PETITION, destination="embassy:CN", signatures=9)
    record_piece(store, 5, case="CIHAM", kind=Kind.POSTCARD, destination="partner:AIIS")
    record_piece(store, 6, status=Status.REVIEW)
    store.close_batch(station="s1", operator="ana")
    store.load_campaign(CAMPAIGN_B.read_text(encoding="utf-8"), actor="coordinator", station="office")
    record_piece(store, 10, case="ZHANG", destination="embassy:CN")
    record_piece(store, 11, case="ZHANG", destination="embassy:CN")
    record_piece(store, 12, case="ZHANG", kind=Kind.PETITION, destination="embassy:CN", signatures=4)
    record_piece(store, 13, case="CIHAMALI", destination="embassy:ER")
    record_piece(store, 14, case="CHOW", kind=Kind.POSTCARD, destination="partner:AIIS")
    record_piece(store, 15, status=Status.REVIEW)
    store.close_batch(station="s1", operator="ana")
    return store


def _for(store: Store, campaign: str) -> Store:
    """Another store on the same ledger, working for `campaign`."""
    return Store(store.engine, store.images, StepClock(), store.writer, campaign)


def _pieces(store: Store) -> Counter[tuple[str | None, str]]:
    """Routed pieces per (case, kind) as the summary counts them."""
    counts: Counter[tuple[str | None, str]] = Counter()
    for row in store.routing_summary():
        if row.status == Status.ROUTED.value:
            counts[(row.case, row.kind)] += row.count
    return counts


def test_each_campaign_sees_only_its_own_pieces(two_years):
    first, second = _for(two_years, A), _for(two_years, B)
    assert two_years.campaigns() == [B, A] and two_years.campaign_id == B
    assert _pieces(first) == {("CAAL", "letter"): 3, ("ZHANG", "letter"): 1, ("ZHANG", "petition"): 1,
                              ("CIHAM", "postcard"): 1}
    assert _pieces(second) == {("ZHANG", "letter"): 2, ("ZHANG", "petition"): 1,
                               ("CIHAMALI", "letter"): 1, ("CHOW", "postcard"): 1}
    assert {i.campaign_id for i in first.items()} == {A} and len(first.items()) == 7
    assert {i.campaign_id for i in second.items()} == {B} and len(second.items()) == 6
    assert first.review_count() == second.review_count() == 1
    assert first.next_review() != second.next_review()
    assert first.campaign().id == A and second.campaign().id == B
    # The same destination waits in both years, each with its own pieces.
    assert {(p.destination, p.pieces) for p in first.pending()} >= {("embassy:CN", 2)}
    assert {(p.destination, p.pieces) for p in second.pending()} >= {("embassy:CN", 3)}


def test_the_audit_report_progress_and_purge_count_one_campaign(two_years):
    first, second = _for(two_years, A), _for(two_years, B)
    report_a, report_b = first.reconciliation(), second.reconciliation()
    assert (report_a.campaign_id, report_a.figures["items"], report_a.figures["pieces"]) == (A, 7, 6)
    assert (report_b.campaign_id, report_b.figures["items"], report_b.figures["pieces"]) == (B, 6, 5)
    assert report_a.figures["signatures"] == 9 and report_b.figures["signatures"] == 4
    assert {row.case for row in first.delivery_progress()} == {"CAAL", "ZHANG", "CIHAM"}
    assert {row.case for row in second.delivery_progress()} == {"ZHANG", "CIHAMALI", "CHOW"}
    view = second.close_bundle("embassy:CN", actor="cora", station="office")
    second.deliver_bundle(view.id, received_by="Embassy", received_on=date(2023, 1, 20),
                          actor="cora", station="office")
    assert first.purge(delivered_before=date(2100, 1, 1), actor="c", station="o", dry_run=True).items == ()
    purged = second.purge(delivered_before=date(2100, 1, 1), actor="c", station="o")
    assert set(purged.items) == set(view.item_ids)
    assert two_years.audit(check_images=False).ok


def test_bundles_and_their_steps_are_one_campaigns(two_years):
    first, second = _for(two_years, A), _for(two_years, B)
    bundle_b = second.close_bundle("embassy:CN", actor="cora", station="office")
    assert bundle_b.bundle.campaign_id == B and len(bundle_b.item_ids) == 3
    assert {i.campaign_id for i in second.items() if i.id in bundle_b.item_ids} == {B}
    assert [p.pieces for p in first.pending() if p.destination == "embassy:CN"] == [2]
    bundle_a = first.close_bundle("embassy:CN", actor="cora", station="office")
    assert [b.id for b in first.bundles()] == [bundle_a.id]
    assert [b.id for b in second.bundles()] == [bundle_b.id]
    with pytest.raises(BundleError, match=f"bundle {bundle_a.id} is of campaign {A}"):
        second.dispatch_bundle(bundle_a.id, method=DispatchMethod.HAND, tracking=None, actor="cora",
                               station="office")
    with pytest.raises(BundleError, match=f"is of campaign {A}"):
        second.bundle(bundle_a.id)
    closed = [json.loads(e.payload) for e in two_years.events() if e.type == EventType.BUNDLE_CLOSED]
    assert [c["campaign"] for c in closed] == [B, A]
    assert two_years.audit(check_images=False).ok


def test_kit_serials_start_at_one_in_each_campaign(loaded_store):
    loaded_store.record_kits_printed(1, 5, actor="x", station="y")
    loaded_store.load_campaign(CAMPAIGN_B.read_text(encoding="utf-8"), actor="x", station="y")
    assert loaded_store.next_kit_serial() == 1
    loaded_store.record_kits_printed(1, 2, actor="x", station="y")
    assert loaded_store.next_kit_serial() == 3
    assert _for(loaded_store, A).next_kit_serial() == 6
    state = loaded_store.replay_ledger()
    assert state.only(A).kits_printed == {1, 2, 3, 4, 5} and state.only(B).kits_printed == {1, 2}
    assert loaded_store.audit(check_images=False).ok


def test_the_default_campaign_and_an_unknown_one(store, campaign_text):
    assert store.campaign_id is None  # nothing loaded yet: nothing counted, nothing refused
    assert store.routing_summary() == []
    store.load_campaign(campaign_text, actor="x", station="y")
    assert _for(store, None).campaign_id == A  # the only one
    store.load_campaign(CAMPAIGN_B.read_text(encoding="utf-8"), actor="x", station="y")
    assert _for(store, None).campaign_id == B  # the one loaded most recently
    store.load_campaign(campaign_text, actor="x", station="y")  # unchanged: not loaded again
    assert _for(store, None).campaign_id == B
    fixed = campaign_text.replace('name = "Marathon des lettres 2021"',
                                  'name = "Marathon des lettres 2021 (v2)"')
    assert fixed != campaign_text
    store.load_campaign(fixed, actor="x", station="y")  # last year's file fixed: still this year
    assert _for(store, None).campaign_id == B and _for(store, A).campaign().name.endswith("(v2)")
    with pytest.raises(UnknownCampaign, match=f"no campaign 'MDL2019'.*holds: {B}, {A}"):
        _ = _for(store, "MDL2019").campaign_id


def test_a_tampered_campaign_column_is_named_by_audit_verify(two_years):
    item = _for(two_years, A).items()[1]
    with two_years.writer.begin() as connection:
        connection.execute(text("UPDATE item SET campaign_id = :b WHERE id = :id"), {"b": B, "id": item.id})
    problem = two_years.audit(check_images=False).problem
    assert problem is not None and problem.where == f"item {item.id:07d}"
    assert f"campaign_id is '{B}' but the ledger says '{A}'" in problem.message


def test_a_tampered_bundle_campaign_is_named_by_audit_verify(two_years):
    view = two_years.close_bundle("embassy:CN", actor="cora", station="office")
    with two_years.writer.begin() as connection:
        connection.execute(text("UPDATE bundle SET campaign_id = :a WHERE id = :id"), {"a": A, "id": view.id})
    problem = two_years.audit(check_images=False).problem
    assert problem is not None and problem.where == f"bundle {view.id}"
    assert "campaign_id" in problem.message


def test_a_tampered_batch_campaign_is_named_by_audit_verify(two_years):
    with two_years.writer.begin() as connection:
        connection.execute(text("UPDATE batch SET campaign_id = :b WHERE id = 1"), {"b": B})
    problem = two_years.audit(check_images=False).problem
    assert problem is not None and problem.where == "batch 1"
    assert f"campaign_id is '{B}' but the ledger says '{A}'" in problem.message


def _event(seq: int, type_: EventType, subject: str, payload: dict) -> SimpleNamespace:
    return SimpleNamespace(seq=seq, at=f"2021-12-10T09:00:{seq:02d}", actor="ana", station="s1",
                           type=type_.value, subject=subject, payload=json.dumps(payload))


def _routed(case: str) -> dict:
    return {"kind": "letter", "case": case, "destination": "embassy:CN", "status": "routed",
            "method": "qr", "confidence": 1.0, "reasons": ["ROUTED_BY_QR"], "signatures": None}


def test_the_replay_names_a_piece_bundled_in_another_campaigns_bundle():
    events = [
        _event(1, EventType.CAMPAIGN_LOADED, A, {"cases": ["ZHANG"]}),
        _event(2, EventType.BATCH_OPENED, "batch:1", {"kit": None}),  # before campaigns: the first's
        _event(3, EventType.ITEM_SCANNED, "item:1", {"sha256": "a", "page": 1, "source": "a", "batch": 1}),
        _event(4, EventType.ITEM_ROUTED, "item:1", _routed("ZHANG")),
        _event(5, EventType.CAMPAIGN_LOADED, B, {"cases": ["ZHANG"]}),
        _event(6, EventType.BUNDLE_CLOSED, "bundle:1",
               {"campaign": B, "destination": "embassy:CN", "items": [1], "late": [], "lines": [],
                "totals": {"letters": 1, "solidarity_letters": 0, "postcards": 0, "petitions": 0,
                           "signatures": None, "pieces": 1}}),
    ]
    state = replay(events)
    assert state.items[1].campaign == A
    assert state.problem is not None and state.problem.where == "event 6"
    assert (f"bundles item 0000001, a piece of campaign {A}, in a bundle of campaign {B}"
            in state.problem.message)
    unknown = replay([events[0],
                      _event(2, EventType.BATCH_OPENED, "batch:1", {"kit": None, "campaign": "X"})])
    assert unknown.problem is not None
    assert "names campaign X, which was never loaded" in unknown.problem.message


def test_another_years_kit_goes_to_review_with_its_campaign(tmp_path, campaign_text, campaign):
    """A 2021 kit envelope read at a station working for 2022: review, never routed."""
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    env = {"SCANPIPE_OCR": "false", "SCANPIPE_WORKERS": "0"}
    assert runner.invoke(cli, [*base, "campaign", "load", str(ROOT / "samples" / "campaign.toml")],
                         env=env).exit_code == 0
    loaded = runner.invoke(cli, [*base, "campaign", "load", str(CAMPAIGN_B)], env=env)
    assert loaded.exit_code == 0 and f"Added campaign {B} beside {A}" in loaded.output
    page = tmp_path / "kit-2021.png"
    page.write_bytes(page_with_codes((kit_code(campaign, 12), 1200, 150), fmt="PNG"))
    result = runner.invoke(cli, [*base, "--campaign-id", B, "intake", str(page), "--json"], env=env)
    assert result.exit_code == 0, result.output
    [piece] = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert piece["status"] == "review" and piece["case"] is None
    assert "WRONG_CAMPAIGN" in piece["reasons"]
    assert f"kit 12 of campaign {A}" in result.stdout
    summary = runner.invoke(cli, [*base, "--campaign-id", A, "summary"], env=env)
    assert "Total: 0 pages" in summary.output  # recorded in 2022, not in 2021


def test_an_unknown_campaign_id_exits_4_listing_the_known_ones(tmp_path):
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    runner.invoke(cli, [*base, "campaign", "load", str(ROOT / "samples" / "campaign.toml")])
    result = runner.invoke(cli, [*base, "--campaign-id", "MDL1999", "summary"])
    assert result.exit_code == 4
    assert f"no campaign 'MDL1999'; the campaigns it holds: {A}" in result.output
    by_setting = runner.invoke(cli, [*base, "summary"], env={"SCANPIPE_CAMPAIGN_ID": "MDL1999"})
    assert by_setting.exit_code == 4


def test_compare_equals_the_campaigns_summaries(two_years):
    comparison = two_years.compare_campaigns(A, B)
    kinds = {"letters": "letter", "postcards": "postcard", "petitions": "petition"}
    for campaign, side in ((A, 0), (B, 1)):
        pieces = _pieces(_for(two_years, campaign))
        for case in comparison.cases:
            code = (case.a, case.b)[side]
            for figure, kind in kinds.items():
                assert case.pair(figure)[side] == (pieces[(code.code, kind)] if code else 0)
        signatures = sum(r.signatures or 0 for r in _for(two_years, campaign).routing_summary()
                         if r.status == "routed" and r.kind == "petition")
        assert comparison.totals()["signatures"][side] == signatures
        assert sum(comparison.totals()[f][side] for f in kinds) == sum(pieces.values())
    matched = {(c.a.code if c.a else None, c.b.code if c.b else None): c.matched_by for c in comparison.cases}
    assert matched[("ZHANG", "ZHANG")] == "code"
    assert matched[("CIHAM", "CIHAMALI")] == "person"
    assert matched[(None, "CHOW")] == "b_only" and matched[("CAAL", None)] == "a_only"
    assert comparison.totals()["letters"] == (4, 3, -1)


def test_compare_command_writes_csv_and_text(tmp_path, campaign_text):
    url = f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}"
    (tmp_path / "data").mkdir()
    store = Store.open(url, tmp_path / "data" / "images", StepClock())
    store.load_campaign(campaign_text, actor="x", station="y")
    record_piece(store, 1, case="CIHAM", destination="embassy:ER")
    store.load_campaign(CAMPAIGN_B.read_text(encoding="utf-8"), actor="x", station="y")
    record_piece(store, 2, case="CIHAMALI", destination="embassy:ER")
    record_piece(store, 3, case="CIHAMALI", destination="embassy:ER")
    store.close()
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    result = runner.invoke(cli, [*base, "compare", A, B, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    [ciham] = [r for r in rows if r["case_a"] == "CIHAM" and r["kind"] == "letters"]
    assert (ciham["case_b"], ciham["matched_by"], ciham[A], ciham[B], ciham["difference"]) == \
        ("CIHAMALI", "person", "1", "2", "1")
    [total] = [r for r in rows if r["case_a"] == "total" and r["kind"] == "letters"]
    assert (total[A], total[B]) == ("1", "2")
    shown = runner.invoke(cli, [*base, "compare", A, B])
    assert shown.exit_code == 0 and "CIHAM / CIHAMALI" in shown.output and "only in MDL2022" in shown.output
    assert runner.invoke(cli, [*base, "compare", A, "MDL1999"]).exit_code == 4


# ---------------------------------------------------------------- the upgrade of a 0003 ledger

def _ledger_at_0003(url: str) -> None:
    """The ledger of tests/data/ledger-0003.json (made by scanpipe at revision 0003: one
    campaign, kits, a batch, pieces, a bundle), written into a database at revision 0003."""
    rows = json.loads(LEDGER_0003.read_text(encoding="utf-8"))
    assert rows.pop("alembic_version") == ["0003"]
    config = Config()
    config.set_main_option("script_location", "models.store:migrations")
    _, writer = open_engines(url)
    with writer.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        tables = MetaData()
        tables.reflect(connection)
        for name in ("campaign_version", "case_", "embassy", "batch", "bundle", "stored_image", "item",
                     "evidence_text", "event"):
            table = tables.tables[name]
            if rows[name]:
                connection.execute(table.insert(), [_typed(table, row) for row in rows[name]])
            if connection.dialect.name == "postgresql" and "id" in table.c:
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                        f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"))
    writer.dispose()


def _typed(table, row: dict) -> dict:
    out = {}
    for key, value in row.items():
        kind = table.c[key].type.python_type if value is not None else None
        out[key] = (datetime.fromisoformat(value) if kind is datetime else
                    date.fromisoformat(value) if kind is date else value)
    return out


def test_a_0003_ledger_with_data_is_upgraded_to_several_campaigns(ledger_url, tmp_path):
    _ledger_at_0003(ledger_url)
    store = Store.open(ledger_url, tmp_path / "images", StepClock())
    columns = {c["name"] for c in inspect(store.engine).get_columns("item")}
    assert "campaign_id" in columns
    assert store.campaigns() == [A] and store.campaign_id == A
    assert {i.campaign_id for i in store.items()} == {A} and len(store.items()) == 8
    assert [b.campaign_id for b in store.bundles()] == [A]
    assert inspect(store.engine).get_pk_constraint("case_")["constrained_columns"] == ["campaign_id", "code"]
    assert store.audit(check_images=False).ok  # old events without a campaign: the first's
    assert store.replay_ledger().only(A).kits_printed == {1, 2, 3}
    assert store.next_kit_serial() == 4
    # A second year beside it: the same case codes, its own kits and pieces.
    store.load_campaign(CAMPAIGN_B.read_text(encoding="utf-8"), actor="x", station="y")
    record_piece(store, 100, case="ZHANG", destination="embassy:CN")
    assert store.next_kit_serial() == 1
    assert _pieces(store) == {("ZHANG", "letter"): 1}
    assert _pieces(_for(store, A))[("ZHANG", "letter")] == 1
    assert store.audit(check_images=False).ok
    assert parse_campaign(CAMPAIGN_B.read_text(encoding="utf-8")).case("ZHANG") is not None
    store.close()


def test_a_station_works_for_its_campaign_and_shows_it(tmp_path, campaign_text):
    """A station started for 2021 in a ledger where 2022 was loaded last: its header names 2021,
    its review queue holds 2021's pieces only, and another year's piece is not found there."""
    from fastapi.testclient import TestClient
    from station_app import sign_in

    from models.store.people import Role
    from scanpipe.reading.pipeline import RecognitionSettings
    from stations.station import Station
    from stations.web.app import create_app
    from stations.web.auth import SignInThrottle

    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    writer = Store.open(url, tmp_path / "images", StepClock())
    writer.load_campaign(campaign_text, actor="c", station="office")
    mine = record_piece(writer, 1, status=Status.REVIEW)
    writer.load_campaign(CAMPAIGN_B.read_text(encoding="utf-8"), actor="c", station="office")
    theirs = record_piece(writer, 2, status=Status.REVIEW)
    writer.add_person("Alice", Role.OPERATOR, "1234", actor="setup", station="office")
    writer.close()
    store = Store.open(url, tmp_path / "images", campaign_id=A)
    folders = {n: tmp_path / n for n in ("inbox", "done", "quarantine", "work")}
    for folder in folders.values():
        folder.mkdir()
    station = Station(store, store.campaign(), name="s1", recognition=RecognitionSettings(ocr=False),
                      **folders)
    app = create_app(station, secret="test-secret", throttle=SignInThrottle(clock=lambda: 0.0),
                     run_hot_folder=False)
    with TestClient(app) as client:
        sign_in(client, "Alice")
        page = client.get("/review?everywhere=1")
        assert f"Campagne {A}" in page.text and f"Campagne {B}" not in page.text
        assert page.url.path == f"/review/{mine}"
        assert client.get(f"/review/{theirs}").status_code == 404
    store.close()


def test_kit_orders_and_their_returns_stay_in_their_campaign(two_years):
    """Each year imports its own orders (the same references may come back) and numbers their
    kits from 1; a kit of 2021 coming back counts for 2021's order, never for 2022's."""
    import hashlib

    from models.store.orders import kind_totals
    from scanpipe.domain.orders import parse_orders
    from scanpipe.domain.routing import Decision, Finding, Method, Reason

    lines = parse_orders((ROOT / "samples" / "orders.csv").read_bytes(), "fr")
    first, second = _for(two_years, A), _for(two_years, B)
    for store in (first, second):
        campaign = store.campaign()
        assert store.import_orders(lines, campaign, sha256="7" * 64, source="orders.csv",
                                   actor="coordinator", station="office").imported == len(lines)
        store.record_kits_printed(1, 3, actor="coordinator", station="office", order="2021-001")
    kit = Decision(Kind.KIT_ENVELOPE, Status.ROUTED, method=Method.QR, confidence=1.0,
                   findings=(Finding(Reason.KIT_ENVELOPE, "kit 2"),), kit_serial=2)
    first.record_file(source_name="kit2.jpg", sha256=hashlib.sha256(b"kit 2 of 2021").hexdigest(),
                      media_type="jpeg", size=1, pages=[(1, kit)], station="s1", operator="ana")
    record_piece(first, 40)  # a CAAL letter in kit 2's batch
    mine = {f.reference: f for f in first.order_figures(first.campaign())}
    theirs = {f.reference: f for f in second.order_figures(second.campaign())}
    assert (mine["2021-001"].kits_sent, mine["2021-001"].kits_back) == (3, 1)
    assert mine["2021-001"].pieces["letter"] == 1
    assert (theirs["2021-001"].kits_sent, theirs["2021-001"].kits_back) == (3, 0)
    assert not theirs["2021-001"].pieces
    assert {t.kind: t.kits_back for t in kind_totals(theirs.values())}["school"] == 0
    assert two_years.audit(check_images=False).problem is None


def test_reroute_moves_only_the_chosen_campaigns_pieces(two_years, campaign_text):
    """2021's ZHANG letters go to embassy:CN and stay there when 2022's file sends its own ZHANG
    elsewhere: `reroute` works for one campaign, with that campaign's file."""
    moved_text = CAMPAIGN_B.read_text(encoding="utf-8").replace('embassy = "CN"', 'embassy = "ER"', 1)
    assert moved_text != CAMPAIGN_B.read_text(encoding="utf-8")
    second = _for(two_years, B)
    second.load_campaign(moved_text, actor="coordinator", station="office")
    moves = second.reroute(second.campaign(), actor="coordinator", station="office")
    assert {(m.case, m.kind, m.before, m.after, len(m.items)) for m in moves} == {
        ("ZHANG", "letter", "embassy:CN", "embassy:ER", 2),
        ("ZHANG", "petition", "embassy:CN", "embassy:ER", 1)}
    first = _for(two_years, A)
    assert first.stale_routes(parse_campaign(campaign_text)) == []
    assert {row.destination for row in first.routing_summary() if row.case == "ZHANG"} == {"embassy:CN"}
    assert two_years.audit(check_images=False).problem is None
