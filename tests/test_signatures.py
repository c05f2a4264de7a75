"""Online petition signatures: both CSV shapes read, every bad row named by line and column and
nothing of a bad file taken, names and e-mails never kept, the same file imported once, an
import voided, the campaign's figures equal to what was scanned plus what was imported, and a
table row changed by SQL named by the audit."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_CAMPAIGN, record_piece
from sqlalchemy import text

from models.events import EventType
from models.store import Store
from models.store.figures import campaign_figures
from scanpipe.domain.campaign import parse_campaign
from scanpipe.domain.outcomes import Outcome
from scanpipe.domain.routing import Decision, Finding, Kind, Method, Reason, Status
from scanpipe.reading.signature_files import (
    MAX_COUNT,
    Shape,
    SignatureFileError,
    read_signature_file,
)

TODAY = date(2022, 1, 20)
COUNTS = "case;count;source;date\nCAAL;1520;amnesty.be;2021-12-20\nWendy Galarza;2310;amnesty.be;2021-12-20\n"


def read(text_: str | bytes, campaign, source: str | None = None):
    data = text_.encode("utf-8") if isinstance(text_, str) else text_
    return read_signature_file(data, campaign, source=source, today=TODAY)


def problems(text_: str | bytes, campaign, source: str | None = "web") -> list[tuple[int, str | None, str]]:
    with pytest.raises(SignatureFileError) as caught:
        read(text_, campaign, source)
    return [(p.line, p.column, p.message) for p in caught.value.problems]


# ------------------------------------------------------------------ reading

def test_one_row_per_case_with_a_count_by_code_or_by_name(campaign):
    found = read(COUNTS + "JANNA;412;change.org;2021-12-18\nCAAL;80;amnesty.be;2021-12-22\n", campaign)
    assert found.shape is Shape.COUNTS and found.rows == 4
    assert [(c.case, c.source, c.count, c.first_date, c.last_date) for c in found.counts] == [
        ("CAAL", "amnesty.be", 1600, date(2021, 12, 20), date(2021, 12, 22)),
        ("JANNA", "change.org", 412, date(2021, 12, 18), date(2021, 12, 18)),
        ("WENDY", "amnesty.be", 2310, date(2021, 12, 20), date(2021, 12, 20))]
    assert found.total == 4322


def test_one_row_per_signature_counts_the_rows_and_keeps_no_name_or_email(campaign):
    data = ("\ufeffcase,date,first_name,last_name,email\n"
            "CAAL,2021-12-01T09:12:44Z,Marie,Dupont,marie@example.org\n"
            "bernardo  CAAL xol,2021-12-03,Jan,Peeters,jan@example.org\n"
            "Anna Charyhina,2021-12-02,Sofia,Lambert,sofia@example.org\n"
            "\n")
    found = read(data, campaign, source="amnesty.be")
    assert found.shape is Shape.SIGNATURES and found.rows == 3
    assert [(c.case, c.count, c.first_date, c.last_date) for c in found.counts] == [
        ("CAAL", 2, date(2021, 12, 1), date(2021, 12, 3)),
        ("SPHERE", 1, date(2021, 12, 2), date(2021, 12, 2))]
    assert found.dropped == ("first_name", "last_name", "email")
    kept = repr(found)
    assert not any(word in kept for word in ("Marie", "Dupont", "example.org", "Peeters"))


def test_a_source_column_wins_and_an_empty_cell_takes_the_default(campaign):
    found = read("case,date,source\nCAAL,2021-12-01,\nCAAL,2021-12-01,change.org\n", campaign, source="web")
    assert {(c.source, c.count) for c in found.counts} == {("web", 1), ("change.org", 1)}


@pytest.mark.parametrize("row, column, said", [
    ("Nobody Known;3;web;2021-12-01", "case", "is no case of the campaign"),
    ("CAAL;-3;web;2021-12-01", "count", "not a whole number"),
    ("CAAL;3.5;web;2021-12-01", "count", "not a whole number"),
    ("CAAL;trois;web;2021-12-01", "count", "not a whole number"),
    ("CAAL;１２;web;2021-12-01", "count", "not a whole number"),  # full-width digits
    (f"CAAL;{MAX_COUNT + 1};web;2021-12-01", "count", "more than"),
    ("CAAL;" + "9" * 5000 + ";web;2021-12-01", "count", "more than"),
    ("CAAL;3;web;01/12/2021", "date", "not a date"),
    ("CAAL;3;web;2021-02-30", "date", "not a date"),
    ("CAAL;3;web;2022-06-01", "date", "in the future"),
    ("CAAL;3;web;2015-06-01", "date", "outside the season"),
    ("CAAL;3;;2021-12-01", "source", "the source is empty"),
    ("CAAL;3;" + "w" * 81 + ";2021-12-01", "source", "longer than"),
    ("CAAL;3;web\x07;2021-12-01", "source", "control characters"),
])
def test_a_bad_row_is_named_by_line_and_column_and_the_file_refused(campaign, row, column, said):
    found = problems(f"case;count;source;date\nCAAL;1;web;2021-12-01\n{row}\n", campaign, source=None)
    assert len(found) == 1
    line, where, message = found[0]
    assert (line, where) == (3, column) and said in message


def test_every_bad_row_is_listed_not_only_the_first(campaign):
    found = problems("case;count;source;date\nfoo;1;w;2021-12-01\nCAAL;1;w;2021-12-01\n"
                     "CAAL;x;w;2021-13-01\nCAAL;1;w\n", campaign)
    assert [(line, column) for line, column, _ in found] == [
        (2, "case"), (4, "count"), (4, "date"), (5, None)]


def test_a_name_two_cases_share_is_an_error_never_a_guess(campaign_text):
    twin = parse_campaign(campaign_text.replace('person = "Mohamed Baker"', 'person = "Zhang Zhan"'))
    [(line, column, message)] = problems("case,date\nZhang Zhan,2021-12-01\n", twin)
    assert (line, column) == (2, "case") and "BAKER, ZHANG" in message and "case code" in message
    assert read("case,date\nZHANG,2021-12-01\n", twin, source="web").counts[0].case == "ZHANG"


def test_a_formula_is_no_case_and_is_kept_as_text_where_it_is_a_source(campaign):
    [(_, column, message)] = problems('case,date\n"=HYPERLINK(""http://x"",""y"")",2021-12-01\n', campaign)
    assert column == "case" and message.startswith("'=HYPERLINK(")
    found = read("case,date,source\nCAAL,2021-12-01,=1+2\n", campaign)
    assert found.counts[0].source == "=1+2"


@pytest.mark.parametrize("data, said", [
    (b"", "the file is empty"),
    (b"\xef\xbb\xbf  \n\n", "the file is empty"),
    (b"case;count;source;date\n", "a header but no rows"),
    (b"case;count;source;date\nCAAL;1;w;2021-12-01\nZHANG;2;caf\xe9;2021-12-01\n", "not UTF-8"),
    (b"name;email\nMarie;m@x.org\n", "no case column"),
    (b"case;count;source\nCAAL;1;w\n", "no date column"),
    (b"case;case code;date\nCAAL;CAAL;2021-12-01\n", "two columns give the case"),
])
def test_a_file_that_is_not_an_export_is_refused_with_the_reason(campaign, data, said):
    found = problems(data, campaign)
    assert any(said in message for _, _, message in found)
    if said == "not UTF-8":
        assert found[0][0] == 3


def test_without_a_source_column_a_source_is_required(campaign):
    [(line, _, message)] = problems("case,date\nCAAL,2021-12-01\n", campaign, source=None)
    assert line == 1 and "--source" in message


# ------------------------------------------------------------------ the ledger

def _import(store: Store, campaign, data: str, name: str = "export.csv", source: str | None = "web"):
    found = read(data, campaign, source)
    return store.import_signatures(campaign, found, file_name=name, source=source, actor="ana",
                                   station="office")


def _events(store: Store, type_: EventType) -> list:
    return [e for e in store.events() if e.type == type_.value]


def test_an_import_is_one_event_with_its_rows_and_the_same_file_again_records_nothing(loaded_store, campaign):
    first = _import(loaded_store, campaign, COUNTS)
    again = _import(loaded_store, campaign, COUNTS, name="copy.csv")
    assert (first.number, first.again) == (1, False)
    assert (again.number, again.again, again.at) == (1, True, first.at)
    [event] = _events(loaded_store, EventType.SIGNATURES_IMPORTED)
    payload = json.loads(event.payload)
    assert event.subject == "signatures:1" and payload["campaign"] == campaign.id
    assert payload["file_sha256"] == hashlib.sha256(COUNTS.encode()).hexdigest()
    assert {(c["case"], c["count"]) for c in payload["counts"]} == {("CAAL", 1520), ("WENDY", 2310)}
    assert [(c.case, c.count) for c in loaded_store.online_signatures(campaign.id)] == [
        ("CAAL", 1520), ("WENDY", 2310)]
    assert loaded_store.audit(check_images=False).ok


def test_a_voided_import_no_longer_counts_and_its_file_may_come_again(loaded_store, campaign):
    _import(loaded_store, campaign, COUNTS)
    loaded_store.void_signatures(campaign, 1, reason="wrong export", actor="ana", station="office")
    assert loaded_store.online_signatures(campaign.id) == []
    assert [i.voided for i in loaded_store.signature_imports(campaign.id)] == [True]
    second = _import(loaded_store, campaign, COUNTS)
    assert (second.number, second.again) == (2, False)
    assert sum(c.count for c in loaded_store.online_signatures(campaign.id)) == 3830
    assert loaded_store.audit(check_images=False).ok


def _decision(kind: Kind, case: str, destination: str, signatures: int | None = None,
              status: Status = Status.ROUTED) -> Decision:
    routed = status is Status.ROUTED
    return Decision(kind, status, case if routed else None, destination if routed else None,
                    Method.QR if routed else None, 1.0 if routed else 0.0,
                    (Finding(Reason.ROUTED_BY_QR if routed else Reason.NO_CODE, "made"),),
                    signatures=signatures)


def test_the_figures_are_what_was_scanned_plus_what_was_imported(loaded_store, campaign):
    scanned = [  # (kind, case, destination, signatures, status)
        (Kind.LETTER, "CAAL", "embassy:GT", None, Status.ROUTED),
        (Kind.LETTER, "CAAL", "embassy:GT", None, Status.ROUTED),
        (Kind.SOLIDARITY_LETTER, "CAAL", "person:CAAL", None, Status.ROUTED),
        (Kind.POSTCARD, "CAAL", "person:CAAL", None, Status.ROUTED),
        (Kind.PETITION, "CAAL", "embassy:GT", 7, Status.ROUTED),
        (Kind.PETITION, "CAAL", "embassy:GT", None, Status.ROUTED),  # not counted
        (Kind.PETITION, "ZHANG", "embassy:CN", 12, Status.ROUTED),
        (Kind.LETTER, "ZHANG", "embassy:CN", None, Status.REVIEW),   # not a piece yet
        (Kind.UNKNOWN, "ZHANG", "embassy:CN", None, Status.REJECTED),
    ]
    destinations = {c.code: c for c in campaign.cases}
    assert {"CAAL", "ZHANG"} <= set(destinations)
    for n, (kind, case, destination, signatures, status) in enumerate(scanned):
        record_piece(loaded_store, n, decision=_decision(kind, case, destination, signatures, status))
    record_piece(loaded_store, 0, decision=_decision(Kind.LETTER, "CAAL", "embassy:GT"))  # a duplicate
    _import(loaded_store, campaign, COUNTS)
    _import(loaded_store, campaign, "case,date\nZHANG,2021-12-01\nZhang Zhan,2021-12-02\n",
            source="amnesty.be")

    found = campaign_figures(campaign, loaded_store.routing_summary(),
                             loaded_store.online_signatures(campaign.id), loaded_store.outcomes(campaign.id))
    rows = {row.case: row for row in found.cases}
    caal, zhang, wendy = rows["CAAL"], rows["ZHANG"], rows["WENDY"]
    assert (caal.letters, caal.solidarity_letters, caal.postcards, caal.petitions) == (2, 1, 1, 2)
    assert (caal.paper_signatures, caal.uncounted_sheets, caal.complete) == (7, 1, False)
    assert caal.online == (("amnesty.be", 1520),)
    assert caal.letters_and_signatures == 2 + 1 + 1 + 7 + 1520
    assert (zhang.letters, zhang.petitions, zhang.paper_signatures, zhang.online) == (
        0, 1, 12, (("amnesty.be", 2),))
    assert zhang.letters_and_signatures == 14 and zhang.complete
    assert wendy.letters_and_signatures == 2310
    assert found.total.letters_and_signatures == sum(r.letters_and_signatures for r in found.cases)
    assert found.total.uncounted_sheets == 1 and not found.total.complete
    # The audit's own count (the events replayed) gives the same pieces per case.
    by_case = {row[0]: row for row in loaded_store.reconciliation().tables[0].rows}
    assert by_case["CAAL"][2:6] == (caal.letters, caal.solidarity_letters, caal.postcards, caal.petitions)


# ------------------------------------------------------------------ the command line

@pytest.fixture
def run(run):
    """conftest's `run`, on a ledger with the sample campaign loaded."""
    run("campaign", "load", SAMPLE_CAMPAIGN)
    return run


