"""The one wrapper around the `tesseract` program: printed text and page orientation.

Every call runs the binary on the page written to a temporary PGM file (not
on stdin, which tesseract reads slowly: measured 0.2 s more for an A4 page at
300 dpi), its answer on stdout, a timeout, and an environment of our own:
``OMP_THREAD_LIMIT=1``,
because Tesseract's OpenMP threads fighting over the cores make a page several
times slower, and a fixed search path, because this package reads no
environment. Tesseract types never leave this module: callers get `OcrText`
and `Orientation` values, or an `OcrUnavailable` / `OcrFailed` error whose
message says what to do.
"""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np

from scanpipe.reading.pages import Pixels

# Where tesseract lives on Debian/Ubuntu, on other Unixes and with Homebrew.
_SEARCH_PATH = "/usr/local/bin:/usr/bin:/bin:/opt/homebrew/bin:/opt/local/bin"
_ENV = {"PATH": _SEARCH_PATH, "OMP_THREAD_LIMIT": "1"}
_INSTALL = "install it with: apt-get install tesseract-ocr (macOS: brew install tesseract)"
_LANGUAGES = re.compile(r"^[A-Za-z_]+(\+[A-Za-z_]+)*$")
_FAILED_LANGUAGE = re.compile(r"Failed loading language '([^']+)'")

# Tesseract's models are trained on text of 20-40 px x-height, i.e. ~300 dpi;
# more pixels cost time without gaining accuracy. Orientation needs fewer still
# (measured: as accurate at 150 dpi as at 300, in half the time).
TEXT_DPI = 300.0
ORIENTATION_DPI = 150.0
# OSD confidence below this is a guess (measured: wrong answers came with < 1).
MIN_ORIENTATION_CONFIDENCE = 1.0


class OcrError(Exception):
    """Tesseract could not give an answer; the message says what to do."""


class OcrUnavailable(OcrError):
    """The tesseract program or one of its language packs is not installed."""


class OcrFailed(OcrError):
    """Tesseract ran but timed out, crashed or answered something unreadable."""


@dataclass(frozen=True, slots=True)
class OcrWord:
    """One word read, with Tesseract's confidence (0..100) and its box in the image given."""

    text: str
    confidence: float
    box: tuple[int, int, int, int]  # left, top, width, height in pixels of the image given
    line: int = 0                   # the index of its line in `OcrText.text`


@dataclass(frozen=True, slots=True)
class OcrText:
    """The printed text of a page: lines in reading order, their words, and the cost."""

    text: str
    words: tuple[OcrWord, ...]
    mean_confidence: float
    seconds: float

    def lines_of_words(self) -> list[list[tuple[str, float]]]:
        """The words of each line of `text`, with their confidence, in reading order."""
        lines: list[list[tuple[str, float]]] = [[] for _ in self.text.splitlines()]
        for word in self.words:
            if 0 <= word.line < len(lines):
                lines[word.line].append((word.text, word.confidence))
        return lines


@dataclass(frozen=True, slots=True)
class Orientation:
    """How the page content is turned in the image as given.

    `degrees` (0/90/180/270) is how far the content is turned clockwise;
    ``np.rot90(pixels, k=degrees // 90)`` makes it upright again.
    """

    degrees: int
    confidence: float


@dataclass(frozen=True, slots=True)
class TesseractInfo:
    """The installed tesseract: its path, version and language packs."""

    path: str
    version: str
    languages: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def _binary() -> str:
    path = shutil.which("tesseract", path=_SEARCH_PATH)
    if path is None:
        raise OcrUnavailable(f"the tesseract program was not found in {_SEARCH_PATH}; {_INSTALL}")
    return path


def _missing_packs(languages: list[str]) -> str:
    packs = " ".join(f"tesseract-ocr-{lang.lower()}" for lang in languages)
    return (f"tesseract has no language pack for {', '.join(languages)}; "
            f"install it with: apt-get install {packs}")


