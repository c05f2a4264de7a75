"""`scanpipe outcome`: what became of a case (freed, acquitted…), recorded and listed."""

from __future__ import annotations

import click

from stations.cli.base import Context, echo_json, pass_context
from stations.cli.choices import OUTCOME_YEARS_BEFORE, OUTCOMES
from stations.cli.days import typed_day
from stations.untrusted import terminal_text


@click.group()
def outcome() -> None:
    """What became of the cases: freed, acquitted, charges dropped, released on bail,
    sentence reduced, other. Each is a ledger event; a wrong one is corrected by a new
    one that names it (--corrects N), never edited."""


@outcome.command("record")
@click.argument("case")
@click.option("--outcome", "kind", type=click.Choice(OUTCOMES), required=True)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help=f"When it happened (YYYY-MM-DD): not in the future, not before January 1st "
                   f"of the campaign's year minus {OUTCOME_YEARS_BEFORE}; it may be after the season.")
@click.option("--source", required=True, help="Where the news comes from (a press release, a partner).")
@click.option("--note", help="Anything else worth keeping.")
@click.option("--corrects", type=int, help="The number of an outcome of this case this one replaces.")
@click.option("--operator", help="Who records it [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def outcome_record(obj: Context, case: str, kind: str, day, source: str, note: str | None,
                   corrects: int | None, operator: str | None) -> None:
    """Record what became of CASE (its code)."""
    from scanpipe.domain.outcomes import Outcome
    from scanpipe.domain.season import DayUse

    store = obj.store()
    campaign = store.campaign()
    on = typed_day(store, campaign, "--date", day, DayUse.OUTCOME)
    assert on is not None  # --date is required
    view = store.record_outcome(campaign, case.strip().upper(), Outcome(kind), on,
                                source=source, note=note, corrects=corrects,
                                actor=operator or obj.settings.operator, station=obj.settings.station)
    fixed = f", correcting outcome {view.corrects}" if view.corrects else ""
    click.echo(f"Outcome {view.number} recorded: {view.case} {view.outcome.value} on "
               f"{view.on.isoformat()}{fixed}.")


@outcome.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per outcome.")
@pass_context
def outcome_list(obj: Context, as_json: bool) -> None:
    """Every outcome recorded, oldest first; a corrected one says by which."""
    store = obj.store(read_only=True)
    views = store.outcomes(store.campaign().id)
    if as_json:
        for view in views:
            echo_json({"outcome": view.number, "case": view.case, "kind": view.outcome.value,
                       "date": view.on.isoformat(), "source": view.source, "note": view.note,
                       "corrects": view.corrects, "corrected_by": view.corrected_by,
                       "recorded_at": view.recorded_at, "recorded_by": view.recorded_by})
        return
    if not views:
        click.echo("No outcome recorded yet: 'scanpipe outcome record CASE --outcome … --date … "
                   "--source …'.")
        return
    for view in views:
        notes = [f"corrects {view.corrects}"] if view.corrects else []
        if view.corrected_by:
            notes.append(f"CORRECTED by {view.corrected_by}")
        extra = f"  [{'; '.join(notes)}]" if notes else ""
        note = f" — {terminal_text(view.note)}" if view.note else ""
        click.echo(f"{view.number:>4}  {view.case:<10} {view.outcome.value:<18} {view.on.isoformat()}"
                   f"  {terminal_text(view.source)}{note}{extra}")
