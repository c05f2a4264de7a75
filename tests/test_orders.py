"""Kit orders: the CSV import (every bad row named, nothing half-imported, idempotent), kits
printed per order with distinct serials tied to it in the ledger, parcel labels in fr/nl/en,
returns per order and per kind of orderer, reminders, and the audit of the orders."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import ROOT, StepClock, record_piece
from sqlalchemy import text

from models.audit.export import write_export
from models.audit.export_check import verify_export
from models.events import EventType
from models.store import KitSerialsError, Store
from models.store.ledger import append_event
from models.store.orders import NO_ORDER, OrderConflict, kind_totals
from scanpipe.domain import i18n
from scanpipe.domain.orders import OrdersFileError, parse_orders
from scanpipe.domain.routing import Decision, Finding, Kind, Method, Reason, Status

SAMPLE = ROOT / "samples" / "orders.csv"
HEADER = "reference,kind,name,contact,email,address,language,kits\n"
GOOD = 'A-1,school,Athénée,Mme Dumont,d@example.be,"Rue X 1\n1000 Bruxelles",fr,2\n'


@pytest.fixture
def loaded(run):
    assert run("campaign", "load", ROOT / "samples" / "campaign.toml").exit_code == 0
    return run


def _ledger(tmp_path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite3'}", tmp_path / "data" / "images",
                      StepClock())


def _file(tmp_path, content: str | bytes, name="orders.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def _events(store: Store, type_: EventType) -> list[dict]:
    return [json.loads(e.payload) for e in store.events() if e.type == type_.value]


def _pdf_text(path: Path) -> str:
    document = pdfium.PdfDocument(path)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def _kit(serial: int) -> Decision:
    return Decision(Kind.KIT_ENVELOPE, Status.ROUTED, method=Method.QR, confidence=1.0,
                    findings=(Finding(Reason.KIT_ENVELOPE, f"kit {serial}"),), kit_serial=serial)


# ------------------------------------------------------------------ import

def test_the_sample_file_is_imported_as_written(loaded, tmp_path):
    result = loaded("orders", "import", SAMPLE)
    assert result.exit_code == 0, result.output
    assert "Imported 7 orders into campaign MDL2021" in result.output
    store = _ledger(tmp_path)
    orders = {o.reference: o for o in store.kit_orders(store.campaign())}
    school = orders["2021-001"]  # French header names, ';', a quoted address over two lines
    assert (school.kind, school.name, school.contact, school.language, school.kits) == (
        "school", "Athénée royal d'Uccle", "Mme Claire Dumont", "fr", 3)
    assert school.address == "Avenue Montana 2\n1180 Uccle"
    assert orders["2021-004"].kind == "group" and orders["2021-004"].email is None  # "groep"
    assert orders["2021-006"].contact == "Lotte Janssens"  # a person without contact: herself
    assert [o.language for o in orders.values()].count("nl") == 3
    [imported] = _events(store, EventType.ORDERS_IMPORTED)
    assert imported["sha256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert [o["reference"] for o in imported["orders"]] == sorted(orders)
    store.close()


def test_a_byte_order_mark_english_headers_commas_and_the_default_language():
    data = ("\ufeffReference,Kind,Name,Contact,E-mail,Address,Kits\r\n"
            'B-1,group,Group,Ann,,"Street 1\r\n9000 Gent",3\r\n').encode()
    [order] = parse_orders(data, "nl")
    assert (order.reference, order.language, order.address, order.kits) == ("B-1", "nl",
                                                                           "Street 1\n9000 Gent", 3)


@pytest.mark.parametrize("content, where, said", [
    (HEADER.replace(",kits", "") + GOOD.replace(",2\n", "\n"), "line 1, column kits",
     "no such column"),
    (HEADER + GOOD + "A-2,club,X,Y,,Z,fr,1\n", "line 4, column kind", "school, group or person"),
    (HEADER + GOOD + "A-2,school,X,Y,,Z,de,1\n", "line 4, column language", "fr, nl or en"),
    (HEADER + GOOD + "A-2,school,X,Y,,Z,fr,0\n", "line 4, column kits", "1 kit at least"),
    (HEADER + GOOD + "A-2,school,X,Y,,Z,fr,10001\n", "line 4, column kits", "at most 10,000"),
    (HEADER + GOOD + "A-2,school,X,Y,,Z,fr,douze\n", "line 4, column kits", "not a whole number"),
    (HEADER + GOOD + "A-2,school,X,Y,,Z,fr,2.5\n", "line 4, column kits", "not a whole number"),
    (HEADER + GOOD + "A-1,group,X,Y,,Z,fr,1\n", "line 4, column reference", "also the reference of line 2"),
    (HEADER + GOOD + "A-2,school,X,Y,not-an-address,Z,fr,1\n", "line 4, column email", "e-mail"),
    (HEADER + GOOD + "=cmd|' /C calc'!A0,school,X,Y,,Z,fr,1\n", "line 4, column reference",
     "letters, digits"),
    (HEADER + GOOD + "A-2,school,X,Y,,,fr,1\n", "line 4, column address", "postal address"),
    ((HEADER + GOOD).encode() + "A-2,école,X,Y,,Z,fr,1\n".encode("cp1252"), "line 4", "not UTF-8"),
    (b"", "line 1", "the file is empty"),
    (HEADER, "line 2", "no order under the header row"),
])
def test_a_bad_row_is_named_by_line_and_column_and_nothing_is_imported(loaded, tmp_path, content,
                                                                       where, said):
    result = loaded("orders", "import", _file(tmp_path, content))
    assert result.exit_code == 3, result.output
    assert f"{where}: " in result.output and said in result.output
    assert "nothing imported" in result.output
    store = _ledger(tmp_path)
    assert store.kit_orders(store.campaign()) == []
    assert _events(store, EventType.ORDERS_IMPORTED) == []
    store.close()


def test_every_bad_row_is_reported_at_once():
    data = (HEADER + "A-1,club,X,Y,,Z,fr,0\n" + GOOD.replace("A-1", "A-2") + "A-3,school,,Y,,Z,xx,1\n")
    with pytest.raises(OrdersFileError) as caught:
        parse_orders(data.encode(), "fr")
    assert [str(p).split(":")[0] for p in caught.value.problems] == [
        "line 2, column kind", "line 2, column kits", "line 5, column name", "line 5, column language"]


def test_a_formula_in_a_name_is_kept_as_text_and_escaped_where_shown(loaded, tmp_path):
    formula = '=HYPERLINK("http://evil.example/x","Cliquez")'
    row = f'F-1,group,"{formula.replace(chr(34), chr(34) * 2)}",Eve \u202egnp.exe,,Rue 1,fr,1\n'
    assert loaded("orders", "import", _file(tmp_path, HEADER + row)).exit_code == 0
    store = _ledger(tmp_path)
    [order] = store.kit_orders(store.campaign())
    assert order.name == formula  # stored as written
    store.close()
    assert loaded("orders", "print", "--out", tmp_path / "out").exit_code == 0
    table = loaded("orders", "report", "--format", "csv").output
    [cells] = [r for r in csv.reader(io.StringIO(table)) if r[0] == "F-1"]
    assert cells[2] == "'" + formula  # a spreadsheet reads it as text, never as a formula
    remind = loaded("orders", "reminders", "--today", "2022-01-10", "--format", "csv").output
    [cells] = [r for r in csv.reader(io.StringIO(remind)) if r[0] == "F-1"]
    assert cells[2] == "'" + formula
    shown = loaded("orders", "reminders", "--today", "2022-01-10").output
    assert "Eve \\u202egnp.exe" in shown and "\u202e" not in shown  # no disguised text on a terminal
    assert formula in "".join(_pdf_text(tmp_path / "out" / "parcel-labels.pdf").split())  # as text


def test_importing_again_imports_nothing_new_and_a_changed_order_is_refused(loaded, tmp_path):
    first = loaded("orders", "import", SAMPLE)
    again = loaded("orders", "import", SAMPLE)
    assert again.exit_code == 0 and "imported before: nothing new" in again.output
    rows = SAMPLE.read_text(encoding="utf-8")
    # Another file (another hash) with the same orders, and one new: only the new one.
    more = _file(tmp_path, rows + "2021-008;groupe;Groupe de Liège;Ana;;Rue 1 4000 Liège;;4\n")
    result = loaded("orders", "import", more)
    assert result.exit_code == 0 and "Imported 1 orders" in result.output
    assert "7 imported before" in result.output
    same_rows = _file(tmp_path, rows + "\n", "same.csv")
    assert "Nothing new" in loaded("orders", "import", same_rows).output
    changed = _file(tmp_path, rows.replace("fr;3", "fr;30") + "2021-009;école;É;C;;R;fr;1\n",
                    "changed.csv")
    result = loaded("orders", "import", changed)
    assert result.exit_code == 3
    assert "line 2, column kits: order 2021-001 was imported before with kits 3, not 30" in result.output
    store = _ledger(tmp_path)
    assert len(store.kit_orders(store.campaign())) == 8  # 2021-009 was not imported either
    assert len(_events(store, EventType.ORDERS_IMPORTED)) == 2
    assert first.exit_code == 0
    store.close()


def test_orders_need_a_campaign(run):
    result = run("orders", "import", SAMPLE)
    assert result.exit_code == 4 and "campaign load" in result.output


# ------------------------------------------------------------------ kits

def test_each_order_gets_its_own_serials_tied_to_it_and_is_printed_once(loaded, tmp_path):
    assert loaded("kits", "--campaign", ROOT / "samples" / "campaign.toml", "--out", tmp_path / "k",
                  "--kits", "3").exit_code == 0  # kits for no order first: 1–3
    loaded("orders", "import", SAMPLE)
    out = tmp_path / "out"
    result = loaded("orders", "print", "--out", out, "--order", "2021-002", "--order", "2021-001")
    assert result.exit_code == 0, result.output
    assert loaded("orders", "print", "--out", out).exit_code == 0  # the five others
    store = _ledger(tmp_path)
    ranges = store.order_kits(store.campaign())
    assert [str(r) for r in ranges["2021-002"]] == ["000004–000005"]
    assert [str(r) for r in ranges["2021-001"]] == ["000006–000008"]
    spans = sorted((r.first, r.last) for rs in ranges.values() for r in rs)
    assert spans[0][0] == 4 and all(a[1] + 1 == b[0] for a, b in itertools.pairwise(spans))
    assert sum(r.count for rs in ranges.values() for r in rs) == 11  # the kits the orders want
    printed = _events(store, EventType.KITS_PRINTED)
    assert "order" not in printed[0] and {p["order"] for p in printed[1:]} == set(ranges)
    store.close()
    # The kits in the order's language, with its serials on the envelope labels.
    labels = _pdf_text(out / "2021-002" / "labels" / "kit-labels-000004-000005.pdf")
    assert all(i18n.text("label.kit", "nl", serial=s) in labels for s in ("000004", "000005"))
    assert (out / "2021-001" / "letters" / "letter-CAAL.pdf").is_file()
    result = loaded("orders", "print", "--out", out)
    assert result.exit_code == 0 and "Nothing to print" in result.output
    result = loaded("orders", "print", "--out", out, "--order", "2021-001")
    assert result.exit_code == 3 and "000006–000008" in result.output and "--reprint" in result.output
    assert loaded("orders", "print", "--out", out, "--order", "NOPE").exit_code == 3


def test_the_store_refuses_kits_for_an_unknown_order_or_twice(loaded_store):
    campaign = loaded_store.campaign()
    [line] = parse_orders((HEADER + GOOD).encode(), "fr")
    loaded_store.import_orders([line], campaign, sha256="0" * 64, source="x.csv", actor="a", station="s")
    with pytest.raises(KitSerialsError, match="no order 'B-9'"):
        loaded_store.record_kits_printed(1, 2, actor="a", station="s", order="B-9")
    with pytest.raises(KitSerialsError, match="for 2 kits, not 3"):
        loaded_store.record_kits_printed(1, 3, actor="a", station="s", order="A-1")
    loaded_store.record_kits_printed(1, 2, actor="a", station="s", order="A-1")
    with pytest.raises(KitSerialsError, match="printed already"):
        loaded_store.record_kits_printed(3, 2, actor="a", station="s", order="A-1")
    assert loaded_store.audit(check_images=False).ok


def test_parcel_labels_name_the_orderer_in_the_order_language(loaded, tmp_path):
    loaded("orders", "import", SAMPLE)
    assert loaded("orders", "print", "--out", tmp_path / "out").exit_code == 0
    words = " ".join(_pdf_text(tmp_path / "out" / "parcel-labels.pdf").split())
    # fr: a school, its contact and address; the sender; the order and its serials.
    assert "Expéditeur : Amnesty International Belgique francophone" in words
    assert "Athénée royal d'Uccle À l'attention de Mme Claire Dumont Avenue Montana 2 1180 Uccle" in words
    assert "Commande 2021-001 — 3 kits (n° 000001–000003)" in words
    # nl
    assert "Sint-Jozefscollege Ter attentie van Dhr. Pieter Claes Kerkstraat 12 2000 Antwerpen" in words
    assert "Afzender: Amnesty" in words and "Bestelling 2021-004 — 1 kit (nr. 000008)" in words
    # en; a person is not "for the attention of" herself
    assert "From: Amnesty" in words and "Order 2021-007 — 1 kit (no. 000011)" in words
    assert "Emma Wilson Rue Belliard 20 1040 Etterbeek" in words
    assert "attention of Emma" not in words


# ------------------------------------------------------------------ returns

def _take_in_kit(store: Store, serial: int, pieces: list[tuple[Kind, int | None]], n: int) -> None:
    """A kit envelope scanned at a station, then its pieces (a petition with its signatures)."""
    sha = hashlib.sha256(f"kit-{serial}-{n}".encode()).hexdigest()
    store.record_file(source_name=f"kit{serial}.jpg", sha256=sha, media_type="jpeg", size=1,
                      pages=[(1, _kit(serial))], station="s1", operator="ana")
    for i, (kind, signatures) in enumerate(pieces):
        destination = "partner:AIIS" if kind in (Kind.POSTCARD, Kind.SOLIDARITY_LETTER) else "embassy:GT"
        record_piece(store, n * 100 + i, kind=kind, destination=destination, signatures=signatures)


def test_returns_pieces_and_signatures_per_order_and_per_kind(loaded_store):
    campaign = loaded_store.campaign()
    lines = parse_orders(SAMPLE.read_bytes(), "fr")
    loaded_store.import_orders(lines, campaign, sha256="1" * 64, source="o.csv", actor="a", station="s")
    serial = 1
    for line in lines:
        loaded_store.record_kits_printed(serial, line.kits, actor="a", station="s", order=line.reference)
        serial += line.kits
    loaded_store.record_kits_printed(serial, 4, actor="a", station="s")  # 12–15: no order
    _take_in_kit(loaded_store, 2, [(Kind.LETTER, None), (Kind.LETTER, None),
                                   (Kind.PETITION, 7), (Kind.POSTCARD, None)], 1)  # 2021-001
    _take_in_kit(loaded_store, 3, [(Kind.PETITION, 5)], 2)                          # 2021-001
    _take_in_kit(loaded_store, 8, [(Kind.SOLIDARITY_LETTER, None)], 3)              # 2021-004
    _take_in_kit(loaded_store, 13, [(Kind.LETTER, None)], 4)                        # no order
    record_piece(loaded_store, 999, status=Status.REVIEW)  # in the open batch of kit 13
    figures = {f.reference: f for f in loaded_store.order_figures(campaign)}
    school = figures["2021-001"]
    assert (school.kits_sent, school.kits_back, school.signatures) == (3, 2, 12)
    assert dict(school.pieces) == {"letter": 2, "petition": 2, "postcard": 1}
    assert figures["2021-004"].kits_back == 1 and figures["2021-004"].pieces["solidarity_letter"] == 1
    assert figures["2021-002"].kits_back == 0 and not figures["2021-002"].pieces
    unordered = figures[None]
    assert (unordered.kind, unordered.kits_sent, unordered.kits_back) == (NO_ORDER, 4, 1)
    totals = {t.kind: t for t in kind_totals(figures.values())}
    assert (totals["school"].orders, totals["school"].kits_sent, totals["school"].kits_back) == (2, 5, 2)
    assert totals["school"].return_rate == pytest.approx(0.4)
    assert totals["group"].return_rate == pytest.approx(1 / 3)
    assert totals["person"].kits_back == 0 and totals["person"].return_rate == 0
    assert totals[NO_ORDER].pieces["letter"] == 2  # the letter and the piece in review


def test_the_report_prints_orders_and_totals(loaded, tmp_path):
    loaded("orders", "import", SAMPLE)
    loaded("orders", "print", "--out", tmp_path / "out")
    store = _ledger(tmp_path)
    _take_in_kit(store, 1, [(Kind.LETTER, None)], 1)
    store.close()
    table = list(csv.DictReader(io.StringIO(loaded("orders", "report", "--format", "csv").output)))
    row = next(r for r in table if r["reference"] == "2021-001")
    assert (row["kits_sent"], row["kits_back"], row["letter"], row["return_rate"]) == (
        "3", "1", "1", "0.3333")
    school = next(r for r in table if r["kind"] == "school" and not r["reference"])
    assert (school["orders"], school["kits_sent"], school["kits_back"]) == ("2", "5", "1")
    text_report = loaded("orders", "report").output
    assert "2021-001" in text_report and "Per kind of orderer" in text_report
    assert "school     2 orders" in text_report


def test_reminders_list_the_orders_with_nothing_back_from_a_week_before_the_deadline(loaded, tmp_path):
    loaded("orders", "import", SAMPLE)
    loaded("orders", "print", "--out", tmp_path / "out", "--order", "2021-001", "--order", "2021-005")
    store = _ledger(tmp_path)
    _take_in_kit(store, 2, [(Kind.LETTER, None)], 1)  # 2021-001 sent something back
    store.close()
    early = loaded("orders", "reminders", "--today", "2022-01-03")
    assert early.exit_code == 0
    assert "applies from 2022-01-04" in early.output and "deadline of 2022-01-11" in early.output
    due = loaded("orders", "reminders", "--today", "2022-01-04")
    assert "1 order with nothing back on 2022-01-04" in due.output
    assert "2021-005" in due.output and "marc.dubois@example.be" in due.output
    assert "Rue Haute 101, boîte 3" in due.output and "2021-001" not in due.output
    assert "5 orders whose kits are not printed yet" in due.output
    rows = list(csv.DictReader(io.StringIO(
        loaded("orders", "reminders", "--today", "2022-01-12", "--format", "csv").output)))
    assert [r["reference"] for r in rows] == ["2021-005"]
    assert rows[0]["address"] == "Rue Haute 101, boîte 3\n1000 Bruxelles"


# ------------------------------------------------------------------ audit

def _imported(store: Store) -> None:
    lines = parse_orders(SAMPLE.read_bytes(), "fr")
    store.import_orders(lines, store.campaign(), sha256="2" * 64, source="o.csv", actor="a", station="s")
    store.record_kits_printed(1, 3, actor="a", station="s", order="2021-001")


@pytest.mark.parametrize("change, where, said", [
    ("UPDATE kit_order SET kits = 30 WHERE reference = '2021-001'", "kit order 2021-001", "its kits is 30"),
    ("UPDATE kit_order SET email = 'eve@example.org' WHERE reference = '2021-004'", "kit order 2021-004",
     "its email"),
    ("UPDATE kit_order SET reference = '2021-099' WHERE reference = '2021-003'", "kit order 2021-099",
     "no orders.imported event"),
    ("DELETE FROM kit_order WHERE reference = '2021-006'", "kit order 2021-006", "has no row"),
])
def test_audit_verify_names_a_kit_order_row_changed_outside_the_ledger(loaded_store, change, where,
                                                                       said):
    _imported(loaded_store)
    assert loaded_store.audit(check_images=False).ok
    with loaded_store.writer.begin() as connection:
        connection.execute(text(change))
    result = loaded_store.audit(check_images=False)
    assert not result.ok and result.problem.where.startswith(where), result.problem
    assert said in result.problem.message


def test_the_replay_refuses_kits_printed_for_an_order_never_imported(loaded_store):
    _imported(loaded_store)
    with loaded_store.transaction() as session:  # as a buggy program could: the chain stays whole
        event = append_event(session, at="2021-12-11T10:00:00.000000+00:00", actor="x", station="y",
                             type_=EventType.KITS_PRINTED, subject="kits:4-5",
                             payload={"first": 4, "count": 2, "order": "2099-001"})
    result = loaded_store.audit(check_images=False)
    assert result.problem.where == f"event {event.seq}"
    assert "order 2099-001, which was never imported" in result.problem.message


def test_a_changed_order_conflicts_in_the_store_too(loaded_store):
    _imported(loaded_store)
    line = parse_orders((HEADER + "2021-001,school,Autre,C,,R,fr,3\n").encode(), "fr")
    with pytest.raises(OrderConflict, match="line 2, column name"):
        loaded_store.import_orders(line, loaded_store.campaign(), sha256="3" * 64, source="b.csv",
                                   actor="a", station="s")


def test_an_audit_export_carries_the_orders_and_names_a_changed_one(loaded_store, tmp_path):
    _imported(loaded_store)
    folder = tmp_path / "export"
    write_export(loaded_store, folder, public=None)
    assert verify_export(folder).ok
    rows = (folder / "kit_orders.csv").read_text(encoding="utf-8")
    changed = tmp_path / "changed"
    shutil.copytree(folder, changed)
    (changed / "kit_orders.csv").write_text(rows.replace(",fr,3,", ",fr,30,", 1), encoding="utf-8")
    problem = verify_export(changed).problem
    assert problem.where.startswith("kit order 2021-001") and "its kits is '30'" in problem.message
    (changed / "kit_orders.csv").unlink()
    assert verify_export(changed).problem.where == "kit_orders.csv"
