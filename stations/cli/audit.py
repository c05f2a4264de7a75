"""The auditors' commands: verify, sign checkpoints, report, trace, export, sample; and the
privacy purge. Everything but `checkpoint`, `key create` and `purge` only reads."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stations.cli.audit_sample import audit_sample, audit_sample_result
from stations.cli.base import LANGS, Context, echo_json, pass_context
from stations.cli.days import typed_day
from stations.cli.lazy import Lazy, LazyGroup
from stations.cli.words import plural
from stations.errors import BadInput, LedgerError
from stations.files import write_whole
from stations.progress import progress_bar
from stations.spreadsheets import CHOICES, separator
from stations.untrusted import json_text, terminal_text

# The store, the audit and the signing keys are imported by the commands that use them, so
# that `scanpipe audit --help` loads none of them.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# Not `readable=True`: a file that cannot be read is the loader's to report (exit 3, not 2).
_FILE = click.Path(exists=True, dir_okay=False, readable=False, path_type=Path)


# Also the whole of scanpipe-verify: imported only when it runs, as the root's commands are.
LAZY_COMMANDS = {"verify-export": Lazy("models.audit.verify:verify_export_command",
                               "Verify an audit export FOLDER without any database (also: "
                               "scanpipe-verify FOLDER).")}


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS)
def audit() -> None:
    """Auditors' commands: verify the ledger, reconcile, trace a piece, export, sample.

    All of them only read, except 'checkpoint' and 'key create', which sign
    the ledger's head with the office key (an append-only table of their own).
    """


def _public_key(obj: Context, given: Path | None) -> Ed25519PublicKey | None:
    from models.audit.signing import SigningKeyError, load_public

    path = given or obj.settings.public_key_path
    if given is None and not path.exists():
        return None
    try:
        return load_public(path)
    except SigningKeyError as exc:
        raise BadInput(str(exc)) from None


@audit.command("verify")
@click.option("--no-images", is_flag=True, help="Skip re-hashing the stored images (faster).")
@click.option("--public-key", type=_FILE,
              help="The office's public key [default: SCANPIPE_PUBLIC_KEY or DATA_DIR/keys/].")
@click.option("--checkpoints", "checkpoint_files", type=_FILE, multiple=True,
              help="Checkpoints kept outside the office (JSON lines, as 'checkpoint' prints them).")
@pass_context
def audit_verify(obj: Context, no_images: bool, public_key: Path | None,
                 checkpoint_files: tuple[Path, ...]) -> None:
    """Verify the chain, the signed checkpoints, every piece's life, the tables and the images.

    Exits 0 when everything verifies; 1 with the first broken place otherwise.
    """
    from models.audit.verify import extra_checkpoints, report

    public, extra = _public_key(obj, public_key), extra_checkpoints(checkpoint_files)
    store = obj.store(read_only=True)
    with progress_bar("Verifying the ledger", unit="records") as tick:
        result = store.audit(check_images=not no_images, public=public, extra_checkpoints=extra,
                             progress=tick)
    report(result, "this ledger")


@audit.group("key")
def audit_key() -> None:
    """The office's signing key (Ed25519) for checkpoints."""


@audit_key.command("create")
@pass_context
def audit_key_create(obj: Context) -> None:
    """Make the office's key pair (once); give the public key to the auditors."""
    from models.audit.signing import SigningKeyError, create_key
    from stations.private import prepare_private

    prepare_private(obj.settings)
    private, public = obj.settings.signing_key_path, obj.settings.public_key_path
    try:
        fingerprint = create_key(private, public)
    except SigningKeyError as exc:
        raise BadInput(str(exc)) from None
    click.echo(f"Private key: {terminal_text(private)} (readable by you only; back it up, never "
               "share it)")
    click.echo(f"Public key:  {terminal_text(public)} — give it to the auditors")
    click.echo(f"Fingerprint: {fingerprint}")


