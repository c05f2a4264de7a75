"""The reconciliation report, counted from the replayed events alone.

Kits sent → kits returned → pieces taken in → routed → bundled → dispatched →
delivered, with every piece that is not (yet) delivered listed as an exception
with its item id, so it can be pulled from the shelves. The tables are never
read: an auditor's figures are the ledger's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, tzinfo

from models.audit.replay import ItemLife, Replay, Totals
from models.audit.report_types import OUTCOMES, TABLES, Reconciliation, Row, Table
from models.sides import Side
from scanpipe.domain.routing import Kind

# The per-kind columns of the tables, in `report_types.TABLES` order.
_KIND_COLUMNS = (Kind.LETTER.value, Kind.SOLIDARITY_LETTER.value, Kind.POSTCARD.value,
                 Kind.PETITION.value)


def reconcile(state: Replay, *, campaign_name: str = "", persons: dict[str, str] | None = None,
              tz: tzinfo | None = None, made_at: datetime | None = None) -> Reconciliation:
    """The report of a replayed ledger. `tz`: the office's time zone, for days (default UTC)."""
    persons = persons or {}
    tz = tz or UTC
    items = sorted(state.items.values(), key=lambda i: i.id)
    pieces = [i for i in items if i.is_piece]
    outcome = {i.id: state.outcome(i) for i in items}
    ended = Counter(outcome.values())
    late = {item_id for bundle in state.bundles.values() for item_id in bundle.late}

    tables: dict[str, tuple[Row, ...]] = {
        "by_case": _by_case(pieces, persons),
        "by_destination": _by_destination(pieces),
        "by_kind": _count_rows(Counter(i.kind or "unknown" for i in items)),
        "by_station": _count_rows(Counter(i.station for i in items)),
        "by_operator": _count_rows(Counter(i.operator for i in items)),
        "by_day": _by_day(items, tz),
        "outcomes": tuple((name, ended[name]) for name in OUTCOMES if ended[name]),
        "delivery": _delivery(pieces, outcome),
        "bundles": _bundles(state),
        "duplicates": tuple((f"{i.id:07d}", len(i.seen_again), "; ".join(sorted(set(i.seen_again))))
                            for i in items if i.seen_again),
        "exceptions": _exceptions(state, items, outcome, late),
    }
    returned = {b.kit for b in state.batches.values() if b.kit is not None}
    sent = len(state.kits_printed)
    figures = {
        "kits_sent": sent,
        "kits_returned": len(returned),
        "return_rate": round(len(returned & state.kits_printed) / sent, 4) if sent else None,
        "anonymous_batches": sum(1 for b in state.batches.values() if b.kit is None),
        "items": len(items),
        "pieces": len(pieces),
        "solidarity_letters": sum(1 for i in pieces if i.kind == Kind.SOLIDARITY_LETTER.value),
        "signatures": sum(i.state.get("signatures") or 0 for i in pieces
                          if i.kind == Kind.PETITION.value),
        "delivered": sum(1 for i in pieces if outcome[i.id] == "delivered"),
        "pending": sum(1 for i in pieces if outcome[i.id] != "delivered"),
        "in_review": ended["review"],
        "set_aside": ended["set_aside"],
        "unreadable_files": ended["unreadable"],
        "blank_sides": ended[Side.BLANK.value],
        "picture_sides": ended[Side.PICTURE.value],
        "quarantined_files": len(state.quarantined_files),
        "duplicates": sum(len(i.seen_again) for i in items),
        "bundles": len(state.bundles),
        "bundles_delivered": sum(1 for b in state.bundles.values() if b.state == "delivered"),
        "sheet_mismatches": sum(1 for row in tables["bundles"] if row[-1] == "no"),
        "exceptions": len(tables["exceptions"]),
    }
    made = (made_at or datetime.now(UTC)).astimezone(UTC)
    return Reconciliation(
        campaign_id=state.campaign_id or "", campaign_name=campaign_name,
        made_at=made.isoformat(timespec="seconds"), head_seq=state.head_seq,
        head_hash=state.head_hash, figures=figures,
        tables=tuple(Table(key, TABLES[key], rows) for key, rows in tables.items()))


def _count_rows(counts: Counter[str]) -> tuple[Row, ...]:
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def _kind_counts(group: list[ItemLife]) -> tuple[int, ...]:
    kinds = Counter(i.kind for i in group)
    return tuple(kinds[k] for k in _KIND_COLUMNS)


