"""The auditors' reconciliation report: terminal text, spreadsheets (CSV per language, XLSX) and
the season summary PDF, whose length does not grow with the season."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import numpy as np
import openpyxl
import pypdfium2
import pytest
from conftest import StepClock, record_piece

from models.audit.report_types import (
    EXCEPTIONS,
    FIGURES,
    OUTCOMES,
    TABLES,
    TOTALS,
    Reconciliation,
    Table,
)
from models.store import Store
from scanpipe.domain.found import Blankness
from scanpipe.domain.outcomes import Outcome
from scanpipe.domain.routing import (
    Decision,
    Finding,
    Kind,
    Method,
    Reason,
    Status,
    blank_page,
    unreadable,
)
from scanpipe.simulate.scansim import rasterise_pdf
from stations.audit_charts import MAX_BARS, PROGRESS, progress_per_case
from stations.audit_pdf import FIRST_IDS, ROWS, exception_summary, report_pdf
from stations.audit_report import report_text, write_report_csv, write_report_xlsx
from stations.audit_words import LANGUAGES, catalogue_keys, words
from stations.spreadsheets import read_csv

HOSTILE_OPERATOR = "<b>x</b>&\"'"
HOSTILE_STATION = "scan\x1b[31m-2"
HEAD_HASH = "9f2c4e1ab37d5c60" + "0123456789abcdef" * 3
# code, person, the country whose embassy receives the letters
CASES = (("GTM", "Bernardo Caal Xol", "GT"), ("BLR", "Ales Bialiatski", "BY"),
         ("FRA", "Léa Müller-Ørsted", "FR"), ("MEX", "Comunidad Ñuu Savi", "MX"),
         ("ZWE", "Jestina Mukoko", "ZW"), ("TUR", "Öztürk Çağlar", "TR"))
TITLES = {"fr": "Rapport de rapprochement", "en": "Reconciliation report",
          "nl": "Afstemmingsrapport"}
# How each language writes items=12345 and return_rate=0.615 (narrow no-break space in French).
ITEMS_WRITTEN = {"fr": "12\u202f345", "en": "12,345", "nl": "12.345"}
RATE_WRITTEN = {"fr": "61,5\u202f%", "en": "61.5%", "nl": "61,5%"}
SEPARATORS = {"fr": ";", "nl": ";", "en": ","}


def make_reconciliation(*, cases: int = len(CASES), days: int = 30, bundles: int = 12,
                        exceptions: int = 40, stations: int = 2, late: int = 30,
                        destinations_per_case: int = 2) -> Reconciliation:
    """A realistic report: accented names, hostile names, one bundle whose sheet disagrees."""
    people = [CASES[i] if i < len(CASES) else (f"C{i:02d}", f"Personne n° {i}", f"X{i:03d}")
              for i in range(cases)]
    by_case, by_destination, delivery = [], [], []
    for i, (code, person, country) in enumerate(people):
        letters, postcards, petitions = 900 + 37 * i, 410 + 11 * i, 25 + i
        to_person = 310 + 7 * i  # letters to the person: forwarded with the postcards
        by_case.append((code, person, letters, to_person, postcards, petitions, 500 + 9 * i,
                        letters + to_person + postcards + petitions))
        by_destination += [(f"embassy:{country}", letters, 0, 0, petitions, letters + petitions),
                           (f"relatives:{code}", 0, to_person, postcards, 0,
                            to_person + postcards)][:destinations_per_case]
        delivery += [(code, f"embassy:{country}", letters + petitions, 850, 700, 600 + i, 20),
                     (code, f"relatives:{code}", to_person + postcards, 700, 680, 600, 0)]
    first = date(2024, 11, 20)
    by_day = [((first + timedelta(d)).isoformat(), 300 + d * 37 % 200, 250 + d * 53 % 180)
              for d in range(days)]
    weeks: dict[str, list[int]] = {}
    for day, items, pieces in by_day:
        year, week, _ = date.fromisoformat(day).isocalendar()
        total = weeks.setdefault(f"{year}-W{week:02d}", [0, 0])
        total[0] += items
        total[1] += pieces
    bundle_rows = []
    for b in range(bundles):
        ledger = (60 + b, 0, 0, b % 5, 40 + b, 60 + b + b % 5)
        sheet = ledger if b != 1 else (60 + b, 0, 0, b % 5, 43 + b, 60 + b + b % 5)
        bundle_rows.append((101 + b, f"embassy:{people[b % cases][2]}",
                            ("delivered", "dispatched", "prepared")[b % 3], b % 4,
                            *ledger, *sheet, 1, ledger == sheet))
    exception_rows = [(EXCEPTIONS[e % len(EXCEPTIONS)], f"{2000 + e:07d}",
                       101 + e % bundles if e % 3 and bundles else None,
                       f"scan_2024-12-{1 + e % 28:02d}_{e:05d}.jpg", 1 + e % 2, "OCR_WEAK")
                      for e in range(exceptions)]
    rows = {
        "by_case": by_case, "by_destination": by_destination,
        "by_kind": [("letter", 6000), ("solidarity_letter", 2100), ("postcard", 2800),
                    ("petition", 180), ("kit_envelope", 738), ("delivery_receipt", 20),
                    ("unknown", 7)],
        "by_station": [("accueil-1", 8000), (HOSTILE_STATION, 4345),
                       *((f"poste-{n}", 10) for n in range(stations - 2))],
        "by_operator": [("Zoé Lefèvre", 7000), (HOSTILE_OPERATOR, 5345)],
        "by_day": by_day,
        "by_week": [(week, *counts) for week, counts in sorted(weeks.items())],
        "outcomes": [(o, 100 + 10 * i) for i, o in enumerate(OUTCOMES)],
        "delivery": delivery, "bundles": bundle_rows,
        "late": [(f"{5000 + n:07d}", 101 + n % max(bundles, 1), "2025-01-13") for n in range(late)],
        "duplicates": [("0000123", "scan_0001.jpg"), ("0000123", "scan_0456.jpg"),
                       ("0000777", "a.tif")],
        "exceptions": exception_rows,
    }
    figures = {"kits_sent": 1200, "kits_returned": 738, "return_rate": 0.615,
               "anonymous_batches": 41, "items": 12345, "pieces": 11020,
               "solidarity_letters": 2100, "signatures": 23456,
               "delivered": 9870, "pending": 1150, "waiting": 600, "late": late,
               "in_review": 37, "set_aside": 12,
               "unreadable_files": 3, "blank_sides": 640, "picture_sides": 95,
               "quarantined_files": 2, "duplicates": 3, "bundles": bundles,
               "bundles_delivered": 20, "sheet_mismatches": 1, "exceptions": exceptions}
    return Reconciliation("w4r-2024", "Marathon des lettres 2024 — Écrire, ça libère",
                          "2025-01-20T09:30:00Z", 48213, HEAD_HASH, figures,
                          tuple(Table(k, TABLES[k], tuple(rows[k])) for k in TABLES))


def empty_reconciliation() -> Reconciliation:
    rec = make_reconciliation()
    return Reconciliation(rec.campaign_id, rec.campaign_name, rec.made_at, 0, rec.head_hash,
                          dict.fromkeys(FIGURES), tuple(Table(k, c, ()) for k, c in TABLES.items()))


def with_tables(rec: Reconciliation, **tables: tuple) -> Reconciliation:
    """`rec` with the rows of some tables replaced."""
    return Reconciliation(rec.campaign_id, rec.campaign_name, rec.made_at, rec.head_seq,
                          rec.head_hash, rec.figures,
                          tuple(Table(t.key, t.columns, tables.get(t.key, t.rows))
                                for t in rec.tables))


def pdf_text(pdf: bytes) -> list[str]:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


def pages(pdf: bytes) -> int:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def ink(image) -> int:
    """Pixels clearly darker than paper."""
    return int((np.asarray(image.convert("L")) < 160).sum())


def body(page):
    """A page without its footer (the bottom 22 mm), which every page has."""
    return page.crop((0, 0, page.width, page.height - round(page.height * 22 / 297)))


def coloured(image) -> int:
    """Saturated pixels (the report is drawn in black, greys and white)."""
    rgb = np.asarray(image).astype(int)
    return int(((rgb.max(axis=2) - rgb.min(axis=2)) > 60).sum())


def chart_page(pdf: bytes, title: str) -> int:
    return next(i for i, text in enumerate(pdf_text(pdf)) if title in text)


@pytest.fixture(scope="module")
def rec() -> Reconciliation:
    return make_reconciliation(exceptions=1500)


@pytest.fixture(scope="module")
def pdfs(rec) -> dict[str, bytes]:
    return {lang: report_pdf(rec, lang) for lang in LANGUAGES}


# ------------------------------------------------------------------ PDF

@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_renders_figures_cases_and_title_in_every_language(pdfs, rec, lang):
    pdf = pdfs[lang]
    rendered = rasterise_pdf(pdf, 50)
    assert len(rendered) > 1
    assert all(ink(body(page)) > 150 for page in rendered), "a page without content"
    text = pdf_text(pdf)
    whole = "\n".join(text)
    assert TITLES[lang] in text[0]
    assert ITEMS_WRITTEN[lang] in text[0] and RATE_WRITTEN[lang] in text[0]
    w = words(lang)
    for key, value in rec.figures.items():
        assert w(f"figure.{key}") in whole
        if key != "return_rate":
            assert w.number(value) in whole
    for code, person, _ in CASES:
        assert code in whole and person in whole
    assert w("phrase.exceptions") in whole
    assert f"{w('phrase.page', page=len(rendered), pages=len(rendered))}" in text[-1]
    assert "48213" in text[-1]


def test_pdf_shows_hostile_names_literally(pdfs):
    whole = "\n".join(pdf_text(pdfs["en"]))
    assert HOSTILE_OPERATOR in whole
    assert "scan?[31m-2" in whole and "\x1b" not in whole


def test_pdf_paragraphs_take_no_markup_from_the_data():
    name = "Campagne <font size=40>&amp; <b>x</b> & \"y\" \x07"
    rec = make_reconciliation(exceptions=3)
    rec = Reconciliation(rec.campaign_id + "<br/>", name, rec.made_at, rec.head_seq,
                         rec.head_hash, rec.figures, rec.tables)
    text = " ".join(pdf_text(report_pdf(rec, "en"))[0].split())  # the title wraps
    assert "Campagne <font size=40>&amp; <b>x</b> & \"y\" ?" in text
    assert "w4r-2024<br/>" in text


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_french_and_dutch_pdfs_hold_no_english_word_of_state(pdfs, lang):
    """The issue's "Concorde … yes": every yes/no and every state word is translated."""
    whole = "\n".join(pdf_text(pdfs[lang]))
    english = {"yes", "no", "delivered", "dispatched", "prepared", "review", "waiting",
               "unreadable", "letter", "postcard", "petition", "none", "True", "False"}
    assert not english & set(re.findall(r"[A-Za-z]+", whole))
    w = words(lang)
    for word in ("state.delivered", "state.dispatched", "state.prepared", "outcome.not_a_piece",
                 "exception.sheet_mismatch", "kind.postcard"):
        assert w(word) in whole


