"""Benchmark: the OCR path beside the bare tesseract command, on the same pages.

Generates (fixed seed) typed letters without a code, each naming a case its
own way, drawn as the recognition corpus draws them (fonts, layouts, a signature,
scanner effects, fed any way round), as 300 dpi A4 JPEG files in a temporary
folder. Then, file by file and alternately, times scanpipe's file -> decision
(`process_file`: load, look for codes, paper, orientation, OCR, matching,
routing; one process) and the bare `tesseract FILE stdout -l fra+nld+eng`,
both with OMP_THREAD_LIMIT=1. Prints the median and mean s/page of both, their
ratio against the target (at most 1.25), the same in CPU seconds (what a busy
machine does not blur), the ratio for the upright pages alone, and how the
pipeline routed the pages, so that a speed-up that breaks recognition shows.

    .venv/bin/python bench/ocr_path.py [--pages N] [--rounds N]

Run with `make bench`; the exit status is 0 whatever the figures.
"""

from __future__ import annotations

import os

os.environ["OMP_THREAD_LIMIT"] = "1"  # before anything loads Tesseract or OpenMP

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2

from bench import corpus
from scanpipe.domain.campaign import parse_campaign
from scanpipe.reading.pipeline import DEFAULT_SETTINGS, process_file
from scanpipe.simulate import degrade

DPI = 300
SEED = 5150
TARGET_RATIO = 1.25
LANGUAGES = DEFAULT_SETTINGS.ocr_languages
BARE_TIMEOUT = 300.0  # seconds; a page takes a few


@dataclass(frozen=True)
class Letter:
    """One file of the benchmark and what the pipeline should make of it."""

    path: Path
    case: str
    orientation: int  # degrees the content is turned clockwise in the file


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]


def _write_letters(folder: Path, count: int, campaign_text: str) -> list[Letter]:
    """`count` typed letters, cases and languages in turn, as 300 dpi JPEG files in `folder`."""
    corpus.use_campaign(campaign_text)
    spec = corpus.CorpusSpec(seed=SEED)
    codes = [case.code for case in parse_campaign(campaign_text).cases]
    languages = [lang for lang, _ in spec.languages]
    letters = []
    for i in range(count):
        case = codes[i % len(codes)]
        job = corpus.Job(f"typed_letter-{i + 1:04d}", "typed_letter", i, SEED * 1000 + i, case,
                         languages[i % len(languages)], DPI, photo=False)
        made, _ = corpus.typed_letter(job, spec)
        # The corpus saves a few as PNG, TIFF or PDF; here every page is a scanner's JPEG.
        quality = made.quality if made.fmt in ("jpeg", "pdf") else 85
        path = folder / f"letter-typed-no-qr-{case}-r{made.turns * 90}-{i + 1:02d}.jpg"
        path.write_bytes(degrade.encode_jpeg(made.image, quality, DPI))
        letters.append(Letter(path, case, made.turns * 90))
    return letters


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _pipeline(letter: Letter, campaign) -> tuple[float, float, object]:
    """(wall s, CPU s of this process and its tesseract children, the page's result)."""
    data = letter.path.read_bytes()
    cpu, children, start = time.process_time(), _children_cpu(), time.perf_counter()
    [result] = process_file(data, campaign, DEFAULT_SETTINGS)
    wall = time.perf_counter() - start
    return wall, time.process_time() - cpu + _children_cpu() - children, result


def _bare(letter: Letter, tesseract: str) -> tuple[float, float]:
    """(wall s, CPU s) of the bare command on the file."""
    env = {"PATH": os.environ.get("PATH", ""), "OMP_THREAD_LIMIT": "1"}
    children, start = _children_cpu(), time.perf_counter()
    done = subprocess.run([tesseract, str(letter.path), "stdout", "-l", LANGUAGES],
                          capture_output=True, env=env, timeout=BARE_TIMEOUT, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"tesseract failed on {letter.path.name}: "
                         f"{done.stderr.decode('utf-8', 'replace')[-300:]}")
    return wall, _children_cpu() - children


