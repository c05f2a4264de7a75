"""`scanpipe kits`: the printable kits, their serials recorded in the ledger."""

from __future__ import annotations

from pathlib import Path

import click

from stations.cli.base import Context, pass_context, read_campaign
from stations.progress import progress_bar


@click.command()
@click.option("--campaign", "campaign_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The campaign file.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the PDFs into.")
@click.option("--kits", "count", type=click.IntRange(1, 100_000),
              help="How many kit envelope labels (one serial each) [default: 10].")
@click.option("--first", type=click.IntRange(1, 999_999_999),
              help="Serial number of the first kit label [default: after the last one printed].")
@click.option("--reprint", "reprint", metavar="FIRST-LAST",
              help="Print kits printed before again, e.g. 12-20 (recorded as a reprint).")
@click.option("--lang", type=click.Choice(["fr", "en", "nl", "all"]),
              help="Language of the printed text, one the campaign offers (its `languages`), or "
                   "`all`: a folder per language [default: the campaign's language].")
@click.option("--no-record", is_flag=True, help="A proof or test print: do not record the kit "
                                                "serials in the ledger as sent.")
@click.option("--operator", help="Who prints them [default: SCANPIPE_OPERATOR or your login].")
@pass_context
def kits(obj: Context, campaign_file: str, out: Path, count: int | None, first: int | None,
         reprint: str | None, lang: str | None, no_record: bool, operator: str | None) -> None:
    """Write printable kit PDFs: letter sheets, postcards, petitions and envelope labels.

    The kit serials printed are recorded in the ledger (made first by 'campaign
    load'; the campaign file is loaded if it changed), so the audit can tell
    how many kits came back. A serial is printed once: a new print continues
    after the last serial printed, and printing kits again is asked for with
    --reprint FIRST-LAST.
    """
    from scanpipe.paper.kits import render_kit

    text, loaded = read_campaign(campaign_file)
    if lang not in (None, "all") and lang not in loaded.offered_languages:
        raise click.BadParameter(f"the campaign does not offer {lang!r}: it offers "
                                 f"{', '.join(loaded.offered_languages)} (its `languages`)",
                                 param_hint="--lang")
    _work_for_file(obj, text, loaded.id, operator, record=not no_record)
    if reprint is not None:
        if first is not None or count is not None:
            raise click.UsageError("--reprint names the kits itself: leave out --first and --kits")
        first, count = _serial_range(reprint)
    elif first is None:  # a proof printed before any ledger exists starts at 1
        first = obj.store().next_kit_serial() if obj.has_ledger() else 1
    count = 10 if count is None else count
    if first + count - 1 > 999_999_999:
        raise click.UsageError("kit serials go up to 999999999")
    if not no_record:  # refused before anything is written (checked again as it is recorded)
        obj.store().check_kit_serials(first, count, reprint=reprint is not None)
    with progress_bar("Kits", unit="cases and labels") as tick:
        documents = render_kit(loaded, lang or loaded.language, first_serial=first, kits=count,
                               progress=tick)
    for name, pdf in documents.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pdf)
    click.echo(f"Wrote {len(documents)} PDF files to {out}")
    if not no_record:
        actor = operator or obj.settings.operator
        obj.store().record_kits_printed(first, count, actor=actor, station=obj.settings.station,
                                        reprint=reprint is not None)  # its campaign loaded above
        what = "reprinted" if reprint is not None else "sent"
        click.echo(f"Recorded kits {first:06d}–{first + count - 1:06d} as {what} ({obj.written_to()}).")


def _work_for_file(obj: Context, text: str, campaign_id: str, operator: str | None, *,
                   record: bool) -> None:
    """Serials are numbered per campaign: work for the file's campaign (loaded first when the
    print is recorded). A recorded print needs the office's ledger (made by 'campaign load': a
    mistyped folder must not start the serials again at 1); a proof needs none."""
    if record:
        obj.store().load_campaign(text, actor=operator or obj.settings.operator,
                                  station=obj.settings.station)
    elif obj.has_ledger() and campaign_id in obj.store().campaigns():
        obj.store().work_for(campaign_id)


def _serial_range(text: str) -> tuple[int, int]:
    """`FIRST-LAST` (or one serial) as (first, count)."""
    first_text, _, last_text = text.strip().partition("-")
    try:
        first = int(first_text)
        last = int(last_text) if last_text else first
    except ValueError:
        raise click.BadParameter(f"{text!r}: give FIRST-LAST, e.g. 12-20", param_hint="--reprint") from None
    if not 1 <= first <= last <= 999_999_999 or last - first >= 100_000:
        raise click.BadParameter(f"{text!r}: serials from 1, the first not after the last, "
                                 "100,000 kits at most", param_hint="--reprint")
    return first, last - first + 1
