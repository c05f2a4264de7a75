"""Ranking the cases of a campaign by the printed text of a page."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanpipe.campaign import Campaign, parse_campaign
from scanpipe.matching import (Candidate, CaseMatcher, MatchSettings, fold_words, pick_case,
                               rank_cases)

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


def picked(text: str, campaign: Campaign) -> str | None:
    pick = pick_case(rank_cases(text, campaign), DEFAULTS)
    return pick.case if pick else None


def test_folding_drops_accents_case_and_punctuation():
    assert fold_words("Président de l'État d’Érythrée") == (
        "president", "de", "l", "etat", "d", "erythree")
    assert fold_words("Q'EQCHI’, #EndSARS") == ("q", "eqchi", "endsars")


def test_each_case_named_by_its_person_is_picked(campaign):
    for case in campaign.cases:
        assert picked(letter(case.person), campaign) == case.code, case.person


def test_accents_case_and_ocr_errors_still_match(campaign):
    for naming in ("BERNARDO CAAL XO1", "bernardo caal xol", "M. Caal Xo1, de Cahabon"):
        assert picked(letter(naming), campaign) == "CAAL", naming
    best = rank_cases(letter("Bernardo Caal Xo1"), campaign)[0]
    hit = next(h for h in best.hits if h.term == "Bernardo Caal Xol")
    assert hit.found == "Bernardo Caal Xo1" and 0.8 <= hit.similarity < 1.0


def test_hyphens_apostrophes_and_cut_words(campaign):
    assert picked(letter("Mikita Zala-\ntarou"), campaign) == "MIKITA"
    hits = {h.term: h.found for c in rank_cases("les Qeqchi de Quintana-Roo", campaign) for h in c.hits}
    assert hits == {"q'eqchi'": "Qeqchi", "Quintana Roo": "Quintana-Roo"}


def test_a_term_matches_whole_words_only(campaign):
    for text in ("La Bakery de la rue, les Bakers", "la cuisine chinese", "Zhang Zhang", "rungs"):
        assert rank_cases(text, campaign) == (), text
    assert rank_cases("Mohamed Bakery", campaign) == ()


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
    assert journaliste == []  # JANNA's keyword also describes ZHANG: it carries no weight


def test_two_cases_named_equally_go_to_review(campaign):
    candidates = rank_cases(letter("Zhang Zhan et de Wendy Galarza"), campaign)
    assert [c.case for c in candidates[:2]] == ["WENDY", "ZHANG"]  # tie: by code
    assert candidates[0].score == candidates[1].score
    assert pick_case(candidates, DEFAULTS) is None


def test_the_margin_rule(campaign):
    strong = Candidate("A", 0.95, ())
    assert pick_case((strong,), DEFAULTS) is strong
    assert pick_case((strong, Candidate("B", 0.8, ())), DEFAULTS) is None
    assert pick_case((Candidate("A", 0.4, ()),), DEFAULTS) is None
    assert pick_case((), DEFAULTS) is None


@pytest.mark.parametrize("text", [
    letter("tous les prisonniers d'opinion dans le monde"),
    letter("Nasrin Sotoudeh, avocate emprisonnée en Iran"),
    "",
    "zj 4 ;; ~~ ,. --- ii lI1 ¦ mn",
])
def test_a_text_naming_no_case_picks_none(campaign, text):
    assert picked(text, campaign) is None


def test_weak_evidence_alone_does_not_route(campaign):
    assert picked(letter("la Chine"), campaign) is None
    assert picked(letter("la situation en Thaïlande"), campaign) is None


def test_authority_with_country_routes(campaign):
    text = "Président de la République du Guatemala\n" + letter("la situation au Guatemala")
    assert picked(text, campaign) == "CAAL"


def test_ranking_is_best_first_with_evidence(campaign):
    candidates = rank_cases(letter("Bernardo Caal Xol (Cahabón) et de la Chine"), campaign)
    assert [c.case for c in candidates] == ["CAAL", "ZHANG"]
    assert candidates[0].hits[0].term == "Bernardo Caal Xol"
    assert all(0 < c.score <= 1 for c in candidates)


def test_more_evidence_scores_higher(campaign):
    one = rank_cases(letter("Galarza"), campaign)[0].score
    two = rank_cases(letter("Galarza, à Cancún"), campaign)[0].score
    three = rank_cases(letter("Wendy Galarza, à Cancún"), campaign)[0].score
    assert one < two < three <= 1.0


def test_ranking_a_page_is_fast(campaign):
    matcher = CaseMatcher(campaign)
    page = "\n".join(c.letter or "" for c in campaign.cases) * 3  # ~ 600 words
    matcher.rank(page)
    started = time.perf_counter()
    for _ in range(20):
        matcher.rank(page)
    assert (time.perf_counter() - started) / 20 < 0.02  # measured ~3 ms; loose for slow CI


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
