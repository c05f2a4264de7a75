"""`scanpipe campaign`: check the campaign file, and load it into the ledger."""

from __future__ import annotations

import click

from stations.cli.base import Context, pass_context, read_campaign
from stations.progress import progress_bar
from stations.untrusted import terminal_text


@click.group()
def campaign() -> None:
    """Check and load the campaign file (cases, embassies, partners)."""


@campaign.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def campaign_check(file: str) -> None:
    """Validate a campaign FILE and list its cases; changes nothing.

    Every text a case gives in the campaign's language must be given for every other language
    its kits are offered in (`languages`): a missing one is named (cases[2].nl.letter)."""
    _, loaded = read_campaign(file)
    click.echo(f"{terminal_text(loaded.id)} — {terminal_text(loaded.name)}, "
               f"deadline {loaded.deadline.isoformat()}, "
               f"kits in {', '.join(loaded.offered_languages)}")
    click.echo(f"  season (the days typed dates may bear): {loaded.season.describe()}")
    for case in loaded.cases:
        click.echo(terminal_text(f"  {case.code:<10} {case.person} ({case.country}) "
                                 f"→ embassy {case.embassy}"))
    click.echo(f"OK: {len(loaded.cases)} cases, {len(loaded.embassies)} embassies, "
               f"{len(loaded.partners)} partners")


@campaign.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--operator", help="Who loads it [default: SCANPIPE_OPERATOR or your login].")
@click.option("--dry-run", is_flag=True, help="Show what the file changes, and load nothing.")
@pass_context
def campaign_load(obj: Context, file: str, operator: str | None, dry_run: bool) -> None:
    """Load (or update) the campaign FILE into the ledger.

    A new version of the campaign's file is shown against the one in force: cases, embassies,
    partners, keywords and texts added, removed or changed. When a case's letters or postcards
    go somewhere else now, the pieces already routed to the old place and not yet in a bundle
    are counted: loading the file does not move them ('scanpipe campaign reroute' does).
    """
    from scanpipe.domain.campaign import campaign_changes

    text, new = read_campaign(file)
    store = obj.store(create=not dry_run)  # the command that makes a ledger where there is none
    held = store.campaigns()
    old = store.campaign_named(new.id)
    if old is not None:
        store.work_for(new.id)  # the pieces still waiting are this campaign's
    changes = campaign_changes(old, new) if old is not None else []
    stale = store.stale_routes(new) if changes else []
    for change in changes:
        click.echo(terminal_text(f"  {change.subject:<16} {change.what}"))
        if change.case and change.before:
            waiting = sum(len(m.items) for m in stale if m.case == change.case and m.before == change.before)
            if waiting:
                click.echo(terminal_text(
                    f"  {'':<16} {_pieces(waiting)} of {change.case} not yet bundled still "
                    f"go{'es' if waiting == 1 else ''} to {change.before}"))
    if dry_run:
        click.echo(f"Dry run: nothing loaded ({len(changes)} change{'s' if len(changes) != 1 else ''}).")
        return
    loaded, changed = store.load_campaign(
        text, actor=operator or obj.settings.operator, station=obj.settings.station)
    state = "loaded" if changed else "already loaded, unchanged"
    click.echo(f"Campaign {terminal_text(loaded.id)} {state}: {len(loaded.cases)} cases.")
    if loaded.id not in held and held:
        click.echo(terminal_text(
            f"Added campaign {loaded.id} beside {', '.join(held)}: this ledger holds "
            f"{len(held) + 1} campaigns; commands work for the one added most recently unless "
            "--campaign-id (or SCANPIPE_CAMPAIGN_ID) names another."))
    if stale:
        click.echo(f"Loading the file moved no piece: {_pieces(sum(len(m.items) for m in stale))} not yet "
                   "bundled go where the campaign no longer sends them. Move them with "
                   "'scanpipe campaign reroute' (it shows them first with --dry-run).")


@campaign.command("reroute")
@click.argument("cases", nargs=-1, metavar="[CASE]...")
@click.option("--operator", help="Who moves them [default: SCANPIPE_OPERATOR or your login].")
@click.option("--dry-run", is_flag=True, help="Show what would move, and move nothing.")
@pass_context
def campaign_reroute(obj: Context, cases: tuple[str, ...], operator: str | None, dry_run: bool) -> None:
    """Move routed pieces to where the campaign in force sends their case now.

    After a new version of the campaign file changed a case's embassy (or where its postcards
    go), the pieces routed before and not yet in a bundle still go to the old place. This moves
    them (all cases, or the CASEs named), each with an 'item.moved' event in the ledger saying
    where it went before. Pieces already in a bundle never move: void the bundle first.
    """
    store = obj.store()
    campaign_in_force = store.campaign()
    unknown = [code for code in cases if campaign_in_force.case(code) is None]
    if unknown:
        raise click.BadParameter(terminal_text(f"no case {', '.join(unknown)} in campaign "
                                               f"{campaign_in_force.id}"), param_hint="CASE")
    chosen = list(cases) or None
    with progress_bar("Reroute", unit="pieces") as tick:
        moves = (store.stale_routes(campaign_in_force, chosen) if dry_run else
                 store.reroute(campaign_in_force, chosen, actor=operator or obj.settings.operator,
                               station=obj.settings.station, progress=tick))
    if not moves:
        click.echo("Nothing to move: every routed piece not yet bundled goes where the campaign sends it.")
        return
    for move in moves:
        click.echo(terminal_text(f"  {move.case:<12} {_pieces(len(move.items), move.kind)}: "
                                 f"{move.before} → {move.after}"))
    total = sum(len(m.items) for m in moves)
    click.echo(f"Dry run: {_pieces(total)} would move; nothing moved." if dry_run
               else f"Moved {_pieces(total)} (one 'item.moved' event each).")


def _pieces(count: int, kind: str = "routed piece") -> str:
    return f"{count} {kind}{'' if count == 1 else 's'}"
