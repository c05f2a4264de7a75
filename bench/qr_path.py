"""Benchmark: the QR path, one core, on 300 dpi A4 JPEG scans of kit pages.

Generates (fixed seed) handwritten kit letter sheets and signed petition sheets
of every sample case at 300 dpi, plus postcards, then prints file → decision
(load, read codes, cross-check, count signatures, route) median and p95 in ms
per kind against the 40 ms target, and file → ledger commit on SQLite in pages/s.
Run with `make bench`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.store import Store  # noqa: E402
from scanpipe import kits, scansim  # noqa: E402
from scanpipe.campaign import parse_campaign  # noqa: E402
from scanpipe.pipeline import process_file  # noqa: E402
from stations.intake import take_in  # noqa: E402

ROUNDS = 5
DPI = 300
TARGET_MS = 40.0


def _pages(campaign) -> list[tuple[str, bytes]]:
    pages = []
    for i, case in enumerate(campaign.cases):
        sheet = scansim.rasterise_pdf(kits.render_letter_sheet(campaign, case), DPI)[0]
        lay = kits.LETTER_LAYOUT
        pages.append(("letter", scansim.simulate_scan(
            sheet, seed=100 + i, dpi=DPI, writing_box_px=lay.writing_box.px(DPI),
            line_pitch_px=lay.line_pitch_mm * DPI / 25.4, jpeg_quality=(75, 85))))
        petition = scansim.rasterise_pdf(kits.render_petition(campaign, case), DPI)[0]
        rows = kits.petition_rows()[: 3 + i]
        pages.append(("petition", scansim.simulate_scan(
            petition, seed=200 + i, dpi=DPI, signature_boxes_px=[r.signature.px(DPI) for r in rows],
            jpeg_quality=(75, 85))))
        if i < 5:
            card = scansim.rasterise_pdf(kits.render_postcard(campaign, case), DPI)[1]
            lay = kits.POSTCARD_MESSAGE_LAYOUT
            pages.append(("postcard", scansim.simulate_scan(
                card, seed=300 + i, dpi=DPI, writing_box_px=lay.writing_box.px(DPI),
                line_pitch_px=lay.line_pitch_mm * DPI / 25.4, jpeg_quality=(75, 85))))
    return pages


def main() -> None:
    text = (ROOT / "samples" / "campaign.toml").read_text(encoding="utf-8")
    campaign = parse_campaign(text)
    pages = _pages(campaign)
    for _, data in pages[:3]:
        process_file(data, campaign)  # warm-up: templates rendered once per case and kind
    timings: dict[str, list[float]] = {}
    routed = 0
    for _ in range(ROUNDS):
        for kind, data in pages:
            start = time.perf_counter()
            results = process_file(data, campaign)
            timings.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
            routed += sum(r.decision.status.value == "routed" for r in results)
    print(f"QR path, file -> decision ({len(pages)} JPEG scans at {DPI} dpi x {ROUNDS} rounds, "
          f"one process; {routed // ROUNDS}/{len(pages)} routed):")
    every = []
    for kind, values in timings.items():
        values.sort()
        every += values
        p95 = values[max(0, int(len(values) * 0.95) - 1)]
        print(f"  {kind:<9} median {statistics.median(values):6.1f} ms/page, p95 {p95:6.1f} ms")
    a4 = sorted(timings["letter"] + timings["petition"])
    median = statistics.median(a4)
    print(f"  A4 300 dpi kit pages: median {median:.1f} ms (target <= {TARGET_MS:.0f} ms): "
          f"{'MET' if median <= TARGET_MS else 'NOT MET'}")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scans"
        folder.mkdir()
        files = []
        for n, (kind, data) in enumerate(pages):
            path = folder / f"{n:03d}-{kind}.jpg"
            path.write_bytes(data)
            files.append(path)
        store = Store.open(f"sqlite:///{tmp}/ledger.sqlite3", Path(tmp) / "images")
        store.load_campaign(text, actor="bench", station="bench")
        start = time.perf_counter()
        count = sum(len(r.pages) for r in take_in(files, store, campaign, station="bench",
                                                   operator="bench"))
        elapsed = time.perf_counter() - start
        store.close()
    print(f"File -> ledger commit (SQLite, {count} pages, one process): "
          f"{count / elapsed:.1f} pages/s ({elapsed / count * 1000:.1f} ms/page)")


if __name__ == "__main__":
    main()
