"""`scanpipe samples`: simulated scans of the kits and of signed delivery sheets."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from stations.cli.base import LANGS, Context, pass_context, read_campaign


@click.group()
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


@samples.command("receipt")
@click.argument("bundle_id", type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The JPEG (first page) or PDF (every page) to write.")
@click.option("--unsigned", is_flag=True, help="Leave the signature and stamp boxes empty.")
@click.option("--seed", default=1, show_default=True)
@click.option("--lang", type=LANGS, help="Language of the sheet [default: its recipient's].")
@pass_context
def samples_receipt(obj: Context, bundle_id: int, out: Path, unsigned: bool, seed: int,
                    lang: str | None) -> None:
    """Simulate BUNDLE_ID's delivery sheet signed by the receiver and scanned back."""
    from scanpipe.simulate.scansim import sign_delivery_sheet
    from stations.delivery import render_sheet

    campaign = obj.campaign()
    view = obj.store().bundle(bundle_id)
    pdf = render_sheet(view, campaign, date.today(), lang)
    pages = sign_delivery_sheet(pdf, seed=seed, signed=not unsigned, stamp=not unsigned)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".pdf":
        pages[0].save(out, "PDF", resolution=200, save_all=True, append_images=pages[1:])
    else:
        pages[0].convert("RGB").save(out, "JPEG", quality=85, dpi=(200, 200))
    click.echo(f"Wrote {out}: bundle {bundle_id}'s sheet, {'unsigned' if unsigned else 'signed'}, "
               "as scanned")