def _ledger(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}", tmp_path / "data" / "images")


def test_the_sample_exports_import_and_show_in_the_figures(run, tmp_path):
    counts = run("signatures", "import", ROOT / "samples" / "signatures-counts.csv")
    rows = run("signatures", "import", ROOT / "samples" / "signatures-rows.csv", "--source", "amnesty.be")
    assert counts.exit_code == 0 and "import 1" in counts.output
    assert rows.exit_code == 0 and "email" in rows.output and "example.org" not in rows.output
    bad = run("signatures", "import", ROOT / "samples" / "signatures-bad.csv")
    assert bad.exit_code == 3
    assert [int(n) for n in re.findall(r"^line (\d+), column", bad.output, re.M)] == [3, 4, 5, 6, 7]
    again = run("signatures", "import", ROOT / "samples" / "signatures-rows.csv", "--source", "amnesty.be")
    assert again.exit_code == 0 and "already imported on" in again.output
    listed = run("signatures", "list", "--json")
    assert [json.loads(line)["import"] for line in listed.output.splitlines()] == [1, 2]
    figures = json.loads(run("figures", "--format", "json").output)
    caal = next(c for c in figures["cases"] if c["case"] == "CAAL")
    assert caal["online"] == {"amnesty.be": 1523} and caal["letters_and_signatures"] == 1523
    assert figures["total"]["online_signatures"] == 5494 + 9
    store = _ledger(tmp_path)
    try:
        assert len([e for e in store.events() if e.type == EventType.SIGNATURES_IMPORTED.value]) == 2
        assert not any("example.org" in e.payload or "Dupont" in e.payload for e in store.events())
    finally:
        store.close()


