"""`scanpipe-verify FOLDER`: an audit export verified on its own, without any database.

The same command is `scanpipe audit verify-export`; `report` and `extra_checkpoints` serve
`scanpipe audit verify` too. Exit codes as the command line's: 0 when everything verifies,
1 with the first broken place, 2 wrong usage, 3 a key or checkpoints file that cannot be read.
"""

from __future__ import annotations

from pathlib import Path

import click

from models.audit.checks import AuditResult
from models.audit.export_check import read_checkpoints, verify_export
from models.audit.signing import SignedHead, SigningKeyError, load_public

# Not `readable=True`: a file that cannot be read is the loader's to report (exit 3, not 2).
_FILE = click.Path(exists=True, dir_okay=False, readable=False, path_type=Path)


class VerificationFailed(click.ClickException):
    """The audit found a broken place (exit 1)."""

    exit_code = 1


class UnreadableFile(click.ClickException):
    """A key or checkpoints file given on the command line cannot be read (exit 3)."""

    exit_code = 3


def extra_checkpoints(files: tuple[Path, ...]) -> tuple[SignedHead, ...]:
    """The checkpoints kept outside the office, from their files."""
    heads: list[SignedHead] = []
    for file in files:
        try:
            heads += read_checkpoints(file)
        except ValueError as exc:
            raise UnreadableFile(f"{file}: {exc}") from None
        except OSError as exc:
            raise UnreadableFile(f"cannot read {file}: {exc.strerror or exc}") from None
    return tuple(heads)


def report(result: AuditResult, what: str) -> None:
    """Print what the audit of `what` ("this ledger", "this export") found; fail at a problem."""
    for warning in result.warnings:
        click.echo(f"note: {warning}", err=True)
    if result.problem:
        raise VerificationFailed(
            f"AUDIT FAILED at {result.problem.where}: {result.problem.message}. "
            f"{result.events} events verified before it. Keep {what} as it is and "
            "compare it with a backup or export to find what changed.")
    n = result.checkpoints
    signed = (f"{n} checkpoint{'' if n == 1 else 's'} verified (up to event {result.signed_up_to}, "
              f"key {(result.key_id or '')[:16]}…)" if n else "no checkpoint verified")
    click.echo(f"Verified: {result.events} events in an unbroken chain, {signed}, "
               f"{result.items} items with a consistent life that agree with the tables, "
               f"{result.images} images intact"
               + (f", {result.purged} purged (their hashes kept)." if result.purged else "."))


@click.command("verify-export", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--public-key", type=_FILE, help="The office's public key, as the office gave it.")
@click.option("--checkpoints", "checkpoint_files", type=_FILE, multiple=True,
              help="Checkpoints kept outside the office (JSON lines).")
def verify_export_command(folder: Path, public_key: Path | None,
                          checkpoint_files: tuple[Path, ...]) -> None:
    """Verify an audit export FOLDER without any database (also: scanpipe-verify FOLDER)."""
    try:
        public = load_public(public_key) if public_key else None
    except SigningKeyError as exc:
        raise UnreadableFile(str(exc)) from None
    try:
        result = verify_export(folder, public, extra_checkpoints(checkpoint_files))
    except SigningKeyError as exc:  # the export's own public key, used when none was given
        raise UnreadableFile(f"{exc} (give the office's key with --public-key)") from None
    report(result, "this export")


def main() -> None:
    """Console entry point of `scanpipe-verify`."""
    verify_export_command(prog_name="scanpipe-verify")
