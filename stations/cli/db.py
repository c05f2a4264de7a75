"""The ledger database's schema: `scanpipe db status` and `scanpipe db upgrade`.

Opening the ledger upgrades its schema anyway, under a lock (`models.store.schema`); these commands
show where it stands without changing it, and upgrade it on purpose.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from stations.cli.base import Context, masked_url, pass_context

if TYPE_CHECKING:  # the store is imported when a command runs, so that --help loads none of it
    from models.store.schema import MigrationOutcome, SchemaStatus


@click.group()
def db() -> None:
    """The ledger database's schema: where it stands, and upgrading it.

    Every command that opens the ledger upgrades its schema by itself, under
    a lock, so stations starting at once upgrade it once. A new ledger is made
    by 'scanpipe campaign load' or 'scanpipe db upgrade'; the other commands
    refuse a folder or database without one.
    """


@db.command("status")
@pass_context
def db_status(obj: Context) -> None:
    """The schema's revision and what is pending; changes nothing.

    Prints the database (any password hidden), the revision of its schema,
    this scanpipe's newest revision (the head) and the revisions an upgrade
    would run.
    """
    from models.store import open_engines
    from models.store.schema import schema_status

    url = obj.settings.ledger_url
    missing = _no_sqlite_file(url)  # then an empty database in memory says what would be run
    with obj.reaching_ledger():
        engine = open_engines("sqlite://" if missing else url)[0]
        try:
            status = schema_status(engine)
        finally:
            engine.dispose()
    click.echo(f"Database: {masked_url(url)}")
    click.echo("Revision: " + ("none (no ledger here: 'scanpipe campaign load FILE' or "
                               "'scanpipe db upgrade' makes one)"
                               if missing else _revision(status)))
    click.echo(f"Head:     {status.head} (this scanpipe's newest)")
    if not status.pending:
        click.echo("Pending:  none")
        return
    click.echo(f"Pending:  {len(status.pending)} (run by 'scanpipe db upgrade' or any command)")
    for revision in status.pending:
        click.echo(f"  {revision.id}  {revision.message}")


@db.command("upgrade")
@pass_context
def db_upgrade(obj: Context) -> None:
    """Upgrade the ledger's schema now, and say what was done.

    Creates the schema in an empty database, or runs the pending revisions.
    Run it after installing a new scanpipe, before the stations start
    (starting them would do it too). A ledger made before migrations keeps
    every row: it is given what it lacks and stamped with the first revision.
    """
    from models.store import open_engines
    from models.store.schema import migrate

    obj.settings.data_dir.mkdir(parents=True, exist_ok=True)
    with obj.reaching_ledger():
        reader, writer = open_engines(obj.settings.ledger_url)
        try:
            outcome = migrate(writer, reader=reader)
        finally:
            reader.dispose()
            writer.dispose()
    for line in _outcome_lines(outcome):
        click.echo(line)


def _no_sqlite_file(url: str) -> bool:
    from sqlalchemy import make_url

    parsed = make_url(url)
    return (parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
            and not Path(parsed.database).exists())


def _revision(status: SchemaStatus) -> str:
    if status.newer:
        return (f"{status.current}, newer than this scanpipe knows: a newer scanpipe upgraded it. "
                "Update scanpipe on this machine.")
    if status.legacy:
        return "none (a ledger made before migrations: an upgrade adds what it lacks and stamps it)"
    if status.current is None:
        return "none (an empty database)"
    return status.current


def _outcome_lines(outcome: MigrationOutcome) -> list[str]:
    if not outcome.changed:
        return [f"The ledger is at revision {outcome.after}, this scanpipe's newest: "
                "nothing to do."]
    lines = []
    if outcome.stamped:
        added = ", ".join(outcome.added) if outcome.added else "nothing"
        lines.append(f"A ledger made before migrations: added {added}; every row kept; "
                     "stamped with the first revision.")
    lines += [f"Applied {revision.id}: {revision.message}" for revision in outcome.applied]
    lines.append(f"The ledger is now at revision {outcome.after}.")
    return lines