@functools.lru_cache(maxsize=8)
def available(languages: str = "fra+nld+eng") -> TesseractInfo:
    """Check once that tesseract and the language packs are installed; raise `OcrUnavailable` if not.

    Call it when a station starts so that a missing install fails at once with
    a clear message instead of on the first page without a code.
    """
    _check_languages(languages)
    version = run_tesseract([_binary(), "--version"], 10.0).stdout.decode("utf-8", "replace")
    listed = run_tesseract([_binary(), "--list-langs"], 10.0).stdout.decode("utf-8", "replace")
    # The first line of --list-langs names the tessdata folder; the packs follow.
    installed = tuple(line.strip() for line in listed.splitlines()[1:] if line.strip())
    missing = [lang for lang in languages.split("+") if lang not in installed]
    if missing:
        raise OcrUnavailable(_missing_packs(missing))
    first = version.splitlines()[0] if version else "tesseract (unknown version)"
    return TesseractInfo(_binary(), first.removeprefix("tesseract ").strip(), installed)


def read_text(pixels: Pixels, *, dpi: float | None = None, languages: str = "fra+nld+eng",
              timeout: float = 30.0) -> OcrText:
    """Read the printed text of an upright 2-D uint8 grayscale page.

    A page scanned well above 300 dpi is scaled down to 300 dpi first (faster,
    no less accurate); word boxes are given in the pixels of `pixels`. Raises
    `OcrUnavailable` or `OcrFailed`.
    """
    _check_languages(languages)
    image, scale, used_dpi = _scaled(pixels, dpi, TEXT_DPI)
    started = time.perf_counter()
    with _page_file(image) as path:
        done = run_tesseract([_binary(), path, "stdout", "-l", languages, *_dpi_args(used_dpi), "tsv"],
                    timeout)
    seconds = time.perf_counter() - started
    _raise_for_languages(done.stderr)
    if done.returncode != 0:
        raise OcrFailed(f"tesseract stopped with exit code {done.returncode}: {_tail(done.stderr)}; "
                        "send the page to review")
    words, lines = _parse_tsv(done.stdout.decode("utf-8", "replace"), 1.0 / scale)
    mean = sum(w.confidence for w in words) / len(words) if words else 0.0
    return OcrText("\n".join(lines), words, mean, seconds)


def detect_orientation(pixels: Pixels, *, dpi: float | None = None,
                       timeout: float = 20.0) -> Orientation | None:
    """How far the content of a 2-D uint8 grayscale page is turned clockwise, or None.

    None when Tesseract cannot tell (too few characters, e.g. a blank or
    handwritten page) or only guesses; that is an answer, not an error.
    Raises `OcrUnavailable` (no ``osd`` pack) or `OcrFailed`.
    """
    image, _, used_dpi = _scaled(pixels, dpi, ORIENTATION_DPI)
    with _page_file(image) as path:
        done = run_tesseract([_binary(), path, "stdout", "--psm", "0", *_dpi_args(used_dpi)], timeout)
    _raise_for_languages(done.stderr)
    err = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        if "Too few characters" in err:
            return None
        raise OcrFailed(f"tesseract orientation check stopped with exit code {done.returncode}: "
                        f"{_tail(done.stderr)}; send the page to review")
    out = done.stdout.decode("utf-8", "replace")
    # Measured on pages turned with np.rot90: content turned 90° clockwise gives
    # "Orientation in degrees: 90" (and "Rotate: 270", the correction), so the
    # first line is already our clockwise convention.
    degrees = re.search(r"Orientation in degrees:\s*(\d+)", out)
    confidence = re.search(r"Orientation confidence:\s*([-\d.]+)", out)
    if degrees is None or confidence is None:
        raise OcrFailed(f"tesseract's orientation answer was not understood: {out[:200]!r}; "
                        "check the tesseract version (5.x is supported)")
    found = Orientation(int(degrees.group(1)) % 360, float(confidence.group(1)))
    if found.degrees not in (0, 90, 180, 270) or found.confidence < MIN_ORIENTATION_CONFIDENCE:
        return None
    return found


# ------------------------------------------------------------------ helpers

