"""Page degradations and non-kit pages: deterministic, honest about what they did, still readable."""

from __future__ import annotations

import io

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from scanpipe.reading.pages import load_pages
from scanpipe.simulate import degrade, typed


def _qr_page(text: str = "https://www.example.be/test", module_px: int = 6):
    """A white 600 × 800 page with one QR; returns the page and the symbol's box."""
    page = Image.new("RGB", (600, 800), (255, 255, 255))
    qr = typed.qr_image(text, module_px)
    x, y = 300, 80
    page.paste(qr.convert("RGB"), (x, y))
    quiet = 4 * module_px
    return page, (x + quiet, y + quiet, x + qr.width - quiet, y + qr.height - quiet)


def _read(image: Image.Image) -> list[tuple[str, str]]:
    return [(c.format.name, c.text) for c in zxingcpp.read_barcodes(np.asarray(image.convert("L")))]


def _rng(seed: int = 5) -> np.random.Generator:
    return np.random.default_rng(seed)


# ------------------------------------------------------------------ degrade.py

def test_quarter_turn_is_clockwise():
    image = Image.new("L", (4, 2), 255)
    image.putpixel((0, 0), 0)  # the top-left pixel…
    turned = degrade.quarter_turn(image, 1)
    assert turned.size == (2, 4)
    assert turned.getpixel((1, 0)) == 0  # …is top-right after a clockwise quarter turn
    assert np.array_equal(np.asarray(degrade.quarter_turn(image, 4)), np.asarray(image))


def test_skew_keeps_every_pixel_and_fills_with_the_border():
    image = Image.new("RGB", (200, 100), (50, 50, 50))
    image.paste((255, 255, 255), (10, 10, 190, 90))
    out = degrade.skew(image, 10.0)
    assert out.width > image.width and out.height > image.height
    assert out.getpixel((0, 0)) == (50, 50, 50)


def test_skew_direction_is_clockwise():
    image = Image.new("L", (300, 300), 255)
    image.paste(0, (150, 10, 290, 30))  # a bar right of centre, near the top
    out = np.asarray(degrade.skew(image, 20.0))
    ys, xs = np.nonzero(out < 128)
    # Turned clockwise, the bar's right end dips lower than its left end.
    assert ys[xs > np.percentile(xs, 90)].mean() > ys[xs < np.percentile(xs, 10)].mean()


def test_random_degradations_are_deterministic():
    page, box = _qr_page()
    a = degrade.gaussian_noise(page, _rng(), 8)
    b = degrade.gaussian_noise(page, _rng(), 8)
    assert np.array_equal(np.asarray(a), np.asarray(b))
    (s1, r1), (s2, r2) = degrade.stain(page, _rng(), box, 0.1), degrade.stain(page, _rng(), box, 0.1)
    assert r1 == r2 and np.array_equal(np.asarray(s1), np.asarray(s2))


def test_low_contrast_squashes_the_range():
    image = Image.fromarray(np.array([[0, 255]], dtype=np.uint8), "L")
    out = np.asarray(degrade.low_contrast(image, 0.4, 200))
    assert out[0, 0] == 120 and out[0, 1] == 222


@pytest.mark.parametrize("fraction", [0.04, 0.1, 0.17])
def test_stain_covers_what_it_says_and_the_code_still_reads(fraction):
    page, box = _qr_page()
    stained, record = degrade.stain(page, _rng(int(fraction * 100)), box, fraction)
    assert abs(record.fraction - fraction) < 0.02
    assert not np.array_equal(np.asarray(stained), np.asarray(page))
    # Outside the blot nothing changed.
    _left, _top, _right, bottom = record.box
    assert np.array_equal(np.asarray(stained)[-5:], np.asarray(page)[-5:]) or bottom >= 795
    assert _read(stained) == [("QRCode", "https://www.example.be/test")]


def test_phone_photo_records_where_the_page_went_and_keeps_the_code_readable():
    page, _ = _qr_page(module_px=8)
    photo, record = degrade.phone_photo(page, _rng(3), long_side=1200)
    assert photo.size == record.frame == (900, 1200)  # portrait page, portrait frame
    xs = [x for x, _ in record.corners]
    ys = [y for _, y in record.corners]
    assert min(xs) > 0 and max(xs) < 900 and min(ys) > 0 and max(ys) < 1200
    assert record.desk in degrade.DESKS
    assert _read(photo) == [("QRCode", "https://www.example.be/test")]
    assert record.to_applied().to_json()["name"] == "photo"


