"""Pages that are sides of a file rather than pieces: blank backs and postcard picture sides.

The recogniser rejects the blank back of a duplex scan (`BLANK_PAGE`) and the picture side
of a kit postcard whose message side is the piece (`POSTCARD_PICTURE_SIDE`). They are
counted apart, as sides of their file — never as unreadable files, never as pieces — so
nobody reads a duplex back as a lost letter. The same rule serves the audit's replay (from
the events) and the station's counts (from the item table, `models.store.sorting`).
"""

from __future__ import annotations

from enum import StrEnum

from scanpipe.domain.routing import Method, Reason, Status


class Side(StrEnum):
    """What a rejected page that is not a piece is."""

    BLANK = "blank_side"      # the empty back of a sheet
    PICTURE = "picture_side"  # the picture side of a kit postcard


# In order: a page whose reasons name both is counted once, as the first.
SIDE_REASONS = ((Reason.BLANK_PAGE.value, Side.BLANK),
                (Reason.POSTCARD_PICTURE_SIDE.value, Side.PICTURE))


def side_of(status: str | None, reasons: list[str] | None) -> Side | None:
    """The side a page is, or None when it is a piece, in review, set aside or unreadable."""
    if status != Status.REJECTED.value:
        return None
    found = set(reasons or ())
    return next((side for reason, side in SIDE_REASONS if reason in found), None)


def rejected_as(reasons: list[str] | None, method: str | None) -> str:
    """What a rejected page counts as: a `Side`'s value, `set_aside` (a person's decision)
    or `unreadable` (its file could not be read) — the audit's outcomes of such a page."""
    side = side_of(Status.REJECTED.value, reasons)
    if side is not None:
        return side.value
    return "set_aside" if method == Method.MANUAL.value else "unreadable"


def split_rejected(by_status: dict[str, int], sides: dict[str, int]) -> dict[str, int]:
    """Counts per status with the blank backs and picture sides taken out of `rejected`."""
    out = dict(by_status)
    taken = sum(sides.values())
    if taken:
        rejected = out.get(Status.REJECTED.value, 0) - taken
        if rejected:
            out[Status.REJECTED.value] = rejected
        else:
            out.pop(Status.REJECTED.value, None)
        out.update(sides)
    return out
