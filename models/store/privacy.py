"""The privacy purge: once pieces are delivered, their images and the words read on
them (supporters' personal data) are removed, while the ledger still verifies.

The ledger keeps every hash: the image's SHA-256 in `item.scanned`, the words'
salted digest in the state event. The purge itself is an event naming what it
removed, written before any file goes; the files are removed after the commit,
and every purge removes what an interrupted one left behind.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlmodel import Session, col, select

from models.events import EventType
from models.images import fsync_dir
from models.store import tables as t
from models.store.auditors import AuditVerbs
from models.store.ledger import lock_ledger
from scanpipe.domain.routing import Kind
from scanpipe.progress import Progress

if TYPE_CHECKING:  # the audit is loaded by the verbs that replay the ledger, not by every store
    from models.audit.replay import ItemLife, Replay

_CHUNK = 900


@dataclass(frozen=True)
class PurgeResult:
    before: date
    items: tuple[int, ...]   # pieces (and their kit envelopes) whose data is removed now
    images: tuple[str, ...]  # images removed now
    kept_images: int         # images of these pieces kept: another page on them is not purgeable
    files_removed: int       # files removed from disk (with what an interrupted purge left)
    dry_run: bool


def purgeable(state: Replay, before: date) -> tuple[list[int], list[str], int]:
    """Items whose data may go (delivered before `before`, and the kit envelopes of batches
    that hold only such pieces), the images all of whose pages may go, and how many images
    of those items must stay."""
    def delivered_before(item: ItemLife) -> bool:
        if state.outcome(item) != "delivered" or item.bundle is None:
            return False
        bundle = state.bundles[item.bundle]
        day = bundle.received_on or bundle.changed_at[:10]
        return date.fromisoformat(day) < before

    by_batch: defaultdict[int, list[ItemLife]] = defaultdict(list)
    for item in state.items.values():
        by_batch[item.batch].append(item)
    chosen: set[int] = set()
    for batch_id, items in by_batch.items():
        pieces = [i for i in items if i.kind != Kind.KIT_ENVELOPE.value]
        done = [i for i in pieces if i.purged or delivered_before(i)]
        chosen.update(i.id for i in done if not i.purged)
        if pieces and len(done) == len(pieces) and state.batches[batch_id].closed:
            chosen.update(i.id for i in items if i.kind == Kind.KIT_ENVELOPE.value and not i.purged)
    pages: defaultdict[str, list[ItemLife]] = defaultdict(list)
    for item in state.items.values():
        pages[item.sha256].append(item)
    images: list[str] = []
    kept = 0
    for sha, items in pages.items():
        if sha in state.purged_images or not any(i.id in chosen for i in items):
            continue
        if all(i.purged or i.id in chosen for i in items):
            images.append(sha)
        else:
            kept += 1
    return sorted(chosen), sorted(images), kept


class PrivacyVerbs(AuditVerbs):
    """The store's verb for the privacy purge (part of `models.store.Store`): it purges what the
    audit's replay of the ledger says may go."""

    def purge(self, *, delivered_before: date, actor: str, station: str,
              dry_run: bool = False,
              progress: Progress | None = None) -> PurgeResult:
        """Remove the images and words of pieces delivered before `delivered_before`.
        `progress(done, total)` counts the rows marked (images, then items), then the files
        removed (the total grows once their number is known)."""
        tell = progress or (lambda done, total: None)
        if dry_run:
            items, images, kept = purgeable(self.replay_ledger().only(self.campaign_id),
                                            delivered_before)
            return PurgeResult(delivered_before, tuple(items), tuple(images), kept, 0, True)
        with self.transaction() as session:
            lock_ledger(session)  # nothing is bundled, delivered or purged meanwhile
            items, images, kept = purgeable(self.replay_ledger().only(self.campaign_id),
                                            delivered_before)
            if items:
                _, at = self.now()
                self._append(session, at, actor, station, EventType.IMAGES_PURGED,
                             f"purge:{delivered_before.isoformat()}",
                             {"before": delivered_before.isoformat(), "items": items,
                              "images": images, "campaign": self.campaign_id})
                now = self.clock()
                rows = len(images) + len(items)
                for start in range(0, len(images), _CHUNK):
                    for row in session.exec(select(t.StoredImage).where(
                            col(t.StoredImage.sha256).in_(images[start:start + _CHUNK]))):
                        row.purged_at = now
                        session.add(row)
                    tell(min(start + _CHUNK, len(images)), rows)
                for start in range(0, len(items), _CHUNK):
                    session.exec(delete(t.EvidenceText).where(
                        col(t.EvidenceText.item_id).in_(items[start:start + _CHUNK])))
                    tell(len(images) + min(start + _CHUNK, len(items)), rows)
        marked = len(images) + len(items)
        removed = self._remove_purged_files(lambda done, files: tell(marked + done, marked + files))
        return PurgeResult(delivered_before, tuple(items), tuple(images), kept, removed, False)

    def _remove_purged_files(self, progress: Progress) -> int:
        """Remove from disk every image the ledger says was purged (after the commit); tells
        `progress(done, total)` after each."""
        with Session(self.engine) as session:
            shas = session.exec(select(t.StoredImage.sha256)
                                .where(col(t.StoredImage.purged_at).is_not(None))).all()
        removed = 0
        folders: set[Path] = set()
        for done, sha in enumerate(shas, 1):
            path = self.images.path_for(sha)
            if path.exists():
                path.unlink()
                folders.add(path.parent)
                removed += 1
            progress(done, len(shas))
        for folder in folders:
            fsync_dir(folder)
        return removed
