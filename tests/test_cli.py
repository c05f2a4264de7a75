"""The command line, driven with click's runner: help everywhere, exit codes, the whole path."""

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE_CAMPAIGN, case_code, kit_code, page_with_codes

from models.store import StoreError
from models.store.bundles import BundleError
from models.store.people import PeopleError
from scanpipe.domain.payload import PayloadKind
from scanpipe.paper import kits
from scanpipe.simulate import scansim
from stations.cli import campaign as cli_campaign
from stations.cli import cli


def all_commands(group=cli, prefix=()):
    context = click.Context(group)
    for name in group.list_commands(context):  # the root's commands are imported on first use
        command = group.get_command(context, name)
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from all_commands(command, path)


@pytest.mark.parametrize("path", [p for p, _ in all_commands()], ids=" ".join)
def test_every_command_has_help_and_is_in_the_readme(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    command = dict(all_commands())[path]
    assert command.help, f"{' '.join(path)} has no help text"
    if not hasattr(command, "commands"):
        assert f"scanpipe {' '.join(path)}" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def scans(tmp_path, campaign):
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "01-envelope.jpg").write_bytes(page_with_codes((kit_code(campaign, 5), 100, 100)))
    (folder / "02-letter.jpg").write_bytes(
        page_with_codes((case_code(campaign, PayloadKind.LETTER, "CIHAM"), 1300, 100)))
    (folder / "03-letter.png").write_bytes(
        page_with_codes((case_code(campaign, PayloadKind.LETTER, "CIHAM"), 1300, 120), fmt="PNG"))
    sheet = scansim.rasterise_pdf(kits.render_petition(campaign, campaign.case("CIHAM")), 150)[0]
    signed = [kits.petition_rows()[i].signature.px(150) for i in (0, 1, 4)]
    (folder / "04-petition.jpg").write_bytes(
        scansim.simulate_scan(sheet, seed=8, dpi=150, signature_boxes_px=signed))
    (folder / "05-card.jpg").write_bytes(page_with_codes(("https://www.amnesty.be/", 100, 100)))
    (folder / "10-broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not an image")
    (folder / "notes.txt").write_text("not a scan")
    return folder


def test_campaign_errors_exit_3_and_name_the_field(run, tmp_path, campaign_text):
    bad = tmp_path / "bad.toml"
    bad.write_text(campaign_text.replace('embassy = "GT"', 'embassy = "XX"'))
    result = run("campaign", "check", bad)
    assert result.exit_code == 3 and "cases[0].embassy" in result.output


def test_intake_without_a_campaign_exits_4(run, scans):
    result = run("intake", scans)
    assert result.exit_code == 4 and "campaign load" in result.output


@pytest.mark.slow
def test_scan_json_contract_and_dry_run(run, scans, tmp_path):
    result = run("scan", scans, "--campaign", SAMPLE_CAMPAIGN, "--json", "--dry-run")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 6  # notes.txt is not taken from a folder
    for row in rows:
        assert {"source", "page", "kind", "case", "destination", "status", "method",
                "confidence", "reasons"} <= row.keys()
    by_name = {Path(r["source"]).name: r for r in rows}
    assert by_name["02-letter.jpg"]["destination"] == "embassy:ER"
    assert by_name["04-petition.jpg"]["kind"] == "petition"
    assert by_name["05-card.jpg"]["status"] == "review"
    assert by_name["10-broken.jpg"]["status"] == "rejected"
    assert not (tmp_path / "data").exists()  # a dry run writes nothing


