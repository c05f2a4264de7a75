"""Counting signed petition rows on simulated scans: which rows, not only how many.

Sheets are rendered from the sample campaign, signed by the scan simulator in known rows,
scanned turned and skewed, then degraded the way bad scans and phone photos are. The QR's
corners come from zxing-cpp, as the pipeline gets them.
"""

from __future__ import annotations

import dataclasses
import functools
import io

import cv2
import numpy as np
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from scanpipe import kits, scansim
from scanpipe.codes import scan_codes
from scanpipe.campaign import Campaign
from scanpipe.payload import PayloadKind
from scanpipe.petition import SignatureCount, count_signatures

NAMES = ("Marie Dupont", "Jan Peeters", "Ahmed El Idrissi", "Claire Dubois")
TOWNS = ("Namur", "m.dupont@example.org", "Louvain-la-Neuve")


@functools.cache
def _page(campaign: Campaign, case_index: int, dpi: int, rows: int) -> Image.Image:
    pdf = kits.render_petition(campaign, campaign.cases[case_index], rows=rows)
    return scansim.rasterise_pdf(pdf, dpi)[0]


def _jpeg(gray: np.ndarray, quality: int) -> np.ndarray:
    out = io.BytesIO()
    Image.fromarray(gray).save(out, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("L"))


def _photo(gray: np.ndarray, seed: int) -> np.ndarray:
    """A phone photo: perspective, a different scale (unknown dpi), uneven light."""
    rng = np.random.default_rng(seed)
    h, w = gray.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = (src + rng.uniform(-0.04, 0.04, size=(4, 2)) * [w, h]) * rng.uniform(0.8, 1.1)
    dst = (dst - dst.min(axis=0)).astype(np.float32)
    size = (int(dst[:, 0].max()) + 1, int(dst[:, 1].max()) + 1)
    warped = cv2.warpPerspective(gray, cv2.getPerspectiveTransform(src, dst), size,
                                 borderValue=60)
    light = np.linspace(0.75, 1.0, size[0], dtype=np.float32)[None, :]
    return np.clip(warped * light, 0, 255).astype(np.uint8)


def _degrade(gray: np.ndarray, how: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if how == "jpeg30":
        return _jpeg(gray, 30)
    if how == "noise":
        noisy = gray + rng.normal(0, 10, gray.shape)
        return _jpeg(np.clip(noisy, 0, 255).astype(np.uint8), 75)
    if how == "blur":
        return _jpeg(cv2.GaussianBlur(gray, (0, 0), 1.2), 75)
    if how == "low-contrast":
        return _jpeg((gray * 0.4 + 120).astype(np.uint8), 75)
    if how == "photo":
        return _jpeg(_photo(gray, seed), 80)
    return _jpeg(gray, 75)


def _sheet(campaign: Campaign, *, signed: set[int], named: set[int] = frozenset(), dpi: int,
           seed: int, quarter_turns: int = 0, skew: float = 10.0, how: str = "plain",
           rows: int = 15, case_index: int = 0) -> tuple[np.ndarray, tuple, str]:
    """A scanned petition sheet signed in rows `signed` (0-based), names written in `signed`
    and `named` rows; the page, the QR's corners as zxing-cpp reports them, and its text."""
    cells = kits.petition_rows(rows)
    fields = []
    for i in sorted(signed | named):
        fields.append((cells[i].name.px(dpi), NAMES[i % len(NAMES)]))
        fields.append((cells[i].contact.px(dpi), TOWNS[i % len(TOWNS)]))
    scan = scansim.scan_image(_page(campaign, case_index, dpi, rows), seed=seed, dpi=dpi,
                              fields=fields,
                              signature_boxes_px=[cells[i].signature.px(dpi) for i in signed],
                              quarter_turns=quarter_turns, max_rotation_deg=skew, grayscale=True)
    gray = _degrade(np.asarray(scan), how, seed)
    text = kits.case_qr_text(campaign, campaign.cases[case_index], PayloadKind.PETITION)
    # The product's reader, with its harder tries: what the pipeline would hand over.
    found = [c for c in scan_codes(gray, lambda codes: any(c.text == text for c in codes)).codes
             if c.text == text]
    assert found, "the test sheet's QR must decode"
    return gray, found[0].position, text


def _expected(signed: set[int], rows: int = 15) -> tuple[bool, ...]:
    return tuple(i in signed for i in range(rows))


@pytest.mark.parametrize("dpi, quarter_turns, how, signed", [
    (150, 0, "plain", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}),
    (200, 1, "jpeg30", {1, 4, 5, 9, 14}),
    (300, 2, "noise", {0, 7, 13}),
    (150, 3, "low-contrast", {2, 3, 11, 12}),
    (200, 0, "blur", {6}),
    (200, 1, "photo", {0, 2, 5, 8, 10, 13}),
    (150, 2, "photo", set()),
])
def test_counts_exactly_which_rows_are_signed(campaign, dpi, quarter_turns, how, signed):
    gray, corners, text = _sheet(campaign, signed=signed, named={3, 14} - signed, dpi=dpi,
                                 seed=dpi + quarter_turns, quarter_turns=quarter_turns, how=how)
    counted = count_signatures(gray, corners, text)
    assert counted is not None
    assert counted.signed == _expected(signed)
    assert counted.count == len(signed)
    assert counted.registered_by == "qr+table"
    assert len(counted.ink) == 15


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(signed=st.sets(st.integers(0, 14), max_size=15), seed=st.integers(0, 10_000),
       quarter_turns=st.integers(0, 3))