@audit_key.command("show")
@click.option("--public-key", type=_FILE, help="The public key [default: the office's].")
@pass_context
def audit_key_show(obj: Context, public_key: Path | None) -> None:
    """Print the public key's fingerprint (to compare with the one the office published)."""
    from models.audit.signing import key_id

    key = _public_key(obj, public_key or obj.settings.public_key_path)
    click.echo(key_id(key))


@audit.command("checkpoint")
@click.option("--key", "key_file", type=_FILE,
              help="The office's private key [default: SCANPIPE_SIGNING_KEY or DATA_DIR/keys/].")
@pass_context
def audit_checkpoint(obj: Context, key_file: Path | None) -> None:
    """Sign the ledger's head with the office key.

    Prints the checkpoint as one JSON line on standard output: keep a copy
    outside the office (mail it to the auditors), then 'audit verify
    --checkpoints FILE' proves that nothing up to it was changed or removed.
    """
    from models.audit.signing import SigningKeyError, load_private
    from stations.private import prepare_private

    if key_file is None:
        prepare_private(obj.settings)  # an old layout's key moved in first
    try:
        private = load_private(key_file or obj.settings.signing_key_path)
        signed = obj.store().sign_checkpoint(private)
    except SigningKeyError as exc:
        raise BadInput(str(exc)) from None
    except ValueError as exc:
        raise LedgerError(str(exc)) from None
    echo_json(signed.to_json())
    click.echo(f"Signed event {signed.seq} (hash {signed.hash[:16]}…) with key "
               f"{signed.key_id[:16]}….", err=True)


_DEFAULT_OUT = {"csv": Path("audit-report"), "xlsx": Path("audit-report.xlsx"),
                "pdf": Path("audit-report.pdf")}


@audit.command("report")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "xlsx", "pdf", "json"]),
              default="text", show_default=True)
@click.option("--out", type=click.Path(path_type=Path),
              help="Where to write: a folder for csv, a file for the others [default: "
                   "audit-report/, audit-report.xlsx, audit-report.pdf; text and json to "
                   "standard output].")
@click.option("--lang", type=LANGS,
              help="Language of the PDF and the spreadsheets [default: SCANPIPE_LANGUAGE].")
@click.option("--sep", type=click.Choice(sorted(CHOICES)),
              help="CSV separator [default: semicolon in French and Dutch, comma in English].")
@click.option("--rows", default=50, show_default=True, type=click.IntRange(1, 10**9),
              help="Rows per table in the terminal.")
@pass_context
def audit_report(obj: Context, fmt: str, out: Path | None, lang: str | None, sep: str | None,
                 rows: int) -> None:
    """The reconciliation, counted from the events alone: kits, pieces per case, destination,
    kind, station, operator, day and week, delivery, bundles with their sheet totals against
    the ledger, and the exceptions that need a person (review, set aside, unreadable,
    quarantined, bundles back, sheets that disagree) with their item ids.

    The PDF is a season summary of a few pages; the full lists are in the CSV files (one per
    table, in the chosen language, UTF-8 with BOM) or the workbook (one sheet per table)."""
    from stations.audit_report import report_text, write_report_csv, write_report_xlsx

    target = out or _DEFAULT_OUT.get(fmt)
    if target is not None and not target.absolute().parent.is_dir():
        raise BadInput(f"--out {terminal_text(target)}: the folder "
                       f"{terminal_text(target.absolute().parent)} does not exist; create it "
                       "or choose another place")
    language = lang or obj.settings.language
    with progress_bar("Replaying the ledger", unit="events") as tick:
        report = obj.store(read_only=True).reconciliation(
            tz=datetime.now().astimezone().tzinfo, progress=tick)
    if fmt in ("text", "json"):
        text = report_text(report, limit=rows) if fmt == "text" else json_text(
            {"campaign": report.campaign_id, "head_seq": report.head_seq,
             "head_hash": report.head_hash, "made_at": report.made_at, "figures": report.figures,
             "tables": {x.key: [dict(zip(x.columns, r)) for r in x.rows] for x in report.tables}})
        if out is None:
            click.echo(text, nl=fmt == "json")
            return
        _write_whole(out, (text if fmt == "text" else text + "\n").encode("utf-8"))
        click.echo(f"Wrote {terminal_text(out)}", err=True)
        return
    assert target is not None
    try:
        if fmt == "csv":
            written = write_report_csv(report, target, language, separator(language, sep))
            click.echo(f"Wrote {len(written)} CSV files to {terminal_text(target)}", err=True)
        elif fmt == "xlsx":
            write_report_xlsx(report, target, language)
            click.echo(f"Wrote {terminal_text(target)}", err=True)
        else:
            from stations.audit_pdf import report_pdf

            with progress_bar("Writing the PDF", unit="parts") as tick:
                pdf = report_pdf(report, language, progress=tick)
            _write_whole(target, pdf)
            click.echo(f"Wrote {terminal_text(target)} ({len(pdf) // 1024} KB)", err=True)
    except OSError as exc:
        raise BadInput(f"cannot write {terminal_text(target)}: {exc.strerror or exc}") from None


