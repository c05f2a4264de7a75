"""The days typed on the command line, checked against the campaign's season.

A day given to an option (`--on`, `--date`, `--today`, `--delivered-before`) is refused as a
wrong value of that option (exit 2, as a malformed date is), naming the day, the season and what
to do. A day left out is today's and is not checked: only typing errors are caught here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported where used: a command that types no day does not load them
    from models.store import Store
    from scanpipe.domain.campaign import Campaign
    from scanpipe.domain.season import DayRefused, DayUse

# What to do about a refused day, per option and problem (`season.DayProblem`), beside
# checking the year.
_HINTS: dict[tuple[str, str], str] = {
    ("--on", "after_season"): "a delivery after the season's end is recorded with --outside-season",
    ("--date", "after_season"): "leave --date out to print today's date",
    ("--delivered-before", "future"): "every piece delivered up to today is purged with "
                                      "--delivered-before {tomorrow}",
}
_OUTSIDE = ("before_season", "after_season")


def typed_day(store: Store, campaign: Campaign, option: str, value: datetime | date | None,
              use: DayUse, *, outside_season: bool = False) -> date | None:
    """The day given to `option`, if the campaign's season allows it for `use`; None when the
    option was left out. Raises click.UsageError (exit 2) naming the option otherwise."""
    from scanpipe.domain.season import DayRefused, check_day

    if value is None:
        return None
    day = value.date() if isinstance(value, datetime) else value
    today = store.today()
    try:
        return check_day(day, campaign, today, use, outside_season=outside_season)
    except DayRefused as refused:
        raise click.UsageError(_said(refused, campaign, option, today)) from None


def _said(refused: DayRefused, campaign: Campaign, option: str, today: date) -> str:
    """'--on 1999-01-25 is outside the season of campaign … (…): check the year; …'."""
    hints = []
    if refused.problem in (*_OUTSIDE, "too_early"):
        hints.append("check the year")
    hint = _HINTS.get((option, refused.problem))
    if hint:
        hints.append(hint.format(tomorrow=(today + timedelta(days=1)).isoformat()))
    if refused.problem in _OUTSIDE:
        hints.append("or give the campaign file a season of its own: season = { start = "
                     "YYYY-MM-DD, end = YYYY-MM-DD }" if campaign.season.derived else
                     "or widen the season in the campaign file")
    return f"{option} {refused}" + (f": {'; '.join(hints)}." if hints else ".")