def test_random_subsets_of_signed_rows_are_found(campaign, signed, seed, quarter_turns):
    # Skew within 5°: the simulated scanner cuts off a page corner (and its QR) beyond that.
    gray, corners, text = _sheet(campaign, signed=signed, dpi=150, seed=seed, skew=5.0,
                                 quarter_turns=quarter_turns, case_index=seed % 10)
    counted = count_signatures(gray, corners, text)
    assert counted is not None and counted.signed == _expected(signed)


def test_a_name_without_a_signature_is_not_counted(campaign):
    gray, corners, text = _sheet(campaign, signed={2, 9}, named=set(range(15)), dpi=200, seed=7)
    counted = count_signatures(gray, corners, text)
    assert counted is not None
    assert counted.count == 2 and counted.signed == _expected({2, 9})
    unsigned = [ink for ink, signed in zip(counted.ink, counted.signed) if not signed]
    assert max(unsigned) == 0.0


def test_a_stray_dot_is_not_a_signature(campaign):
    dpi = 200
    page = _page(campaign, 0, dpi, 15).copy()
    draw_box = kits.petition_rows()[4].signature.px(dpi)
    cx, cy = (draw_box[0] + draw_box[2]) // 2, (draw_box[1] + draw_box[3]) // 2
    r = round(0.4 * dpi / 25.4)  # a pen rested on the paper: a 0.8 mm blot
    page.paste((20, 20, 60), (cx - r, cy - r, cx + r, cy + r))
    scan = scansim.scan_image(page, seed=3, dpi=dpi, grayscale=True, max_rotation_deg=5)
    gray = _jpeg(np.asarray(scan), 60)
    text = kits.case_qr_text(campaign, campaign.cases[0], PayloadKind.PETITION)
    p = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)[0].position
    corners = [(q.x, q.y) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
    counted = count_signatures(gray, corners, text)
    assert counted is not None and counted.count == 0


def test_corners_in_another_order_are_put_right(campaign):
    """zbar gives the corners from the page's top-left, possibly counter-clockwise."""
    signed = {0, 5, 6}
    gray, corners, text = _sheet(campaign, signed=signed, dpi=150, seed=11, quarter_turns=2)
    for order in ([2, 3, 0, 1], [1, 2, 3, 0], [0, 3, 2, 1], [3, 2, 1, 0]):
        counted = count_signatures(gray, tuple(corners[k] for k in order), text)
        assert counted is not None and counted.signed == _expected(signed), order


def test_a_sheet_with_other_rows(campaign):
    signed = {0, 3, 9}
    gray, corners, text = _sheet(campaign, signed=signed, dpi=150, seed=5, rows=10)
    counted = count_signatures(gray, corners, text, rows=10)
    assert counted is not None and counted.signed == _expected(signed, 10)


def test_qr_corners_on_an_empty_image_give_none(campaign):
    text = kits.case_qr_text(campaign, campaign.cases[0], PayloadKind.PETITION)
    blank = np.full((2339, 1654), 235, dtype=np.uint8)
    corners = ((1400.0, 100.0), (1520.0, 100.0), (1520.0, 220.0), (1400.0, 220.0))
    assert count_signatures(blank, corners, text) is None
    noise = np.random.default_rng(0).integers(0, 256, size=(2339, 1654), dtype=np.uint8)
    assert count_signatures(noise, corners, text) is None


def test_a_letter_sheet_has_no_rows_to_count(campaign):
    """Same QR zone, no table: not placed, so not counted."""
    dpi = 150
    page = scansim.rasterise_pdf(kits.render_letter_sheet(campaign, campaign.cases[0]), dpi)[0]
    gray = np.asarray(scansim.scan_image(page, seed=2, dpi=dpi, grayscale=True))
    found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)[0]
    p = found.position
    corners = [(q.x, q.y) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
    assert count_signatures(gray, corners, found.text) is None


def test_bad_inputs_give_none(campaign):
    text = kits.case_qr_text(campaign, campaign.cases[0], PayloadKind.PETITION)
    square = ((10, 10), (60, 10), (60, 60), (10, 60))
    assert count_signatures(np.zeros((100, 100, 3), np.uint8), square, text) is None
    assert count_signatures(np.zeros((100, 100), np.uint8), square[:3], text) is None
    assert count_signatures(np.zeros((100, 100), np.uint8), ((0, 0),) * 4, text) is None


def test_the_count_is_a_frozen_value():
    count = SignatureCount(1, (True, False), (12.5, 0.0), "qr+table")
    with pytest.raises(dataclasses.FrozenInstanceError):
        count.count = 2  # type: ignore[misc]
