"""Kit documents: the QR codes print, decode back to the right payload and are big enough."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st

from scanpipe.domain import i18n
from scanpipe.domain.campaign import parse_campaign
from scanpipe.domain.payload import Fault, Payload, PayloadKind, Rejected, parse_payload
from scanpipe.paper import kits, render
from scanpipe.paper.render import Box
from scanpipe.simulate.scansim import rasterise_pdf

CAMPAIGN_FILE = Path(__file__).resolve().parent.parent / "samples" / "campaign.toml"
CASES = ("CAAL", "IMOLEAYO", "RUNG")


@pytest.fixture(scope="module")
def campaign():
    return parse_campaign(CAMPAIGN_FILE.read_text(encoding="utf-8"))


def decode(image, dpi: float) -> list[tuple[str, float, tuple[float, float]]]:
    """(text, module size in mm, centre in px) of every QR code on `image`."""
    found = []
    for code in zxingcpp.read_barcodes(np.asarray(image.convert("L")),
                                       formats=zxingcpp.BarcodeFormat.QRCode):
        p = code.position
        corners = [(q.x, q.y) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
        side = sum(math.dist(corners[i], corners[(i + 1) % 4]) for i in range(4)) / 4
        modules = 17 + 4 * int(code.extra["Version"])
        centre = (sum(x for x, _ in corners) / 4, sum(y for _, y in corners) / 4)
        found.append((code.text, side / modules * 25.4 / dpi, centre))
    return found


def parse(campaign, qr_text: str) -> Payload | Rejected:
    return parse_payload(qr_text, campaign.id, campaign.check_key)


def inside(point: tuple[float, float], box: Box, dpi: float) -> bool:
    left, top, right, bottom = box.px(dpi)
    return left <= point[0] <= right and top <= point[1] <= bottom


@pytest.mark.parametrize("dpi", [150, 200])
@pytest.mark.parametrize("code", CASES)
def test_letter_sheet_qr_routes_to_its_case(campaign, code, dpi):
    page = rasterise_pdf(kits.render_letter_sheet(campaign, campaign.case(code), "fr"), dpi)
    assert len(page) == 1
    [(text, module_mm, centre)] = decode(page[0], dpi)
    assert parse(campaign, text) == Payload(PayloadKind.LETTER, campaign.id, code)
    assert 0.55 <= module_mm <= 0.65
    assert inside(centre, kits.LETTER_LAYOUT.qr_zone, dpi)


@pytest.mark.parametrize("dpi", [150, 200])
@pytest.mark.parametrize("code", CASES)
def test_postcard_sides(campaign, code, dpi):
    picture, message = rasterise_pdf(kits.render_postcard(campaign, campaign.case(code)), dpi)
    assert picture.size == message.size and picture.width > picture.height  # landscape

    [(foreign, module_mm, _)] = decode(picture, dpi)
    assert foreign == kits.FOREIGN_URL
    assert parse(campaign, foreign).fault is Fault.FOREIGN
    assert module_mm >= 0.5 * 0.95

    [(text, module_mm, centre)] = decode(message, dpi)
    assert parse(campaign, text) == Payload(PayloadKind.POSTCARD, campaign.id, code)
    assert module_mm >= 0.5 * 0.95  # measuring on pixels costs a few percent
    assert inside(centre, kits.POSTCARD_MESSAGE_LAYOUT.qr_zone, dpi)


@pytest.mark.parametrize("dpi", [150, 200])
@pytest.mark.parametrize("code", CASES)
def test_petition_qr_and_signature_cells(campaign, code, dpi):
    [page] = rasterise_pdf(kits.render_petition(campaign, campaign.case(code), "fr"), dpi)
    [(text, module_mm, centre)] = decode(page, dpi)
    assert parse(campaign, text) == Payload(PayloadKind.PETITION, campaign.id, code)
    assert module_mm >= 0.55
    assert inside(centre, kits.PETITION_QR_ZONE, dpi)
    # Each signature rectangle is printed: its four edges are dark on the page.
    gray = np.asarray(page.convert("L"))
    for row in kits.petition_rows():
        left, top, right, bottom = row.signature.px(dpi)
        mid_x, mid_y = (left + right) // 2, (top + bottom) // 2
        for y, x in ((top, mid_x), (bottom, mid_x), (mid_y, left), (mid_y, right)):
            assert gray[y - 1:y + 2, x - 1:x + 2].min() < 100, (row.number, x, y)
        assert gray[mid_y, mid_x] > 200  # and empty inside


def test_petition_rows_geometry():
    for rows in (1, 15, 30):
        cells = kits.petition_rows(rows)
        table = kits.petition_layout(rows).writing_box
        assert [c.number for c in cells] == list(range(1, rows + 1))
        for above, below in itertools.pairwise(cells):
            assert above.signature.bottom < below.signature.y
        for c in cells:
            assert table.x <= c.name.x < c.contact.x < c.signature.x
            assert c.signature.right <= table.right
            assert table.y <= c.signature.y and c.signature.bottom <= table.bottom
    with pytest.raises(ValueError):
        kits.petition_rows(0)


def test_envelope_labels_carry_kit_serials(campaign):
    pdf = kits.render_envelope_labels(campaign, first_serial=41, count=16)
    pages = rasterise_pdf(pdf, 200)
    assert len(pages) == 2  # 14 labels a sheet
    serials = {}
    for page_index, page in enumerate(pages):
        for text, module_mm, centre in decode(page, 200):
            payload = parse(campaign, text)
            assert payload.kind is PayloadKind.KIT and module_mm >= 0.55
            index = payload.serial - 41
            label_page, box = kits.LABEL_SHEET.label_box(index)
            assert label_page == page_index and inside(centre, box, 200)
            serials[payload.serial] = page_index
    assert sorted(serials) == list(range(41, 57))
    words = " ".join(pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range().split())
    assert "kit n° 000041" in words and "Chaussée de Wavre 37" in words


def test_render_kit_files(campaign):
    files = kits.render_kit(campaign, "fr", first_serial=1, kits=10)
    expected = {f"{folder}/{kind}-{case.code}.pdf" for case in campaign.cases
                for folder, kind in (("letters", "letter"), ("postcards", "postcard"),
                                     ("petitions", "petition"))}
    assert set(files) == expected | {"labels/kit-labels-000001-000010.pdf"}
    assert all(data.startswith(b"%PDF") for data in files.values())
    # Same input, same bytes: kits can be checked into an archive and compared.
    assert kits.render_letter_sheet(campaign, campaign.cases[0]) == files["letters/letter-CAAL.pdf"]


def test_layouts_keep_qr_zone_clear(campaign):
    for layout in (kits.LETTER_LAYOUT, kits.POSTCARD_MESSAGE_LAYOUT, kits.petition_layout()):
        assert not layout.writing_box.overlaps(layout.qr_zone)
        assert layout.qr_zone.right <= layout.page_w and layout.qr_zone.x >= 0
    # The largest payload (two 24-character codes) still fits the reserved zone.
    longest = "SP1:L:" + "A" * 24 + ":" + "B" * 24 + ":ABCDEFGH"
    for layout in (kits.LETTER_LAYOUT, kits.POSTCARD_MESSAGE_LAYOUT):
        box = layout.qr_box(longest)
        assert box.w <= layout.qr_zone.w and box.right == pytest.approx(layout.qr_zone.right)


@pytest.mark.parametrize("lang, words", [("en", ("Your letter", "case CAAL", "Send this sheet")),
                                         ("nl", ("Jouw brief", "zaak CAAL", "januari 2022"))])
def test_letter_sheet_languages(campaign, lang, words):
    pdf = kits.render_letter_sheet(campaign, campaign.case("CAAL"), lang)
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    for word in words:
        assert word in text


def test_unknown_language_is_refused(campaign):
    """A language the campaign does not offer is refused, naming the ones it offers."""
    with pytest.raises(ValueError, match="offers fr, nl, en"):
        kits.render_petition(campaign, campaign.cases[0], "de")


def test_catalogue_is_complete():
    for key in i18n.keys():  # noqa: SIM118 (a function of the module, not a dict)
        for lang in i18n.LANGUAGES:
            assert i18n.text(key, lang, person="P", country="C", code="X", deadline="D",
                             address="A", name="N", authority="Au", serial="1", id="I",
                             date="d", count=3, page=1, pages=2)


def test_qr_modules_never_below_half_a_millimetre():
    canvas, _ = render.new_canvas(100, 100, "t")
    with pytest.raises(ValueError, match=re.escape("0.5 mm")):
        render.draw_qr(canvas, "SP1:K:X:1:ABCDEFGH", 10, 10, module_mm=0.4)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="latin-1", exclude_categories=("Cc", "Cs")),
               max_size=300),
       st.floats(min_value=15, max_value=180))
def test_wrapped_lines_fit_their_width(words, width_mm):
    f = render.fonts()
    lines = render.wrap_text(words, f.regular, 9, width_mm)
    assert all(render.string_mm(line, f.regular, 9) <= width_mm + 1e-6 for line in lines)
    assert "".join(lines).replace(" ", "") == "".join(words.split())


@given(st.floats(0, 200), st.floats(0, 280), st.floats(1, 100), st.floats(1, 100))
def test_box_pixels_follow_dpi(x, y, w, h):
    box = Box(x, y, w, h)
    left, _top, _right, bottom = box.px(254)
    assert abs(left - x * 10) <= 0.5 and abs(bottom - (y + h) * 10) <= 0.5 + 1e-6


def _quiet_zone_is_white(page, box: Box, module_mm: float, dpi: float) -> bool:
    gray = np.asarray(page.convert("L"))
    left, top, right, bottom = box.px(dpi)
    band = round(render.QUIET_ZONE_MODULES * module_mm * dpi / 25.4) - 2  # minus anti-aliasing
    ring = [gray[top:bottom, left:left + band], gray[top:bottom, right - band:right],
            gray[top:top + band, left:right], gray[bottom - band:bottom, left:right]]
    return all(part.size and part.min() > 200 for part in ring)


def test_nothing_is_drawn_in_the_quiet_zones(campaign):
    case = campaign.case("IMOLEAYO")
    dpi = 200
    letter = rasterise_pdf(kits.render_letter_sheet(campaign, case), dpi)[0]
    picture, message = rasterise_pdf(kits.render_postcard(campaign, case), dpi)
    petition = rasterise_pdf(kits.render_petition(campaign, case), dpi)[0]
    checks = [
        (letter, kits.LETTER_LAYOUT, kits.case_qr_text(campaign, case, PayloadKind.LETTER)),
        (message, kits.POSTCARD_MESSAGE_LAYOUT,
         kits.case_qr_text(campaign, case, PayloadKind.POSTCARD)),
        (picture, kits.POSTCARD_PICTURE_LAYOUT, kits.FOREIGN_URL),
        (petition, kits.petition_layout(),
         kits.case_qr_text(campaign, case, PayloadKind.PETITION)),
    ]
    for page, layout, qr_text in checks:
        assert _quiet_zone_is_white(page, layout.qr_box(qr_text), layout.qr_module_mm, dpi)


def test_falls_back_to_reportlab_vera_without_dejavu(campaign, monkeypatch, tmp_path):
    usual = render.fonts().regular
    monkeypatch.setattr(render, "DEJAVU_DIR", tmp_path)
    render.fonts.cache_clear()
    try:
        assert render.fonts().regular == "ScanpipeVera"
        pdf = kits.render_letter_sheet(campaign, campaign.case("CAAL"))
        text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
        assert "Bernardo Caal Xol" in text
    finally:
        monkeypatch.undo()
        render.fonts.cache_clear()
    assert render.fonts().regular == usual