def test_pdf_lists_each_kind_of_exception_with_its_count_and_first_ids(pdfs, rec):
    text = " ".join("\n".join(pdf_text(pdfs["en"])).split())
    items = rec.table("exceptions").column("item")
    summary = exception_summary(rec)
    assert [kind for kind, _, _ in summary] == list(EXCEPTIONS)
    for kind, count, first in summary:
        assert count == 1500 // len(EXCEPTIONS) and len(first) == FIRST_IDS
        assert f"{words('en')(f'exception.{kind}')} {count} {', '.join(first)} …" in text
        assert all(item in text for item in first)
    # The long list is never in the PDF: it says which file holds it.
    assert sum(item in text for item in items) == FIRST_IDS * len(EXCEPTIONS)
    assert "exceptions.csv" in text


def test_a_report_with_nothing_for_a_person_says_so():
    rec = with_tables(make_reconciliation(), exceptions=())
    assert "Nothing needs a person." in "\n".join(pdf_text(report_pdf(rec, "en")))


def test_the_pdf_stays_short_however_large_the_season():
    """A season many times larger — thousands of exceptions, late pieces and bundles, hundreds
    of stations, a whole year of days, many cases and destinations — gives a PDF no longer than
    about 20 pages; its long tables name the file that holds the rest."""
    small = pages(report_pdf(make_reconciliation(exceptions=40), "fr"))
    big_rec = make_reconciliation(cases=120, days=365, bundles=4000, exceptions=30_000,
                                  stations=300, late=20_000)
    big = report_pdf(big_rec, "fr")
    assert small <= pages(big) <= 20
    text = "\n".join(pdf_text(big))
    w = words("fr")
    assert w("phrase.chart_by_week") in text and w("table.by_week") in text
    assert w("phrase.chart_by_day") not in text
    hidden = len(big_rec.table("by_station").rows) - ROWS
    assert w("phrase.more_in", count=hidden, file="by_station.csv") in " ".join(text.split())


