"""The store's verbs for auditors (part of `models.store.Store`): read-only, but for
signing a checkpoint, which only appends to its own table.

Everything an auditor is told is counted from the events (`models.audit.replay`); the
tables are only checked against them.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from models.events import ChainedEvent, EventType
from models.store import tables as t
from models.store.core import StoreCore
from models.store.ledger import lock_ledger
from models.store.people import login_of
from scanpipe.progress import Progress, ticking

# The audit (`models.audit`, and the keys' library) is imported by the verbs that use it, so
# that a store opened for anything else (`scanpipe summary`) does not load it.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    from models.audit.checks import AuditResult, Verification
    from models.audit.population import Sample
    from models.audit.replay import Problem, Replay
    from models.audit.report_types import Reconciliation
    from models.audit.signing import SignedHead


_EVENT_COLUMNS = (col(t.Event.seq), col(t.Event.at), col(t.Event.actor), col(t.Event.station),
                  col(t.Event.type), col(t.Event.subject), col(t.Event.payload), col(t.Event.prev_hash),
                  col(t.Event.hash))



def _no_progress(done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class Trail:
    """The whole history of one piece, with its evidence and its image's state."""

    item: t.Item
    events: tuple[t.Event, ...]  # in sequence order
    image: str           # "intact", "purged", or what is wrong with the stored file
    words: tuple[str, ...] | None  # the words read on it (None: none kept, or purged)
    bundle: t.Bundle | None


