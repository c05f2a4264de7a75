"""The unseen corpus: its categories, its plan, the page of each job, its cache.

Every page's label (the schema of `bench/corpus.py`: `expected` with kind,
case, status, destination, kit_serial, signatures, reason, acceptable;
`orientation`, the degrees the content is turned clockwise; `content`;
`degradations`) comes from how the page was made. What must route follows the
issue's rule, read by `cases.named_cases` on the text the page was made from: a
composed page whose text breaks its category's rule (a letter that does not
name its case, a press text that does) is drawn again from the same seed's next
numbers, so no label ever depends on a recogniser.

    .venv/bin/python -m bench.unseen.corpus [--seed N] [--workers 2] [--force]

makes the corpus (or finds it) under `bench/output/unseen-<seed>-<digest>/`
with `labels.jsonl` and `manifest.json`; `bench/recognition.py` calls
`ensure_corpus` itself. The digest covers the spec, the campaign files, the
fonts, the real pages and this package's source, so any change makes it anew.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np

# The first corpus's file helpers and labels.jsonl reader (the same format).
from bench.corpus import fill_folder, load_labels, write_index  # noqa: F401
from bench.unseen import capture, fonts, real
from bench.unseen.cases import CAMPAIGN_FILES, CaseInfo, all_infos
from bench.unseen.makers import MAKERS, Redraw

OUTPUT = ROOT / "bench" / "output"
HERE = Path(__file__).resolve().parent
# Pages without a code of ours, typed: the orientation target is measured on them.
TYPED_UNCODED = ("plain_letter", "solidarity_letter", "solidarity_first_name", "two_cases",
                 "authority_only", "press_surname", "address_place")
UNCODED = (*TYPED_UNCODED, "handwritten_plain", "real_handwriting", "real_orientation",
           "faint_writing")
QR_KIT = ("qr_kit_scan", "qr_kit_photo", "postcard_two_sided", "kit_mixup")
CATEGORIES = (*TYPED_UNCODED, "handwritten_plain", "real_handwriting", "real_orientation",
              "qr_kit_scan", "qr_kit_photo", "postcard_two_sided", "kit_mixup", "blank_paper",
              "faint_writing")
LANGS = (("fr", 0.45), ("nl", 0.35), ("en", 0.2))


@dataclass(frozen=True)
class UnseenSpec:
    """What the unseen corpus holds; its digest names the cache folder."""

    seed: int = 2024
    counts: tuple[tuple[str, int], ...] = (
        ("plain_letter", 160), ("solidarity_letter", 110), ("solidarity_first_name", 40),
        ("two_cases", 40), ("authority_only", 40), ("press_surname", 40), ("address_place", 40),
        ("handwritten_plain", 60), ("real_handwriting", 60), ("real_orientation", 13),
        ("qr_kit_scan", 240), ("qr_kit_photo", 120), ("postcard_two_sided", 40),
        ("kit_mixup", 60), ("blank_paper", 40), ("faint_writing", 50))
    photo_share: float = 0.25         # typed letters photographed instead of scanned
    low_dpi_share: float = 0.25       # typed letters scanned at 150 dpi
    version: int = 1

    def count(self, category: str) -> int:
        return dict(self.counts)[category]


@dataclass(frozen=True)
class Job:
    """One file to make."""

    id: str
    category: str
    index: int
    case: str | None        # "CAMPAIGN:CODE"
    lang: str


# ------------------------------------------------------------------ the plan

def _infos_by_key() -> dict[str, CaseInfo]:
    return {info.key: info for info in all_infos()}


def plan(spec: UnseenSpec) -> list[Job]:
    """Every job, deterministic in `spec.seed`; cases of the three campaigns in turn."""
    infos = all_infos()
    keys = [i.key for i in infos]
    cited = [i.key for i in infos if i.facts.namesakes]
    langs, weights = zip(*LANGS)
    jobs = []
    for c, category in enumerate(CATEGORIES):
        rng = np.random.default_rng([spec.seed, 7, c])
        pool = cited if category == "press_surname" else keys
        offset = int(rng.integers(len(pool)))
        for i in range(spec.count(category)):
            lang = str(rng.choice(langs, p=np.array(weights) / sum(weights)))
            jobs.append(Job(f"{category}-{i + 1:04d}", category, i, pool[(i + offset) % len(pool)], lang))
    return jobs


def make_job(job: Job, spec: UnseenSpec) -> tuple[str, bytes, list[dict]]:
    """Make one job: (relative file path, file bytes, one label per page)."""
    info = _infos_by_key()[job.case]
    for attempt in range(40):
        rng = np.random.default_rng([spec.seed, CATEGORIES.index(job.category), job.index, attempt])
        try:
            made = MAKERS[job.category](job, info, rng, spec)
            break
        except Redraw:
            continue
    else:
        raise RuntimeError(f"{job.id}: no page met its category's rule in 40 draws")
    if isinstance(made, tuple) and isinstance(made[0], bytes):     # a real page as given
        data, ext, pages = made
    elif isinstance(made, tuple):                                  # several shots, one file
        shots, fmt, pages = made
        data, ext = capture.encode(shots, fmt)
    else:
        pages = made
        data, ext = capture.encode([p.shot for p in pages])
    first = pages[0].shot
    how = first.capture if first.capture != "scan" else f"scan{int(first.dpi or 0) or 'x'}"
    tag = job.case.split(":")[1].lower()
    rel = f"{job.category}/{job.id}-{tag}-{how}-r{(pages[0].orientation or 0)}.{ext}"
    labels = []
    for number, page in enumerate(pages, start=1):
        shot = page.shot
        labels.append({
            "id": job.id if len(pages) == 1 else f"{job.id}-p{number}", "category": job.category,
            "corpus": "unseen", "campaign": info.campaign_file, "file": rel, "page": number,
            "expected": page.expected, "orientation": page.orientation,
            "dpi": shot.dpi, "capture": {"kind": shot.capture, "dpi": _scan_dpi(shot)},
            "content": page.content, "degradations": list(shot.log)})
    return rel, data, labels


def _scan_dpi(shot: capture.Shot) -> int | None:
    for entry in shot.log:
        if entry.get("name") == "capture" and entry.get("kind") == "scan":
            return int(entry["dpi"])
    return None


def _work(args: tuple[Job, UnseenSpec]) -> tuple[str, bytes, list[dict], float]:
    job, spec = args
    start = time.process_time()
    rel, data, labels = make_job(job, spec)
    return rel, data, labels, time.process_time() - start


# ------------------------------------------------------------------ the cache folder

def digest(spec: UnseenSpec) -> str:
    """Hash of the spec, the campaign files, the fonts, the real pages and this package's code."""
    h = hashlib.sha256(json.dumps(dataclasses.asdict(spec), sort_keys=True).encode())
    for path in (*CAMPAIGN_FILES, *sorted(HERE.glob("*.py"))):
        h.update(path.read_bytes())
    for family in fonts.typed_families():
        h.update(family.name.encode())
    for path in fonts.hand_fonts():
        h.update(path.name.encode())
    for page in real.manuscript_pages():
        h.update(page.path.name.encode())
    return h.hexdigest()[:10]