def _verdict(ratio: float) -> str:
    return "PASS" if ratio <= TARGET_RATIO else "FAIL"


def _routing(letters: list[Letter], results: list) -> str:
    right = review = misrouted = oriented = 0
    for letter, result in zip(letters, results):
        decision = result.decision
        if decision.status.value == "routed":
            if decision.case == letter.case:
                right += 1
            else:
                misrouted += 1
        elif decision.status.value == "review":
            review += 1
        oriented += result.orientation == letter.orientation
    n = len(letters)
    return (f"routed right {right}/{n}, review {review}, misrouted {misrouted}, "
            f"other {n - right - review - misrouted}; orientation right {oriented}/{n}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20, help="typed letters (default 20)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="times every file is timed both ways (default 2)")
    args = parser.parse_args(argv)
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise SystemExit("the tesseract program was not found: install it with "
                         "apt-get install tesseract-ocr tesseract-ocr-fra tesseract-ocr-nld")
    cv2.setNumThreads(1)  # the pipeline on one core, as the bare command is
    campaign_text = corpus.CAMPAIGN_FILE.read_text(encoding="utf-8")
    campaign = parse_campaign(campaign_text)
    with tempfile.TemporaryDirectory(prefix="ocr-path-") as tmp:
        letters = _write_letters(Path(tmp), args.pages, campaign_text)
        _pipeline(letters[0], campaign)  # warm-up: imports, cached templates
        _bare(letters[0], tesseract)
        pipeline = Timing([], [])
        bare = Timing([], [])
        upright = [i for i, letter in enumerate(letters) if letter.orientation == 0]
        results = []
        for rounds in range(args.rounds):
            for letter in letters:
                wall, cpu, result = _pipeline(letter, campaign)
                pipeline.wall.append(wall)
                pipeline.cpu.append(cpu)
                if rounds == 0:
                    results.append(result)
                wall, cpu = _bare(letter, tesseract)
                bare.wall.append(wall)
                bare.cpu.append(cpu)

    median_ratio = statistics.median(pipeline.wall) / statistics.median(bare.wall)
    mean_ratio = statistics.mean(pipeline.wall) / statistics.mean(bare.wall)
    cpu_ratio = statistics.median(pipeline.cpu) / statistics.median(bare.cpu)
    command = f"tesseract FILE stdout -l {LANGUAGES}"
    print(f"OCR path beside the bare tesseract command ({len(letters)} typed letters without a "
          f"code, {DPI} dpi A4 JPEG, fixed seed, fed any way round; {args.rounds} rounds, "
          f"one process, OMP_THREAD_LIMIT=1):")
    print(f"  {'pipeline, file -> decision':<40} median {statistics.median(pipeline.wall):5.2f} "
          f"s/page, mean {statistics.mean(pipeline.wall):5.2f} s/page")
    print(f"  {command:<40} median {statistics.median(bare.wall):5.2f} s/page, "
          f"mean {statistics.mean(bare.wall):5.2f} s/page")
    print(f"  ratio {median_ratio:.2f} (of the medians; of the means {mean_ratio:.2f}), "
          f"target <= {TARGET_RATIO}: {_verdict(median_ratio)}")
    print(f"  CPU seconds: pipeline median {statistics.median(pipeline.cpu):.2f} s/page, bare "
          f"{statistics.median(bare.cpu):.2f} s/page, ratio {cpu_ratio:.2f}")
    if upright:
        picked = [r * len(letters) + i for r in range(args.rounds) for i in upright]

        def ratio(pipe: list[float], plain: list[float]) -> float:
            return (statistics.median(pipe[k] for k in picked)
                    / statistics.median(plain[k] for k in picked))
        print(f"  the {len(upright)} pages fed upright alone: ratio "
              f"{ratio(pipeline.wall, bare.wall):.2f}, in CPU seconds "
              f"{ratio(pipeline.cpu, bare.cpu):.2f} (the bare command reads turned pages "
              "more slowly)")
    print(f"  pipeline routing: {_routing(letters, results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
