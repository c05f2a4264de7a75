"""Recognition benchmark: the product pipeline on two labelled corpora, figures per category.

    .venv/bin/python bench/recognition.py [--quick] [--category NAME] [--corpus own|unseen|both]
                                          [--workers N] [--json FILE]

Generates on first use (cached under bench/output/) the corpus of
`bench/corpus.py`, drawn by the code the recogniser was tuned on, and the
unseen corpus of `bench/unseen/`, made by a second generator with other texts,
layouts, fonts, hands, captures and campaigns, plus real pages nobody here
made. Runs `scanpipe.reading.pipeline.process_file` on every file in worker processes
(one thread each, timed with perf_counter inside the worker; each page with
its own campaign file), and prints per category: pages, routed / review /
dropped shares, misrouted and wrong-kind counts, orientation and
signature-count accuracy, milliseconds per page; then routed share per
degradation for the QR-coded categories and the headline targets with MET /
NOT MET. For the unseen corpus it adds wrong destinations, the routed shares
by capture (scans per resolution, phone photos), the orientation of pages
without a code, every rejected page with its reasons and the targets of issue
16. The first misrouted and failed pages of each category are listed with
their files. `--quick` takes a fixed tenth of each category, spread over
cases. The exit status is 0 whatever the figures.
"""

from __future__ import annotations

import os

os.environ["OMP_THREAD_LIMIT"] = "1"  # before anything loads Tesseract or OpenMP

import argparse
import hashlib
import json
import multiprocessing
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import CAMPAIGN_FILE, CATEGORIES, QR_CATEGORIES, CorpusSpec, ensure_corpus, load_labels
from bench.unseen import corpus as unseen
from bench.unseen import report as unseen_report

ALL_CATEGORIES = (*CATEGORIES, *unseen.CATEGORIES)
MISSING = object()
TARGETS = {"qr": 99.5, "typed": 95.0, "orientation": 99.0, "signatures": 98.0}
FAILURES_SHOWN = 10


# ------------------------------------------------------------------ the workers

_CAMPAIGNS: dict[str, object] = {}


def _init_worker() -> None:
    import cv2

    cv2.setNumThreads(1)


def _campaign(rel: str):
    """The campaign a page belongs to (the sample campaign unless its label names another)."""
    if rel not in _CAMPAIGNS:
        from scanpipe.domain.campaign import parse_campaign

        _CAMPAIGNS[rel] = parse_campaign((ROOT / rel).read_text(encoding="utf-8"))
    return _CAMPAIGNS[rel]


def _value(x):
    """An enum's value, or the thing itself."""
    return getattr(x, "value", x)


def _page_result(result) -> dict:
    d = result.decision
    orientation = getattr(result, "orientation", MISSING)
    signatures = getattr(d, "signatures", MISSING)
    return {
        "page": result.page, "kind": _value(d.kind), "status": _value(d.status), "case": d.case,
        "destination": d.destination, "method": _value(d.method), "confidence": d.confidence,
        "reasons": list(d.reasons), "kit_serial": d.kit_serial,
        "signatures": None if signatures is MISSING else signatures,
        "has_signatures": signatures is not MISSING,
        "orientation": None if orientation is MISSING else orientation,
        "has_orientation": orientation is not MISSING,
        "codes": [[c.format, c.text] for c in result.codes],
    }


def _run_file(task: tuple[str, str, str]) -> tuple[str, float, list[dict], str | None]:
    """Process one file: (file, seconds, one dict per page, error)."""
    from scanpipe.reading.pipeline import process_file

    rel, path, campaign = task
    data = Path(path).read_bytes()
    start = time.perf_counter()
    try:
        results = process_file(data, _campaign(campaign))
    except Exception as exc:  # a crash is a figure of the benchmark, not its end
        return rel, time.perf_counter() - start, [], f"{exc.__class__.__name__}: {exc}"
    seconds = time.perf_counter() - start
    return rel, seconds, [_page_result(r) for r in results], None


# ------------------------------------------------------------------ judging one page

