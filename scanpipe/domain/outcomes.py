"""What became of a case (freed, acquitted…), and which days a campaign's records may bear.

An outcome is recorded with its day and its source (a press release, a partner's word); a
correction is a new record that names the one it corrects. Pure: today is given.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from scanpipe.domain.campaign import Campaign

YEARS_BEFORE = 5  # days before January 1st of the campaign's year minus this are refused


class Outcome(StrEnum):
    FREED = "freed"
    ACQUITTED = "acquitted"
    CHARGES_DROPPED = "charges-dropped"
    RELEASED_ON_BAIL = "released-on-bail"
    SENTENCE_REDUCED = "sentence-reduced"
    OTHER = "other"


def earliest_day(campaign: Campaign) -> date:
    """The first day a record of `campaign` may bear: January 1st of its year (its deadline's)
    minus `YEARS_BEFORE` — a case is often years old when the campaign takes it up."""
    return date(campaign.deadline.year - YEARS_BEFORE, 1, 1)


def check_day(day: date, campaign: Campaign, today: date) -> None:
    """Raises ValueError, saying why, for a day after `today` or before `earliest_day`."""
    if day > today:
        raise ValueError(f"{day.isoformat()} is in the future")
    earliest = earliest_day(campaign)
    if day < earliest:
        raise ValueError(f"{day.isoformat()} is before {earliest.isoformat()}, too early for "
                         f"campaign {campaign.id}")
