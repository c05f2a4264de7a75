"""Fill a ledger with a realistic season of intake, fast: 100,000 items for benchmarks.

`fill_ledger` writes what the stations' intake (`Store.record_file`, `Store.close_batch`)
would write after a season of scanning — the same tables, the same event types, the
same payloads, one hash chain — but computes the events itself and inserts the rows in
bulk, a few thousand per transaction, instead of one transaction per scanned file.

The season: the campaign loaded with `Store.load_campaign`; then ~40 working days of
scanning at `stations` stations, one operator per station and day (from a few). Every
envelope opens a batch of 5–40 pieces (the envelope included): a kit envelope with its
kit serial, or (~10 %) an envelope without a kit code, which opens an anonymous batch,
as `routing.anonymous_envelope` decides. The next envelope at the station closes the
batch, and every operator closes the station's batch at the end of the day, so every
batch ends closed. Pieces: ~60 % letters, 25 % postcards, 8 % petition sheets (0–20
signatures), one envelope per batch; ~91 % routed (mostly by QR, a few letters and
postcards by their printed text), 7 % review (OCR_WEAK, OCR_AMBIGUOUS,
TEXT_NAMES_OTHER_CASE, SIGNATURES_NOT_COUNTED, CONFLICTING_CODES — each with 1–3 ranked
candidates) and 2 % rejected (UNREADABLE_FILE, BLANK_PAGE).

Every decision is a real `routing.Decision`, built by the routing functions themselves
(`route_page` on codes carrying real payloads, `route_by_text` on candidates ranked by
the real matcher, `text_contradicts`, `uncounted_petition`, `unreadable`, …), and its
event payload is `models.events.decision_payload(decision)`: payloads cannot drift from
what intake writes.

**No image files are written.** Each item has a distinct fake image SHA-256 and a
`StoredImage` row, nothing under the image root, so verify such a ledger with
``store.audit(check_images=False)`` (chain unbroken, every item row agreeing with its
events); the default ``audit()`` would report the first image as missing.

Timestamps are ISO 8601 UTC with microseconds, as `Store.now` writes them, and never
decrease along the chain (an item's item.scanned and routing event share one time, as in
`record_file`). The season starts five weeks before the campaign's deadline, or the first
working day after the chain's head when that is later: open the store with
``clock=lambda: season_start(campaign) - timedelta(days=7)`` (as ``__main__`` does) to
have the campaign load stamped before the season.

The fill assumes it is the only writer while it runs: each transaction checks that the
chain's head is still the fill's last event, and fails loudly otherwise. Ids continue
after the store's existing batches and items; a batch left open at one of the fill's
stations is closed by that station's first envelope, as intake would.

Run: ``python bench/ledger_fill.py --out DIR [--items N]`` writes DIR/ledger.sqlite3 (and
an empty DIR/images), prints progress, the figures and the audit.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import itertools
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, func, insert, select, text, update

from models.audit.evidence import seal_words
from models.events import GENESIS, EventType, canonical_json, decision_payload, event_hash, status_event
from models.store import Store
from models.store import tables as t
from models.store.ledger import lock_ledger
from scanpipe.domain.campaign import Campaign, parse_campaign
from scanpipe.domain.found import Attempt, Blankness, Candidate, Code, Reader
from scanpipe.domain.payload import Payload, PayloadKind, encode_payload
from scanpipe.domain.routing import (
    Decision,
    Kind,
    Reason,
    anonymous_envelope,
    blank_page,
    route_by_text,
    route_page,
    text_contradicts,
    uncounted_petition,
    unreadable,
)
from scanpipe.reading.matching import MatchSettings, pick_case, rank_cases
from scanpipe.reading.ocr import OcrText, OcrWord
from scanpipe.reading.pages import FileFault, UnreadableFile
from scanpipe.reading.text_routing import explain

SEASON_DAYS = 40                 # working days of scanning
SEASON_LEAD = timedelta(weeks=5)  # scanning starts this long before the deadline
DAY_START_UTC = 8                # 09:00 in Brussels in winter
WORKDAY_SECONDS = 7.5 * 3600
OPERATORS = ("alice", "bruno", "chloe", "dries", "emma", "farid", "greet", "hugo")
CHUNK_EVENTS = 5000              # events per transaction
STEP = timedelta(milliseconds=2)  # between the readings of the clock inside one intake

# Shares of the pieces in a batch after its envelope, and of the statuses of all items.
KIND_WEIGHTS = {Kind.LETTER: 60, Kind.POSTCARD: 25, Kind.PETITION: 8}
REVIEW_SHARE, REJECTED_SHARE = 0.07, 0.02
ANONYMOUS_SHARE = 0.10
OCR_ROUTED = {Kind.LETTER: 0.06, Kind.POSTCARD: 0.03, Kind.PETITION: 0.0}
REVIEWS = {  # the review scenarios of each kind, with their weights
    Kind.LETTER: {"weak": 40, "ambiguous": 20, "contradict": 30, "conflict": 10},
    Kind.POSTCARD: {"weak": 40, "ambiguous": 20, "contradict": 30, "conflict": 10},
    Kind.PETITION: {"uncounted": 70, "contradict": 30},
}
READS = ((Reader.ZXING, Attempt.CORNERS.value, 88), (Reader.ZXING, Attempt.PAGE_QR.value, 7),
         (Reader.ZXING, Attempt.GLOBAL_THRESHOLD.value, 2), (Reader.ZBAR, Attempt.ZBAR.value, 2),
         (Reader.ZXING, Attempt.UPSCALED.value, 1))
_PAYLOAD_KIND = {Kind.LETTER: PayloadKind.LETTER, Kind.POSTCARD: PayloadKind.POSTCARD,
                 Kind.PETITION: PayloadKind.PETITION}
_SQUARE = ((1400, 120), (1560, 120), (1560, 280), (1400, 280))


@dataclass(frozen=True)
class FillStats:
    items: int     # items written
    events: int    # events written (the campaign load included, when it changed anything)
    batches: int   # batches opened (all closed)
    seconds: float


def season_start(campaign: Campaign) -> datetime:
    """The first morning of the planned season (before any shift after the chain's head)."""
    return _morning(_workday(campaign.deadline - SEASON_LEAD))


# ------------------------------------------------------------------ decisions

@dataclass(frozen=True, slots=True)
class _Outcome:
    """A decision, and what intake writes of it: the item's columns and the event."""

    decision: Decision
    event_type: str
    payload: str   # canonical JSON, as hashed
    reasons: str   # the item's reasons column: json.dumps, as record_file writes it
    sealed: tuple[str, str, str] | None  # the words read, kept apart (digest, salt, words)


def _outcome(decision: Decision) -> _Outcome:
    # Sealed once per scenario, with a salt drawn from the decision itself so the same seed
    # gives the same season (intake draws a random salt per item).
    payload = decision_payload(decision)
    salt = hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()[:32]
    payload, sealed = seal_words(payload, salt)
    return _Outcome(decision, status_event(decision.status).value, canonical_json(payload),
                    json.dumps(decision.reasons), sealed)


def _ocr_text(text_: str) -> OcrText:
    words = tuple(OcrWord(w, 91.0, (0, 0, 40, 20)) for w in text_.split())
    return OcrText(text_, words, 91.0, 0.9)


class _Decisions:
    """Real routing decisions for every scenario of the season, each built once and kept."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.match = MatchSettings()
        self.cases = [c.code for c in campaign.cases]
        self.no_code = route_page([], campaign)  # review, NO_CODE: a page without a code
        self.kits: dict[int, _Outcome] = {}
        self._kept: dict[tuple, _Outcome] = {}
        self._ranked: dict[str, tuple[Candidate, ...]] = {}
        # Which cases each text scenario works for, checked against the real matcher.
        self.ocr_routes = {kind: [c for c in self.cases if self._ocr_pick(kind, c) is not None]
                           for kind in (Kind.LETTER, Kind.POSTCARD)}
        self.weak = [c for c in self.cases if self._pick(self._weak_text(c)) is None
                     and self._why(self._weak_text(c)).reason is Reason.OCR_WEAK]
        self.contradicting = {kind: [(a, b) for a in self.cases for b in self.cases
                                     if a != b and self._pick(self._printed(kind, b)) == b]
                              for kind in _PAYLOAD_KIND}
        self.ambiguous = {n: [g for g in itertools.combinations(self.cases, n)
                              if self._pick(self._ambiguous_text(g)) is None
                              and self._why(self._ambiguous_text(g)).reason is Reason.OCR_AMBIGUOUS]
                          for n in (2, 3)}

    def _keep(self, key: tuple, build: Callable[[], Decision]) -> _Outcome:
        """Each distinct decision is built once; its outcome is reused for every such page."""
        if key not in self._kept:
            self._kept[key] = _outcome(build())
        return self._kept[key]

    # The printed texts a page may carry.
    def _printed(self, kind: Kind, case_code: str) -> str:
        case = self.campaign.case(case_code)
        if kind is Kind.POSTCARD:
            return f"{case.person}, nous pensons à vous. Courage et solidarité depuis la Belgique !"
        if kind is Kind.PETITION:
            return case.petition or f"Libérez {case.person}."
        return case.letter or f"Monsieur, je vous écris au sujet de {case.person}."

    def _weak_text(self, case_code: str) -> str:
        return f"{self.campaign.case(case_code).authority}, je vous écris pour vous demander justice."

    def _ambiguous_text(self, cases: tuple[str, ...]) -> str:
        people = " et ".join(self.campaign.case(c).person for c in cases)
        return f"Je vous écris au sujet de {people}, qui doivent être libérés."

    def _rank(self, text_: str) -> tuple[Candidate, ...]:
        if text_ not in self._ranked:
            self._ranked[text_] = rank_cases(text_, self.campaign)
        return self._ranked[text_]

    def _pick(self, text_: str) -> str | None:
        pick = pick_case(self._rank(text_), self.match)
        return pick.case if pick else None

    def _ocr_pick(self, kind: Kind, case_code: str) -> str | None:
        picked = self._pick(self._printed(kind, case_code))
        return picked if picked == case_code else None

    def _why(self, text_: str):
        return explain(_ocr_text(text_), self._rank(text_), self.match)

    def code(self, kind: PayloadKind, subject: str, reader: Reader, attempt: str) -> Code:
        text_ = encode_payload(Payload(kind, self.campaign.id, subject), self.campaign.check_key)
        return Code("QRCode", text_, _SQUARE, reader, attempt, 0.0)

    # The scenarios: each builds the decision exactly as the pipeline does for such a page.
    def kit(self, serial: int | None) -> _Outcome:
        if serial is None:
            return self._keep(("anonymous",), lambda: anonymous_envelope("envelope"))
        if serial not in self.kits:
            self.kits[serial] = _outcome(route_page(
                [self.code(PayloadKind.KIT, str(serial), Reader.ZXING, Attempt.CORNERS.value)],
                self.campaign))
        return self.kits[serial]

    def by_qr(self, kind: Kind, case: str, reader: Reader, attempt: str,
              signatures: int | None) -> _Outcome:
        def build() -> Decision:
            decision = route_page([self.code(_PAYLOAD_KIND[kind], case, reader, attempt)],
                                  self.campaign)
            # A petition's rows, as the pipeline counts them.
            return decision if signatures is None else replace(decision, signatures=signatures)
        return self._keep(("qr", kind, case, reader, attempt, signatures), build)

    def by_text(self, kind: Kind, case: str) -> _Outcome:
        def build() -> Decision:
            candidates = self._rank(self._printed(kind, case))
            return route_by_text(self.no_code, kind, candidates, pick_case(candidates, self.match),
                                 self.campaign, why_not=None)
        return self._keep(("ocr", kind, case), build)

    def _not_picked(self, kind: Kind, printed: str) -> _Outcome:
        """Review: no code, and the printed text names no case clearly (weak or ambiguous)."""
        return self._keep(("text", kind, printed), lambda: route_by_text(
            self.no_code, kind, self._rank(printed), None, self.campaign, why_not=self._why(printed)))

    def weak_review(self, kind: Kind, case: str) -> _Outcome:
        return self._not_picked(kind, self._weak_text(case))

    def ambiguous_review(self, kind: Kind, cases: tuple[str, ...]) -> _Outcome:
        return self._not_picked(kind, self._ambiguous_text(cases))

    def contradicted(self, kind: Kind, coded: str, printed: str, reader: Reader,
                     attempt: str) -> _Outcome:
        def build() -> Decision:
            decision = route_page([self.code(_PAYLOAD_KIND[kind], coded, reader, attempt)],
                                  self.campaign)
            candidates = self._rank(self._printed(kind, printed))
            return text_contradicts(decision, candidates)
        return self._keep(("contradict", kind, coded, printed, reader, attempt), build)

    def uncounted(self, case: str, reader: Reader, attempt: str) -> _Outcome:
        return self._keep(("uncounted", case, reader, attempt), lambda: uncounted_petition(
            route_page([self.code(PayloadKind.PETITION, case, reader, attempt)], self.campaign)))

    def conflicting(self, kind: Kind, first: str, second: str) -> _Outcome:
        return self._keep(("conflict", kind, first, second), lambda: route_page(
            [self.code(_PAYLOAD_KIND[kind], subject, Reader.ZXING, Attempt.CORNERS.value)
             for subject in (first, second)], self.campaign))

    def unreadable_file(self, fault: FileFault, detail: str) -> _Outcome:
        return self._keep(("unreadable", fault, detail),
                          lambda: unreadable(str(UnreadableFile(fault, detail))))

    def blank(self, ink: float) -> _Outcome:
        found = Blankness(True, 0, 0, ink, (), f"no strokes or lines of writing found (ink {ink:.4%})")
        return self._keep(("blank", ink), lambda: blank_page(found))


# ------------------------------------------------------------------ the season's plan

def _workday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, DAY_START_UTC, tzinfo=UTC)


def _batch_sizes(rng: random.Random, items: int) -> list[int]:
    sizes, remaining = [], items
    while remaining > 0:
        n = remaining if remaining <= 40 else rng.randint(5, 40)
        if 0 < remaining - n < 5:
            n = remaining - 5
        sizes.append(n)
        remaining -= n
    return sizes


@dataclass(frozen=True, slots=True)
class _Action:
    """One thing a station does: take in one file (a piece or an envelope), or close its batch."""

    at: datetime
    station: str
    operator: str
    envelope: bool = False  # the file is the envelope that opens a batch
    batch_size: int = 0     # for an envelope: pieces of its batch, itself included
    close: bool = False     # the operator closes the station's batch (end of the day)


def _day_actions(rng: random.Random, morning: datetime, batches: list[int],
                 stations: list[str], operators: list[str]) -> Iterator[_Action]:
    """The day's actions of every station, merged in time order."""
    per_station: dict[str, list[int]] = {s: [] for s in stations}
    first = rng.randrange(len(stations))
    for i, size in enumerate(batches):
        per_station[stations[(first + i) % len(stations)]].append(size)
    timelines = []
    for station, operator in zip(stations, operators):
        sizes = per_station[station]
        if not sizes:
            continue
        pieces = sum(sizes)
        gap = min(30.0, max(3.0, (WORKDAY_SECONDS - 120 * len(sizes)) / pieces))
        now = morning + timedelta(seconds=rng.uniform(0, 2700))
        line = []
        for b, size in enumerate(sizes):
            if b:
                now += timedelta(seconds=rng.uniform(40, 200))  # open the next envelope
            line.append(_Action(now, station, operator, envelope=True, batch_size=size))
            for _ in range(size - 1):
                now += timedelta(seconds=rng.uniform(0.4, 1.6) * gap)
                line.append(_Action(now, station, operator))
        now += timedelta(seconds=rng.uniform(60, 900))
        line.append(_Action(now, station, operator, close=True))
        timelines.append(line)
    return heapq.merge(*timelines, key=lambda a: a.at)


# ------------------------------------------------------------------ writing

class _Writer:
    """Builds the rows and events of the season in chain order and inserts them in bulk."""

    def __init__(self, store: Store, head: tuple[int, str, datetime | None],
                 next_batch: int, next_item: int, open_batches: dict[str, list[int]]) -> None:
        self.store = store
        self.campaign_id = store.working_campaign()
        self.postgres = store.engine.dialect.name == "postgresql"
        self.seq, self.prev_hash, self.last_at = head
        self.committed = (self.seq, self.prev_hash)
        self.next_batch, self.next_item = next_batch, next_item
        self.open = open_batches  # station -> [batch id, items in it]
        self.batches: dict[int, dict] = {}
        self.closed: list[dict] = []
        self.images: list[dict] = []
        self.items: list[dict] = []
        self.events: list[dict] = []
        self.words: list[dict] = []  # evidence_text rows
        self.counts = {"events": 0, "items": 0, "batches": 0}

    def _tick(self, at: datetime) -> tuple[datetime, str]:
        if self.last_at is not None and at <= self.last_at:
            at = self.last_at + timedelta(microseconds=1)
        self.last_at = at
        return at, at.isoformat(timespec="microseconds")

    def _event(self, at: str, actor: str, station: str, type_: str, subject: str,
               payload: str) -> None:
        self.seq += 1
        digest = event_hash(self.seq, at, actor, station, type_, subject, payload, self.prev_hash)
        self.events.append({"seq": self.seq, "at": at, "actor": actor, "station": station,
                            "type": type_, "subject": subject, "payload": payload,
                            "prev_hash": self.prev_hash, "hash": digest})
        self.prev_hash = digest

    def close_batch(self, at: datetime, station: str, operator: str) -> None:
        """What `Store.close_batch_in` writes: closed_at, and batch.closed with the batch's item count."""
        batch = self.open.pop(station, None)
        if batch is None:
            return
        when, stamp = self._tick(at)
        batch_id, count = batch
        if batch_id in self.batches:
            self.batches[batch_id]["closed_at"] = when
        else:
            self.closed.append({"b_id": batch_id, "b_closed_at": when})
        self._event(stamp, operator, station, EventType.BATCH_CLOSED.value, f"batch:{batch_id}",
                    canonical_json({"items": count}))

    def open_batch(self, at: datetime, station: str, operator: str, kit: int | None) -> None:
        """What `Store.new_batch_in` writes."""
        when, stamp = self._tick(at)
        batch_id = self.next_batch
        self.next_batch += 1
        self.batches[batch_id] = {"id": batch_id, "campaign_id": self.campaign_id,
                                  "station": station, "operator": operator,
                                  "kit_serial": kit, "opened_at": when, "closed_at": None}
        self.open[station] = [batch_id, 0]
        self.counts["batches"] += 1
        self._event(stamp, operator, station, EventType.BATCH_OPENED.value, f"batch:{batch_id}",
                    canonical_json({"kit": kit, "campaign": self.campaign_id}))

    def item(self, at: datetime, station: str, operator: str, outcome: _Outcome, sha256: str,
             source: str, media_type: str, size: int) -> None:
        """What `record_file` writes for one new page (page 1 of its file)."""
        when, stamp = self._tick(at)
        decision = outcome.decision
        batch = self.open[station]
        item_id = self.next_item
        self.next_item += 1
        batch[1] += 1
        self.images.append({"sha256": sha256, "size": size, "media_type": media_type,
                            "stored_at": when})
        self.items.append({
            "id": item_id, "campaign_id": self.campaign_id,
            "batch_id": batch[0], "image_sha256": sha256, "page": 1,
            "source_name": source, "kind": decision.kind.value, "status": decision.status.value,
            "case_code": decision.case, "destination": decision.destination,
            "method": decision.method.value if decision.method else None,
            "confidence": decision.confidence, "reasons": outcome.reasons,
            "signatures": decision.signatures, "station": station, "operator": operator,
            "scanned_at": when})
        subject = f"item:{item_id}"
        self._event(stamp, operator, station, EventType.ITEM_SCANNED.value, subject,
                    canonical_json({"sha256": sha256, "page": 1, "source": source,
                                    "batch": batch[0]}))
        self._event(stamp, operator, station, outcome.event_type, subject, outcome.payload)
        if outcome.sealed is not None:
            digest, salt, words = outcome.sealed
            self.words.append({"item_id": item_id, "digest": digest, "salt": salt, "words": words})
        self.counts["items"] += 1

    def flush(self) -> None:
        if not self.events:
            return
        with self.store.writer.begin() as conn:
            lock_ledger(conn)  # the lock every writer of the ledger takes
            head = conn.execute(select(t.Event.seq, t.Event.hash)
                                .order_by(t.Event.seq.desc()).limit(1)).first()
            if (tuple(head) if head else (0, GENESIS)) != self.committed:
                raise RuntimeError("another writer appended to the ledger during the fill: "
                                   "fill a ledger nobody else is using")
            if self.batches:
                conn.execute(insert(t.Batch.__table__), list(self.batches.values()))
            if self.closed:
                table = t.Batch.__table__
                conn.execute(update(table).where(table.c.id == bindparam("b_id"))
                             .values(closed_at=bindparam("b_closed_at")), self.closed)
            if self.images:
                conn.execute(insert(t.StoredImage.__table__), self.images)
            if self.items:
                conn.execute(insert(t.Item.__table__), self.items)
            if self.words:
                conn.execute(insert(t.EvidenceText.__table__), self.words)
            conn.execute(insert(t.Event.__table__), self.events)
            if self.postgres:  # explicit ids leave the serial sequences behind: move them on
                for name in ("batch", "item"):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                      f"(SELECT max(id) FROM {name}))"))
        self.counts["events"] += len(self.events)
        self.committed = (self.seq, self.prev_hash)
        self.batches, self.closed, self.images, self.items, self.events = {}, [], [], [], []
        self.words = []


