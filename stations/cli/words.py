"""The command line's words for kinds of pieces and for pages that are not pieces (English).

The command line speaks English; the station app and the papers have their own words in
French, English and Dutch (`stations.web.text`, `scanpipe.domain.i18n`, `stations.audit_words`).
A letter to the person is never called a "letter" alone: a count of letters would
otherwise read as letters to the authority.
"""

from __future__ import annotations

# kind (the values of `scanpipe.domain.routing.Kind`, kept as text so that a command's --help
# loads no pipeline; a test checks that every kind is named) → (one, many)
_KINDS: dict[str, tuple[str, str]] = {
    "letter": ("letter to the authority", "letters to the authority"),
    "solidarity_letter": ("letter to the person", "letters to the person"),
    "postcard": ("postcard", "postcards"),
    "petition": ("petition sheet", "petition sheets"),
    "kit_envelope": ("kit envelope", "kit envelopes"),
    "delivery_receipt": ("delivery receipt", "delivery receipts"),
    "unknown": ("unknown page", "unknown pages"),
}

# What a rejected page counts as (`models.sides.rejected_as`) → (one, many)
_REJECTED: dict[str, tuple[str, str]] = {
    "blank_side": ("blank side", "blank sides"),
    "picture_side": ("postcard picture side", "postcard picture sides"),
    "unreadable": ("unreadable page", "unreadable pages"),
    "set_aside": ("page set aside", "pages set aside"),
}
REJECTED_ORDER = tuple(_REJECTED)


def kind_word(kind: str, count: int = 1) -> str:
    """A kind as people say it, singular or plural after `count`; an unknown value as it is."""
    one, many = _KINDS.get(kind, (kind, kind))
    return one if count == 1 else many


def counted(count: int, kind: str) -> str:
    """'3 letters to the person', '1 postcard'."""
    return f"{count} {kind_word(kind, count)}"


def plural(count: int, noun: str) -> str:
    """'1 piece', '3 pieces': a count and a noun that takes an s."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def counted_rejected(count: int, counted_as: str) -> str:
    """'2 blank sides', '1 postcard picture side'."""
    one, many = _REJECTED.get(counted_as, (counted_as, counted_as))
    return f"{count} {one if count == 1 else many}"


def kinds() -> frozenset[str]:
    """Every kind these words name (tests check that none is missing)."""
    return frozenset(_KINDS)
