"""The delivery sheet and the forwarding manifest: counts, totals, the bundle number and
item ids are extractable text; the codes decode; the receipt box never moves."""

from __future__ import annotations

import datetime
import re

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp

from scanpipe.domain.payload import (
    PayloadKind,
    appendix_payload,
    bundle_payload,
    encode_payload,
    parse_payload,
)
from scanpipe.paper import sheets
from scanpipe.paper.sheets import DeliverySheet, SheetLine, render_delivery_sheet
from scanpipe.simulate.scansim import rasterise_pdf

KEY = b"scanpipe:MDL2021"
LINES = (
    SheetLine("CAAL", "Bernardo Caal Xol", letters=123, postcards=4, petitions=17, signatures=212),
    SheetLine("RUNG", "Panusaya « Rung » Sithijirawattanakul", letters=9, postcards=0,
              petitions=1, signatures=14),
)


def make_sheet(lines=LINES, items: int = 5, bundle: int | None = 12, **extra) -> DeliverySheet:
    if bundle:
        extra.setdefault("bundle_ref", str(bundle))
        extra.setdefault("appendix_code", encode_payload(appendix_payload("MDL2021", bundle), KEY))
    return DeliverySheet(
        campaign_id="MDL2021", campaign_name="Marathon des lettres 2021",
        office="Amnesty International Belgique francophone", destination="embassy:GT",
        recipient_name="Ambassade de la République du Guatemala",
        recipient_address="Boulevard Général Wahis 53\n1030 Schaerbeek",
        issued_on=datetime.date(2022, 1, 20), lines=lines,
        item_ids=tuple(f"MDL2021-{i:06d}" for i in range(1, items + 1)),
        bundle_code=encode_payload(bundle_payload("MDL2021", bundle), KEY) if bundle else None,
        **extra)


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space collapsed to one space."""
    doc = pdfium.PdfDocument(pdf)
    return [" ".join(page.get_textpage().get_text_range().split()) for page in doc]


def test_counts_and_total_are_text():
    sheet = make_sheet()
    [text] = page_texts(render_delivery_sheet(sheet, "fr"))
    assert "Ambassade de la République du Guatemala" in text
    assert "Boulevard Général Wahis 53" in text and "1030 Schaerbeek" in text
    assert "20 janvier 2022" in text
    assert "CAAL Bernardo Caal Xol 123 4 17 212" in text
    assert "RUNG Panusaya « Rung » Sithijirawattanakul 9 0 1 14" in text
    assert sheet.totals == (132, 4, 18, 226)
    assert "TOTAL 132 4 18 226" in text
    assert "page 1 / 1" in text
    assert all(f"MDL2021-{i:06d}" in text for i in range(1, 6))


def test_uncounted_signatures_print_as_a_dash_never_as_zero():
    lines = (LINES[0], SheetLine("ZHANG", "Zhang Zhan", letters=3, postcards=0, petitions=2,
                                 signatures=None))
    sheet = make_sheet(lines=lines)
    [text] = page_texts(render_delivery_sheet(sheet, "fr"))
    assert "ZHANG Zhang Zhan 3 0 2 —" in text
    assert sheet.totals == (126, 4, 19, None)
    assert "TOTAL 126 4 19 —" in text


def test_seven_hundred_items_run_over_several_pages():
    sheet = make_sheet(items=700)
    texts = page_texts(render_delivery_sheet(sheet, "fr"))
    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert f"page {number} / {len(texts)}" in text
    everything = " ".join(texts)
    found = re.findall(r"MDL2021-\d{6}", everything)
    assert sorted(found) == sorted(sheet.item_ids)  # every id once, none twice
    assert "TOTAL 132 4 18 226" in texts[0]


def test_long_table_continues_with_the_right_total():
    lines = tuple(SheetLine(f"C{i}", f"Person {i}", i, 1, 2, 3 * i) for i in range(1, 41))
    texts = page_texts(render_delivery_sheet(make_sheet(lines=lines, items=0, bundle=None), "en"))
    everything = " ".join(texts)
    assert len(texts) >= 2
    assert all(f"C{i} Person {i} {i} 1 2 {3 * i}" in everything for i in range(1, 41))
    assert f"TOTAL {sum(range(1, 41))} 40 80 {3 * sum(range(1, 41))}" in everything
    assert "Delivery sheet" in texts[0] and "Signatures" in texts[0]


def test_bundle_qr_decodes():
    pdf = render_delivery_sheet(make_sheet(bundle=12), "nl")
    [page] = rasterise_pdf(pdf, 150)
    [code] = zxingcpp.read_barcodes(np.asarray(page.convert("L")))
    payload = parse_payload(code.text, "MDL2021", KEY)
    assert payload.kind is PayloadKind.BUNDLE and payload.serial == 12
    text = page_texts(pdf)[0]
    assert "Afgifteborderel" in text and "Handtekening" in text and "TOTAAL" in text


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="fr, en, nl"):
        render_delivery_sheet(make_sheet(), "es")


# ------------------------------------------------------------------ bundle number, late pieces

def late_sheet(**extra) -> DeliverySheet:
    late = frozenset({"MDL2021-000003", "MDL2021-000007", "MDL2021-000011"})
    return make_sheet(items=12, late_ids=late, deadline=datetime.date(2022, 1, 11), **extra)


@pytest.mark.parametrize("lang, number, note", [
    ("fr", "Liasse n° 12", "Dont 3 pièces arrivées après la date limite du 11 janvier 2022 "
                        "(marquées * en annexe)."),
    ("en", "Bundle no. 12", "Of which 3 pieces arrived after the deadline of 11 January 2022 "
                            "(marked * in the appendix)."),
    ("nl", "Bundel nr. 12", "Waarvan 3 stukken aangekomen na de uiterste datum van "
                            "11 januari 2022 (gemarkeerd met * in de bijlage)."),
])
def test_bundle_number_and_late_note_in_each_language(lang, number, note):
    [text] = page_texts(render_delivery_sheet(late_sheet(), lang))
    assert number in text and note in text
    assert "Ambassade de la République du Guatemala" in text
    assert "CAAL Bernardo Caal Xol 123 4 17 212" in text


def test_late_ids_are_marked_in_the_appendix_and_only_they():
    [text] = page_texts(render_delivery_sheet(late_sheet(), "fr"))
    marked = re.findall(r"(MDL2021-\d{6}) \*", text)
    assert sorted(marked) == ["MDL2021-000003", "MDL2021-000007", "MDL2021-000011"]
    assert len(re.findall(r"MDL2021-\d{6}", text)) == 12


def test_one_late_piece_is_singular_and_none_prints_no_note():
    one = make_sheet(items=3, late_ids=frozenset({"MDL2021-000002"}),
                     deadline=datetime.date(2022, 1, 11))
    [text] = page_texts(render_delivery_sheet(one, "fr"))
    assert "Dont 1 pièce arrivée après la date limite du 11 janvier 2022" in text
    [text] = page_texts(render_delivery_sheet(make_sheet(deadline=datetime.date(2022, 1, 11)),
                                              "fr"))
    assert "date limite" not in text and " *" not in text


def test_late_ids_must_be_printed_ids_with_a_deadline():
    with pytest.raises(ValueError, match="item_ids"):
        make_sheet(items=3, late_ids=frozenset({"K-17"}), deadline=datetime.date(2022, 1, 11))
    with pytest.raises(ValueError, match="deadline"):
        make_sheet(items=3, late_ids=frozenset({"MDL2021-000001"}))


# ------------------------------------------------------------------ forwarding manifest

FORWARDED = (
    SheetLine("CAAL", "Bernardo Caal Xol", letters=0, postcards=4, petitions=0, signatures=None,
              solidarity_letters=11),
    SheetLine("RUNG", "Panusaya « Rung » Sithijirawattanakul", letters=0, postcards=0,
              petitions=0, signatures=None, solidarity_letters=3),
)


@pytest.mark.parametrize("lang, title, header", [
    ("fr", "Bordereau d'envoi de cartes et lettres", "Cas Personne Cartes Lettres à la personne Total"),
    ("en", "Forwarding manifest: postcards and letters", "Case Person Postcards Letters to the person Total"),
    ("nl", "Verzendborderel kaarten en brieven", "Zaak Persoon Kaarten Solidariteitsbrieven Totaal"),
])
def test_forwarding_manifest_lists_postcards_and_letters_to_the_person(lang, title, header):
    sheet = make_sheet(lines=FORWARDED, forwarding=True)
    [text] = page_texts(render_delivery_sheet(sheet, lang))
    assert title in text and f"{header} CAAL" in text
    assert "CAAL Bernardo Caal Xol 4 11 15 " in text  # postcards, letters to the person, total
    assert "RUNG Panusaya « Rung » Sithijirawattanakul 0 3 3 " in text
    assert re.search(r"TOTAA?L 4 14 18\b", text)
    for word in ("Pétitions", "Petitions", "Petities", "Signatures", "Handtekeningen"):
        assert word not in text


def test_no_paper_hides_a_piece_of_a_kind_it_cannot_show():
    with pytest.raises(ValueError, match="embassy's delivery sheet cannot list letters to the person"):
        make_sheet(lines=(*LINES, FORWARDED[1]))
    with pytest.raises(ValueError, match="forwarding manifest cannot list letters to the authority"):
        make_sheet(lines=(*FORWARDED, LINES[1]), forwarding=True)


def test_an_embassy_sheet_never_shows_letters_to_the_person():
    for lang in ("fr", "en", "nl"):
        [text] = page_texts(render_delivery_sheet(make_sheet(), lang))
        for word in ("à la personne", "to the person", "Solidariteit"):
            assert word not in text


# ------------------------------------------------------------------ codes on every page

def page_codes(pdf: bytes, dpi: int = 150) -> list[list[str]]:
    return [[c.text for c in zxingcpp.read_barcodes(np.asarray(page.convert("L")))]
            for page in rasterise_pdf(pdf, dpi)]


def test_bundle_code_on_page_one_appendix_code_on_every_further_page():
    sheet = make_sheet(items=1500)
    pdf = render_delivery_sheet(sheet, "fr")
    codes = page_codes(pdf)
    texts = page_texts(pdf)
    assert len(codes) >= 4
    assert codes[0] == [sheet.bundle_code]
    for number, found in enumerate(codes[1:], start=2):
        assert found == [sheet.appendix_code], f"page {number}"
        payload = parse_payload(found[0], "MDL2021", KEY)
        assert payload.kind is PayloadKind.APPENDIX and payload.serial == 12
        # A loose further page still names its bundle.
        assert "Bordereau de remise · Liasse n° 12 · embassy:GT" in texts[number - 1]
    everything = " ".join(texts)
    assert sorted(re.findall(r"MDL2021-\d{6}", everything)) == sorted(sheet.item_ids)


def test_qr_corners_are_where_the_page_prints_them():
    sheet = make_sheet()
    dpi = 300
    [page] = rasterise_pdf(render_delivery_sheet(sheet), dpi)
    [found] = zxingcpp.read_barcodes(np.asarray(page.convert("L")))
    p = found.position
    seen = np.array([(q.x, q.y) for q in (p.top_left, p.top_right, p.bottom_right,
                                          p.bottom_left)], dtype=float)
    expected = np.array(sheets.bundle_qr_corners_mm(sheet.bundle_code)) * dpi / 25.4
    assert np.abs(seen - expected).max() < 3.0  # px at 300 dpi: a quarter of a millimetre


# ------------------------------------------------------------------ the receipt box

def label_boxes(pdf: bytes, word: str) -> list[tuple[float, float]]:
    """(x, y) in mm from the top-left of each page-1 occurrence of `word`'s first letter."""
    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    height_pt = page.get_height()
    textpage = page.get_textpage()
    searcher = textpage.search(word, match_case=True, match_whole_word=True)
    found = []
    while (hit := searcher.get_next()) is not None:
        left, _bottom, _right, top = textpage.get_charbox(hit[0])
        found.append((round(left / 72 * 25.4, 2), round((height_pt - top) / 72 * 25.4, 2)))
    return found