def judge(label: dict, got: dict | None) -> dict:
    """Compare one page's result with its label."""
    exp = label["expected"]
    status = got["status"] if got else "missing"
    routed = status == "routed"
    same_target = (exp["status"] == "routed" and got is not None
                   and got["case"] == exp["case"]
                   and (exp["kit_serial"] is None or got["kit_serial"] == exp["kit_serial"])
                   and (exp["destination"] is None or got["destination"] == exp["destination"]))
    misrouted = routed and not same_target
    # Its own case, sent elsewhere: a letter to the person handed to the embassy, say.
    wrong_destination = (misrouted and exp["case"] is not None and got["case"] == exp["case"]
                         and exp["destination"] is not None and got["destination"] != exp["destination"])
    wrong_kind = routed and exp["kind"] is not None and got["kind"] != exp["kind"]
    if exp["status"] == "routed":
        right = routed and same_target and not wrong_kind
    elif exp["status"] == "rejected":
        right = status == "rejected" and (exp["reason"] is None or exp["reason"] in got["reasons"])
    else:
        right = status == exp["status"]
    orientation_ok = None
    if label["orientation"] is not None and got is not None and got["has_orientation"]:
        orientation_ok = got["orientation"] == label["orientation"]
    signatures_ok = None
    if exp["signatures"] is not None and got is not None and got["has_signatures"]:
        signatures_ok = got["signatures"] == exp["signatures"]
    return {"status": status, "right": right, "misrouted": misrouted, "wrong_kind": wrong_kind,
            "wrong_destination": wrong_destination,
            "acceptable": (status in exp["acceptable"] and not misrouted) or right,
            "orientation_ok": orientation_ok, "signatures_ok": signatures_ok}


# ------------------------------------------------------------------ figures

def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "–"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else float("nan")


def degradation_buckets(label: dict) -> list[str]:
    """The rows of the per-degradation table a page belongs to."""
    buckets = []
    for d in label["degradations"]:
        name = d["name"]
        if name == "quarter_turn":
            buckets.append(f"turn {d['turns'] * 90}")
        elif name == "skew":
            a = abs(d["degrees"])
            buckets.append("skew <2°" if a < 2 else "skew 2–5°" if a < 5 else "skew 5–10°")
        elif name == "dpi":
            buckets.append(f"{d['dpi']} dpi")
        elif name == "jpeg":
            q = d["quality"]
            buckets.append("jpeg q30–49" if q < 50 else "jpeg q50–74" if q < 75 else "jpeg q75–95")
        elif name == "stain":
            f = d["fraction"]
            buckets.append("stain <8%" if f < 0.08 else "stain 8–15%" if f < 0.15 else "stain ≥15%")
        elif name == "photo":
            buckets.append("photo on a desk")
        elif name == "format":
            buckets.append(f"file {d['format']}")
        else:
            buckets.append(name)
    return buckets


_BUCKET_ORDER = ("turn 0", "turn 90", "turn 180", "turn 270", "skew <2°", "skew 2–5°",
                 "skew 5–10°", "150 dpi", "200 dpi", "240 dpi", "300 dpi", "photo on a desk",
                 "jpeg q30–49", "jpeg q50–74", "jpeg q75–95", "noise", "blur", "low_contrast",
                 "stain <8%", "stain 8–15%", "stain ≥15%", "grayscale")


def _bucket_key(name: str) -> tuple:
    return (_BUCKET_ORDER.index(name), name) if name in _BUCKET_ORDER else (len(_BUCKET_ORDER), name)