def test_a_bad_file_exits_3_naming_its_rows_and_records_nothing(run, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("case;count;source;date\nCAAL;12;web;2021-12-01\nNobody;3;web;2021-12-01\n"
                   "ZHANG;-1;web;2021-12-01\n", encoding="utf-8")
    result = run("signatures", "import", bad)
    assert result.exit_code == 3
    assert "nothing imported" in result.output
    assert "line 3, column 'case'" in result.output and "line 4, column 'count'" in result.output
    store = _ledger(tmp_path)
    try:
        assert store.online_signatures("MDL2021") == []
        assert not any(e.type.startswith("signatures.") for e in store.events())
    finally:
        store.close()


def test_text_from_the_file_is_escaped_on_the_terminal_and_in_the_spreadsheet(run, tmp_path):
    export = tmp_path / "export.csv"
    export.write_text('case,date,source\nCAAL,2021-12-01,"=HYPERLINK(""http://x"")"\n', encoding="utf-8")
    assert run("signatures", "import", export).exit_code == 0
    sheet = run("figures", "--format", "csv", "--lang", "en").output.removeprefix("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(sheet)) for cell in row]
    assert 'Online: =HYPERLINK("http://x")' in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert '=HYPERLINK("http://x")' in run("figures").output  # kept as text, shown as it is
    disguised = tmp_path / "disguised.csv"
    disguised.write_text("case,date,source\nZHANG,2021-12-01,evil\u202eexe.csv\n", encoding="utf-8")
    refused = run("signatures", "import", disguised)
    assert refused.exit_code == 3 and "control characters" in refused.output
    bad = tmp_path / "bad.csv"
    bad.write_text("case,date\n\x1b[31mCAAL\u202e,2021-12-01\n", encoding="utf-8")
    refused = run("signatures", "import", bad, "--source", "web")
    assert refused.exit_code == 3 and "line 2, column 'case'" in refused.output
    assert "\x1b" not in refused.output and "\u202e" not in refused.output and "\\u202e" in refused.output


def test_void_on_the_command_line(run):
    run("signatures", "import", ROOT / "samples" / "signatures-counts.csv")
    assert run("signatures", "void", "1", "--reason", "wrong export").exit_code == 0
    assert run("signatures", "void", "1", "--reason", "again").exit_code == 4
    assert run("signatures", "void", "7", "--reason", "none such").exit_code == 4
    assert "VOID" in run("signatures", "list").output
    assert json.loads(run("figures", "--format", "json").output)["total"]["online_signatures"] == 0


# ------------------------------------------------------------------ the audit

def _sql(store: Store, statement: str) -> None:
    with store.writer.begin() as connection:
        connection.execute(text(statement))


@pytest.mark.parametrize("statement, said", [
    ("UPDATE online_signatures SET count = count + 100 WHERE case_code = 'WENDY'",
     "its count is"),
    ("UPDATE online_signatures SET case_code = 'ZHANG' WHERE case_code = 'WENDY'",
     "counts nothing for 'ZHANG'"),
    ("UPDATE online_signatures SET voided = TRUE WHERE case_code = 'CAAL'", "its voided is"),
    ("DELETE FROM online_signatures WHERE case_code = 'CAAL'", "has no row for it"),
    ("INSERT INTO online_signatures (campaign_id, import_seq, case_code, source, count, first_date, "
     "last_date, file_sha256, voided) VALUES ('MDL2021', 1, 'JANNA', 'web', 5000, '2021-12-01', "
     "'2021-12-01', 'x', FALSE)", "counts nothing for 'JANNA'"),
])
def test_a_signatures_row_changed_by_sql_is_named_by_the_audit(loaded_store, campaign, statement, said):
    _import(loaded_store, campaign, COUNTS)
    assert loaded_store.audit(check_images=False).ok
    _sql(loaded_store, statement)
    result = loaded_store.audit(check_images=False)
    assert result.problem is not None
    assert result.problem.where.startswith(("online_signatures row", "signatures import"))
    assert said in result.problem.message


def test_the_audit_export_holds_both_tables_and_names_a_changed_row(loaded_store, campaign, tmp_path):
    from models.audit.export import write_export
    from models.audit.export_check import verify_export

    _import(loaded_store, campaign, COUNTS)
    loaded_store.record_outcome(campaign, "WENDY", Outcome.FREED, date(2021, 11, 30), source="AI",
                                actor="ana", station="office")
    folder = tmp_path / "export"
    write_export(loaded_store, folder, public=None)
    assert verify_export(folder).ok
    sheet = folder / "online_signatures.csv"
    sheet.chmod(0o600)
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(",2310,", ",23100,"), encoding="utf-8")
    problem = verify_export(folder).problem
    assert problem is not None and problem.where.startswith("online_signatures row")
    assert "its count is '23100'" in problem.message
    (folder / "case_outcome.csv").unlink()
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(",23100,", ",2310,"), encoding="utf-8")
    problem = verify_export(folder).problem
    assert problem is not None and problem.where == "outcome 1" and "no row for it" in problem.message
