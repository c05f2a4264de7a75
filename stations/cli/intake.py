"""Reading scans: `scanpipe decode`, `scanpipe scan` and `scanpipe intake`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stations.cli.base import Context, echo_json, need_ocr, pass_context, read_campaign
from stations.progress import progress_bar
from stations.untrusted import json_text, terminal_text

# The pipeline (OpenCV, the decoders) and the store are imported when a command runs, so that
# --help loads none of them.
if TYPE_CHECKING:
    from scanpipe.domain.campaign import Campaign
    from stations.intake import FileResult


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file and page.")
def decode(files: tuple[str, ...], as_json: bool) -> None:
    """Print the barcodes found on each page of FILES (JPEG, PNG, TIFF, WebP, BMP, PDF)."""
    from scanpipe.reading.pages import UnreadableFile
    from scanpipe.reading.pipeline import decode_file

    for file in files:
        decoded, error = [], None
        try:
            decoded = decode_file(Path(file).read_bytes())
        except (UnreadableFile, OSError) as exc:
            error = str(exc)
        except Exception as exc:  # one file's fault never stops the others
            error = (f"reading its codes failed ({type(exc).__name__}: {exc}); a fault of "
                     f"scanpipe's, not of the file: the other files are decoded, keep this one "
                     f"and report it")
        if error is not None:
            if as_json:
                echo_json({"source": file, "page": None, "codes": [], "error": error})
            else:
                click.echo(f"{terminal_text(file)}: cannot read: {terminal_text(error)}", err=True)
            continue
        for page, codes in decoded:
            if as_json:
                echo_json({"source": file, "page": page, "codes": [c.to_json() for c in codes]})
            else:
                texts = ", ".join(f"{c.format} {c.text!r}" for c in codes) or "no code"
                click.echo(f"{terminal_text(file)} p{page}: {terminal_text(texts)}")


def _piece_json(result: FileResult) -> list[dict]:
    from models.store import item_ref

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
    return terminal_text(f"{row['source']} p{row['page']}: {row['status']:<8} {row['kind']:<17} "
            f"{row['case'] or '—':<10} → {where}{reasons}{flag}")


def _run_intake(obj: Context, files: tuple[str, ...], loaded: Campaign, *, station: str,
                operator: str, dry_run: bool, as_json: bool) -> Counter:
    from stations.intake import expand_paths, take_in

    need_ocr(obj.settings)
    paths, skipped = expand_paths(files)
    for path in skipped:
        click.echo(f"skipped (not a scan by its name): {terminal_text(path)}", err=True)
    store = None if dry_run else obj.store()
    tally: Counter = Counter()
    results = take_in(paths, store, loaded, station=station, operator=operator, dry_run=dry_run,
                      settings=obj.settings.recognition, workers=obj.settings.workers)
    with progress_bar("Intake", unit="files") as tick:
        for index, result in enumerate(results, 1):
            for row in _piece_json(result):
                tally["duplicate" if row.get("duplicate") else row["status"]] += 1
                tick.echo(json_text(row) if as_json else f"[{index}/{len(paths)}] {_piece_line(row)}")
            tick(index, len(paths))
    return tally


def _tally_line(tally: Counter) -> str:
    return ", ".join(f"{tally[k]} {k}" for k in ("routed", "review", "rejected", "duplicate"))


@click.command()
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
        # Like 'campaign load', it loads the file into the ledger: it may make the ledger.
        obj.store(create=True).load_campaign(text, actor=operator, station=station)
    tally = _run_intake(obj, files, loaded, station=station, operator=operator,
                        dry_run=dry_run, as_json=as_json)
    if not as_json:
        click.echo(_tally_line(tally), err=True)


@click.command()
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
        click.echo(f"Taken in for {obj.written_to()}: {_tally_line(tally)}", err=True)
