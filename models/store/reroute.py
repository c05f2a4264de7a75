"""Moving routed pieces after a campaign change: an explicit, recorded step.

Loading a new version of the campaign file never moves a piece. When a case's embassy (or
where its postcards go) changed, the pieces routed under the old file and not yet in a bundle
still go to the old place; `reroute` moves them, each with an `item.moved` event that carries
the piece's whole new state, the event it follows and where it went before. Pieces in a bundle
are never moved: the bundle is voided first (a coordinator's decision).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from models.events import PIECE_KINDS, EventType
from models.store import tables as t
from models.store.core import StoreCore
from models.store.ledger import lock_ledger
from models.store.review import state_event
from scanpipe.domain.campaign import Campaign
from scanpipe.domain.routing import Kind, Status, destination_for
from scanpipe.progress import Progress


@dataclass(frozen=True)
class Move:
    """Pieces of one case and kind that go somewhere else under the campaign in force."""

    case: str
    kind: str
    before: str
    after: str
    items: tuple[int, ...]


class RerouteVerbs(StoreCore):
    """The store's verbs for moving pieces after a campaign change (mixed into `Store`)."""

    def stale_routes(self, campaign: Campaign, cases: list[str] | None = None) -> list[Move]:
        """Routed pieces in no bundle whose destination is no longer where `campaign` sends a
        piece of their case and kind, grouped by case, kind and the two destinations. Pieces of
        a case the campaign no longer has are left out (they keep their case; nothing to move to)."""
        with Session(self.engine) as session:
            return _stale(session, campaign, cases)

    def reroute(self, campaign: Campaign, cases: list[str] | None = None, *, actor: str,
                station: str, progress: Progress | None = None) -> list[Move]:
        """Move every piece `stale_routes` lists to where `campaign` sends it now: one
        `item.moved` event per piece, all in one transaction under the ledger's lock (nobody
        bundles them meanwhile). Returns what was moved; `progress(done, total)` is told after
        each piece."""
        with self.transaction() as session:
            lock_ledger(session)
            moves = _stale(session, campaign, cases)
            total, done = sum(len(move.items) for move in moves), 0
            for move in moves:
                for item_id in move.items:
                    item = session.get(t.Item, item_id)
                    current = state_event(session, item_id)
                    assert item is not None and current is not None  # a routed piece, under the lock
                    state: dict[str, Any] = {**json.loads(current.payload), "destination": move.after,
                                             "follows": current.seq, "moved_from": move.before}
                    state.pop("undoes", None)
                    _, at = self.now()
                    self._append(session, at, actor, station, EventType.ITEM_MOVED,
                                 f"item:{item_id}", state)
                    item.destination = move.after
                    session.add(item)
                    done += 1
                    if progress is not None:
                        progress(done, total)
            return moves


def _stale(session: Session, campaign: Campaign, cases: list[str] | None) -> list[Move]:
    query = (select(t.Item.id, t.Item.case_code, t.Item.kind, t.Item.destination)
             .where(t.Item.campaign_id == campaign.id,
                    t.Item.status == Status.ROUTED.value, col(t.Item.bundle_id).is_(None),
                    col(t.Item.kind).in_(PIECE_KINDS), col(t.Item.case_code).is_not(None))
             .order_by(col(t.Item.id)))
    if cases is not None:
        query = query.where(col(t.Item.case_code).in_(cases))
    groups: dict[tuple[str, str, str, str], list[int]] = {}
    for item_id, case_code, kind, destination in session.exec(query).all():
        case = campaign.case(case_code or "")
        if case is None or item_id is None:
            continue
        now = destination_for(case, Kind(kind))
        if now != destination:
            groups.setdefault((case.code, kind, destination or "", now), []).append(item_id)
    return [Move(case, kind, before, after, tuple(ids))
            for (case, kind, before, after), ids in sorted(groups.items())]
