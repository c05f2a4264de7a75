"""The whole recognition of a page, end to end with the real Tesseract: routes, reviews and why."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from scanpipe.domain.payload import PayloadKind
from scanpipe.paper import kits
from scanpipe.reading.pipeline import RecognitionSettings, process_file
from scanpipe.simulate import scansim, typed

DPI = 200


def _jpeg(image: Image.Image, dpi: float = DPI) -> bytes:
    out = io.BytesIO()
    image.convert("L").save(out, "JPEG", quality=80, dpi=(dpi, dpi))
    return out.getvalue()


def _typed_scan(campaign, case_code: str, *, seed: int, mention=typed.Mention.FULL_NAME,
                quarter_turns: int = 0, extra: str | None = None) -> bytes:
    rng = np.random.default_rng(seed)
    letter = typed.compose_letter(campaign.case(case_code), mention, "fr", rng)
    if extra:
        letter = type(letter)(**{**letter.__dict__,
                                 "paragraphs": (*letter.paragraphs, extra)})
    family = typed.typed_fonts()[0]
    page = typed.render_letter(letter, style=typed.LetterStyle.CLASSIC, family=family,
                               size_pt=11, dpi=DPI)
    return _jpeg(scansim.scan_image(page.image, seed=seed, dpi=DPI, quarter_turns=quarter_turns,
                                    max_rotation_deg=3))


@pytest.mark.parametrize("case_code, mention, turns", [
    ("MIKITA", typed.Mention.FULL_NAME, 0),
    ("CAAL", typed.Mention.FULL_NAME, 2),
    ("WENDY", typed.Mention.FULL_NAME, 1),
])
def test_typed_letter_without_code_routes_by_its_text(campaign, case_code, mention, turns):
    [page] = process_file(_typed_scan(campaign, case_code, seed=21, mention=mention,
                                      quarter_turns=turns), campaign)
    d = page.decision
    assert (d.status.value, d.case, d.method.value, d.kind.value) == ("routed", case_code, "ocr", "letter")
    assert d.reasons[0] == "ROUTED_BY_OCR" and d.candidates[0].case == case_code
    assert page.orientation == turns * 90


def test_text_naming_a_case_settles_a_weak_geometric_vote_without_tesseracts_detection(
        campaign, monkeypatch):
    import scanpipe.reading.pipeline as pipeline

    def not_asked(*args, **kwargs):
        raise AssertionError("the orientation detection ran although the text named a case")
    monkeypatch.setattr(pipeline.normalise, "upright_score", lambda pixels: 0.01)  # weak, right
    monkeypatch.setattr(pipeline.ocr, "detect_orientation", not_asked)
    [page] = process_file(_typed_scan(campaign, "MIKITA", seed=21), campaign)
    d = page.decision
    assert (d.status.value, d.case, page.orientation) == ("routed", "MIKITA", 0)


def test_a_page_read_the_wrong_way_round_is_read_again_as_tesseract_turns_it(campaign, monkeypatch):
    import scanpipe.reading.pipeline as pipeline

    asked = []
    detect = pipeline.ocr.detect_orientation
    monkeypatch.setattr(pipeline.normalise, "upright_score", lambda pixels: -0.01)  # weak, wrong
    monkeypatch.setattr(pipeline.ocr, "detect_orientation",
                        lambda *args, **kwargs: asked.append(1) or detect(*args, **kwargs))
    [page] = process_file(_typed_scan(campaign, "CAAL", seed=21), campaign)
    assert asked and page.orientation == 0
    assert (page.decision.status.value, page.decision.case) == ("routed", "CAAL")


@pytest.mark.parametrize("mention", [typed.Mention.SURNAME, typed.Mention.KEYWORD,
                                     typed.Mention.AUTHORITY_COUNTRY])
def test_a_letter_that_names_no_person_goes_to_review_with_its_case_first(campaign, mention):
    [page] = process_file(_typed_scan(campaign, "WENDY", seed=7, mention=mention), campaign)
    d = page.decision
    assert (d.status.value, d.case, d.reasons[-1]) == ("review", None, "OCR_WEAK")
    assert d.candidates[0].case == "WENDY" and not d.candidates[0].named
    assert "no person named" in d.findings[-1].detail


def test_letter_naming_two_cases_goes_to_review_with_both_candidates(campaign):
    data = _typed_scan(campaign, "BAKER", seed=5,
                       extra="Je pense aussi à Zhang Zhan, condamnée à Wuhan pour ses reportages.")
    [page] = process_file(data, campaign)
    d = page.decision
    assert d.status.value == "review" and d.case is None
    assert "OCR_AMBIGUOUS" in d.reasons
    assert {c.case for c in d.candidates[:2]} == {"BAKER", "ZHANG"}
    # Each candidate says which words of the campaign file named it.
    assert all(c.hits and c.hits[0].found for c in d.candidates[:2])


def test_ocr_off_sends_uncoded_pages_to_review(campaign):
    [page] = process_file(_typed_scan(campaign, "MIKITA", seed=3), campaign,
                          RecognitionSettings(ocr=False))
    assert page.decision.status.value == "review" and page.decision.reasons == ["NO_CODE"]


def test_kit_mix_up_goes_to_review(campaign):
    """Case CAAL's code on a letter sheet printed for case BAKER: the print names BAKER."""
    sheet = scansim.rasterise_pdf(kits.render_letter_sheet(campaign, campaign.case("BAKER")), DPI)[0]
    wrong = kits.case_qr_text(campaign, campaign.case("CAAL"), PayloadKind.LETTER)
    right = kits.case_qr_text(campaign, campaign.case("BAKER"), PayloadKind.LETTER)
    # Paste CAAL's symbol over BAKER's (same size: both are version-2 codes).
    caal = scansim.rasterise_pdf(kits.render_letter_sheet(campaign, campaign.case("CAAL")), DPI)[0]
    box = kits.LETTER_LAYOUT.qr_box(right).px(DPI)
    assert kits.LETTER_LAYOUT.qr_box(wrong).px(DPI) == box
    sheet.paste(caal.crop(box), box[:2])
    [page] = process_file(_jpeg(scansim.scan_image(sheet, seed=2, dpi=DPI)), campaign)
    d = page.decision
    assert d.status.value == "review" and d.reasons[0] == "TEXT_NAMES_OTHER_CASE"
    assert d.candidates[0].case == "BAKER"
    assert "CAAL" in {c.case for c in d.candidates}  # the code's case is offered too


