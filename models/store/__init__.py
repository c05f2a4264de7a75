"""The store: every SQL statement of scanpipe, behind verbs named after the domain.

SQLite by default (one file), PostgreSQL for many stations; the same code runs
on both. Every verb that writes does so in one transaction together with its
ledger events, so the tables never say something the ledger does not.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import case as sa_case
from sqlalchemy import event as sa_event
from sqlalchemy import func, make_url
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, col, create_engine, select

from models.events import EventType
from models.images import ImageStore
from models.sides import rejected_as
from models.store import tables as t
from models.store.auditors import AuditVerbs
from models.store.bundles import BundleVerbs
from models.store.core import (  # noqa: F401 (the store's errors)
    NoCampaign,
    StoreError,
    SummaryRow,
    UnknownCampaign,
    all_rows,
    kit_prints,
    known_campaigns,
    stored_id,
    utc_now,
)
from models.store.intake import FileRecord, IntakeVerbs, PageOutcome  # noqa: F401 (the store's interface)
from models.store.ledger import lock_ledger
from models.store.orders import OrderVerbs, order_printed_problem
from models.store.outcomes import OutcomeVerbs
from models.store.people import PeopleVerbs
from models.store.privacy import PrivacyVerbs
from models.store.reroute import RerouteVerbs
from models.store.review import ReviewVerbs
from models.store.schema import MigrationOutcome, SchemaError, migrate, schema_status
from models.store.signatures import SignatureVerbs
from models.store.sorting import SortingVerbs
from models.store.years import YearVerbs
from scanpipe.domain.campaign import (
    Campaign,
    campaign_digest,
    letter_destination,
    parse_campaign,
    postcard_destination,
)
from scanpipe.domain.routing import Kind, Status


class KitSerialsError(StoreError):
    """Kit serials that cannot be recorded: printed already (a new print) or never printed (a
    reprint). The message says which and what to do."""


class SchemaBehind(StoreError):
    """A ledger opened read-only whose schema this scanpipe would upgrade first."""


def normalise_url(url: str) -> str:
    """Plain postgresql:// URLs use psycopg 3, the driver scanpipe installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def item_ref(item_id: int) -> str:
    """How an item id is printed on sheets and screens."""
    return f"{item_id:07d}"


@dataclass(frozen=True)
class RejectedPage:
    """A page that is not counted: a blank back, a picture side, set aside, or unreadable."""

    item_id: int
    source: str
    page: int
    reasons: tuple[str, ...]
    counted_as: str  # `models.sides.rejected_as`: blank_side, picture_side, set_aside, unreadable


def _wal(cursor: sqlite3.Cursor, wait: float = 30.0) -> None:
    """Put the SQLite ledger in write-ahead-log mode (kept in the file: once is enough).
    Stations opening a new ledger at the same moment race to switch it, and SQLite answers
    the losers "database is locked" at once, without its busy wait: they try again."""
    deadline = time.monotonic() + wait
    pause = 0.01
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(0.2, pause * 2)


def _sqlite_pragmas(engine: Engine, *, writer: bool) -> None:
    @sa_event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection,
                 _record: ConnectionPoolEntry) -> None:  # pragma: no cover - exercised via every test
        dbapi_connection.isolation_level = None  # let the "begin" hook issue BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        _wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa_event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # Writers take the write lock at the start so two never interleave chain appends;
        # readers see a snapshot (WAL) and never wait for, nor hold up, a writer.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def open_engines(url: str) -> tuple[Engine, Engine]:
    """The engines of the ledger at `url`: one to read, one to write (the same on PostgreSQL).

    SQLite's writer begins every transaction with BEGIN IMMEDIATE (its write lock); its reader
    reads a snapshot and takes no lock.
    """
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True)
        return engine, engine
    engine = create_engine(url, connect_args={"timeout": 30})
    _sqlite_pragmas(engine, writer=False)
    writer = create_engine(url, connect_args={"timeout": 30})
    _sqlite_pragmas(writer, writer=True)
    return engine, writer


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite ledger URL; None for another database or SQLite in memory."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def sqlite_problem(path: Path) -> str:
    """What stands in the way of a SQLite ledger file, in words (or "" when nothing shows)."""
    folder = path.parent
    if not folder.is_dir():
        return f"its folder {folder} does not exist"
    if not path.exists():
        return f"the file {path} does not exist"
    if not path.is_file():
        return f"{path} is not a file"
    if not os.access(path, os.R_OK):
        return f"the file {path} is not readable by this user"
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
        return (f"the file {path} or its folder is read-only (SQLite also writes beside the file): "
                "the commands that only read ('audit verify', 'audit report', …) open it read-only; "
                "those that write need write access")
    return ""


