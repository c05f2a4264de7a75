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

from scanpipe import crosscheck, kits, scansim
from scanpipe.campaign import Campaign
from scanpipe.codes import scan_codes
from scanpipe.payload import PayloadKind

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


def test_a_postcard_has_no_template_block_to_compare(campaign):
    pixels, code = _scan(campaign, PayloadKind.LETTER, "CAAL", 300, 1)
    assert crosscheck.likeness(pixels, code, PayloadKind.POSTCARD, campaign, "CAAL") is None
    assert not crosscheck.differs_from_template(pixels, code, PayloadKind.POSTCARD, campaign, "CAAL")