def test_petition_mix_up_goes_to_review(campaign):
    """Case CAAL's code on a petition sheet printed for case BAKER: its demand names BAKER."""
    layout = kits.petition_layout()
    sheet = scansim.rasterise_pdf(kits.render_petition(campaign, campaign.case("BAKER")), DPI)[0]
    caal = scansim.rasterise_pdf(kits.render_petition(campaign, campaign.case("CAAL")), DPI)[0]
    wrong = kits.case_qr_text(campaign, campaign.case("CAAL"), PayloadKind.PETITION)
    box = layout.qr_box(kits.case_qr_text(campaign, campaign.case("BAKER"), PayloadKind.PETITION))
    assert layout.qr_box(wrong).px(DPI) == box.px(DPI)
    sheet.paste(caal.crop(box.px(DPI)), box.px(DPI)[:2])
    [page] = process_file(_jpeg(scansim.scan_image(sheet, seed=2, dpi=DPI)), campaign)
    d = page.decision
    assert d.status.value == "review" and d.reasons[0] == "TEXT_NAMES_OTHER_CASE"
    assert [c.case for c in d.candidates][:2] == ["BAKER", "CAAL"]


def test_kit_sheet_of_its_own_case_is_not_read_by_ocr(campaign):
    sheet = scansim.rasterise_pdf(kits.render_letter_sheet(campaign, campaign.case("JANNA")), DPI)[0]
    [page] = process_file(_jpeg(scansim.scan_image(sheet, seed=9, dpi=DPI)), campaign)
    assert page.decision.status.value == "routed" and page.decision.case == "JANNA"
    assert page.ocr_seconds == 0.0  # the template cross-check was enough


def test_a6_card_without_code_is_a_postcard(campaign):
    card = scansim.rasterise_pdf(kits.render_postcard(campaign, campaign.case("WENDY")), DPI)[1]
    # Cover the case code: a card whose code was torn off, printed text still naming Wendy.
    box = kits.POSTCARD_MESSAGE_LAYOUT.qr_zone.px(DPI)
    card.paste((255, 255, 255), box)
    [page] = process_file(_jpeg(scansim.scan_image(card, seed=4, dpi=DPI)), campaign)
    d = page.decision
    assert page.size == "A6" and d.kind.value == "postcard"
    if d.status.value == "routed":
        assert d.case == "WENDY" and d.destination == "person:WENDY"