def _by_case(pieces: list[ItemLife], persons: dict[str, str]) -> tuple[Row, ...]:
    groups: dict[str, list[ItemLife]] = defaultdict(list)
    for item in pieces:
        groups[item.state.get("case") or "—"].append(item)
    rows = []
    for case in sorted(groups):
        group = groups[case]
        petitions = [i.state.get("signatures") for i in group if i.kind == Kind.PETITION.value]
        signatures = sum(n or 0 for n in petitions) if petitions else None
        rows.append((case, persons.get(case, ""), *_kind_counts(group), signatures, len(group)))
    return tuple(rows)


def _by_destination(pieces: list[ItemLife]) -> tuple[Row, ...]:
    groups: dict[str, list[ItemLife]] = defaultdict(list)
    for item in pieces:
        groups[item.state.get("destination") or "—"].append(item)
    return tuple((d, *_kind_counts(groups[d]), len(groups[d])) for d in sorted(groups))


def _by_day(items: list[ItemLife], tz: tzinfo) -> tuple[Row, ...]:
    days: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        day = datetime.fromisoformat(item.scanned_at).astimezone(tz).date().isoformat()
        days[day]["items"] += 1
        days[day]["pieces"] += item.is_piece
    return tuple((day, days[day]["items"], days[day]["pieces"]) for day in sorted(days))


def _delivery(pieces: list[ItemLife], outcome: dict[int, str]) -> tuple[Row, ...]:
    groups: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for item in pieces:
        groups[(item.state.get("case") or "—", item.state.get("destination") or "—")][outcome[item.id]] += 1
    rows = []
    for (case, destination), by in sorted(groups.items()):
        delivered = by["delivered"]
        dispatched = delivered + by["dispatched"]
        bundled = dispatched + by["bundled"] + by["back"]
        rows.append((case, destination, sum(by.values()), bundled, dispatched, delivered, by["back"]))
    return tuple(rows)


def _totals_text(totals: Totals | None) -> str | None:
    if totals is None:
        return None
    signatures = "—" if totals.get("signatures") is None else totals["signatures"]
    # L, T, C, P: the review keys of letters to the authority, to the person, cards, petitions.
    return (f"{totals.get('pieces')} = {totals.get('letters')} L "
            f"+ {totals.get('solidarity_letters')} T + {totals.get('postcards')} C "
            f"+ {totals.get('petitions')} P ({signatures} sig.)")


def _bundles(state: Replay) -> tuple[Row, ...]:
    rows = []
    for bundle in sorted(state.bundles.values(), key=lambda b: b.id):
        printed = bundle.sheets[-1][1]["totals"] if bundle.sheets else None
        agrees = "" if printed is None else "yes" if printed == bundle.totals else "no"
        rows.append((bundle.id, bundle.destination, bundle.state, bundle.totals["pieces"],
                     len(bundle.late), _totals_text(bundle.totals), _totals_text(printed),
                     len(bundle.sheets), agrees))
    return tuple(rows)


def _exceptions(state: Replay, items: list[ItemLife], outcome: dict[int, str],
                late: set[int]) -> tuple[Row, ...]:
    rows: list[Row] = []
    for item in items:
        what = outcome[item.id]
        reasons = ", ".join(item.state.get("reasons") or [])
        if what in ("review", "set_aside", "unreadable", "waiting"):
            detail = reasons if what != "waiting" else item.state.get("destination") or ""
            rows.append((what, f"{item.id:07d}", item.bundle, detail))
        elif what == "back":
            assert item.bundle is not None  # only a bundled piece's bundle comes back
            bundle = state.bundles[item.bundle]
            rows.append(("back", f"{item.id:07d}", bundle.id, f"{bundle.state}: {bundle.note or ''}"))
        if item.id in late:
            rows.append(("late", f"{item.id:07d}", item.bundle, item.scanned_at[:10]))
    for bundle in sorted(state.bundles.values(), key=lambda b: b.id):
        if bundle.sheets and bundle.sheets[-1][1]["totals"] != bundle.totals:
            rows.append(("sheet_mismatch", "", bundle.id, _totals_text(bundle.sheets[-1][1]["totals"])))
    return tuple(rows)
