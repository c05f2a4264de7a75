"""The `scanpipe` command line: thin click commands over the pipeline and the store.

The root group names each command's module and one-line help (`COMMANDS`) and imports a module
only when its command runs, so `scanpipe --help` and the light commands start at once; the
modules never import this one. Errors become exit codes in exactly one place,
`base.ScanpipeGroup`.
"""

from __future__ import annotations

from pathlib import Path

import click

from stations.cli.base import Context, ScanpipeGroup
from stations.cli.lazy import Lazy

# Every command of the root group: where it is, and its help's first sentence (as click would
# list it; tests/test_startup.py checks that both match the command).
COMMANDS: dict[str, Lazy] = {
    "audit": Lazy("stations.cli.audit:audit",
                  "Auditors' commands: verify the ledger, reconcile, trace a piece, export, sample."),
    "backup": Lazy("stations.cli.backup:backup", "Back up the ledger, its images, the office's keys "
                   "and the station's secrets into FOLDER (new or empty), while the stations keep "
                   "working."),
    "bundle": Lazy("stations.cli.bundles:bundle", "Bundles per destination, their delivery sheets "
                   "and labels, and their delivery."),
    "campaign": Lazy("stations.cli.campaign:campaign",
                     "Check and load the campaign file (cases, embassies, partners)."),
    "compare": Lazy("stations.cli.compare:compare", "Compare campaign A with campaign B (two years "
                    "in this ledger), per case and per kind: routed letters to the authority, "
                    "letters to the person, postcards, petition sheets and their signatures — A, B "
                    "and the difference B − A, then the totals."),
    "db": Lazy("stations.cli.db:db", "The ledger database's schema: where it stands, and upgrading it."),
    "decode": Lazy("stations.cli.intake:decode", "Print the barcodes found on each page of FILES "
                   "(JPEG, PNG, TIFF, WebP, BMP, PDF)."),
    "figures": Lazy("stations.cli.figures:figures", "The campaign's figures per case and in total: "
                    "letters to the authority and to the person, postcards, petition sheets and "
                    "their signatures, online signatures by source, \"letters and signatures\", and "
                    "each case's outcome."),
    "intake": Lazy("stations.cli.intake:intake",
                   "Take scanned files (or folders, in name order) into the ledger."),
    "kits": Lazy("stations.cli.kits:kits", "Write printable kit PDFs: letter sheets, postcards, "
                 "petitions and envelope labels."),
    "orders": Lazy("stations.cli.orders:orders", "Kit orders: who ordered kits, their kits and "
                   "parcel labels, what came back, reminders."),
    "outcome": Lazy("stations.cli.outcomes:outcome", "What became of the cases: freed, acquitted, "
                    "charges dropped, released on bail, sentence reduced, other."),
    "people": Lazy("stations.cli.people:people",
                   "Who may sign in at the stations, and with which role."),
    "progress": Lazy("stations.cli.bundles:progress", "Per case and destination: pieces routed (and "
                     "of which kind), bundled, dispatched, delivered."),
    "purge": Lazy("stations.cli.audit:purge", "Remove the images and the words read on delivered "
                  "pieces (supporters' personal data)."),
    "restore": Lazy("stations.cli.backup:restore", "Restore the backup in FOLDER into an empty data "
                    "folder (--data-dir) or, for a backup of PostgreSQL, an empty database "
                    "(--database-url), then verify it."),
    "samples": Lazy("stations.cli.samples:samples",
                    "Make realistic sample scans from the kits (for demos, tests and training)."),
    "scan": Lazy("stations.cli.intake:scan", "Recognise and route FILES (or folders) with a "
                 "campaign file; record them unless --dry-run."),
    "signatures": Lazy("stations.cli.signatures:signatures", "Online petition signatures: import "
                       "their exports (CSV), list and void imports."),
    "station": Lazy("stations.cli.station:station",
                    "The scanning station: the web app with its hot folder."),
    "summary": Lazy("stations.cli.summary:summary", "Print the routing summary: pieces per case and "
                    "destination, pieces in review, and the pages that are not pieces (blank sides, "
                    "postcard picture sides, unreadable, set aside)."),
}


@click.group(cls=ScanpipeGroup, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
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
    ctx.obj = Context(overrides)  # the settings are read when a command first needs them


def main() -> None:
    """Console entry point."""
    cli(prog_name="scanpipe")