def _write_whole(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all; a failure is bad input naming the path."""
    try:
        write_whole(path, data)
    except OSError as exc:
        raise BadInput(f"cannot write {terminal_text(path)}: {exc.strerror or exc}") from None


@audit.command("trail")
@click.argument("item", type=click.IntRange(1, 10**12))
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_context
def audit_trail(obj: Context, item: int, as_json: bool) -> None:
    """The whole history of piece ITEM (its number as printed, e.g. 0000042): every event,
    the bundles it was in, its evidence and its image's hash."""
    from models.store import item_ref

    trail = obj.store(read_only=True).trail(item)
    if trail is None:
        raise BadInput(f"there is no item {item_ref(item)} in this ledger")
    row = trail.item
    if as_json:
        echo_json({"item": item_ref(row.id), "image_sha256": row.image_sha256, "page": row.page,
                   "image": trail.image, "words": trail.words, "status": row.status,
                   "bundle": row.bundle_id,
                   "events": [{"seq": e.seq, "at": e.at, "actor": e.actor, "station": e.station,
                               "type": e.type, "subject": e.subject,
                               "payload": json.loads(e.payload)} for e in trail.events]})
        return
    click.echo(f"Item {item_ref(row.id)}: {row.kind}, {row.status}, case {row.case_code or '—'}, "
               f"→ {row.destination or '—'}; bundle {row.bundle_id or '—'}"
               f"{' (' + trail.bundle.state + ')' if trail.bundle else ''}")
    click.echo(f"  image {row.image_sha256} page {row.page}: {trail.image}")
    click.echo(f"  source file {terminal_text(row.source_name)}, station {terminal_text(row.station)}, "
               f"operator {terminal_text(row.operator)}")
    if trail.words:
        click.echo(f"  words read: {terminal_text(' | '.join(trail.words))}")
    for event in trail.events:
        click.echo(f"  {event.seq:>8} {event.at[:19]} {event.type:<18} {event.subject:<14} "
                   f"by {terminal_text(event.actor)} at {terminal_text(event.station)}: "
                   f"{terminal_text(_brief(event))}")


def _brief(event) -> str:
    p = json.loads(event.payload)
    keys = ("status", "case", "destination", "method", "reasons", "state", "from", "source",
            "received_by", "received_on", "receipt_item", "tracking", "reason", "document",
            "totals", "follows", "undoes", "sha256", "page", "batch", "before")
    return ", ".join(f"{k}={json.dumps(p[k], ensure_ascii=False)}" for k in keys if k in p
                     and p[k] not in (None, [], ""))


def _file_mode(ctx: click.Context, param: click.Parameter, value: str) -> int:
    try:
        mode = int(value, 8)
    except ValueError:
        raise click.BadParameter(f"an octal file mode such as 600 or 640, not {value!r}") from None
    if mode & ~0o777 or mode & 0o022 or not mode & 0o400:
        raise click.BadParameter(f"{value}: readable by the owner, writable by nobody else "
                                 "(600, 640, 644…)")
    return mode


@audit.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--with-images", is_flag=True,
              help="Copy the scanned images of the pieces too (large); anything else the image "
                   "store holds is left out and listed in images-skipped.csv.")