def summarise(rows: list[dict], categories: tuple[str, ...] = CATEGORIES) -> dict:
    """Per-category figures from judged rows ({label, got, judged, ms})."""
    by_cat: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_cat[row["label"]["category"]].append(row)
    out = {}
    for category in categories:
        items = by_cat.get(category, [])
        if not items:
            continue
        n = len(items)
        status = [r["judged"]["status"] for r in items]
        orient = [r["judged"]["orientation_ok"] for r in items if r["judged"]["orientation_ok"] is not None]
        sigs = [r["judged"]["signatures_ok"] for r in items if r["judged"]["signatures_ok"] is not None]
        ms = [r["ms"] for r in items if r["ms"] is not None]
        out[category] = {
            "n": n, "routed": status.count("routed"), "review": status.count("review"),
            "dropped": status.count("rejected"),
            "other": n - status.count("routed") - status.count("review") - status.count("rejected"),
            "right": sum(r["judged"]["right"] for r in items),
            "to_route": sum(r["label"]["expected"]["status"] == "routed" for r in items),
            "routed_right": sum(r["label"]["expected"]["status"] == "routed" and r["judged"]["right"]
                                for r in items),
            "acceptable": sum(r["judged"]["acceptable"] for r in items),
            "misrouted": sum(r["judged"]["misrouted"] for r in items),
            "wrong_destination": sum(r["judged"]["wrong_destination"] for r in items),
            "wrong_kind": sum(r["judged"]["wrong_kind"] for r in items),
            "orientation_n": len(orient), "orientation_right": sum(orient),
            "orientation_unknown": sum(r["label"]["orientation"] is not None and r["got"] is not None
                                       and r["got"]["has_orientation"]
                                       and r["got"]["orientation"] is None for r in items),
            "orientation_expected": sum(r["label"]["orientation"] is not None for r in items),
            "signatures_n": len(sigs), "signatures_exact": sum(sigs),
            "signatures_expected": sum(r["label"]["expected"]["signatures"] is not None
                                       for r in items),
            "ms_median": statistics.median(ms) if ms else None, "ms_p95": _p95(ms) if ms else None,
        }
    return out


def by_degradation(rows: list[dict]) -> dict[str, dict]:
    table: dict[str, dict] = defaultdict(lambda: {"n": 0, "right": 0, "misrouted": 0})
    for row in rows:
        if row["label"]["category"] not in QR_CATEGORIES:
            continue
        for bucket in degradation_buckets(row["label"]):
            t = table[bucket]
            t["n"] += 1
            t["right"] += row["judged"]["right"]
            t["misrouted"] += row["judged"]["misrouted"]
    return dict(sorted(table.items(), key=lambda kv: _bucket_key(kv[0])))


