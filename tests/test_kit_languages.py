"""Kits in every language the campaign offers, and names in every script a person may have.

The case texts a kit prints are read back from the PDF and compared with the campaign file's;
names in Arabic, Hebrew, Chinese, Cyrillic and Devanagari are read back in logical order, and
their drawing is compared with a reference that Pillow lays out with libraqm (FriBidi +
HarfBuzz), independently of scanpipe's own shaping.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw, ImageFilter, ImageFont, features
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from scanpipe.domain.campaign import (
    TRANSLATED_FIELDS,
    CampaignError,
    campaign_changes,
    case_text,
    parse_campaign,
)
from scanpipe.paper import kits, render, typeset
from scanpipe.paper.render import Box
from stations.cli import cli

CAMPAIGN_FILE = Path(__file__).resolve().parent.parent / "samples" / "campaign.toml"
NOTO = Path("/usr/share/fonts/truetype/noto")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
CJK_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
DPI = 300
# Where the postcard's picture side prints the person's name (kits._draw_picture_side).
NAME_BOX = Box(66, 23, 76, 36)
NAME_SIZE = 20.0

# A name in each script, with the bold font an independent layout should draw it with.
NAMES = {
    "arabic": ("محمد الباقر", NOTO / "NotoSansArabic-Bold.ttf"),
    "arabic-ligature": ("سلام عبد السلام", NOTO / "NotoSansArabic-Bold.ttf"),  # lam-alef
    "hebrew": ("נועה שלום", NOTO / "NotoSansHebrew-Bold.ttf"),
    "chinese": ("张展", CJK_BOLD),
    "cyrillic": ("Мікіта Залатароў", DEJAVU_BOLD),
    "devanagari": ("सुधा भारद्वाज", NOTO / "NotoSansDevanagari-Bold.ttf"),
}


@pytest.fixture(scope="module")
def campaign_text() -> str:
    return CAMPAIGN_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def campaign(campaign_text):
    return parse_campaign(campaign_text)


def pdf_text(pdf: bytes) -> str:
    """Every page's text, lines joined by spaces (a wrapped sentence reads whole)."""
    document = pdfium.PdfDocument(pdf)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    return re.sub(r"\s+", " ", " ".join(pages))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def without_tables(text: str) -> str:
    """The campaign file as it was before languages: no [cases.xx], [texts.xx], languages."""
    text = re.sub(r"\n\[(cases|texts)\.(nl|en|fr)\]\n.*?(?=\n\[|\Z)", "\n", text, flags=re.S)
    return re.sub(r"^languages = .*$", "", text, flags=re.M)


# ------------------------------------------------------------------ texts per language


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_a_kit_prints_every_case_text_in_its_language(campaign, lang):
    """Each case's letter sheet, postcard and petition print that language's country, summary,
    authority, model letter and demand, and none of the French texts the language replaces
    (unless the same words are in what is printed as it is: the postal address, a name)."""
    for case in campaign.cases:
        printed = " ".join(pdf_text(render(campaign, case, lang)) for render in
                           (kits.render_letter_sheet, kits.render_postcard, kits.render_petition))
        as_is = flat(" ".join([case.person, case.authority_address]))
        for field in TRANSLATED_FIELDS:
            wanted = case_text(campaign, case, field, lang)
            french = case_text(campaign, case, field, "fr")
            if wanted is not None:
                assert flat(wanted) in printed, (case.code, field, lang)
            if (lang != "fr" and french and wanted and flat(french) not in flat(wanted)
                    and flat(french) not in as_is):
                assert flat(french) not in printed, (case.code, field, lang)


def test_the_sample_offers_french_dutch_and_english_with_every_text(campaign):
    assert campaign.offered_languages == ("fr", "nl", "en")
    assert hash(campaign)  # the matchers keep one per campaign: its texts keep it hashable
    for case in campaign.cases:
        for lang in ("nl", "en"):
            for field in ("country", "summary", "authority", "letter", "petition"):
                assert case_text(campaign, case, field, lang), (case.code, lang, field)
        assert case_text(campaign, case, "letter", "nl") != case.letter


def test_dutch_kits_come_from_the_flemish_section(campaign):
    """[texts.nl] replaces the campaign's name, office and return address on Dutch kits."""
    case = campaign.case("BAKER")
    dutch = pdf_text(kits.render_letter_sheet(campaign, case, "nl"))
    assert "Amnesty International Vlaanderen" in dutch and "Schrijfmarathon 2021" in dutch
    assert "Waversesteenweg 37" in dutch and "Chaussée de Wavre" not in dutch
    assert "Belgique francophone" in pdf_text(kits.render_letter_sheet(campaign, case, "fr"))