@click.option("--mode", default="600", show_default=True, callback=_file_mode,
              help="File mode of the exported files, octal; the folders get the same with search "
                   "rights (600 → 700, 640 → 750). Never writable by others.")
@pass_context
def audit_export(obj: Context, folder: Path, with_images: bool, mode: int) -> None:
    """Write an audit export into FOLDER (new): events, items, bundles, checkpoints, the public
    key, a README and a manifest. 'scanpipe-verify FOLDER' checks it without the database.

    The export's files are readable by their owner only (0600 in 0700 folders) unless --mode
    says otherwise: it holds the supporters' scans.
    """
    from models.audit.export import write_export
    from models.audit.signing import SigningKeyError

    public = obj.settings.public_key_path
    if public.exists():
        _public_key(obj, public)  # a key that cannot be read: exit 3 before anything is written
    try:
        with progress_bar("Export", unit="events and files") as tick:
            summary = write_export(obj.store(read_only=True), folder,
                                   public=public if public.exists() else None,
                                   with_images=with_images, mode=mode, progress=tick)
    except FileExistsError as exc:
        raise BadInput(str(exc)) from None
    except SigningKeyError as exc:
        raise BadInput(str(exc)) from None
    click.echo(f"Exported {summary.events} events, {summary.items} items, {summary.bundles} "
               f"bundles, {plural(summary.checkpoints, 'checkpoint')} and {summary.images} images to "
               f"{terminal_text(summary.folder)}")
    if summary.skipped:
        click.echo(f"Left out {plural(len(summary.skipped), 'file')} of the image store that "
                   f"{'is' if len(summary.skipped) == 1 else 'are'} not scanned images "
                   "(listed with the reason in images-skipped.csv):", err=True)
        for sha, reason in summary.skipped[:20]:
            click.echo(f"  {sha}: {reason}", err=True)


audit.add_command(audit_sample)
audit.add_command(audit_sample_result)


# -------------------------------------------------------------------- purge

@click.command()
@click.option("--delivered-before", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Pieces whose bundle was delivered before this day (YYYY-MM-DD): from the "
                   "campaign's season's start to tomorrow.")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--operator", help="Who purges [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def purge(obj: Context, delivered_before: datetime, dry_run: bool, yes: bool,
          operator: str | None) -> None:
    """Remove the images and the words read on delivered pieces (supporters' personal data).

    The ledger keeps every hash, so the chain and the audit still verify. The
    kit envelopes of batches whose pieces are all purged go too; images shared
    with a piece not yet delivered stay. The purge is itself a ledger event.
    """
    from scanpipe.domain.season import DayUse

    store = obj.store()
    before = typed_day(store, store.campaign(), "--delivered-before", delivered_before,
                       DayUse.PURGE)
    assert before is not None  # --delivered-before is required
    if dry_run or not yes:
        preview = store.purge(delivered_before=before, actor="", station="", dry_run=True)
        click.echo(f"{plural(len(preview.items), 'piece')} delivered before {before.isoformat()}: "
                   f"{plural(len(preview.images), 'image')} and their words to remove"
                   + (f" ({preview.kept_images} images kept: shared with pieces not yet delivered)"
                      if preview.kept_images else "") + ".")
        if dry_run:
            return
        if preview.items and not (sys.stdin.isatty() and click.confirm("Remove them for good?")):
            raise BadInput("nothing removed: confirm, or pass --yes")
    with progress_bar("Purge", unit="rows and files") as tick:
        result = store.purge(delivered_before=before, actor=operator or obj.settings.operator,
                             station=obj.settings.station, progress=tick)
    if result.items:
        click.echo(f"Purged {plural(len(result.items), 'piece')}: "
                   f"{plural(len(result.images), 'image')} removed; their hashes stay in the ledger.")
    if result.files_removed > len(result.images):
        click.echo(f"Removed {result.files_removed - len(result.images)} files left by an "
                   "interrupted purge.")