def headlines(summary: dict) -> list[tuple[str, str, bool | None]]:
    """(what, figure, met) per target; met None when the category was not run."""
    lines = []
    total_mis = sum(s["misrouted"] for s in summary.values())
    worst = ", ".join(f"{c} {s['misrouted']}" for c, s in summary.items() if s["misrouted"])
    lines.append(("misrouted 0 in every category", f"{total_mis} misrouted"
                  + (f" ({worst})" if worst else ""), total_mis == 0))
    qr = [summary[c] for c in QR_CATEGORIES if c in summary]
    if qr:
        n, right = sum(s["n"] for s in qr), sum(s["right"] for s in qr)
        lines.append((f"QR-coded pieces routed right ≥ {TARGETS['qr']}%",
                      f"{_pct(right, n)}% ({right}/{n})", 100 * right / n >= TARGETS["qr"]))
    else:
        lines.append((f"QR-coded pieces routed right ≥ {TARGETS['qr']}%", "not run", None))
    if "typed_letter" in summary:
        s = summary["typed_letter"]
        # Of the letters that name their person (the others must go to review, counted as
        # misrouted when they do not).
        lines.append((f"typed letters naming the person routed right ≥ {TARGETS['typed']}%",
                      f"{_pct(s['routed_right'], s['to_route'])}% ({s['routed_right']}/{s['to_route']}), "
                      f"right overall {_pct(s['right'], s['n'])}%",
                      100 * s["routed_right"] / max(1, s["to_route"]) >= TARGETS["typed"]))
    else:
        lines.append((f"typed letters routed right ≥ {TARGETS['typed']}%", "not run", None))
    if "handwritten_letter" in summary:
        s = summary["handwritten_letter"]
        lines.append(("handwritten letters: routed share, zero misroutes",
                      f"{_pct(s['right'], s['n'])}% routed right, {s['misrouted']} misrouted",
                      s["misrouted"] == 0))
    else:
        lines.append(("handwritten letters: routed share, zero misroutes", "not run", None))
    expected = sum(s["orientation_expected"] for s in summary.values())
    seen = sum(s["orientation_n"] for s in summary.values())
    ok = sum(s["orientation_right"] for s in summary.values())
    unknown = sum(s["orientation_unknown"] for s in summary.values())
    if expected == 0:
        lines.append((f"orientation right ≥ {TARGETS['orientation']}%", "not run", None))
    elif seen == 0:
        lines.append((f"orientation right ≥ {TARGETS['orientation']}%",
                      "the pipeline reports no orientation yet", False))
    else:
        lines.append((f"orientation right ≥ {TARGETS['orientation']}%",
                      f"{_pct(ok, expected)}% ({ok}/{expected}; {unknown} unknown, "
                      f"{seen - ok - unknown} wrong)", 100 * ok / expected >= TARGETS["orientation"]))
    if "qr_petition" in summary:
        s = summary["qr_petition"]
        if s["signatures_n"] == 0:
            lines.append((f"petition counts exact ≥ {TARGETS['signatures']}%",
                          "the pipeline reports no signature count yet", False))
        else:
            lines.append((f"petition counts exact ≥ {TARGETS['signatures']}%",
                          f"{_pct(s['signatures_exact'], s['signatures_expected'])}% "
                          f"({s['signatures_exact']}/{s['signatures_expected']})",
                          100 * s["signatures_exact"] / s["signatures_expected"]
                          >= TARGETS["signatures"]))
    else:
        lines.append((f"petition counts exact ≥ {TARGETS['signatures']}%", "not run", None))
    return lines


def _ms(value) -> str:
    return "–" if value is None else f"{value:.0f}"


def print_report(summary: dict, degradations: dict, rows: list[dict], folder: Path) -> None:
    header = (f"{'category':<19}{'n':>5}{'routed%':>9}{'review%':>9}{'dropped%':>9}"
              f"{'misrouted':>10}{'wrongkind':>10}{'orient%':>9}{'sigs%':>7}{'ms med':>8}{'ms p95':>8}")
    print(header)
    print("-" * len(header))
    totals = defaultdict(int)
    for category, s in summary.items():
        orient = _pct(s["orientation_right"], s["orientation_expected"]) if s["orientation_n"] else "–"
        sigs = _pct(s["signatures_exact"], s["signatures_expected"]) if s["signatures_n"] else "–"
        print(f"{category:<19}{s['n']:>5}{_pct(s['routed'], s['n']):>9}{_pct(s['review'], s['n']):>9}"
              f"{_pct(s['dropped'], s['n']):>9}{s['misrouted']:>10}{s['wrong_kind']:>10}"
              f"{orient:>9}{sigs:>7}{_ms(s['ms_median']):>8}{_ms(s['ms_p95']):>8}")
        for key in ("n", "routed", "review", "dropped", "misrouted", "wrong_kind"):
            totals[key] += s[key]
    ms = [r["ms"] for r in rows if r["ms"] is not None]
    print("-" * len(header))
    print(f"{'all':<19}{totals['n']:>5}{_pct(totals['routed'], totals['n']):>9}"
          f"{_pct(totals['review'], totals['n']):>9}{_pct(totals['dropped'], totals['n']):>9}"
          f"{totals['misrouted']:>10}{totals['wrong_kind']:>10}{'':>9}{'':>7}"
          f"{_ms(statistics.median(ms) if ms else None):>8}{_ms(_p95(ms) if ms else None):>8}")
    print("routed% counts every routed page, right or wrong; misrouted: routed to another case, "
          "destination or kit, or routed when it should not be.")

    if degradations:
        print()
        print("QR-coded pieces by degradation (a page counts in every row it went through):")
        print(f"  {'degradation':<18}{'n':>6}{'routed right%':>15}{'misrouted':>11}")
        for name, t in degradations.items():
            print(f"  {name:<18}{t['n']:>6}{_pct(t['right'], t['n']):>15}{t['misrouted']:>11}")

    print()
    print("Targets:")
    for what, figure, met in headlines(summary):
        verdict = "n/a" if met is None else "MET" if met else "NOT MET"
        print(f"  {what:<52} {figure:<44} {verdict}")
    print_failures(rows, CATEGORIES, folder)


