"""The real pages of `../shared/testdata/real-pages/`: nobody on this project made them.

`handwriting-fr/` holds French manuscript pages (CC-BY 4.0, HTRomance / BnF) with
ALTO transcriptions: upright, naming no case. `orientation/` holds Tesseract's
own test scans (Apache-2.0): `phototest.tif` upright and turned 90° (`-R`),
180° and 270° (`-L`), and `eurotext.tif` upright. `manuscript_lines` cuts the
written lines out of the manuscripts along their ALTO polygons, with their
transcription, so real strokes can be laid on other paper.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from bench.unseen.cases import ROOT

REAL_PAGES = ROOT.parent / "shared" / "testdata" / "real-pages"
HANDWRITING = REAL_PAGES / "handwriting-fr"
ORIENTATION = REAL_PAGES / "orientation"
# Degrees the content is turned clockwise, as orientation/README says (Tesseract's osd_test).
ORIENTATION_FILES = (("phototest.tif", 0), ("phototest-rotated-R.png", 90),
                     ("phototest-rotated-180.png", 180), ("phototest-rotated-L.png", 270),
                     ("eurotext.tif", 0))


@dataclass(frozen=True)
class ManuscriptPage:
    path: Path
    alto: Path | None

    @property
    def name(self) -> str:
        return self.path.stem.replace(" ", "_")


@dataclass(frozen=True)
class StrokeLine:
    """One written line cut out of a manuscript: its ink (0..1, the paper removed) and text."""

    source: str
    ink: np.ndarray      # float32, h × w, 1 = full ink
    text: str


def available() -> bool:
    return HANDWRITING.is_dir() and ORIENTATION.is_dir()


def manuscript_pages() -> tuple[ManuscriptPage, ...]:
    """Every manuscript page (sorted), with its ALTO file when it has one."""
    pages = []
    for path in sorted(HANDWRITING.glob("*/*")):
        if path.suffix.lower() in (".jpg", ".jpeg", ".png"):
            alto = path.with_suffix(".xml")
            pages.append(ManuscriptPage(path, alto if alto.is_file() else None))
    return tuple(pages)


def orientation_pages() -> tuple[tuple[Path, int], ...]:
    return tuple((ORIENTATION / name, degrees) for name, degrees in ORIENTATION_FILES
                 if (ORIENTATION / name).is_file())


def transcription(page: ManuscriptPage) -> str:
    """The ALTO text of a page ("" without ALTO)."""
    return "\n".join(text for _, text in _alto_lines(page.alto)) if page.alto else ""


def _alto_lines(alto: Path) -> list[tuple[np.ndarray, str]]:
    root = ET.parse(alto).getroot()
    ns = {"a": root.tag.split("}")[0].strip("{")}
    out = []
    for line in root.iterfind(".//a:TextLine", ns):
        polygon = line.find("a:Shape/a:Polygon", ns)
        if polygon is None:
            continue
        values = [float(v) for v in polygon.get("POINTS", "").replace(",", " ").split()]
        points = np.array(values, dtype=np.float32).reshape(-1, 2)
        text = " ".join(s.get("CONTENT", "") for s in line.iterfind("a:String", ns))
        if len(points) >= 3 and text.strip():
            out.append((points, text))
    return out


def ink_of(gray: np.ndarray) -> np.ndarray:
    """Ink (0..1) of a grey image of writing on paper: darkness against the local paper."""
    g = gray.astype(np.float32)
    k = max(15, (min(g.shape) // 3) | 1)
    paper = cv2.dilate(g, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))
    paper = cv2.GaussianBlur(paper, (k, k), 0)
    ink = np.clip((paper - g) / np.maximum(paper, 1.0), 0.0, 1.0)
    ink = np.clip((ink - 0.12) / 0.45, 0.0, 1.0)   # paper grain and stains out, strokes full
    return ink.astype(np.float32)


@functools.lru_cache(maxsize=1)
def manuscript_lines() -> tuple[StrokeLine, ...]:
    """Every ALTO line of every manuscript page, cut along its polygon, as ink."""
    out = []
    for page in manuscript_pages():
        if page.alto is None:
            continue
        gray = np.asarray(Image.open(page.path).convert("L"))
        for points, text in _alto_lines(page.alto):
            x, y, w, h = cv2.boundingRect(points.astype(np.int32))
            x, y = max(0, x), max(0, y)
            crop = gray[y:y + h, x:x + w]
            if crop.size == 0 or w < 3 * h:
                continue
            mask = np.zeros(crop.shape, np.uint8)
            cv2.fillPoly(mask, [(points - [x, y]).astype(np.int32)], 1)
            ink = ink_of(crop) * mask
            if float(ink.mean()) < 0.01:
                continue
            out.append(StrokeLine(f"{page.path.name}#{len(out)}", ink, text))
    return tuple(out)
