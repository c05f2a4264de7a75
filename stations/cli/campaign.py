"""`scanpipe campaign`: check the campaign file, and load it into the ledger."""

from __future__ import annotations

import click

from scanpipe.domain.routing import Kind
from stations.cli.base import Context, pass_context, read_campaign
from stations.untrusted import terminal_text


@click.group()
def campaign() -> None:
    """Check and load the campaign file (cases, embassies, partners)."""


@campaign.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def campaign_check(file: str) -> None:
    """Validate a campaign FILE and list its cases; changes nothing."""
    _, loaded = read_campaign(file)
    click.echo(f"{terminal_text(loaded.id)} — {terminal_text(loaded.name)}, "
               f"deadline {loaded.deadline.isoformat()}")
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
    are counted: loading the file does not move them.
    """
    from scanpipe.domain.campaign import campaign_changes

    text, new = read_campaign(file)
    store = obj.store()
    held = store.campaigns()
    old = store.campaign_named(new.id)
    if old is not None:
        store.work_for(new.id)  # the pieces still waiting are this campaign's
    changes = campaign_changes(old, new) if old is not None else []
    for change in changes:
        click.echo(terminal_text(f"  {change.subject:<16} {change.what}"))
        if change.case and change.route and change.before:
            waiting = store.unbundled_of(change.case, change.before, ROUTE_KINDS[change.route])
            if waiting:
                click.echo(terminal_text(
                    f"  {'':<16} {waiting} routed piece{'s' if waiting != 1 else ''} of {change.case} "
                    f"not yet bundled still go{'es' if waiting == 1 else ''} to {change.before}: "
                    "loading the file does not move them"))
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
            f"{len(held) + 1} campaigns; commands work for the one loaded most recently unless "
            "--campaign-id (or SCANPIPE_CAMPAIGN_ID) names another."))


# The kinds of piece each route of a case carries (see scanpipe.domain.campaign).
ROUTE_KINDS = {"letters": (Kind.LETTER.value, Kind.PETITION.value),
               "postcards": (Kind.POSTCARD.value, Kind.SOLIDARITY_LETTER.value)}
