"""Bundles at the scale of a season: 100,000 items in the ledger.

On a copy of the station benchmark's cached ledger (bench/station.py fills it once), this
times what a coordinator does at the end of the season: list what waits for a bundle,
close a bundle for every destination, load the biggest one, render its delivery sheet
(a summary per case), its office copy (thousands of item ids) and label, read the delivery
progress, and read a
signed sheet scanned back (the receipt check runs on every returned sheet). It prints
figures; it does not fail.

Run: python bench/bundles.py [--items N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium

from bench.station import working_copy
from scanpipe.reading import receipts
from scanpipe.reading.codes import scan_codes
from scanpipe.reading.pages import load_pages
from scanpipe.simulate.scansim import sign_delivery_sheet
from stations.delivery import deadline_passed_at, render_copy, render_label, render_sheet


def timed(action):
    start = time.perf_counter()
    value = action()
    return value, (time.perf_counter() - start) * 1000


def receipt_checks(pdf: bytes, repeat: int) -> tuple[list[float], int, int]:
    """ms per receipt check on signed and unsigned scans of the sheet's first page."""
    times, signed_right, unsigned_right = [], 0, 0
    for seed in range(repeat):
        for signed in (True, False):
            image = sign_delivery_sheet(pdf, seed=seed, signed=signed, stamp=False)[0]
            out = io.BytesIO()
            image.convert("L").save(out, "JPEG", quality=80, dpi=(200, 200))
            page = load_pages(out.getvalue())[0]
            codes = [c for c in scan_codes(page.pixels).codes if c.text.startswith("SP1:B:")]
            if not codes:
                continue
            check, ms = timed(lambda pixels=page.pixels, code=codes[0]: receipts.check_receipt(pixels, code))
            times.append(ms)
            ok = check is not None and check.signed == signed
            signed_right += ok and signed
            unsigned_right += ok and not signed
    return times, signed_right, unsigned_right


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--receipts", type=int, default=10, help="signed and unsigned scans each")
    args = parser.parse_args(argv)

    with working_copy(args.items, "bundles") as (store, source, _work):
        campaign = store.campaign()
        late_after = deadline_passed_at(campaign)
        print(f"bundles with {args.items:,} items in the ledger (SQLite, a copy of {source.name})")

        waiting, ms = timed(lambda: store.pending(late_after=late_after))
        pieces = sum(w.pieces for w in waiting)
        print(f"  pending: {len(waiting)} destinations, {pieces:,} pieces waiting — {ms:.0f} ms")

        closes = []
        views = []
        for row in waiting:
            view, ms = timed(lambda to=row.destination: store.close_bundle(to, actor="bench", station="bench",
                                                                       late_after=late_after))
            closes.append(ms)
            views.append(view)
        biggest = max(views, key=lambda v: len(v.item_ids))
        print(f"  close_bundle: {len(views)} bundles, median {statistics.median(closes):.0f} ms, "
              f"max {max(closes):.0f} ms (the biggest: {len(biggest.item_ids):,} pieces, "
              f"{biggest.bundle.destination})")

        view, ms = timed(lambda: store.bundle(biggest.id))
        print(f"  bundle view of the biggest: {ms:.0f} ms")
        (sheet, copy, label), ms = timed(lambda: (
            render_sheet(view, campaign, date.today(), "fr"),
            render_copy(view, campaign, date.today(), "fr"),
            render_label(view, campaign, date.today(), "fr")))
        pages, copy_pages = len(pdfium.PdfDocument(sheet)), len(pdfium.PdfDocument(copy))
        print(f"  its delivery sheet, office copy and label: {ms:.0f} ms — sheet {pages} page(s), "
              f"{len(sheet) / 1e3:.0f} kB; office copy {copy_pages} pages, "
              f"{len(copy) / 1e6:.2f} MB; label {len(label) / 1e3:.0f} kB")
        _, ms = timed(store.delivery_progress)
        print(f"  delivery progress: {ms:.0f} ms")
        _, ms = timed(lambda: store.audit(check_images=False))
        print(f"  audit (chain, items, bundles; images not re-hashed): {ms / 1000:.1f} s")

        small = min(views, key=lambda v: len(v.item_ids))
        pdf = render_sheet(small, campaign, date.today(), "fr")
        times, signed_right, unsigned_right = receipt_checks(pdf, args.receipts)
        if times:
            print(f"  receipt check on 200 dpi scans: median {statistics.median(times):.1f} ms, "
                  f"max {max(times):.1f} ms; signed found signed {signed_right}/{args.receipts}, "
                  f"unsigned found unsigned {unsigned_right}/{args.receipts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
