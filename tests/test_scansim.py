"""Simulated scans: deterministic, realistic in size, and their codes still read."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageSequence

from scanpipe.domain.campaign import parse_campaign
from scanpipe.domain.payload import Payload, PayloadKind, Rejected, parse_payload
from scanpipe.paper import kits
from scanpipe.simulate import scansim
from scanpipe.simulate.samplegen import KINDS, STATUSES, make_sample_set

CAMPAIGN_FILE = Path(__file__).resolve().parent.parent / "samples" / "campaign.toml"


@pytest.fixture(scope="module")
def campaign():
    return parse_campaign(CAMPAIGN_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def letter_pages(campaign):
    pdf = kits.render_letter_sheet(campaign, campaign.case("CAAL"), "fr")
    return {dpi: scansim.rasterise_pdf(pdf, dpi)[0] for dpi in (150, 200)}


def decode(image: Image.Image, dpi: float) -> list[tuple[str, float]]:
    """(text, module size in mm) of every QR code on `image`."""
    found = []
    for code in zxingcpp.read_barcodes(np.asarray(image.convert("L"))):
        p = code.position
        corners = [(q.x, q.y) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
        side = sum(math.dist(corners[i], corners[(i + 1) % 4]) for i in range(4)) / 4
        found.append((code.text, side / (17 + 4 * int(code.extra["Version"])) * 25.4 / dpi))
    return found


def letter_scan(page, dpi, seed, **options) -> bytes:
    layout = kits.LETTER_LAYOUT
    return scansim.simulate_scan(page, seed=seed, dpi=dpi,
                                 writing_box_px=layout.writing_box.px(dpi),
                                 line_pitch_px=layout.line_pitch_mm * dpi / 25.4, **options)


def test_rasterise_pdf_size(letter_pages):
    # 210 × 297 mm; pdfium rounds a fraction of a pixel up.
    for dpi, (width, height) in ((200, (1653.5, 2338.6)), (150, (1240.2, 1754.0))):
        assert abs(letter_pages[dpi].width - width) <= 1
        assert abs(letter_pages[dpi].height - height) <= 1


def test_scan_is_deterministic_for_a_seed(letter_pages):
    first = letter_scan(letter_pages[150], 150, seed=7)
    assert letter_scan(letter_pages[150], 150, seed=7) == first
    assert letter_scan(letter_pages[150], 150, seed=8) != first


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a4_scan_at_200_dpi_is_a_modest_jpeg_whose_qr_reads(campaign, letter_pages, seed):
    data = letter_scan(letter_pages[200], 200, seed=seed)
    assert data[:3] == b"\xff\xd8\xff"
    assert 150_000 <= len(data) <= 350_000
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.width > 1654 and image.height > 2339  # border
    [(text, module_mm)] = decode(image, 200)
    assert parse_payload(text, campaign.id, campaign.check_key) == Payload(
        PayloadKind.LETTER, campaign.id, "CAAL")
    assert module_mm >= 0.5


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_pages_fed_sideways_still_read(letter_pages, turns):
    data = letter_scan(letter_pages[150], 150, seed=turns, quarter_turns=turns, grayscale=True)
    image = Image.open(io.BytesIO(data))
    assert image.mode == "L"
    assert (image.width > image.height) == (turns % 2 == 1)
    [(text, module_mm)] = decode(image, 150)
    assert text.startswith("SP1:L:MDL2021:CAAL:") and module_mm >= 0.5


def _ink_pixels(image: Image.Image, box) -> int:
    """Pixels clearly bluer than grey (the ink) in `box`; printed matter is black or grey."""
    rgb = np.asarray(image.crop(box).convert("RGB"), dtype=np.int16)
    return int(((rgb[:, :, 2] - rgb[:, :, 0]) > 40).sum())


@pytest.mark.parametrize("font", ["installed font", "procedural strokes"])
def test_both_handwriting_paths_write_in_the_box(letter_pages, font):
    if font == "installed font":
        if not scansim.handwriting_fonts():
            pytest.skip("no handwriting font installed (fonts-dkg-handwriting, fonts-breip, …)")
        choice = scansim.handwriting_fonts()[0]
    else:
        choice = None
    page = letter_pages[150]
    box = kits.LETTER_LAYOUT.writing_box.px(150)
    written = scansim.write_by_hand(page, seed=3, dpi=150, writing_box_px=box,
                                    handwriting_lines=["Bernardo Caal Xol doit être libéré."],
                                    line_pitch_px=8 * 150 / 25.4, handwriting_font=choice,
                                    ink=(20, 40, 150))
    assert _ink_pixels(page, box) == 0
    assert _ink_pixels(written, box) > 500
    top = (0, 0, page.width, box[1])  # nothing written above the writing space
    assert _ink_pixels(written, top) == 0
    assert written is not page and page.getpixel((box[0] + 50, box[1] + 40)) == (255, 255, 255)


def test_font_and_procedural_scans_differ_and_both_read(letter_pages):
    page = letter_pages[150]
    with_font = letter_scan(page, 150, seed=5, handwriting_font=scansim.AUTO)
    procedural = letter_scan(page, 150, seed=5, handwriting_font=None)
    assert with_font != procedural
    for data in (with_font, procedural):
        assert len(decode(Image.open(io.BytesIO(data)), 150)) == 1


def test_envelope_with_label_carries_the_kit_serial(campaign):
    labels = kits.render_envelope_labels(campaign, 5, 3)
    data = scansim.simulate_envelope(labels, 2, seed=11, dpi=150)
    assert data == scansim.simulate_envelope(labels, 2, seed=11, dpi=150)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.width > image.height
    [(text, module_mm)] = decode(image, 150)
    payload = parse_payload(text, campaign.id, campaign.check_key)
    assert payload.kind is PayloadKind.KIT and payload.serial == 7 and module_mm >= 0.5


def test_anonymous_envelope_has_no_code(campaign):
    labels = kits.render_envelope_labels(campaign, 1, 1)
    data = scansim.simulate_envelope(labels, 0, seed=3, dpi=150, with_label=False)
    assert decode(Image.open(io.BytesIO(data)), 150) == []


def _pages(sample) -> list[Image.Image]:
    if sample.relative_path.endswith(".pdf"):
        doc = pdfium.PdfDocument(sample.data)
        return [page.render(scale=200 / 72).to_pil() for page in doc]
    return [frame.copy() for frame in ImageSequence.Iterator(Image.open(io.BytesIO(sample.data)))]


@pytest.mark.slow
@pytest.mark.slow
def test_sample_set_matches_its_expected_truth(campaign):
    samples = make_sample_set(campaign, seed=2021, lang="fr")
    assert sum(len(s.data) for s in samples) <= 4_500_000
    folders = {s.relative_path.split("/")[0] for s in samples}
    assert folders == {"envelope-1", "envelope-2", "envelope-3"}
    seen_cases = set()
    for sample in samples:
        images = _pages(sample)
        assert [p.page for p in sample.pages] == list(range(1, len(images) + 1)), sample
        for expected, image in zip(sample.pages, images):
            assert expected.kind in KINDS and expected.status in STATUSES
            payloads = [parse_payload(text, campaign.id, campaign.check_key)
                        for text, _ in decode(image, 200)]
            valid = [p for p in payloads if isinstance(p, Payload)]
            if expected.status == "routed" and expected.kind == "kit_envelope":
                want = [(PayloadKind.KIT, str(expected.kit))] if expected.kit else []
                assert [(p.kind, p.subject) for p in valid] == want, sample.relative_path
            elif expected.status == "routed" and expected.by_text:
                assert valid == [], sample.relative_path
                seen_cases.add(expected.case)
            elif expected.status == "routed":
                assert [(p.kind, p.subject) for p in valid] == [
                    ({"letter": PayloadKind.LETTER, "postcard": PayloadKind.POSTCARD,
                      "petition": PayloadKind.PETITION}[expected.kind], expected.case)
                ], sample.relative_path
                seen_cases.add(expected.case)
            else:
                assert valid == [] and expected.case is None, sample.relative_path
                assert all(isinstance(p, Rejected) for p in payloads)
    assert seen_cases == {case.code for case in campaign.cases}
    by_path = {s.relative_path: s for s in samples}
    assert len(by_path["envelope-3/scan-batch.pdf"].pages) == 3
    assert any(p.endswith(".png") for p in by_path) and any(p.endswith(".tif") for p in by_path)