def _read_only_sqlite(path: Path) -> Callable[[], sqlite3.Connection]:
    """How to connect to the SQLite ledger at `path` without ever writing to it or beside it.

    `mode=ro` first: it reads the write-ahead log too, but SQLite needs the log's index file
    (`-shm`) beside the ledger, or to make it. On a read-only folder or mount without one, the
    file is opened `immutable`: SQLite then reads the file alone, which holds everything when
    no write-ahead log is left with changes in it (else it is refused, never read stale).
    """
    uri = "file:" + quote(str(path.absolute())) + "?mode=ro"
    try:
        probe = sqlite3.connect(uri, uri=True)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            probe.close()
    except sqlite3.Error as exc:
        log = Path(f"{path}-wal")
        if not path.is_file() or not os.access(path, os.R_OK):
            raise StoreError(f"cannot open the SQLite ledger file {path}: {exc}; "
                             f"{sqlite_problem(path) or 'check the file'}") from None
        if log.exists() and log.stat().st_size > 0:
            raise StoreError(
                f"cannot open the SQLite ledger file {path} read-only: its write-ahead log {log} "
                "holds changes and the folder is read-only, so SQLite cannot read them; copy the "
                "folder (with the -wal and -shm files) somewhere writable and verify the copy") from None
        uri += "&immutable=1"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
    return connect


def open_read_only(url: str) -> Engine:
    """An engine on the ledger at `url` that cannot write: SQLite opened `mode=ro` (or
    `immutable` on a read-only medium, see `_read_only_sqlite`), PostgreSQL sessions read-only."""
    url = normalise_url(url)
    path = sqlite_file(url)
    if path is None:
        if url.startswith("postgresql"):
            return create_engine(url, pool_pre_ping=True,
                                 connect_args={"options": "-c default_transaction_read_only=on"})
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(f"sqlite:///{path.as_posix()}", creator=_read_only_sqlite(path))

    @sa_event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection,
                 _record: ConnectionPoolEntry) -> None:  # pragma: no cover - exercised via the CLI
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @sa_event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")
    return engine


