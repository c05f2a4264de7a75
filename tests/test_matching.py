"""Ranking the cases of a campaign by the printed text of a page: who is named, and by what."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanpipe.domain.campaign import Campaign, parse_campaign
from scanpipe.domain.found import Candidate
from scanpipe.reading.matching import MatchSettings, fold_words, persons_of, pick_case, rank_cases
from scanpipe.reading.ocr import OcrText, OcrWord

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "campaign.toml"
DEFAULTS = MatchSettings()


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return parse_campaign(SAMPLE.read_text(encoding="utf-8"))


def letter(naming: str) -> str:
    return (f"Namur, le 10 décembre 2021\n\nMonsieur l'Ambassadeur,\n\nJe vous écris au sujet de "
            f"{naming}. Je vous demande de transmettre ma demande à vos autorités : que justice "
            f"soit rendue sans attendre.\n\nVeuillez agréer mes salutations respectueuses.\n\n"
            f"Marie Dupont")


def picked(text, campaign: Campaign) -> str | None:
    pick = pick_case(rank_cases(text, campaign), DEFAULTS)
    return pick.case if pick else None


def read(lines: list[list[tuple[str, float]]]) -> OcrText:
    """What Tesseract would answer: lines of words with their confidences."""
    words = tuple(OcrWord(text, confidence, (0, 0, 1, 1), number)
                  for number, line in enumerate(lines) for text, confidence in line)
    return OcrText("\n".join(" ".join(t for t, _ in line) for line in lines), words, 0.0, 0.0)


def test_folding_drops_accents_case_punctuation_and_digits_misread_for_letters():
    assert fold_words("Président de l'État d’Érythrée") == (
        "president", "de", "l", "etat", "d", "erythree")
    assert fold_words("Q'EQCHI’, #EndSARS") == ("q", "eqchi", "endsars")
    assert fold_words("Xo1 B4K3R 2021 0DW") == ("xol", "b4k3r", "2021", "odw")


def test_the_persons_of_a_case(campaign):
    people, groups = persons_of(campaign.case("SPHERE"))
    assert [(p.given, p.family) for p in people] == [("Anna", "Charyhina"), ("Vira", "Tchernyhina")]
    assert groups == ("Sphère",)
    [rung], _ = persons_of(campaign.case("RUNG"))
    assert (rung.given, rung.family, rung.nicknames) == ("Panusaya", "Sithijirawattanakul", ("Rung",))
    [caal], _ = persons_of(campaign.case("CAAL"))
    assert (caal.given, caal.family) == ("Bernardo", "Caal Xol")  # the keyword that ends the name
    [ciham], _ = persons_of(campaign.case("CIHAM"))
    assert (ciham.given, ciham.middle, ciham.family) == ("Ciham", ("Ali",), "Ahmed")


def test_each_case_named_by_its_person_is_picked(campaign):
    for case in campaign.cases:
        assert picked(letter(case.person), campaign) == case.code, case.person


@pytest.mark.parametrize("naming, case", [
    ("Imoleayo Michael", "IMOLEAYO"),            # middle name left out
    ("Caal Xol Bernardo", "CAAL"),               # family name first, as officials write it
    ("Zhan Zhang", "ZHANG"),
    ("Vira Tchernyhina", "SPHERE"),              # one of a group's persons
    ("Panusaya Sithijirawattanakul", "RUNG"),    # without the nickname
])
def test_a_full_name_in_another_form_names_the_case(campaign, naming, case):
    assert picked(letter(naming), campaign) == case


@pytest.mark.parametrize("naming, case", [
    ("Galarza, blessée à Cancún", "WENDY"),            # family name + a detail of the case
    ("Wendy, blessée à Cancún", "WENDY"),              # given name + a detail
    ("Caal Xol, défenseur des rivières de Cahabón", "CAAL"),
    ("Janna, à Nabi Saleh", "JANNA"),
    ("Baker, avocat d'Adalah", "BAKER"),
])
def test_a_name_with_a_detail_of_the_case_names_it(campaign, naming, case):
    assert picked(letter(naming), campaign) == case


@pytest.mark.parametrize("naming", [
    "Baker",                         # a surname alone
    "Galarza",
    "Wendy",                         # a given name alone
    "Cancún",                        # a detail alone
    "la radio et la torture",        # common words
    "Wuhan et Kharkiv",              # details of two cases
    "la situation en Égypte",        # a country
    "Mikita",                        # a given name, with the case's city in its address below
])
def test_a_single_word_names_no_case(campaign, naming):
    text = letter(naming) + "\n\nProcureur général\nInternatsionalnaya Street 22\n220030 Minsk"
    assert picked(text, campaign) is None, naming


def test_a_press_text_citing_a_surname_names_no_case(campaign):
    paper = ("Abstract. Following Baker (2011) and Zhang et al. (2019), we study how radio "
             "coverage of torture cases shaped public opinion in Egypt and China between 2011 "
             "and 2020. Baker (2011, p. 14) argues that the press frames such cases.\n"
             "References\nBaker, M. (2011). Lawyers and the state. Cairo University Press.\n"
             "Zhang, L. (2019). Citizen journalism in Wuhan. Beijing 100017.")
    candidates = rank_cases(paper, campaign)
    assert {c.case for c in candidates} >= {"BAKER", "ZHANG"}
    assert not any(c.named for c in candidates)
    assert pick_case(candidates, DEFAULTS) is None


def test_a_letter_to_an_authority_naming_no_person_names_no_case(campaign):
    text = ("Président de la République du Guatemala\nPalacio Nacional de la Cultura\n"
            "6a Calle y 7a Avenida, Zona 1\nCiudad de Guatemala, Guatemala\n\n"
            + letter("la situation des défenseurs des droits humains au Guatemala"))
    [caal] = rank_cases(text, campaign)
    assert caal.case == "CAAL" and not caal.named and caal.score > 0.5
    assert picked(text, campaign) is None


def test_a_city_of_a_case_in_an_address_names_no_case(campaign):
    invoice = ("Facture n° 2021-118\nBelavia Airlines\nPrytyckaha Street 44\n220030 Bichkek\n"
               "Minsk, Belarus\n\nMontant dû : 240 EUR. Merci de votre confiance.")
    assert picked(invoice, campaign) is None


def test_a_name_in_an_address_block_is_no_evidence_of_the_case(campaign):
    # The sender happens to share a case's name; the letter is about nothing of the campaign.
    text = ("Mohamed Baker\nRue de la Station 12\n5000 Namur\n\n"
            "Madame, Monsieur,\nJe vous prie de trouver ci-joint ma facture pour les travaux de "
            "plomberie effectués le mois dernier.\n\nMohamed")
    [baker] = rank_cases(text, campaign)
    assert not baker.named and {h.evidence for h in baker.hits} <= {"place", "given_name"}
    assert picked(text, campaign) is None


def test_words_tesseract_doubts_are_no_evidence(campaign):
    # Handwriting read as garbage: "adalah." at confidence 0 must not count for BAKER.
    lines = [[("Chère", 31.0), ("adalah.", 0.0), ("mm", 12.0)],
             [("Mohamed", 22.0), ("Baker", 18.0), ("vu", 9.0)]]
    assert rank_cases(read(lines), campaign) == ()
    sure = [[("Chère", 91.0), ("amie,", 90.0)], [("Mohamed", 93.0), ("Baker", 95.0)]]
    assert picked(read(sure), campaign) == "BAKER"


def test_a_fuzzy_read_needs_more_evidence_than_an_exact_one(campaign):
    assert picked(letter("Galarze, à Cancún"), campaign) is None          # both would be needed
    assert picked(letter("Galarze, à Cancún au Mexique"), campaign) == "WENDY"  # one more
    assert picked(letter("Wendy Galarze"), campaign) == "WENDY"            # a full name read with errors


def test_accents_case_and_ocr_errors_still_match(campaign):
    for naming in ("BERNARDO CAAL XO1", "bernardo caal xol", "M. Caal Xo1, de Cahabon",
                   "Bemardo Caal Xol"):
        assert picked(letter(naming), campaign) == "CAAL", naming
    best = rank_cases(letter("Bemardo Caal Xol"), campaign)[0]
    hit = next(h for h in best.hits if h.term == "Bernardo Caal Xol")
    assert hit.found == "Bemardo Caal Xol" and 0.8 <= hit.similarity < 1.0


def test_hyphens_apostrophes_and_cut_words(campaign):
    assert picked(letter("Mikita Zala-\ntarou"), campaign) == "MIKITA"
    hits = {h.term: h.found for c in rank_cases("les Qeqchi de Quintana-Roo", campaign) for h in c.hits}
    assert hits == {"q'eqchi'": "Qeqchi", "Quintana Roo": "Quintana-Roo"}


def test_a_term_matches_whole_words_only(campaign):
    for text in ("La Bakery de la rue, les Bakers", "la cuisine chinese", "rungs", "Zhangzhou"):
        assert rank_cases(text, campaign) == (), text
    assert [c.case for c in rank_cases("Mohamed Bakery", campaign)] == ["BAKER"]  # "Mohamed" alone
    assert picked("Mohamed Bakery", campaign) is None


def test_short_terms_match_exactly(campaign):
    assert [c.case for c in rank_cases("Rung", campaign)] == ["RUNG"]
    assert rank_cases("Rang Runq", campaign) == ()


def test_a_term_shared_by_two_cases_does_not_decide(campaign):
    # Two cases in the same country: naming the country says nothing about which.
    cases = tuple(c.model_copy(update={"country": "Guatemala"}) if c.code == "WENDY" else c
                  for c in campaign.cases)
    shared = campaign.model_copy(update={"cases": cases})
    text = letter("la situation au Guatemala")
    assert "CAAL" in [c.case for c in rank_cases(text, campaign)]  # alone, its own country counts
    assert rank_cases(text, shared) == ()
    assert picked(letter("Wendy Galarza, au Guatemala"), shared) == "WENDY"
    # The generic part of every president's title weighs nothing either.
    assert rank_cases(letter("Monsieur le Président de la République"), campaign) == ()
    journaliste = [h for c in rank_cases("une journaliste", campaign) for h in c.hits]
    assert all(h.weight == 0 for h in journaliste)  # JANNA's keyword also describes ZHANG


def test_two_cases_named_go_to_review_with_both(campaign):
    candidates = rank_cases(letter("Zhang Zhan et de Wendy Galarza"), campaign)
    assert [c.case for c in candidates[:2]] == ["WENDY", "ZHANG"]  # tie: by code
    assert candidates[0].named and candidates[1].named
    assert pick_case(candidates, DEFAULTS) is None


def test_a_subject_naming_one_case_and_a_body_another_goes_to_review(campaign):
    text = ("Objet : Mikita Zalatarou\n\n"
            + letter("Wendy Galarza, blessée par balle à Cancún")
            + "\n\nP.S. Pensez aussi à Zalatarou.")
    candidates = rank_cases(text, campaign)
    assert {c.case for c in candidates if c.named} == {"MIKITA", "WENDY"}
    assert pick_case(candidates, DEFAULTS) is None
    # A postscript naming another case's person by family name alone is enough for doubt.
    text = letter("Wendy Galarza") + "\n\nP.S. Et n'oubliez pas Zalatarou."
    assert picked(text, campaign) is None


def test_another_case_named_weakly_does_not_block(campaign):
    # Its country or a given name is not enough to doubt the case named in full.
    assert picked(letter("Bernardo Caal Xol, comme en Chine"), campaign) == "CAAL"
    assert picked(letter("Bernardo Caal Xol") + "\nMohamed Dupont", campaign) == "CAAL"


def test_the_pick_rule():
    named = Candidate("A", 0.95, (), named=True)
    assert pick_case((named,), DEFAULTS) is named
    assert pick_case((named, Candidate("B", 0.65, ())), DEFAULTS) is None  # B's surname
    assert pick_case((named, Candidate("B", 0.25, ())), DEFAULTS) is named  # B's country
    assert pick_case((named, Candidate("B", 0.9, (), named=True)), DEFAULTS) is None
    assert pick_case((Candidate("A", 0.95, ()),), DEFAULTS) is None  # strong, but nobody named
    assert pick_case((Candidate("A", 0.5, (), named=True),), DEFAULTS) is None
    assert pick_case((), DEFAULTS) is None


@pytest.mark.parametrize("text", [
    letter("tous les prisonniers d'opinion dans le monde"),
    letter("Nasrin Sotoudeh, avocate emprisonnée en Iran"),
    "",
    "zj 4 ;; ~~ ,. --- ii lI1 ¦ mn",
])
def test_a_text_naming_no_case_picks_none(campaign, text):
    assert picked(text, campaign) is None


def test_ranking_is_named_first_with_evidence(campaign):
    candidates = rank_cases(letter("Bernardo Caal Xol (Cahabón) et de la Chine"), campaign)
    assert [c.case for c in candidates] == ["CAAL", "ZHANG"]
    assert candidates[0].named and not candidates[1].named
    assert candidates[0].hits[0].term == "Bernardo Caal Xol"
    assert candidates[0].hits[0].evidence == "full_name"
    assert all(0 < c.score <= 1 for c in candidates)


def test_more_evidence_scores_higher(campaign):
    one = rank_cases(letter("Galarza"), campaign)[0].score
    two = rank_cases(letter("Galarza, à Cancún"), campaign)[0].score
    three = rank_cases(letter("Wendy Galarza, à Cancún"), campaign)[0].score
    assert one < two < three <= 1.0
    # Repeating a word is not more evidence.
    assert rank_cases(letter("Galarza, Galarza, Galarza"), campaign)[0].score == one


def _accented(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", ch + "\u0301") if ch in "aeiou" else ch for ch in text)


@settings(max_examples=60, deadline=None)
@given(index=st.integers(0, 9), flips=st.lists(st.booleans(), min_size=60, max_size=60),
       accents=st.booleans())
def test_any_casing_or_accents_of_a_person_still_match(campaign, index, flips, accents):
    case = campaign.cases[index]
    name = "".join(ch.upper() if flip else ch.lower() for ch, flip in zip(case.person, flips))
    name = _accented(name) if accents else name
    assert picked(letter(name), campaign) == case.code