def test_receipt_box_stays_put_whatever_the_table_length():
    one_line = render_delivery_sheet(make_sheet(lines=LINES[:1], items=3), "fr")
    twelve = tuple(SheetLine(f"C{i}", f"Person {i}", i, 1, 2, 3 * i) for i in range(12))
    twelve_lines = render_delivery_sheet(make_sheet(lines=twelve, items=3), "fr")
    positions = [label_boxes(pdf, "Cachet") for pdf in (one_line, twelve_lines)]
    assert positions[0] == positions[1] and len(positions[0]) == 1
    x, y = positions[0][0]
    assert sheets.STAMP_CELL.x < x < sheets.STAMP_CELL.x + 3
    assert sheets.STAMP_CELL.y < y < sheets.STAMP_CELL.y + sheets.CELL_LABEL_MM
    # The four corner marks print solid black where the constants say.
    for pdf in (one_line, twelve_lines):
        page = np.asarray(rasterise_pdf(pdf, 100)[0].convert("L"))
        for mark in sheets.RECEIPT_MARKS:
            left, top, right, bottom = mark.inset(0.6).px(100)
            assert page[top:bottom, left:right].max() < 60


def test_a_long_table_continues_on_page_two_with_its_header_and_the_box_stays():
    lines = tuple(SheetLine(f"C{i}", f"Person {i}", i, 1, 2, 3 * i) for i in range(1, 31))
    pdf = render_delivery_sheet(make_sheet(lines=lines, items=20), "fr")
    texts = page_texts(pdf)
    assert len(texts) == 2
    header = "Cas Personne Lettres Cartes Pétitions Signatures"
    assert header in texts[0] and header in texts[1]
    assert "Signature Cachet" in texts[0] and "Cachet" not in texts[1]
    assert "C1 Person 1 1 1 2 3" in texts[0] and "C30 Person 30 30 1 2 90" in texts[1]
    assert "TOTAL 465 30 60 1395" in texts[1]
    assert label_boxes(pdf, "Cachet") == label_boxes(render_delivery_sheet(make_sheet(), "fr"),
                                                     "Cachet")
    # Nothing of the table runs into the box: every table line is above it.
    assert texts[0].index("Accusé de réception") > texts[0].rindex("Person")
