"""The coordinators' side of delivery: from a bundle in the ledger to the papers that go with it.

Used by the command line and the station app alike: who a destination is on
paper and in which language, when the campaign's deadline passed (in the office's
time), and a bundle's three papers — the recipient's sheet (an embassy's delivery
sheet, a forwarding manifest or a cover list), the office's copy and the label —
written and recorded in the ledger as issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path

from models.events import to_authority
from models.images import sha256_of
from models.store import Store, item_ref
from models.store.bundles import BundleView
from scanpipe.domain.campaign import Campaign, PostcardRoute, case_text
from scanpipe.domain.payload import appendix_payload, bundle_payload, encode_payload
from scanpipe.paper.labels import BundleLabel, render_bundle_label
from scanpipe.paper.office_copy import OfficeCopy, id_ranges, render_office_copy
from scanpipe.paper.sheets import DeliverySheet, Paper, SheetLine, render_delivery_sheet
from stations.files import write_whole


class Document(StrEnum):
    """The papers of a bundle, as `sheet.issued` names them."""

    DELIVERY_SHEET = "delivery_sheet"  # an embassy's
    MANIFEST = "manifest"              # a forwarder's, or a cover list sent to the person
    OFFICE_COPY = "office_copy"        # kept by the office
    LABEL = "label"


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str


def is_forwarding(destination: str) -> bool:
    """Postcard routes (a person, relatives, a partner office) get a forwarding manifest: it
    lists the postcards and the letters to the person."""
    return not to_authority(destination)


def paper_of(campaign: Campaign, destination: str) -> Paper:
    """Which paper a destination's bundles carry: an embassy's delivery sheet; a manifest for
    who forwards the cards (a partner office, the relatives, the person's contact); a plain
    cover list when the cards go to the person and nobody forwards them."""
    if not is_forwarding(destination):
        return Paper.EMBASSY
    kind, _, code = destination.partition(":")
    case = campaign.case(code) if kind == PostcardRoute.PERSON.value else None
    if case is not None and case.postcards.contact is None:
        return Paper.COVER
    return Paper.FORWARDING


def papers_language(campaign: Campaign, destination: str) -> str:
    """The language of a destination's papers: an embassy's own, else the campaign's."""
    kind, _, code = destination.partition(":")
    return campaign.embassy_language(code) if kind == "embassy" else campaign.language


def recipient(campaign: Campaign, destination: str) -> Recipient:
    """Who a destination is on paper: an embassy, a partner office, the relatives, the contact
    who forwards a person's cards, or the person."""
    kind, _, code = destination.partition(":")
    if kind == "embassy" and campaign.embassy(code):
        embassy = campaign.embassy(code)
        return Recipient(embassy.name, embassy.address)
    if kind == "partner" and campaign.partner(code):
        partner = campaign.partner(code)
        return Recipient(partner.name, partner.address)
    if kind in ("person", "relatives") and campaign.case(code):
        route = campaign.case(code).postcards
        if kind == "person" and route.contact is not None:
            return Recipient(route.contact.name, route.contact.address)
        if route.name and route.address:
            return Recipient(route.name, route.address)
    return Recipient(destination, "")


def deadline_passed_at(campaign: Campaign) -> datetime:
    """The end of the deadline day in this machine's time zone (the office's day)."""
    next_day = datetime.combine(campaign.deadline + timedelta(days=1), time(0))
    return next_day.astimezone()


def _lines(view: BundleView, campaign: Campaign, lang: str | None = None) -> tuple[SheetLine, ...]:
    """The sheet's lines; each case's country in `lang` when the campaign gives it in that
    language, else as the campaign file writes it."""
    offered = lang in campaign.offered_languages
    countries = {c.code: (case_text(campaign, c, "country", lang) if offered and lang else None)
                 or c.country for c in campaign.cases}
    return tuple(SheetLine(x.case, x.person, countries.get(x.case, ""), x.letters, x.postcards,
                           x.petitions, x.signatures, x.solidarity_letters) for x in view.lines)


def delivery_sheet(view: BundleView, campaign: Campaign, issued_on: date,
                   handed_by: str | None = None, lang: str | None = None) -> DeliverySheet:
    """What the recipient's paper of a bundle says, from the ledger's view of it, for a paper
    in `lang` (the campaign's language if None)."""
    destination = view.bundle.destination
    who = recipient(campaign, destination)
    return DeliverySheet(
        paper=paper_of(campaign, destination), campaign_name=campaign.name,
        office=campaign.office, recipient_name=who.name, recipient_address=who.address,
        issued_on=issued_on, lines=_lines(view, campaign, lang), bundle_ref=str(view.id),
        bundle_code=encode_payload(bundle_payload(campaign.id, view.id), campaign.check_key),
        appendix_code=encode_payload(appendix_payload(campaign.id, view.id), campaign.check_key),
        handed_by=handed_by)


def _office_day(moment: datetime) -> date:
    """The office's day of a stored moment (SQLite gives it back without its UTC zone)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone().date()


def office_copy(view: BundleView, campaign: Campaign, issued_on: date) -> OfficeCopy:
    """What the office's copy of a bundle says, from the ledger's view of it."""
    b = view.bundle
    return OfficeCopy(
        paper=paper_of(campaign, b.destination), campaign_id=campaign.id,
        campaign_name=campaign.name, bundle_ref=str(view.id), destination=b.destination,
        recipient_name=recipient(campaign, b.destination).name, issued_on=issued_on,
        closed_on=_office_day(b.created_at), closed_by=b.created_by, state=b.state,
        lines=_lines(view, campaign), pieces=len(view.item_ids),
        items=id_ranges(view.item_ids, item_ref), late=tuple(item_ref(i) for i in view.late_ids),
        deadline=campaign.deadline, method=b.method, tracking=b.tracking,
        received_by=b.received_by, received_on=b.received_on,
        receipt_item=item_ref(b.receipt_item_id) if b.receipt_item_id else None)


def bundle_label(view: BundleView, campaign: Campaign, issued_on: date) -> BundleLabel:
    totals = view.totals
    destination = view.bundle.destination
    return BundleLabel(
        campaign_name=campaign.name, bundle_ref=str(view.id),
        bundle_code=encode_payload(bundle_payload(campaign.id, view.id), campaign.check_key),
        recipient_name=recipient(campaign, destination).name,
        letters=totals["letters"], postcards=totals["postcards"], petitions=totals["petitions"],
        signatures=totals["signatures"], issued_on=issued_on,
        paper=paper_of(campaign, destination), solidarity_letters=totals["solidarity_letters"])


def sheet_document(view: BundleView) -> Document:
    return Document.MANIFEST if is_forwarding(view.bundle.destination) else Document.DELIVERY_SHEET


def render_sheet(view: BundleView, campaign: Campaign, issued_on: date, lang: str | None = None,
                 handed_by: str | None = None) -> bytes:
    """The bundle's delivery sheet (or forwarding manifest) as PDF bytes, in `lang` or else
    its recipient's language."""
    lang = lang or papers_language(campaign, view.bundle.destination)
    return render_delivery_sheet(delivery_sheet(view, campaign, issued_on, handed_by, lang), lang)


def render_label(view: BundleView, campaign: Campaign, issued_on: date,
                 lang: str | None = None) -> bytes:
    """The bundle's label as PDF bytes, in `lang` or else its recipient's language."""
    return render_bundle_label(bundle_label(view, campaign, issued_on),
                               lang or papers_language(campaign, view.bundle.destination))


def render_copy(view: BundleView, campaign: Campaign, issued_on: date, lang: str) -> bytes:
    """The bundle's office copy as PDF bytes (in the station's language)."""
    return render_office_copy(office_copy(view, campaign, issued_on), lang)


def issue(store: Store, view: BundleView, campaign: Campaign, document: Document, *,
          issued_on: date, lang: str, actor: str, station: str,
          handed_by: str | None = None) -> bytes:
    """Render one of the bundle's papers in `lang`, record it as issued, and return its PDF."""
    match document:
        case Document.LABEL:
            pdf = render_label(view, campaign, issued_on, lang)
        case Document.OFFICE_COPY:
            pdf = render_copy(view, campaign, issued_on, lang)
        case Document.DELIVERY_SHEET | Document.MANIFEST:
            document = sheet_document(view)
            pdf = render_sheet(view, campaign, issued_on, lang, handed_by)
    store.record_sheet_issued(view.id, document=document.value, lang=lang, issued_on=issued_on,
                              pdf_sha256=sha256_of(pdf), totals=view.totals, actor=actor,
                              station=station)
    return pdf


def file_stem(view: BundleView) -> str:
    return f"bundle-{view.id:04d}-{view.bundle.destination.replace(':', '-')}"


def write_documents(store: Store, view: BundleView, campaign: Campaign, out: Path, *,
                    issued_on: date, lang: str | None, office_lang: str, actor: str,
                    station: str, handed_by: str | None = None) -> list[Path]:
    """Write the bundle's papers into `out` and record each as issued: the recipient's sheet
    and the label in `lang` (else the recipient's language), the office copy in
    `office_lang`."""
    out.mkdir(parents=True, exist_ok=True)
    theirs = lang or papers_language(campaign, view.bundle.destination)
    written = []
    for document, in_lang in ((sheet_document(view), theirs), (Document.OFFICE_COPY, office_lang),
                              (Document.LABEL, theirs)):
        pdf = issue(store, view, campaign, document, issued_on=issued_on, lang=in_lang,
                    actor=actor, station=station, handed_by=handed_by)
        target = out / f"{file_stem(view)}-{document.value.replace('_', '-')}.pdf"
        written.append(write_whole(target, pdf))  # a reader never sees half a PDF
    return written
