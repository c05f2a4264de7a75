"""Make the README's picture of a delivery sheet's first page (docs/delivery-sheet.png).

A season of the sample campaign is simulated into a scratch ledger (bench/ledger_fill.py,
the same generator as the benchmarks), the Guatemalan embassy's bundle is closed, and
page 1 of its delivery sheet is rendered in French. Run: python docs/make_pictures.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ledger_fill import fill_ledger, season_start  # noqa: E402
from models.store import Store  # noqa: E402
from scanpipe.domain.campaign import parse_campaign  # noqa: E402
from scanpipe.simulate.scansim import rasterise_pdf  # noqa: E402
from stations.delivery import deadline_passed_at, render_sheet  # noqa: E402


def main() -> int:
    toml_text = (ROOT / "samples" / "campaign.toml").read_text(encoding="utf-8")
    campaign = parse_campaign(toml_text)
    with tempfile.TemporaryDirectory() as scratch:
        loaded_at = season_start(campaign) - timedelta(days=7)
        store = Store.open(f"sqlite:///{scratch}/ledger.sqlite3", Path(scratch) / "images",
                           clock=lambda: loaded_at)
        fill_ledger(store, toml_text, items=4000, stations=2, seed=2021)
        view = store.close_bundle("embassy:GT", actor="coordinator", station="office",
                                  late_after=deadline_passed_at(campaign))
        pdf = render_sheet(view, campaign, date(2022, 1, 20), "fr")
        store.close()
    page = rasterise_pdf(pdf, 100)[0].convert("L")
    target = ROOT / "docs" / "delivery-sheet.png"
    page.save(target, optimize=True)
    print(f"wrote {target} ({target.stat().st_size / 1e3:.0f} kB): bundle of "
          f"{len(view.item_ids)} pieces for embassy:GT")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
