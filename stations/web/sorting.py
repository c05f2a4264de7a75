"""The live screen and its feed, batches, and the pictures of the scans."""

from __future__ import annotations

from functools import lru_cache

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from scanpipe.domain.payload import Payload, PayloadKind, Rejected, parse_payload
from scanpipe.domain.routing import Kind
from scanpipe.paper.preview import preview_jpeg
from stations.handscanner import readings
from stations.web.access import MaySeeImages, MaySort
from stations.web.context import HERE, Web, back, kind_label, safe_next
from stations.web.quarantine import feed_alarms
from stations.web.text import plural_forms, reason_text, text

# The statuses the live screen counts, in its order (the sides only when there are some).
COUNTED = ("routed", "review", "rejected", "blank_side", "picture_side", "file_waiting")

# What a code of ours that is not a kit envelope's is on (said when it is scanned as one).
KIND_OF_PAYLOAD = {PayloadKind.LETTER: Kind.LETTER.value, PayloadKind.POSTCARD: Kind.POSTCARD.value,
                   PayloadKind.PETITION: Kind.PETITION.value,
                   PayloadKind.BUNDLE: Kind.DELIVERY_RECEIPT.value,
                   PayloadKind.APPENDIX: Kind.DELIVERY_RECEIPT.value}

# Shown in place of a scan that cannot be drawn (the file was unreadable).
UNREADABLE_PICTURE = (HERE / "static" / "unreadable.svg").read_bytes()


def last_file(cards: list[dict]) -> dict | None:
    """The newest file among `cards` (newest first): its pages in order, and the page whose
    tray matters most — the first that is a piece (not a blank back or a picture side)."""
    if not cards:
        return None
    pages = sorted((c for c in cards if c["file"] == cards[0]["file"]), key=lambda c: c["page"])
    lead = next((c for c in pages if c["side_note"] is None), pages[-1])
    return {"pages": pages, "lead": lead}


def add_routes(app: FastAPI, web: Web) -> None:
    store, station, campaign = web.store, web.station, web.campaign

    # ------------------------------------------------------------- live

    @app.get("/live", response_class=HTMLResponse)
    def live(request: Request, person: MaySort):
        web.operate(request, only_if_free=True)  # a station with no operator: whoever opens this
        lang = web.lang_of(request)
        head = store.head_seq()
        cards = [piece_card(item, lang) for item in store.recent_items(station.name, 12)]
        return web.page(request, "live.html", cards=cards, head=head, notice_head=station.notice_head,
                    state=web.live_state(lang), inbox=str(station.inbox),
                    last_file=last_file(cards), me=person.name,
                    counts_words={k: plural_forms(k, lang) for k in COUNTED})

    @app.get("/api/feed")
    def feed(request: Request, person: MaySort, after: int = 0, notices: int = 0):
        # Polling never changes who the station's pieces are recorded under (see /operator).
        lang = web.lang_of(request)
        events, head = store.feed(station.name, after)
        pieces = []
        for event in events:
            if event.item is not None:
                pieces.append(piece_card(event.item, lang, duplicate=event.type == "item.duplicate",
                                         seq=event.seq))
        # Quarantined files are alarms until acknowledged (they come with `quarantine`, from
        # the folder, whenever the screen was opened); a file left in the inbox is told once.
        waits = [{"number": n.number, "kind": n.kind, "message": text("alarm.waits", lang, name=n.name)}
                 for n in station.notices(notices) if n.kind in ("retry", "error")]
        return {"after": head, "pieces": pieces, "alarms": waits, "quarantine": feed_alarms(web, lang),
                "notices": station.notice_head, **web.live_state(lang)}

    def piece_card(item, lang: str, **kw) -> dict:
        """A piece for the live screen, with the file it is a page of (its image's digest), so
        the pages of one file are shown together."""
        card = web.card(item, lang, **kw)
        card["file"] = item.image_sha256
        card["side_note"] = (text("live.blank_back", lang) if card["status"] == "blank_side" else
                             text("live.picture_side", lang) if card["status"] == "picture_side"
                             else None)
        card["page_label"] = text("live.page", lang, page=item.page)
        return card

    @app.post("/batch/open")
    async def open_batch(request: Request, person: MaySort):
        """A kit envelope's code, from the scan field of any sorting screen: opens a batch for
        that kit (closing the open one) and goes back to the screen it came from."""
        form = await web.form_of(request)
        lang = web.lang_of(request)
        target = safe_next(str(form.get("next") or "/live"))
        typed = str(form.get("code", "")).strip()[:200]
        parsed = None
        for reading in readings(typed):
            parsed = parse_payload(reading, campaign.id, campaign.check_key)
            if isinstance(parsed, Payload):
                break
        if not isinstance(parsed, Payload) or parsed.kind is not PayloadKind.KIT:
            first = parse_payload(typed, campaign.id, campaign.check_key) if typed else None
            if not typed:
                why = text("live.not_kit.empty", lang)
            elif isinstance(first, Rejected):
                why = reason_text(first.fault.value, lang)
            else:
                kind = KIND_OF_PAYLOAD.get(parsed.kind if isinstance(parsed, Payload) else None)
                why = text("live.not_kit.other_kind", lang,
                           kind=kind_label(kind, lang) if kind else "?")
            web.flash(request, text("live.not_kit", lang, text=typed, why=why), "error")
            return back(target)
        batch = store.open_batch(station=station.name, operator=person.name, kit_serial=parsed.serial)
        web.flash(request, text("live.opened_from", lang, batch=batch, kit=parsed.serial))
        return back(target)

    @app.post("/batch/anonymous")
    async def open_anonymous(request: Request, person: MaySort):
        await web.form_of(request)
        store.open_batch(station=station.name, operator=person.name, kit_serial=None)
        web.flash(request, text("live.opened_anonymous", web.lang_of(request)))
        return back("/live")

    @app.post("/batch/close")
    async def close_batch(request: Request, person: MaySort):
        await web.form_of(request)
        closed = store.close_batch(station=station.name, operator=person.name)
        if closed is None:
            return back("/live")
        web.flash(request, text("batch.closed", web.lang_of(request)))
        return back(f"/batch/{closed}")

    @app.get("/batch/{batch_id}", response_class=HTMLResponse)
    def batch_summary(request: Request, _: MaySort, batch_id: int):
        summary = store.batch_summary(batch_id)
        if summary is None:
            raise HTTPException(404)
        return web.page(request, "batch.html", summary=summary)

    # ---------------------------------------------------------- images

    @lru_cache(maxsize=256)
    def rendered(sha256: str, page_number: int, width: int) -> bytes:
        return preview_jpeg(store.images.get(sha256), page_number, width)

    @app.get("/items/{item_id}/image")
    def item_image(request: Request, _: MaySeeImages, item_id: int, w: int = 240):
        item = store.item(item_id)
        if item is None:
            raise HTTPException(404)
        width = min(max(w, 80), 2400)
        try:
            body = rendered(item.image_sha256, item.page, width)
        except Exception:  # an unreadable file has no picture: say so in a picture
            return Response(UNREADABLE_PICTURE,
                            media_type="image/svg+xml")
        return Response(body, media_type="image/jpeg",
                        headers={"Cache-Control": "private, max-age=86400"})