class AuditVerbs(StoreCore):
    """Verify, reconcile, trace, sample; sign checkpoints."""

    def event_rows(self) -> Iterator[ChainedEvent]:
        """Every event in sequence order, streamed (rows with the Event's attributes)."""
        with self.engine.connect() as connection:
            result = connection.execution_options(yield_per=5000).execute(
                sa_select(*_EVENT_COLUMNS).order_by(col(t.Event.seq)))
            yield from result

    def _rows(self, table: type[t.Item] | type[t.Bundle] | type[t.KitOrder] | type[t.Batch]
              | type[t.EvidenceText], columns: Sequence[str]) -> Iterator[Row[*tuple[Any, ...]]]:
        """A table's rows (only `columns`), streamed in id order."""
        with self.engine.connect() as connection:
            result = connection.execution_options(yield_per=5000).execute(
                sa_select(*(getattr(table, c) for c in columns)).order_by(col(table.id)))
            yield from result

    def checkpoints(self) -> list[SignedHead]:
        from models.audit.signing import SignedHead

        with Session(self.engine) as session:
            rows = session.exec(select(t.Checkpoint).order_by(col(t.Checkpoint.id))).all()
        return [SignedHead(r.campaign_id, r.seq, r.hash, r.signed_at, r.key_id, r.signature)
                for r in rows]

    def sign_checkpoint(self, private: Ed25519PrivateKey) -> SignedHead:
        """Sign the ledger's head with the office key and keep the checkpoint."""
        from models.audit.signing import sign_head

        with self.transaction() as session:
            lock_ledger(session)  # the head cannot move while it is signed
            head = session.exec(select(t.Event).order_by(col(t.Event.seq).desc()).limit(1)).first()
            if head is None:
                raise ValueError("the ledger is empty: there is nothing to sign yet")
            # The whole chain is signed, every campaign's; it names the one worked for.
            _, at = self.now()
            signed = sign_head(private, self.campaign_id or "", head.seq, head.hash, at)
            session.add(t.Checkpoint(campaign_id=signed.campaign_id, seq=signed.seq, hash=signed.hash,
                                     signed_at=signed.signed_at, key_id=signed.key_id,
                                     signature=signed.signature))
        return signed

    def replay_ledger(self, until: int | None = None, progress: Progress | None = None) -> Replay:
        """What the events say, up to event `until` (all of them by default); `progress(done,
        total)` is told the events read so far."""
        from models.audit.replay import replay

        events: Iterable[Any] = self.event_rows()
        if progress is not None:
            if until is not None:  # stop reading at `until`, so that the count ends there
                events = itertools.takewhile(lambda event: event.seq <= until, events)
            events = ticking(events, until or self._head_seq(), progress)
        return replay(events, until)

    def verification(self, public: Ed25519PublicKey | None = None,
                     extra: tuple[SignedHead, ...] = ()) -> Verification:
        from models.audit.checks import verify_events

        return verify_events(self.event_rows(), [*self.checkpoints(), *extra], public)

    def audit(self, *, check_images: bool = True, public: Ed25519PublicKey | None = None,
              extra_checkpoints: tuple[SignedHead, ...] = (),
              progress: Progress | None = None) -> AuditResult:
        """Verify the chain, the checkpoints, every life, every table a station acts on and the
        stored images. `progress(done, total)` is called as events, item rows and images are
        checked (every few thousand)."""
        from models.audit.checks import (
            BATCH_COLUMNS,
            BUNDLE_COLUMNS,
            BUNDLE_TIMES,
            ITEM_COLUMNS,
            ITEM_TIMES,
            ORDER_COLUMNS,
            AuditResult,
            batches_agree,
            orders_agree,
            rows_agree,
            verify_events,
        )
        from models.audit.signing import key_id

        tick = progress or _no_progress
        with Session(self.engine) as session:
            events = session.exec(select(func.max(t.Event.seq))).one() or 0
            rows = session.exec(select(func.count()).select_from(t.Item)).one()
            files = session.exec(select(func.count()).select_from(t.StoredImage).where(
                col(t.StoredImage.purged_at).is_(None))).one() if check_images else 0
        total = events + rows + files
        found = verify_events(ticking(self.event_rows(), total, tick, every=5000), [*self.checkpoints(),
                                                                           *extra_checkpoints], public)
        tick(events, total)
        state = found.replay
        images = purged = 0
        problem = found.problem
        warnings = list(found.warnings)
        if problem is None:
            with Session(self.engine) as session:
                checks: tuple[Callable[[], Problem | None], ...] = (
                    lambda: self._office_agrees(session, state, warnings),
                    lambda: rows_agree(state, ticking(self._rows(t.Item, ITEM_COLUMNS + ITEM_TIMES),
                                                       total, tick, start=events, every=5000),
                                       self._rows(t.Bundle, BUNDLE_COLUMNS + BUNDLE_TIMES), times=True),
                    lambda: self._records_agree(session, state),
                    lambda: orders_agree(state, self._rows(t.KitOrder, ORDER_COLUMNS)),
                    lambda: batches_agree(state, self._rows(t.Batch, BATCH_COLUMNS)),
                    lambda: self._words_intact(state))
                for check in checks:
                    problem = check()
                    if problem is not None:
                        break
                stored = session.exec(select(t.StoredImage).order_by(t.StoredImage.sha256)).all()
            tick(events + rows, total)
            purged = sum(1 for image in stored if image.purged_at is not None)
            images = len(stored) - purged if check_images else 0
            if problem is None:
                problem = self._images_intact(state, stored, check_images, warnings,
                                              lambda done: tick(events + rows + done, total))
        tick(total, total)
        if not check_images:
            warnings.append("stored images not re-hashed (--no-images)")
        return AuditResult(found.events, len(state.items), images, problem, found.checkpoints,
                           found.signed_up_to, key_id(public) if public else None, purged,
                           tuple(warnings))

    def _office_agrees(self, session: Session, state: Replay, warnings: list[str]) -> Problem | None:
        """The campaign files stations route with, their cases and embassies, the people who
        sign in and the trays, against their events (`models.audit.office`)."""
        from models.audit.office import (
            CASE_COLUMNS,
            EMBASSY_COLUMNS,
            codes_agree,
            people_agree,
            trays_agree,
            versions_agree,
        )
        from models.audit.replay import Problem

        office = state.office
        found, expected = versions_agree(office, session.exec(
            select(t.CampaignVersion).order_by(col(t.CampaignVersion.id))), warnings)
        found = (found
                 or codes_agree("case_", CASE_COLUMNS, expected.cases, session.exec(
                     select(t.CaseRow).order_by(col(t.CaseRow.campaign_id), col(t.CaseRow.code))))
                 or codes_agree("embassy", EMBASSY_COLUMNS, expected.embassies, session.exec(
                     select(t.EmbassyRow).order_by(col(t.EmbassyRow.campaign_id),
                                                   col(t.EmbassyRow.code))))
                 or people_agree(office, session.exec(select(t.Person).order_by(col(t.Person.id))),
                                 login_of)
                 or trays_agree(office, session.exec(select(t.Tray).order_by(col(t.Tray.destination)))))
        return Problem(*found) if found else None

    def _records_agree(self, session: Session, state: Replay) -> Problem | None:
        """The signature imports' and outcomes' tables against their events."""
        from models.audit.records import records_agree
        from models.audit.replay import Problem

        found = records_agree(
            state.records,
            session.exec(select(t.OnlineSignatures).order_by(col(t.OnlineSignatures.id))),
            session.exec(select(t.CaseOutcomeRow).order_by(col(t.CaseOutcomeRow.id))))
        return Problem(*found) if found else None

    def _words_intact(self, state: Replay) -> Problem | None:
        """The words read on pieces are kept unchanged, each under a digest one of its state
        events sealed, until an `images.purged` event removes them — and only then gone."""
        from models.audit.evidence import check_words
        from models.audit.replay import Problem

        kept: set[tuple[int, str]] = set()
        for row in self._rows(t.EvidenceText, ("id", "item_id", "digest", "salt", "words")):
            item = state.items.get(row.item_id)
            where = f"item {row.item_id:07d} (its words, evidence_text row {row.id})"
            if item is None:
                return Problem(where, "words are kept for an item the ledger never scanned")
            if (row.item_id, row.digest) not in state.sealed_words:
                return Problem(where, f"no event of the item holds their digest {row.digest[:12]}… "
                                      "— they were added outside the ledger")
            if not check_words(row.digest, row.salt, row.words):
                return Problem(where, "the words kept for it no longer match the hash in the "
                                      "ledger — they were changed")
            if item.purged:
                return Problem(where, "an images.purged event removed the words of this item, but "
                                      "they are kept — they were put back outside the ledger")
            kept.add((row.item_id, row.digest))
        for item_id, digest in sorted(state.sealed_words - kept):
            if not state.items[item_id].purged:
                return Problem(f"item {item_id:07d} (its words)",
                               f"the words read on it (digest {digest[:12]}…) are not in "
                               "evidence_text, but no images.purged event removed them — they "
                               "were deleted outside the ledger")
        return None

    def _images_intact(self, state: Replay, stored: Sequence[t.StoredImage], check_files: bool,
                       warnings: list[str], checked: Callable[[int], None]) -> Problem | None:
        from models.audit.replay import Problem

        known = {image.sha256: image for image in stored}
        for item in state.items.values():
            if item.sha256 not in known:
                return Problem(f"item {item.id:07d}", "its image is not in the image list")
        lingering = done = 0
        for image in stored:
            purged = image.sha256 in state.purged_images
            if purged != (image.purged_at is not None):
                return Problem(f"image {image.sha256}",
                               "the image list says it was purged but the ledger does not"
                               if not purged else "the ledger purged it but the image list does not say so")
            if purged:
                lingering += self.images.path_for(image.sha256).exists()
                continue
            if check_files:
                done += 1
                if done % 500 == 0:
                    checked(done)
                fault = self.images.check(image.sha256)
                if fault:
                    users = sorted(i.id for i in state.items.values() if i.sha256 == image.sha256)
                    pieces = ", ".join(f"{i:07d}" for i in users[:5])
                    return Problem(f"image {image.sha256}",
                                   f"the stored image is {fault} (items {pieces})")
        if lingering:
            warnings.append(f"{lingering} purged images are still on disk: run the purge again")
        return None

    def reconciliation(self, tz: tzinfo | None = None,
                       progress: Progress | None = None) -> Reconciliation:
        """The store's campaign's reconciliation, counted from the events; `progress(done,
        total)` is told the events replayed so far."""
        from models.audit.reconcile import reconcile
        from models.audit.replay import replay

        with Session(self.engine) as session:
            total = session.exec(select(func.max(t.Event.seq))).one() or 0
        events = ticking(self.event_rows(), total, progress)
        state = replay(events).only(self.campaign_id)
        with Session(self.engine) as session:
            persons = {row.code: row.person for row in session.exec(
                select(t.CaseRow).where(t.CaseRow.campaign_id == self.campaign_id))}
            name = session.exec(select(t.CampaignVersion.name)
                                .where(t.CampaignVersion.campaign_id == self.campaign_id)
                                .order_by(col(t.CampaignVersion.id).desc()).limit(1)).first()
        return reconcile(state, campaign_name=name or "", persons=persons, tz=tz,
                         made_at=self.clock())

    def trail(self, item_id: int) -> Trail | None:
        """Every event of one piece and of the bundles it was in; None if there is no such item."""
        with Session(self.engine) as session:
            item = session.get(t.Item, item_id)
            if item is None:
                return None
            rows = list(session.exec(select(t.Event).where(t.Event.subject == f"item:{item_id}")))
            bundles: set[str] = set()
            for closed in session.exec(select(t.Event).where(
                    t.Event.type == EventType.BUNDLE_CLOSED.value)):
                if item_id in json.loads(closed.payload)["items"]:
                    bundles.add(closed.subject)
            if bundles:
                rows += session.exec(select(t.Event).where(col(t.Event.subject).in_(sorted(bundles))))
            for purge in session.exec(select(t.Event).where(
                    t.Event.type == EventType.IMAGES_PURGED.value)):
                if item_id in json.loads(purge.payload)["items"]:
                    rows.append(purge)
            image = session.get(t.StoredImage, item.image_sha256)
            kept = session.exec(select(t.EvidenceText.words)
                                .where(t.EvidenceText.item_id == item_id)
                                .order_by(col(t.EvidenceText.id).desc())).first()
            bundle = session.get(t.Bundle, item.bundle_id) if item.bundle_id else None
        if image is not None and image.purged_at is not None:
            state = "purged"
        else:
            state = self.images.check(item.image_sha256) or "intact"
        events = tuple(sorted(rows, key=lambda e: e.seq))
        return Trail(item, events, state, tuple(json.loads(kept)) if kept else None, bundle)

    def draw_sample(self, seed: str, n: int | Callable[[int], int], as_of: int | None = None, *,
                    previous: int = 0, trays: Mapping[str, str] | None = None,
                    progress: Progress | None = None) -> Sample:
        """Round `previous` → `n` of the seeded sample of the store's campaign's pieces, as the
        ledger stood at event `as_of` (its newest by default); each piece with where it is now
        (`trays`: the tray labels by destination). `n`: a number, or a function of the
        population's size. `progress(done, total)` is told the events read so far."""
        from models.audit.population import draw

        state = self.replay_ledger(as_of, progress).only(self.campaign_id)
        now = None
        if as_of is not None and self._head_seq() > state.head_seq:
            now = self.replay_ledger(None, progress).only(self.campaign_id)
        return draw(state, seed, n, previous=previous, now=now, trays=trays)

    def _head_seq(self) -> int:
        with Session(self.engine) as session:
            return session.exec(select(func.max(t.Event.seq))).one() or 0
