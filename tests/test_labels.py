"""The bundle label: A6, a large QR that decodes, every word and count as extractable text."""

from __future__ import annotations

import datetime
from dataclasses import replace

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp

from scanpipe.domain import i18n
from scanpipe.domain.payload import PayloadKind, bundle_payload, encode_payload, parse_payload
from scanpipe.paper import labels, render
from scanpipe.paper.labels import BundleLabel, render_bundle_label
from scanpipe.paper.sheets import Paper
from scanpipe.simulate.scansim import rasterise_pdf

KEY = b"scanpipe:MDL2021"
CODE = encode_payload(bundle_payload("MDL2021", 12), KEY)
LABEL = BundleLabel(
    campaign_name="Marathon des lettres 2021", bundle_ref="12", bundle_code=CODE,
    recipient_name="Ambassade de la République du Guatemala", letters=123, postcards=4,
    petitions=17, signatures=212, issued_on=datetime.date(2022, 1, 20))
ODD_NAME = ("Посольство Республики Беларусь · Πρεσβεία της Ελληνικής Δημοκρατίας · "
            "Đại sứ quán Nguyễn Thị Ánh · İçişleri Bakanlığı · Ambasáid na hÉireann · "
            "Sheikha Fatima bint Mubarak Al-Ketbi Foundation for Women's Rights ") * 3


def text_of(pdf: bytes) -> str:
    page = pdfium.PdfDocument(pdf)[0]
    return " ".join(page.get_textpage().get_text_range().split())


def char_boxes_mm(pdf: bytes) -> np.ndarray:
    """(left, bottom, right, top) in mm of every printed character of page 1."""
    page = pdfium.PdfDocument(pdf)[0]
    textpage = page.get_textpage()
    boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
    return np.array([b for b in boxes if b[2] > b[0]]) / 72 * 25.4


def test_a6_portrait_page():
    doc = pdfium.PdfDocument(render_bundle_label(LABEL))
    assert len(doc) == 1
    w, h = doc[0].get_size()
    assert w / 72 * 25.4 == pytest.approx(105, abs=0.1)
    assert h / 72 * 25.4 == pytest.approx(148, abs=0.1)


def test_large_qr_decodes_to_the_bundle_code():
    dpi = 150
    [page] = rasterise_pdf(render_bundle_label(LABEL), dpi)
    [found] = zxingcpp.read_barcodes(np.asarray(page.convert("L")))
    payload = parse_payload(found.text, "MDL2021", KEY)
    assert payload.kind is PayloadKind.BUNDLE and payload.serial == 12
    p = found.position
    side_mm = np.hypot(p.top_right.x - p.top_left.x, p.top_right.y - p.top_left.y) / dpi * 25.4
    module_mm = side_mm / len(render.qr_matrix(CODE))
    assert side_mm >= 40  # a hand scanner reads it from across a desk
    assert module_mm >= 0.6 and module_mm == pytest.approx(labels.qr_module_mm(CODE), abs=0.05)


@pytest.mark.parametrize("lang, words", [
    ("fr", ["Liasse à remettre", "Liasse n° 12", "Destinataire", "Lettres 123",
            "Cartes 4", "Feuilles de pétition 17", "Signatures 212",
            "Campagne : Marathon des lettres 2021", "Date : 20 janvier 2022"]),
    ("en", ["Bundle to deliver", "Bundle no. 12", "Recipient", "Letters 123",
            "Postcards 4", "Petition sheets 17", "Signatures 212", "20 January 2022"]),
    ("nl", ["Af te geven bundel", "Bundel nr. 12", "Ontvanger", "Brieven 123",
            "Kaarten 4", "Petitiebladen 17", "Handtekeningen 212", "20 januari 2022"]),
])
def test_every_word_and_count_is_text(lang, words):
    text = text_of(render_bundle_label(LABEL, lang))
    assert "Ambassade de la République du Guatemala" in text
    for word in words:
        assert word in text


def test_nothing_internal_travels_on_the_label():
    """The label goes with the bundle: no destination code, no campaign code, no QR text."""
    for lang in ("fr", "en", "nl"):
        text = text_of(render_bundle_label(LABEL, lang))
        assert "embassy:" not in text and "MDL2021" not in text and "SP1" not in text


def test_uncounted_signatures_print_a_dash():
    text = text_of(render_bundle_label(replace(LABEL, signatures=None), "fr"))
    assert "Signatures —" in text
    assert "Signatures 0" not in text


@pytest.mark.parametrize("lang, words", [
    ("fr", ["Cartes et lettres à transmettre", "Cartes 4", "Lettres de solidarité 7"]),
    ("en", ["Postcards and letters to forward", "Postcards 4", "Letters of solidarity 7"]),
    ("nl", ["Door te sturen kaarten en brieven", "Kaarten 4", "Solidariteitsbrieven 7"]),
])
def test_forwarding_label_counts_postcards_and_letters_to_the_person(lang, words):
    label = replace(LABEL, paper=Paper.FORWARDING, recipient_name="Famille Caal Xol", letters=0,
                    petitions=0, signatures=None, solidarity_letters=7)
    text = text_of(render_bundle_label(label, lang))
    for word in words:
        assert word in text
    for word in ("Pétition", "Petition", "Petiti", "Signatures", "Handtekeningen", "—"):
        assert word not in text
    cover = text_of(render_bundle_label(replace(label, paper=Paper.COVER), lang))
    assert i18n.text("label.cover", lang) in cover and words[0] not in cover


def test_a_label_never_hides_a_piece_of_a_kind_it_cannot_count():
    with pytest.raises(ValueError, match="letters to the person"):
        replace(LABEL, solidarity_letters=1)  # an embassy's label
    with pytest.raises(ValueError, match="letters to the authority"):
        replace(LABEL, paper=Paper.FORWARDING, petitions=0)


@pytest.mark.parametrize("name", [ODD_NAME, "X" * 300, "Ñ", "Ṁáŕŷ-Ǻñńé Ŏ’Ŝȕľłïvăņ"])
def test_any_recipient_name_fits_on_the_label(name):
    label = replace(LABEL, recipient_name=name, bundle_ref="123456789",
                    campaign_name="Marathon des lettres pour les droits humains " * 4)
    pdf = render_bundle_label(label, "fr")
    boxes = char_boxes_mm(pdf)
    # Clear of a label printer's unprintable edge (3 mm), let alone the page's.
    assert boxes[:, 0].min() >= 3 and boxes[:, 2].max() <= 105 - 3
    assert boxes[:, 1].min() >= 3 and boxes[:, 3].max() <= 148 - 3
    text = text_of(pdf)
    assert name.split()[0][:20] in text
    assert "Liasse n° 123456789" in text and "Cartes 4" in text
    # The QR stays readable whatever the text around it.
    [page] = rasterise_pdf(pdf, 150)
    assert [c.text for c in zxingcpp.read_barcodes(np.asarray(page.convert("L")))] == [CODE]


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="fr, en, nl"):
        render_bundle_label(LABEL, "de")