def corpus_dir(spec: UnseenSpec) -> Path:
    return OUTPUT / f"unseen-{spec.seed}-{digest(spec)}"


def generate(spec: UnseenSpec, folder: Path, workers: int = 2) -> dict:
    """Make every file of the corpus into `folder`; `labels.jsonl` and `manifest.json` last."""
    missing = fonts.missing()
    if missing:
        raise SystemExit(f"the unseen corpus needs the fonts of {', '.join(missing)}: run ./setup.sh")
    if not real.available():
        raise SystemExit(f"the real pages are missing: {real.REAL_PAGES}")
    # Jobs of one case side by side: a worker then draws its kit pages once.
    jobs = sorted(plan(spec), key=lambda j: (j.category, j.case, j.index))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    start = time.monotonic()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        made = pool.imap_unordered(_work, [(j, spec) for j in jobs], chunksize=6)
        labels, cpu = fill_folder(folder, made, len(jobs), CATEGORIES)
    manifest = {"spec": dataclasses.asdict(spec), "files": len(jobs), "pages": len(labels),
                "per_category": {c: sum(r["category"] == c for r in labels) for c in CATEGORIES},
                "campaigns": [str(p.relative_to(ROOT)) for p in CAMPAIGN_FILES],
                "typed_fonts": [f.name for f in fonts.typed_families()],
                "hand_fonts": [p.name for p in fonts.hand_fonts()],
                "generation_seconds": round(time.monotonic() - start, 1), "cpu_seconds": round(cpu, 1),
                "workers": workers}
    write_index(folder, manifest, labels)
    return manifest


def ensure_corpus(spec: UnseenSpec | None = None, *, workers: int = 2, force: bool = False) -> Path:
    """The corpus folder for `spec`, made first unless a complete one is there."""
    spec = spec or UnseenSpec()
    folder = corpus_dir(spec)
    if force or not (folder / "labels.jsonl").is_file():
        print(f"making the unseen corpus in {folder.relative_to(ROOT)} ({workers} processes)",
              file=sys.stderr)
        manifest = generate(spec, folder, workers)
        print(f"unseen corpus: {manifest['pages']} pages in {manifest['files']} files, "
              f"{manifest['generation_seconds']} s", file=sys.stderr)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=UnseenSpec.seed)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--force", action="store_true", help="make it again even when cached")
    args = parser.parse_args()
    print(ensure_corpus(UnseenSpec(seed=args.seed), workers=args.workers, force=args.force))


if __name__ == "__main__":
    main()
