"""The auditors' reconciliation report for a terminal and for spreadsheets.

The report (`models.audit.report_types.Reconciliation`) is made from the ledger
elsewhere; this module shows it as terminal text and writes it as CSV files or one
workbook in the reader's language (`stations.spreadsheets`); the season summary PDF is
`stations.audit_pdf`. Its values may be text that somebody typed or named (stations,
operators, file names), so the terminal gets no control characters and spreadsheets no
formulas.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from models.audit.report_types import FIGURES, Cell, Reconciliation, Table
from stations.audit_words import Words, words
from stations.spreadsheets import Sheet, separator, write_csv, write_xlsx
from stations.untrusted import terminal_text

_CSV_NAME = re.compile(r"[a-z][a-z0-9_]*")
_NONE = "—"

# Columns whose values are catalogue words, and the namespace they are found in.
TRANSLATED = {"outcome": "outcome", "exception": "exception", "state": "state", "kind": "kind"}
# Numbers that name a thing rather than count: never grouped by thousands.
IDENTIFIERS = frozenset({"item", "bundle", "page"})
# Columns a workbook keeps as text (item numbers keep their leading zeros).
_TEXT_COLUMNS = frozenset({"item"})


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def numeric_columns(table: Table) -> list[bool]:
    """Which columns hold numbers only (they are right-aligned)."""
    def numeric(values: list) -> bool:
        present = [v for v in values if v is not None]
        return bool(present) and all(is_number(v) for v in present)
    return [numeric(table.column(c)) and c not in IDENTIFIERS for c in table.columns]


def figure_keys(rec: Reconciliation) -> list[str]:
    return [*FIGURES, *(k for k in rec.figures if k not in FIGURES)]


# ------------------------------------------------------------------ terminal

def report_text(rec: Reconciliation, *, limit: int | None = 50) -> str:
    """The report for a terminal, in English: header, headline figures, then every table.

    At most `limit` rows of a table are shown (None: all); the CSV files have the rest.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")
    en = words("en")
    figures = [(en.get(f"figure.{k}", terminal_text(k)), _text_figure(k, rec.figures.get(k)))
               for k in figure_keys(rec)]
    out = [f"{en('phrase.title')}: {terminal_text(rec.campaign_id)} — {terminal_text(rec.campaign_name)}",
           f"{en('phrase.covers', seq=rec.head_seq)} (hash {terminal_text(rec.head_hash[:16])})",
           en("phrase.made_at", when=terminal_text(rec.made_at)),
           "", en("phrase.figures"), *_grid((), figures, (False, True))]
    for table in rec.tables:
        out += ["", en.get(f"table.{table.key}", terminal_text(table.key))]
        if not table.rows:
            out.append(f"  {en('phrase.none')}")
            continue
        shown = table.rows if limit is None else table.rows[:limit]
        out += _grid([terminal_text(c) for c in table.columns],
                     [[_text_cell(v) for v in row] for row in shown], numeric_columns(table))
        hidden = len(table.rows) - len(shown)
        if hidden:
            more = en("phrase.more_row") if hidden == 1 else en("phrase.more_rows", count=hidden)
            out.append(f"  {more}")
    return "\n".join(out) + "\n"


def _text_figure(key: str, value: object) -> str:
    if key == "return_rate" and is_number(value):
        return f"{100 * value:.1f}%"
    return _text_cell(value)


def _text_cell(value: object) -> str:
    if value is None:
        return _NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return terminal_text(value)


def _grid(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    """Rows of aligned columns under an underlined header (none when `header` is empty)."""
    lines = [header, *rows] if header else rows
    widths = [max(_width(cell) for cell in column) for column in zip(*lines)]

    def line(cells: Sequence[str]) -> str:
        padded = ((" " * (w - _width(c)) + c) if r else (c + " " * (w - _width(c)))
                  for c, w, r in zip(cells, widths, right))
        return ("  " + "  ".join(padded)).rstrip()

    top = [line(header), line(["-" * w for w in widths])] if header else []
    return [*top, *map(line, rows)]


def _width(text: str) -> int:
    """Columns a terminal gives `text`: wide East Asian characters take two, accents none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF"
               else 1 for ch in text)


# ------------------------------------------------------------------ spreadsheets

def _sheet_value(w: Words, column: str, value: Cell, decimal: str) -> Cell:
    """A cell for a spreadsheet in `w`'s language: words translated (kinds, states, outcomes,
    exceptions, yes/no), decimals with the language's mark; ids and counts as they are."""
    if value is None:
        return None
    if isinstance(value, bool):
        return w("phrase.yes" if value else "phrase.no")
    if isinstance(value, float):
        return repr(value).replace(".", decimal) if decimal != "." else value
    namespace = TRANSLATED.get(column)
    if namespace and isinstance(value, str):
        return w.get(f"{namespace}.{value}", value)
    return value


def _sheets(rec: Reconciliation, w: Words, decimal: str) -> list[tuple[str, Sheet]]:
    """(file stem, sheet) for the figures and every table, in `w`'s language."""
    for table in rec.tables:
        if not _CSV_NAME.fullmatch(table.key) or table.key == "figures":
            raise ValueError(f"table key {table.key!r} cannot name a file: use lowercase "
                             "letters, digits and '_', and not 'figures'")
    figures = Sheet(w("table.figures"), (w("column.figure"), w("column.value")),
                    [(w.get(f"figure.{k}", k), _sheet_value(w, k, rec.figures.get(k), decimal))
                     for k in figure_keys(rec)])
    sheets = [("figures", figures)]
    for table in rec.tables:
        header = [w.get(f"column.{c}", c) for c in table.columns]
        rows = [[_sheet_value(w, c, v, decimal) for c, v in zip(table.columns, row)]
                for row in table.rows]
        text = frozenset(h for c, h in zip(table.columns, header) if c in _TEXT_COLUMNS)
        sheets.append((table.key, Sheet(w.get(f"table.{table.key}", table.key), header, rows,
                                        text)))
    return sheets


def write_report_csv(rec: Reconciliation, folder: Path, lang: str = "en",
                     sep: str | None = None) -> list[Path]:
    """Write `figures.csv` and one `<table key>.csv` per table into `folder` in `lang`
    (headers and words translated), UTF-8 with a byte-order mark, separated by `sep`
    (default: `;` in French and Dutch, `,` in English); return their paths.

    Each file appears whole or not at all (written under a temporary name, then renamed).
    """
    w = words(lang)
    separator_ = sep or separator(lang)
    decimal = "," if separator_ != "," and lang != "en" else "."
    sheets = _sheets(rec, w, decimal)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_csv(folder / f"{stem}.csv", sheet.header, sheet.rows, sep=separator_)
            for stem, sheet in sheets]


def write_report_xlsx(rec: Reconciliation, path: Path, lang: str = "en") -> Path:
    """Write the figures and every table into one workbook at `path`, a sheet each, in `lang`;
    item numbers are text, so 0000042 keeps its zeros."""
    w = words(lang)
    sheets = [sheet for _, sheet in _sheets(rec, w, ".")]
    titles: set[str] = set()
    unique = []
    for sheet in sheets:  # Excel refuses two sheets of one name (31 characters at most)
        title = sheet.title[:31]
        n = 2
        while title.lower() in titles:
            title = f"{sheet.title[:27]} ({n})"
            n += 1
        titles.add(title.lower())
        unique.append(Sheet(title, sheet.header, sheet.rows, sheet.text_columns))
    return write_xlsx(Path(path), unique)