def _check_languages(languages: str) -> None:
    # Refuse anything that tesseract could take for an option.
    if not _LANGUAGES.match(languages):
        raise ValueError(f"languages must look like 'fra+nld+eng', not {languages!r}")


def _scaled(pixels: Pixels, dpi: float | None, target: float) -> tuple[Pixels, float, float | None]:
    """The page shrunk to about `target` dpi when it is much finer; (image, scale, its dpi)."""
    if pixels.ndim != 2 or pixels.dtype != np.uint8 or min(pixels.shape) < 1:
        raise ValueError(f"expected a 2-D uint8 grayscale page, got {pixels.dtype} {pixels.shape}")
    if dpi is None or dpi <= target * 1.2:
        return pixels, 1.0, dpi
    scale = target / dpi
    height, width = pixels.shape
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cast(Pixels, cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)), scale, target  # uint8 kept


def _dpi_args(dpi: float | None) -> list[str]:
    # Without a dpi tesseract estimates one from the text height and warns.
    return ["--dpi", str(round(dpi))] if dpi else []


@contextlib.contextmanager
def _page_file(pixels: Pixels) -> Iterator[str]:
    """The page as a binary PGM file (a header and the raw bytes, no compression to pay
    for), removed afterwards."""
    height, width = pixels.shape
    with tempfile.NamedTemporaryFile(prefix="scanpipe-page-", suffix=".pgm") as file:
        file.write(b"P5\n%d %d\n255\n" % (width, height))
        file.write(np.ascontiguousarray(pixels).data)
        file.flush()
        yield file.name


def run_tesseract(args: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run the tesseract program (`args[0]`) once: the one place it is started.

    Tests that are not about OCR replace it with one that replays recorded answers
    (`tests/recorded_tesseract.py`).
    """
    try:
        return subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, env=_ENV, check=False)
    except subprocess.TimeoutExpired:
        raise OcrFailed(f"tesseract did not finish within {timeout:g} s; raise the OCR timeout "
                        "(SCANPIPE_OCR_TIMEOUT) or lighten the machine's load") from None
    except FileNotFoundError:
        _binary.cache_clear()
        raise OcrUnavailable(f"the tesseract program disappeared from {args[0]}; {_INSTALL}") from None
    except OSError as exc:
        raise OcrFailed(f"tesseract could not be started ({exc}); check its installation") from None


def _raise_for_languages(stderr: bytes) -> None:
    # Tesseract goes on with the packs it has when one is missing; we refuse.
    missing = _FAILED_LANGUAGE.findall(stderr.decode("utf-8", "replace"))
    if missing:
        raise OcrUnavailable(_missing_packs(sorted(set(missing))))


def _tail(stderr: bytes) -> str:
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return " / ".join(lines[-3:]) or "no message"


def _parse_tsv(tsv: str, back: float) -> tuple[tuple[OcrWord, ...], list[str]]:
    """Words (level 5 rows) and the lines they form, in Tesseract's reading order."""
    rows = tsv.splitlines()
    if not rows or not rows[0].startswith("level\t"):
        raise OcrFailed(f"tesseract's TSV answer was not understood: {tsv[:200]!r}; "
                        "check the tesseract version (4.1 or later is needed)")
    words: list[OcrWord] = []
    lines: list[str] = []
    current: tuple[str, ...] | None = None
    for row in rows[1:]:
        cells = row.split("\t", 11)
        if len(cells) < 11 or cells[0] != "5":
            continue
        text = cells[11].strip() if len(cells) == 12 else ""
        if not text:
            continue
        try:
            left, top, width, height = (int(c) for c in cells[6:10])
            confidence = max(0.0, min(100.0, float(cells[10])))
        except ValueError:
            raise OcrFailed(f"tesseract's TSV row was not understood: {row[:200]!r}") from None
        box = (round(left * back), round(top * back), round(width * back), round(height * back))
        line = tuple(cells[1:5])  # page, block, paragraph, line
        if line != current:
            lines.append(text)
            current = line
        else:
            lines[-1] += " " + text
        words.append(OcrWord(text, confidence, box, len(lines) - 1))
    return tuple(words), lines
