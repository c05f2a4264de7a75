"""The auditors' commands: verify, sign checkpoints, report, trace, export, sample; and the
privacy purge. Everything but `checkpoint`, `key create` and `purge` only reads."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from pathlib import Path

import click

from models.audit.checks import clopper_pearson, upper_bound
from models.audit.export import write_export
from models.audit.signing import SigningKeyError, create_key, key_id, load_private, load_public
from models.audit.verify import extra_checkpoints, report, verify_export_command
from models.store import item_ref
from stations.cli.base import LANGS, Context, echo_json, pass_context
from stations.cli.words import plural
from stations.errors import AuditFailed, BadInput, LedgerError
from stations.private import prepare_private
from stations.progress import progress_bar
from stations.untrusted import spreadsheet_text, terminal_text

# Not `readable=True`: a file that cannot be read is the loader's to report (exit 3, not 2).
_FILE = click.Path(exists=True, dir_okay=False, readable=False, path_type=Path)


@click.group()
def audit() -> None:
    """Auditors' commands: verify the ledger, reconcile, trace a piece, export, sample.

    All of them only read, except 'checkpoint' and 'key create', which sign
    the ledger's head with the office key (an append-only table of their own).
    """


def _public_key(obj: Context, given: Path | None):
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


@audit.command("report")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "pdf", "json"]), default="text",
              show_default=True)
@click.option("--out", type=click.Path(path_type=Path),
              help="Where to write: a folder for csv, a file for pdf [default: audit-report/ or "
                   "audit-report.pdf].")
@click.option("--lang", type=LANGS, help="Language of the PDF [default: SCANPIPE_LANGUAGE].")
@click.option("--rows", default=50, show_default=True, type=click.IntRange(1, 10**9),
              help="Rows per table in the terminal.")
@pass_context
def audit_report(obj: Context, fmt: str, out: Path | None, lang: str | None, rows: int) -> None:
    """The reconciliation: kits, pieces per case, destination, station, operator and day,
    delivery, sheet totals against the ledger, duplicates, and every exception with its
    item ids. Counted from the events alone."""
    from stations.audit_report import report_pdf, report_text, write_report_csv

    report = obj.store(read_only=True).reconciliation(tz=datetime.now().astimezone().tzinfo)
    if fmt == "text":
        click.echo(report_text(report, limit=rows))
    elif fmt == "json":
        echo_json({"campaign": report.campaign_id, "head_seq": report.head_seq,
                   "head_hash": report.head_hash, "made_at": report.made_at,
                   "figures": report.figures,
                   "tables": {x.key: [dict(zip(x.columns, r)) for r in x.rows] for x in report.tables}})
    elif fmt == "csv":
        written = write_report_csv(report, out or Path("audit-report"))
        click.echo(f"Wrote {len(written)} CSV files to {(out or Path('audit-report'))}", err=True)
    else:
        target = out or Path("audit-report.pdf")
        pdf = report_pdf(report, lang or obj.settings.language)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(pdf)
        partial.replace(target)
        click.echo(f"Wrote {target} ({len(pdf) // 1024} KB)", err=True)


@audit.command("trail")
@click.argument("item", type=click.IntRange(1, 10**12))
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_context
def audit_trail(obj: Context, item: int, as_json: bool) -> None:
    """The whole history of piece ITEM (its number as printed, e.g. 0000042): every event,
    the bundles it was in, its evidence and its image's hash."""
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
    public = obj.settings.public_key_path
    if public.exists():
        _public_key(obj, public)  # a key that cannot be read: exit 3 before anything is written
    try:
        summary = write_export(obj.store(read_only=True), folder,
                               public=public if public.exists() else None,
                               with_images=with_images, mode=mode)
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


audit.add_command(verify_export_command)  # also the whole of scanpipe-verify (`models.audit.verify`)


SAMPLE_COLUMNS = ("item", "bundle", "position", "destination", "case", "kind", "source",
                  "image_sha256", "result", "note")
RESULTS = ("match", "mismatch", "missing")


@audit.command("sample")
@click.option("--seed", required=True, help="Any text; the same seed (and --as-of) draws the "
                                            "same pieces. Let someone outside the office choose it.")
@click.option("--n", "count", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--as-of", type=click.IntRange(1, 10**12),
              help="Draw as the ledger stood at this event [default: its newest].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The CSV to fill in: one row per piece to find, with a 'result' column.")
