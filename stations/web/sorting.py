"""The live screen and its feed, batches, and the pictures of the scans."""

from __future__ import annotations

from functools import lru_cache

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from scanpipe.domain.payload import Payload, PayloadKind, parse_payload
from scanpipe.paper.preview import preview_jpeg
from stations.handscanner import readings
from stations.web.access import MaySeeImages, MaySort
from stations.web.context import HERE, Web, back
from stations.web.text import text

# Shown in place of a scan that cannot be drawn (the file was unreadable).
UNREADABLE_PICTURE = (HERE / "static" / "unreadable.svg").read_bytes()


def add_routes(app: FastAPI, web: Web) -> None:
    store, station, campaign = web.store, web.station, web.campaign

    # ------------------------------------------------------------- live

    @app.get("/live", response_class=HTMLResponse)
    def live(request: Request, person: MaySort):
        web.operate(request, only_if_free=True)  # a station with no operator: whoever opens this
        lang = web.lang_of(request)
        head = store.head_seq()
        cards = [web.card(item, lang) for item in store.recent_items(station.name, 12)]
        return web.page(request, "live.html", cards=cards, head=head, notice_head=station.notice_head,
                    state=web.live_state(lang), inbox=str(station.inbox))

    @app.get("/api/feed")
    def feed(request: Request, person: MaySort, after: int = 0, notices: int = 0):
        # Polling never changes who the station's pieces are recorded under (see /operator).
        lang = web.lang_of(request)
        events, head = store.feed(station.name, after)
        pieces = []
        for event in events:
            if event.item is not None:
                pieces.append(web.card(event.item, lang, duplicate=event.type == "item.duplicate",
                                   seq=event.seq))
        alarms = [{"number": n.number, "kind": n.kind,
                   "message": text("live.quarantined" if n.kind == "quarantined" else "live.file_waits",
                                   lang, name=n.name, reason=n.reason or "")}
                  for n in station.notices(notices)]
        return {"after": head, "pieces": pieces, "alarms": alarms,
                "notices": station.notice_head, **web.live_state(lang)}

    @app.post("/batch/open")
    async def open_batch(request: Request, person: MaySort):
        form = await web.form_of(request)
        lang = web.lang_of(request)
        typed = str(form.get("code", "")).strip()[:200]
        parsed = None
        for reading in readings(typed):
            parsed = parse_payload(reading, campaign.id, campaign.check_key)
            if isinstance(parsed, Payload):
                break
        if not isinstance(parsed, Payload) or parsed.kind is not PayloadKind.KIT:
            first = parse_payload(typed, campaign.id, campaign.check_key) if typed else None
            why = (first.detail if first is not None and not isinstance(first, Payload)
                   else "not an envelope code" if typed else "nothing was typed")
            web.flash(request, text("live.not_kit", lang, text=typed, why=why), "error")
            return back("/live")
        store.open_batch(station=station.name, operator=person.name, kit_serial=parsed.serial)
        web.flash(request, text("live.opened", lang, kit=parsed.serial))
        return back("/live")

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
