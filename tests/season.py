"""A small season in a real ledger, through the store's own verbs: kits printed, envelopes
taken in with their pieces (real image files) — letters to the authority and to the person,
postcards, petition sheets, blank backs and postcard picture sides among the rejected pages —
reviews settled (with every kind a person can give) and taken back, duplicates,
bundles closed, their papers issued, dispatched, delivered, refused and voided, and
checkpoints signed along the way. The audit tests tamper with copies of it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from models.events import BundleState
from models.store import Store
from models.store.bundles import DispatchMethod, NothingToBundle
from models.store.review import CASE_KINDS, Choice, Verdict
from scanpipe.domain.campaign import Campaign
from scanpipe.domain.found import Candidate, TermHit
from scanpipe.domain.routing import Decision, Finding, Kind, Method, Reason, Status, destination_for

OFFICE = "office"
# What each stored file starts with: a JPEG's first bytes, as a scan's (an audit export copies
# scanned images only, by their first bytes).
JPEG_START = b"\xff\xd8\xff\xe0"


@dataclass
class Season:
    key: Ed25519PrivateKey
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (source, data) taken in
    reviewed: list[int] = field(default_factory=list)
    delivered_bundles: list[int] = field(default_factory=list)


def _piece(campaign: Campaign, rng: random.Random) -> Decision:
    case = rng.choice(campaign.cases)
    roll = rng.random()
    if roll < 0.06:  # review, with the words read on the page
        hits = (TermHit(case.person, f"lettre pour {case.person} de Jeanne {rng.randint(1, 999)}",
                        0.9, 0.8),)
        return Decision(Kind.LETTER, Status.REVIEW, findings=(Finding(Reason.OCR_WEAK, "thin"),),
                        candidates=(Candidate(case.code, 0.6, hits),))
    if roll < 0.08:
        reason = rng.choice((Reason.UNREADABLE_FILE, Reason.BLANK_PAGE, Reason.POSTCARD_PICTURE_SIDE))
        return Decision(Kind.UNKNOWN, Status.REJECTED, findings=(Finding(reason, "x"),))
    kind = rng.choices([Kind.LETTER, Kind.SOLIDARITY_LETTER, Kind.POSTCARD, Kind.PETITION],
                       [5, 2, 2, 1])[0]
    destination = destination_for(case, kind)
    return Decision(kind, Status.ROUTED, case.code, destination, Method.QR, 1.0,
                    (Finding(Reason.ROUTED_BY_QR, "made"),),
                    signatures=rng.randint(0, 20) if kind is Kind.PETITION else None)


def _kit(serial: int) -> Decision:
    return Decision(Kind.KIT_ENVELOPE, Status.ROUTED, method=Method.QR, confidence=1.0,
                    findings=(Finding(Reason.KIT_ENVELOPE, f"kit {serial}"),), kit_serial=serial)


def take_in(store: Store, season: Season, source: str, data: bytes, decision: Decision,
            station: str, operator: str) -> int:
    sha = store.images.put(data)
    season.files.append((source, data))
    [outcome] = store.record_file(source_name=source, sha256=sha, media_type="jpeg", size=len(data),
                                  pages=[(1, decision)], station=station, operator=operator)
    return outcome.item_id


def build_season(store: Store, campaign_text: str, *, envelopes: int, seed: int = 7) -> Season:
    """Take in `envelopes` envelopes of 3–15 pieces each and carry them to delivery."""
    rng = random.Random(seed)
    store.load_campaign(campaign_text, actor="coordinator", station=OFFICE)
    campaign = store.campaign()
    season = Season(Ed25519PrivateKey.generate())
    store.record_kits_printed(1, envelopes + 20, actor="coordinator", station=OFFICE)
    stations = (("station-1", "ana"), ("station-2", "bruno"), ("station-2", "chloé"))
    for serial in range(1, envelopes + 1):
        station, operator = stations[serial % len(stations)]
        take_in(store, season, f"env-{serial}.jpg",
                JPEG_START + f"envelope {serial} {rng.random()}".encode(),
                _kit(serial), station, operator)
        for n in range(rng.randint(3, 15)):
            item = take_in(store, season, f"env-{serial}-{n:02d}.jpg",
                           JPEG_START + f"piece {serial}/{n} {rng.random()}".encode(),
                           _piece(campaign, rng),
                           station, operator)
            if store.review_piece(item).item.status == Status.REVIEW.value:
                season.reviewed.append(item)
        store.close_batch(station=station, operator=operator)
        if serial == envelopes // 2:
            store.sign_checkpoint(season.key)
    for source, data in season.files[:12:3]:  # the same images again: duplicates
        store.record_file(source_name=source + " (again)", sha256=store.images.put(data),
                          media_type="jpeg", size=len(data), pages=[(1, Decision(
                              Kind.LETTER, Status.REVIEW))], station="station-1", operator="ana")
    for index, item in enumerate(season.reviewed):
        choice = (Choice(Verdict.CASE, rng.choice(campaign.cases).code, rng.choice(CASE_KINDS))
                  if index % 3 else Choice(Verdict.NOT_CAMPAIGN))
        if index % 4 == 3:
            continue  # still in review
        store.decide(item, choice, campaign, actor="ana", station="station-1")
        if index % 5 == 1:
            store.undo_last(actor="ana", station="station-1")
    destinations = sorted({p.destination for p in store.pending()})
    for number, destination in enumerate(destinations):
        try:
            view = store.close_bundle(destination, actor="coordinator", station=OFFICE)
        except NothingToBundle:
            continue
        store.record_sheet_issued(view.id, document="delivery_sheet", lang="fr",
                                  issued_on=date(2022, 1, 20), pdf_sha256="0" * 64,
                                  totals=view.totals, actor="coordinator", station=OFFICE)
        match number % 5:
            case 0 | 1 | 2:
                store.dispatch_bundle(view.id, method=DispatchMethod.HAND, tracking=None,
                                      actor="coordinator", station=OFFICE)
                store.deliver_bundle(view.id, received_by="Consular officer",
                                     received_on=date(2022, 1, 24 + number % 3),
                                     actor="coordinator", station=OFFICE)
                season.delivered_bundles.append(view.id)
            case 3:
                store.refuse_bundle(view.id, reason="closed today", actor="coordinator",
                                    station=OFFICE)
            case 4:
                store.void_bundle(view.id, reason="wrong count", actor="coordinator", station=OFFICE)
    store.sign_checkpoint(season.key)
    assert any(b.state == BundleState.DELIVERED.value for b in store.bundles())
    return season
