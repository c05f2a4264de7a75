"""The auditors' checks: the chain, the signed checkpoints, every life, the tables, the images.

`verify_events` needs only events, checkpoints and the office's public key, so the
same check runs on the live ledger (`AuditVerbs.audit`) and on an exported folder
(`models.audit.export_check`). It stops at the first broken place and names it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from models.audit.office import same_instant
from models.audit.replay import BundleLife, ItemLife, Problem, Replay
from models.audit.signing import SignedHead, key_id, signature_holds
from models.events import ChainedEvent, ChainWalk


@dataclass(frozen=True)
class AuditResult:
    events: int
    items: int
    images: int
    problem: Problem | None
    checkpoints: int = 0             # checkpoints whose signature and hash verified
    signed_up_to: int | None = None  # the newest event a verified checkpoint covers
    key_id: str | None = None        # the public key they were checked with
    purged: int = 0                  # images removed by a privacy purge (their hashes stay)
    warnings: tuple[str, ...] = ()   # what was not checked, and why

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class Verification:
    """What `verify_events` found: the replayed state, and the first broken place if any."""

    events: int = 0
    replay: Replay = field(default_factory=Replay)
    problem: Problem | None = None
    checkpoints: int = 0
    signed_up_to: int | None = None
    warnings: list[str] = field(default_factory=list)


def verify_events(events: Iterable[ChainedEvent], checkpoints: Sequence[SignedHead],
                  public: Ed25519PublicKey | None) -> Verification:
    """Walk the chain and replay every life in one pass, then check the checkpoints."""
    found = Verification()
    walk = ChainWalk()
    checkpoints = list({c.signature: c for c in checkpoints}.values())  # a copy kept outside too
    wanted = {c.seq for c in checkpoints}
    hashes: dict[int, str] = {}
    for event in events:
        broken = walk.step(event)
        if broken:
            found.events, found.problem = walk.count, Problem(f"event {broken.seq}", broken.message)
            return found
        if event.seq in wanted:
            hashes[event.seq] = event.hash
        if found.replay.apply(event, event.hash):
            found.events, found.problem = walk.count - 1, found.replay.problem
            return found
    found.events = walk.count
    found.problem = _check_checkpoints(found, checkpoints, hashes, public)
    return found


def _check_checkpoints(found: Verification, checkpoints: Sequence[SignedHead],
                       hashes: dict[int, str], public: Ed25519PublicKey | None) -> Problem | None:
    if not checkpoints:
        found.warnings.append("no checkpoint was ever signed: 'scanpipe audit checkpoint' signs "
                              "the ledger's head so that a rewritten history shows")
        return None
    if public is None:
        found.warnings.append(f"{len(checkpoints)} checkpoints not checked: no public key "
                              "(pass --public-key with the office's key)")
        return None
    trusted = key_id(public)
    head = found.replay.head_seq
    good_up_to = 0
    for number, checkpoint in enumerate(sorted(checkpoints, key=lambda c: (c.seq, c.signed_at)), 1):
        where = f"checkpoint of event {checkpoint.seq} (signed {checkpoint.signed_at})"
        if checkpoint.key_id != trusted or not signature_holds(public, checkpoint):
            other = "" if checkpoint.key_id == trusted else f" (it names key {checkpoint.key_id[:16]}…)"
            return Problem(where, "its signature does not verify with the office key "
                                  f"{trusted[:16]}…{other} — the checkpoint was forged or altered")
        if found.replay.campaigns and checkpoint.campaign_id not in found.replay.campaigns:
            return Problem(where, f"it was signed for campaign {checkpoint.campaign_id}, which this "
                                  f"ledger does not hold ({', '.join(found.replay.campaigns)})")
        if checkpoint.seq > head:
            return Problem(where, f"it signed event {checkpoint.seq} but the ledger ends at event "
                                  f"{head} — events {head + 1}–{checkpoint.seq} were removed")
        if hashes.get(checkpoint.seq) != checkpoint.hash:
            return Problem(where, f"event {checkpoint.seq} no longer has the hash that was signed — "
                                  f"history was rewritten after the signature, somewhere in events "
                                  f"{good_up_to + 1}–{checkpoint.seq}")
        good_up_to = checkpoint.seq
        found.checkpoints = number
    found.signed_up_to = good_up_to
    if good_up_to < head:
        newer = f"event {head} is" if good_up_to + 1 == head else f"events {good_up_to + 1}–{head} are"
        found.warnings.append(f"{newer} newer than the last checkpoint: sign one with "
                              "'scanpipe audit checkpoint'")
    return None


# ------------------------------------------------------------ tables vs events

def _norm(value: object) -> str:
    """One text form for a value read from a table, a CSV file or an event."""
    return "" if value is None else str(value)


def _reasons(value: str | Iterable[str] | None) -> str:
    if isinstance(value, str):
        text = value
        try:
            value = json.loads(text) if text else []
        except ValueError:
            return text
        if not isinstance(value, list):
            return text  # not a list of reasons: compared as written, so it differs
    return json.dumps(list(value or []))


R = TypeVar("R")  # a table row: an object, or a dict read from a CSV file

ITEM_COLUMNS = ("id", "campaign_id", "batch_id", "image_sha256", "page", "source_name", "kind", "status",
                "case_code", "destination", "method", "confidence", "reasons", "signatures",
                "bundle_id", "station", "operator")
BUNDLE_COLUMNS = ("id", "campaign_id", "destination", "state", "pieces", "late", "method", "tracking",
                  "received_by", "received_on", "receipt_item_id", "note")
# Checked in the tables only (an audit export leaves them out): when a piece came in decides
# whether a bundle counts it late; who closed a bundle and when is printed on its papers.
ITEM_TIMES = ("scanned_at",)
BUNDLE_TIMES = ("created_at", "created_by", "changed_at")


def item_facts(item: ItemLife) -> dict[str, Any]:
    """An item row as the events say it must be (its state's values as the JSON held them)."""
    state = item.state
    return {"id": item.id, "campaign_id": item.campaign,
            "batch_id": item.batch, "image_sha256": item.sha256, "page": item.page,
            "source_name": item.source, "kind": state.get("kind"), "status": state.get("status"),
            "case_code": state.get("case"), "destination": state.get("destination"),
            "method": state.get("method"), "confidence": state.get("confidence"),
            "reasons": state.get("reasons"), "signatures": state.get("signatures"),
            "bundle_id": item.bundle, "station": item.station, "operator": item.operator}


def bundle_facts(state: Replay, bundle_id: int) -> dict[str, str | int | None]:
    bundle = state.bundles[bundle_id]
    return {"id": bundle.id, "campaign_id": bundle.campaign,
            "destination": bundle.destination, "state": bundle.state,
            "pieces": len(bundle.items), "late": len(bundle.late), "method": bundle.method,
            "tracking": bundle.tracking, "received_by": bundle.received_by,
            "received_on": bundle.received_on, "receipt_item_id": bundle.receipt_item,
            "note": bundle.note}


def rows_agree(state: Replay, items: Iterable[R], bundles: Iterable[R],
               get: Callable[[R, str], Any] = getattr, times: bool = False) -> Problem | None:
    """Every item and bundle row must be exactly what the events say, and the other way round.

    `items`/`bundles`: rows with the columns above (objects, or dicts with `get=dict_get`); with
    `times`, also `ITEM_TIMES` and `BUNDLE_TIMES` (the tables have them; an export does not).
    """
    seen: set[int] = set()
    for row in items:
        item_id = _row_id(get(row, "id"))
        if item_id is None:
            return Problem("item table", f"a row's id is not a number: {get(row, 'id')!r}")
        seen.add(item_id)
        where = f"item {item_id:07d}"
        life = state.items.get(item_id)
        if life is None:
            return Problem(where, "the item table has this row but there is no item.scanned event for it — "
                                  "the row was added outside the ledger or its event was removed")
        if not life.state:
            return Problem(where, "no routing event in the ledger for this item")
        facts = item_facts(life)
        for column in ITEM_COLUMNS:
            have, want = get(row, column), facts[column]
            if column == "reasons":
                have, want = _reasons(have), _reasons(want)
            elif column == "confidence" and have is not None and want is not None:
                try:
                    have, want = float(have), float(want)
                except ValueError:
                    return Problem(where, f"its {column} is {have!r}, not a number")
            if _norm(have) != _norm(want):
                return Problem(where, f"its {column} is {have!r} but the ledger says {want!r}")
        if times and not same_instant(get(row, "scanned_at"), life.scanned_at):
            return Problem(where, f"its scanned_at is {get(row, 'scanned_at')!r} but the ledger "
                                  f"scanned it at {life.scanned_at}")
    for item_id in state.items:
        if item_id not in seen:
            return Problem(f"item {item_id:07d}", "the ledger records this item but the item "
                                                  "table has no row for it")
    seen = set()
    for row in bundles:
        bundle_id = _row_id(get(row, "id"))
        if bundle_id is None:
            return Problem("bundle table", f"a row's id is not a number: {get(row, 'id')!r}")
        seen.add(bundle_id)
        if bundle_id not in state.bundles:
            return Problem(f"bundle {bundle_id}", "no bundle.closed event in the ledger for it")
        facts = bundle_facts(state, bundle_id)
        for column in BUNDLE_COLUMNS:
            if _norm(get(row, column)) != _norm(facts[column]):
                return Problem(f"bundle {bundle_id}", f"its {column} is {get(row, column)!r} but "
                                                      f"the ledger says {facts[column]!r}")
        if times:
            wrong = _bundle_times(state.bundles[bundle_id], get(row, "created_at"),
                                  get(row, "created_by"), get(row, "changed_at"))
            if wrong:
                return Problem(f"bundle {bundle_id}", wrong)
    for bundle_id in state.bundles:
        if bundle_id not in seen:
            return Problem(f"bundle {bundle_id}", "the ledger records this bundle but the bundle "
                                                  "table has no row for it")
    return None


def _bundle_times(bundle: BundleLife, created_at: object, created_by: object,
                  changed_at: object) -> str | None:
    """What is wrong with who closed a bundle row and when, and when it last changed."""
    if not same_instant(created_at, bundle.closed_at):
        return f"its created_at is {created_at!r} but the ledger closed it at {bundle.closed_at}"
    if created_by != bundle.closed_by:
        return f"its created_by is {created_by!r} but the ledger says {bundle.closed_by!r}"
    if not same_instant(changed_at, bundle.changed_at):
        return f"its changed_at is {changed_at!r} but its newest event is of {bundle.changed_at}"
    return None


ORDER_COLUMNS = ("campaign_id", "reference", "kind", "name", "contact", "email", "address",
                 "language", "kits", "import_seq")


def orders_agree(state: Replay, rows: Iterable[R], get: Callable[[R, str], Any] = getattr) -> Problem | None:
    """Every kit order row must be what its `orders.imported` event says, and every order
    imported must have its row."""
    seen: set[tuple[str, str]] = set()
    for row in rows:
        key = (_norm(get(row, "campaign_id")), _norm(get(row, "reference")))
        where = f"kit order {key[1]} (campaign {key[0]})"
        if key in seen:
            return Problem(where, "the kit_order table has two rows for this order")
        seen.add(key)
        order = state.orders.get(key)
        if order is None:
            return Problem(where, "the kit_order table has this row but no orders.imported event "
                                  "imported it — the row was added or its reference changed "
                                  "outside the ledger")
        facts = {**order.values, "campaign_id": key[0], "import_seq": order.seq}
        for column in ORDER_COLUMNS:
            if _norm(get(row, column)) != _norm(facts[column]):
                return Problem(where, f"its {column} is {get(row, column)!r} but the ledger says "
                                      f"{facts[column]!r}")
    for campaign, reference in state.orders:
        if (campaign, reference) not in seen:
            return Problem(f"kit order {reference} (campaign {campaign})",
                           "the ledger imported this order but the kit_order table has no row for it")
    return None


BATCH_COLUMNS = ("id", "campaign_id", "station", "operator", "kit_serial", "opened_at", "closed_at")


def batches_agree(state: Replay, rows: Iterable[Any]) -> Problem | None:
    """Every batch row must be what its `batch.opened` and `batch.closed` events say — the
    campaign, station, operator and kit a station files pieces under, when it was opened and
    whether (and when) it was closed — and every batch the events opened must have its row."""
    seen: set[int] = set()
    for row in rows:
        where = f"batch {row.id}"
        batch = state.batches.get(row.id)
        if batch is None:
            return Problem(where, "no batch.opened event in the ledger for it")
        seen.add(row.id)
        facts = {"campaign_id": batch.campaign, "station": batch.station, "operator": batch.operator,
                 "kit_serial": batch.kit}
        for column, want in facts.items():
            if _norm(getattr(row, column)) != _norm(want):
                return Problem(where, f"its {column} is {getattr(row, column)!r} but the ledger "
                                      f"says {want!r}")
        if not same_instant(row.opened_at, batch.opened_at):
            return Problem(where, f"its opened_at is {row.opened_at!r} but the ledger opened it at "
                                  f"{batch.opened_at}")
        if batch.closed_at is None and row.closed_at is not None:
            return Problem(where, f"its closed_at is {row.closed_at!r} but no batch.closed event "
                                  "closed it")
        if batch.closed_at is not None and not same_instant(row.closed_at, batch.closed_at):
            return Problem(where, f"its closed_at is {row.closed_at!r} but the ledger closed it at "
                                  f"{batch.closed_at}")
    for batch_id in state.batches:
        if batch_id not in seen:
            return Problem(f"batch {batch_id}", "the ledger opened this batch but the batch table "
                                                "has no row for it")
    return None


def _row_id(value: object) -> int | None:
    """A row's id as a number, None when a tampered file holds something else."""
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return None


def dict_get(row: dict[str, str], column: str) -> str | None:
    value = row.get(column)
    return None if value == "" else value


# ------------------------------------------------------------------- sampling

def clopper_pearson(failures: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper–Pearson) two-sided interval of a rate seen as failures/n."""
    if n <= 0:
        return 0.0, 1.0
    alpha = 1.0 - confidence
    low = 0.0 if failures == 0 else _solve(lambda p: _binom_sf(failures, n, p) - alpha / 2)
    high = 1.0 if failures == n else _solve(lambda p: alpha / 2 - _binom_cdf(failures, n, p))
    return low, high


def upper_bound(failures: int, n: int, confidence: float = 0.95) -> float:
    """The one-sided exact upper bound of a rate: it is at most this, with `confidence`."""
    if n <= 0:
        return 1.0
    if failures >= n:
        return 1.0
    return _solve(lambda p: (1.0 - confidence) - _binom_cdf(failures, n, p))


def _binom_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), summed in log space (n up to many thousands)."""
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0 if k < n else 1.0
    lp, lq = math.log(p), math.log1p(-p)
    terms = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq
             for i in range(k + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def _binom_sf(k: int, n: int, p: float) -> float:
    """P(X >= k)."""
    return 1.0 - _binom_cdf(k - 1, n, p) if k > 0 else 1.0


def _solve(f: Callable[[float], float]) -> float:
    """The root in (0, 1) of an increasing function, by bisection (60 halvings: exact enough)."""
    low, high = 0.0, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if f(middle) < 0:
            low = middle
        else:
            high = middle
    return (low + high) / 2