def test_a_file_without_languages_is_valid_and_offers_its_language_only(campaign_text):
    old = parse_campaign(without_tables(campaign_text))
    assert old.offered_languages == ("fr",)
    assert all(case.nl is None and case.en is None for case in old.cases)
    with pytest.raises(ValueError, match="does not offer 'nl': it offers fr"):
        kits.render_letter_sheet(old, old.cases[0], "nl")


def _problems(text: str) -> str:
    with pytest.raises(CampaignError) as error:
        parse_campaign(text)
    return str(error.value)


def test_campaign_check_names_each_missing_translation(campaign_text):
    broken = campaign_text.replace(
        'petition = "Laat Ciham Ali Ahmed vrij en maak bekend waar ze wordt vastgehouden."\n', "")
    broken = broken.replace('country = "Oekraïne"\n', "")
    message = _problems(broken)
    assert "cases[1].nl.petition: missing: the campaign offers nl" in message
    assert "cases[8].nl.country: missing: the campaign offers nl" in message
    assert "cases[1].en" not in message


@pytest.mark.parametrize("old,new,expected", [
    ('languages = ["fr", "nl", "en"]', 'languages = ["fr", "nl"]',
     "cases[0].en: the campaign does not offer en"),
    ('languages = ["fr", "nl", "en"]', 'languages = ["nl", "en"]',
     "languages: must hold the campaign's language 'fr'"),
    ('[cases.nl]\ncountry = "Guatemala"',
     '[cases.fr]\ncountry = "Guatemala"\n\n[cases.nl]\ncountry = "Guatemala"',
     "cases[0].fr: the case's own fields are in fr"),
    ('[cases.nl]\ncountry = "Guatemala"',
     '[cases.nl]\ninstructions = "Schrijf in het Nederlands."\ncountry = "Guatemala"',
     "cases[0].nl.instructions: the case has no instructions in fr"),
    ('[texts.nl]\n', '[texts.nl]\n"postcard.motto" = "Schrijf {wie}"\n',
     "texts.nl.postcard.motto: use exactly the placeholders of the built-in text (none)"),
    ('[texts.nl]\n', '[texts.nl]\nmotto = "Schrijf"\n', "texts.nl.motto: not a kit text"),
])
def test_campaign_check_names_each_language_problem(campaign_text, old, new, expected):
    assert old in campaign_text
    assert expected in _problems(campaign_text.replace(old, new, 1))


def test_campaign_check_command_prints_the_path_and_exits_3(tmp_path, campaign_text):
    broken = tmp_path / "campaign.toml"
    broken.write_text(campaign_text.replace(
        'petition = "Release Zhang Zhan immediately and unconditionally."\n', ""), encoding="utf-8")
    result = CliRunner().invoke(cli, ["campaign", "check", str(broken)])
    assert result.exit_code == 3
    assert "cases[5].en.petition: missing: the campaign offers en" in result.output
    good = CliRunner().invoke(cli, ["campaign", "check", str(CAMPAIGN_FILE)])
    assert good.exit_code == 0 and "kits in fr, nl, en" in good.output


def test_a_translation_changed_is_a_campaign_change(campaign, campaign_text):
    new = parse_campaign(campaign_text.replace("Laat Mohamed Baker onmiddellijk en onvoorwaardelijk vrij.",
                                               "Laat Mohamed Baker nu vrij.", 1))
    said = [(c.subject, c.what) for c in campaign_changes(campaign, new)]
    assert said == [("case BAKER", "the petition's demand (nl) changed")]
    fewer = parse_campaign(without_tables(campaign_text))
    assert ("campaign", "the languages kits are offered in changed") in [
        (c.subject, c.what) for c in campaign_changes(campaign, fewer)]