def print_failures(rows: list[dict], categories: tuple[str, ...], folder: Path) -> None:
    """The first misrouted and not-as-expected pages of each category, with their files."""
    by_cat: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_cat[row["label"]["category"]].append(row)
    shown = False
    for category in categories:
        items = by_cat.get(category, [])
        misrouted = [r for r in items if r["judged"]["misrouted"]]
        failed = [r for r in items if not r["judged"]["right"] and not r["judged"]["misrouted"]]
        if not misrouted and not failed:
            continue
        if not shown:
            print()
            print(f"Pages to inspect (first {FAILURES_SHOWN} per category; files under {folder}):")
            shown = True
        for title, group in (("misrouted", misrouted), ("not as expected", failed)):
            if not group:
                continue
            print(f"  {category} — {title}: {len(group)}")
            for r in group[:FAILURES_SHOWN]:
                print(f"    {r['label']['id']:<28} {r['label']['file']} p{r['label']['page']}  "
                      f"→ {_describe(r)}")


def _describe(row: dict) -> str:
    got, exp = row["got"], row["label"]["expected"]
    if got is None:
        return row.get("error") or "no result for this page"
    bits = [got["status"], got["kind"]]
    if got["case"]:
        bits.append(f"case {got['case']}")
    if got["kit_serial"] is not None:
        bits.append(f"kit {got['kit_serial']}")
    if exp["signatures"] is not None and got["has_signatures"]:
        bits.append(f"signatures {got['signatures']} (expected {exp['signatures']})")
    if got["reasons"]:
        bits.append("/".join(got["reasons"][:3]))
    want = exp["case"] or (f"kit {exp['kit_serial']}" if exp["kit_serial"] else exp["status"])
    return " ".join(str(b) for b in bits) + f"  [expected {want}]"


# ------------------------------------------------------------------ main

