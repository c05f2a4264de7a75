"""The auditors' reconciliation report as terminal text, CSV files and a PDF with charts."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta

import numpy as np
import pypdfium2
import pytest

from models.audit.report_types import EXCEPTIONS, FIGURES, OUTCOMES, TABLES, Reconciliation, Table
from scanpipe.simulate.scansim import rasterise_pdf
from stations.audit_report import PROGRESS, progress_per_case, report_pdf, report_text, write_report_csv
from stations.audit_words import LANGUAGES, catalogue_keys, words

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


def make_reconciliation(*, cases: int = len(CASES), days: int = 30, bundles: int = 12,
                        exceptions: int = 40) -> Reconciliation:
    """A realistic report: accented names, hostile names, one bundle whose sheet disagrees."""
    people = [CASES[i] if i < len(CASES) else (f"C{i:02d}", f"Personne n° {i}", f"X{i % 10}")
              for i in range(cases)]
    by_case, by_destination, delivery = [], [], []
    for i, (code, person, country) in enumerate(people):
        letters, postcards, petitions = 900 + 37 * i, 410 + 11 * i, 25 + i
        to_person = 310 + 7 * i  # letters to the person: forwarded with the postcards
        by_case.append((code, person, letters, to_person, postcards, petitions, 500 + 9 * i,
                        letters + to_person + postcards + petitions))
        by_destination += [(f"embassy:{country}", letters, 0, 0, petitions, letters + petitions),
                           (f"relatives:{code}", 0, to_person, postcards, 0,
                            to_person + postcards)]
        delivery += [(code, f"embassy:{country}", letters + petitions, 850, 700, 600 + i, 20),
                     (code, f"relatives:{code}", to_person + postcards, 700, 680, 600, 0)]
    first = date(2024, 11, 20)
    by_day = [((first + timedelta(d)).isoformat(), 300 + d * 37 % 200, 250 + d * 53 % 180)
              for d in range(days)]
    bundle_rows = []
    for b in range(bundles):
        ledger = f"L {60 + b} · C 0 · P {b % 5} · S {40 + b}"
        sheet = ledger if b != 1 else f"L {60 + b} · C 0 · P {b % 5} · S {43 + b}"
        bundle_rows.append((101 + b, f"embassy:{people[b % cases][2]}",
                            ("delivered", "dispatched", "prepared")[b % 3], 80 + b, b % 4,
                            ledger, sheet, 1, ledger == sheet))
    exception_rows = [(EXCEPTIONS[e % len(EXCEPTIONS)], f"{2000 + e:07d}",
                       101 + e % bundles if e % 3 and bundles else None,
                       f"scan_2024-12-{1 + e % 28:02d}_{e:05d}.jpg page {1 + e % 2}")
                      for e in range(exceptions)]
    rows = {
        "by_case": by_case, "by_destination": by_destination,
        "by_kind": [("letter", 6000), ("solidarity_letter", 2100), ("postcard", 2800),
                    ("petition", 180), ("kit_envelope", 738), ("delivery_receipt", 20),
                    ("unknown", 7)],
        "by_station": [("accueil-1", 8000), (HOSTILE_STATION, 4345)],
        "by_operator": [("Zoé Lefèvre", 7000), (HOSTILE_OPERATOR, 5345)],
        "by_day": by_day,
        "outcomes": [(o, 100 + 10 * i) for i, o in enumerate(OUTCOMES)],
        "delivery": delivery, "bundles": bundle_rows,
        "duplicates": [("0000123", 2, "scan_0001.jpg; scan_0456.jpg"),
                       ("0000777", 3, "a.tif; b.tif; c.tif")],
        "exceptions": exception_rows,
    }
    figures = {"kits_sent": 1200, "kits_returned": 738, "return_rate": 0.615,
               "anonymous_batches": 41, "items": 12345, "pieces": 11020,
               "solidarity_letters": 2100, "signatures": 23456,
               "delivered": 9870, "pending": 1150, "in_review": 37, "set_aside": 12,
               "unreadable_files": 3, "blank_sides": 640, "picture_sides": 95,
               "quarantined_files": 2, "duplicates": 58, "bundles": bundles,
               "bundles_delivered": 20, "sheet_mismatches": 1, "exceptions": exceptions}
    return Reconciliation("w4r-2024", "Marathon des lettres 2024 — Écrire, ça libère",
                          "2025-01-20T09:30:00Z", 48213, HEAD_HASH, figures,
                          tuple(Table(k, TABLES[k], tuple(rows[k])) for k in TABLES))


def empty_reconciliation() -> Reconciliation:
    rec = make_reconciliation()
    return Reconciliation(rec.campaign_id, rec.campaign_name, rec.made_at, 0, rec.head_hash,
                          dict.fromkeys(FIGURES), tuple(Table(k, c, ()) for k, c in TABLES.items()))


def pdf_text(pdf: bytes) -> list[str]:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


def ink(image) -> int:
    """Pixels clearly darker than paper."""
    return int((np.asarray(image.convert("L")) < 160).sum())


def body(page):
    """A page without its footer (the bottom 22 mm), which every page has."""
    return page.crop((0, 0, page.width, page.height - round(page.height * 22 / 297)))


def coloured(image) -> int:
    """Saturated pixels: the charts' bars (tables and text are black and grey)."""
    rgb = np.asarray(image).astype(int)
    return int(((rgb.max(axis=2) - rgb.min(axis=2)) > 60).sum())


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
    pages = rasterise_pdf(pdf, 50)
    assert len(pages) > 1
    assert all(ink(body(page)) > 150 for page in pages), "a page without content"
    text = pdf_text(pdf)
    whole = "\n".join(text)
    assert TITLES[lang] in text[0]
    assert ITEMS_WRITTEN[lang] in text[0] and RATE_WRITTEN[lang] in text[0]
    w = words(lang)
    for key, value in rec.figures.items():
        assert w(f"figure.{key}") in text[0]
        if key != "return_rate":
            assert w.number(value) in text[0]
    for code, person, _ in CASES:
        assert code in whole and person in whole
    assert w("table.exceptions") in whole and w("column.detail") in whole
    assert f"{w('phrase.page', page=len(pages), pages=len(pages))}" in text[-1]
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