def test_salutation_and_instructions_print_in_each_language(campaign_text):
    text = campaign_text.replace(
        'letter = """Monsieur le Président,\nBernardo', 'salutation = "Monsieur le Président,"\n'
        'instructions = "Écrivez au Président en espagnol si vous le pouvez."\nletter = """Bernardo', 1)
    text = text.replace('[cases.nl]\ncountry = "Guatemala"',
                        '[cases.nl]\nsalutation = "Geachte heer President,"\ninstructions = '
                        '"Schrijf gerust in het Spaans."\ncountry = "Guatemala"', 1)
    text = text.replace('[cases.en]\ncountry = "Guatemala"',
                        '[cases.en]\nsalutation = "Dear Mr President,"\ninstructions = '
                        '"Write in Spanish if you can."\ncountry = "Guatemala"', 1)
    campaign = parse_campaign(text)
    case = campaign.case("CAAL")
    nl = pdf_text(kits.render_letter_sheet(campaign, case, "nl"))
    assert "Geachte heer President," in nl and "Schrijf gerust in het Spaans." in nl
    assert "Monsieur le Président" not in nl and "espagnol" not in nl
    assert "Écrivez au Président en espagnol" in pdf_text(kits.render_letter_sheet(campaign, case))


def test_kits_command_prints_a_folder_per_language_or_refuses_one_not_offered(tmp_path,
                                                                             campaign_text):
    out = tmp_path / "kits"
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "kits", "--campaign",
                                      str(CAMPAIGN_FILE), "--out", str(out), "--lang", "all",
                                      "--kits", "2", "--no-record"])
    assert result.exit_code == 0, result.output
    for lang in ("fr", "nl", "en"):
        assert len(list((out / lang).rglob("*.pdf"))) == 30
    assert [p.name for p in (out / "labels").iterdir()] == ["kit-labels-000001-000002.pdf"]
    assert "Schrijfmarathon" in pdf_text((out / "nl" / "letters" / "letter-CAAL.pdf").read_bytes())

    old = tmp_path / "old.toml"
    old.write_text(without_tables(campaign_text), encoding="utf-8")
    refused = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "kits", "--campaign",
                                       str(old), "--out", str(tmp_path / "nl"), "--lang", "nl",
                                       "--no-record"])
    assert refused.exit_code == 2
    assert "does not offer 'nl'" in refused.output
    assert not (tmp_path / "nl").exists()


# ------------------------------------------------------------------ every script


def with_names(campaign, names: list[str]):
    cases = tuple(case.model_copy(update={"person": name})
                  for case, name in zip(campaign.cases, names))
    return campaign.model_copy(update={"cases": cases})


@pytest.mark.parametrize("script", list(NAMES))
def test_a_name_in_any_script_reads_back_in_logical_order(campaign, script):
    """The name stands alone on the postcard's picture side and reads back as written; on the
    letter sheet it sits in a French line, where every word of it reads back as written
    (pdfium reverses the order of right-to-left words inside a left-to-right line)."""
    name, _ = NAMES[script]
    named = with_names(campaign, [name])
    case = named.cases[0]
    postcard = pdfium.PdfDocument(kits.render_postcard(named, case))
    assert name in postcard[0].get_textpage().get_text_range()
    letter = pdf_text(kits.render_letter_sheet(named, case))
    for word in name.split():
        assert word in letter


def ink(image: Image.Image) -> np.ndarray:
    """The dark pixels, cropped to their bounding box."""
    dark = np.asarray(image.convert("L")) < 110
    rows, cols = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    assert rows.size and cols.size, "nothing drawn"
    return dark[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def likeness(drawn: np.ndarray, reference: np.ndarray) -> float:
    """Intersection over union of two ink masks once `drawn` is scaled to `reference`'s box,
    each widened by a pixel so that anti-aliasing and hinting do not count."""
    h, w = reference.shape
    scaled = Image.fromarray(drawn.astype(np.uint8) * 255).resize((w, h), Image.Resampling.BILINEAR)

    def widen(mask: Image.Image) -> np.ndarray:
        return np.asarray(mask.filter(ImageFilter.MaxFilter(3))) > 127

    a, b = widen(scaled), widen(Image.fromarray(reference.astype(np.uint8) * 255))
    return float((a & b).sum() / (a | b).sum())


def reference_ink(name: str, font_path: Path) -> np.ndarray:
    """`name` laid out by Pillow with libraqm (bidi by FriBidi, shaping by HarfBuzz)."""
    index = 0
    if font_path.suffix == ".ttc":  # the Simplified Chinese face of Noto CJK
        index = next(i for i in range(10) if ImageFont.truetype(
            font_path, 10, index=i).getname()[0].endswith("CJK SC"))
    font = ImageFont.truetype(font_path, round(NAME_SIZE * DPI / 72), index=index,
                              layout_engine=ImageFont.Layout.RAQM)
    image = Image.new("L", (2400, 400), 255)
    ImageDraw.Draw(image).text((20, 100), name, font=font, fill=0)
    return ink(image)


def postcard_name_ink(pdf: bytes) -> np.ndarray:
    page = pdfium.PdfDocument(pdf)[0].render(scale=DPI / 72).to_pil()
    return ink(page.crop(NAME_BOX.px(DPI)))


def old_drawing(name: str, font_path: Path) -> bytes:
    """The name as reportlab draws it without shaping: one glyph per character, left to right."""
    pdfmetrics.registerFont(TTFont(f"Unshaped-{font_path.stem}", str(font_path)))
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(148 * mm, 105 * mm))
    canvas.setFont(f"Unshaped-{font_path.stem}", NAME_SIZE)
    canvas.drawString(NAME_BOX.x * mm, render.baseline(105, NAME_BOX.y, NAME_SIZE), name)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