def test_encoders_give_files_the_pipeline_loads():
    page, _ = _qr_page()
    jpeg = degrade.encode_jpeg(page, 40, None)
    assert Image.open(io.BytesIO(jpeg)).info.get("dpi") is None
    assert load_pages(jpeg)[0].size == page.size
    assert load_pages(degrade.encode_jpeg(page, 80, 200))[0].dpi == 200
    assert load_pages(degrade.encode_png(page, 200))[0].size == page.size
    assert len(load_pages(degrade.encode_tiff([page, page], 300))) == 2
    assert len(load_pages(degrade.encode_pdf([page, page.convert("L")], 200))) == 2


def test_show_through_is_faint_and_mirrored():
    front = Image.new("L", (200, 100), 255)
    front.paste(0, (0, 0, 50, 100))  # a dark band on the left of the front
    blank = Image.new("RGB", (200, 100), (255, 255, 255))
    out = np.asarray(degrade.show_through(blank, front, 0.06).convert("L"), dtype=float)
    assert out[:, 160:].mean() < out[:, :40].mean()  # seen from the back: on the right
    assert out.min() > 230


def test_applied_records_are_json_ready():
    record = degrade.applied("skew", degrees=3.14159265, size=(1, 2))
    assert record.to_json() == {"name": "skew", "degrees": 3.1416, "size": [1, 2]}


# ------------------------------------------------------------------ typed.py

def test_letters_name_their_case_as_asked(campaign):
    every_word = set()
    for case in campaign.cases:
        every_word.update(k.casefold() for k in case.keywords)
    for case in campaign.cases:
        for mention in typed.Mention:
            letter = typed.compose_letter(case, mention, "fr", _rng(1))
            text = letter.all_text()
            assert letter.named_as in text
            assert case.authority in text
            if mention is typed.Mention.FULL_NAME:
                assert case.person in text
            # No other case's words in the body (sender, body, closing).
            body = " ".join(letter.paragraphs).casefold()
            others = {k.casefold() for c in campaign.cases if c is not case for k in c.keywords}
            assert not [w for w in others if w in body and w not in letter.named_as.casefold()
                        and w not in " ".join(k.casefold() for k in case.keywords)]


def test_surnames_and_keywords(campaign):
    assert typed.surname(campaign.case("CAAL")) == "Caal Xol"
    assert typed.surname(campaign.case("BAKER")) == "Baker"
    for case in campaign.cases:
        assert typed.case_keywords(case)
        for keyword in typed.case_keywords(case):
            assert keyword not in case.person


def test_filler_words_name_no_case(campaign):
    words = " ".join([*typed.FIRST_NAMES, *typed.SURNAMES, *(t for _, t in typed.TOWNS),
                      *typed.STREETS]).casefold()
    for case in campaign.cases:
        for keyword in case.keywords:
            assert keyword.casefold() not in words.split(), keyword


@pytest.mark.parametrize("style", list(typed.LetterStyle))
def test_typed_letter_renders_deterministically(campaign, style):
    letter = typed.compose_letter(campaign.case("ZHANG"), typed.Mention.KEYWORD, "nl", _rng(2))
    family = typed.typed_fonts()[0]
    a = typed.render_letter(letter, style=style, family=family, size_pt=11, dpi=100)
    b = typed.render_letter(letter, style=style, family=family, size_pt=11, dpi=100)
    assert a.image.size == (827, 1169)
    assert np.array_equal(np.asarray(a.image), np.asarray(b.image))
    ink = np.asarray(a.image.convert("L")) < 128
    assert 0.005 < ink.mean() < 0.2
    left, top, right, bottom = a.signature_box_px
    assert 0 < left < right < 827 and 0 < top < bottom < 1169


def test_typed_fonts_found():
    fonts = typed.typed_fonts()
    assert fonts[0].name.startswith("DejaVu")


@pytest.mark.parametrize("kind", list(typed.ForeignKind))
def test_foreign_pages_carry_readable_codes(kind):
    page = typed.foreign_page(kind, _rng(4), 200)
    found = _read(page.image)
    for fmt, text in page.codes:
        assert (fmt, text) in found, (fmt, text, found)


def test_stationery_lines():
    ruled = np.asarray(typed.stationery(typed.Paper.RULED, 100).convert("L"))
    plain = np.asarray(typed.stationery(typed.Paper.PLAIN, 100).convert("L"))
    assert plain.min() == 255 and ruled.min() < 255