def test_a_short_season_is_shown_by_day():
    text = "\n".join(pdf_text(report_pdf(make_reconciliation(days=20), "en")))
    assert "Pieces per day" in text and "Per day" in text and "Pieces per week" not in text


def test_charts_are_drawn_in_black_and_white(pdfs):
    pdf = pdfs["fr"]
    page = chart_page(pdf, words("fr")("phrase.chart_delivery"))
    full = rasterise_pdf(pdf, 50)[page]
    empty_pdf = report_pdf(empty_reconciliation(), "fr")
    empty = rasterise_pdf(empty_pdf, 50)[chart_page(empty_pdf, words("fr")("phrase.charts"))]
    assert ink(full) > 3 * ink(empty)
    assert all(coloured(image) == 0 for image in rasterise_pdf(pdf, 40))


@pytest.mark.parametrize("key", ["by_day", "by_destination", "delivery"])
def test_each_chart_is_drawn_from_its_own_table(key):
    rec = make_reconciliation(exceptions=0)
    only = with_tables(rec, **{t.key: () for t in rec.tables if t.key != key})
    pdf = report_pdf(only, "en")
    page = chart_page(pdf, "Charts")
    assert pdf_text(pdf)[page].count("no data") == 2
    nothing = report_pdf(empty_reconciliation(), "en")
    assert ink(rasterise_pdf(pdf, 50)[page]) > ink(
        rasterise_pdf(nothing, 50)[chart_page(nothing, "Charts")]) + 2000


