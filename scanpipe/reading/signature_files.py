"""Online petition exports read into signature counts per case: pure, no database, no clock.

Two shapes are recognised from the header (see the README, "Signatures from elsewhere"):
one row per case with a count (`case`, `count`, `source`, `date`), or one row per signature
(`case`, `date` and whatever else: names and e-mail addresses are counted, never kept). A case
is given by its code or by its person's name, exact once accents, case and punctuation are
folded: a name that is not exactly one case's is an error, never a guess (a signature counted
for the wrong case is a misroute). Every bad row is reported by line and column; one bad row
and nothing of the file is taken.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from scanpipe.domain.campaign import Campaign, Case
from scanpipe.domain.season import DayUse, check_day
from scanpipe.reading.matching import fold_words, persons_of

MAX_COUNT = 10_000_000   # a count above this in one row is a typing or export error
MAX_SOURCE = 80          # characters of a source's name
MAX_PROBLEMS = 200       # problems listed; more are counted

# Header names, folded (`fold_words`), of the columns that mean something to us.
CASE_COLUMNS = frozenset({"case", "case code", "cas", "code", "zaak", "dossier", "person", "personne",
                          "persoon", "beneficiary"})
COUNT_COLUMNS = frozenset({"count", "signatures", "nombre", "aantal", "handtekeningen", "total"})
SOURCE_COLUMNS = frozenset({"source", "bron", "platform", "plateforme"})
DATE_COLUMNS = frozenset({"date", "datum", "signed at", "signed on", "created", "created at",
                          "timestamp", "signe le", "getekend op"})


class Shape(StrEnum):
    COUNTS = "counts"          # one row per case (and source) with a count
    SIGNATURES = "signatures"  # one row per signature


@dataclass(frozen=True)
class Problem:
    """One bad place of a file: its line (1 = the header), the column, and what is wrong."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


class SignatureFileError(Exception):
    """The file cannot be taken; `problems` names every bad place (up to `MAX_PROBLEMS`)."""

    def __init__(self, problems: Sequence[Problem], more: int = 0):
        self.problems, self.more = tuple(problems), more
        lines = [str(p) for p in self.problems]
        if more:
            lines.append(f"… and {more} more problems")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class CaseCount:
    """The signatures a file gives one case from one source, with the days they span."""

    case: str
    source: str
    count: int
    first_date: date
    last_date: date


@dataclass(frozen=True)
class SignatureFile:
    sha256: str
    shape: Shape
    rows: int                      # data rows read
    counts: tuple[CaseCount, ...]  # per case and source, sorted
    dropped: tuple[str, ...]       # header names of the columns not kept (names, e-mails, …)

    @property
    def total(self) -> int:
        return sum(c.count for c in self.counts)


def fold(text: str) -> str:
    """A name or header as compared: accents, case and punctuation folded."""
    return " ".join(fold_words(text))


@dataclass(frozen=True)
class CaseNames:
    """How a file may name the campaign's cases: by code, or by a person's full name."""

    codes: dict[str, str]
    names: dict[str, frozenset[str]]

    @classmethod
    def of(cls, campaign: Campaign) -> CaseNames:
        names: dict[str, set[str]] = {}
        for case in campaign.cases:
            for name in _names_of(case):
                names.setdefault(name, set()).add(case.code)
        return cls({c.code.upper(): c.code for c in campaign.cases},
                   {name: frozenset(codes) for name, codes in names.items()})

    def find(self, given: str) -> str:
        """The case `given` names; ValueError saying why when it names none or several."""
        text = given.strip()
        if not text:
            raise ValueError("the case is empty")
        if text.upper() in self.codes:
            return self.codes[text.upper()]
        found = self.names.get(fold(text), frozenset())
        if len(found) == 1:
            return next(iter(found))
        if found:
            raise ValueError(f"{text!r} names several cases ({', '.join(sorted(found))}): "
                             "give the case code instead")
        raise ValueError(f"{text!r} is no case of the campaign: give the case code "
                         f"({', '.join(sorted(self.codes.values()))}) or the person's full name "
                         "as the campaign file writes it")


def _names_of(case: Case) -> set[str]:
    """The whole `person` field, and each person's full name (a group of two is named by either)."""
    people, _ = persons_of(case)
    return {n for n in (fold(case.person), *(fold(p.full) for p in people)) if n}


def _column(header: list[str], names: frozenset[str], what: str,
            problems: list[Problem]) -> int | None:
    found = [i for i, name in enumerate(header) if fold(name) in names]
    if len(found) > 1:
        problems.append(Problem(1, None, f"two columns give the {what}: "
                                         f"{', '.join(repr(header[i]) for i in found)}"))
    return found[0] if found else None


def _decoded(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SignatureFileError([Problem(line, None, "not UTF-8 text: save the export as UTF-8 "
                                                      "(CSV UTF-8) and import it again")]) from None
    return text.removeprefix("\ufeff")


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def parse_day(text: str) -> date:
    """A day written YYYY-MM-DD, or the day of an ISO 8601 time ("2021-12-10T14:03:00Z")."""
    value = text.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value).date()
    except ValueError:
        raise ValueError(f"{text!r} is not a date: write it YYYY-MM-DD") from None


