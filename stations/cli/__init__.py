"""The `scanpipe` command line: thin click commands over the pipeline and the store.

This root group registers the command groups of its sub-modules (which never import it);
errors become exit codes in exactly one place, `base.ScanpipeGroup`.
"""

from __future__ import annotations

from pathlib import Path

import click

from stations.cli import (
    audit,
    backup,
    bundles,
    campaign,
    compare,
    db,
    figures,
    intake,
    kits,
    orders,
    outcomes,
    people,
    samples,
    signatures,
    station,
    summary,
)
from stations.cli.base import Context, ScanpipeGroup
from stations.settings import Settings


@click.group(cls=ScanpipeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the ledger and images [env SCANPIPE_DATA_DIR; default ./scanpipe-data].")
@click.option("--database-url", help="SQLAlchemy URL of the ledger, e.g. postgresql+psycopg://host/db "
                                     "[env SCANPIPE_DATABASE_URL; default SQLite in the data folder].")
@click.option("--campaign-id", "campaign_id", metavar="ID",
              help="The campaign (year) to work for, of those the ledger holds [env "
                   "SCANPIPE_CAMPAIGN_ID; default: the only one, or with several the one added "
                   "most recently].")
@click.version_option(package_name="scanpipe")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, database_url: str | None,
        campaign_id: str | None) -> None:
    """scanpipe: intake, routing and delivery ledger of a letter-writing marathon.

    Typical season: check and load the campaign, print kits, take in scans,
    print delivery sheets, verify the ledger. Every command has --help.
    """
    overrides = {k: v for k, v in (("data_dir", data_dir), ("database_url", database_url),
                                   ("campaign_id", campaign_id)) if v}
    ctx.obj = Context(Settings(**overrides))


cli.add_command(campaign.campaign)
cli.add_command(kits.kits)
cli.add_command(samples.samples)
cli.add_command(intake.decode)
cli.add_command(intake.scan)
cli.add_command(intake.intake)
cli.add_command(summary.summary)
cli.add_command(compare.compare)
cli.add_command(station.station)
cli.add_command(people.people)
cli.add_command(audit.audit)
cli.add_command(audit.purge)
cli.add_command(bundles.bundle)
cli.add_command(bundles.progress)
cli.add_command(db.db)
cli.add_command(signatures.signatures)
cli.add_command(figures.figures)
cli.add_command(outcomes.outcome)
cli.add_command(orders.orders)
cli.add_command(backup.backup)
cli.add_command(backup.restore)


def main() -> None:
    """Console entry point."""
    cli(prog_name="scanpipe")
