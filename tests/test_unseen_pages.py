"""Routing on pages nobody tuned it on: the unseen generator's pages and real pages.

Pages come from `bench/unseen/` (its own texts, layouts, fonts, hands, scanner and
phone, and two campaigns besides the sample one) with fixed seeds, and from
`../shared/testdata/real-pages/` (real French manuscripts, Tesseract's own scans).
The truth of each generated page comes from how it was made: what its text names
by the issue's rule (`bench/unseen/cases.named_cases`), which QR was pasted on it.
Every page goes through `scanpipe.reading.pipeline.process_file` with its own campaign file.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.unseen import real
from bench.unseen.cases import ROOT as REPO
from bench.unseen.cases import case_infos, named_cases
from bench.unseen.corpus import Job, UnseenSpec, make_job
from scanpipe.domain.campaign import Campaign, parse_campaign
from scanpipe.reading.pipeline import PageResult, process_file

pytestmark = pytest.mark.skipif(not real.available(), reason=f"no real pages in {real.REAL_PAGES}")
SPEC = UnseenSpec()


@functools.cache
def _campaign(rel: str) -> Campaign:
    return parse_campaign((REPO / rel).read_text(encoding="utf-8"))


@functools.cache
def decided(category: str, case: str, lang: str, index: int) -> tuple[tuple[dict, PageResult], ...]:
    """Each page of one generated file, its label and what the pipeline decided."""
    _, data, labels = make_job(Job(f"test-{category}-{index}", category, index, case, lang), SPEC)
    results = process_file(data, _campaign(labels[0]["campaign"]))
    assert len(results) == len(labels), "the pipeline saw another number of pages than were made"
    return tuple(zip(labels, results))


def _seen(result: PageResult) -> str:
    d = result.decision
    detail = f" ({d.findings[0].detail})" if d.findings else ""
    return (f"{d.status.value} {d.kind.value} case={d.case} destination={d.destination} "
            f"reasons={d.reasons}{detail} candidates={[c.case for c in d.candidates][:3]}")


def _case_person(case: str) -> str:
    campaign, code = case.split(":")
    others = sorted((REPO / "bench" / "unseen").glob("campaign-*.toml"))
    for path in (REPO / "samples" / "campaign.toml", *others):
        for info in case_infos(path):
            if info.campaign.id == campaign and info.case.code == code:
                return info.case.person
    raise KeyError(case)


# ------------------------------------------------------------------ the truth the labels come from

@pytest.mark.parametrize("text, named", [
    ("Comme le montre Baker (2011), la répression s'appuie sur des lois vagues. L'Égypte…", set()),
    ("Chère Wendy, tu n'es pas seule.", set()),
    ("Chère Wendy, je sais ce qui s'est passé à Cancún.", {"WENDY"}),
    ("Monsieur le Procureur général, Minsk, Belarus, Zalatarou", set()),
    ("Objet : Bernardo Caal\nJe vous écris au sujet de Zhang Zhan.", {"CAAL", "ZHANG"}),
    ("Excellence, Président de la République du Guatemala, Guatemala, Cahabón", set()),
    ("P.S. Libérez aussi Anna Charyhina.", {"SPHERE"}),
])
def test_a_text_names_a_case_only_by_its_person(text, named):
    infos = case_infos(REPO / "samples" / "campaign.toml")
    assert named_cases(text, infos) == named


def test_the_benchmarks_campaign_files_are_valid_and_their_cases_known():
    for path in sorted((REPO / "bench" / "unseen").glob("campaign-*.toml")):
        infos = case_infos(path)   # parses the file and checks every case's facts against it
        assert len(infos) >= 8 and all(info.facts.people for info in infos)


# ------------------------------------------------------------------ pages that must go to review

MUST_REVIEW = [
    # a newspaper article or a paper citing a namesake of the case, maybe its country
    pytest.param("press_surname", "MDL2021:BAKER", "en", 0, id="paper-citing-Baker"),
    pytest.param("press_surname", "MDL2021:ZHANG", "fr", 3, id="article-citing-Zhang-et-al"),
    pytest.param("press_surname", "W4R2020:JANI", "nl", 1, id="article-citing-Silva"),
    # a letter to the case's authority, its title, address and country, naming no person
    pytest.param("authority_only", "MDL2021:WENDY", "fr", 0, id="authority-only-Quintana-Roo"),
    pytest.param("authority_only", "SVR2022:RITA", "en", 1, id="authority-only-Kyrgyz-prosecutor"),
    # an invoice, newsletter or school note with a place of the case
    pytest.param("address_place", "MDL2021:MIKITA", "fr", 0, id="other-matter-Minsk"),
    pytest.param("address_place", "SVR2022:RITA", "nl", 2, id="other-matter-Bishkek"),
    # a letter naming two cases: subject one, body the other; or a P.S.
    pytest.param("two_cases", "MDL2021:WENDY", "fr", 0, id="two-cases-Wendy-and-another"),
    pytest.param("two_cases", "W4R2020:GATICA", "en", 3, id="two-cases-Gatica-and-another"),
    # a kit card or petition of one case with another case's QR pasted on
    pytest.param("kit_mixup", "MDL2021:WENDY", "fr", 0, id="postcard-photo-with-a-sticker"),
    pytest.param("kit_mixup", "SVR2022:CHOW", "nl", 6, id="petition-photocopied-with-another-code"),
    pytest.param("kit_mixup", "W4R2020:DRARENI", "en", 2, id="postcard-150dpi-with-a-sticker"),
]


@pytest.mark.parametrize("category, case, lang, index", MUST_REVIEW)
def test_a_page_that_names_no_single_case_goes_to_review(category, case, lang, index):
    for label, result in decided(category, case, lang, index):
        assert result.decision.status.value == "review", (
            f"{label['id']} ({label['file']}, {label['content'].get('notes') or label['content']}) "
            f"names no single case and must go to review; got {_seen(result)}")


# ------------------------------------------------------------------ letters that name their case

SOLIDARITY = [
    pytest.param("MDL2021:WENDY", "fr", 0, id="Chere-Wendy"),
    pytest.param("SVR2022:NGUESSAN", "nl", 1, id="Beste-Dorgelesse"),
    pytest.param("W4R2020:GATICA", "en", 2, id="Dear-Gustavo"),
]


@pytest.mark.parametrize("case, lang, index", SOLIDARITY)
def test_a_letter_to_the_person_is_never_sent_to_an_embassy(case, lang, index):
    [(label, result)] = decided("solidarity_letter", case, lang, index)
    d = result.decision
    assert not (d.status.value == "routed" and (d.destination or "").startswith("embassy:")), (
        f"a letter to {_case_person(case)} went to the authorities: {_seen(result)}")
    if d.status.value == "routed":
        assert (d.case, d.destination) == (label["expected"]["case"], label["expected"]["destination"]), \
            _seen(result)


@pytest.mark.parametrize("case, lang, index", [
    pytest.param("MDL2021:CAAL", "fr", 0, id="letter-Caal-Xol"),
    pytest.param("SVR2022:TEODORA", "nl", 1, id="letter-Teodora-del-Carmen-Vasquez"),
])
def test_a_letter_to_the_authority_routes_only_to_its_case_and_embassy(case, lang, index):
    [(label, result)] = decided("plain_letter", case, lang, index)
    d = result.decision
    assert d.status.value in ("routed", "review"), _seen(result)
    if d.status.value == "routed":
        assert (d.case, d.destination) == (label["expected"]["case"], label["expected"]["destination"]), \
            _seen(result)


# ------------------------------------------------------------------ written pages are kept

FAINT = [   # the kind of each is fixed by its seed (checked below)
    pytest.param(0, "pencil", id="pencil-lines"),
    pytest.param(4, "pencil", id="pencil-lines-300dpi"),
    pytest.param(3, "black_band", id="black-band-and-a-few-lines"),
    pytest.param(9, "thin_pen", id="three-lines-in-a-thin-grey-pen"),
    pytest.param(6, "signature", id="signature-alone-photographed"),
    pytest.param(8, "thin_pen", id="thin-grey-pen"),
    pytest.param(10, "short_line", id="one-short-printed-line"),
]


@pytest.mark.parametrize("index, kind", FAINT)
def test_a_faint_written_page_is_kept_for_review(index, kind):
    [(label, result)] = decided("faint_writing", "MDL2021:BAKER", "fr", index)
    assert label["content"]["faint"] == kind
    assert result.decision.status.value != "rejected", (
        f"a written page ({kind}) was rejected: {_seen(result)}")
    assert result.decision.status.value == "review", f"it names nobody: {_seen(result)}"


# ------------------------------------------------------------------ real pages

def _manuscripts() -> list:
    pages = real.manuscript_pages() if real.available() else ()
    return [pytest.param(p, id=p.name) for p in pages[::8]]


@pytest.mark.parametrize("page", _manuscripts())
def test_a_real_handwritten_page_is_never_routed_nor_rejected(page, campaign):
    [result] = process_file(page.path.read_bytes(), campaign)
    assert result.decision.status.value == "review", (
        f"{page.path.name} names no case (it is a French manuscript): {_seen(result)}")


def test_a_real_handwritten_page_recaptured_sideways_is_kept_for_review():
    index = len(real.manuscript_pages()) + 5          # a re-captured manuscript
    [(label, result)] = decided("real_handwriting", "SVR2022:ZINEB", "fr", index)
    assert result.decision.status.value == "review", f"{label['file']}: {_seen(result)}"


@pytest.mark.parametrize("name, degrees", [pytest.param(n, d, id=n) for n, d in real.ORIENTATION_FILES
                                           if n.startswith("phototest")])
def test_tesseracts_phototest_is_read_the_right_way_up_and_goes_to_review(name, degrees, campaign):
    [result] = process_file((real.ORIENTATION / name).read_bytes(), campaign)
    assert result.orientation == degrees, f"{name}: orientation {result.orientation}, not {degrees}"
    assert result.decision.status.value == "review", _seen(result)