def _count(text: str) -> int:
    value = text.strip()
    if not value.isascii() or not value.isdigit():
        raise ValueError(f"{text!r} is not a whole number of signatures (digits only, no sign, "
                         "no separators)")
    count = int(value) if len(value.lstrip("0")) <= len(str(MAX_COUNT)) else MAX_COUNT + 1
    if count > MAX_COUNT:
        raise ValueError(f"{value[:20]}{'…' if len(value) > 20 else ''} is more than {MAX_COUNT:,} "
                         "signatures in one row: check the export")
    return count


def _source(text: str) -> str:
    value = " ".join(text.split())
    if not value:
        raise ValueError("the source is empty: fill it in or give --source")
    if len(value) > MAX_SOURCE:
        raise ValueError(f"the source is longer than {MAX_SOURCE} characters")
    if any(not c.isprintable() for c in value):
        raise ValueError("the source holds control characters")
    return value


def read_signature_file(data: bytes, campaign: Campaign, *, source: str | None,
                        today: date) -> SignatureFile:
    """The signature counts per case of an export; raises `SignatureFileError` naming every bad
    row (by line and column) when anything is wrong, so nothing of a bad file is ever taken.

    `source`: the source of rows that name none (`--source`); the dates are bounded by the
    campaign's season and `today`.
    """
    default_source = _source(source) if source is not None else None
    text = _decoded(data)
    if not text.strip():
        raise SignatureFileError([Problem(1, None, "the file is empty")])
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise SignatureFileError([Problem(1, None, f"not a CSV header: {exc}")]) from None
    columns = {what: _column(header, names, what, problems) for what, names in
               (("case", CASE_COLUMNS), ("count", COUNT_COLUMNS), ("source", SOURCE_COLUMNS),
                ("date", DATE_COLUMNS))}
    if columns["case"] is None:
        problems.append(Problem(1, None, "no case column: name one 'case' (the case code or the "
                                         f"person's name); the header is {header!r}"))
    if columns["date"] is None:
        problems.append(Problem(1, None, "no date column: name one 'date' (YYYY-MM-DD)"))
    if columns["source"] is None and default_source is None:
        problems.append(Problem(1, None, "no source column: name one 'source', or give --source"))
    if problems:
        raise SignatureFileError(problems)
    shape = Shape.COUNTS if columns["count"] is not None else Shape.SIGNATURES
    kept = {i for i in columns.values() if i is not None}
    names = CaseNames.of(campaign)
    totals: dict[tuple[str, str], CaseCount] = {}
    rows = 0
    more = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(reader.line_num, None, f"not CSV: {exc}"))
            break
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        found = _row(row, header, columns, names, default_source, campaign, today, reader.line_num)
        if isinstance(found, list):
            for problem in found:
                if len(problems) < MAX_PROBLEMS:
                    problems.append(problem)
                else:
                    more += 1
            continue
        case, source_name, count, day = found
        seen = totals.get((case, source_name))
        totals[(case, source_name)] = CaseCount(case, source_name, count, day, day) if seen is None \
            else CaseCount(case, source_name, seen.count + count, min(seen.first_date, day),
                           max(seen.last_date, day))
    if not problems and rows == 0:
        problems.append(Problem(1, None, "the file has a header but no rows"))
    if problems:
        raise SignatureFileError(problems, more)
    counts = tuple(totals[key] for key in sorted(totals))
    return SignatureFile(hashlib.sha256(data).hexdigest(), shape, rows, counts,
                         tuple(h for i, h in enumerate(header) if i not in kept))


def _row(row: list[str], header: list[str], columns: dict[str, int | None], names: CaseNames,
         default_source: str | None, campaign: Campaign, today: date,
         line: int) -> tuple[str, str, int, date] | list[Problem]:
    """One data row's case, source, count and day, or its problems."""
    problems: list[Problem] = []
    if len(row) != len(header):
        return [Problem(line, None, f"{len(row)} fields where the header has {len(header)}")]

    def cell(what: str) -> tuple[str, str] | None:
        index = columns[what]
        return None if index is None else (header[index], row[index])

    case = source = day = None
    count = 1
    for what in ("case", "count", "source", "date"):
        found = cell(what)
        if found is None:
            continue
        name, value = found
        try:
            if what == "case":
                case = names.find(value)
            elif what == "count":
                count = _count(value)
            elif what == "source":
                source = _source(value) if value.strip() or default_source is None else default_source
            else:
                day = parse_day(value)
                check_day(day, campaign, today, DayUse.RECORD)
        except ValueError as exc:
            problems.append(Problem(line, name, str(exc)))
    if problems:
        return problems
    assert case is not None and day is not None  # their columns exist (checked on the header)
    return case, source or default_source or "", count, day
