"""Campaigns side by side: the routed pieces of any campaign the ledger holds, per case and kind,
and the comparison of two campaigns (years).

A case comes back from one year to the next under the same code, or under another code for the
same person: cases are matched by code first, then by the person's name (compared without case,
accents or extra spaces). A case matched neither way is one year's only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from models.store import tables as t
from models.store.core import StoreCore, UnknownCampaign, known_campaigns
from scanpipe.domain.routing import Kind, Status

if TYPE_CHECKING:
    from models.store.core import SummaryRow

# What a campaign publishes per case, in this order: letters to the authority, letters to the
# person, postcards, petition sheets, and the signatures counted on those sheets.
FIGURES = ("letters", "solidarity_letters", "postcards", "petitions", "signatures")
_KIND_FIGURE = {Kind.LETTER.value: "letters", Kind.SOLIDARITY_LETTER.value: "solidarity_letters",
                Kind.POSTCARD.value: "postcards", Kind.PETITION.value: "petitions"}


@dataclass(frozen=True)
class CaseFigures:
    """One case of one campaign and its routed pieces."""

    code: str
    person: str
    figures: dict[str, int] = field(default_factory=dict)  # FIGURES → count

    def get(self, figure: str) -> int:
        return self.figures.get(figure, 0)


@dataclass(frozen=True)
class ComparedCase:
    """One case of either year, or of both; `matched_by` says how the two were paired."""

    a: CaseFigures | None
    b: CaseFigures | None
    matched_by: str  # "code", "person", "a_only" or "b_only"

    @property
    def person(self) -> str:
        either = self.a or self.b
        return either.person if either is not None else ""

    def pair(self, figure: str) -> tuple[int, int, int]:
        """Year A's count, year B's, and B − A."""
        a = self.a.get(figure) if self.a else 0
        b = self.b.get(figure) if self.b else 0
        return a, b, b - a


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    cases: tuple[ComparedCase, ...]

    def totals(self) -> dict[str, tuple[int, int, int]]:
        """Per figure: A's total, B's total, B − A."""
        out = {}
        for figure in FIGURES:
            a = sum(c.pair(figure)[0] for c in self.cases)
            b = sum(c.pair(figure)[1] for c in self.cases)
            out[figure] = (a, b, b - a)
        return out


def person_key(name: str) -> str:
    """A person's name as compared between years: no case, accents or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def compare_cases(a_id: str, a: Iterable[CaseFigures], b_id: str, b: Iterable[CaseFigures]) -> Comparison:
    """Pair the cases of two campaigns: by code, then by person; the rest are one year's only."""
    left = {case.code: case for case in a}
    right = {case.code: case for case in b}
    compared: list[ComparedCase] = []
    for code in sorted(left.keys() & right.keys()):
        compared.append(ComparedCase(left.pop(code), right.pop(code), "code"))
    by_person: dict[str, list[CaseFigures]] = {}
    for case in sorted(right.values(), key=lambda c: c.code):
        by_person.setdefault(person_key(case.person), []).append(case)
    for case in sorted(left.values(), key=lambda c: c.code):
        others = by_person.get(person_key(case.person))
        if others:
            other = others.pop(0)
            right.pop(other.code)
            compared.append(ComparedCase(case, other, "person"))
        else:
            compared.append(ComparedCase(case, None, "a_only"))
    compared += [ComparedCase(None, case, "b_only") for case in sorted(right.values(), key=lambda c: c.code)]
    return Comparison(a_id, b_id, tuple(compared))


class YearVerbs(StoreCore):
    """The store's verbs across the campaigns it holds (part of `models.store.Store`)."""

    if TYPE_CHECKING:
        def routing_summary(self, campaign_id: str | None = None) -> list[SummaryRow]: ...

    def case_figures(self, campaign_id: str) -> list[CaseFigures]:
        """Every case of `campaign_id` with its routed pieces per kind and the signatures counted
        on its petition sheets (`routing_summary`'s routed pieces of that campaign);
        raises `UnknownCampaign` for a campaign the ledger does not hold."""
        with Session(self.engine) as session:
            known = known_campaigns(session)
            if campaign_id not in known:
                raise UnknownCampaign(f"this ledger holds no campaign {campaign_id!r}; the campaigns "
                                      f"it holds: {', '.join(known) or 'none'}")
            persons = {row.code: row.person for row in session.exec(
                select(t.CaseRow).where(t.CaseRow.campaign_id == campaign_id))}
        figures: dict[str, dict[str, int]] = {code: {} for code in persons}
        for row in self.routing_summary(campaign_id):
            if row.status != Status.ROUTED.value or not row.case or row.kind not in _KIND_FIGURE:
                continue
            of = figures.setdefault(row.case, {})
            of[_KIND_FIGURE[row.kind]] = of.get(_KIND_FIGURE[row.kind], 0) + row.count
            if row.kind == Kind.PETITION.value:
                of["signatures"] = of.get("signatures", 0) + int(row.signatures or 0)
        return [CaseFigures(code, persons.get(code, ""), of) for code, of in sorted(figures.items())]

    def compare_campaigns(self, a: str, b: str) -> Comparison:
        """Campaign `a` and campaign `b` side by side, per case and kind."""
        return compare_cases(a, self.case_figures(a), b, self.case_figures(b))
