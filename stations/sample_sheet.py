"""The file of an audit sample that checkers fill in, and reading it back from a spreadsheet.

Written as CSV (UTF-8 with a byte-order mark, `;` for French and Dutch) or XLSX, with the
headers, places and results in the chosen language. A spreadsheet round trip must not lose
what the draw needs again, so:

- the parameters (seed, event, round, draws, risk limit…) sit above the columns, one
  "label: value" per cell: text that no spreadsheet turns into a number or a date (a seed of
  twenty dice digits would otherwise come back as 1.23457E+19);
- item ids are written `#0000042` in CSV (text to Excel and Calc, which strip the zeros of
  0000042) and as text cells in XLSX; the reader takes 42, 0000042, #0000042 alike.

The reader takes `;`, `,` or tab, with or without a byte-order mark, UTF-8 or Windows-1252,
CSV or XLSX, headers and results in any of the three languages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from models.audit.population import Sample, SamplePiece
from models.audit.sampling import RiskLimits, SamplingError
from scanpipe.domain.i18n import LANGUAGES, text
from stations.errors import BadInput
from stations.spreadsheets import Cell, Sheet, SpreadsheetError, read_csv, write_csv, write_xlsx

COLUMNS = ("draw", "item", "where", "tray", "bundle", "position", "bundle_state", "receipt",
           "destination", "case", "kind", "source", "image", "result", "note")
RESULTS = ("match", "mismatch", "missing")
_PARAMETERS = ("seed", "as_of", "round", "previous", "draws", "population", "risk_limit",
               "tolerable", "expected")
_MARK = "scanpipe"


@dataclass(frozen=True)
class SampleHeader:
    """What a sample file must carry for the draw to be made again."""

    seed: str
    as_of: int
    round: int
    previous: int     # draws of the earlier rounds (0 for round 1)
    draws: int        # draws of the seeded order up to this round
    population: int
    limits: RiskLimits


@dataclass(frozen=True)
class CheckedPiece:
    item_id: int
    result: str | None   # match, mismatch, missing; None: not checked yet
    note: str
    row: int             # its row in the file (1 = the first), for messages


@dataclass(frozen=True)
class SampleFile:
    path: Path
    header: SampleHeader
    pieces: tuple[CheckedPiece, ...]


def item_text(item_id: int) -> str:
    """An item id as the CSV holds it: text to every spreadsheet."""
    return f"#{item_id:07d}"


def _percent(share: float, lang: str) -> str:
    value = format((Decimal(str(share)) * 100).normalize(), "f")
    return (value.replace(".", ",") if lang in ("fr", "nl") else value) + (" %" if lang == "fr" else "%")


def _preamble(header: SampleHeader, lang: str) -> list[list[Cell]]:
    colon = " : " if lang == "fr" else ": "
    values = {"seed": header.seed, "as_of": str(header.as_of), "round": str(header.round),
              "previous": str(header.previous), "draws": str(header.draws),
              "population": str(header.population),
              "risk_limit": _percent(header.limits.risk_limit, lang),
              "tolerable": _percent(header.limits.tolerable, lang),
              "expected": _percent(header.limits.expected, lang)}
    rows: list[list[Cell]] = [[_MARK, text("sample.title", lang)]]
    rows += [[text(f"sample.{key}", lang) + colon + values[key]] for key in _PARAMETERS]
    rows.append([text("sample.howto", lang)])
    return rows


def _row(piece: SamplePiece, lang: str, *, xlsx: bool) -> list[Cell]:
    place = piece.place
    state = text(f"office.state.{place.bundle_state}", lang) if place.bundle_state else None
    receipt = place.receipt_item
    return [piece.draw, f"{piece.item_id:07d}" if xlsx else item_text(piece.item_id),
            text(f"sample.place.{place.stratum}", lang), place.tray, place.bundle, place.position,
            state, (f"{receipt:07d}" if xlsx else item_text(receipt)) if receipt else None,
            piece.destination, piece.case, piece.kind, piece.source, piece.image_sha256, None, None]


def write_sample(path: Path, sample: Sample, header: SampleHeader, *, lang: str, sep: str,
                 xlsx: bool) -> Path:
    """Write this round's pieces of `sample`, with `header` above them, as CSV or XLSX."""
    columns = [text(f"sample.col.{c}", lang) for c in COLUMNS]
    rows = [_row(piece, lang, xlsx=xlsx) for piece in sample.pieces]
    if xlsx:
        ids = frozenset(text(f"sample.col.{c}", lang) for c in ("item", "receipt"))
        return write_xlsx(path, [Sheet(text("sample.title", lang), columns, rows, ids,
                                       preamble=_preamble(header, lang))])
    return write_csv(path, columns, rows, sep=sep, preamble=_preamble(header, lang))


# ---------------------------------------------------------------------------- reading

def _fold(value: str) -> str:
    """A word as compared: no accents, no case, no quotes, spaces and hyphens as one space."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    plain = re.sub(r"[«»\"'’.]", "", plain.casefold())
    return " ".join(plain.replace("-", " ").replace("_", " ").split())


def _words(prefix: str, keys: Sequence[str]) -> dict[str, str]:
    """Every language's wording of `prefix.key`, folded, to its key."""
    return {_fold(text(f"{prefix}.{key}", lang)): key for key in keys for lang in LANGUAGES}


_COLUMN_WORDS = _words("sample.col", COLUMNS)
_RESULT_WORDS = {**_words("sample.result", RESULTS), "ok": "match"}
_PARAMETER_WORDS = _words("sample", _PARAMETERS)


