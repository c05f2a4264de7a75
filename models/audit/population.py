"""The pieces a risk-limiting sample is drawn from, where each one is, and the seeded draw.

The population: every piece routed to a destination that the office still holds or has
delivered — in its tray waiting for a bundle, in a bundle (prepared, dispatched, or refused
and back), or delivered at its destination. Its strata are those three places, so that the
checkers know where to go: the tray, the bundle and the piece's place in the bundle's list,
or the destination and the receipt scanned back.

The draw is one seeded random order of the whole population (a simple random sample, so the
risk of `models.audit.sampling` holds); round r takes the first n_r pieces of that order, so
a later round contains the earlier ones. Every place that holds pieces is visited: when the
first n_r pieces leave a stratum out, its first piece in the order is added (its errors count
against the audit, its matches prove nothing).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from models.audit.replay import ItemLife, Replay

TRAY, BUNDLE, DELIVERED = "tray", "bundle", "delivered"
STRATA = (TRAY, BUNDLE, DELIVERED)
_STRATUM_OF = {"waiting": TRAY, "bundled": BUNDLE, "dispatched": BUNDLE, "back": BUNDLE,
               "delivered": DELIVERED}
SEED_VERSION = "scanpipe-sample/2"  # a new way of drawing gets a new name: old seeds stay valid


@dataclass(frozen=True)
class Place:
    """Where to find a piece."""

    stratum: str               # tray, bundle or delivered
    tray: str | None           # the tray's label (tray: where it waits)
    bundle: int | None         # its bundle (bundle, delivered)
    position: int | None       # its place in the bundle's list, as printed on the sheet
    bundle_state: str | None   # prepared, dispatched, refused, returned, delivered
    receipt_item: int | None   # the signed sheet scanned back (delivered)


@dataclass(frozen=True)
class SamplePiece:
    draw: int          # its place in the seeded order: 1 is drawn first
    item_id: int
    extra: bool        # added so that its stratum is visited (beyond the round's draws)
    stratum: str       # its stratum when drawn (as of the sample's event)
    place: Place       # where it is now (the newest event): go there to find it
    destination: str
    case: str | None
    kind: str
    source: str
    image_sha256: str


@dataclass(frozen=True)
class Sample:
    seed: str
    as_of: int                    # the newest event the draw saw: the same seed and as_of, the same order
    population: int               # pieces it was drawn from
    strata: dict[str, int]        # pieces per stratum
    draws: int                    # pieces of the seeded order this round reaches
    previous: int                 # ... and the earlier rounds reached (0 for round 1)
    pieces: tuple[SamplePiece, ...]  # this round's new pieces, as found on the shelves
    order: tuple[int, ...]        # the whole population in the seeded order
    stratum_of: Mapping[int, str]  # each piece's stratum when drawn

    def reach(self, draws: int) -> tuple[list[int], list[int]]:
        """The pieces a round of `draws` takes: the first `draws` of the order, and those
        added so that every stratum is visited."""
        return reached(self.order, self.stratum_of, draws)

    def round_items(self, draws: int) -> set[int]:
        """Every piece the rounds up to `draws` take (none for 0)."""
        if draws <= 0:
            return set()
        head, extras = self.reach(draws)
        return {*head, *extras}


def stratum(state: Replay, item: ItemLife) -> str | None:
    """The stratum a piece is in, None when it is not in the population."""
    return _STRATUM_OF.get(state.outcome(item))


def population(state: Replay) -> list[int]:
    """The ids of every piece in the population, in id order."""
    return sorted(i.id for i in state.items.values() if stratum(state, i) is not None)


def seeded_order(seed: str, ids: list[int]) -> list[int]:
    """The population in the seed's random order (the same seed, the same order)."""
    order = list(ids)
    random.Random(f"{SEED_VERSION}:{seed}").shuffle(order)
    return order


def reached(order: Sequence[int], strata: Mapping[int, str], draws: int) -> tuple[list[int], list[int]]:
    """The first `draws` of the order, and the pieces added so that every stratum is visited."""
    head = list(order[:draws])
    seen = {strata[i] for i in head}
    extras: list[int] = []
    for item_id in order[draws:]:
        if strata[item_id] not in seen:
            seen.add(strata[item_id])
            extras.append(item_id)
    return head, extras


def place(state: Replay, item: ItemLife, trays: Mapping[str, str]) -> Place | None:
    """Where a piece is in `state`; None when it is in none of the strata there."""
    where = stratum(state, item)
    if where is None:
        return None
    if where == TRAY:
        destination = item.state.get("destination") or ""
        return Place(TRAY, trays.get(destination, destination), None, None, None, None)
    assert item.bundle is not None  # bundled or delivered: it is in a bundle
    bundle = state.bundles[item.bundle]
    return Place(where, None, bundle.id, sorted(bundle.items).index(item.id) + 1, bundle.state,
                 bundle.receipt_item if where == DELIVERED else None)


def draw(state: Replay, seed: str, draws: int | Callable[[int], int], *, previous: int = 0,
         now: Replay | None = None, trays: Mapping[str, str] | None = None) -> Sample:
    """Round `previous` → `draws` of the seeded sample of `state`'s population (`draws`: a
    number, or a function of the population's size): the pieces the round adds, each with
    where it is in `now` (the newest state; `state` by default)."""
    ids = population(state)
    reach = min(len(ids), draws(len(ids)) if callable(draws) else draws)
    if ids and not 0 <= previous < reach:
        raise ValueError(f"a round reaches further than the earlier ones ({previous}), not {reach}")
    strata = {i: stratum(state, state.items[i]) or "" for i in ids}
    order = seeded_order(seed, ids)
    sample = Sample(seed, state.head_seq, len(ids), dict(Counter(strata.values())), reach, previous,
                    (), tuple(order), strata)
    new = sample.round_items(reach) - sample.round_items(previous)
    rank = {item_id: number for number, item_id in enumerate(order, 1)}
    extras = set(sample.reach(reach)[1])
    current = now or state
    pieces = []
    for item_id in new:
        item = state.items[item_id]
        found = current.items.get(item_id)
        where = (place(current, found, trays or {}) if found else None) or place(state, item, trays or {})
        assert where is not None  # in the population of `state`
        pieces.append(SamplePiece(rank[item_id], item_id, item_id in extras, strata[item_id], where,
                                  item.state.get("destination") or "", item.state.get("case"),
                                  item.kind or "", item.source, item.sha256))
    pieces.sort(key=_shelf_order)
    return replace(sample, pieces=tuple(pieces))


def _shelf_order(piece: SamplePiece) -> tuple[int, str, int, int, int]:
    """Trays first, then bundle by bundle in list order (delivered ones too), so a checker
    walks the shelves once."""
    p = piece.place
    return (STRATA.index(p.stratum), p.tray or "", p.bundle or 0, p.position or 0, piece.item_id)
