"""The reconciliation report, counted from the replayed events alone.

Kits sent → kits returned → pieces taken in → routed → bundled → dispatched →
delivered, in figures and tables; and the exceptions, each with the item id (or
the file, or the bundle) a person must look at: pieces in review, set aside or
unreadable, files quarantined, bundles that came back, sheets that disagree with
the ledger. Pieces that wait for a bundle or came in late are figures, not
exceptions. The tables are never read: an auditor's figures are the ledger's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, tzinfo

from models.audit.replay import ItemLife, Replay, Totals
from models.audit.report_types import OUTCOMES, TABLES, TOTALS, Reconciliation, Row, Table
from models.sides import Side
from scanpipe.domain.routing import Kind

# The per-kind columns of the tables, in `report_types.TABLES` order.
_KIND_COLUMNS = (Kind.LETTER.value, Kind.SOLIDARITY_LETTER.value, Kind.POSTCARD.value,
                 Kind.PETITION.value)
# Outcomes that need a person (the others are figures).
_PERSON_OUTCOMES = ("review", "set_aside", "unreadable")

def reconcile(state: Replay, *, campaign_name: str = "", persons: dict[str, str] | None = None,
              tz: tzinfo | None = None, made_at: datetime | None = None) -> Reconciliation:
    """The report of a replayed ledger. `tz`: the office's time zone, for days (default UTC)."""
    persons = persons or {}
    tz = tz or UTC
    items = sorted(state.items.values(), key=lambda i: i.id)
    pieces = [i for i in items if i.is_piece]
    outcome = {i.id: state.outcome(i) for i in items}
    ended = Counter(outcome.values())
    late = sorted(item_id for bundle in state.bundles.values() for item_id in bundle.late)
    bundles = _bundles(state)
    by_day = _by_day(items, tz)

    tables: dict[str, tuple[Row, ...]] = {
        "by_case": _by_case(pieces, persons),
        "by_destination": _by_destination(pieces),
        "by_kind": _count_rows(Counter(i.kind or "unknown" for i in items)),
        "by_station": _count_rows(Counter(i.station for i in items)),
        "by_operator": _count_rows(Counter(i.operator for i in items)),
        "by_day": by_day,
        "by_week": _by_week(by_day),
        "outcomes": tuple((name, ended[name]) for name in OUTCOMES if ended[name]),
        "delivery": _delivery(pieces, outcome),
        "bundles": bundles,
        "late": tuple((_ref(i), state.items[i].bundle, _day(state.items[i].scanned_at, tz))
                      for i in late if i in state.items),
        "duplicates": tuple((_ref(i.id), source) for i in items for source in i.seen_again),
        "exceptions": _exceptions(state, items, outcome),
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
        "waiting": sum(1 for i in pieces if outcome[i.id] == "waiting"),
        "late": len(tables["late"]),
        "in_review": ended["review"],
        "set_aside": ended["set_aside"],
        "unreadable_files": ended["unreadable"],
        "blank_sides": ended[Side.BLANK.value],
        "picture_sides": ended[Side.PICTURE.value],
        "quarantined_files": len(state.quarantined_files),
        "duplicates": sum(len(i.seen_again) for i in items),
        "bundles": len(state.bundles),
        "bundles_delivered": sum(1 for b in state.bundles.values() if b.state == "delivered"),
        "sheet_mismatches": sum(1 for row in bundles if row[-1] is False),
        "exceptions": len(tables["exceptions"]),
    }
    made = (made_at or datetime.now(UTC)).astimezone(UTC)
    return Reconciliation(
        campaign_id=state.campaign_id or "", campaign_name=campaign_name,
        made_at=made.isoformat(timespec="seconds"), head_seq=state.head_seq,
        head_hash=state.head_hash, figures=figures,
        tables=tuple(Table(key, TABLES[key], rows) for key, rows in tables.items()))


def _ref(item_id: int) -> str:
    """An item's number as printed on sheets and labels (kept as text: 0000042)."""
    return f"{item_id:07d}"


def _day(at: str, tz: tzinfo) -> str:
    return datetime.fromisoformat(at).astimezone(tz).date().isoformat()


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
        day = _day(item.scanned_at, tz)
        days[day]["items"] += 1
        days[day]["pieces"] += item.is_piece
    return tuple((day, days[day]["items"], days[day]["pieces"]) for day in sorted(days))


def _by_week(by_day: tuple[Row, ...]) -> tuple[Row, ...]:
    """The days' counts summed per ISO week (2024-W48)."""
    weeks: dict[str, list[int]] = {}
    for day, items, pieces in by_day:
        year, week, _ = datetime.fromisoformat(str(day)).isocalendar()
        total = weeks.setdefault(f"{year}-W{week:02d}", [0, 0])
        total[0] += int(items or 0)
        total[1] += int(pieces or 0)
    return tuple((week, items, pieces) for week, (items, pieces) in sorted(weeks.items()))


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


def _totals(totals: Totals | None) -> tuple[int | None, ...]:
    """A bundle's totals, one value per column of `TOTALS` (all None when there are none)."""
    if totals is None:
        return (None,) * len(TOTALS)
    return tuple(totals.get(key) for key in TOTALS)  # type: ignore[misc]


def _bundles(state: Replay) -> tuple[Row, ...]:
    rows = []
    for bundle in sorted(state.bundles.values(), key=lambda b: b.id):
        printed = bundle.sheets[-1][1]["totals"] if bundle.sheets else None
        agrees = None if printed is None else printed == bundle.totals
        rows.append((bundle.id, bundle.destination, bundle.state, len(bundle.late),
                     *_totals(bundle.totals), *_totals(printed), len(bundle.sheets), agrees))
    return tuple(rows)


def _exceptions(state: Replay, items: list[ItemLife], outcome: dict[int, str]) -> tuple[Row, ...]:
    """What needs a person: (exception, item, bundle, source, page, detail)."""
    rows: list[Row] = []
    for item in items:
        what = outcome[item.id]
        if what in _PERSON_OUTCOMES:
            reasons = ", ".join(item.state.get("reasons") or [])
            rows.append((what, _ref(item.id), item.bundle, item.source, item.page, reasons))
        elif what == "back":
            assert item.bundle is not None  # only a bundled piece's bundle comes back
            bundle = state.bundles[item.bundle]
            rows.append(("back", _ref(item.id), bundle.id, item.source, item.page,
                         f"{bundle.state}: {bundle.note or ''}"))
    rows += [("quarantined", None, None, name, None, "") for name in state.quarantined_files]
    for bundle in sorted(state.bundles.values(), key=lambda b: b.id):
        if bundle.sheets and bundle.sheets[-1][1]["totals"] != bundle.totals:
            printed = bundle.sheets[-1][1]["totals"]
            rows.append(("sheet_mismatch", None, bundle.id, None, None,
                         f"{printed.get('pieces')} ≠ {bundle.totals['pieces']}"))
    return tuple(rows)
