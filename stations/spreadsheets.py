"""Files people open in a spreadsheet: CSV in the convention of the reader's language, and XLSX.

French and Dutch Excel split a CSV on semicolons (their decimal mark is the comma); English
Excel on commas. Every CSV is written in UTF-8 with a byte-order mark, without which Excel
reads it as the Windows code page and garbles accented names. Every cell holds one value;
text that a spreadsheet would take for a formula gets a leading quote (`spreadsheet_text`).
The reader takes back what a spreadsheet saved: either separator (or a tab), with or without a
byte-order mark, in UTF-8 or, failing that, the Windows code page Excel uses in Western Europe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from stations.files import write_whole
from stations.untrusted import spreadsheet_text

SEPARATORS = {"fr": ";", "nl": ";", "en": ","}
CHOICES = {"semicolon": ";", "comma": ",", "tab": "\t"}
Cell = str | int | float | None


def separator(lang: str, choice: str | None = None) -> str:
    """The separator for readers of `lang`, unless `choice` (semicolon, comma, tab) says."""
    if choice:
        return CHOICES[choice]
    return SEPARATORS.get(lang, ",")


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value)
    return spreadsheet_text(str(value)) if isinstance(value, str) else str(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, sep: str,
             preamble: Sequence[Sequence[Cell]] = ()) -> str:
    """The CSV, as text (no byte-order mark): `preamble` rows, then the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    for row in preamble:
        writer.writerow([_cell(v) for v in row])
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, sep: str,
              preamble: Sequence[Sequence[Cell]] = ()) -> Path:
    """Write the CSV to `path` in UTF-8 with a byte-order mark, whole or not at all (a partial
    file renamed into place)."""
    text = "\ufeff" + csv_text(header, rows, sep=sep, preamble=preamble)
    return write_whole(path, text.encode("utf-8"))


@dataclass(frozen=True)
class Sheet:
    """One worksheet of an XLSX file. Columns named in `text_columns` are stored as text, so
    that ids such as 0000042 keep their leading zeros. `preamble`: rows above the header, as
    `write_csv` has them."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    text_columns: frozenset[str] = frozenset()
    preamble: Sequence[Sequence[Cell]] = ()


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> Path:
    """Write `sheets` as one XLSX workbook (openpyxl, streamed), whole or not at all."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        page = book.create_sheet(title=_sheet_title(sheet.title))
        for row in sheet.preamble:
            page.append([_xlsx_value(value, False) for value in row])
        header = []
        for name in sheet.header:
            cell = WriteOnlyCell(page, value=name)
            cell.font = bold
            header.append(cell)
        page.append(header)
        text = [name in sheet.text_columns for name in sheet.header]
        for row in sheet.rows:
            cells = []
            for value, as_text in zip(row, text, strict=False):
                cell = WriteOnlyCell(page, value=_xlsx_value(value, as_text))
                if as_text:
                    cell.number_format = "@"
                cells.append(cell)
            page.append(cells)
    data = io.BytesIO()
    book.save(data)
    return write_whole(path, data.getvalue())


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in title)
    return cleaned[:31] or "Sheet"


def _xlsx_value(value: Cell, as_text: bool) -> Cell:
    if value is None:
        return None
    if as_text or isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        # openpyxl writes a string starting with "=" as a formula: keep it text; it refuses
        # control characters (a file name may hold them): shown as "?", as on a terminal.
        return ILLEGAL_CHARACTERS_RE.sub("?", spreadsheet_text(str(value)))
    return value


class SpreadsheetError(ValueError):
    """A file that is not a readable CSV."""


def read_csv(path: Path) -> list[list[str]]:
    """The rows of a CSV as a spreadsheet may have saved it: separator `;`, `,` or tab (the one
    its first line uses most), UTF-8 with or without a byte-order mark, else Windows-1252."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpreadsheetError(f"cannot read {path}: {exc.strerror or exc}") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly every byte; the five it does not land here
        raise SpreadsheetError(f"{path}: not a text file (neither UTF-8 nor Windows-1252)")
    if "\x00" in text:
        raise SpreadsheetError(f"{path}: not a CSV text file (it holds NUL bytes)")
    first = text.split("\n", 1)[0]
    sep = max((";", ",", "\t"), key=first.count)
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep)]
    except csv.Error as exc:
        raise SpreadsheetError(f"{path}: not a readable CSV ({exc})") from None
