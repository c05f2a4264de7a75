"""The campaign's figures as it publishes them: per case and in total, the letters to the
authority, the letters to the person, the postcards, the petition sheets and the signatures
counted on them, the online signatures by source, and "letters and signatures".

Counted from what the store already counts, never a third way: the pieces and paper signatures
are `Store.routing_summary`'s routed pieces (what `scanpipe summary` prints: duplicates,
rejected pages and pieces in review are not pieces), the online signatures the imports not
voided, the outcomes those not corrected. A petition sheet whose signatures were not counted is
shown as such: its signatures are unknown, not 0, and the totals say they are incomplete.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from models.events import PIECE_KINDS
from models.store.core import SummaryRow
from models.store.outcomes import OutcomeView, standing
from models.store.signatures import OnlineCount
from scanpipe.domain.campaign import Campaign
from scanpipe.domain.routing import Kind, Status


@dataclass(frozen=True)
class CaseFigures:
    case: str                    # a case code, or "total"
    person: str
    letters: int = 0             # letters to the authority
    solidarity_letters: int = 0  # letters to the person
    postcards: int = 0
    petitions: int = 0           # petition sheets
    paper_signatures: int = 0    # signatures counted on the sheets that were counted
    uncounted_sheets: int = 0    # sheets whose signatures were not counted
    online: tuple[tuple[str, int], ...] = ()  # (source, signatures), by source
    outcomes: tuple[OutcomeView, ...] = field(default=(), compare=False)

    @property
    def online_signatures(self) -> int:
        return sum(n for _, n in self.online)

    @property
    def letters_and_signatures(self) -> int:
        """What the campaign publishes: every letter and postcard, and every signature (paper
        and online); a lower bound while `uncounted_sheets` is not 0."""
        return (self.letters + self.solidarity_letters + self.postcards + self.paper_signatures
                + self.online_signatures)

    @property
    def complete(self) -> bool:
        return self.uncounted_sheets == 0


@dataclass(frozen=True)
class Figures:
    campaign_id: str
    campaign_name: str
    cases: tuple[CaseFigures, ...]
    total: CaseFigures

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({s for c in self.cases for s, _ in c.online}))


def campaign_figures(campaign: Campaign, summary: Iterable[SummaryRow], online: Iterable[OnlineCount],
                     outcomes: list[OutcomeView]) -> Figures:
    """Every case of the campaign (those with nothing yet too) and any other case a piece was
    routed to, then the total."""
    counts: dict[str, dict[str, int]] = {}
    for row in summary:
        if row.status != Status.ROUTED.value or not row.case or row.kind not in PIECE_KINDS:
            continue
        case = counts.setdefault(row.case, {})
        case[row.kind] = case.get(row.kind, 0) + row.count
        if row.kind == Kind.PETITION.value:
            case["signatures"] = case.get("signatures", 0) + (row.signatures or 0)
            case["uncounted"] = case.get("uncounted", 0) + row.uncounted
    by_source: dict[str, dict[str, int]] = {}
    for count in online:
        sources = by_source.setdefault(count.case, {})
        sources[count.source] = sources.get(count.source, 0) + count.count
    standing_outcomes = standing(outcomes)
    persons = {c.code: c.person for c in campaign.cases}
    codes = [c.code for c in campaign.cases]
    codes += sorted((set(counts) | set(by_source) | set(standing_outcomes)) - set(codes))
    rows = tuple(_case(code, persons.get(code, ""), counts.get(code, {}), by_source.get(code, {}),
                       standing_outcomes.get(code, [])) for code in codes)
    return Figures(campaign.id, campaign.name, rows, _total(rows))


def _case(code: str, person: str, counts: dict[str, int], online: dict[str, int],
          outcomes: list[OutcomeView]) -> CaseFigures:
    return CaseFigures(code, person, counts.get(Kind.LETTER.value, 0),
                       counts.get(Kind.SOLIDARITY_LETTER.value, 0), counts.get(Kind.POSTCARD.value, 0),
                       counts.get(Kind.PETITION.value, 0), counts.get("signatures", 0),
                       counts.get("uncounted", 0), tuple(sorted(online.items())), tuple(outcomes))


def _total(rows: tuple[CaseFigures, ...]) -> CaseFigures:
    online: dict[str, int] = {}
    for row in rows:
        for source, n in row.online:
            online[source] = online.get(source, 0) + n
    return CaseFigures("total", "", sum(r.letters for r in rows),
                       sum(r.solidarity_letters for r in rows), sum(r.postcards for r in rows),
                       sum(r.petitions for r in rows), sum(r.paper_signatures for r in rows),
                       sum(r.uncounted_sheets for r in rows), tuple(sorted(online.items())))
