"""What became of a case (freed, acquitted…), and which days a campaign's records may bear.

An outcome is recorded with its day and its source (a press release, a partner's word); a
correction is a new record that names the one it corrects. Pure: today is given.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from scanpipe.domain.campaign import Campaign
from scanpipe.domain.season import OUTCOME_YEARS_BEFORE, DayUse, earliest_outcome_day
from scanpipe.domain.season import check_day as check_typed_day

YEARS_BEFORE = OUTCOME_YEARS_BEFORE  # outcomes before January 1st of the deadline's year minus this


class Outcome(StrEnum):
    FREED = "freed"
    ACQUITTED = "acquitted"
    CHARGES_DROPPED = "charges-dropped"
    RELEASED_ON_BAIL = "released-on-bail"
    SENTENCE_REDUCED = "sentence-reduced"
    OTHER = "other"


def earliest_day(campaign: Campaign) -> date:
    """The first day an outcome of `campaign` may bear (see `season.earliest_outcome_day`)."""
    return earliest_outcome_day(campaign)


def check_day(day: date, campaign: Campaign, today: date) -> None:
    """Raises ValueError (`season.DayRefused`), saying why, for an outcome's day after `today`
    or before `earliest_day`."""
    check_typed_day(day, campaign, today, DayUse.OUTCOME)
