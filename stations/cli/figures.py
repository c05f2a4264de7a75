"""`scanpipe figures`: the campaign's figures as it publishes them, per case and in total.

A command of its own rather than more of `summary`: `summary` is the operators' view of what
was scanned (pages, reviews, blank sides); these are the figures the campaign publishes —
letters, postcards, paper and online signatures, "letters and signatures", outcomes — in a
form to hand on (text, CSV, JSON). Both count the pieces with the same query.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from stations.audit_words import words
from stations.cli.base import LANGS, Context, pass_context
from stations.errors import BadInput
from stations.files import write_whole
from stations.spreadsheets import CHOICES, Cell, csv_text, separator, write_csv
from stations.untrusted import json_text, terminal_text

if TYPE_CHECKING:  # the store is imported when the command runs, so that --help loads none of it
    from models.store.figures import CaseFigures, Figures

_COLUMNS = ("letters_to_authority", "letters_to_person", "postcards", "petition_sheets",
            "paper_signatures", "uncounted_sheets", "online_signatures", "letters_and_signatures",
            "complete")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text",
              show_default=True)
@click.option("--lang", type=LANGS,
              help="Language of the CSV's headers and words [default: SCANPIPE_LANGUAGE].")
@click.option("--sep", type=click.Choice(sorted(CHOICES)),
              help="CSV separator [default: semicolon in French and Dutch, comma in English].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the CSV or JSON to this file [default: standard output].")
@pass_context
def figures(obj: Context, fmt: str, lang: str | None, sep: str | None, out: Path | None) -> None:
    """The campaign's figures per case and in total: letters to the authority and to the
    person, postcards, petition sheets and their signatures, online signatures by source,
    "letters and signatures", and each case's outcome.

    The CSV opens in a spreadsheet of its language: UTF-8 with a byte-order mark, one value
    per column, separated by semicolons in French and Dutch, commas in English."""
    from models.store.figures import campaign_figures

    if out is not None and not out.absolute().parent.is_dir():
        raise BadInput(f"--out {terminal_text(out)}: the folder "
                       f"{terminal_text(out.absolute().parent)} does not exist; create it or "
                       "choose another place")
    store = obj.store(read_only=True)
    campaign = store.campaign()
    found = campaign_figures(campaign, store.routing_summary(), store.online_signatures(campaign.id),
                             store.outcomes(campaign.id))
    language = lang or obj.settings.language
    if fmt == "text":
        _text(found)
        return
    if fmt == "json":
        text = json_text({"campaign": found.campaign_id, "name": found.campaign_name,
                          "cases": [_json(row) for row in found.cases], "total": _json(found.total)})
        if out is None:
            click.echo(text)
            return
        _write(out, lambda: write_whole(out, (text + "\n").encode("utf-8")))
    elif out is None:
        # With its byte-order mark, so that `figures --format csv > figures.csv` opens right.
        click.echo("\ufeff" + _csv(found, language, separator(language, sep)), nl=False)
        return
    else:
        header, rows = _table(found, language)
        _write(out, lambda: write_csv(out, header, rows, sep=separator(language, sep)))
    click.echo(f"Wrote {terminal_text(out)}", err=True)


def _write(out: Path, action: Callable[[], object]) -> None:
    try:
        action()
    except OSError as exc:
        raise BadInput(f"cannot write {terminal_text(out)}: {exc.strerror or exc}") from None


def _numbers(row: CaseFigures) -> tuple[int | bool, ...]:
    return (row.letters, row.solidarity_letters, row.postcards, row.petitions,
            row.paper_signatures, row.uncounted_sheets, row.online_signatures,
            row.letters_and_signatures, row.complete)


def _json(row: CaseFigures) -> dict[str, Any]:
    return {"case": row.case, "person": row.person, **dict(zip(_COLUMNS, _numbers(row), strict=True)),
            "online": dict(row.online),
            "outcomes": [{"outcome": o.number, "kind": o.outcome.value, "date": o.on.isoformat(),
                          "source": o.source, "note": o.note} for o in row.outcomes]}


def _table(found: Figures, lang: str) -> tuple[list[str], list[list[Cell]]]:
    """The figures as a spreadsheet in `lang`: headers and words translated, one value per
    column (a column per online source)."""
    w = words(lang)
    header = [w("column.case"), w("column.person"), *(w(f"published.{c}") for c in _COLUMNS),
              *(w("published.online", source=s) for s in found.sources),
              w("published.outcome"), w("published.outcome_date")]
    rows: list[list[Cell]] = []
    for row in (*found.cases, found.total):
        online = dict(row.online)
        latest = row.outcomes[-1] if row.outcomes else None
        rows.append([w("published.total") if row is found.total else row.case, row.person,
                     *(w("phrase.yes" if v else "phrase.no") if isinstance(v, bool) else v
                       for v in _numbers(row)),
                     *(online.get(s, 0) for s in found.sources),
                     w.get(f"case_outcome.{latest.outcome.value}", latest.outcome.value)
                     if latest else None,
                     latest.on.isoformat() if latest else None])
    return header, rows


def _csv(found: Figures, lang: str, sep: str) -> str:
    header, rows = _table(found, lang)
    return csv_text(header, rows, sep=sep)


def _signed(row: CaseFigures, value: int) -> str:
    """A figure that holds the paper signatures: '31+' when some sheets were not counted."""
    return f"{value}{'' if row.complete else '+'}"


def _text(found: Figures) -> None:
    click.echo(f"{terminal_text(found.campaign_name)} ({found.campaign_id}): letters and "
               "signatures per case")
    click.echo(f"  {'case':<10} {'to authority':>12} {'to person':>9} {'postcards':>9} "
               f"{'sheets':>6} {'paper sig.':>10} {'online':>8} {'letters+signatures':>18}")
    for row in (*found.cases, found.total):
        click.echo(f"  {row.case:<10} {row.letters:>12} {row.solidarity_letters:>9} "
                   f"{row.postcards:>9} {row.petitions:>6} "
                   f"{_signed(row, row.paper_signatures):>10} {row.online_signatures:>8} "
                   f"{_signed(row, row.letters_and_signatures):>18}")
    if not found.total.complete:
        n = found.total.uncounted_sheets
        click.echo(f"  + {n} petition sheet{'' if n == 1 else 's'} whose signatures were not "
                   "counted: the figures marked + are at least that much ('scanpipe summary' "
                   "lists the pieces in review)")
    online = [(row.case, source, n) for row in found.cases for source, n in row.online]
    if online:
        click.echo("Online signatures by source:")
        for case, source, n in online:
            click.echo(f"  {case:<10} {terminal_text(source):<30} {n:>9}")
    outcomes = [(row.case, o) for row in found.cases for o in row.outcomes]
    if outcomes:
        click.echo("Outcomes:")
        for case, o in outcomes:
            click.echo(f"  {case:<10} {o.outcome.value:<18} {o.on.isoformat()}  "
                       f"{terminal_text(o.source)}")
