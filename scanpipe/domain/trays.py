"""The tray plan of the sorting table: which tray each piece goes into.

Every destination of the campaign (an embassy, a person, their relatives, a
partner office) has a tray; three more hold the kit envelopes, the pieces
waiting for review and the pieces set aside. The plan is a mapping from these
keys to short labels ("1", "12", "R") printed above the trays.
"""

from __future__ import annotations

import re

from scanpipe.domain.campaign import Campaign, letter_destination, postcard_destination
from scanpipe.domain.errors import CodedError
from scanpipe.domain.routing import Kind, Reason, Status

REVIEW = "review"
SET_ASIDE = "set-aside"
ENVELOPES = "kit-envelopes"
SPECIAL = (REVIEW, SET_ASIDE, ENVELOPES)
_DEFAULT_SPECIAL = {REVIEW: "R", SET_ASIDE: "X", ENVELOPES: "E"}
_LABEL = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,7}$")


class TrayPlanError(CodedError):
    """A tray plan that cannot be used; the message says which entry and why."""


def destinations(campaign: Campaign) -> list[str]:
    """The campaign's destinations in a stable order: embassies (as in the file), then
    where postcards go (in the order of the cases)."""
    seen: list[str] = []
    for embassy in campaign.embassies:
        if any(case.embassy == embassy.code for case in campaign.cases):
            seen.append(f"embassy:{embassy.code}")
    for case in campaign.cases:
        for destination in (letter_destination(case), postcard_destination(case)):
            if destination not in seen:
                seen.append(destination)
    return seen


def default_plan(campaign: Campaign) -> dict[str, str]:
    """Trays numbered 1, 2, 3… in the order of `destinations`, then R, X and E."""
    plan = {destination: str(number) for number, destination in enumerate(destinations(campaign), 1)}
    plan.update(_DEFAULT_SPECIAL)
    return plan


def check_plan(plan: dict[str, str], campaign: Campaign) -> dict[str, str]:
    """A complete plan: every key known, every label well formed and used once."""
    known = set(destinations(campaign)) | set(SPECIAL)
    complete = {**default_plan(campaign), **plan}
    for key, label in plan.items():
        if key not in known:
            raise TrayPlanError(f"{key!r} is not a destination of campaign {campaign.id}",
                                "unknown", destination=key)
        if not _LABEL.match(label):
            raise TrayPlanError(f"tray {label!r} for {key}: use 1 to 8 letters, digits or '-'",
                                "label", label=label, destination=key)
    owners: dict[str, str] = {}
    for key, label in complete.items():
        if label.upper() in owners:
            raise TrayPlanError(f"tray {label!r} is given to both {owners[label.upper()]} and {key}: "
                                "each tray holds one destination, so bundles stay apart", "twice",
                                label=label, first=owners[label.upper()], second=key)
        owners[label.upper()] = key
    return {key: complete[key] for key in [*destinations(campaign), *SPECIAL]}


# Rejected pages that are a side of another page: the paper stays with that page.
_SIDES = frozenset({Reason.BLANK_PAGE.value, Reason.POSTCARD_PICTURE_SIDE.value})


def tray_key(kind: str, status: str, destination: str | None, reasons: list[str]) -> str | None:
    """Which tray of the plan a piece goes into; None when it goes nowhere of its own (the
    blank back of a sheet stays with its sheet, a postcard's picture side with its message
    side). A letter to the person goes where its destination says: the postcards' tray."""
    if status == Status.REJECTED.value:
        return None if _SIDES.intersection(reasons) else SET_ASIDE
    if status == Status.REVIEW.value:
        return REVIEW
    if kind == Kind.KIT_ENVELOPE.value:
        return ENVELOPES
    return destination
