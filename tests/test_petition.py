"""Counting signed petition rows on simulated scans and photos: which rows, not only how many.

Sheets are rendered from the sample campaign, signed by the scan simulator in known rows,
scanned turned and skewed, then degraded the way bad scans and phone photos are. Others are
filled in by the unseen corpus's hands (`bench/unseen/hand.py`) and photographed here with a
phone: in perspective, under uneven light, shaken, held by a thumb. The QR's corners come
from zxing-cpp, as the pipeline gets them.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from collections.abc import Callable

import cv2
import numpy as np
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from bench.unseen import hand
from scanpipe.domain.campaign import Campaign
from scanpipe.domain.payload import PayloadKind
from scanpipe.domain.routing import Reason, Status
from scanpipe.paper import kits
from scanpipe.reading.codes import scan_codes
from scanpipe.reading.petition import SignatureCount, count_signatures
from scanpipe.reading.pipeline import RecognitionSettings, process_file
from scanpipe.simulate import scansim

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
    if how == "texture":
        return _jpeg(_fibres(gray, rng), 50)
    return _jpeg(gray, 75)


def _fibres(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Coarse recycled paper: thousands of short dark fibres, 0.5 to 3 mm (at 150 dpi)."""
    h, w = gray.shape
    layer = np.zeros((h, w), np.uint8)
    for _ in range(4000):
        x, y = int(rng.integers(w)), int(rng.integers(h))
        length, angle = rng.uniform(3, 18), rng.uniform(0, np.pi)
        end = (int(x + length * np.cos(angle)), int(y + length * np.sin(angle)))
        cv2.line(layer, (x, y), end, int(rng.integers(40, 110)), 1)
    return (gray * (1 - layer / 255.0) * 0.9).astype(np.uint8)


def _sheet(campaign: Campaign, *, signed: set[int], named: set[int] = frozenset(), dpi: int,
           seed: int, quarter_turns: int = 0, skew: float = 10.0, how: str = "plain",
           rows: int = 15, case_index: int = 0,
           marks: Callable[[Image.Image], None] | None = None) -> tuple[np.ndarray, tuple, str]:
    """A scanned petition sheet signed in rows `signed` (0-based), names written in `signed`
    and `named` rows, `marks` drawn on the paper before it is scanned; the page, the QR's
    corners as zxing-cpp reports them, and its text."""
    cells = kits.petition_rows(rows)
    fields = []
    for i in sorted(signed | named):
        fields.append((cells[i].name.px(dpi), NAMES[i % len(NAMES)]))
        fields.append((cells[i].contact.px(dpi), TOWNS[i % len(TOWNS)]))
    paper = _page(campaign, case_index, dpi, rows)
    if marks is not None:
        paper = paper.copy()
        marks(paper)
    scan = scansim.scan_image(paper, seed=seed, dpi=dpi,
                              fields=fields,
                              signature_boxes_px=[cells[i].signature.px(dpi) for i in signed],
                              quarter_turns=quarter_turns, max_rotation_deg=skew, grayscale=True)
    gray = _degrade(np.asarray(scan), how, seed)
    return gray, *_read_qr(gray, campaign, case_index)


def _read_qr(gray: np.ndarray, campaign: Campaign, case_index: int = 0) -> tuple[tuple, str]:
    """The petition QR's corners and text, read by the product's reader with its harder tries:
    what the pipeline would hand over."""
    text = kits.case_qr_text(campaign, campaign.cases[case_index], PayloadKind.PETITION)
    found = [c for c in scan_codes(gray, lambda codes: any(c.text == text for c in codes)).codes
             if c.text == text]
    assert found, "the test sheet's QR must decode"
    return found[0].position, text


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
    assert counted.doubts == ()


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


# ------------------------------------------------------------------ when the count is unsure

def _tick(row: int, dpi: int) -> Callable[[Image.Image], None]:
    """A small tick (3 mm, a 0.35 mm pen) in a row's signature box: less ink than a
    signature leaves, but not nothing — a person decides whether it counts."""
    def draw(page: Image.Image) -> None:
        left, top, right, bottom = kits.petition_rows()[row].signature.px(dpi)
        mm = dpi / 25.4
        x, y = (left + right) / 2, (top + bottom) / 2
        ImageDraw.Draw(page).line([(x - 1.5 * mm, y), (x - 0.5 * mm, y + 1.2 * mm),
                                   (x + 1.5 * mm, y - 1.5 * mm)], fill=(30, 40, 140),
                                  width=max(1, round(0.35 * mm)), joint="curve")
    return draw