def test_the_destination_chart_sums_the_smallest_as_others():
    rec = make_reconciliation(cases=40, destinations_per_case=2)
    text = "\n".join(pdf_text(report_pdf(rec, "en")))
    assert f"others ({80 - MAX_BARS + 1})" in text


def test_delivery_progress_puts_each_piece_in_one_segment():
    table = Table("delivery", TABLES["delivery"], (
        # case, destination, routed, bundled, dispatched, delivered, back
        ("GTM", "embassy:GT", 100, 90, 60, 50, 10),
        ("GTM", "relatives:GTM", 40, 40, 40, 40, 0),
        ("BLR", "embassy:BY", 30, 0, 0, 0, 0)))
    progress = progress_per_case(table)
    assert PROGRESS == ("delivered", "dispatched", "bundled", "routed", "back")
    assert progress == {"GTM": (90, 10, 20, 10, 10), "BLR": (0, 0, 0, 30, 0)}
    assert sum(progress["GTM"]) == 140


def test_empty_report_says_no_data_and_none():
    text = "\n".join(pdf_text(report_pdf(empty_reconciliation(), "en")))
    lines = [x.strip() for x in text.splitlines()]
    assert lines.count("no data") == 3
    assert lines.count("none") == 9  # every table of the PDF
    assert "Nothing needs a person." in lines


def test_the_pdf_tells_its_progress(rec):
    told: list[tuple[int, int]] = []
    report_pdf(rec, "en", progress=lambda done, total: told.append((done, total)))
    assert told and told[-1][0] == told[-1][1] > 10
    assert [done for done, _ in told] == sorted(done for done, _ in told)


def test_unknown_language_is_refused(rec, tmp_path):
    with pytest.raises(ValueError, match="de"):
        report_pdf(rec, "de")
    with pytest.raises(ValueError, match="de"):
        write_report_csv(rec, tmp_path, "de")


def test_catalogue_names_every_key_in_every_language():
    keys = catalogue_keys()
    needed = ({f"figure.{k}" for k in FIGURES} | {f"table.{k}" for k in TABLES}
              | {f"column.{c}" for cs in TABLES.values() for c in cs}
              | {f"outcome.{o}" for o in OUTCOMES} | {f"exception.{e}" for e in EXCEPTIONS}
              | {f"case_outcome.{o.value}" for o in Outcome})
    assert not needed - keys
    for lang in LANGUAGES:
        w = words(lang)
        assert all(w(k, seq=1, page=1, pages=1, count=1, id="x", hash="x", when="x", file="x",
                     source="x")
                   for k in keys)


