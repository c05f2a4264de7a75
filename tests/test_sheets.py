"""The recipient's paper of a bundle (an embassy's delivery sheet, a forwarding manifest, a
cover list) and the office's copy: counts, totals and words are extractable text in fr, en
and nl, plurals agree, the codes decode, the receipt box never moves."""

from __future__ import annotations

import datetime
import re
from dataclasses import replace

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp

from scanpipe.domain import i18n
from scanpipe.domain.payload import (
    PayloadKind,
    appendix_payload,
    bundle_payload,
    encode_payload,
    parse_payload,
)
from scanpipe.paper import sheets
from scanpipe.paper.office_copy import OfficeCopy, id_ranges, render_office_copy
from scanpipe.paper.sheets import DeliverySheet, Paper, SheetLine, render_delivery_sheet
from scanpipe.simulate.scansim import rasterise_pdf

KEY = b"scanpipe:MDL2021"
LINES = (
    SheetLine("CAAL", "Bernardo Caal Xol", "Guatemala", letters=123, postcards=4, petitions=17,
              signatures=212),
    SheetLine("RUNG", "Panusaya « Rung » Sithijirawattanakul", "Thaïlande", letters=9,
              postcards=0, petitions=1, signatures=14),
)
FORWARDED = (
    SheetLine("CAAL", "Bernardo Caal Xol", "Guatemala", letters=0, postcards=4, petitions=0,
              signatures=None, solidarity_letters=11),
    SheetLine("RUNG", "Panusaya « Rung » Sithijirawattanakul", "Thaïlande", letters=0,
              postcards=0, petitions=0, signatures=None, solidarity_letters=3),
)
LANGS = ("fr", "en", "nl")


