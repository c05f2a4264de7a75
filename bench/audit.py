"""The auditors' tools at the scale of a season: 100,000 items in the ledger.

On a copy of the station benchmark's cached ledger (bench/station.py fills it once), the
season summary PDF is made mid-season (nothing bundled yet: the case that once gave 857
pages); then every destination is bundled, dispatched and most bundles delivered, and a
checkpoint is signed. Then it times what an auditor does: the full verify (chain,
checkpoint, every life, the tables; images are not re-hashed: the filled ledger has none),
the reconciliation, the report as PDF (its pages counted; the target is at most about 20
pages and under 30 s), CSV files and a workbook, an export and its offline verification, a
sample, a trail, and a purge. It prints figures and the process's peak memory; it does not
fail.

Run: python bench/audit.py [--items N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pypdfium2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.station import working_copy
from models.audit.export import write_export
from models.audit.export_check import verify_export
from models.audit.report_types import Reconciliation
from models.store import Store
from models.store.bundles import DispatchMethod
from stations.audit_pdf import report_pdf
from stations.audit_report import write_report_csv, write_report_xlsx

PDF_PAGES, PDF_SECONDS = 20, 30.0  # the target for the season summary


def measured(label: str, action):
    """Run `action`, print its time and the process's peak memory so far, return its value."""
    start = time.perf_counter()
    value = action()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {label:<40} {seconds * 1000:>9.0f} ms   peak RSS so far {peak:>6.0f} MiB", flush=True)
    return value


def deliver_everything(store: Store) -> int:
    """Close a bundle per destination; dispatch all, deliver four in five."""
    count = 0
    for number, pending in enumerate(store.pending()):
        view = store.close_bundle(pending.destination, actor="bench", station="bench")
        store.record_sheet_issued(view.id, document="delivery_sheet", lang="fr",
                                  issued_on=date(2022, 1, 20), pdf_sha256="0" * 64,
                                  totals=view.totals, actor="bench", station="bench")
        store.dispatch_bundle(view.id, method=DispatchMethod.HAND, tracking=None, actor="bench",
                              station="bench")
        if number % 5:
            store.deliver_bundle(view.id, received_by="Consular officer",
                                 received_on=date(2022, 1, 25), actor="bench", station="bench")
        count += 1
    return count


def timed_reconciliation(store: Store, label: str) -> tuple[Reconciliation, float]:
    """The reconciliation, and its seconds (the first half of `audit report`)."""
    start = time.perf_counter()
    report = measured(f"reconciliation ({label})", store.reconciliation)
    return report, time.perf_counter() - start


def summary_pdf(report: Reconciliation, label: str, counted: float) -> None:
    """Make the French PDF; print its time, size and pages against the target. The time held
    against the target is the whole command's: `counted` (the reconciliation) and the PDF."""
    start = time.perf_counter()
    pdf = measured(f"report PDF, fr ({label})", lambda: report_pdf(report, "fr"))
    seconds = counted + time.perf_counter() - start
    document = pypdfium2.PdfDocument(pdf)
    pages = len(document)
    document.close()
    verdict = "within" if pages <= PDF_PAGES and seconds < PDF_SECONDS else "OVER"
    print(f"    {pages} pages, {len(pdf) / 1024:.0f} KiB, {seconds:.1f} s with the reconciliation — "
          f"{verdict} the target "
          f"(at most about {PDF_PAGES} pages, under {PDF_SECONDS:.0f} s); "
          f"{report.figures['exceptions']:,} exceptions, {report.figures['waiting']:,} waiting")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args(argv)

    with working_copy(args.items, "audit") as (store, source, work):
        print(f"audit with {args.items:,} items in the ledger (SQLite, a copy of {source.name})")
        report, counted = timed_reconciliation(store, "mid-season")
        summary_pdf(report, "mid-season", counted)
        bundles = deliver_everything(store)
        key = Ed25519PrivateKey.generate()
        measured("sign a checkpoint", lambda: store.sign_checkpoint(key))
        result = measured("audit verify (no image re-hash)",
                          lambda: store.audit(check_images=False, public=key.public_key()))
        print(f"    {'OK' if result.ok else 'FAILED: ' + str(result.problem)}: {result.events:,} "
              f"events, {result.items:,} items, {bundles} bundles, {result.checkpoints} checkpoint")
        report, counted = timed_reconciliation(store, "delivered: replay + counts")
        figures = report.figures
        print(f"    pieces {figures['pieces']:,}, delivered {figures['delivered']:,}, pending "
              f"{figures['pending']:,}, exceptions {figures['exceptions']:,}")
        summary_pdf(report, "delivered", counted)
        measured("report CSV (fr)", lambda: write_report_csv(report, work / "csv", "fr"))
        measured("report XLSX (fr)", lambda: write_report_xlsx(report, work / "report.xlsx", "fr"))
        size = sum(p.stat().st_size for p in (work / "csv").iterdir())
        print(f"    CSV {size / 2**20:.1f} MiB, XLSX {(work / 'report.xlsx').stat().st_size / 2**20:.1f} MiB")
        summary = measured("audit export (no images)",
                           lambda: write_export(store, work / "export", public=None))
        size = sum(p.stat().st_size for p in (work / "export").rglob("*") if p.is_file())
        print(f"    {summary.events:,} events, {size / 2**20:.1f} MiB")
        offline = measured("verify the export offline",
                           lambda: verify_export(work / "export", key.public_key()))
        print(f"    {'OK' if offline.ok else 'FAILED: ' + str(offline.problem)}")
        sample = measured("draw a sample of 100", lambda: store.draw_sample("bench", 100))
        print(f"    from {sample.population:,} pieces in trays, in bundles or delivered")
        item = sample.pieces[0].item_id
        measured("trail of one piece", lambda: store.trail(item))
        purged = measured("purge (delivered before 2022-02-01)", lambda: store.purge(
            delivered_before=date(2022, 2, 1), actor="bench", station="bench"))
        print(f"    {len(purged.items):,} pieces, {len(purged.images):,} images")
        after = measured("audit verify after the purge",
                         lambda: store.audit(check_images=False, public=key.public_key()))
        print(f"    {'OK' if after.ok else 'FAILED: ' + str(after.problem)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