def _cell(value: object) -> str:
    """A cell as text, as written: what a spreadsheet made a number goes back to digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text_ = str(value).replace("\u00a0", " ").replace("\u202f", " ").strip()
    return text_[1:] if text_.startswith("'") else text_  # a spreadsheet's text mark


def _rows(path: Path) -> list[list[str]]:
    try:
        with path.open("rb") as stream:
            zipped = stream.read(4) == b"PK\x03\x04"
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
    if not zipped:
        try:
            return [[_cell(c) for c in row] for row in read_csv(path)]
        except SpreadsheetError as exc:
            raise BadInput(str(exc)) from None
    from openpyxl import load_workbook  # an XLSX (a zip): its first sheet

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise BadInput(f"{path}: not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        return [[_cell(c) for c in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _parameter(cell: str) -> tuple[str, str] | None:
    label, colon, value = cell.partition(":")
    key = _PARAMETER_WORDS.get(_fold(label)) if colon else None
    return (key, value.strip()) if key else None


def _share(value: str, what: str, path: Path) -> float:
    cleaned = value.replace(" ", "").replace(",", ".")
    try:
        number = Decimal(cleaned.rstrip("%"))
    except InvalidOperation:
        raise BadInput(f"{path}: its {what} is not a number: {value!r}") from None
    return float(number / 100 if cleaned.endswith("%") else number)


def _count(value: str, what: str, path: Path) -> int:
    try:
        return int(value.replace(" ", ""))
    except ValueError:
        raise BadInput(f"{path}: its {what} is not a whole number: {value!r}") from None


def _header(found: dict[str, str], path: Path) -> SampleHeader:
    missing = [text(f"sample.{key}", "en") for key in _PARAMETERS if key not in found]
    if missing:
        raise BadInput(f"{path}: the sample's parameters above the columns are incomplete (no "
                       f"{', '.join(missing)}): use the file 'scanpipe audit sample' wrote, "
                       "with its first rows kept")
    try:
        limits = RiskLimits(_share(found["risk_limit"], "risk limit", path),
                            _share(found["tolerable"], "tolerable rate", path),
                            _share(found["expected"], "expected rate", path))
    except SamplingError as exc:
        raise BadInput(f"{path}: {exc}") from None
    return SampleHeader(found["seed"], _count(found["as_of"], "event", path),
                        _count(found["round"], "round", path),
                        _count(found["previous"], "draws of earlier rounds", path),
                        _count(found["draws"], "draws", path),
                        _count(found["population"], "population", path), limits)


def parse_item(value: str) -> int | None:
    """An item id as a checker or a spreadsheet may have left it: 42, 0000042, #0000042."""
    found = re.fullmatch(r"[#№]?\s*(?:n[°o]\.?\s*)?0*(\d{1,12})", value.strip(), re.IGNORECASE)
    return int(found.group(1)) if found else None


def parse_result(value: str) -> str | None:
    """match, mismatch or missing from a result in any language; None when blank; ValueError
    for anything else."""
    if not value.strip():
        return None
    try:
        return _RESULT_WORDS[_fold(value)]
    except KeyError:
        raise ValueError(value) from None


def read_sample(path: Path) -> SampleFile:
    """A filled-in sample file, as written or after a spreadsheet saved it."""
    rows = _rows(path)
    if rows and rows[0] and rows[0][0].startswith("# scanpipe sample"):
        raise BadInput(f"{path}: a sample drawn by an earlier scanpipe (delivered pieces only, "
                       "with a JSON first line): draw a new one with 'scanpipe audit sample'")
    found: dict[str, str] = {}
    for number, row in enumerate(rows):
        keys = [_COLUMN_WORDS.get(_fold(c)) for c in row]
        if "item" in keys and "result" in keys:
            header, body, first = keys, rows[number + 1:], number + 2
            break
        for cell in row:
            parameter = _parameter(cell)
            if parameter:
                found.setdefault(*parameter)
    else:
        raise BadInput(f"{path}: no row of column names with 'item' and 'result' (in French "
                       "'pièce' and 'résultat', in Dutch 'stuk' and 'resultaat')")
    where = {key: index for index, key in reversed(list(enumerate(header))) if key}
    pieces: list[CheckedPiece] = []
    wrong: list[str] = []
    seen: set[int] = set()
    for offset, row in enumerate(body):
        cells = {key: row[index] if index < len(row) else "" for key, index in where.items()}
        if not any(row):
            continue
        item = parse_item(cells["item"])
        if item is None:
            raise BadInput(f"{path}, row {first + offset}: {cells['item']!r} is not an item number")
        if item in seen:
            raise BadInput(f"{path}, row {first + offset}: item {item:07d} is listed twice")
        seen.add(item)
        try:
            result = parse_result(cells["result"])
        except ValueError:
            wrong.append(f"row {first + offset}: {cells['result']!r}")
            continue
        pieces.append(CheckedPiece(item, result, cells.get("note", ""), first + offset))
    if wrong:
        accepted = "; ".join(", ".join(text(f"sample.result.{r}", lang) for r in RESULTS)
                             for lang in LANGUAGES)
        raise BadInput(f"{path}: a result is one of {accepted} (or left blank), not "
                       + "; ".join(wrong[:5]) + (" …" if len(wrong) > 5 else ""))
    return SampleFile(path, _header(found, path), tuple(pieces))
