"""`scanpipe signatures`: online petition signatures imported from their exports, listed, voided."""

from __future__ import annotations

from pathlib import Path

import click

from stations.cli.base import Context, echo_json, pass_context
from stations.cli.words import plural
from stations.errors import BadInput
from stations.untrusted import terminal_text

MAX_FILE_MB = 64  # an export of a few million signatures; anything larger is not one
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def signatures() -> None:
    """Online petition signatures: import their exports (CSV), list and void imports.

    Two shapes, told by the header: one row per case with a count (case,
    count, source, date), or one row per signature (case, date, anything else:
    names and e-mail addresses are counted, never kept). The case is its code
    or its person's full name. A file with a bad row is refused whole; the same
    file is imported once.
    """


@signatures.command("import")
@click.argument("file", type=_FILE)
@click.option("--source", help="The source of rows that name none (e.g. 'amnesty.be').")
@click.option("--operator", help="Who imports it [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def signatures_import(obj: Context, file: Path, source: str | None, operator: str | None) -> None:
    """Import the online signatures of FILE (CSV, ';' or ',', UTF-8)."""
    # The reader (and the store) imported here, so that --help loads neither.
    from scanpipe.reading.signature_files import Shape, SignatureFileError, read_signature_file

    store = obj.store()
    campaign = store.campaign()
    try:
        if file.stat().st_size > MAX_FILE_MB * 1024 * 1024:
            raise BadInput(f"{file} is larger than {MAX_FILE_MB} MB: not a signatures export")
        data = file.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        found = read_signature_file(data, campaign, source=source, today=store.today())
    except SignatureFileError as exc:
        raise BadInput(f"{file}: nothing imported, fix these rows and import the file again:\n"
                       f"{exc}") from None
    except ValueError as exc:  # the --source given
        raise BadInput(f"--source: {exc}") from None
    done = store.import_signatures(campaign, found, file_name=file.name, source=source,
                                   actor=operator or obj.settings.operator,
                                   station=obj.settings.station)
    if done.again:
        click.echo(f"{terminal_text(file)} was already imported on {done.at[:10] or 'an unknown day'} "
                   f"(import {done.number}): nothing recorded.")
        return
    shape = "one row per signature" if found.shape is Shape.SIGNATURES else "one row per case"
    click.echo(f"Imported {terminal_text(file)} as import {done.number}: "
               f"{plural(found.total, 'online signature')} from {plural(found.rows, 'row')} "
               f"({shape}).")
    if found.dropped:
        click.echo("  Columns not kept: " + ", ".join(terminal_text(c) for c in found.dropped))
    for count in found.counts:
        days = count.first_date.isoformat() + ("" if count.first_date == count.last_date
                                               else f" to {count.last_date.isoformat()}")
        click.echo(f"  {count.case:<10} {terminal_text(count.source):<24} {count.count:>9}  {days}")


@signatures.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per import.")
@pass_context
def signatures_list(obj: Context, as_json: bool) -> None:
    """Every import of the campaign: its number, when, the file, signatures per case."""
    store = obj.store(read_only=True)
    imports = store.signature_imports(store.campaign().id)
    if as_json:
        for found in imports:
            echo_json({"import": found.number, "at": found.at, "by": found.actor,
                       "file": found.file, "file_sha256": found.file_sha256,
                       "shape": found.shape, "rows": found.rows, "signatures": found.per_case,
                       "total": found.total, "voided": found.voided})
        return
    if not imports:
        click.echo("No signatures imported yet: 'scanpipe signatures import FILE.csv'.")
        return
    for found in imports:
        state = "  VOID" if found.voided else ""
        cases = ", ".join(f"{case} {n}" for case, n in sorted(found.per_case.items()))
        click.echo(f"{found.number:>4}  {found.at[:16].replace('T', ' ')}  "
                   f"{terminal_text(found.file)}  {found.total} ({cases}){state}")


@signatures.command("void")
@click.argument("number", type=int)
@click.option("--reason", required=True, help="Why the import is taken back.")
@click.option("--operator", help="Who voids it [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def signatures_void(obj: Context, number: int, reason: str, operator: str | None) -> None:
    """Take import NUMBER back: its signatures count no more (the right file may then be imported)."""
    store = obj.store()
    store.void_signatures(store.campaign(), number, reason=reason,
                          actor=operator or obj.settings.operator, station=obj.settings.station)
    click.echo(f"Import {number} voided: its signatures no longer count.")