def _fold(row: int, dpi: int) -> Callable[[Image.Image], None]:
    """The sheet folded in three for its envelope, a little askew: a crease (a 0.3 mm grey
    line, 4° off the rows) across the page, through a row's signature box."""
    def draw(page: Image.Image) -> None:
        left, top, right, bottom = kits.petition_rows()[row].signature.px(dpi)
        x, y, slope = (left + right) / 2, (top + bottom) / 2, np.tan(np.radians(4))
        ImageDraw.Draw(page).line([(0, y - slope * x), (page.width, y + slope * (page.width - x))],
                                  fill=(90, 90, 90), width=max(1, round(0.3 * dpi / 25.4)))
    return draw


def _shadow(row: int, dpi: int) -> Callable[[Image.Image], None]:
    """A hard shadow (a hand, a lamp's edge) whose edge crosses a row's signature box."""
    def draw(page: Image.Image) -> None:
        left, top, right, bottom = kits.petition_rows()[row].signature.px(dpi)
        pixels = np.asarray(page, dtype=np.float32)
        yy, xx = np.mgrid[0:pixels.shape[0], 0:pixels.shape[1]]
        across = (xx - (left + right) / 2) * 0.5 + (yy - (top + bottom) / 2) * 0.87
        shade = 1 - 0.5 / (1 + np.exp(np.clip(-across / (0.2 * dpi / 25.4), -50, 50)))
        page.paste(Image.fromarray((pixels * shade[:, :, None]).astype(np.uint8)))
    return draw


def test_a_tick_in_a_box_makes_the_count_unsure(campaign):
    signed = {1, 6}
    gray, corners, text = _sheet(campaign, signed=signed, dpi=200, seed=21, marks=_tick(10, 200))
    counted = count_signatures(gray, corners, text)
    assert counted is not None
    assert counted.signed[:10] == _expected(signed)[:10]
    assert len(counted.doubts) == 1 and "row 11" in counted.doubts[0]  # a person looks


@pytest.mark.parametrize("seed", [3, 8])
def test_paper_texture_that_over_counts_is_unsure(campaign, seed):
    """Coarse recycled paper scanned at 150 dpi leaves fibres in every box: counted as is,
    a sheet of one or two signatures counts up to twelve (the over-counts seen on bad scans)."""
    signed = {4} if seed == 3 else {0, 6}
    gray, corners, text = _sheet(campaign, signed=signed, dpi=150, seed=seed, how="texture",
                                 skew=3.0)
    counted = count_signatures(gray, corners, text)
    assert counted is not None
    assert any("texture or noise" in doubt for doubt in counted.doubts), counted


@pytest.mark.parametrize("signed", [{7}, set()])
def test_a_hard_shadow_across_a_box_is_unsure(campaign, signed):
    """The dark side of a shadow's edge looks like ink beside the paper's level: a row it
    crosses may be counted signed, and then never surely."""
    gray, corners, text = _sheet(campaign, signed=signed, dpi=150, seed=13, marks=_shadow(7, 150),
                                 skew=3.0)
    counted = count_signatures(gray, corners, text)
    assert counted is not None
    # Right, or not sure: never a wrong count taken as sure.
    assert counted.signed == _expected(signed) or any("shadow" in d for d in counted.doubts)


def test_a_fold_through_a_box_is_unsure(campaign):
    """A crease across the sheet leaves a line along a box: a straight line is no signature,
    and the count says so when it took it for one."""
    gray, corners, text = _sheet(campaign, signed={2}, dpi=200, seed=17, marks=_fold(9, 200),
                                 skew=2.0)
    counted = count_signatures(gray, corners, text)
    assert counted is not None
    assert counted.signed == _expected({2}) or any("straight line" in d for d in counted.doubts)


