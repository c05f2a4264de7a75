"""Routing: one unambiguous valid case code routes; everything else goes to review with reasons."""

import io

import numpy as np
import pytest
from conftest import case_code, kit_code, page_with_codes
from PIL import Image

from scanpipe.domain.found import Reader
from scanpipe.domain.payload import Payload, PayloadKind, encode_payload
from scanpipe.reading.codes import read_codes, read_with_zbar
from scanpipe.reading.pipeline import process_file


def _decide(campaign, *codes, **kw):
    results = process_file(page_with_codes(*codes, **kw), campaign)
    assert len(results) == 1
    return results[0].decision


def test_letter_routes_to_the_embassy(campaign):
    d = _decide(campaign, (case_code(campaign, PayloadKind.LETTER, "JANNA"), 1300, 100))
    assert (d.kind.value, d.case, d.destination, d.status.value, d.method.value) == \
        ("letter", "JANNA", "embassy:IL", "routed", "qr")
    assert d.confidence == 1.0 and d.reasons == ["ROUTED_BY_QR"]


@pytest.mark.parametrize("kind,case,kind_name,destination", [
    (PayloadKind.POSTCARD, "WENDY", "postcard", "person:WENDY"),
    (PayloadKind.POSTCARD, "BAKER", "postcard", "relatives:BAKER"),
    (PayloadKind.POSTCARD, "ZHANG", "postcard", "partner:AIIS"),
    (PayloadKind.PETITION, "RUNG", "petition", "embassy:TH"),
])
def test_kinds_and_destinations(campaign, kind, case, kind_name, destination):
    d = _decide(campaign, (case_code(campaign, kind, case), 200, 200))
    assert (d.kind.value, d.case, d.destination) == (kind_name, case, destination)


def test_kit_envelope(campaign):
    d = _decide(campaign, (kit_code(campaign, 42), 100, 100))
    assert d.kind.value == "kit_envelope" and d.kit_serial == 42 and d.status.value == "routed"
    assert d.destination is None and d.case is None


def test_foreign_code_alone_goes_to_review(campaign):
    d = _decide(campaign, ("https://www.amnesty.be/marathon", 100, 100))
    # The page is still read, for the reviewer; here it carries no printed text.
    assert d.status.value == "review" and d.case is None
    assert d.reasons == ["FOREIGN_CODE", "OCR_NO_TEXT"]


def test_foreign_code_beside_a_case_code_does_not_stop_routing(campaign):
    d = _decide(campaign, ("https://www.amnesty.be/marathon", 100, 100),
                (case_code(campaign, PayloadKind.POSTCARD, "CAAL"), 1000, 1500))
    assert d.status.value == "routed" and d.case == "CAAL"
    assert d.reasons == ["ROUTED_BY_QR", "FOREIGN_CODE"]


def test_one_wrong_character_is_never_routed(campaign):
    good = case_code(campaign, PayloadKind.LETTER, "CAAL")
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    d = _decide(campaign, (bad, 1300, 100))
    assert d.status.value == "review" and d.case is None and "BAD_CHECK" in d.reasons


def test_two_different_cases_on_one_page_go_to_review(campaign):
    d = _decide(campaign, (case_code(campaign, PayloadKind.LETTER, "CAAL"), 100, 100),
                (case_code(campaign, PayloadKind.LETTER, "ZHANG"), 1000, 1500))
    assert d.status.value == "review" and d.reasons[0] == "CONFLICTING_CODES"
    # The reviewer is offered both cases the codes name.
    assert {c.case for c in d.candidates} == {"CAAL", "ZHANG"}


def test_a_damaged_code_beside_a_valid_one_goes_to_review(campaign):
    good = case_code(campaign, PayloadKind.LETTER, "CAAL")
    d = _decide(campaign, (good, 100, 100), (good[:-2] + "00", 1000, 1500))
    assert d.status.value == "review" and "BAD_CHECK" in d.reasons


def test_unknown_case_and_other_campaign(campaign):
    unknown = encode_payload(Payload(PayloadKind.LETTER, campaign.id, "NOBODY"), campaign.check_key)
    other = encode_payload(Payload(PayloadKind.LETTER, "MDL2020", "CAAL"), b"scanpipe:MDL2020")
    assert _decide(campaign, (unknown, 100, 100)).reasons[0] == "UNKNOWN_CASE"
    assert _decide(campaign, (other, 100, 100)).reasons[0] == "WRONG_CAMPAIGN"


def test_blank_page_is_dropped_with_its_reason(campaign):
    d = _decide(campaign)
    assert d.status.value == "rejected" and d.reasons == ["BLANK_PAGE"]


def test_unreadable_file_is_rejected_with_reason(campaign):
    [result] = process_file(b"\x89PNG\r\n\x1a\n broken", campaign)
    assert result.decision.status.value == "rejected"
    assert result.decision.reasons == ["UNREADABLE_FILE"]


def test_positions_are_in_pixels_of_the_page(campaign):
    text = case_code(campaign, PayloadKind.LETTER, "CAAL")
    pixels = np.asarray(Image.open(io.BytesIO(page_with_codes((text, 1300, 100), scale=5))))
    [code] = read_codes(pixels)
    # segno draws a 4-module quiet zone; the symbol starts 4 modules × 5 px after the paste point.
    xs = [x for x, _ in code.position]
    ys = [y for _, y in code.position]
    assert abs(min(xs) - 1320) <= 3 and abs(min(ys) - 120) <= 3
    assert code.reader is Reader.ZXING and code.format == "QRCode"


def test_zbar_reader_gives_the_same_code(campaign):
    text = case_code(campaign, PayloadKind.PETITION, "MIKITA")
    pixels = np.asarray(Image.open(io.BytesIO(page_with_codes((text, 300, 300)))))
    [code] = read_with_zbar(np.ascontiguousarray(pixels), "zbar")
    assert code.text == text and code.format == "QRCode" and code.reader is Reader.ZBAR
    assert len(code.position) == 4
