"""Images a pixel or two across, in every format: no code, no fault, and the next file is read.

A 1×1 or 1×100-pixel image made `scanpipe decode` stop with an OpenCV error, and the files
after it in the same call got no output. Such a page holds no code: it gives none.
"""

from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_CAMPAIGN, case_code, page_with_codes
from PIL import Image

from scanpipe.domain.payload import PayloadKind
from scanpipe.domain.routing import Reason
from scanpipe.reading.pipeline import decode_file, process_file
from stations.cli import cli

SHAPES = [(1, 1), (1, 100), (100, 1), (2, 2)]  # (height, width)
FORMATS = ["PNG", "JPEG", "TIFF", "WEBP", "BMP", "PDF"]


def tiny(shape: tuple[int, int], fmt: str, grey: int = 200) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.full(shape, grey, np.uint8)).save(out, format=fmt)
    return out.getvalue()


CASES = [pytest.param(shape, fmt, id=f"{fmt}-{shape[1]}x{shape[0]}") for fmt in FORMATS for shape in SHAPES]


@pytest.mark.parametrize(("shape", "fmt"), CASES)
def test_decode_file_gives_a_tiny_image_one_page_without_codes(shape, fmt):
    assert decode_file(tiny(shape, fmt)) == [(1, [])]


@pytest.mark.parametrize(("shape", "fmt"), CASES)
def test_process_file_decides_a_tiny_image_without_a_recogniser_fault(campaign, shape, fmt):
    [result] = process_file(tiny(shape, fmt, grey=30), campaign)
    assert result.codes == ()
    assert Reason.RECOGNITION_FAILED.value not in result.decision.reasons, result.decision


@pytest.fixture
def files(tmp_path, campaign):
    """A letter, three tiny images and a postcard, in the order they are given to a command."""
    letter = case_code(campaign, PayloadKind.LETTER, "CAAL")
    postcard = case_code(campaign, PayloadKind.POSTCARD, "WENDY")
    made = {
        "letter.jpg": page_with_codes((letter, 1350, 80)),
        "dot.png": tiny((1, 1), "PNG"),
        "line.jpg": tiny((1, 100), "JPEG"),
        "column.bmp": tiny((100, 1), "BMP"),
        "postcard.png": page_with_codes((postcard, 500, 700), fmt="PNG"),
    }
    paths = []
    for name, data in made.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    return paths, letter, postcard


def test_decode_reads_every_file_after_a_tiny_one(files):
    paths, letter, postcard = files
    result = CliRunner().invoke(cli, ["decode", *map(str, paths), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["source"] for row in rows] == [str(p) for p in paths]
    assert [[c["text"] for c in row["codes"]] for row in rows] == [[letter], [], [], [], [postcard]]
    assert all(row["page"] == 1 and "error" not in row for row in rows)


def test_decode_reports_a_fault_in_one_file_and_goes_on(files, monkeypatch):
    """Whatever a reader raises on one file is that file's error line; the next is decoded."""
    paths, _, postcard = files
    faulty = paths[2].read_bytes()
    real = decode_file

    def decode(data: bytes):
        if data == faulty:
            raise cv2.error("OpenCV(5.1.0) resize.cpp: (-215:Assertion failed) !dsize.empty()")
        return real(data)

    # `decode` imports the pipeline when it runs: the function is replaced where it lives
    monkeypatch.setattr("scanpipe.reading.pipeline.decode_file", decode)
    result = CliRunner().invoke(cli, ["decode", *map(str, paths), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["source"] for row in rows] == [str(p) for p in paths]
    broken = rows[2]
    assert broken["page"] is None and broken["codes"] == []
    assert "error" in broken["error"] and "report" in broken["error"]  # what failed, what to do
    assert [c["text"] for c in rows[4]["codes"]] == [postcard]

    plain = CliRunner().invoke(cli, ["decode", *map(str, paths)])
    assert plain.exit_code == 0
    assert f"{paths[2]}: cannot read: reading its codes failed (error:" in plain.stderr
    assert plain.stdout.splitlines()[-1].startswith(f"{paths[4]} p1: QRCode '{postcard}'")


def test_scan_decides_every_file_after_a_tiny_one(files, tmp_path):
    paths, _, _ = files
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "data"), "scan", *map(str, paths), "--campaign",
              str(SAMPLE_CAMPAIGN), "--json", "--dry-run"], env={"SCANPIPE_OCR": "false"})
    assert result.exit_code == 0, result.output
    rows = {json.loads(line)["source"]: json.loads(line) for line in result.stdout.splitlines()}
    assert set(rows) == {str(p) for p in paths}
    assert rows[str(paths[0])]["case"] == "CAAL" and rows[str(paths[4])]["case"] == "WENDY"
    for path in paths[1:4]:
        assert rows[str(path)]["codes"] == []
        assert Reason.RECOGNITION_FAILED.value not in rows[str(path)]["reasons"], rows[str(path)]
