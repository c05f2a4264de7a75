"""Spreadsheet files (stations/spreadsheets.py) and progress bars (stations/progress.py)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from stations.progress import line, progress_bar
from stations.spreadsheets import Sheet, read_csv, separator, write_csv, write_xlsx


def test_french_and_dutch_readers_get_semicolons_english_commas_unless_asked() -> None:
    assert separator("fr") == ";" and separator("nl") == ";" and separator("en") == ","
    assert separator("fr", "comma") == "," and separator("en", "tab") == "\t"


def test_csv_has_a_byte_order_mark_one_value_per_cell_and_no_formula(tmp_path) -> None:
    path = write_csv(tmp_path / "t.csv", ["item", "name", "count"],
                     [["0000042", "Élise; Dupont", 3], ["0000043", "=HYPERLINK(1)", None]],
                     sep=";")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["item", "name", "count"], ["0000042", "Élise; Dupont", "3"],
                    ["0000043", "'=HYPERLINK(1)", ""]]
    assert not (tmp_path / "t.csv.part").exists()


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_reader_takes_back_any_separator_with_or_without_bom(tmp_path, sep: str) -> None:
    text = sep.join(["item", "result"]) + "\r\n" + sep.join(["42", "conforme"]) + "\r\n"
    for name, data in (("bom.csv", "\ufeff" + text), ("plain.csv", text)):
        (tmp_path / name).write_text(data, encoding="utf-8", newline="")
        assert read_csv(tmp_path / name) == [["item", "result"], ["42", "conforme"]]


def test_reader_takes_a_windows_1252_file_as_excel_saves_it(tmp_path) -> None:
    (tmp_path / "w.csv").write_bytes("item;note\r\n42;déjà vu\r\n".encode("cp1252"))
    assert read_csv(tmp_path / "w.csv") == [["item", "note"], ["42", "déjà vu"]]


def test_xlsx_keeps_ids_as_text_and_formulas_inert(tmp_path) -> None:
    write_xlsx(tmp_path / "t.xlsx", [Sheet("Pièces: 1/2", ["item", "n", "note"],
                                           [["0000042", 7, "=1+1"]], frozenset({"item"}))])
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    sheet = book.worksheets[0]
    assert sheet.title == "Pièces_ 1_2"
    assert list(sheet.values) == [("item", "n", "note"), ("0000042", 7, "'=1+1")]
    assert sheet["A2"].data_type == "s" and sheet["A2"].number_format == "@"


def test_progress_bar_draws_nothing_off_a_terminal() -> None:
    stream = io.StringIO()
    with progress_bar("Verifying", stream=stream) as tick:
        for done in range(0, 1001, 100):
            tick(done, 1000)
    assert stream.getvalue() == ""


def test_progress_bar_on_a_terminal_shows_count_and_time_left(monkeypatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    clock = iter(float(t) for t in range(100))
    monkeypatch.setattr("stations.progress.time.monotonic", lambda: next(clock))
    stream = Terminal()
    with progress_bar("Verifying", stream=stream, unit="events") as tick:
        tick(250, 1000)
    out = stream.getvalue()
    assert "Verifying [" in out and "250/1,000 events" in out and "left" in out
    assert out.endswith("\r\x1b[K")  # cleared at the end
    assert line("X", 1000, 1000, 5.0).endswith("100%")
