"""`scanpipe figures`: the campaign's figures as it publishes them, per case and in total.

A command of its own rather than more of `summary`: `summary` is the operators' view of what
was scanned (pages, reviews, blank sides); these are the figures the campaign publishes —
letters, postcards, paper and online signatures, "letters and signatures", outcomes — in a
form to hand on (text, CSV, JSON). Both count the pieces with the same query.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import click

from models.store.figures import CaseFigures, Figures, campaign_figures
from stations.cli.base import Context, echo_json, pass_context
from stations.untrusted import spreadsheet_text, terminal_text

_COLUMNS = ("letters_to_authority", "letters_to_person", "postcards", "petition_sheets",
            "paper_signatures", "uncounted_sheets", "online_signatures", "letters_and_signatures",
            "complete")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text",
              show_default=True)
@pass_context
def figures(obj: Context, fmt: str) -> None:
    """The campaign's figures per case and in total: letters to the authority and to the
    person, postcards, petition sheets and their signatures, online signatures by source,
    "letters and signatures", and each case's outcome."""
    store = obj.store(read_only=True)
    campaign = store.campaign()
    found = campaign_figures(campaign, store.routing_summary(), store.online_signatures(campaign.id),
                             store.outcomes(campaign.id))
    if fmt == "json":
        echo_json({"campaign": found.campaign_id, "name": found.campaign_name,
                   "cases": [_json(row) for row in found.cases], "total": _json(found.total)})
    elif fmt == "csv":
        click.echo(_csv(found), nl=False)
    else:
        _text(found)


def _numbers(row: CaseFigures) -> tuple[int | bool, ...]:
    return (row.letters, row.solidarity_letters, row.postcards, row.petitions,
            row.paper_signatures, row.uncounted_sheets, row.online_signatures,
            row.letters_and_signatures, row.complete)


def _json(row: CaseFigures) -> dict[str, Any]:
    return {"case": row.case, "person": row.person, **dict(zip(_COLUMNS, _numbers(row), strict=True)),
            "online": dict(row.online),
            "outcomes": [{"outcome": o.number, "kind": o.outcome.value, "date": o.on.isoformat(),
                          "source": o.source, "note": o.note} for o in row.outcomes]}


def _csv(found: Figures) -> str:
    sources = found.sources
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["case", "person", *_COLUMNS, *(spreadsheet_text(f"online: {s}") for s in sources),
                     "outcome", "outcome_date"])
    for row in (*found.cases, found.total):
        online = dict(row.online)
        latest = row.outcomes[-1] if row.outcomes else None
        writer.writerow([row.case, spreadsheet_text(row.person),
                         *(str(v).lower() if isinstance(v, bool) else v for v in _numbers(row)),
                         *(online.get(s, 0) for s in sources),
                         latest.outcome.value if latest else "",
                         latest.on.isoformat() if latest else ""])
    return buffer.getvalue()


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
