"""The `scanpipe` command line: thin click commands over the pipeline and the store.

Errors are translated to exit codes in exactly one place, `main`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from models.bundles import BundleError
from models.events import PIECE_KINDS
from models.people import PeopleError, Role
from models.sides import Side
from models.store import StoreError, item_ref
from scanpipe.reading import ocr
from scanpipe.domain.campaign import Campaign
from scanpipe.reading.pages import UnreadableFile
from scanpipe.reading.pipeline import decode_file
from stations.cli_base import LANGS, Context, echo_json, pass_context, read_campaign
from stations.cli_audit import audit, purge
from stations.cli_bundles import bundle, progress, samples_receipt
from stations.cli_db import db
from stations.cli_words import REJECTED_ORDER, counted, counted_rejected, kind_word
from stations.errors import BadInput, LedgerError, MissingProgram, ScanpipeError
from stations.intake import FileResult, expand_paths, take_in
from stations.settings import Settings
from stations.untrusted import terminal_text

class _Scanpipe(click.Group):
    """The root group; turns errors into messages and exit codes (the only place that does)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ScanpipeError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (StoreError, BundleError) as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(LedgerError.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted: what was recorded before stays recorded.", err=True)
            ctx.exit(130)


@click.group(cls=_Scanpipe, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the ledger and images [env SCANPIPE_DATA_DIR; default ./scanpipe-data].")
@click.option("--database-url", help="SQLAlchemy URL of the ledger, e.g. postgresql+psycopg://host/db "
                                     "[env SCANPIPE_DATABASE_URL; default SQLite in the data folder].")
@click.version_option(package_name="scanpipe")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, database_url: str | None) -> None:
    """scanpipe: intake, routing and delivery ledger of a letter-writing marathon.

    Typical season: check and load the campaign, print kits, take in scans,
    print delivery sheets, verify the ledger. Every command has --help.
    """
    overrides = {k: v for k, v in (("data_dir", data_dir), ("database_url", database_url)) if v}
    ctx.obj = Context(Settings(**overrides))


# ------------------------------------------------------------------ campaign

@cli.group()
def campaign() -> None:
    """Check and load the campaign file (cases, embassies, partners)."""


@campaign.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def campaign_check(file: str) -> None:
    """Validate a campaign FILE and list its cases; changes nothing."""
    _, loaded = read_campaign(file)
    click.echo(f"{loaded.id} — {loaded.name}, deadline {loaded.deadline.isoformat()}")
    for case in loaded.cases:
        click.echo(f"  {case.code:<10} {case.person} ({case.country}) → embassy {case.embassy}")
    click.echo(f"OK: {len(loaded.cases)} cases, {len(loaded.embassies)} embassies, "
               f"{len(loaded.partners)} partners")


@campaign.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--operator", help="Who loads it [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def campaign_load(obj: Context, file: str, operator: str | None) -> None:
    """Load (or update) the campaign FILE into the ledger."""
    text, _ = read_campaign(file)
    try:
        loaded, changed = obj.store().load_campaign(
            text, actor=operator or obj.settings.operator, station=obj.settings.station)
    except StoreError as exc:
        raise LedgerError(str(exc)) from None
    state = "loaded" if changed else "already loaded, unchanged"
    click.echo(f"Campaign {loaded.id} {state}: {len(loaded.cases)} cases.")


# ---------------------------------------------------------------------- kits

@cli.command()
@click.option("--campaign", "campaign_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The campaign file.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the PDFs into.")
@click.option("--kits", "count", default=10, show_default=True, type=click.IntRange(1, 100_000),
              help="How many kit envelope labels (one serial each).")
@click.option("--first", default=1, show_default=True, type=click.IntRange(1, 999_999_999),
              help="Serial number of the first kit label.")
@click.option("--lang", type=LANGS, help="Language of the printed text [default: the campaign's].")
@click.option("--no-record", is_flag=True, help="A proof or test print: do not record the kit "
                                                "serials in the ledger as sent.")
@click.option("--operator", help="Who prints them [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def kits(obj: Context, campaign_file: str, out: Path, count: int, first: int, lang: str | None,
         no_record: bool, operator: str | None) -> None:
    """Write printable kit PDFs: letter sheets, postcards, petitions and envelope labels.

    The kit serials printed are recorded in the ledger (the campaign file is
    loaded if needed), so the audit can tell how many kits came back.
    """
    from scanpipe.paper.kits import render_kit

    text, loaded = read_campaign(campaign_file)
    documents = render_kit(loaded, lang or loaded.language, first_serial=first, kits=count)
    for name, pdf in documents.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pdf)
    click.echo(f"Wrote {len(documents)} PDF files to {out}")
    if not no_record:
        actor = operator or obj.settings.operator
        try:
            store = obj.store()
            store.load_campaign(text, actor=actor, station=obj.settings.station)
            store.record_kits_printed(first, count, actor=actor, station=obj.settings.station)
        except StoreError as exc:
            raise LedgerError(str(exc)) from None
        click.echo(f"Recorded kits {first:06d}–{first + count - 1:06d} as sent.")


@cli.group()
def samples() -> None:
    """Make realistic sample scans from the kits (for demos, tests and training)."""


@samples.command("make")
@click.option("--campaign", "campaign_file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", default=2021, show_default=True, help="Same seed, same scans.")
def samples_make(campaign_file: str, out: Path, seed: int) -> None:
    """Write a set of simulated scans and expected.json (what each page really is)."""
    from scanpipe.simulate.samplegen import make_sample_set

    _, loaded = read_campaign(campaign_file)
    files = make_sample_set(loaded, seed=seed, lang=loaded.language)
    expected = []
    for sample in files:
        target = out / sample.relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(sample.data)
        for page in sample.pages:
            expected.append({"file": sample.relative_path, "page": page.page, "kind": page.kind,
                             "case": page.case, "status": page.status, "note": page.note,
                             "kit": page.kit, "signatures": page.signatures,
                             "by_text": page.by_text})
    (out / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    total = sum(len(s.data) for s in files)
    click.echo(f"Wrote {len(files)} files ({total / 1e6:.1f} MB) and expected.json to {out}")


# -------------------------------------------------------------- recognition

@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file and page.")
def decode(files: tuple[str, ...], as_json: bool) -> None:
    """Print the barcodes found on each page of FILES (JPEG, PNG, TIFF, WebP, BMP, PDF)."""
    for file in files:
        decoded, error = [], None
        try:
            decoded = decode_file(Path(file).read_bytes())
        except (UnreadableFile, OSError) as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - one file's fault never stops the others
            error = (f"reading its codes failed ({type(exc).__name__}: {exc}); a fault of "
                     f"scanpipe's, not of the file: the other files are decoded, keep this one "
                     f"and report it")
        if error is not None:
            if as_json:
                echo_json({"source": file, "page": None, "codes": [], "error": error})
            else:
                click.echo(f"{file}: cannot read: {error}", err=True)
            continue
        for page, codes in decoded:
            if as_json:
                echo_json({"source": file, "page": page, "codes": [c.to_json() for c in codes]})
            else:
                texts = ", ".join(f"{c.format} {c.text!r}" for c in codes) or "no code"
                click.echo(f"{file} p{page}: {texts}")


def _piece_json(result: FileResult) -> list[dict]:
    rows = []
    outcomes = {o.page: o for o in result.outcomes or []}
    for page in result.pages:
        row = {"source": result.source, "page": page.page, **page.decision.to_json(),
               "codes": [c.to_json() for c in page.codes], "orientation": page.orientation,
               "paper": page.size, "attempts": list(page.attempts)}
        outcome = outcomes.get(page.page)
        if outcome is not None:
            row["item"] = item_ref(outcome.item_id)
            row["duplicate"] = outcome.duplicate
        rows.append(row)
    return rows


def _piece_line(row: dict) -> str:
    where = row["destination"] or ("kit " + str(row["kit"]) if row["kit"] else
                                   "anonymous batch" if row["kind"] == "kit_envelope" else "—")
    flag = " (already taken in: not counted again)" if row.get("duplicate") else ""
    reasons = "" if row["status"] == "routed" else "  " + ", ".join(row["reasons"])
    return (f"{row['source']} p{row['page']}: {row['status']:<8} {row['kind']:<17} "
            f"{row['case'] or '—':<10} → {where}{reasons}{flag}")


def _need_ocr(settings: Settings) -> None:
    """Tesseract and its languages must be there when the settings read printed text."""
    if settings.ocr:
        try:
            ocr.available(settings.ocr_languages)
        except ocr.OcrUnavailable as exc:
            raise MissingProgram(f"{exc} (or set SCANPIPE_OCR=false to route by codes only)") from None


def _run_intake(obj: Context, files: tuple[str, ...], loaded: Campaign, *, station: str,
                operator: str, dry_run: bool, as_json: bool) -> Counter:
    _need_ocr(obj.settings)
    paths, skipped = expand_paths(files)
    for path in skipped:
        click.echo(f"skipped (not a scan by its name): {path}", err=True)
    store = None if dry_run else obj.store()
    tally: Counter = Counter()
    results = take_in(paths, store, loaded, station=station, operator=operator, dry_run=dry_run,
                      settings=obj.settings.recognition, workers=obj.settings.workers)
    for index, result in enumerate(results, 1):
        for row in _piece_json(result):
            tally["duplicate" if row.get("duplicate") else row["status"]] += 1
            if as_json:
                echo_json(row)
            else:
                click.echo(f"[{index}/{len(paths)}] {_piece_line(row)}")
    return tally


def _tally_line(tally: Counter) -> str:
    return ", ".join(f"{tally[k]} {k}" for k in ("routed", "review", "rejected", "duplicate"))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--campaign", "campaign_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The campaign file.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per piece (see README).")
@click.option("--dry-run", is_flag=True, help="Decide only; write nothing to the ledger.")
@click.option("--station", help="Station name [default: SCANPIPE_STATION or the host name].")
@click.option("--operator", help="Operator [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def scan(obj: Context, files: tuple[str, ...], campaign_file: str, as_json: bool, dry_run: bool,
         station: str | None, operator: str | None) -> None:
    """Recognise and route FILES (or folders) with a campaign file; record them unless --dry-run."""
    text, loaded = read_campaign(campaign_file)
    station = station or obj.settings.station
    operator = operator or obj.settings.operator
    if not dry_run:
        try:
            obj.store().load_campaign(text, actor=operator, station=station)
        except StoreError as exc:
            raise LedgerError(str(exc)) from None
    tally = _run_intake(obj, files, loaded, station=station, operator=operator,
                        dry_run=dry_run, as_json=as_json)
    if not as_json:
        click.echo(_tally_line(tally), err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--station", help="Station name [default: SCANPIPE_STATION or the host name].")
@click.option("--operator", help="Operator [default: SCANPIPE_OPERATOR or your login].")
@click.option("--new-batch", is_flag=True, help="Close the station's open batch first "
                                                "(a new envelope without a kit code).")
@click.option("--keep-open", is_flag=True, help="Leave the last batch open for more pages.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per piece.")
@pass_context
def intake(obj: Context, paths: tuple[str, ...], station: str | None, operator: str | None,
           new_batch: bool, keep_open: bool, as_json: bool) -> None:
    """Take scanned files (or folders, in name order) into the ledger.

    Each page becomes one item, stored once by its SHA-256; the same image taken
    in again is recorded as a duplicate and not counted. A kit envelope's code
    starts a new batch for that kit.
    """
    station = station or obj.settings.station
    operator = operator or obj.settings.operator
    loaded = obj.campaign()
    store = obj.store()
    if new_batch:
        store.close_batch(station=station, operator=operator)
    tally = _run_intake(obj, paths, loaded, station=station, operator=operator,
                        dry_run=False, as_json=as_json)
    if not keep_open:
        store.close_batch(station=station, operator=operator)
    if not as_json:
        click.echo(f"Taken in: {_tally_line(tally)}", err=True)


# ------------------------------------------------------------------- reports

@cli.command()
@pass_context
def summary(obj: Context) -> None:
    """Print the routing summary: pieces per case and destination, pieces in review, and the
    pages that are not pieces (blank sides, postcard picture sides, unreadable, set aside)."""
    store = obj.store()
    rows = store.routing_summary()
    routed = [r for r in rows if r.status == "routed" and r.case]
    click.echo("Routed pieces per case and destination:")
    click.echo(f"  {'case':<10} {'destination':<18} {'kind':<24} {'pieces':>6} {'signatures':>10}")
    for row in routed:
        signed = "" if row.kind != "petition" else "—" if row.signatures is None else str(row.signatures)
        click.echo(f"  {row.case:<10} {row.destination:<18} {kind_word(row.kind):<24} "
                   f"{row.count:>6} {signed:>10}")
    by_status = Counter()
    for row in rows:
        if not (row.status == "routed" and row.case) and row.status != "rejected":
            by_status[(row.status, row.kind)] += row.count
    if by_status:
        click.echo("Other pieces:")
        for (status, kind), count in sorted(by_status.items()):
            click.echo(f"  {status:<10} {kind_word(kind):<24} {count:>6}")
    rejected = store.rejected_pages()
    if rejected:
        click.echo("Pages that are not pieces (kept on record, not counted):")
        for counted_as in REJECTED_ORDER:
            pages = [p for p in rejected if p.counted_as == counted_as]
            if pages:
                click.echo(f"  {counted_rejected(len(pages), counted_as)}:")
                for line in _rejected_lines(pages, counted_as):
                    click.echo(f"    {line}")
    total = sum(r.count for r in rows)
    review = sum(r.count for r in rows if r.status == "review")
    signatures = sum(r.signatures or 0 for r in routed if r.kind == "petition")
    per_kind = Counter()
    for row in routed:
        per_kind[row.kind] += row.count
    kinds = ", ".join(counted(per_kind[k], k) for k in PIECE_KINDS)
    sides = Counter(p.counted_as for p in rejected)
    kept = " and ".join(counted_rejected(sides[s.value], s.value) for s in Side)
    click.echo(f"Total: {total} pages, {sum(per_kind.values())} routed to a case ({kinds}), "
               f"{review} in review, {signatures} petition signatures counted; {kept} kept with "
               "their files.")


_SIDES_SHOWN = 10  # files listed per kind of side; a season has thousands of blank backs


def _rejected_lines(pages: list, counted_as: str) -> list[str]:
    """The pages, by file: sides as 'file p2, p4'; unreadable and set-aside pages, which
    someone must act on, each with its reasons."""
    if counted_as not in {s.value for s in Side}:
        return [f"{terminal_text(p.source)} p{p.page} ({item_ref(p.item_id)}): "
                f"{', '.join(p.reasons)}" for p in pages]
    by_file: dict[str, list[int]] = {}
    for page in pages:
        by_file.setdefault(page.source, []).append(page.page)
    lines = [f"{terminal_text(source)} " + ", ".join(f"p{n}" for n in numbers)
             for source, numbers in list(by_file.items())[:_SIDES_SHOWN]]
    if len(by_file) > _SIDES_SHOWN:
        lines.append(f"… and {len(by_file) - _SIDES_SHOWN} more files")
    return lines


# ------------------------------------------------------------------- station

@cli.group()
def station() -> None:
    """The scanning station: the web app with its hot folder."""


@station.command("serve")
@click.option("--host", help="Address to listen on [env SCANPIPE_HOST; default 127.0.0.1, this "
                             "machine only]. Use 0.0.0.0 only on a trusted office network.")
@click.option("--port", type=click.IntRange(1, 65535), help="Port [env SCANPIPE_PORT; default 8800].")
@click.option("--inbox", type=click.Path(file_okay=False, path_type=Path),
              help="Folder the scanner writes into [env SCANPIPE_INBOX; default DATA_DIR/inbox].")
@click.option("--station", "name", help="Station name [default: SCANPIPE_STATION or the host name].")
@pass_context
def station_serve(obj: Context, host: str | None, port: int | None, inbox: Path | None,
                  name: str | None) -> None:
    """Run the station app: sign in at http://HOST:PORT/, scan, sort, review.

    Files the scanner drops into the inbox are taken in once complete, in the
    name of the person signed in; then moved to DATA_DIR/done/ (or
    DATA_DIR/quarantine/ with the reason). Stop with Ctrl+C.
    """
    from stations.serve import serve

    settings = obj.settings.model_copy(update={k: v for k, v in (("inbox", inbox), ("station", name))
                                               if v})
    _need_ocr(settings)
    store = obj.store()
    loaded = obj.campaign()
    if not store.people():
        click.echo("Nobody can sign in yet: add someone first, e.g. "
                   "'scanpipe people add \"Your Name\" --role admin'.", err=True)
    host, port = host or settings.host, port or settings.port
    click.echo(f"Station {settings.station}: open http://{host}:{port}/ — scanner folder "
               f"{settings.inbox_dir.resolve()}", err=True)
    serve(settings, store, loaded, host=host, port=port)


@station.command("watch")
@click.option("--inbox", type=click.Path(file_okay=False, path_type=Path),
              help="Folder the scanner writes into [env SCANPIPE_INBOX; default DATA_DIR/inbox].")
@click.option("--station", "name", help="Station name [default: SCANPIPE_STATION or the host name].")
@click.option("--operator", help="Who the pieces are taken in for [default: SCANPIPE_OPERATOR or "
                                 "your login].")
@click.option("--workers", type=click.IntRange(0, 256),
              help="Processes that decide files ahead [env SCANPIPE_WORKERS; default one per "
                   "core; 0: none, one file at a time].")
@click.option("--until-empty", is_flag=True, help="Take in what the inbox holds, then stop.")
@pass_context
def station_watch(obj: Context, inbox: Path | None, name: str | None, operator: str | None,
                  workers: int | None, until_empty: bool) -> None:
    """Run the hot folder without the web app, for one operator (an unattended scanner).

    Each complete file in the inbox is decided and recorded in scanning order, then moved to
    DATA_DIR/done/, or to DATA_DIR/quarantine/ with a .reason.txt beside it. A stop at any
    moment, even kill -9 or a power cut, loses nothing and counts nothing twice: the next start
    takes in what is still in the inbox. Stop with Ctrl+C (or SIGTERM).
    """
    import logging

    from stations.serve import watch

    logging.getLogger("stations.hotfolder").setLevel(logging.ERROR)  # each event is said below

    updates = {k: v for k, v in (("inbox", inbox), ("station", name)) if v}
    if workers is not None:
        updates["workers"] = workers
    settings = obj.settings.model_copy(update=updates)
    _need_ocr(settings)
    store = obj.store()
    loaded = obj.campaign()
    operator = operator or settings.operator

    def say(event) -> None:
        if event.kind == "taken":
            return
        where = f" → {terminal_text(str(event.target))}" if event.target else ""
        why = f": {terminal_text(event.reason)}" if event.reason else ""
        click.echo(f"{event.kind:<11} {terminal_text(event.name)}{where}{why}",
                   err=event.kind in ("retry", "error"))

    click.echo(f"Station {terminal_text(settings.station)} watching "
               f"{terminal_text(str(settings.inbox_dir.resolve()))} for {terminal_text(operator)}"
               f"{'' if until_empty else ' (Ctrl+C to stop)'}", err=True)
    tally = watch(settings, store, loaded, operator=operator, until_empty=until_empty, say=say)
    click.echo(f"{tally['done']} file(s) taken in, {tally['quarantined']} quarantined", err=True)


# -------------------------------------------------------------------- people

ROLES = click.Choice([r.value for r in Role])


@cli.group()
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
@click.option("--role", type=ROLES, default="operator", show_default=True)
@_secret_option
@click.option("--by", "actor", help="Who adds them [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def people_add(obj: Context, name: str, role: str, secret: str, actor: str | None) -> None:
    """Let NAME sign in at the stations with ROLE."""
    try:
        person = obj.store().add_person(name, Role(role), secret, actor=actor or obj.settings.operator,
                                        station=obj.settings.station)
    except PeopleError as exc:
        raise BadInput(str(exc)) from None
    click.echo(f"{person.name} may now sign in as {person.role}.")


@people.command("list")
@pass_context
def people_list(obj: Context) -> None:
    """List everyone, their role and whether they may sign in."""
    everyone = obj.store().people()
    if not everyone:
        click.echo("Nobody yet: 'scanpipe people add NAME --role admin' adds the first person.")
    for person in everyone:
        state = "" if person.active else "  (access removed)"
        click.echo(f"  {person.name:<30} {person.role}{state}")


@people.command("change")
@click.argument("name")
@click.option("--role", type=ROLES, help="Their new role.")
@click.option("--new-pin", is_flag=True, help="Set a new PIN or password (asked for).")
@click.option("--disable", "active", flag_value=False, default=None, help="Remove their access.")
@click.option("--enable", "active", flag_value=True, help="Give their access back.")
@click.option("--by", "actor", help="Who changes it [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def people_change(obj: Context, name: str, role: str | None, new_pin: bool, active: bool | None,
                  actor: str | None) -> None:
    """Change NAME's role, PIN or access; every change is recorded in the ledger."""
    secret = click.prompt("New PIN or password", hide_input=True,
                          confirmation_prompt=True) if new_pin else None
    try:
        person = obj.store().change_person(name, actor=actor or obj.settings.operator,
                                           station=obj.settings.station,
                                           role=Role(role) if role else None, active=active,
                                           secret=secret)
    except PeopleError as exc:
        raise BadInput(str(exc)) from None
    state = "may sign in" if person.active else "may not sign in"
    click.echo(f"{person.name}: {person.role}, {state}.")


cli.add_command(audit)
cli.add_command(purge)
cli.add_command(bundle)
cli.add_command(progress)
cli.add_command(db)
samples.add_command(samples_receipt)


def main() -> None:
    """Console entry point."""
    cli(prog_name="scanpipe")
