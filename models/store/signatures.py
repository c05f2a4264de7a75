"""The store's verbs for signatures from elsewhere (part of `models.store.Store`): online
petition exports, imported once each, counted per case and source.

An import is one `signatures.imported` event with its rows in `online_signatures`, in one
transaction; the same file again (same SHA-256, same campaign) is not imported twice. A wrong
import is taken back by a `signatures.voided` event (its rows stay, marked void), and the right
file imported; rows are never edited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, col, func, select

from models.events import EventType
from models.store import tables as t
from models.store.core import StoreCore
from models.store.ledger import lock_ledger
from models.store.outcomes import RecordRefused, RecordStateRefused
from scanpipe.domain.campaign import Campaign

if TYPE_CHECKING:  # the file reader (rapidfuzz, numpy) is the caller's: the store needs none
    from scanpipe.reading.signature_files import SignatureFile

MAX_REASON = 500
MAX_NAME = 255


@dataclass(frozen=True)
class ImportOutcome:
    number: int
    at: str          # when it was imported (now, or earlier for a file imported before; "" unknown)
    again: bool      # the file was imported before: nothing was recorded


@dataclass(frozen=True)
class SignatureImport:
    """One import as `signatures list` shows it."""

    number: int
    at: str
    actor: str
    file: str
    file_sha256: str
    shape: str
    rows: int
    per_case: dict[str, int]
    total: int
    voided: bool


@dataclass(frozen=True)
class OnlineCount:
    case: str
    source: str
    count: int


class SignatureVerbs(StoreCore):
    """Import, list and void online signatures; their counts per case and source."""

    def import_signatures(self, campaign: Campaign, found: SignatureFile, *, file_name: str,
                          source: str | None, actor: str, station: str) -> ImportOutcome:
        """Record an export read by `read_signature_file`, unless the same file was imported into
        this campaign before (and not voided): then nothing is recorded and `again` is set."""
        with self.transaction() as session:
            lock_ledger(session)  # two imports of one file at once record it once
            earlier = self._imported(session, campaign.id, found.sha256)
            if earlier is not None:
                return ImportOutcome(*earlier, again=True)
            number = self._imports_so_far(session) + 1
            _, at = self.now()
            for count in found.counts:
                session.add(t.OnlineSignatures(
                    campaign_id=campaign.id, import_seq=number, case_code=count.case,
                    source=count.source, count=count.count, first_date=count.first_date,
                    last_date=count.last_date, file_sha256=found.sha256))
            self._append(session, at, actor, station, EventType.SIGNATURES_IMPORTED,
                         f"signatures:{number}",
                         {"campaign": campaign.id, "file_sha256": found.sha256,
                          "file": file_name[:MAX_NAME], "source": source, "shape": found.shape.value,
                          "rows": found.rows, "total": found.total,
                          "dropped_columns": list(found.dropped),
                          "counts": [{"case": c.case, "source": c.source, "count": c.count,
                                      "first_date": c.first_date.isoformat(),
                                      "last_date": c.last_date.isoformat()} for c in found.counts]})
        return ImportOutcome(number, at, again=False)

    def _imported(self, session: Session, campaign_id: str, sha256: str) -> tuple[int, str] | None:
        number = session.exec(select(t.OnlineSignatures.import_seq).where(
            t.OnlineSignatures.campaign_id == campaign_id, t.OnlineSignatures.file_sha256 == sha256,
            col(t.OnlineSignatures.voided).is_(False)).limit(1)).first()
        if number is None:
            return None
        at = session.exec(select(t.Event.at).where(
            t.Event.subject == f"signatures:{number}",
            t.Event.type == EventType.SIGNATURES_IMPORTED.value)).first()
        return number, at or ""  # no event: the audit names what is wrong

    def _imports_so_far(self, session: Session) -> int:
        return session.exec(select(func.count()).select_from(t.Event).where(
            t.Event.type == EventType.SIGNATURES_IMPORTED.value)).one()

    def void_signatures(self, campaign: Campaign, number: int, *, reason: str, actor: str,
                        station: str) -> None:
        """Take import `number` back: its counts count no more (its rows stay, marked void)."""
        text = " ".join(reason.split())
        if not text:
            raise RecordRefused("the reason is empty: say why the import is taken back")
        if len(text) > MAX_REASON:
            raise RecordRefused(f"the reason is longer than {MAX_REASON} characters")
        with self.transaction() as session:
            lock_ledger(session)
            rows = session.exec(select(t.OnlineSignatures)
                                .where(t.OnlineSignatures.import_seq == number)).all()
            if not rows or rows[0].campaign_id != campaign.id:
                raise RecordStateRefused(f"there is no signatures import {number} in campaign "
                                         f"{campaign.id}: 'scanpipe signatures list' shows them")
            if rows[0].voided:
                raise RecordStateRefused(f"signatures import {number} was voided already")
            for row in rows:
                row.voided = True
                session.add(row)
            _, at = self.now()
            self._append(session, at, actor, station, EventType.SIGNATURES_VOIDED,
                         f"signatures:{number}", {"campaign": campaign.id, "reason": text})

    def signature_imports(self, campaign_id: str) -> list[SignatureImport]:
        """The campaign's imports, oldest first (read from their events, voided or not)."""
        with Session(self.engine) as session:
            voided = set(session.exec(select(t.OnlineSignatures.import_seq).where(
                col(t.OnlineSignatures.voided).is_(True),
                t.OnlineSignatures.campaign_id == campaign_id)).all())
            events = session.exec(select(t.Event).where(
                t.Event.type == EventType.SIGNATURES_IMPORTED.value).order_by(col(t.Event.seq))).all()
        found = []
        for event in events:
            payload = json.loads(event.payload)
            if payload["campaign"] != campaign_id:
                continue
            number = int(event.subject.partition(":")[2])
            per_case: dict[str, int] = {}
            for count in payload["counts"]:
                per_case[count["case"]] = per_case.get(count["case"], 0) + int(count["count"])
            found.append(SignatureImport(number, event.at, event.actor, payload["file"],
                                         payload["file_sha256"], payload["shape"],
                                         int(payload["rows"]), per_case, int(payload["total"]),
                                         number in voided))
        return found

    def online_signatures(self, campaign_id: str) -> list[OnlineCount]:
        """Signatures per case and source of the campaign's imports that are not voided."""
        with Session(self.engine) as session:
            rows = session.exec(select(t.OnlineSignatures.case_code, t.OnlineSignatures.source,
                                       func.sum(t.OnlineSignatures.count))
                                .where(t.OnlineSignatures.campaign_id == campaign_id,
                                       col(t.OnlineSignatures.voided).is_(False))
                                .group_by(col(t.OnlineSignatures.case_code),
                                          col(t.OnlineSignatures.source))).all()
        return sorted((OnlineCount(case, source, int(total)) for case, source, total in rows),
                      key=lambda c: (c.case, c.source))