def test_pdf_translates_outcomes_exceptions_and_booleans(pdfs):
    whole = "\n".join(pdf_text(pdfs["nl"]))
    assert words("nl")("outcome.not_a_piece") in whole
    assert words("nl")("exception.sheet_mismatch") in whole
    # Bundle 102's sheet disagrees with the ledger, 101's agrees (the last column).
    assert re.search(r"^102 .* nee\s*$", whole, re.MULTILINE)
    assert re.search(r"^101 .* ja\s*$", whole, re.MULTILINE)
    assert "True" not in whole and "False" not in whole


def test_long_exceptions_table_flows_over_pages_with_every_item(pdfs, rec):
    text = pdf_text(pdfs["fr"])
    header = words("fr")("column.detail")
    pages_with_exceptions = [t for t in text if "scan_2024-12" in t]
    assert len(pages_with_exceptions) >= 10
    assert all(header in t for t in pages_with_exceptions), "header row not repeated"
    tokens = set("\n".join(text).split())
    missing = [item for item in rec.table("exceptions").column("item") if item not in tokens]
    assert not missing


def test_charts_are_drawn(pdfs):
    full = rasterise_pdf(pdfs["fr"], 50)[1]
    empty = rasterise_pdf(report_pdf(empty_reconciliation(), "fr"), 50)[1]
    assert coloured(full) > 5000
    assert coloured(empty) == 0
    assert ink(full) > 3 * ink(empty)


@pytest.mark.parametrize("key", ["by_day", "by_case", "delivery"])
def test_each_chart_is_drawn_from_its_own_table(key):
    rec = make_reconciliation(exceptions=0)
    tables = tuple(t if t.key == key else Table(t.key, t.columns, ()) for t in rec.tables)
    only = Reconciliation(rec.campaign_id, rec.campaign_name, rec.made_at, rec.head_seq,
                          rec.head_hash, rec.figures, tables)
    pdf = report_pdf(only, "en")
    assert coloured(rasterise_pdf(pdf, 50)[1]) > 2000
    assert pdf_text(pdf)[1].count("no data") == 2


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
    assert lines.count("none") == 10  # every table of the PDF (by_day is only a chart there)


