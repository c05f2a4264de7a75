"""The delivery sheet: counts, totals and item ids are printed as extractable text."""

from __future__ import annotations

import datetime
import re

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp

from scanpipe.payload import PayloadKind, bundle_payload, encode_payload, parse_payload
from scanpipe.scansim import rasterise_pdf
from scanpipe.sheets import DeliverySheet, SheetLine, render_delivery_sheet

KEY = b"scanpipe:MDL2021"
LINES = (
    SheetLine("CAAL", "Bernardo Caal Xol", letters=123, postcards=4, petitions=17, signatures=212),
    SheetLine("RUNG", "Panusaya « Rung » Sithijirawattanakul", letters=9, postcards=0,
              petitions=1, signatures=14),
)


def make_sheet(lines=LINES, items: int = 5, bundle: int | None = 12) -> DeliverySheet:
    return DeliverySheet(
        campaign_id="MDL2021", campaign_name="Marathon des lettres 2021",
        office="Amnesty International Belgique francophone", destination="embassy:GT",
        recipient_name="Ambassade de la République du Guatemala",
        recipient_address="Boulevard Général Wahis 53\n1030 Schaerbeek",
        issued_on=datetime.date(2022, 1, 20), lines=lines,
        item_ids=tuple(f"MDL2021-{i:06d}" for i in range(1, items + 1)),
        bundle_code=encode_payload(bundle_payload("MDL2021", bundle), KEY) if bundle else None)


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