@pytest.mark.slow
def test_the_whole_path(run, scans, tmp_path):
    assert run("campaign", "load", SAMPLE_CAMPAIGN).exit_code == 0
    first = run("intake", scans, "--station", "desk-1", "--operator", "ana")
    assert first.exit_code == 0, first.output
    assert "4 routed, 1 review, 1 rejected, 0 duplicate" in first.output
    again = run("intake", scans / "02-letter.jpg", "--station", "desk-1", "--operator", "ana")
    assert "1 duplicate" in again.output

    summary = run("summary").output
    assert re.search(r"CIHAM\s+embassy:ER\s+letter to the authority\s+2", summary)
    assert re.search(r"CIHAM\s+embassy:ER\s+petition sheet\s+1\s+3\n", summary)  # 3 signed rows
    assert "1 in review, 3 petition signatures counted" in summary
    # The broken file is listed with its reason among the pages that are not pieces.
    assert re.search(r"1 unreadable page:\n\s+\S*10-broken\.jpg p1 \(\d{7}\): UNREADABLE_FILE",
                     summary), summary

    out = tmp_path / "bundles"
    assert "embassy:ER" in run("bundle", "pending").output
    result = run("bundle", "close", "--all", "--out", out, "--date", "2022-01-20")
    assert result.exit_code == 0, result.output
    assert "Bundle 1 for embassy:ER" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["bundle-0001-embassy-ER-delivery-sheet.pdf",
                                                     "bundle-0001-embassy-ER-label.pdf",
                                                     "bundle-0001-embassy-ER-office-copy.pdf"]
    text = pdf_text(out / "bundle-0001-embassy-ER-delivery-sheet.pdf")
    assert "Ciham Ali Ahmed" in text and "Avenue Wolvendael" in text
    # 2 letters, 0 cards, 1 petition sheet with 3 signatures; no item id on the embassy's sheet
    assert re.search(r"Ciham Ali Ahmed Érythrée 2 0 1 3\b", text), text
    assert not re.search(r"\d{7}", text)
    office = pdf_text(out / "bundle-0001-embassy-ER-office-copy.pdf")
    assert "0000002" in office and "0000003" in office and "0000004" in office
    assert "0000001" not in office  # the kit envelope is not delivered
    nothing = run("bundle", "close", "embassy:ER")
    assert nothing.exit_code == 4 and "no routed piece for embassy:ER" in nothing.output

    # The sheet comes back signed and is scanned like any piece: the bundle is delivered.
    assert run("bundle", "dispatch", "1", "--by", "hand").exit_code == 0
    receipt = tmp_path / "back" / "signed.jpg"
    made = run("samples", "receipt", "1", "--out", receipt)
    assert made.exit_code == 0, made.output
    taken = run("intake", receipt, "--station", "desk-1", "--operator", "ana")
    assert "1 routed" in taken.output, taken.output
    [listed] = [json.loads(line) for line in run("bundle", "list", "--json").output.splitlines()]
    assert listed["state"] == "delivered" and listed["receipt_item"] is not None
    progress = run("progress").output
    assert re.search(r"CIHAM\s+embassy:ER\s+3\s+3\s+3\s+3", progress), progress

    verified = run("audit", "verify")
    assert verified.exit_code == 0 and "Verified: " in verified.output


@pytest.mark.slow
def test_audit_verify_exits_1_naming_the_place(run, scans, tmp_path):
    run("campaign", "load", SAMPLE_CAMPAIGN)
    run("intake", scans)
    from sqlalchemy import create_engine, text
    engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE event SET station = 'elsewhere' WHERE seq = 6"))
    result = run("audit", "verify")
    assert result.exit_code == 1 and "event 6" in result.output and "altered" in result.output


def test_decode_json(run, scans):
    result = run("decode", scans / "02-letter.jpg", scans / "10-broken.jpg", "--json")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["codes"][0]["format"] == "QRCode"
    assert rows[0]["codes"][0]["text"].startswith("SP1:L:MDL2021:CIHAM:")
    assert len(rows[0]["codes"][0]["position"]) == 4
    assert rows[1]["page"] is None and "error" in rows[1]


def pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium
    document = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_missing_ocr_language_exits_5_naming_the_package(tmp_path, scans):
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "data"), "scan", str(scans), "--campaign",
              str(SAMPLE_CAMPAIGN), "--dry-run"],
        env={"SCANPIPE_OCR_LANGUAGES": "fra+zzz"})
    assert result.exit_code == 5
    assert "apt-get install tesseract-ocr-zzz" in result.output and "SCANPIPE_OCR=false" in result.output


@pytest.mark.parametrize("raised, code, said", [
    (KeyboardInterrupt(), 130, "Interrupted: what was recorded before stays recorded."),
    (StoreError("the ledger says no"), 4, "Error: the ledger says no"),
    (BundleError("no such bundle"), 4, "Error: no such bundle"),
    (PeopleError("nobody named 'x'"), 3, "Error: nobody named 'x'"),
])
def test_every_command_ends_an_error_with_one_exit_code(run, monkeypatch, raised, code, said):
    def fail(path):
        raise raised

    monkeypatch.setattr(cli_campaign, "read_campaign", fail)
    result = run("campaign", "check", SAMPLE_CAMPAIGN)
    assert result.exit_code == code and said in result.output


def test_an_unexpected_error_is_not_hidden_behind_an_exit_code(run, monkeypatch):
    def fail(path):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli_campaign, "read_campaign", fail)
    result = run("campaign", "check", SAMPLE_CAMPAIGN)
    assert isinstance(result.exception, RuntimeError) and "Error:" not in result.output


def test_people_are_added_changed_and_listed(run, tmp_path):
    assert run("campaign", "load", SAMPLE_CAMPAIGN).exit_code == 0  # what makes the ledger
    result = run("people", "add", "Alice Martin", "--role", "admin", "--pin", "2468")
    assert result.exit_code == 0, result.output
    assert run("people", "add", "alice martin", "--pin", "1357").exit_code == 3  # same name
    assert run("people", "add", "Bob", "--pin", "12").exit_code == 3  # PIN too short
    runner = CliRunner()
    changed = runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), "people", "change",
                                  "Alice Martin", "--role", "auditor", "--new-pin", "--disable"],
                            input="9999\n9999\n")
    assert changed.exit_code == 0, changed.output
    listed = run("people", "list").output
    assert "Alice Martin" in listed and "auditor" in listed and "access removed" in listed
    assert run("people", "change", "Nobody").exit_code == 3


