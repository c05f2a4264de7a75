"""The coordinators' side of delivery: from a bundle in the ledger to the papers that go with it.

Used by the command line and the station app alike: who a destination is on
paper, when the campaign's deadline passed (in the office's time), the delivery
sheet (or postcard forwarding manifest) and the label of a bundle, written and
recorded in the ledger as issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from models.events import to_authority
from models.images import sha256_of
from models.store import Store, item_ref
from models.store.bundles import BundleView
from scanpipe.domain.campaign import Campaign
from scanpipe.domain.payload import appendix_payload, bundle_payload, encode_payload
from scanpipe.paper.labels import BundleLabel, render_bundle_label
from scanpipe.paper.sheets import DeliverySheet, SheetLine, render_delivery_sheet


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str


def is_forwarding(destination: str) -> bool:
    """Postcard routes (a person, relatives, a partner office) get a forwarding manifest: it
    lists the postcards and the letters to the person."""
    return not to_authority(destination)


def recipient(campaign: Campaign, destination: str) -> Recipient:
    """Who a destination is on paper: an embassy, a partner office, a person or their relatives."""
    kind, _, code = destination.partition(":")
    if kind == "embassy" and campaign.embassy(code):
        embassy = campaign.embassy(code)
        return Recipient(embassy.name, embassy.address)
    if kind == "partner" and campaign.partner(code):
        partner = campaign.partner(code)
        return Recipient(partner.name, partner.address)
    if kind in ("person", "relatives") and campaign.case(code):
        route = campaign.case(code).postcards
        if route.name and route.address:
            return Recipient(route.name, route.address)
    return Recipient(destination, "")


def deadline_passed_at(campaign: Campaign) -> datetime:
    """The end of the deadline day in this machine's time zone (the office's day)."""
    next_day = datetime.combine(campaign.deadline + timedelta(days=1), time(0))
    return next_day.astimezone()


def delivery_sheet(view: BundleView, campaign: Campaign, issued_on: date) -> DeliverySheet:
    """What the sheet of a bundle says, from the ledger's view of it."""
    destination = view.bundle.destination
    who = recipient(campaign, destination)
    late = frozenset(item_ref(i) for i in view.late_ids)
    return DeliverySheet(
        campaign_id=campaign.id, campaign_name=campaign.name, office=campaign.office,
        destination=destination, recipient_name=who.name, recipient_address=who.address,
        issued_on=issued_on,
        lines=tuple(SheetLine(x.case, x.person, x.letters, x.postcards, x.petitions, x.signatures,
                              x.solidarity_letters) for x in view.lines),
        item_ids=tuple(item_ref(i) for i in view.item_ids),
        bundle_code=encode_payload(bundle_payload(campaign.id, view.id), campaign.check_key),
        appendix_code=encode_payload(appendix_payload(campaign.id, view.id), campaign.check_key),
        bundle_ref=str(view.id), forwarding=is_forwarding(destination),
        late_ids=late, deadline=campaign.deadline)


def bundle_label(view: BundleView, campaign: Campaign, issued_on: date) -> BundleLabel:
    totals = view.totals
    destination = view.bundle.destination
    return BundleLabel(
        campaign_id=campaign.id, campaign_name=campaign.name, bundle_ref=str(view.id),
        bundle_code=encode_payload(bundle_payload(campaign.id, view.id), campaign.check_key),
        destination=destination, recipient_name=recipient(campaign, destination).name,
        letters=totals["letters"], postcards=totals["postcards"], petitions=totals["petitions"],
        signatures=totals["signatures"], late=len(view.late_ids), issued_on=issued_on,
        forwarding=is_forwarding(destination), solidarity_letters=totals["solidarity_letters"])


def sheet_name(view: BundleView) -> str:
    return "manifest" if is_forwarding(view.bundle.destination) else "delivery_sheet"


def render_sheet(view: BundleView, campaign: Campaign, issued_on: date, lang: str) -> bytes:
    """The bundle's delivery sheet (or forwarding manifest) as PDF bytes."""
    return render_delivery_sheet(delivery_sheet(view, campaign, issued_on), lang)


def render_label(view: BundleView, campaign: Campaign, issued_on: date, lang: str) -> bytes:
    """The bundle's label as PDF bytes."""
    return render_bundle_label(bundle_label(view, campaign, issued_on), lang)


def issue(store: Store, view: BundleView, campaign: Campaign, *, label: bool, issued_on: date,
          lang: str, actor: str, station: str) -> tuple[str, bytes]:
    """Render the bundle's sheet (or, with `label`, its label), record it as issued, and
    return the document's name and PDF."""
    if label:
        document, pdf = "label", render_label(view, campaign, issued_on, lang)
    else:
        document, pdf = sheet_name(view), render_sheet(view, campaign, issued_on, lang)
    store.record_sheet_issued(view.id, document=document, lang=lang, issued_on=issued_on,
                              pdf_sha256=sha256_of(pdf), totals=view.totals, actor=actor,
                              station=station)
    return document, pdf


def file_stem(view: BundleView) -> str:
    return f"bundle-{view.id:04d}-{view.bundle.destination.replace(':', '-')}"


def write_documents(store: Store, view: BundleView, campaign: Campaign, out: Path, *,
                    issued_on: date, lang: str, actor: str, station: str) -> list[Path]:
    """Write the bundle's sheet and label into `out` and record each as issued."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for label in (False, True):
        document, pdf = issue(store, view, campaign, label=label, issued_on=issued_on,
                              lang=lang, actor=actor, station=station)
        target = out / f"{file_stem(view)}-{document.replace('_', '-')}.pdf"
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(pdf)
        partial.replace(target)  # a reader never sees half a PDF
        written.append(target)
    return written