def _head(store: Store) -> tuple[int, str, datetime | None]:
    with store.engine.connect() as conn:
        head = conn.execute(select(t.Event.seq, t.Event.hash, t.Event.at)
                            .order_by(t.Event.seq.desc()).limit(1)).first()
    if head is None:
        return 0, GENESIS, None
    return head.seq, head.hash, datetime.fromisoformat(head.at).astimezone(UTC)


def fill_ledger(store: Store, campaign_toml: str, *, items: int = 100_000, stations: int = 3,
                seed: int = 7, progress: Callable[[int, int], None] | None = None) -> FillStats:
    """Load the campaign and fill the store with a season of `items` scanned items.

    No image files are written: each item has a distinct fake image SHA-256 and a
    `StoredImage` row only, so verify the result with ``store.audit(check_images=False)``.
    `progress(done, items)` is called after every transaction. Same seed, same season.
    """
    if items < 0 or stations < 1:
        raise ValueError("items must be >= 0 and stations >= 1")
    started = time.perf_counter()
    before = _head(store)[0]
    campaign, _ = store.load_campaign(campaign_toml, actor="coordinator", station="office")
    head = _head(store)
    station_names = [f"station-{i + 1}" for i in range(stations)]
    with store.engine.connect() as conn:
        next_batch = (conn.execute(select(func.max(t.Batch.id))).scalar() or 0) + 1
        next_item = (conn.execute(select(func.max(t.Item.id))).scalar() or 0) + 1
        open_batches = {}
        for batch_id, station in conn.execute(select(t.Batch.id, t.Batch.station)
                                              .where(t.Batch.closed_at.is_(None),
                                                     t.Batch.campaign_id == campaign.id,
                                                     t.Batch.station.in_(station_names))):
            count = conn.execute(select(func.count()).select_from(t.Item)
                                 .where(t.Item.batch_id == batch_id)).scalar()
            open_batches[station] = [batch_id, count]

    rng = random.Random(seed)
    decisions = _Decisions(campaign)
    writer = _Writer(store, head, next_batch, next_item, open_batches)
    sizes = _batch_sizes(rng, items)
    envelope_share = len(sizes) / items if items else 0.0
    p_review = REVIEW_SHARE / (1 - envelope_share) if items else 0.0
    p_rejected = REJECTED_SHARE / (1 - envelope_share) if items else 0.0
    case_weights = [rng.uniform(0.4, 2.0) for _ in decisions.cases]
    kinds, kind_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    read_choices, read_weights = [r[:2] for r in READS], [r[2] for r in READS]
    serials = rng.sample(range(1, 4 * len(sizes) + 100), len(sizes))

    first_day = season_start(campaign).date()
    if head[2] is not None and _morning(first_day) <= head[2]:
        first_day = _workday(head[2].date() + timedelta(days=1))
    days_of: list[list[int]] = [[] for _ in range(SEASON_DAYS)]
    done = 0
    for size in sizes:
        days_of[min(SEASON_DAYS - 1, done * SEASON_DAYS // max(items, 1))].append(size)
        done += size
    pool = list(OPERATORS[:max(4, min(len(OPERATORS), stations + 2))])

    def case() -> str:
        return rng.choices(decisions.cases, case_weights)[0]

    def piece() -> tuple[_Outcome, str, str, int]:
        """A piece's outcome, and its file's extension, media type and size."""
        draw = rng.random()
        if draw < p_rejected:
            if rng.random() < 0.3:  # a blank back or a stray sheet
                ink = round(rng.uniform(0.0, 0.0009), 6)
                return decisions.blank(ink), "jpg", "jpeg", rng.randint(90_000, 200_000)
            if rng.random() < 0.7:
                return (decisions.unreadable_file(FileFault.CORRUPT,
                                                  "cannot decode the JPEG image (damaged or truncated)"),
                        "jpg", "jpeg", rng.randint(1_000, 300_000))
            return (decisions.unreadable_file(FileFault.UNKNOWN_TYPE,
                                              "not a JPEG, PNG, TIFF, WebP, BMP or PDF file"),
                    "heic", "unknown", rng.randint(900_000, 3_000_000))
        kind = rng.choices(kinds, kind_weights)[0]
        size = rng.randint(250_000, 900_000) if kind is not Kind.POSTCARD else rng.randint(120_000, 400_000)
        reader, attempt = rng.choices(read_choices, read_weights)[0]
        if draw < p_rejected + p_review:
            scenario = rng.choices(list(REVIEWS[kind]), list(REVIEWS[kind].values()))[0]
            if scenario == "weak" and decisions.weak:
                return decisions.weak_review(kind, rng.choice(decisions.weak)), "jpg", "jpeg", size
            named_by = decisions.ambiguous[2 if rng.random() < 0.8 else 3]
            if scenario == "ambiguous" and named_by:
                named = rng.choice(named_by)
                return decisions.ambiguous_review(kind, named), "jpg", "jpeg", size
            if scenario == "contradict" and decisions.contradicting[kind]:
                coded, printed = rng.choice(decisions.contradicting[kind])
                return decisions.contradicted(kind, coded, printed, reader, attempt), "jpg", "jpeg", size
            if scenario == "conflict":
                first, second = rng.sample(decisions.cases, 2)
                return decisions.conflicting(kind, first, second), "jpg", "jpeg", size
            return decisions.uncounted(case(), reader, attempt), "jpg", "jpeg", size
        code = case()
        if kind in decisions.ocr_routes and code in decisions.ocr_routes[kind] \
                and rng.random() < OCR_ROUTED[kind]:
            return decisions.by_text(kind, code), "jpg", "jpeg", size
        signatures = None
        if kind is Kind.PETITION:
            signatures = min(20, max(0, round(rng.gauss(13, 6))))
        return decisions.by_qr(kind, code, reader, attempt, signatures), "jpg", "jpeg", size

    fake_tag = hashlib.sha256(f"ledger_fill:{seed}:{next_item}".encode()).hexdigest()[:16]
    day, batch_no, files = first_day, 0, {}
    for d in range(SEASON_DAYS):
        operators = rng.sample(pool, stations) if stations <= len(pool) else \
            [pool[(d + i) % len(pool)] for i in range(stations)]
        for action in _day_actions(rng, _morning(day), days_of[d], station_names, operators):
            if action.close:
                writer.close_batch(action.at, action.station, action.operator)
            else:
                if action.envelope:
                    writer.close_batch(action.at, action.station, action.operator)
                    anonymous = rng.random() < ANONYMOUS_SHARE
                    kit = None if anonymous else serials[batch_no]
                    batch_no += 1
                    writer.open_batch(action.at + STEP, action.station, action.operator, kit)
                    outcome = decisions.kit(kit)
                    ext, media, size = "jpg", "jpeg", rng.randint(150_000, 500_000)
                    at = action.at + 2 * STEP
                else:
                    outcome, ext, media, size = piece()
                    at = action.at
                n = files[action.station] = files.get(action.station, 0) + 1
                sha = hashlib.sha256(f"{fake_tag}:{writer.next_item}".encode()).hexdigest()
                source = f"{action.station}-{day:%Y%m%d}-{n:06d}.{ext}"
                writer.item(at, action.station, action.operator, outcome, sha, source, media, size)
            if len(writer.events) >= CHUNK_EVENTS:
                writer.flush()
                if progress:
                    progress(writer.counts["items"], items)
        day = _workday(day + timedelta(days=1))
    for station in station_names:  # nothing stays open (the day's close did it; be sure)
        writer.close_batch(writer.last_at or datetime.now(UTC), station, "coordinator")
    writer.flush()
    if progress:
        progress(writer.counts["items"], items)
    loaded = head[0] - before
    return FillStats(writer.counts["items"], writer.counts["events"] + loaded,
                     writer.counts["batches"], time.perf_counter() - started)


# ------------------------------------------------------------------ command line

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path,
                        help="folder for ledger.sqlite3 and images/ (created)")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--stations", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--campaign", type=Path, default=ROOT / "samples" / "campaign.toml")
    parser.add_argument("--force", action="store_true", help="replace an existing ledger in --out")
    parser.add_argument("--no-audit", action="store_true", help="skip audit(check_images=False)")
    args = parser.parse_args(argv)

    ledger = args.out / "ledger.sqlite3"
    if ledger.exists():
        if not args.force:
            print(f"{ledger} exists: choose another --out, or add --force to replace it",
                  file=sys.stderr)
            return 2
        for suffix in ("", "-wal", "-shm"):
            Path(f"{ledger}{suffix}").unlink(missing_ok=True)
    (args.out / "images").mkdir(parents=True, exist_ok=True)  # stays empty: no image files
    toml_text = args.campaign.read_text(encoding="utf-8")
    loaded_at = season_start(parse_campaign(toml_text)) - timedelta(days=7)
    store = Store.open(f"sqlite:///{ledger}", args.out / "images", clock=lambda: loaded_at)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if done == total or time.perf_counter() - last[0] >= 2.0:
            last[0] = time.perf_counter()
            print(f"  {done:>9,} / {total:,} items", flush=True)

    print(f"filling {ledger} with {args.items:,} items at {args.stations} stations (seed {args.seed})")
    stats = fill_ledger(store, toml_text, items=args.items, stations=args.stations,
                        seed=args.seed, progress=progress)
    rate = stats.items / stats.seconds if stats.seconds else 0.0
    print(f"items {stats.items:,}  events {stats.events:,}  batches {stats.batches:,}  "
          f"{stats.seconds:.1f} s  ({rate:,.0f} items/s)")
    if not args.no_audit:
        began = time.perf_counter()
        result = store.audit(check_images=False)
        print(f"audit(check_images=False): {'ok' if result.ok else result.problem}  "
              f"({result.events:,} events, {result.items:,} items, "
              f"{time.perf_counter() - began:.1f} s)")
    store.close()
    size = sum(Path(f"{ledger}{s}").stat().st_size for s in ("", "-wal")
               if Path(f"{ledger}{s}").exists())
    print(f"ledger: {ledger} {size / 1e6:.1f} MB")
    return 0 if args.no_audit or result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