def make_sheet(lines=LINES, bundle: int = 12, paper=Paper.EMBASSY, **extra) -> DeliverySheet:
    extra.setdefault("recipient_name", "Ambassade de la République du Guatemala")
    extra.setdefault("recipient_address", "Boulevard Général Wahis 53\n1030 Schaerbeek")
    return DeliverySheet(
        paper=paper, campaign_name="Marathon des lettres 2021",
        office="Amnesty International Belgique francophone",
        issued_on=datetime.date(2022, 1, 20), lines=lines, bundle_ref=str(bundle),
        bundle_code=encode_payload(bundle_payload("MDL2021", bundle), KEY),
        appendix_code=encode_payload(appendix_payload("MDL2021", bundle), KEY), **extra)


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space collapsed to one space."""
    doc = pdfium.PdfDocument(pdf)
    return [" ".join(page.get_textpage().get_text_range().split()) for page in doc]


def page_codes(pdf: bytes, dpi: int = 150) -> list[list[str]]:
    return [[c.text for c in zxingcpp.read_barcodes(np.asarray(page.convert("L")))]
            for page in rasterise_pdf(pdf, dpi)]


# ------------------------------------------------------------------ the embassy's sheet

@pytest.mark.parametrize("lang, words", [
    ("fr", ["Bordereau de remise", "Liasse n° 12", "Date : 20 janvier 2022", "Destinataire",
            "Campagne : Marathon des lettres 2021",
            "Personne Pays Lettres Cartes Feuilles de pétition Signatures",
            "Au total : 132 lettres, 4 cartes, 18 feuilles de pétition, 226 signatures.",
            "Remis par (nom) : Signature :", "Reçu par (nom) : Date :", "Signature Cachet"]),
    ("en", ["Delivery sheet", "Bundle no. 12", "Date: 20 January 2022", "Recipient",
            "Person Country Letters Postcards Petition sheets Signatures",
            "In all: 132 letters, 4 postcards, 18 petition sheets, 226 signatures.",
            "Handed over by (name): Signature:", "Received by (name): Date:", "Signature Stamp"]),
    ("nl", ["Afgifteborderel", "Bundel nr. 12", "Datum: 20 januari 2022", "Ontvanger",
            "Persoon Land Brieven Kaarten Petitiebladen Handtekeningen",
            "In totaal: 132 brieven, 4 kaarten, 18 petitiebladen, 226 handtekeningen.",
            "Overhandigd door (naam): Handtekening:", "Ontvangen door (naam): Datum:",
            "Handtekening Stempel"]),
])
def test_the_embassy_sheet_in_each_language(lang, words):
    [text] = page_texts(render_delivery_sheet(make_sheet(), lang))
    for word in words:
        assert word in text
    assert "Ambassade de la République du Guatemala" in text
    assert "Boulevard Général Wahis 53" in text and "1030 Schaerbeek" in text
    assert "Bernardo Caal Xol Guatemala 123 4 17 212" in text
    assert "Panusaya « Rung » Sithijirawattanakul Thaïlande 9 0 1 14" in text
    assert re.search(r"TOTAA?L 132 4 18 226", text)
    # The case codes are the office's: people and countries only.
    assert not re.search(r"\b(CAAL|RUNG)\b", text)


@pytest.mark.parametrize("lang, one, two", [
    ("fr", "Au total : 1 lettre, 0 carte, 1 feuille de pétition, 1 signature.",
     "Au total : 2 lettres, 2 cartes, 2 feuilles de pétition, 2 signatures."),
    ("en", "In all: 1 letter, 0 postcards, 1 petition sheet, 1 signature.",
     "In all: 2 letters, 2 postcards, 2 petition sheets, 2 signatures."),
    ("nl", "In totaal: 1 brief, 0 kaarten, 1 petitieblad, 1 handtekening.",
     "In totaal: 2 brieven, 2 kaarten, 2 petitiebladen, 2 handtekeningen."),
])
def test_counts_agree_with_their_nouns(lang, one, two):
    single = (SheetLine("CAAL", "Bernardo Caal Xol", "Guatemala", 1, 0, 1, 1),)
    double = (SheetLine("CAAL", "Bernardo Caal Xol", "Guatemala", 2, 2, 2, 2),)
    assert one in page_texts(render_delivery_sheet(make_sheet(lines=single), lang))[0]
    assert two in page_texts(render_delivery_sheet(make_sheet(lines=double), lang))[0]


def test_every_counted_wording_has_every_language_and_agrees():
    for key in i18n.plural_keys():
        for lang in i18n.LANGUAGES:
            one, many = (i18n.counted(key, n, lang, deadline="D") for n in (1, 2))
            assert one.startswith("1 ") and many.startswith("2 ") and one[2:] != many[2:]
    assert i18n.counted("letter", 0, "fr") == "0 lettre"  # French: 0 takes the singular
    assert i18n.counted("letter", 0, "en") == "0 letters"
    with pytest.raises(ValueError, match="fr, en, nl"):
        i18n.counted("letter", 1, "de")


def test_uncounted_signatures_print_as_a_dash_never_as_zero():
    lines = (LINES[0], SheetLine("ZHANG", "Zhang Zhan", "Chine", letters=3, postcards=0,
                                 petitions=2, signatures=None))
    [text] = page_texts(render_delivery_sheet(make_sheet(lines=lines), "fr"))
    assert "Zhang Zhan Chine 3 0 2 —" in text
    assert "TOTAL 126 4 19 —" in text
    assert "19 feuilles de pétition, signatures non comptées." in text


def test_a_handers_name_is_printed_on_its_line():
    [text] = page_texts(render_delivery_sheet(make_sheet(handed_by="Alice Martin"), "fr"))
    assert "Remis par (nom) : Alice Martin Signature :" in text


def test_five_thousand_letters_over_ten_cases_fit_on_one_page():
    lines = tuple(SheetLine(f"C{i}", f"Personne numéro {i}", "Guatemala", 500, 0, 3, 40)
                  for i in range(10))
    texts = page_texts(render_delivery_sheet(make_sheet(lines=lines), "fr"))
    assert len(texts) == 1  # a summary per case, however many pieces (the issue: at most 2)
    assert "TOTAL 5000 0 30 400" in texts[0]


def test_the_bundle_qr_is_the_only_code_and_its_text_is_not_printed():
    sheet = make_sheet()
    for lang in LANGS:
        pdf = render_delivery_sheet(sheet, lang)
        [codes] = page_codes(pdf)
        assert codes == [sheet.bundle_code]
        payload = parse_payload(codes[0], "MDL2021", KEY)
        assert payload.kind is PayloadKind.BUNDLE and payload.serial == 12
        text = page_texts(pdf)[0]
        assert sheet.bundle_code not in text and "SP1" not in text
        assert codes[0].rsplit(":", 1)[-1] not in text  # nor its check


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="fr, en, nl"):
        render_delivery_sheet(make_sheet(), "es")


def test_a_long_table_continues_on_page_two_with_its_header_and_the_appendix_code():
    lines = tuple(SheetLine(f"C{i}", f"Person {i}", "Pays", i, 1, 2, 3 * i) for i in range(1, 31))
    sheet = make_sheet(lines=lines)
    pdf = render_delivery_sheet(sheet, "fr")
    texts = page_texts(pdf)
    assert len(texts) == 2
    header = "Personne Pays Lettres Cartes Feuilles de pétition Signatures"
    assert header in texts[0] and header in texts[1]
    assert "Signature Cachet" in texts[0] and "Cachet" not in texts[1]
    assert "Person 1 Pays 1 1 2 3" in texts[0] and "Person 30 Pays 30 1 2 90" in texts[1]
    assert "TOTAL 465 30 60 1395" in texts[1]
    # A loose second page still says whose bundle it is, and is recognised as such.
    assert "Bordereau de remise · Liasse n° 12 · Ambassade de la République du Guatemala" in texts[1]
    assert page_codes(pdf) == [[sheet.bundle_code], [sheet.appendix_code]]
    # Nothing of the table runs into the box: every table line is above it.
    assert texts[0].index("Remis par") > texts[0].rindex("Person")


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
    one_line = render_delivery_sheet(make_sheet(lines=LINES[:1]), "fr")
    twelve = tuple(SheetLine(f"C{i}", f"Person {i}", "Pays", i, 1, 2, 3 * i) for i in range(12))
    twelve_lines = render_delivery_sheet(make_sheet(lines=twelve), "fr")
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


# ------------------------------------------------------------------ manifests and cover lists

@pytest.mark.parametrize("lang, title, header, in_all", [
    ("fr", "Bordereau de transmission", "Personne Pays Cartes Lettres de solidarité Total",
     "Au total : 4 cartes, 14 lettres de solidarité."),
    ("en", "Forwarding sheet", "Person Country Postcards Letters of solidarity Total",
     "In all: 4 postcards, 14 letters of solidarity."),
    ("nl", "Doorzendborderel", "Persoon Land Kaarten Solidariteitsbrieven Totaal",
     "In totaal: 4 kaarten, 14 solidariteitsbrieven."),
])
def test_a_forwarding_manifest_lists_postcards_and_letters_for_who_forwards_them(
        lang, title, header, in_all):
    sheet = make_sheet(lines=FORWARDED, paper=Paper.FORWARDING,
                       recipient_name="Amnesty International, Secrétariat international")
    pdf = render_delivery_sheet(sheet, lang)
    [text] = page_texts(pdf)
    assert title in text and header in text and in_all in text
    assert "Bernardo Caal Xol Guatemala 4 11 15" in text
    assert re.search(r"TOTAA?L 4 14 18\b", text)
    assert i18n.text("sheet.intro_forwarding", lang, name="Marathon des lettres 2021") in text
    assert i18n.text("sheet.receipt", lang) in text  # the forwarder acknowledges receipt
    assert page_codes(pdf) == [[sheet.bundle_code]]
    for word in ("Pétition", "Petition", "Petiti", "Signatures", "Handtekeningen"):
        assert word not in text.replace(i18n.text("sheet.signature", lang), "")


@pytest.mark.parametrize("lang", LANGS)
def test_a_cover_list_names_no_addressee_and_asks_no_one_to_sign(lang):
    sheet = make_sheet(lines=FORWARDED[:1], paper=Paper.COVER, recipient_name="Bernardo Caal Xol",
                       recipient_address="Prison de Cobán")
    pdf = render_delivery_sheet(sheet, lang)
    [text] = page_texts(pdf)
    assert i18n.text("sheet.title_cover", lang) in text
    assert "Bernardo Caal Xol Guatemala 4 11 15" in text  # the cards are for him, listed
    for key in ("sheet.recipient", "sheet.receipt", "sheet.received_by", "sheet.signature",
                "sheet.stamp", "sheet.handed_by"):
        assert i18n.text(key, lang) not in text
    assert "Prison de Cobán" not in text
    assert page_codes(pdf) == [[]]  # nothing to scan back


def test_no_paper_hides_a_piece_of_a_kind_it_cannot_show():
    with pytest.raises(ValueError, match="embassy's delivery sheet cannot list letters to the person"):
        make_sheet(lines=(*LINES, FORWARDED[1]))
    for paper in (Paper.FORWARDING, Paper.COVER):
        with pytest.raises(ValueError, match="cannot list letters to the authority"):
            make_sheet(lines=(*FORWARDED, LINES[1]), paper=paper)


# ------------------------------------------------------------------ the office's copy

def office_copy(ids, late=(), **extra) -> OfficeCopy:
    fields = dict(paper=Paper.EMBASSY, campaign_id="MDL2021",
                  campaign_name="Marathon des lettres 2021", bundle_ref="12",
                  destination="embassy:GT", recipient_name="Ambassade du Guatemala",
                  issued_on=datetime.date(2022, 1, 20), closed_on=datetime.date(2022, 1, 19),
                  closed_by="Cora Coordinatrice", state="prepared", lines=LINES,
                  pieces=len(ids), items=id_ranges(ids, lambda i: f"{i:07d}"),
                  late=tuple(f"{i:07d}" for i in late), deadline=datetime.date(2022, 1, 11))
    fields.update(extra)
    return OfficeCopy(**fields)


def listed_ids(text: str) -> list[int]:
    """Every id an office copy lists, its ranges expanded."""
    found = []
    for first, last in re.findall(r"\b(\d{7})(?:–(\d{7}))?\b", text):
        found += range(int(first), int(last or first) + 1)
    return found


def test_id_ranges_join_runs_of_three_or_more():
    ref = lambda i: f"{i:07d}"  # noqa: E731
    assert id_ranges([7, 1, 2, 3, 5, 6, 9, 11, 12], ref) == (
        "0000001–0000003", "0000005–0000007", "0000009", "0000011", "0000012")
    assert id_ranges([], ref) == ()


@pytest.mark.parametrize("lang, words", [
    ("fr", ["Copie du bureau — Liasse n° 12", "Document interne", "Destination : embassy:GT",
            "Fermée le 19 janvier 2022 par Cora Coordinatrice", "État : préparée",
            "Envoi : pas encore",
            "Cas Personne Lettres Lettres à la personne Cartes Feuilles de pétition Signatures",
            "3 pièces arrivées après la date limite du 11 janvier 2022 :",
            "5300 pièces dans la liasse :"]),
    ("en", ["Office copy — Bundle no. 12", "Internal document", "Destination: embassy:GT",
            "Closed on 19 January 2022 by Cora Coordinatrice", "State: prepared",
            "Dispatch: not yet",
            "Case Person Letters Letters to the person Postcards Petition sheets Signatures",
            "3 pieces arrived after the deadline of 11 January 2022:",
            "5300 pieces in the bundle:"]),
    ("nl", ["Kopie voor het kantoor — Bundel nr. 12", "Intern document",
            "Bestemming: embassy:GT", "Gesloten op 19 januari 2022 door Cora Coordinatrice",
            "Verzending: nog niet",
            "Zaak Persoon Brieven Solidariteitsbrieven Kaarten Petitiebladen Handtekeningen",
            "3 stukken aangekomen na de uiterste datum van 11 januari 2022:",
            "5300 stukken in de bundel:"]),
])
def test_the_office_copy_lists_every_id_and_the_late_ones(lang, words):
    rng = np.random.default_rng(5)
    ids = sorted(int(i) for i in rng.choice(np.arange(1, 20000), 5300, replace=False))
    late = ids[-3:]
    texts = page_texts(render_office_copy(office_copy(ids, late), lang))
    everything = " ".join(texts)
    for word in words:
        assert word in everything
    assert "CAAL Bernardo Caal Xol 123 0 4 17 212" in texts[0]
    listed = listed_ids(everything)
    # Every id once in the list of pieces, the late ones once more in their own list.
    assert sorted(listed) == sorted(ids + late)
    assert len(texts) < 30  # compact: not one id a line
    for number, text in enumerate(texts, start=1):
        assert f"{number} / {len(texts)}" in text


def test_the_office_copy_says_how_it_left_and_who_received_it():
    dispatched = office_copy([1, 2, 3], state="delivered", method="post",
                             tracking="RR123456785BE", received_by="J. Pérez",
                             received_on=datetime.date(2022, 1, 25))
    text = " ".join(page_texts(render_office_copy(dispatched, "fr")))
    assert "Envoi : par la poste, suivi RR123456785BE" in text
    assert "Reçue par J. Pérez le 25 janvier 2022" in text and "État : remise" in text
    assert "Aucune pièce arrivée après la date limite du 11 janvier 2022." in text
    assert "3 pièces dans la liasse : 0000001–0000003" in text
    scanned = replace(dispatched, received_by=None, receipt_item="0000042", method="hand")
    text = " ".join(page_texts(render_office_copy(scanned, "en")))
    assert "Dispatch: by hand" in text
    assert "Received on 25 January 2022: signed sheet scanned (item 0000042)" in text
    one = " ".join(page_texts(render_office_copy(office_copy([4], late=[4]), "fr")))
    assert "1 pièce arrivée après la date limite" in one and "1 pièce dans la liasse" in one


@pytest.mark.parametrize("lang", LANGS)
def test_no_printed_label_runs_into_the_line_written_on(lang):
    pdf = render_delivery_sheet(make_sheet(), lang)
    textpage = pdfium.PdfDocument(pdf)[0].get_textpage()
    for key, field in (("sheet.handed_by", sheets.HANDER_FIELD),
                       ("sheet.handed_signature", sheets.HANDER_SIGNATURE_FIELD),
                       ("sheet.received_by", sheets.RECEIVER_FIELD),
                       ("sheet.received_on", sheets.DATE_FIELD)):
        label = i18n.text(key, lang)
        searcher = textpage.search(label, match_case=True)
        hits = []
        while (hit := searcher.get_next()) is not None:
            hits.append(hit)
        # The hit on this line (the header's "Date :" is elsewhere): it ends before the field.
        on_line = [textpage.get_charbox(start + length - 1) for start, length in hits
                   if field.y - 2 < (297 / 25.4 * 72 - textpage.get_charbox(start)[3]) / 72 * 25.4
                   < field.bottom]
        assert len(on_line) == 1, (key, hits)
        assert on_line[0][2] / 72 * 25.4 < field.x, key
