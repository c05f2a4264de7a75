"""Benchmark: the QR path on the sample scans, one core.

Prints, per page: file → decision (load, read codes, route) median and p95 in ms,
and file → ledger commit (image stored, events written, SQLite) in pages/s.
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
from scanpipe.campaign import parse_campaign  # noqa: E402
from scanpipe.pipeline import process_file  # noqa: E402
from stations.intake import expand_paths, take_in  # noqa: E402

ROUNDS = 5


def main() -> None:
    text = (ROOT / "samples" / "campaign.toml").read_text(encoding="utf-8")
    campaign = parse_campaign(text)
    files, _ = expand_paths([str(ROOT / "samples" / "scans")])
    jpegs = [f for f in files if f.suffix.lower() in (".jpg", ".jpeg")]
    blobs = [f.read_bytes() for f in jpegs]
    timings = []
    routed = 0
    for _ in range(ROUNDS):
        for data in blobs:
            start = time.perf_counter()
            results = process_file(data, campaign)
            timings.append((time.perf_counter() - start) * 1000)
            routed += sum(r.decision.status.value == "routed" for r in results)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"QR path, file -> decision ({len(blobs)} JPEG scans x {ROUNDS} rounds, one process):")
    print(f"  median {statistics.median(timings):.1f} ms/page, p95 {p95:.1f} ms, "
          f"{routed // ROUNDS}/{len(blobs)} pages routed")

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{tmp}/ledger.sqlite3", Path(tmp) / "images")
        store.load_campaign(text, actor="bench", station="bench")
        start = time.perf_counter()
        pages = sum(len(r.pages) for r in take_in(files, store, campaign, station="bench",
                                                   operator="bench"))
        elapsed = time.perf_counter() - start
        store.close()
    print(f"File -> ledger commit (SQLite, {len(files)} files, {pages} pages): "
          f"{pages / elapsed:.1f} pages/s ({elapsed / pages * 1000:.1f} ms/page)")


if __name__ == "__main__":
    main()