def test_a_fault_in_a_recogniser_sends_the_page_to_review(campaign, monkeypatch):
    import scanpipe.reading.pipeline as pipeline

    def broken(*args, **kwargs):
        raise ValueError("simulated fault")
    monkeypatch.setattr(pipeline, "count_signatures", broken)
    sheet = scansim.rasterise_pdf(kits.render_petition(campaign, campaign.case("RUNG")), DPI)[0]
    data = _jpeg(scansim.scan_image(sheet, seed=1, dpi=DPI))
    [page] = process_file(data, campaign)
    assert page.decision.status.value == "review"
    assert page.decision.reasons == ["RECOGNITION_FAILED"]
    assert "simulated fault" in page.decision.findings[0].detail


def _letter_scan(letter: typed.LetterText, seed: int) -> bytes:
    page = typed.render_letter(letter, style=typed.LetterStyle.BLOCK, family=typed.typed_fonts()[0],
                               size_pt=11, dpi=DPI)
    return _jpeg(scansim.scan_image(page.image, seed=seed, dpi=DPI, max_rotation_deg=2))


def test_a_letter_to_the_person_goes_where_the_postcards_go_never_to_the_embassy(campaign):
    letter = typed.LetterText(
        "fr", typed.Mention.FULL_NAME, "Wendy Galarza", ("Marie Dupont", "Rue Haute 3", "5000 Namur"),
        "Namur, le 4 décembre 2021", (), None, "Chère Wendy,",
        ("Je t'écris de Namur pour te dire que tu n'es pas seule. Ce que la police t'a fait à "
         "Cancún est inacceptable, et nous sommes des milliers à penser à toi, Wendy Galarza.",
         "Tiens bon, nous ne t'oublions pas."), "Je t'embrasse,", "Marie")
    [page] = process_file(_letter_scan(letter, seed=3), campaign)
    d = page.decision
    assert (d.status.value, d.case, d.kind.value, d.destination) == (
        "routed", "WENDY", "solidarity_letter", "person:WENDY")
    assert "to the person" in d.findings[0].detail


def test_a_letter_to_the_authority_goes_to_the_embassy(campaign):
    letter = typed.LetterText(
        "fr", typed.Mention.FULL_NAME, "Wendy Galarza", ("Marie Dupont", "Rue Haute 3", "5000 Namur"),
        "Namur, le 4 décembre 2021", (), None, "Monsieur le Procureur général,",
        ("Wendy Galarza a été blessée par balle par la police lors d'une manifestation à Cancún. "
         "Je vous demande de mener une enquête impartiale.",), "Veuillez agréer mes salutations.",
        "Marie Dupont")
    [page] = process_file(_letter_scan(letter, seed=4), campaign)
    d = page.decision
    assert (d.status.value, d.case, d.kind.value, d.destination) == (
        "routed", "WENDY", "letter", "embassy:MX")


def test_postcard_carrying_another_cases_code_goes_to_review_with_both(campaign):
    """WENDY's card with MIKITA's code pasted over its own (a sticker, a mix-up at a stand)."""
    card = scansim.rasterise_pdf(kits.render_postcard(campaign, campaign.case("WENDY")), DPI)[1]
    other = scansim.rasterise_pdf(kits.render_postcard(campaign, campaign.case("MIKITA")), DPI)[1]
    text = kits.case_qr_text(campaign, campaign.case("MIKITA"), PayloadKind.POSTCARD)
    box = kits.POSTCARD_MESSAGE_LAYOUT.qr_box(text).px(DPI)
    card.paste(other.crop(box), box[:2])
    [page] = process_file(_jpeg(scansim.scan_image(card, seed=5, dpi=DPI)), campaign)
    d = page.decision
    assert (d.status.value, d.kind.value, d.reasons[0]) == ("review", "postcard", "TEXT_NAMES_OTHER_CASE")
    assert [c.case for c in d.candidates] == ["WENDY", "MIKITA"]


def test_a_two_sided_postcard_scan_is_one_piece_and_its_picture_side(campaign):
    picture, message = scansim.rasterise_pdf(kits.render_postcard(campaign, campaign.case("JANNA")), DPI)
    sides = [scansim.scan_image(side, seed=6, dpi=DPI).convert("L") for side in (picture, message)]
    out = io.BytesIO()
    sides[0].save(out, "TIFF", save_all=True, append_images=sides[1:], dpi=(DPI, DPI))
    back, front = process_file(out.getvalue(), campaign)
    assert (back.decision.status.value, back.decision.kind.value, back.decision.reasons) == (
        "rejected", "postcard", ["POSTCARD_PICTURE_SIDE"])
    assert (front.decision.status.value, front.decision.case) == ("routed", "JANNA")