@pass_context
def audit_sample(obj: Context, seed: str, count: int, as_of: int | None, out: Path) -> None:
    """Draw a reproducible random sample of delivered pieces to check by hand.

    For each piece: its bundle and its place in the bundle's list, its case
    and destination. Find each one (or its copy at the receiver's), write
    'match', 'mismatch' (wrong case or destination) or 'missing' in the result
    column, then run 'scanpipe audit sample-result FILE'.
    """
    sample = obj.store(read_only=True).draw_sample(seed, count, as_of)
    if not sample.pieces:
        raise LedgerError("no piece is delivered yet: there is nothing to sample")
    partial = out.with_name(out.name + ".part")
    with partial.open("w", encoding="utf-8", newline="") as stream:
        stream.write("# scanpipe sample " + json.dumps(
            {"seed": seed, "as_of": sample.as_of, "population": sample.population,
             "n": len(sample.pieces)}, ensure_ascii=False) + "\n")
        writer = csv.writer(stream)
        writer.writerow(SAMPLE_COLUMNS)
        for piece in sample.pieces:
            writer.writerow([item_ref(piece.item_id), piece.bundle_id, piece.position,
                             piece.destination, piece.case or "", piece.kind,
                             spreadsheet_text(piece.source), piece.image_sha256, "", ""])
    partial.replace(out)
    click.echo(f"Drew {len(sample.pieces)} of {sample.population} delivered pieces (seed "
               f"{seed!r}, as of event {sample.as_of}) into {out}")
    for piece in sample.pieces[:20]:
        click.echo(terminal_text(f"  bundle {piece.bundle_id:>4} #{piece.position:<5} item "
                                 f"{item_ref(piece.item_id)} {piece.kind:<9} {piece.case or '—':<10} "
                                 f"→ {piece.destination}"))
    if len(sample.pieces) > 20:
        click.echo(f"  … and {len(sample.pieces) - 20} more in {out}")


@audit.command("sample-result")
@click.argument("file", type=_FILE)
@click.option("--confidence", default=0.95, show_default=True, type=click.FloatRange(0.5, 0.999))
@pass_context
def audit_sample_result(obj: Context, file: Path, confidence: float) -> None:
    """Read a filled-in sample FILE and estimate the misroute rate with its confidence bound.

    The sample is drawn again from the ledger with its seed, so a file whose
    pieces were changed or cherry-picked is refused.
    """
    header, rows = _read_sample(file)
    seed, as_of = header.get("seed"), header.get("as_of")
    if not isinstance(seed, str) or not isinstance(as_of, int):
        raise BadInput(f"{file}: its first line is not a scanpipe sample header")
    drawn = obj.store(read_only=True).draw_sample(seed, len(rows), as_of)
    if sorted(r["item"] for r in rows) != sorted(item_ref(p.item_id) for p in drawn.pieces):
        raise AuditFailed(f"{file}: its pieces are not the sample this seed draws from the ledger "
                          "— the file was edited or belongs to another ledger")
    results = [r["result"].strip().lower() for r in rows]
    blank = [r["item"] for r, x in zip(rows, results) if not x]
    wrong = [f"{r['item']}: {r['result']!r}" for r, x in zip(rows, results) if x and x not in RESULTS]
    if wrong:
        raise BadInput(f"{file}: a result is 'match', 'mismatch' or 'missing', not " + "; ".join(wrong[:5]))
    checked = len(results) - len(blank)
    population = drawn.population
    click.echo(f"Sample of {len(rows)} from {population} delivered pieces (seed {terminal_text(repr(seed))}, "
               f"as of event {as_of}); {checked} checked, {len(blank)} not yet.")
    for name in ("mismatch", "missing"):
        found = results.count(name)
        low, high = clopper_pearson(found, checked, confidence)
        bound = upper_bound(found, checked, confidence)
        label = "misrouted" if name == "mismatch" else "missing"
        click.echo(f"  {label}: {found} of {checked} — estimated rate {found / checked:.2%} "
                   f"({confidence:.0%} interval {low:.2%}–{high:.2%}); at most {bound:.2%} "
                   f"(about {round(bound * population)} of {population} pieces), with "
                   f"{confidence:.0%} confidence" if checked else f"  {label}: nothing checked yet")
        for row, result in zip(rows, results):
            if result == name:
                click.echo(terminal_text(f"    item {row['item']} (bundle {row['bundle']} "
                                         f"#{row['position']}): {row.get('note', '')}"))


def _read_sample(file: Path) -> tuple[dict, list[dict]]:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {file}: {exc}") from None
    first, _, rest = text.partition("\n")
    header = {}
    if first.startswith("# scanpipe sample "):
        try:
            header = json.loads(first[len("# scanpipe sample "):])
        except ValueError:
            header = {}
    else:
        rest = text
    reader = csv.DictReader(rest.splitlines())
    if not reader.fieldnames or not {"item", "result"} <= set(reader.fieldnames):
        raise BadInput(f"{file}: the columns 'item' and 'result' are needed")
    return header, list(reader)


# -------------------------------------------------------------------- purge

@click.command()
@click.option("--delivered-before", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Pieces whose bundle was delivered before this day (YYYY-MM-DD).")
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
    store = obj.store()
    before: date = delivered_before.date()
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
    result = store.purge(delivered_before=before, actor=operator or obj.settings.operator,
                         station=obj.settings.station)
    if result.items:
        click.echo(f"Purged {plural(len(result.items), 'piece')}: "
                   f"{plural(len(result.images), 'image')} removed; their hashes stay in the ledger.")
    if result.files_removed > len(result.images):
        click.echo(f"Removed {result.files_removed - len(result.images)} files left by an "
                   "interrupted purge.")
