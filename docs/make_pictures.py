"""Make the README's pictures of a bundle's two papers: the embassy's delivery sheet
(docs/delivery-sheet.png) and the first page of the office's copy (docs/office-copy.png).

A season of the sample campaign is simulated into a scratch ledger (bench/ledger_fill.py,
the same generator as the benchmarks), the Guatemalan embassy's bundle is closed and sent
by post, and both papers are rendered in French (pypdfium2, 100 dpi).
Run: python docs/make_pictures.py
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
from models.store.bundles import DispatchMethod  # noqa: E402
from scanpipe.domain.campaign import parse_campaign  # noqa: E402
from scanpipe.simulate.scansim import rasterise_pdf  # noqa: E402
from stations.delivery import deadline_passed_at, render_copy, render_sheet  # noqa: E402


def main() -> int:
    toml_text = (ROOT / "samples" / "campaign.toml").read_text(encoding="utf-8")
    campaign = parse_campaign(toml_text)
    with tempfile.TemporaryDirectory() as scratch:
        loaded_at = season_start(campaign) - timedelta(days=7)
        store = Store.open(f"sqlite:///{scratch}/ledger.sqlite3", Path(scratch) / "images",
                           clock=lambda: loaded_at)
        fill_ledger(store, toml_text, items=20000, stations=2, seed=2021)
        view = store.close_bundle("embassy:GT", actor="coordinator", station="office",
                                  late_after=deadline_passed_at(campaign))
        store.dispatch_bundle(view.id, method=DispatchMethod.POST, tracking="RR123456785BE",
                              actor="coordinator", station="office")
        view = store.bundle(view.id)
        sheet = render_sheet(view, campaign, date(2022, 1, 20), "fr", handed_by="Alice Martin")
        copy = render_copy(view, campaign, date(2022, 1, 20), "fr")
        store.close()
    for pdf, name in ((sheet, "delivery-sheet.png"), (copy, "office-copy.png")):
        pages = rasterise_pdf(pdf, 100)
        target = ROOT / "docs" / name
        pages[0].convert("L").save(target, optimize=True)
        print(f"wrote {target} ({target.stat().st_size / 1e3:.0f} kB): page 1 of {len(pages)}, "
              f"bundle of {len(view.item_ids)} pieces ({len(view.late_ids)} late) for embassy:GT")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
