"""Benchmark: the peak memory of a station worker deciding one file (budget: 400 MB a worker).

Each file is decided by `scanpipe.reading.pipeline.process_file` in a fresh Python process set
up as a station's worker is (`stations.workers.set_up_worker_process`; the sample
campaign, default settings: codes, cross-check and OCR) and that process's peak
resident set (`resource.getrusage`) is printed, with the floor every worker pays for its
imports. Tesseract runs in processes of its own, one at a time while the worker waits:
their peak, and the worker's and Tesseract's resident sizes added at the same moment, are
read from /proc every 5 ms while they run (getrusage cannot tell them: a child started
by a large process inherits that process's peak). The files are the heaviest a worker accepts:

* the largest page: an A4-shaped colour scan just under `pages.MAX_PIXELS`, typed
  text and no code (so every code-reading try and OCR run), as JPEG (decoded
  straight to grey) and as PNG (decoded by Pillow);
* that JPEG without its resolution, as a phone photo comes (OCR cannot scale it to
  300 dpi: Tesseract gets every pixel);
* three such pages as the colour frames of one TIFF (a decoded frame stays open while
  its page is decided, the next frame is decoded in its place);
* a PDF of `pages.MAX_PAGES` A4 pages (JPEG scans at 200 dpi, postcard codes);
* a multi-frame TIFF of `pages.MAX_PAGES` A4 frames (200 dpi, black and white).

The files are made in a process of their own too, so that the measuring processes
start small. Run: python bench/page_memory.py [--only TEXT]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = ROOT / "samples" / "campaign.toml"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BUDGET_MB = 400
A4_MM = (210.0, 297.0)
LETTER = ("Monsieur le Président, je vous écris au sujet d'une personne détenue "
          "pour avoir défendu les droits humains. Je vous demande de la libérer "
          "sans condition et de garantir sa sécurité.")


# ------------------------------------------------------------------ the files (own process)

def _largest_a4(max_pixels: int):
    """An A4-shaped colour page of just under `max_pixels` with typed lines, and its dpi."""
    from PIL import Image, ImageDraw, ImageFont

    width = int((max_pixels * A4_MM[0] / A4_MM[1]) ** 0.5)
    height = max_pixels // width
    dpi = width / (A4_MM[0] / 25.4)
    page = Image.new("RGB", (width, height), (247, 245, 240))
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, round(12 / 72 * dpi))
    words = LETTER.split()
    for line in range(20):
        start = line * 3 % len(words)
        draw.text((dpi, dpi * 1.5 + line * 20 / 72 * dpi), " ".join(words[start:start + 9]),
                  font=font, fill=(30, 30, 40))
    return page, dpi


def _postcard_page(dpi: int):
    """An A4 page at `dpi` with a valid postcard code of the sample campaign and a line of text."""
    import io

    import segno
    from PIL import Image, ImageDraw, ImageFont

    from scanpipe.domain.campaign import parse_campaign
    from scanpipe.domain.payload import Payload, PayloadKind, encode_payload

    campaign = parse_campaign(CAMPAIGN.read_text(encoding="utf-8"))
    text = encode_payload(Payload(PayloadKind.POSTCARD, campaign.id, campaign.cases[0].code),
                          campaign.check_key)
    size = (round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi))
    page = Image.new("L", size, 240)
    qr = io.BytesIO()
    segno.make(text, error="m").save(qr, kind="png", scale=round(dpi / 40), border=4)
    page.paste(Image.open(qr).convert("L"), (size[0] - round(dpi * 1.6), round(dpi * 0.3)))
    ImageDraw.Draw(page).text((dpi, dpi * 2), LETTER[:60], fill=20,
                              font=ImageFont.truetype(FONT, round(12 / 72 * dpi)))
    return page


def make_files(folder: Path) -> dict[str, str]:
    """The files measured, written into `folder`: {name: path}."""
    import io

    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    from scanpipe.reading.pages import MAX_PAGES, MAX_PIXELS

    files = {}
    big, dpi = _largest_a4(MAX_PIXELS - 1)
    for fmt, suffix in (("JPEG", "jpg"), ("PNG", "png")):
        path = folder / f"largest-page.{suffix}"
        big.save(path, fmt, dpi=(dpi, dpi), **({"quality": 85} if fmt == "JPEG" else {}))
        files[f"largest page {big.width}x{big.height} {fmt}"] = str(path)
    path = folder / "largest-page-no-dpi.jpg"
    big.save(path, "JPEG", quality=85)
    files["the same JPEG without its resolution"] = str(path)
    path = folder / "largest-pages.tif"
    big.save(path, "TIFF", save_all=True, append_images=[big] * 2, compression="tiff_deflate",
             dpi=(dpi, dpi))
    files["TIFF of 3 such colour frames"] = str(path)
    del big

    page = _postcard_page(200)
    scan = io.BytesIO()
    page.save(scan, "JPEG", quality=80, dpi=(200, 200))
    path = folder / f"{MAX_PAGES}-pages.pdf"
    pdf = Canvas(str(path), invariant=1)
    size = (page.width * 72 / 200, page.height * 72 / 200)
    for _ in range(MAX_PAGES):  # the same JPEG on every page: stored once
        pdf.setPageSize(size)
        pdf.drawImage(ImageReader(io.BytesIO(scan.getvalue())), 0, 0, *size)
        pdf.showPage()
    pdf.save()
    files[f"PDF of {MAX_PAGES} A4 pages at 200 dpi"] = str(path)

    bilevel = page.point(lambda v: 255 if v > 150 else 0).convert("1")
    path = folder / f"{MAX_PAGES}-frames.tif"
    bilevel.save(path, "TIFF", save_all=True, append_images=[bilevel] * (MAX_PAGES - 1),
                 compression="group4", dpi=(200, 200))
    files[f"TIFF of {MAX_PAGES} A4 frames at 200 dpi"] = str(path)
    return files


# ------------------------------------------------------------------ one measure (own process)

def _status(pid: int | str) -> dict[str, str]:
    try:
        return dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    except OSError:
        return {}


def _kb(status: dict[str, str], key: str) -> int:
    return int(status[key].split()[0]) if key in status else 0


def _watch_tesseract(peaks: dict[str, int], stop) -> None:
    """Keep in `peaks` (kB) the largest peak of a Tesseract child, and the largest resident
    size of this process and its Tesseract at the same moment, while they run."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    while not stop.wait(0.005):
        together = _kb(_status(os.getpid()), "VmRSS")
        for task in tasks.iterdir():
            try:
                pids = (task / "children").read_text().split()
            except OSError:
                continue
            for status in map(_status, pids):
                # Before its exec a child shows its parent's memory: count Tesseract only.
                if status.get("Name", "").strip() == "tesseract":
                    peaks["tesseract"] = max(peaks["tesseract"], _kb(status, "VmHWM"))
                    together += _kb(status, "VmRSS")
        peaks["together"] = max(peaks["together"], together)