# ------------------------------------------------------------------ CSV

def read_back(path) -> list[list[str]]:
    """The rows as the csv module reads them with the separator the file's language uses."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: no byte-order mark"
    text = raw[3:].decode("utf-8")
    sep = ";" if text.split("\r\n", 1)[0].count(";") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_csv_files_hold_every_table_in_the_language(rec, tmp_path, lang):
    written = write_report_csv(rec, tmp_path, lang)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["figures.csv", *(f"{k}.csv" for k in TABLES)])
    assert sorted(written) == sorted(tmp_path.iterdir())
    w = words(lang)
    for table in rec.tables:
        path = tmp_path / f"{table.key}.csv"
        first = path.read_bytes()[3:].decode("utf-8").split("\r\n", 1)[0]
        assert SEPARATORS[lang] in first and {";": ",", ",": ";"}[SEPARATORS[lang]] not in first
        rows = read_csv(path)
        assert rows == read_back(path)
        header, *body = rows
        assert header == [w(f"column.{c}") for c in table.columns]
        assert len(body) == len(table.rows)
        assert all(len(row) == len(table.columns) for row in body)  # one value per column
    figures = dict(read_csv(tmp_path / "figures.csv")[1:])
    assert figures[w("figure.items")] == "12345"
    assert figures[w("figure.return_rate")] == ("0.615" if lang == "en" else "0,615")


def test_csv_cells_translate_words_not_ids_or_numbers(rec, tmp_path):
    write_report_csv(rec, tmp_path, "fr")
    bundles = read_csv(tmp_path / "bundles.csv")
    header = bundles[0]
    assert header[-1] == "Concorde"
    rows = {row[0]: dict(zip(TABLES["bundles"], row)) for row in bundles[1:]}
    assert rows["101"]["agrees"] == "oui" and rows["102"]["agrees"] == "non"
    assert rows["101"]["state"] == "remise" and rows["102"]["state"] == "expédiée"
    assert rows["102"]["signatures"] == "41" and rows["102"]["sheet_signatures"] == "44"
    assert [rows["101"][t] for t in TOTALS] == ["60", "0", "0", "0", "40", "60"]
    kinds = dict(read_csv(tmp_path / "by_kind.csv")[1:])
    assert kinds["lettre à la personne"] == "2100"
    exceptions = read_csv(tmp_path / "exceptions.csv")[1:]
    assert exceptions[0][:2] == ["attend une décision", "0002000"]
    assert {row[0] for row in exceptions} == {words("fr")(f"exception.{e}") for e in EXCEPTIONS}


def test_csv_separator_can_be_chosen(rec, tmp_path):
    write_report_csv(rec, tmp_path / "tab", "fr", sep="\t")
    write_report_csv(rec, tmp_path / "comma", "fr", sep=",")
    assert read_csv(tmp_path / "tab" / "by_case.csv") == read_csv(tmp_path / "comma" / "by_case.csv")
    assert "\t" in (tmp_path / "tab" / "by_case.csv").read_text(encoding="utf-8-sig").split("\n")[0]
    figures = dict(read_csv(tmp_path / "comma" / "figures.csv")[1:])
    assert figures["Taux de retour des kits"] == "0.615"  # a comma would be read as the separator


def test_csv_guards_against_formulas_but_keeps_numbers(tmp_path):
    rows = (("=1+2", -5), ("+33 1 23", -0.5), ("-2", 3), ("@SUM(A1)", 1), ("\tx", 2), ("\rx", 4),
            ("safe - text", 6))
    rec = Reconciliation("c", "n", "2025-01-01T00:00:00Z", 1, HEAD_HASH,
                         {"items": -1}, (Table("by_station", TABLES["by_station"], rows),))
    write_report_csv(rec, tmp_path, "en")
    _, *read = read_csv(tmp_path / "by_station.csv")
    assert read == [["'=1+2", "-5"], ["'+33 1 23", "-0.5"], ["'-2", "3"], ["'@SUM(A1)", "1"],
                    ["'\tx", "2"], ["'\rx", "4"], ["safe - text", "6"]]
    assert ["Items taken in", "-1"] in read_csv(tmp_path / "figures.csv")


def test_csv_writes_leave_no_temporary_files_and_replace_old_ones(rec, tmp_path):
    (tmp_path / "by_case.csv").write_text("old", encoding="utf-8")
    write_report_csv(rec, tmp_path, "en")
    write_report_csv(rec, tmp_path, "en")
    names = [p.name for p in tmp_path.iterdir()]
    assert all(n.endswith(".csv") and not n.startswith(".") for n in names), names
    assert (tmp_path / "by_case.csv").read_text(encoding="utf-8-sig").startswith("Case,Person,")


def test_csv_refuses_a_table_key_that_is_not_a_file_name(tmp_path):
    rec = Reconciliation("c", "n", "t", 1, HEAD_HASH, {},
                         (Table("../escape", ("a",), ()),))
    with pytest.raises(ValueError):
        write_report_csv(rec, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ XLSX

def test_workbook_has_a_sheet_per_table_with_ids_as_text(rec, tmp_path):
    path = write_report_xlsx(rec, tmp_path / "report.xlsx", "nl")
    book = openpyxl.load_workbook(path, read_only=True)
    w = words("nl")
    assert book.sheetnames[0] == w("table.figures")
    assert len(book.sheetnames) == 1 + len(TABLES) == len(set(book.sheetnames))
    sheet = book.worksheets[1 + list(TABLES).index("exceptions")]
    assert sheet.title == w("table.exceptions")
    header, first = [[c.value for c in row] for row in sheet.iter_rows(max_row=2)]
    assert header == [w(f"column.{c}") for c in TABLES["exceptions"]]
    assert first[:2] == [w("exception.review"), "0002000"]  # zeros kept: stored as text
    assert sum(1 for _ in sheet.iter_rows()) == 1 + len(rec.table("exceptions").rows)
    bundles = book.worksheets[1 + list(TABLES).index("bundles")]
    row = [c.value for c in next(bundles.iter_rows(min_row=3, max_row=3))]
    assert row[0] == 102 and row[-1] == "nee" and row[TABLES["bundles"].index("sheet_signatures")] == 44
    figures = {r[0].value: r[1].value for r in book[w("table.figures")].iter_rows(min_row=2)}
    assert figures[w("figure.items")] == 12345 and figures[w("figure.return_rate")] == 0.615
    stations = [r[0].value for r in book[w("table.by_station")].iter_rows(min_row=2)]
    assert stations == ["accueil-1", "scan?[31m-2"]  # a control character is never written
    book.close()


# ------------------------------------------------------------------ terminal

def test_text_has_header_figures_and_titles(rec):
    text = report_text(rec)
    assert "w4r-2024" in text and "Marathon des lettres 2024" in text
    assert "covers the ledger up to event 48213 (hash 9f2c4e1ab37d5c60)" in text.lower()
    assert "2025-01-20T09:30:00Z" in text
    assert "Items taken in" in text and "12345" in text and "61.5%" in text
    for key in TABLES:
        assert words("en")(f"table.{key}") in text


def test_text_shows_missing_figures_as_a_dash():
    text = report_text(empty_reconciliation())
    line = next(x for x in text.splitlines() if "Kit return rate" in x)
    assert line.rstrip().endswith("—")
    assert text.count("  none") == len(TABLES)


def test_text_cuts_long_tables(rec):
    text = report_text(rec, limit=50)
    assert "… and 1450 more rows (see the CSV)" in text
    items = rec.table("exceptions").column("item")
    assert items[49] in text and items[50] not in text
    full = report_text(rec, limit=None)
    assert "more rows" not in full and items[-1] in full
    assert "  … and 1 more row (see the CSV)\n" in report_text(rec, limit=len(CASES) - 1)


def test_text_replaces_control_characters(rec):
    text = report_text(rec)
    assert "scan?[31m-2" in text
    assert not [c for c in text if (ord(c) < 32 and c != "\n") or ord(c) == 127]


def test_text_aligns_numbers_right(rec):
    lines = report_text(rec).splitlines()
    start = lines.index(words("en")("table.by_case")) + 1
    block = lines[start:start + 2 + len(CASES)]
    assert len({len(line) for line in block}) == 1, block
    assert block[2].startswith("  GTM")


# ------------------------------------------------------------------ from a real ledger

def season_store(tmp_path, campaign_text, *, waiting: int, late: int = 0) -> Store:
    """A ledger with `waiting` pieces routed and not bundled, `late` pieces bundled after the
    deadline, a sheet that agrees, a duplex letter with its blank back, an unreadable file and
    a piece in review."""
    tmp_path.mkdir(exist_ok=True)
    store = Store.open(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", tmp_path / "images", StepClock())
    store.load_campaign(campaign_text, actor="coordinator", station="office")
    for n in range(waiting):
        record_piece(store, n, case="ZHANG", destination="embassy:CN")
    letter = Decision(Kind.LETTER, Status.ROUTED, "CAAL", "embassy:GT", Method.QR, 1.0,
                      (Finding(Reason.ROUTED_BY_QR, "made"),))
    back = blank_page(Blankness(True, 0, 0, 0.0, (), "no strokes"))
    store.record_file(source_name="duplex.tif", sha256="d" * 64, media_type="tiff", size=1,
                      pages=[(1, letter), (2, back)], station="s1", operator="ana")
    store.record_file(source_name="broken.jpg", sha256="b" * 64, media_type="jpeg", size=1,
                      pages=[(1, unreadable("truncated"))], station="s1", operator="ana")
    record_piece(store, 90_000, status=Status.REVIEW)
    deadline = datetime(2022, 1, 12, tzinfo=UTC)
    if late:
        store.clock.now = deadline + timedelta(days=2)
        for n in range(late):
            record_piece(store, 50_000 + n)
    view = store.close_bundle("embassy:GT", actor="coordinator", station="office",
                              late_after=deadline)
    store.record_sheet_issued(view.id, document="delivery_sheet", lang="fr",
                              issued_on=date(2022, 1, 20), pdf_sha256="0" * 64, totals=view.totals,
                              actor="coordinator", station="office")
    return store


def test_a_blank_duplex_back_is_no_exception(tmp_path, campaign_text):
    """The issue: a blank back of a two-sided page was listed as "illisible : à rescanner"."""
    store = season_store(tmp_path, campaign_text, waiting=3)
    rec = store.reconciliation()
    store.close()
    assert rec.figures["blank_sides"] == 1 and rec.figures["unreadable_files"] == 1
    assert [(kind, count) for kind, count, _ in exception_summary(rec)] == [("review", 1),
                                                                           ("unreadable", 1)]
    assert "duplex.tif" not in {row[3] for row in rec.table("exceptions").rows}
    text = " ".join("\n".join(pdf_text(report_pdf(rec, "fr"))).split())
    assert "illisible : à rescanner 1 " in text and "verso blanc" in text
    write_report_csv(rec, tmp_path / "csv", "fr")
    listed = read_csv(tmp_path / "csv" / "exceptions.csv")[1:]
    assert [(row[0], row[3]) for row in listed] == [("illisible : à rescanner", "broken.jpg"),
                                                     ("attend une décision", "90000.jpg")]
    bundles = read_csv(tmp_path / "csv" / "bundles.csv")
    assert bundles[0][-1] == "Concorde" and bundles[1][-1] == "oui"  # never "yes" in French


def test_waiting_and_late_pieces_do_not_lengthen_the_pdf(tmp_path, campaign_text):
    """Waiting and late pieces are figures: ten times as many give the same pages (before,
    each was a row of the exceptions table: 857 pages mid-season)."""
    few = season_store(tmp_path / "few", campaign_text, waiting=20, late=5)
    many = season_store(tmp_path / "many", campaign_text, waiting=200, late=50)
    small, large = few.reconciliation(), many.reconciliation()
    few.close()
    many.close()
    assert (large.figures["waiting"], large.figures["late"]) == (200, 50)
    assert large.figures["exceptions"] == small.figures["exceptions"] == 2
    assert len(large.table("late").rows) == 50
    assert pages(report_pdf(large, "fr")) == pages(report_pdf(small, "fr")) <= 20


@pytest.mark.slow
def test_a_few_thousand_pieces_give_a_short_pdf(tmp_path, campaign_text):
    store = season_store(tmp_path, campaign_text, waiting=2500, late=500)
    rec = store.reconciliation()
    store.close()
    assert rec.figures["pieces"] == 2500 + 500 + 1
    assert pages(report_pdf(rec, "fr")) <= 20
