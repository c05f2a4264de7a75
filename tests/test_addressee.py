"""Who a letter is written to: the authority (to the embassy) or the person (where postcards go)."""

from __future__ import annotations

import pytest

from scanpipe.reading.addressee import Addressee, addressee_of

WENDY = ("Wendy", "Galarza")
ZHANG = ("Zhang", "Zhan")
BAKER = ("Mohamed", "Baker")


@pytest.mark.parametrize("text, names", [
    ("Chère Wendy,\nTu n'es pas seule. Nous pensons à toi depuis Namur.\nMarie", WENDY),
    ("Liège, le 3 décembre\n\nChère Wendy,\n\nVous n'êtes pas seule. Toute ma solidarité.", WENDY),
    ("Dear Zhang Zhan,\nWe are thinking of you and we will not forget you.\nTom", ZHANG),
    ("Beste Wendy,\nJe staat er niet alleen voor. Veel moed!\nLotte", WENDY),
    ("Cher Mohamed,\nCourage, nous sommes avec vous.", BAKER),
    ("Dear Mr Baker,\nYou are not alone: thousands stand with you.", BAKER),
    ("Madame Galarza,\nnous pensons très fort à vous.", WENDY),
    ("Chère amie,\nje t'écris de Belgique pour te dire que tu n'es pas seule.", WENDY),
    ("Wendy,\nje t'écris pour te dire que tu n'es pas seule, que je pense à toi.", WENDY),
    # No salutation read (handwritten, or OCR missed it): the register and the phrases tell.
    ("je t'écris de Belgique. Tu n'es pas seule, tiens bon, je pense à toi chaque jour.", WENDY),
    ("Hou vol, je staat er niet alleen voor. Ik denk aan jou en we steunen je.", WENDY),
])
def test_letters_to_the_person(text, names):
    found = addressee_of(text, names)
    assert found.addressee is Addressee.PERSON, found.signs
    assert found.signs


@pytest.mark.parametrize("text, names", [
    ("Monsieur le Procureur général,\nJe vous demande d'enquêter sur les tirs contre Wendy "
     "Galarza.", WENDY),
    ("Madame, Monsieur,\nWendy Galarza a été blessée. Veuillez agréer mes salutations "
     "respectueuses.", WENDY),
    ("Excellence,\nJe vous prie de libérer Mohamed Baker.", BAKER),
    ("Dear Sir or Madam,\nI urge you to release Zhang Zhan immediately.", ZHANG),
    ("Your Excellency,\nZhang Zhan must be freed.", ZHANG),
    ("Dear President Xi,\nI am writing about Zhang Zhan.", ZHANG),
    ("Geachte heer President,\nIk vraag u Mohamed Baker vrij te laten.", BAKER),
    ("Cher Monsieur le Président,\nJ'admire le courage de Mohamed Baker.", BAKER),
    # No salutation read: the demands tell.
    ("Je vous demande de libérer Mohamed Baker immédiatement et sans condition.", BAKER),
    ("J'admire le courage de Wendy Galarza. Je vous demande de mener une enquête et de "
     "traduire les responsables en justice ; veuillez agréer mes salutations.", WENDY),
])
def test_letters_to_the_authority(text, names):
    found = addressee_of(text, names)
    assert found.addressee is Addressee.AUTHORITY, found.signs


@pytest.mark.parametrize("text", [
    "Wendy Galarza a été blessée lors d'une manifestation à Cancún.",  # neither way
    "",
    "Courage. Je vous demande justice.",                                # one sign each way
])
def test_a_letter_that_says_neither_clearly_is_unclear(text):
    assert addressee_of(text, WENDY).addressee is Addressee.UNCLEAR


def test_a_salutation_read_with_an_ocr_error_still_counts():
    assert addressee_of("Monsleur le Président,\nIl faut agir.", BAKER).addressee is Addressee.AUTHORITY
    assert addressee_of("Chére Wendy,\nbises", WENDY).addressee is Addressee.PERSON


def test_a_subject_line_naming_the_person_is_no_salutation():
    text = "Wendy Galarza\nMonsieur le Procureur,\nje vous demande d'enquêter."
    assert addressee_of(text, WENDY).addressee is Addressee.AUTHORITY


def test_dutch_je_is_not_french_je():
    # French "je" (I) is not Dutch "je" (you): counted only in a page that is Dutch.
    text = "Je suis inquiète. Je vous écris pour vous demander de libérer Mohamed Baker. Je"
    assert addressee_of(text, BAKER).addressee is Addressee.AUTHORITY