def holds_ledger(url: str) -> bool:
    """Whether the database at `url` holds a scanpipe ledger (its event table), found without
    writing anything: a SQLite file that does not exist is not made, nor is a schema."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        return False
    engine = open_read_only(url)
    try:
        with engine.connect() as connection:
            return sa_inspect(connection).has_table(t.Event.__tablename__)
    finally:
        engine.dispose()


class Store(IntakeVerbs, PeopleVerbs, ReviewVerbs, SortingVerbs, BundleVerbs, PrivacyVerbs, AuditVerbs,
            RerouteVerbs, SignatureVerbs, OutcomeVerbs, OrderVerbs, YearVerbs):
    """All reads and writes of the ledger database.

    The verbs of intake, people, review, sorting, bundles, privacy, audit, rerouting, signatures and
    outcomes live in their own modules, each a class on `models.store.core.StoreCore`, and are joined
    here, so there is still one store that owns every statement.
    """

    @classmethod
    def open(cls, url: str, image_root: Path, clock: Callable[[], datetime] = utc_now,
             campaign_id: str | None = None) -> Store:
        """Open (and create or upgrade if needed) the ledger at `url` with images under
        `image_root`, working for campaign `campaign_id` (default: see `campaign_id`)."""
        engine, writer = open_engines(url)
        store = cls(engine, ImageStore(Path(image_root)), clock, writer, campaign_id)
        store.create_schema()
        return store

    @classmethod
    def open_read_only(cls, url: str, image_root: Path,
                       clock: Callable[[], datetime] = utc_now,
                       campaign_id: str | None = None) -> Store:
        """Open the ledger at `url` to read only (`open_read_only`): a read-only file or mount
        will do. Its schema must be this scanpipe's already (`SchemaBehind` otherwise); every
        verb that writes fails."""
        engine = open_read_only(url)
        store = cls(engine, ImageStore(Path(image_root)), clock, engine, campaign_id)
        try:
            status = schema_status(engine)
        except BaseException:
            store.close()
            raise
        if status.newer:
            store.close()
            raise StoreError(f"the ledger's schema is at {status.current}, newer than this "
                             "scanpipe knows: a newer scanpipe upgraded it. Update scanpipe on "
                             "this machine.")
        if status.pending or status.legacy:
            store.close()
            raise SchemaBehind(f"the ledger's schema is at {status.current or 'no revision'}, not "
                               f"this scanpipe's {status.head}: it needs 'scanpipe db upgrade', "
                               "with write access, first")
        return store

    def create_schema(self) -> MigrationOutcome:
        """Bring the ledger's schema to this scanpipe's (see `models.store.schema.migrate`)."""
        try:
            return migrate(self.writer, reader=self.engine)
        except SchemaError as exc:
            raise StoreError(str(exc)) from None

    # ------------------------------------------------------------ campaign

    def load_campaign(self, toml_text: str, *, actor: str, station: str) -> tuple[Campaign, bool]:
        """Validate and load a campaign file; returns it and whether anything changed.

        A campaign id the ledger does not hold yet is added beside the others (another year);
        a new version of a campaign it holds replaces that campaign's cases and embassies. The
        store then works for the campaign loaded."""
        campaign = parse_campaign(toml_text)
        digest = campaign_digest(toml_text)
        with self.transaction() as session:
            current = session.exec(select(t.CampaignVersion)
                                   .where(t.CampaignVersion.campaign_id == campaign.id)
                                   .order_by(col(t.CampaignVersion.id).desc()).limit(1)).first()
            if current and current.sha256 == digest:
                self.work_for(campaign.id)
                return campaign, False
            now, at = self.now()
            session.add(t.CampaignVersion(campaign_id=campaign.id, name=campaign.name,
                                          deadline=campaign.deadline, sha256=digest,
                                          toml=toml_text, loaded_at=now))
            for embassy in campaign.embassies:
                session.merge(t.EmbassyRow(campaign_id=campaign.id, code=embassy.code,
                                           country=embassy.country, name=embassy.name,
                                           address=embassy.address))
            for case in campaign.cases:
                session.merge(t.CaseRow(campaign_id=campaign.id, code=case.code, person=case.person,
                                        country=case.country, embassy=case.embassy,
                                        letter_destination=letter_destination(case),
                                        postcard_destination=postcard_destination(case)))
            self._append(session, at, actor, station, EventType.CAMPAIGN_LOADED, campaign.id,
                         {"sha256": digest, "name": campaign.name,
                          "cases": [c.code for c in campaign.cases],
                          "embassies": [e.code for e in campaign.embassies]})
        self.work_for(campaign.id)
        return campaign, True

    def campaigns(self) -> list[str]:
        """The ids of the campaigns this ledger holds, the one added most recently first."""
        with Session(self.engine) as session:
            return known_campaigns(session)

    def record_kits_printed(self, first: int, count: int, *, actor: str, station: str,
                            reprint: bool = False, order: str | None = None) -> None:
        """Kits `first` … `first + count - 1` of the store's campaign were printed to be sent out
        (each campaign numbers its kits from 1: their codes name the campaign). A serial is
        printed once: a new print of a serial printed before raises `KitSerialsError`, as does a
        `reprint` of a serial never printed (a reprint is recorded as one, and counts no kit
        twice). Checked and recorded under the ledger's lock: two printers at once never share
        a serial. `order`: the reference of the kit order (of the campaign in force) they were
        printed for, all its kits at once, and once."""
        last = first + count - 1
        campaign = self.working_campaign()
        with self.transaction() as session:
            lock_ledger(session)
            _refuse_kit_serials(first, last, _ranges_printed(session, campaign), reprint)
            if order is not None:
                problem = order_printed_problem(session, campaign, order, count)
                if problem:
                    raise KitSerialsError(problem)
            _, at = self.now()
            self._append(session, at, actor, station, EventType.KITS_PRINTED, f"kits:{first}-{last}",
                         {"first": first, "count": count, "campaign": campaign,
                          **({"reprint": True} if reprint else {}),
                          **({"order": order} if order is not None else {})})

    def check_kit_serials(self, first: int, count: int, *, reprint: bool = False) -> None:
        """Raises `KitSerialsError` if `record_kits_printed` would refuse these serials now."""
        with Session(self.engine) as session:
            _refuse_kit_serials(first, first + count - 1,
                                _ranges_printed(session, self.campaign_id), reprint)

    def next_kit_serial(self) -> int:
        """The serial a new print of the campaign's kits starts at: after every one printed so far."""
        with Session(self.engine) as session:
            return _next_serial(_ranges_printed(session, self.campaign_id))

    def campaign(self) -> Campaign:
        """The campaign the store works for, as its newest file says; raises `NoCampaign` if
        none was loaded."""
        found = self.campaign_named(self.working_campaign())
        assert found is not None  # a campaign the ledger holds
        return found

    def campaign_named(self, campaign_id: str) -> Campaign | None:
        """The newest file of campaign `campaign_id` (None: this ledger holds no such one)."""
        with Session(self.engine) as session:
            current = session.exec(select(t.CampaignVersion)
                                   .where(t.CampaignVersion.campaign_id == campaign_id)
                                   .order_by(col(t.CampaignVersion.id).desc()).limit(1)).first()
        return parse_campaign(current.toml) if current else None

    # ------------------------------------------------------------- batches

    def close_batch(self, *, station: str, operator: str) -> int | None:
        """Close the station's open batch, if any; returns its id."""
        with self.transaction() as session:
            batch = self.find_open_batch(session, station)
            if batch is None:
                return None
            self.close_batch_in(session, batch, operator, station)
            return batch.id

    # -------------------------------------------------------------- intake

    def record_quarantine(self, *, source_name: str, sha256: str | None, size: int | None,
                          reason: str, station: str, operator: str) -> bool:
        """Write in the ledger that a file went to quarantine unread, with the reason.

        Once per file: the same file (content and name) refused again at the same station, as
        when it is taken in again after a crash, adds nothing. Returns whether an event was
        written.
        """
        subject = f"file:{sha256}" if sha256 else f"file:unread:{source_name}"
        with self.transaction() as session:
            lock_ledger(session)  # two takers of the same file write it once
            earlier = session.exec(select(t.Event.station, t.Event.payload).where(
                t.Event.subject == subject,
                t.Event.type == EventType.FILE_QUARANTINED.value)).all()
            if any(at == station and json.loads(payload).get("source") == source_name
                   for at, payload in earlier):
                return False
            _, at = self.now()
            self._append(session, at, operator, station, EventType.FILE_QUARANTINED, subject,
                         {"source": source_name, "sha256": sha256, "size": size,
                          "reason": reason[:1000]})
        return True

    # ------------------------------------------------------------- reports

    def routing_summary(self, campaign_id: str | None = None) -> list[SummaryRow]:
        """Pieces per case, destination, kind and status, of the campaign worked for (or of
        `campaign_id`, any campaign the ledger holds)."""
        with Session(self.engine) as session:
            rows = all_rows(session, sa_select(
                col(t.Item.case_code), col(t.Item.destination), col(t.Item.kind), col(t.Item.status),
                func.count(), func.sum(col(t.Item.signatures)),
                func.sum(sa_case((col(t.Item.signatures).is_(None)
                                  & (col(t.Item.kind) == Kind.PETITION.value), 1), else_=0)))
                .where(col(t.Item.campaign_id) == (campaign_id or self.campaign_id))
                .group_by(col(t.Item.case_code), col(t.Item.destination), col(t.Item.kind),
                          col(t.Item.status)))
        return sorted((SummaryRow(*row[:-1], int(row[-1] or 0)) for row in rows),
                      key=lambda r: (r.status, r.case or "~", r.kind))

    def rejected_pages(self) -> list[RejectedPage]:
        """Every rejected page, oldest first, with what it counts as."""
        with Session(self.engine) as session:
            rows = all_rows(session, sa_select(stored_id(t.Item.id), col(t.Item.source_name),
                                               col(t.Item.page), col(t.Item.reasons), col(t.Item.method))
                            .where(col(t.Item.status) == Status.REJECTED.value,
                                   col(t.Item.campaign_id) == self.campaign_id)
                            .order_by(col(t.Item.id)))
        pages = []
        for item_id, source, page, reasons, method in rows:
            codes = tuple(json.loads(reasons or "[]"))
            pages.append(RejectedPage(item_id, source, page, codes, rejected_as(list(codes), method)))
        return pages

    def rejected_counts(self) -> dict[str, int]:
        """Rejected pages per what they count as (`models.sides.rejected_as`)."""
        with Session(self.engine) as session:
            # Few distinct lists of reason codes: grouped here, told apart below.
            rows = session.exec(select(t.Item.method, t.Item.reasons, func.count())
                                .where(t.Item.status == Status.REJECTED.value,
                                       t.Item.campaign_id == self.campaign_id)
                                .group_by(col(t.Item.method), col(t.Item.reasons))).all()
        counts: dict[str, int] = {}
        for method, reasons, count in rows:
            what = rejected_as(json.loads(reasons or "[]"), method)
            counts[what] = counts.get(what, 0) + count
        return counts

    def items(self) -> list[t.Item]:
        """The pieces of the store's campaign, in id order."""
        with Session(self.engine) as session:
            return list(session.exec(select(t.Item).where(t.Item.campaign_id == self.campaign_id)
                                     .order_by(col(t.Item.id))).all())

    def events(self) -> list[t.Event]:
        with Session(self.engine) as session:
            return list(session.exec(select(t.Event).order_by(col(t.Event.seq))).all())


