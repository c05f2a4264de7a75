"""Benchmark: 4 stations writing into one PostgreSQL ledger, 2,500 pieces each: events/s.

Each station is its own process with its own connection, recording pieces already decided
(the recognition side is measured by bench/qr_path.py) with realistic decisions: kit envelopes
opening batches, letters, postcards and petition sheets routed by their QR code, pages sent to
review with OCR candidates. A station records what its workers have decided in groups, as the
hot folder does with a backlog (the next file and the 32 decided ahead of it on a 2-core station,
`stations.workers.ahead`, in one transaction); the same run with one file a transaction is
shown beside it. Appends are serialised by the
ledger's advisory lock, so the chain stays one line; it is verified at the end.

The database: SCANPIPE_BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
scanpipe_bench (created if missing). Its name must contain "bench": the benchmark empties it.

Run: python bench/stations_pg.py [--stations N] [--pieces N] [--group N]
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from models.store import FileRecord, Store, normalise_url
from models.store import tables as t
from scanpipe.domain.campaign import letter_destination, parse_campaign, postcard_destination
from scanpipe.domain.found import Candidate, TermHit
from scanpipe.domain.routing import Decision, Finding, Kind, Method, Reason, Status
from stations.workers import ahead

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/scanpipe_bench"
TARGET_EVENTS_S = 1000.0
CAMPAIGN = ROOT / "samples" / "campaign.toml"


def _decisions(campaign, rng: random.Random, count: int, first_kit: int) -> list[Decision]:
    """A station's season in miniature: an envelope, then the pieces found in it."""
    cases = list(campaign.cases)
    out: list[Decision] = []
    kit = first_kit
    while len(out) < count:
        out.append(Decision(Kind.KIT_ENVELOPE, Status.ROUTED, method=Method.QR, confidence=1.0,
                            findings=(Finding(Reason.ROUTED_BY_QR, f"kit {kit}"),), kit_serial=kit))
        kit += 1
        for _ in range(rng.randint(3, 9)):
            case = rng.choice(cases)
            roll = rng.random()
            if roll < 0.08:
                candidates = tuple(Candidate(c.code, round(rng.uniform(0.3, 0.6), 2),
                                             (TermHit(c.person, f"pour {c.person} {rng.randint(1, 999)}",
                                                      0.9, 0.6),))
                                   for c in rng.sample(cases, 3))
                out.append(Decision(Kind.LETTER, Status.REVIEW,
                                    findings=(Finding(Reason.OCR_WEAK, "weak"),),
                                    candidates=candidates))
                continue
            kind = Kind.PETITION if roll < 0.25 else Kind.POSTCARD if roll < 0.45 else Kind.LETTER
            destination = (postcard_destination(case) if kind is Kind.POSTCARD
                           else letter_destination(case))
            out.append(Decision(kind, Status.ROUTED, case.code, destination, Method.QR, 1.0,
                                (Finding(Reason.ROUTED_BY_QR, case.code),),
                                signatures=rng.randint(1, 12) if kind is Kind.PETITION else None))
    return out[:count]


def _station(url: str, images: str, number: int, pieces: int, group: int, barrier,
             results) -> None:
    campaign = parse_campaign(CAMPAIGN.read_text(encoding="utf-8"))
    rng = random.Random(f"station-{number}")
    decisions = _decisions(campaign, rng, pieces, first_kit=1 + number * 10_000)
    records = [FileRecord(f"desk{number}-{n:05d}.jpg",
                          hashlib.sha256(f"{number}/{n}/{group}".encode()).hexdigest(), "jpeg",
                          500_000, [(1, decision)])
               for n, decision in enumerate(decisions)]
    store = Store.open(url, Path(images))
    barrier.wait()
    start = time.perf_counter()
    for first in range(0, len(records), group):
        store.record_files(records[first:first + group], station=f"desk-{number}-{group}",
                           operator=f"operator-{number}")
    results.put((number, start, time.perf_counter()))
    store.close()


def _run(url: str, images: str, stations: int, pieces: int, group: int) -> tuple[int, float]:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(stations), context.Queue()
    before = _events(url)
    processes = [context.Process(target=_station, args=(url, images, n, pieces, group, barrier,
                                                        results)) for n in range(stations)]
    for process in processes:
        process.start()
    spans = [results.get(timeout=1800) for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode:
            raise SystemExit(f"a station failed (exit {process.exitcode})")
    elapsed = max(end for _, _, end in spans) - min(start for _, start, _ in spans)
    return _events(url) - before, elapsed


def _events(url: str) -> int:
    engine = create_engine(normalise_url(url))
    with Session(engine) as session:
        count = session.execute(select(func.count()).select_from(t.Event)).scalar_one()
    engine.dispose()
    return count


def _fresh(url: str) -> bool:
    """Empty the bench database (made if missing); False when no server answers."""
    parsed = make_url(normalise_url(url))
    if "bench" not in (parsed.database or ""):
        raise SystemExit(f"refusing to empty {parsed.database!r}: the bench database's name "
                         "must contain 'bench'")
    try:
        server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"),
                                        {"d": parsed.database}).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        server.dispose()
        engine = create_engine(parsed)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    except Exception as exc:  # any failure to reach the server: say so, skip
        print(f"4 stations on PostgreSQL: skipped, cannot reach {url} ({type(exc).__name__})")
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=4)
    parser.add_argument("--pieces", type=int, default=2500, help="pieces per station")
    parser.add_argument("--group", type=int, default=ahead(2) + 1,
                        help="files a transaction with a backlog (what a 2-core station decides "
                             "ahead, + 1)")
    args = parser.parse_args()
    url = os.environ.get("SCANPIPE_BENCH_DATABASE_URL", DEFAULT_URL)
    if not _fresh(url):
        return
    with tempfile.TemporaryDirectory() as images:
        store = Store.open(url, Path(images))
        store.load_campaign(CAMPAIGN.read_text(encoding="utf-8"), actor="bench", station="office")
        store.close()
        print(f"{args.stations} stations on PostgreSQL, {args.pieces:,} pieces each, one process "
              "and one connection per station:")
        for group in (args.group, 1):
            events, elapsed = _run(url, images, args.stations, args.pieces, group)
            rate = events / elapsed
            label = f"groups of up to {group} files" if group > 1 else "one file a transaction"
            verdict = ("MET" if rate >= TARGET_EVENTS_S else "NOT MET") if group > 1 else "(for comparison)"
            print(f"  {label:<26} {events:7,} events in {elapsed:5.1f} s = {rate:7,.0f} events/s "
                  f"{f'target >= {TARGET_EVENTS_S}: {verdict}' if group > 1 else verdict}")
        store = Store.open(url, Path(images))
        start = time.perf_counter()
        found = store.verification()
        with Session(store.engine) as session:
            items = session.execute(select(func.count()).select_from(t.Item)).scalar_one()
        store.close()
    print(f"  chain and lives verified in {time.perf_counter() - start:.1f} s: "
          f"{'OK' if found.problem is None else found.problem}; {items:,} items, "
          f"{2 * args.stations * args.pieces:,} expected")


if __name__ == "__main__":
    main()