@pytest.mark.skipif(not features.check("raqm"), reason="Pillow without libraqm")
@pytest.mark.parametrize("script", list(NAMES))
def test_a_name_in_any_script_is_drawn_as_a_shaping_engine_draws_it(campaign, script):
    name, font_path = NAMES[script]
    named = with_names(campaign, [name])
    drawn = postcard_name_ink(kits.render_postcard(named, named.cases[0]))
    reference = reference_ink(name, font_path)
    assert likeness(drawn, reference) > 0.75, script
    assert abs(drawn.shape[1] / drawn.shape[0] - reference.shape[1] / reference.shape[0]) < 0.25 * (
        reference.shape[1] / reference.shape[0])


@pytest.mark.skipif(not features.check("raqm"), reason="Pillow without libraqm")
@pytest.mark.parametrize("script", ["arabic", "devanagari"])
def test_the_comparison_rejects_unshaped_drawing(script):
    """The old drawing (reversed, unjoined Arabic; Devanagari vowel signs in the wrong place)
    is far from the reference: the comparison above would fail on it."""
    name, font_path = NAMES[script]
    unshaped = postcard_name_ink(old_drawing(name, font_path))
    assert likeness(unshaped, reference_ink(name, font_path)) < 0.6


def test_a_missing_noto_font_is_an_error_naming_its_package(campaign, monkeypatch, tmp_path):
    monkeypatch.setattr(typeset, "NOTO_DIR", tmp_path)
    monkeypatch.setattr(typeset, "NOTO_CJK", tmp_path)
    typeset.forget_fonts()
    try:
        for name, package in (("محمد الباقر", "fonts-noto-core"), ("张展", "fonts-noto-cjk")):
            named = with_names(campaign, [name])
            with pytest.raises(typeset.FontMissing, match=f"install the Debian package {package}"):
                kits.render_postcard(named, named.cases[0])
        arabic = tmp_path / "campaign.toml"
        arabic.write_text(CAMPAIGN_FILE.read_text(encoding="utf-8").replace(
            'person = "Mohamed Baker"', 'person = "محمد باقر"'), encoding="utf-8")
        result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "kits",
                                          "--campaign", str(arabic), "--out", str(tmp_path / "out"),
                                          "--no-record"])
        assert result.exit_code == 5
        assert "fonts-noto-core" in result.output
    finally:
        monkeypatch.undo()
        typeset.forget_fonts()


def test_bidi_order_of_runs():
    """Rule L2: right-to-left runs are reversed, numbers inside them keep their order."""
    assert typeset.visual_order([0, 1, 1, 0]) == [0, 2, 1, 3]
    assert typeset.visual_order([1, 2, 1]) == [2, 1, 0]
    assert typeset.visual_order([1, 1, 2, 2, 1]) == [4, 2, 3, 1, 0]
    levels = typeset.bidi_levels("Le cas : محمد 12 (Égypte)")
    assert levels[0] == 0 and levels[9] == 1 and levels[14] == 2 and levels[-1] == 0


def test_latin_text_is_drawn_as_before(campaign):
    """Text in the primary font's scripts takes reportlab's own drawing: no shaping pass."""
    f = render.fonts()
    assert not typeset.needs_shaping("Bernardo Caal Xol, Chère Wendy — Мікіта", f.regular)
    assert typeset.needs_shaping("محمد", f.regular) and typeset.needs_shaping("张展", f.bold)