def _ranges_printed(session: Session, campaign: str | None) -> list[tuple[int, int]]:
    """The kit serial ranges of `campaign`'s `kits.printed` events, as (first, last)."""
    return [(int(found["first"]), int(found["first"]) + int(found["count"]) - 1)
            for found in kit_prints(session, campaign)]


def _refuse_kit_serials(first: int, last: int, printed: list[tuple[int, int]], reprint: bool) -> None:
    if reprint:
        never = _outside(first, last, printed)
        if never:
            raise KitSerialsError(
                f"kits {_spans(never)} were never printed, so they cannot be reprinted; "
                f"a new print continues at {_next_serial(printed):06d}")
        return
    again = _inside(first, last, printed)
    if again:
        raise KitSerialsError(
            f"kits {_spans(again)} were printed already: a new print continues at "
            f"{_next_serial(printed):06d} (leave out --first), and kits printed again are asked "
            "for with --reprint FIRST-LAST")


def _next_serial(printed: list[tuple[int, int]]) -> int:
    return max((last for _, last in printed), default=0) + 1


def _inside(first: int, last: int, printed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of first…last that `printed` covers, merged, in order."""
    return _merged([(max(first, a), min(last, b)) for a, b in printed if a <= last and b >= first])


def _outside(first: int, last: int, printed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of first…last that `printed` does not cover, in order."""
    gaps, at = [], first
    for a, b in _inside(first, last, printed):
        if a > at:
            gaps.append((at, a - 1))
        at = b + 1
    if at <= last:
        gaps.append((at, last))
    return gaps


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _spans(spans: list[tuple[int, int]]) -> str:
    return ", ".join(f"{a:06d}" if a == b else f"{a:06d}–{b:06d}" for a, b in spans)

