"""The days a date typed by a person may be, against the campaign's season.

A delivery, a paper's date, a day in an import, an outcome or a purge's bound is typed, and a
typo (1999, 2030) would otherwise be recorded as if it were true. Each use has its rule
(`DayUse`); `day_problem` says what is wrong with a day, `check_day` raises `DayRefused` saying
it in English. A date the clock gives is not checked here. Pure: callers pass `today`.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from scanpipe.domain.campaign import Campaign

OUTCOME_YEARS_BEFORE = 5  # an outcome may be dated from January 1st of the deadline's year minus this


class DayUse(StrEnum):
    """What a typed day is for, which sets the days it may be."""

    DELIVERY = "delivery"  # a bundle received, a paper's date: in the season or today, not after
    RECORD = "record"      # a day in an import (a signature): in the season, not after today
    PLANNING = "planning"  # the day to list reminders for: in the season (it may be ahead)
    OUTCOME = "outcome"    # what became of a case: from `earliest_outcome_day`, not after today
    PURGE = "purge"        # 'delivered before': from the season's start, up to tomorrow


class DayProblem(StrEnum):
    """Why a typed day is refused."""

    FUTURE = "future"                # after today (a purge's bound: after tomorrow)
    BEFORE_SEASON = "before_season"  # before the season's start
    AFTER_SEASON = "after_season"    # after the season's end
    TOO_EARLY = "too_early"          # an outcome before `earliest_outcome_day`


def earliest_outcome_day(campaign: Campaign) -> date:
    """The first day an outcome of `campaign` may bear: January 1st of its deadline's year minus
    `OUTCOME_YEARS_BEFORE` — a case is often years old when the campaign takes it up; it may be
    after the season's end (a prisoner freed a year later)."""
    return date(campaign.deadline.year - OUTCOME_YEARS_BEFORE, 1, 1)


def latest_day(use: DayUse, today: date) -> date | None:
    """The last day `use` allows whatever the season (None: the season's end only)."""
    match use:
        case DayUse.PURGE:
            return today + timedelta(days=1)  # 'before tomorrow': everything delivered so far
        case DayUse.PLANNING:
            return None
        case DayUse.DELIVERY | DayUse.RECORD | DayUse.OUTCOME:
            return today


def day_problem(day: date, campaign: Campaign, today: date, use: DayUse, *,
                outside_season: bool = False) -> DayProblem | None:
    """What is wrong with `day` typed for `use`, or None. `outside_season`: the person says a
    delivery after the season's end is real (never one before its start, nor in the future).
    A delivery or a paper dated today is never refused: the clock's day is no typing error
    (a screen offers it, and a command takes it when no day is given)."""
    latest = latest_day(use, today)
    if latest is not None and day > latest:
        return DayProblem.FUTURE
    if use is DayUse.DELIVERY and day == today:
        return None
    season = campaign.season
    if use is DayUse.OUTCOME:
        return DayProblem.TOO_EARLY if day < earliest_outcome_day(campaign) else None
    if day < season.start:
        return DayProblem.BEFORE_SEASON
    late_allowed = use is DayUse.PURGE or (use is DayUse.DELIVERY and outside_season)
    if day > season.end and not late_allowed:
        return DayProblem.AFTER_SEASON
    return None


class DayRefused(ValueError):
    """A typed day its use does not allow; the message says why, in English."""

    def __init__(self, day: date, problem: DayProblem, campaign: Campaign, today: date,
                 use: DayUse):
        self.day, self.problem, self.use = day, problem, use
        match problem:
            case DayProblem.FUTURE:
                latest = latest_day(use, today) or today
                said = (f"is in the future (today is {today.isoformat()})" if latest == today
                        else f"is after {latest.isoformat()} (today is {today.isoformat()})")
            case DayProblem.BEFORE_SEASON | DayProblem.AFTER_SEASON:
                said = (f"is outside the season of campaign {campaign.id} "
                        f"({campaign.season.describe()})")
            case DayProblem.TOO_EARLY:
                said = (f"is before {earliest_outcome_day(campaign).isoformat()}, too early for "
                        f"campaign {campaign.id}")
        super().__init__(f"{day.isoformat()} {said}")


def check_day(day: date, campaign: Campaign, today: date, use: DayUse, *,
              outside_season: bool = False) -> date:
    """`day` if `use` allows it (see `day_problem`); else raises `DayRefused`."""
    problem = day_problem(day, campaign, today, use, outside_season=outside_season)
    if problem is not None:
        raise DayRefused(day, problem, campaign, today, use)
    return day
