"""A page without a valid code, decided from its printed text: which case, what kind of piece,
written to whom.

The case comes from `matching` (only a case whose person is named routes); the kind from
the paper and the title (an A6 card is a postcard, a sheet titled as a petition with a
signature column a petition sheet); for a letter, `addressee` says whether it is written
to the authority (a letter, to the embassy) or to the person (a solidarity letter, where
the case's postcards go). Whatever is unclear goes to review with its reason and the
ranked candidates.
"""

from __future__ import annotations

from dataclasses import replace

from scanpipe.domain.campaign import Campaign, Case
from scanpipe.domain.found import Candidate
from scanpipe.domain.routing import Decision, Finding, Kind, Reason, Status, route_by_text, uncounted_petition
from scanpipe.reading import addressee
from scanpipe.reading.matching import MatchSettings, persons_of, pick_case, rank_cases
from scanpipe.reading.normalise import SizeClass
from scanpipe.reading.ocr import OcrText

_PETITION_WORDS = ("petition", "petitie")
_SIGNATURE_WORDS = ("signature", "handtekening")
MIN_WORDS = 5  # fewer printed words read than this: the page is handwriting (or nothing)


def names_a_case(text: OcrText, campaign: Campaign, settings: MatchSettings) -> bool:
    """Whether the text names one case clearly enough to route (a witness of its orientation)."""
    return pick_case(rank_cases(text, campaign), settings) is not None


def decide_by_text(text: OcrText, size: SizeClass, coded: Decision, campaign: Campaign,
                   settings: MatchSettings) -> Decision:
    """Route the page by its text, or send it to review saying why.

    `coded` is the decision its codes gave (review: no code, or someone else's, or a
    damaged one of ours — the last two never route by text).
    """
    candidates = rank_cases(text, campaign)
    pick = pick_case(candidates, settings)
    kind = kind_without_code(size, text.text)
    why_not = None if pick is not None else explain(text, candidates, settings)
    if kind is Kind.LETTER and candidates:
        case = campaign.case((pick or candidates[0]).case)
        assert case is not None  # the matcher ranks this campaign's cases only
        to = addressee.addressee_of(text.text, person_words(case))
        if to.addressee is addressee.Addressee.PERSON:
            kind = Kind.SOLIDARITY_LETTER
        elif to.addressee is addressee.Addressee.UNCLEAR and pick is not None:
            why_not = Finding(Reason.ADDRESSEE_UNCLEAR,
                              f"case {pick.case} named, but is the letter to the authority or to "
                              f"the person? ({to.detail})")
            pick = None
        decision = route_by_text(coded, kind, candidates, pick, campaign, why_not=why_not)
        if decision.status is Status.ROUTED:
            routed = decision.findings[0]
            said = "to the person" if kind is Kind.SOLIDARITY_LETTER else "to the authority"
            decision = replace(decision, findings=(
                replace(routed, detail=f"{routed.detail}; {said}: {to.detail}"),
                *decision.findings[1:]))
        return decision
    decision = route_by_text(coded, kind, candidates, pick, campaign, why_not=why_not)
    if decision.status is Status.ROUTED and kind is Kind.PETITION:
        decision = uncounted_petition(decision)  # rows are placed from the code; none here
    return decision


def person_words(case: Case) -> tuple[str, ...]:
    """The names a letter to the case's person greets them by: given and family names,
    nicknames, of each person of the case."""
    people, _ = persons_of(case)
    words: list[str] = []
    for person in people:
        words += [w for w in (person.given, person.family, *person.nicknames) if w]
    return tuple(words)


def kind_without_code(size: SizeClass, text: str) -> Kind:
    """An A6 card is a postcard; a sheet titled as a petition with signature columns is one."""
    if size is SizeClass.A6:
        return Kind.POSTCARD
    folded = text.casefold().replace("é", "e")
    if any(w in folded for w in _PETITION_WORDS) and any(w in folded for w in _SIGNATURE_WORDS):
        return Kind.PETITION
    return Kind.LETTER


def _evidence(candidate: Candidate) -> str:
    return ", ".join(f"{hit.evidence.replace('_', ' ')} {hit.found!r}" for hit in candidate.hits[:3])


def explain(text: OcrText, candidates: tuple[Candidate, ...], match: MatchSettings) -> Finding:
    """Why a page's text does not route it: the finding a reviewer reads."""
    words = len(text.words)
    if words < MIN_WORDS:
        return Finding(Reason.OCR_NO_TEXT, f"only {words} printed words read (handwriting is not read)")
    if not candidates:
        return Finding(Reason.OCR_NO_MATCH, f"{words} words read; no case named")
    named = [c for c in candidates if c.named]
    if len(named) > 1:
        return Finding(Reason.OCR_AMBIGUOUS, "several cases are named: " + "; ".join(
            f"{c.case} ({_evidence(c)})" for c in named[:3]))
    best = candidates[0]
    if named and len(candidates) > 1 and best.score - candidates[1].score < match.min_margin:
        other = candidates[1]
        return Finding(Reason.OCR_AMBIGUOUS,
                       f"case {best.case} is named ({_evidence(best)}), but case {other.case} is "
                       f"mentioned too ({_evidence(other)})")
    if named:
        return Finding(Reason.OCR_WEAK, f"case {best.case} named, but weakly ({best.score:.2f}: "
                                        f"{_evidence(best)})")
    return Finding(Reason.OCR_WEAK,
                   f"no person named: case {best.case} only by {_evidence(best)} (a case is named "
                   f"by its person's full name, or a name with a detail of the case)")
