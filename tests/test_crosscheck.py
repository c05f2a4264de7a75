"""The template cross-check: a kit sheet looks like its own case's template and like no other's.

Letter and petition sheets of a few cases are scanned (handwriting, skew, JPEG) with their own
case code; each is compared with the template of every case of the campaign, as a kit mix-up
(another case's code on this sheet) would make the pipeline do.
"""

from __future__ import annotations

import functools
import io

import numpy as np
import pytest
from PIL import Image

from scanpipe.domain.campaign import Campaign
from scanpipe.domain.payload import PayloadKind
from scanpipe.paper import kits
from scanpipe.reading import crosscheck
from scanpipe.reading.codes import scan_codes
from scanpipe.simulate import scansim

KINDS = {PayloadKind.LETTER: kits.render_letter_sheet, PayloadKind.PETITION: kits.render_petition}


@functools.cache
def _scan(campaign: Campaign, kind: PayloadKind, case_code: str, dpi: int, seed: int):
    case = campaign.case(case_code)
    sheet = scansim.rasterise_pdf(KINDS[kind](campaign, case), dpi)[0]
    written = {}
    if kind is PayloadKind.LETTER:
        lay = kits.LETTER_LAYOUT
        written = dict(writing_box_px=lay.writing_box.px(dpi), line_pitch_px=lay.line_pitch_mm * dpi / 25.4)
    else:
        written = dict(signature_boxes_px=[r.signature.px(dpi) for r in kits.petition_rows()[:4]])
    scan = scansim.scan_image(sheet, seed=seed, dpi=dpi, quarter_turns=seed % 4, grayscale=True,
                              **written)
    out = io.BytesIO()
    scan.save(out, "JPEG", quality=75)
    pixels = np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("L"))
    text = kits.case_qr_text(campaign, case, kind)
    [code] = [c for c in scan_codes(pixels).codes if c.text == text]
    return pixels, code


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("case_code, dpi, seed", [("CAAL", 300, 1), ("BAKER", 200, 2),
                                                   ("ZHANG", 300, 3)])
def test_a_sheet_looks_like_its_own_template_and_no_other(campaign, kind, case_code, dpi, seed):
    pixels, code = _scan(campaign, kind, case_code, dpi, seed)
    own = crosscheck.likeness(pixels, code, kind, campaign, case_code)
    assert own >= crosscheck.MIN_LIKENESS
    assert not crosscheck.differs_from_template(pixels, code, kind, campaign, case_code)
    for other in campaign.cases:
        if other.code == case_code:
            continue
        like = crosscheck.likeness(pixels, code, kind, campaign, other.code)
        assert like < crosscheck.MIN_LIKENESS, other.code
        # Deciding on part of the blocks decides as the median of all of them would.
        assert crosscheck.differs_from_template(pixels, code, kind, campaign, other.code)


def _card(campaign: Campaign, printed: str, coded: str, dpi: int, seed: int, lang: str):
    """A kit postcard's message side printed for case `printed`, carrying `coded`'s case code
    (pasted over its own, as a sticker or a mix-up at a stand would), written and scanned."""
    pages = scansim.rasterise_pdf(kits.render_postcard(campaign, campaign.case(printed), lang), dpi)
    card = pages[1]
    layout = kits.POSTCARD_MESSAGE_LAYOUT
    text = kits.case_qr_text(campaign, campaign.case(coded), PayloadKind.POSTCARD)
    if coded != printed:
        other = scansim.rasterise_pdf(kits.render_postcard(campaign, campaign.case(coded), lang),
                                      dpi)[1]
        box = layout.qr_box(text).px(dpi)
        card.paste(other.crop(box), box[:2])
    card = scansim.write_by_hand(card, seed=seed, dpi=dpi, writing_box_px=layout.writing_box.px(dpi),
                                 handwriting_lines=["Courage, nous pensons à vous.", "Marie"],
                                 line_pitch_px=layout.line_pitch_mm * dpi / 25.4)
    scan = scansim.scan_image(card, seed=seed, dpi=dpi, quarter_turns=seed % 4, grayscale=True)
    out = io.BytesIO()
    scan.save(out, "JPEG", quality=70)
    pixels = np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("L"))
    [code] = [c for c in scan_codes(pixels).codes if c.text == text]
    return pixels, code


@pytest.mark.parametrize("printed, dpi, seed, lang", [("WENDY", 150, 1, "fr"), ("RUNG", 200, 2, "nl"),
                                                      ("BAKER", 300, 3, "en")])
def test_a_postcard_looks_like_its_own_case_and_no_other(campaign, printed, dpi, seed, lang):
    pixels, code = _card(campaign, printed, printed, dpi, seed, lang)
    assert not crosscheck.differs_from_template(pixels, code, PayloadKind.POSTCARD, campaign, printed)
    assert crosscheck.printed_for_other_case(pixels, code, PayloadKind.POSTCARD, campaign,
                                             printed) is None


@pytest.mark.parametrize("printed, coded, dpi, seed, lang", [
    ("WENDY", "MIKITA", 150, 1, "fr"), ("RUNG", "SPHERE", 200, 2, "nl"),
    ("ZHANG", "JANNA", 300, 3, "fr"), ("BAKER", "CIHAM", 200, 0, "en")])
def test_a_postcard_carrying_another_cases_code_is_found_out(campaign, printed, coded, dpi, seed,
                                                             lang):
    pixels, code = _card(campaign, printed, coded, dpi, seed, lang)
    assert crosscheck.differs_from_template(pixels, code, PayloadKind.POSTCARD, campaign, coded)
    other = crosscheck.printed_for_other_case(pixels, code, PayloadKind.POSTCARD, campaign, coded)
    assert other is not None and other.case == printed
    assert other.likeness - other.own_likeness >= crosscheck.OTHER_CASE_LEAD


@pytest.mark.parametrize("dpi, seed", [(150, 1), (300, 2)])
def test_the_picture_side_of_a_kit_postcard_is_recognised(campaign, dpi, seed):
    picture = scansim.rasterise_pdf(kits.render_postcard(campaign, campaign.case("JANNA")), dpi)[0]
    scan = np.asarray(scansim.scan_image(picture, seed=seed, dpi=dpi, quarter_turns=seed).convert("L"))
    [code] = scan_codes(scan).codes
    assert code.text == kits.FOREIGN_URL
    assert crosscheck.is_postcard_picture_side(scan, code, campaign)
    # The same web address on a page that is not our card (a flyer) is not the picture side.
    flyer = np.full_like(scan, 235)
    x0, y0 = min(p[0] for p in code.position) - 30, min(p[1] for p in code.position) - 30
    x1, y1 = max(p[0] for p in code.position) + 30, max(p[1] for p in code.position) + 30
    flyer[y0:y1, x0:x1] = scan[y0:y1, x0:x1]
    [again] = scan_codes(flyer).codes
    assert not crosscheck.is_postcard_picture_side(flyer, again, campaign)