def select(labels: list[dict], quick: bool, category: str | None) -> list[dict]:
    """The pages to run: one category or all; with `quick`, a fixed tenth of each category."""
    chosen = [r for r in labels if category is None or r["category"] == category]
    if quick:
        # A tenth of each category, picked by a hash of the id: spread over cases, mentions
        # and degradations (every tenth id would give one case only), the same every run.
        by_cat: dict[str, list[dict]] = defaultdict(list)
        for r in chosen:
            by_cat[r["category"]].append(r)
        picked = []
        for items in by_cat.values():
            ranked = sorted(items, key=lambda x: hashlib.sha256(x["id"].encode()).hexdigest())
            picked += ranked[:max(1, (len(items) + 9) // 10)]
        chosen = sorted(picked, key=lambda r: (ALL_CATEGORIES.index(r["category"]), r["id"]))
    return chosen


def run(corpora: list[tuple[Path, list[dict]]], workers: int) -> list[dict]:
    """Every file of the corpora given, judged page by page."""
    files: dict[str, list[dict]] = defaultdict(list)
    tasks = []
    for folder, labels in corpora:
        for label in labels:
            key = str(folder / label["file"])
            if key not in files:
                tasks.append((key, key, label.get("campaign") or str(CAMPAIGN_FILE.relative_to(ROOT))))
            files[key].append(label)
    rows: list[dict] = []
    start = time.monotonic()
    with multiprocessing.get_context("fork").Pool(workers, _init_worker) as pool:
        for done, (rel, seconds, pages, error) in enumerate(
                pool.imap_unordered(_run_file, tasks), start=1):
            by_page = {p["page"]: p for p in pages}
            ms = seconds * 1000 / max(1, len(pages))
            for label in files[rel]:
                got = by_page.get(label["page"])
                rows.append({"label": label, "got": got, "judged": judge(label, got),
                             "ms": ms if got else None, "error": error})
            if done % 20 == 0 or done == len(tasks):
                elapsed = time.monotonic() - start
                print(f"\rrecognition: {done}/{len(tasks)} files, {elapsed:.0f} s, "
                      f"~{elapsed / done * (len(tasks) - done):.0f} s left  ", end="",
                      file=sys.stderr, flush=True)
    print(file=sys.stderr)
    rows.sort(key=lambda r: (ALL_CATEGORIES.index(r["label"]["category"]), r["label"]["id"]))
    return rows


def _page_json(r: dict) -> dict:
    return {"id": r["label"]["id"], "category": r["label"]["category"],
            "file": r["label"]["file"], "page": r["label"]["page"],
            "expected": r["label"]["expected"], "orientation": r["label"]["orientation"],
            "capture": r["label"].get("capture"), "got": r["got"], "judged": r["judged"],
            "ms": r["ms"], "error": r["error"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a fixed tenth of each category")
    parser.add_argument("--category", choices=ALL_CATEGORIES, help="only this category")
    parser.add_argument("--corpus", choices=("both", "own", "unseen"), default="both",
                        help="the corpus drawn by scanpipe's own simulators, the unseen one, or both")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--json", metavar="FILE", help="write every figure and page result here")
    parser.add_argument("--seed", type=int, default=CorpusSpec.seed, help="corpus seed")
    parser.add_argument("--unseen-seed", type=int, default=unseen.UnseenSpec.seed,
                        help="unseen corpus seed")
    parser.add_argument("--regenerate", action="store_true", help="make the corpora again")
    args = parser.parse_args(argv)

    own = args.corpus in ("both", "own") and (args.category is None or args.category in CATEGORIES)
    new = args.corpus in ("both", "unseen") and (args.category is None
                                                 or args.category in unseen.CATEGORIES)
    corpora: list[tuple[Path, list[dict]]] = []
    own_folder = new_folder = None
    if own:
        own_folder = ensure_corpus(CorpusSpec(seed=args.seed), force=args.regenerate)
        corpora.append((own_folder, select(load_labels(own_folder), args.quick, args.category)))
    if new:
        new_folder = unseen.ensure_corpus(unseen.UnseenSpec(seed=args.unseen_seed),
                                          workers=args.workers, force=args.regenerate)
        corpora.append((new_folder, select(unseen.load_labels(new_folder), args.quick, args.category)))
    for folder, labels in corpora:
        print(f"corpus {folder.relative_to(ROOT)}: {len(labels)} pages"
              f"{' (quick: a tenth)' if args.quick else ''}", file=sys.stderr)
    started = time.monotonic()
    rows = run(corpora, args.workers)
    own_rows = [r for r in rows if r["label"]["category"] in CATEGORIES]
    new_rows = [r for r in rows if r["label"]["category"] in unseen.CATEGORIES]
    report: dict = {"quick": args.quick, "category": args.category}
    if own_folder is not None:
        summary = summarise(own_rows)
        degradations = by_degradation(own_rows)
        print_report(summary, degradations, own_rows, own_folder)
        report["own"] = {"corpus": str(own_folder), "summary": summary, "degradations": degradations,
                         "targets": [{"target": w, "figure": f, "met": m}
                                     for w, f, m in headlines(summary)]}
    if new_folder is not None:
        summary = summarise(new_rows, unseen.CATEGORIES)
        unseen_report.print_report(summary, new_rows, new_folder.relative_to(ROOT))
        print_failures(new_rows, unseen.CATEGORIES, new_folder)
        report["unseen"] = {"corpus": str(new_folder), **unseen_report.to_json(summary, new_rows)}
    print(f"\n{len(rows)} pages in {time.monotonic() - started:.0f} s with {args.workers} workers")
    if args.json:
        report["pages"] = [_page_json(r) for r in rows]
        Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
