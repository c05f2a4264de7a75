"""`scanpipe kits`: the printable kits, their serials recorded in the ledger."""

from __future__ import annotations

from pathlib import Path

import click

from stations.cli.base import LANGS, Context, pass_context, read_campaign


@click.command()
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
        store = obj.store()
        store.load_campaign(text, actor=actor, station=obj.settings.station)
        store.record_kits_printed(first, count, actor=actor, station=obj.settings.station)
        click.echo(f"Recorded kits {first:06d}–{first + count - 1:06d} as sent.")
