"""Figures of the unseen corpus: per capture, rejected pages, orientation, the issue's targets.

Works on the judged rows of `bench/recognition.py` ({label, got, judged, ms});
prints, and returns plain dicts for `--json`. It measures; it never fails.
"""

from __future__ import annotations

from bench.unseen.corpus import CATEGORIES, TYPED_UNCODED, UNCODED

TARGETS = {"qr_scan": 99.5, "qr_photo": 98.0, "typed_scan": 95.0, "typed_photo": 85.0,
           "orientation": 98.0}
TYPED_ROUTABLE = ("plain_letter", "solidarity_letter")   # uncoded typed letters that name their case
QR_ROUTABLE = ("qr_kit_scan", "qr_kit_photo", "postcard_two_sided")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "–"


def _capture(label: dict) -> tuple[str, int | None]:
    c = label.get("capture") or {}
    return c.get("kind", "?"), c.get("dpi")


def _tally(rows: list[dict]) -> dict:
    status = [r["judged"]["status"] for r in rows]
    return {"n": len(rows), "right": sum(r["judged"]["right"] for r in rows),
            "review": status.count("review"), "rejected": status.count("rejected"),
            "misrouted": sum(r["judged"]["misrouted"] for r in rows),
            "wrong_destination": sum(r["judged"]["wrong_destination"] for r in rows)}


def capture_table(rows: list[dict]) -> dict[str, dict]:
    """Routed-right shares of the pages that must route, by how they were captured."""
    typed = [r for r in rows if r["label"]["category"] in TYPED_ROUTABLE
             and r["label"]["expected"]["status"] == "routed"]
    qr = [r for r in rows if r["label"]["category"] in QR_ROUTABLE
          and r["label"]["expected"]["status"] == "routed"]
    out: dict[str, dict] = {}

    def add(name: str, group: list[dict]) -> None:
        out[name] = _tally(group)

    def scans(group, dpis):
        return [r for r in group if _capture(r["label"])[0] == "scan" and _capture(r["label"])[1] in dpis]

    def photos(group):
        return [r for r in group if _capture(r["label"])[0] == "photo"]

    add("typed letters, scans 200–300 dpi", scans(typed, (200, 240, 300)))
    add("typed letters, scans 150–200 dpi", scans(typed, (150, 200)))
    for dpi in (150, 200, 240, 300):
        add(f"typed letters, scans {dpi} dpi", scans(typed, (dpi,)))
    add("typed letters, phone photos", photos(typed))
    authority = [r for r in typed if r["label"]["category"] == "plain_letter"]
    add("  to the authority only, scans 200–300", scans(authority, (200, 240, 300)))
    add("  to the authority only, phone photos", photos(authority))
    add("QR kit pieces, scans", scans(qr, (150, 200, 240, 300)))
    for dpi in (150, 200, 240, 300):
        add(f"QR kit pieces, scans {dpi} dpi", scans(qr, (dpi,)))
    add("QR kit pieces, phone photos", photos(qr))
    return out


def rejected_pages(rows: list[dict]) -> list[dict]:
    """Every page the pipeline rejected, with its reasons, and whether that was expected."""
    out = []
    for r in rows:
        got = r["got"]
        if got is None or got["status"] != "rejected":
            continue
        exp = r["label"]["expected"]
        out.append({"id": r["label"]["id"], "category": r["label"]["category"], "file": r["label"]["file"],
                    "page": r["label"]["page"], "reasons": got["reasons"],
                    "expected": exp["status"] == "rejected" and (exp["reason"] is None
                                                                 or exp["reason"] in got["reasons"]),
                    "written": bool(r["label"]["content"].get("written"))})
    return out


def orientation(rows: list[dict], categories: tuple[str, ...]) -> dict:
    """Orientation right among the pages of `categories` whose turn is known."""
    items = [r for r in rows
             if r["label"]["category"] in categories and r["label"]["orientation"] is not None]
    right = sum(bool(r["judged"]["orientation_ok"]) for r in items)
    unknown = sum(r["got"] is not None and r["got"]["orientation"] is None for r in items)
    return {"n": len(items), "right": right, "unknown": unknown, "wrong": len(items) - right - unknown}