def _petition_file(gray: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(gray).save(out, "PNG", dpi=(200, 200))
    return out.getvalue()


def test_an_unsure_count_goes_to_review_with_the_count_proposed(campaign):
    gray, _, _ = _sheet(campaign, signed={1, 6}, dpi=200, seed=21, marks=_tick(10, 200))
    [result] = process_file(_petition_file(gray), campaign, RecognitionSettings(ocr=False))
    decision = result.decision
    assert decision.status is Status.REVIEW
    assert decision.reasons[:2] == [Reason.SIGNATURES_UNSURE.value, Reason.ROUTED_BY_QR.value]
    proposed = count_signatures(*_sheet(campaign, signed={1, 6}, dpi=200, seed=21,
                                        marks=_tick(10, 200))).count
    assert decision.signatures == proposed  # the reviewer confirms it or types another
    assert decision.case == campaign.cases[0].code and decision.destination is not None
    assert "row 11" in decision.findings[0].detail


def test_a_clean_count_is_routed_as_before(campaign):
    gray, _, _ = _sheet(campaign, signed={0, 5, 9}, named={12}, dpi=200, seed=4)
    [result] = process_file(_petition_file(gray), campaign, RecognitionSettings(ocr=False))
    decision = result.decision
    assert decision.status is Status.ROUTED and decision.signatures == 3
    assert decision.reasons == [Reason.ROUTED_BY_QR.value]


# ------------------------------------------------------------------ phone photos

def _filled(campaign: Campaign, signed: set[int], named: set[int] = frozenset(),
            dpi: int = 200, seed: int = 0) -> Image.Image:
    """The sheet filled in by the unseen corpus's hands: a name and a town in rows `signed`
    and `named`, a signature in rows `signed`."""
    page = _page(campaign, 0, dpi, 15).convert("RGB")
    rng = np.random.default_rng(seed)
    cells = kits.petition_rows()
    for i in sorted(signed | named):
        pen = hand.Pen.named(("black", "blue", "royal")[i % 3], rng)
        name, contact = cells[i].name.px(dpi), cells[i].contact.px(dpi)
        pitch = (name[3] - name[1]) * 0.95
        page, _ = hand.write_neat(page, name, [NAMES[i % len(NAMES)]], pitch, pen, rng)
        page, _ = hand.write_neat(page, contact, [TOWNS[i % len(TOWNS)]], pitch, pen, rng)
        if i in signed:
            page = hand.sign(page, cells[i].signature.px(dpi), pen, rng)
    return page


def _phone_photo(page: Image.Image, seed: int, *, thumb: tuple[int, int] | None = None,
                 shake: float = 0.0, tilt: float = 0.05, turn: float = 3.0,
                 dpi: int = 200) -> np.ndarray:
    """The sheet photographed with a phone on a dark desk: turned `turn` degrees, in
    perspective (its right side, where the QR is, `tilt` farther away), its light falling off
    to one side with a soft shadow across, JPEG. `thumb`: a thumb holding it over the right
    part of the signature boxes of rows thumb[0] to thumb[1]; `shake`: moved that many mm
    down the sheet while the shutter was open (across its rows)."""
    rng = np.random.default_rng(seed)
    gray = np.asarray(page.convert("L"), dtype=np.float32)
    h, w = gray.shape
    mm = dpi / 25.4
    if thumb is not None:
        cells = kits.petition_rows()
        top, bottom = cells[thumb[0]].signature.y, cells[thumb[1]].signature.bottom
        mask = np.zeros((h, w), np.float32)
        cv2.ellipse(mask, (round(208 * mm), round((top + bottom) / 2 * mm)),
                    (round(36 * mm), round(((bottom - top) / 2 + 3) * mm)), 0, 0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), 0.8 * mm)
        gray = gray * (1 - mask) + 150.0 * mask
    out_h, out_w = 3000, 2250
    scale = 0.82 * min(out_w / w, out_h / h)
    angle = np.radians(turn)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    quad = np.array([(-w, -h), (w, -h), (w, h), (-w, h)]) * scale / 2 @ rotation.T
    quad[[1, 2]] *= 1 - tilt
    quad += np.array((out_w / 2, out_h / 2)) + rng.normal(0, 6, (4, 2))
    matrix = cv2.getPerspectiveTransform(np.float32([(0, 0), (w, 0), (w, h), (0, h)]),
                                         quad.astype(np.float32))
    shot = cv2.warpPerspective(gray, matrix, (out_w, out_h), flags=cv2.INTER_AREA,
                               borderValue=55.0)
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    shade = np.clip((xx * 0.6 + yy * 0.8 - out_h * 0.55) / 60.0, -50, 50)
    shot *= (1.0 - 0.3 * xx / out_w) * (1.0 - 0.25 / (1.0 + np.exp(-shade)))
    if shake:
        length = max(3, round(shake * mm * scale))
        kernel = np.zeros((length, length), np.float32)
        kernel[:, length // 2] = 1.0
        centre = ((length - 1) / 2, (length - 1) / 2)
        kernel = cv2.warpAffine(kernel, cv2.getRotationMatrix2D(centre, -turn, 1.0),
                                (length, length))
        shot = cv2.filter2D(shot, -1, kernel / kernel.sum())
    return _jpeg(np.clip(shot + rng.normal(0, 3, shot.shape), 0, 255).astype(np.uint8), 80)


@pytest.mark.parametrize("signed, thumb", [({0, 2, 3, 7, 8}, (0, 4)), ({5, 6, 9, 12}, (8, 11))])
def test_a_thumb_over_the_boxes_of_a_photo_hides_no_signature(campaign, signed, thumb):
    """A thumb holding the photographed sheet lies over the right part of a few signature
    boxes: their printed borders are not seen there, which is no misplacement; a signature
    beside it is seen, and a row it covers whose name and town are empty was signed by nobody."""
    gray = _phone_photo(_filled(campaign, signed), seed=1, thumb=thumb)
    counted = count_signatures(gray, *_read_qr(gray, campaign))
    assert counted is not None
    assert counted.signed == _expected(signed) and counted.doubts == ()


def test_a_thumb_over_a_named_row_makes_the_count_unsure(campaign):
    """A row with a name written, its box under the thumb and nothing beside it: its signature
    may be under the thumb, so a person looks."""
    gray = _phone_photo(_filled(campaign, {0, 2, 7}, named={1}), seed=1, thumb=(0, 3))
    counted = count_signatures(gray, *_read_qr(gray, campaign))
    assert counted is not None and counted.signed == _expected({0, 2, 7})
    assert len(counted.doubts) == 1
    assert "row 2 partly covered" in counted.doubts[0] and "name written" in counted.doubts[0]


@pytest.mark.parametrize("seed", [0, 3])
def test_a_photo_shaken_across_the_rows_is_counted(campaign, seed):
    """Shaken down the sheet, each ruled line is a band and the table's bottom border runs
    into the last box's: the border is placed where it runs alone."""
    signed = {4, 5, 7, 9, 10, 14}
    gray = _phone_photo(_filled(campaign, signed, seed=4), seed, shake=1.0, turn=2.0 - seed)
    counted = count_signatures(gray, *_read_qr(gray, campaign))
    assert counted is not None
    assert counted.signed == _expected(signed) and counted.doubts == ()


def test_a_photo_in_steep_perspective_is_placed_by_the_sheets_corners(campaign):
    """The QR, small and far from the table, cannot tell a steep perspective: the sheet's
    corners place the table, where the QR agrees with them."""
    signed = {4, 5, 7, 9, 10, 14}
    gray = _phone_photo(_filled(campaign, signed, seed=4), seed=5, tilt=0.16, turn=-8.0)
    counted = count_signatures(gray, *_read_qr(gray, campaign))
    assert counted is not None and counted.registered_by == "qr+paper+table"
    assert counted.signed == _expected(signed) and counted.doubts == ()


def _photo_file(gray: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(gray).save(out, "JPEG", quality=90)  # a phone writes no usable resolution
    return out.getvalue()


def test_a_photographed_sheet_is_counted_and_routed(campaign):
    signed = {0, 2, 3, 7, 8}
    gray = _phone_photo(_filled(campaign, signed), seed=1, thumb=(0, 4))
    [result] = process_file(_photo_file(gray), campaign, RecognitionSettings(ocr=False))
    decision = result.decision
    assert decision.status is Status.ROUTED and decision.signatures == len(signed)
    assert decision.reasons == [Reason.ROUTED_BY_QR.value]
    assert decision.case == campaign.cases[0].code


def test_a_photographed_sheet_with_a_hidden_signature_goes_to_review(campaign):
    gray = _phone_photo(_filled(campaign, {0, 2, 7}, named={1}), seed=1, thumb=(0, 3))
    [result] = process_file(_photo_file(gray), campaign, RecognitionSettings(ocr=False))
    decision = result.decision
    assert decision.status is Status.REVIEW and decision.signatures == 3
    assert decision.reasons[:2] == [Reason.SIGNATURES_UNSURE.value, Reason.ROUTED_BY_QR.value]


def _flat_signature(row: int, dpi: int) -> Callable[[Image.Image], None]:
    """A signature of one thin, gently wavy stroke along the top of a row's box (2 mm under
    its border), across most of it: not a printed rule, though as long and as thin."""
    def draw(page: Image.Image) -> None:
        left, top, right, _ = kits.petition_rows()[row].signature.px(dpi)
        mm = dpi / 25.4
        xs = np.linspace(left + 0.1 * (right - left), right - 0.2 * (right - left), 40)
        ys = top + 2.0 * mm + 0.55 * mm * np.sin((xs - left) / (3 * mm))
        ImageDraw.Draw(page).line(list(zip(xs, ys)), fill=(40, 40, 60),
                                  width=max(1, round(0.25 * mm)), joint="curve")
    return draw


def test_a_signature_of_one_flat_stroke_along_the_edge_is_counted(campaign):
    gray, corners, text = _sheet(campaign, signed={4}, named={0}, dpi=240, seed=9,
                                 marks=_flat_signature(0, 240), skew=2.0)
    counted = count_signatures(gray, corners, text)
    assert counted is not None and counted.signed == _expected({0, 4})