def test_unknown_language_is_refused(rec):
    with pytest.raises(ValueError, match="de"):
        report_pdf(rec, "de")


def test_catalogue_names_every_key_in_every_language():
    keys = catalogue_keys()
    needed = ({f"figure.{k}" for k in FIGURES} | {f"table.{k}" for k in TABLES}
              | {f"column.{c}" for cs in TABLES.values() for c in cs}
              | {f"outcome.{o}" for o in OUTCOMES} | {f"exception.{e}" for e in EXCEPTIONS})
    assert not needed - keys
    for lang in LANGUAGES:
        w = words(lang)
        assert all(w(k, seq=1, page=1, pages=1, count=1, id="x", hash="x", when="x") for k in keys)


@pytest.mark.slow
def test_a_season_sized_report_flows_over_many_pages():
    """5,000 exception rows flow on (how long it takes: bench/audit.py)."""
    rec = make_reconciliation(cases=20, days=60, bundles=500, exceptions=5000)
    pdf = report_pdf(rec, "fr")
    assert len(pypdfium2.PdfDocument(pdf)) > 50


# ------------------------------------------------------------------ CSV

def test_csv_files_hold_every_table_and_figure(rec, tmp_path):
    written = write_report_csv(rec, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["figures.csv", *(f"{k}.csv" for k in TABLES)])
    assert sorted(written) == sorted(tmp_path.iterdir())
    for table in rec.tables:
        with open(tmp_path / f"{table.key}.csv", encoding="utf-8", newline="") as f:
            header, *rows = csv.reader(f)
        assert tuple(header) == table.columns
        assert rows == [[as_csv(v) for v in row] for row in table.rows]
    with open(tmp_path / "figures.csv", encoding="utf-8", newline="") as f:
        header, *rows = csv.reader(f)
    assert header == ["figure", "value"]
    assert rows == [[k, as_csv(rec.figures[k])] for k in FIGURES]


def as_csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_csv_guards_against_formulas_but_keeps_numbers(tmp_path):
    rows = (("=1+2", -5), ("+33 1 23", -0.5), ("-2", 3), ("@SUM(A1)", 1), ("\tx", 2), ("\rx", 4),
            ("safe - text", 6))
    rec = Reconciliation("c", "n", "2025-01-01T00:00:00Z", 1, HEAD_HASH,
                         {"items": -1}, (Table("by_station", TABLES["by_station"], rows),))
    write_report_csv(rec, tmp_path)
    with open(tmp_path / "by_station.csv", encoding="utf-8", newline="") as f:
        _, *read = csv.reader(f)
    assert read == [["'=1+2", "-5"], ["'+33 1 23", "-0.5"], ["'-2", "3"], ["'@SUM(A1)", "1"],
                    ["'\tx", "2"], ["'\rx", "4"], ["safe - text", "6"]]
    with open(tmp_path / "figures.csv", encoding="utf-8", newline="") as f:
        assert ["items", "-1"] in list(csv.reader(f))


def test_csv_writes_leave_no_temporary_files_and_replace_old_ones(rec, tmp_path):
    (tmp_path / "by_case.csv").write_text("old", encoding="utf-8")
    write_report_csv(rec, tmp_path)
    write_report_csv(rec, tmp_path)
    names = [p.name for p in tmp_path.iterdir()]
    assert all(n.endswith(".csv") and not n.startswith(".") for n in names), names
    assert (tmp_path / "by_case.csv").read_text(encoding="utf-8").startswith("case,person,")


def test_csv_refuses_a_table_key_that_is_not_a_file_name(tmp_path):
    rec = Reconciliation("c", "n", "t", 1, HEAD_HASH, {},
                         (Table("../escape", ("a",), ()),))
    with pytest.raises(ValueError):
        write_report_csv(rec, tmp_path / "out")
    assert not (tmp_path / "out").exists()


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