def headlines(summary: dict, rows: list[dict]) -> list[tuple[str, str, bool | None]]:
    """The targets of issue 16's "Done means", measured on the unseen corpus."""
    lines: list[tuple[str, str, bool | None]] = []
    total = sum(s["misrouted"] for s in summary.values())
    worst = ", ".join(f"{c} {s['misrouted']}" for c, s in summary.items() if s["misrouted"])
    lines.append(("0 misroutes in every category", f"{total} misrouted" + (f" ({worst})" if worst else ""),
                  total == 0 if summary else None))
    table = capture_table(rows)
    for _, name, target in (("qr_scan", "QR kit pieces, scans", TARGETS["qr_scan"]),
                              ("qr_photo", "QR kit pieces, phone photos", TARGETS["qr_photo"]),
                              ("typed_scan", "typed letters, scans 200–300 dpi", TARGETS["typed_scan"]),
                              ("typed_photo", "typed letters, phone photos", TARGETS["typed_photo"])):
        t = table[name]
        label = f"{name} routed right ≥ {target}%"
        if not t["n"]:
            lines.append((label, "not run", None))
        else:
            lines.append((label, f"{_pct(t['right'], t['n'])}% ({t['right']}/{t['n']}), "
                                 f"{t['misrouted']} misrouted", 100 * t["right"] / t["n"] >= target))
    if "handwritten_plain" in summary:
        s = summary["handwritten_plain"]
        lines.append(("handwritten letters: routed share, 0 misroutes",
                      f"{_pct(s['right'], s['n'])}% routed right, {s['misrouted']} misrouted, "
                      f"{s['dropped']} rejected", s["misrouted"] == 0 and s["dropped"] == 0))
    else:
        lines.append(("handwritten letters: routed share, 0 misroutes", "not run", None))
    rejected = rejected_pages(rows)
    blank = [p for p in rejected if p["written"] and "BLANK_PAGE" in p["reasons"]]
    written = sum(bool(r["label"]["content"].get("written")) for r in rows)
    lines.append(("no written page rejected as blank", f"{len(blank)} of {written} written pages",
                  len(blank) == 0 if written else None))
    o = orientation(rows, (*TYPED_UNCODED, "real_orientation"))
    label = f"orientation right ≥ {TARGETS['orientation']}% (typed pages without a code)"
    if o["n"]:
        lines.append((label, f"{_pct(o['right'], o['n'])}% ({o['right']}/{o['n']}; {o['unknown']} unknown, "
                             f"{o['wrong']} wrong)", 100 * o["right"] / o["n"] >= TARGETS["orientation"]))
    else:
        lines.append((label, "not run", None))
    return lines


def summary_table(summary: dict) -> None:
    header = (f"{'category':<22}{'n':>5}{'routed%':>9}{'right%':>8}{'review%':>9}{'reject%':>9}"
              f"{'misrouted':>10}{'wrongdest':>10}{'orient%':>9}{'sigs%':>7}{'ms med':>8}")
    print(header)
    print("-" * len(header))
    for category in CATEGORIES:
        s = summary.get(category)
        if not s:
            continue
        orient = _pct(s["orientation_right"], s["orientation_expected"]) if s["orientation_expected"] else "–"
        sigs = _pct(s["signatures_exact"], s["signatures_expected"]) if s["signatures_n"] else "–"
        ms = "–" if s["ms_median"] is None else f"{s['ms_median']:.0f}"
        print(f"{category:<22}{s['n']:>5}{_pct(s['routed'], s['n']):>9}{_pct(s['right'], s['n']):>8}"
              f"{_pct(s['review'], s['n']):>9}{_pct(s['dropped'], s['n']):>9}{s['misrouted']:>10}"
              f"{s['wrong_destination']:>10}{orient:>9}{sigs:>7}{ms:>8}")
    print("right%: as labelled (routed to its case and destination, review when it must not route, "
          "rejected with its reason); misrouted: routed to another case or destination, or routed "
          "when it must go to review; wrongdest: its own case, another destination.")


def print_report(summary: dict, rows: list[dict], folder) -> None:
    """The unseen corpus's figures, after `bench/recognition.py`'s own table."""
    print()
    print(f"Unseen corpus ({folder}): pages made by bench/unseen/, real pages, three campaigns")
    summary_table(summary)

    print()
    print("Pages that must route, by capture (routed right = its case, kind's destination):")
    print(f"  {'':<34}{'n':>5}{'right%':>8}{'review%':>9}{'reject%':>9}{'misrouted':>10}{'wrongdest':>10}")
    for name, t in capture_table(rows).items():
        print(f"  {name:<34}{t['n']:>5}{_pct(t['right'], t['n']):>8}{_pct(t['review'], t['n']):>9}"
              f"{_pct(t['rejected'], t['n']):>9}{t['misrouted']:>10}{t['wrong_destination']:>10}")

    o_typed = orientation(rows, (*TYPED_UNCODED, "real_orientation"))
    o_all = orientation(rows, UNCODED)
    print()
    print("Orientation of pages without a code:")
    for name, o in (("typed pages (and Tesseract's phototest)", o_typed),
                    ("every page without a code", o_all)):
        print(f"  {name:<42} {_pct(o['right'], o['n'])}% right ({o['right']}/{o['n']}; "
              f"{o['unknown']} unknown, {o['wrong']} wrong)")

    rejected = rejected_pages(rows)
    print()
    print(f"Rejected pages ({len(rejected)}; unexpected first):")
    for p in sorted(rejected, key=lambda p: (p["expected"], CATEGORIES.index(p["category"]), p["id"])):
        mark = "expected" if p["expected"] else ("WRITTEN PAGE" if p["written"] else "unexpected")
        print(f"  {mark:<12} {p['id']:<28} {'/'.join(p['reasons'][:3]):<34} {p['file']} p{p['page']}")

    print()
    print("Targets (issue 16, on the unseen corpus):")
    for what, figure, met in headlines(summary, rows):
        verdict = "n/a" if met is None else "MET" if met else "NOT MET"
        print(f"  {what:<62} {figure:<46} {verdict}")


def to_json(summary: dict, rows: list[dict]) -> dict:
    return {"summary": summary, "by_capture": capture_table(rows), "rejected": rejected_pages(rows),
            "orientation_typed": orientation(rows, (*TYPED_UNCODED, "real_orientation")),
            "orientation_uncoded": orientation(rows, UNCODED),
            "targets": [{"target": w, "figure": f, "met": m} for w, f, m in headlines(summary, rows)]}

