"""Kit orders as the office exports them from a spreadsheet: one CSV row per school, group or
person who ordered kits. Read and checked here, without a database: every bad row is named by
its line and column with what to write instead, and a file with a bad row gives no order at all.

The file: a header row, then one row per order; `;` or `,` between cells (Excel writes `;` in
French and Dutch), UTF-8 with or without a byte-order mark, an address over several lines in a
quoted cell. Header names in English, French or Dutch.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

MAX_KITS = 10_000        # kits in one order: a larger one is split into several orders
MAX_FILE_BYTES = 20_000_000
MAX_ORDERS = 100_000
MAX_TEXT = 200           # characters of a name, a contact
MAX_ADDRESS_LINES = 8
MAX_ADDRESS_LINE = 100
LANGUAGES = ("fr", "nl", "en")

Report = Callable[[str, str], None]  # (column, what is wrong and what to write)


class OrderKind(StrEnum):
    SCHOOL = "school"
    GROUP = "group"
    PERSON = "person"


COLUMNS = ("reference", "kind", "name", "contact", "email", "address", "language", "kits")
_REQUIRED = ("reference", "kind", "name", "contact", "address", "kits")
_OPTIONAL_HINT = "email and language may be left out; contact may be empty for a person"

# Header names, folded (see `_fold`), per column: English, French, Dutch.
_HEADERS: dict[str, tuple[str, ...]] = {
    "reference": ("reference", "ref", "referentie", "commande", "bestelling", "ordernummer"),
    "kind": ("kind", "type", "genre", "soort"),
    "name": ("name", "nom", "naam"),
    "contact": ("contact", "contactperson", "personnedecontact", "contactpersoon"),
    "email": ("email", "mail", "courriel", "adressemail", "emailadres"),
    "address": ("address", "adresse", "adres", "adressepostale", "postadres"),
    "language": ("language", "lang", "langue", "taal"),
    "kits": ("kits", "kit", "nombredekits", "aantalkits", "kitswanted"),
}
_KIND_WORDS: dict[str, OrderKind] = {
    **dict.fromkeys(("school", "ecole", "etablissementscolaire"), OrderKind.SCHOOL),
    **dict.fromkeys(("group", "groupe", "groep"), OrderKind.GROUP),
    **dict.fromkeys(("person", "personne", "persoon", "individu", "individual", "particulier"),
                    OrderKind.PERSON),
}
_LANGUAGE_WORDS: dict[str, str] = {
    **dict.fromkeys(("fr", "francais", "french", "frans"), "fr"),
    **dict.fromkeys(("nl", "nederlands", "neerlandais", "dutch", "vlaams"), "nl"),
    **dict.fromkeys(("en", "english", "anglais", "engels"), "en"),
}
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Every control character but the line breaks an address may hold.
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class KitOrderLine:
    """One order as read from the file, checked; `line` is where its row starts."""

    line: int
    reference: str
    kind: OrderKind
    name: str
    contact: str
    email: str | None
    address: str  # lines joined by "\n"
    language: str
    kits: int

    def values(self) -> dict[str, str | int | None]:
        """The order as the ledger's `orders.imported` event holds it (no line number)."""
        return {"reference": self.reference, "kind": self.kind.value, "name": self.name,
                "contact": self.contact, "email": self.email, "address": self.address,
                "language": self.language, "kits": self.kits}


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str | None  # None: the row or the file as a whole
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class OrdersFileError(ValueError):
    """The file cannot be imported; `problems` names every bad place, in order."""

    def __init__(self, problems: list[RowProblem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _fold(text: str) -> str:
    """Lower case, accents and everything but letters and digits removed: how header names,
    kinds and languages are compared ("Référence", "E-mail", "Néerlandais")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def parse_orders(data: bytes, default_language: str) -> tuple[KitOrderLine, ...]:
    """The orders of a CSV file; raises `OrdersFileError` naming every bad line and column."""
    if len(data) > MAX_FILE_BYTES:
        raise OrdersFileError([RowProblem(1, None, f"the file holds {len(data):,} bytes, more than "
                                                   f"{MAX_FILE_BYTES:,}: split it into several files")])
    text = _decoded(data)
    if not text.strip():
        raise OrdersFileError([RowProblem(1, None, "the file is empty: it needs a header row ("
                                                   + ", ".join(COLUMNS) + ") and a row per order")])
    rows = _rows(text)
    header_line, header = rows[0]
    columns, problems = _columns(header, header_line)
    if problems:
        raise OrdersFileError(problems)
    orders: list[KitOrderLine] = []
    first_line: dict[str, int] = {}
    for line, cells in rows[1:]:
        if not any(cell.strip() for cell in cells):
            continue  # a blank row, as spreadsheets leave at the end
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            problems.append(RowProblem(line, None, f"{len(cells)} cells but the header has "
                                                   f"{len(header)} columns: put a cell holding "
                                                   "';' or ',' between double quotes"))
            continue
        values = {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}
        order = _order(line, values, default_language, problems)
        if order is None:
            continue
        if order.reference in first_line:
            problems.append(RowProblem(line, "reference", f"{order.reference!r} is also the "
                                       f"reference of line {first_line[order.reference]}: every "
                                       "order needs its own reference"))
            continue
        first_line[order.reference] = line
        orders.append(order)
        if len(orders) > MAX_ORDERS:
            problems.append(RowProblem(line, None, f"more than {MAX_ORDERS:,} orders: split the file"))
            break
    if not orders and not problems:
        problems.append(RowProblem(header_line + 1, None, "no order under the header row: add a "
                                                          "row per order"))
    if problems:
        raise OrdersFileError(problems)
    return tuple(orders)


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise OrdersFileError([RowProblem(line, None, f"not UTF-8 text (byte 0x{data[exc.start]:02X}): "
                                                      "save the file as 'CSV UTF-8' (Excel) or with "
                                                      "the character set 'Unicode (UTF-8)' "
                                                      "(LibreOffice)")]) from None


def _delimiter(text: str) -> str:
    """`;` or `,` (or a tab): whichever the header row has most of."""
    header = text.lstrip("\r\n").splitlines()[0]
    return max((";", ",", "\t"), key=header.count)


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Every row with the line it starts on; a quoted cell may run over several lines."""
    reader = csv.reader(text.splitlines(keepends=True), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise OrdersFileError([RowProblem(start, None, f"cannot be read as CSV ({exc}): check the "
                                                       "double quotes of this row")]) from None
    while rows and not any(c.strip() for c in rows[0][1]):
        rows.pop(0)  # blank lines before the header
    return rows


def _columns(header: list[str], line: int) -> tuple[dict[str, int], list[RowProblem]]:
    known = {alias: column for column, aliases in _HEADERS.items() for alias in aliases}
    columns: dict[str, int] = {}
    problems: list[RowProblem] = []
    for index, name in enumerate(header):
        folded = _fold(name)
        if not folded:
            continue
        column = known.get(folded)
        if column is None:
            problems.append(RowProblem(line, name.strip(), "unknown column: the columns are "
                                                           + ", ".join(COLUMNS)))
        elif column in columns:
            problems.append(RowProblem(line, name.strip(), f"a second column for {column}: keep one"))
        else:
            columns[column] = index
    for column in _REQUIRED:
        if column not in columns:
            problems.append(RowProblem(line, column, "no such column in the header row: add it ("
                                                     + ", ".join(COLUMNS) + f"; {_OPTIONAL_HINT})"))
    return columns, problems


def _order(line: int, cells: dict[str, str], default_language: str,
           problems: list[RowProblem]) -> KitOrderLine | None:
    found = len(problems)

    def bad(column: str, message: str) -> None:
        problems.append(RowProblem(line, column, message))

    values = {column: cell.strip() for column, cell in cells.items()}
    for column, value in values.items():
        if _CONTROL.search(value) or (column != "address" and ("\n" in value or "\r" in value)):
            bad(column, "holds a control character or a line break: keep it to one line of "
                        "plain text" if column != "address" else "holds a control character: "
                                                                 "keep to plain text")
            values[column] = ""
    reference = values.get("reference", "")
    if not reference:
        bad("reference", "empty: give the order's own reference, e.g. 2026-014")
    elif not _REFERENCE.fullmatch(reference):
        bad("reference", f"{reference[:60]!r}: a reference is 1 to 40 letters, digits, '-', '_' "
                         "or '.', starting with a letter or digit, e.g. 2026-014")
    kind = _KIND_WORDS.get(_fold(values.get("kind", "")))
    if kind is None:
        bad("kind", f"{values.get('kind', '')[:60]!r}: write school, group or person "
                    "(école, groupe, personne; school, groep, persoon)")
    name = values.get("name", "")
    if not name:
        bad("name", "empty: the school's, group's or person's name")
    elif len(name) > MAX_TEXT:
        bad("name", f"{len(name)} characters: at most {MAX_TEXT}")
    contact = values.get("contact", "") or (name if kind is OrderKind.PERSON else "")
    if not contact:
        bad("contact", "empty: the person to write to about this order")
    elif len(contact) > MAX_TEXT:
        bad("contact", f"{len(contact)} characters: at most {MAX_TEXT}")
    email = values.get("email", "") or None
    if email is not None and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        bad("email", f"{email[:60]!r} is not an e-mail address: write name@example.org, "
                     "or leave the cell empty")
    address = _address(values.get("address", ""), bad)
    language = values.get("language", "")
    lang = _LANGUAGE_WORDS.get(_fold(language)) if language else default_language
    if lang is None:
        bad("language", f"{language[:60]!r}: write fr, nl or en (or leave the cell empty for "
                        f"the campaign's language, {default_language})")
    kits = _kits(values.get("kits", ""), bad)
    if len(problems) > found or kind is None or lang is None or kits is None:
        return None
    return KitOrderLine(line, reference, kind, name, contact, email, address, lang, kits)


def _address(value: str, report: Report) -> str:
    lines = [" ".join(part.split()) for part in value.splitlines()]
    lines = [part for part in lines if part]
    if not lines:
        report("address", "empty: the postal address to send the kits to (several lines in one "
                          "cell are fine)")
    elif len(lines) > MAX_ADDRESS_LINES:
        report("address", f"{len(lines)} lines: at most {MAX_ADDRESS_LINES}")
    elif any(len(part) > MAX_ADDRESS_LINE for part in lines):
        report("address", f"a line longer than {MAX_ADDRESS_LINE} characters: break it")
    return "\n".join(lines)


def _kits(value: str, report: Report) -> int | None:
    if not value.isascii() or not value.isdigit():
        report("kits", f"{value[:60]!r} is not a whole number: write how many kits, from 1 to "
                       f"{MAX_KITS:,}, e.g. 12")
        return None
    kits = int(value)
    if kits < 1:
        report("kits", "0: an order is for 1 kit at least (leave out an order of none)")
        return None
    if kits > MAX_KITS:
        report("kits", f"{kits:,}: at most {MAX_KITS:,} kits in one order; split a larger one "
                       "into several orders")
        return None
    return kits
