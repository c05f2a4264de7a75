"""Benchmark tool: where the time of the QR path goes, stage by stage, per kind of page.

On the same 300 dpi A4 JPEG scans as `bench/qr_path.py` (its `kit_pages`), each page is
taken through the stages of `pipeline.process_page` one by one — decoding the file to
pixels, reading the codes (`scan_codes`), the payload check, `route_page`, the template
cross-check (`crosscheck.differs_from_template`) and the signature count
(`count_signatures`) — and
then whole through `pipeline.process_file`. Prints per kind the median and p95 of each
stage in ms, and the mean of process_file over the end-to-end bench's mix (10 letters,
10 petitions, 5 postcards). `--clock cpu` measures the process's CPU time instead of the
wall clock (steadier while other programs load the machine), `--cv-threads N` sets OpenCV's
threads, and `--profile KIND` adds a cProfile of process_file on that kind.

    .venv/bin/python bench/qr_profile.py [--rounds 7] [--clock cpu] [--cv-threads 1]
                                         [--profile petition]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cv2
from qr_path import kit_pages

from scanpipe.domain.campaign import parse_campaign
from scanpipe.domain.payload import Payload, PayloadKind, parse_payload
from scanpipe.domain.routing import route_page
from scanpipe.reading import crosscheck
from scanpipe.reading.codes import scan_codes
from scanpipe.reading.pages import load_pages
from scanpipe.reading.petition import count_signatures
from scanpipe.reading.pipeline import process_file

MIX = {"letter": 10, "petition": 10, "postcard": 5}  # the end-to-end bench's pages
STAGES = ("decode", "scan_codes", "payload", "route_page", "cross-check", "signatures",
          "process_file")


def _stages(data: bytes, campaign, clock) -> dict[str, float]:
    """Milliseconds of each stage for one file, in the order process_page runs them."""
    times: dict[str, float] = {}

    def timed(name, call):
        start = clock()
        value = call()
        times[name] = (clock() - start) * 1000
        return value

    page = timed("decode", lambda: load_pages(data))[0]
    key = campaign.check_key

    def ours(codes) -> bool:
        return any(isinstance(parse_payload(c.text, campaign.id, key), Payload) for c in codes)

    codes = list(timed("scan_codes", lambda: scan_codes(page.pixels, ours)).codes)
    found = timed("payload", lambda: [(c, p) for c in codes
                                      if isinstance(p := parse_payload(c.text, campaign.id, key),
                                                    Payload)])
    timed("route_page", lambda: route_page(codes, campaign))
    if found:
        code, payload = found[0]
        timed("cross-check", lambda: crosscheck.differs_from_template(
            page.pixels, code, payload.kind, campaign, payload.subject))
        if payload.kind is PayloadKind.PETITION:
            timed("signatures", lambda: count_signatures(page.pixels, code.position, code.text))
    timed("process_file", lambda: process_file(data, campaign))
    return times


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    parser.add_argument("--cv-threads", type=int, help="OpenCV threads (default: its own)")
    parser.add_argument("--profile", choices=sorted(MIX), help="cProfile process_file on this kind")
    args = parser.parse_args()
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    if args.cv_threads is not None:
        cv2.setNumThreads(args.cv_threads)
    campaign = parse_campaign((ROOT / "samples" / "campaign.toml").read_text(encoding="utf-8"))
    pages = kit_pages(campaign)
    for _, data in pages:
        process_file(data, campaign)  # warm-up: every case's templates rendered once
    figures: dict[str, dict[str, list[float]]] = {}
    for _ in range(args.rounds):
        for kind, data in pages:
            for stage, ms in _stages(data, campaign, clock).items():
                figures.setdefault(kind, {}).setdefault(stage, []).append(ms)
    print(f"QR path by stage ({len(pages)} JPEG scans at 300 dpi x {args.rounds} rounds, "
          f"one process, {args.clock} time): median / p95 ms")
    print(f"  {'kind':<9}" + "".join(f"{s:>17}" for s in STAGES))
    for kind in MIX:
        cells = []
        for stage in STAGES:
            values = figures[kind].get(stage)
            cells.append(f"{statistics.median(values):7.2f} /{_p95(values):7.2f}" if values
                         else f"{'-':>16}")
        print(f"  {kind:<9}" + "".join(f"{c:>17}" for c in cells))
    medians = {kind: statistics.median(figures[kind]["process_file"]) for kind in MIX}
    mean = sum(MIX[k] * medians[k] for k in MIX) / sum(MIX.values())
    print(f"  mix {'+'.join(f'{n} {k}s' for k, n in MIX.items())}: process_file mean of the "
          f"medians {mean:.1f} ms/page ({args.clock} time)")
    if args.profile:
        chosen = [data for kind, data in pages if kind == args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.rounds):
            for data in chosen:
                process_file(data, campaign)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