def test_station_serve_needs_a_campaign(run):
    result = run("station", "serve", "--port", "8899")
    assert result.exit_code == 4 and "campaign load" in result.output


def test_loading_a_changed_campaign_shows_what_changes_and_what_would_move(run, tmp_path):
    """The issue's silent change: a case's embassy changes in the file. `campaign load` shows
    it, and counts the routed pieces not yet bundled that still go to the old embassy; with
    --dry-run nothing is loaded; loading moves no piece."""
    from conftest import record_piece

    from models.store import Store

    assert run("campaign", "load", SAMPLE_CAMPAIGN).exit_code == 0
    store = Store.open(f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}", tmp_path / "images")
    routed = [record_piece(store, n) for n in range(3)]  # CAAL letters to embassy:GT
    store.close()
    changed = tmp_path / "campaign-v2.toml"
    caal = 'embassy = "{}"\nkeywords = ["Bernardo Caal Xol"'
    changed.write_text(SAMPLE_CAMPAIGN.read_text(encoding="utf-8").replace(
        caal.format("GT"), caal.format("ER"), 1), encoding="utf-8")
    dry = run("campaign", "load", changed, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "letters and petition sheets now go to embassy:ER (were embassy:GT)" in dry.output
    assert "3 routed pieces of CAAL not yet bundled still go to embassy:GT" in dry.output
    assert "Dry run: nothing loaded (1 change)" in dry.output
    done = run("campaign", "load", changed)
    assert done.exit_code == 0 and "Campaign MDL2021 loaded" in done.output, done.output
    again = run("campaign", "load", changed)
    assert "already loaded, unchanged" in again.output and "now go to" not in again.output
    store = Store.open(f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}", tmp_path / "images")
    assert [store.item(i).destination for i in routed] == ["embassy:GT"] * 3
    assert [e.type for e in store.events()].count("campaign.loaded") == 2
    store.close()
    assert "Move them with 'scanpipe campaign reroute'" in done.output


def test_reroute_moves_the_pieces_a_changed_campaign_sends_elsewhere_and_records_each(run, tmp_path):
    """Moving is the explicit step: `campaign reroute --dry-run` lists what would move and moves
    nothing; `campaign reroute` moves the routed pieces not yet bundled, one `item.moved` event
    each, and leaves a piece in a bundle where it is. The audit replays the moves."""
    from conftest import record_piece

    from models.store import Store
    from scanpipe.domain.campaign import parse_campaign

    url = f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}"
    assert run("campaign", "load", SAMPLE_CAMPAIGN).exit_code == 0
    store = Store.open(url, tmp_path / "images")
    bundled = record_piece(store, 0)  # CAAL letters to embassy:GT
    store.close_bundle("embassy:GT", actor="coordinator", station="office")
    moved = [record_piece(store, n) for n in range(1, 4)]
    store.close()
    changed = tmp_path / "campaign-v2.toml"
    caal = 'embassy = "{}"\nkeywords = ["Bernardo Caal Xol"'
    changed.write_text(SAMPLE_CAMPAIGN.read_text(encoding="utf-8").replace(
        caal.format("GT"), caal.format("ER"), 1), encoding="utf-8")
    assert run("campaign", "load", changed).exit_code == 0
    dry = run("campaign", "reroute", "--dry-run")
    assert dry.exit_code == 0 and "3 letters: embassy:GT → embassy:ER" in dry.output, dry.output
    assert "nothing moved" in dry.output
    assert run("campaign", "reroute", "NOSUCH").exit_code == 2
    done = run("campaign", "reroute", "CAAL", "--operator", "coordinator")
    assert done.exit_code == 0 and "Moved 3 routed pieces" in done.output, done.output
    store = Store.open(url, tmp_path / "images")
    assert [store.item(i).destination for i in moved] == ["embassy:ER"] * 3
    assert store.item(bundled).destination == "embassy:GT"  # in a bundle: it stays
    events = [e for e in store.events() if e.type == "item.moved"]
    assert sorted(e.subject for e in events) == sorted(f"item:{i}" for i in moved)
    assert all(e.actor == "coordinator" for e in events)
    assert store.stale_routes(parse_campaign(changed.read_text(encoding="utf-8"))) == []
    assert store.audit(check_images=False).problem is None  # the replay accepts each move
    assert "Nothing to move" in run("campaign", "reroute").output
    with store.engine.begin() as connection:  # the row put back by hand: the audit names it
        connection.exec_driver_sql(f"UPDATE item SET destination = 'embassy:GT' WHERE id = {moved[0]}")
    problem = store.audit(check_images=False).problem
    assert problem is not None and f"{moved[0]:07d}" in problem.where
    store.close()
