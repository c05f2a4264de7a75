"""`scanpipe compare A B`: two campaigns (years) of the ledger side by side, per case and kind."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

import click

from stations.cli.base import Context, pass_context
from stations.untrusted import spreadsheet_text, terminal_text

if TYPE_CHECKING:  # the store is imported when the command runs, so that --help loads none of it
    from models.store.years import ComparedCase, Comparison

_HEADS = {"letters": "letters", "solidarity_letters": "to person", "postcards": "postcards",
          "petitions": "petitions", "signatures": "signatures"}
_MATCHED = {"code": "", "person": "same person", "a_only": "only in {a}", "b_only": "only in {b}"}


@click.command()
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True,
              help="A table to read, or CSV (one row per case and kind, then the totals).")
@pass_context
def compare(obj: Context, a: str, b: str, fmt: str) -> None:
    """Compare campaign A with campaign B (two years in this ledger), per case and per kind:
    routed letters to the authority, letters to the person, postcards, petition sheets and their
    signatures — A, B and the difference B − A, then the totals.

    Cases are matched by code, then by the person's name when the code changed; a case of one
    year only is listed as such. The counts are those `scanpipe --campaign-id ID summary` gives.
    """
    comparison = obj.store(read_only=True).compare_campaigns(a, b)
    click.echo(_csv(comparison) if fmt == "csv" else _text(comparison), nl=fmt != "csv")


def _case_label(case: ComparedCase) -> str:
    codes = [c.code for c in (case.a, case.b) if c is not None]
    return codes[0] if len(set(codes)) == 1 else " / ".join(codes)


def _cell(a: int, b: int, difference: int) -> str:
    return f"{a} → {b}" + (f" ({difference:+d})" if difference else "")


def _text(comparison: Comparison) -> str:
    """One line per case: each kind as "A → B (difference)", then how the case was matched."""
    from models.store.years import FIGURES

    a, b = terminal_text(comparison.a), terminal_text(comparison.b)
    heads = " ".join(f"{_HEADS[figure]:<15}" for figure in FIGURES)
    lines = [f"Campaign {a} → {b}: routed pieces per case and kind (difference = {b} − {a})",
             f"  {'case':<18} {'person':<24} {heads} note"]
    for case in comparison.cases:
        cells = " ".join(f"{_cell(*case.pair(figure)):<15}" for figure in FIGURES)
        note = _MATCHED[case.matched_by].format(a=comparison.a, b=comparison.b)
        lines.append(terminal_text(f"  {_case_label(case):<18} {case.person[:24]:<24} {cells} {note}"
                                   .rstrip()))
    totals = " ".join(f"{_cell(*values):<15}" for values in comparison.totals().values())
    lines.append(f"  {'total':<18} {'':<24} {totals}".rstrip())
    return "\n".join(lines)


def _csv(comparison: Comparison) -> str:
    from models.store.years import FIGURES

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["case_a", "case_b", "person", "matched_by", "kind", comparison.a, comparison.b,
                     "difference"])
    for case in comparison.cases:
        for figure in FIGURES:
            writer.writerow([spreadsheet_text(case.a.code) if case.a else "",
                             spreadsheet_text(case.b.code) if case.b else "",
                             spreadsheet_text(case.person), case.matched_by, figure,
                             *case.pair(figure)])
    for figure, values in comparison.totals().items():
        writer.writerow(["total", "total", "", "", figure, *values])
    return out.getvalue()