def measure(path: Path) -> dict:
    """In this fresh process: decide the file and report the peaks in MB."""
    import resource
    import threading
    import time

    from scanpipe.domain.campaign import parse_campaign
    from scanpipe.reading.pipeline import process_file
    from stations.workers import set_up_worker_process

    set_up_worker_process()  # as a station's worker: one thread, freed memory kept for reuse
    campaign = parse_campaign(CAMPAIGN.read_text(encoding="utf-8"))
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    peaks, stop = {"tesseract": 0, "together": 0}, threading.Event()
    watcher = threading.Thread(target=_watch_tesseract, args=(peaks, stop), daemon=True)
    watcher.start()
    start = time.perf_counter()
    results = process_file(path.read_bytes(), campaign)
    seconds = time.perf_counter() - start
    stop.set()
    watcher.join()
    return {"floor_mb": floor, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "tesseract_mb": peaks["tesseract"] / 1024, "together_mb": peaks["together"] / 1024,
            "seconds": seconds, "pages": len(results),
            "statuses": sorted({r.decision.status.value for r in results}),
            "reasons": sorted({reason for r in results for reason in r.decision.reasons})}


# ------------------------------------------------------------------ the report

def _child(*args: str) -> dict:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          env=env)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="measure only the files whose name contains this text")
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)     # a child's part
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # a child's part
    args = parser.parse_args()
    if args.make:
        print(json.dumps(make_files(args.make)))
        return
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    print(f"Peak memory of one worker deciding one file (fresh process each; budget {BUDGET_MB} MB):")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in _child("--make", tmp).items():
            if args.only and args.only not in name:
                continue
            row = _child("--measure", path)
            worst = max(worst, row["peak_mb"])
            print(f"  {name:<38} ({os.path.getsize(path) / 1e6:4.1f} MB): worker {row['peak_mb']:4.0f} MB "
                  f"(imports {row['floor_mb']:.0f}), Tesseract {row['tesseract_mb']:4.0f} MB, both at "
                  f"once {row['together_mb']:4.0f} MB; "
                  f"{row['pages']} pages in {row['seconds']:.1f} s, {'/'.join(row['statuses'])} "
                  f"({', '.join(row['reasons'])})", flush=True)
    print(f"  worst worker peak {worst:.0f} MB (budget {BUDGET_MB} MB): "
          f"{'MET' if worst <= BUDGET_MB else 'NOT MET'}")


if __name__ == "__main__":
    main()
