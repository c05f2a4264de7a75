"""`scanpipe campaign`: check the campaign file, and load it into the ledger."""

from __future__ import annotations

import click

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
@pass_context
def campaign_load(obj: Context, file: str, operator: str | None) -> None:
    """Load (or update) the campaign FILE into the ledger."""
    text, _ = read_campaign(file)
    loaded, changed = obj.store().load_campaign(
        text, actor=operator or obj.settings.operator, station=obj.settings.station)
    state = "loaded" if changed else "already loaded, unchanged"
    click.echo(f"Campaign {terminal_text(loaded.id)} {state}: {len(loaded.cases)} cases.")
