"""`scanpipe people`: who may sign in at the stations, and with which role."""

from __future__ import annotations

import click

from stations.cli.base import Context, pass_context
from stations.cli.choices import ROLES
from stations.untrusted import terminal_text

# The store is imported when a command runs, so that --help loads none of it.
_ROLE = click.Choice(ROLES)


@click.group()
def people() -> None:
    """Who may sign in at the stations, and with which role.

    Roles: operator (scan, sort, review), coordinator (also trays and
    progress), auditor (read-only: progress, trays, images), admin (everything,
    and people).
    """


def _secret_option(f):
    return click.option("--pin", "secret", prompt="PIN or password", hide_input=True,
                        confirmation_prompt=True,
                        help="Their PIN or password (asked for when not given; 4 characters at "
                             "least).")(f)


@people.command("add")
@click.argument("name")
@click.option("--role", type=_ROLE, default="operator", show_default=True)
@_secret_option
@click.option("--by", "actor", help="Who adds them [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def people_add(obj: Context, name: str, role: str, secret: str, actor: str | None) -> None:
    """Let NAME sign in at the stations with ROLE."""
    from models.store.people import Role

    person = obj.store().add_person(name, Role(role), secret, actor=actor or obj.settings.operator,
                                    station=obj.settings.station)
    click.echo(f"{terminal_text(person.name)} may now sign in as {person.role}.")


@people.command("list")
@pass_context
def people_list(obj: Context) -> None:
    """List everyone, their role and whether they may sign in."""
    everyone = obj.store(read_only=True).people()
    if not everyone:
        click.echo("Nobody yet: 'scanpipe people add NAME --role admin' adds the first person.")
    for person in everyone:
        state = "" if person.active else "  (access removed)"
        click.echo(f"  {terminal_text(person.name):<30} {person.role}{state}")


@people.command("change")
@click.argument("name")
@click.option("--role", type=_ROLE, help="Their new role.")
@click.option("--new-pin", is_flag=True, help="Set a new PIN or password (asked for).")
@click.option("--disable", "active", flag_value=False, default=None, help="Remove their access.")
@click.option("--enable", "active", flag_value=True, help="Give their access back.")
@click.option("--by", "actor", help="Who changes it [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def people_change(obj: Context, name: str, role: str | None, new_pin: bool, active: bool | None,
                  actor: str | None) -> None:
    """Change NAME's role, PIN or access; every change is recorded in the ledger."""
    from models.store.people import Role

    secret = click.prompt("New PIN or password", hide_input=True,
                          confirmation_prompt=True) if new_pin else None
    person = obj.store().change_person(name, actor=actor or obj.settings.operator,
                                       station=obj.settings.station,
                                       role=Role(role) if role else None, active=active,
                                       secret=secret)
    state = "may sign in" if person.active else "may not sign in"
    click.echo(f"{terminal_text(person.name)}: {person.role}, {state}.")
