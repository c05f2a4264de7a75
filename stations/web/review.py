"""Review: one piece at a time, one key per decision, and undo — each a ledger event."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse

from models.store import item_ref
from models.store.review import CASE_KINDS, Choice, ReviewError, Verdict
from models.store.sorting import reasons_of
from scanpipe.domain.routing import Kind, Status
from stations.web.access import MayReview
from stations.web.context import Web, back, kind_label
from stations.web.text import reason_text, text


def add_routes(app: FastAPI, web: Web) -> None:
    store, station, campaign = web.store, web.station, web.campaign

    # ---------------------------------------------------------- review

    @app.get("/review", response_class=HTMLResponse)
    def review_next(request: Request, _: MayReview, after: int = 0, everywhere: bool = False):
        where = None if everywhere else station.name
        found = store.next_review(station=where, after=after)
        if found is None and after:
            found = store.next_review(station=where, after=0)  # wrap around after a skip
        if found is None:
            return web.page(request, "review_none.html")
        return back(f"/review/{found}" + ("?everywhere=1" if everywhere else ""))

    @app.get("/review/{item_id}", response_class=HTMLResponse)
    def review_piece(request: Request, _: MayReview, item_id: int, everywhere: bool = False):
        piece = store.review_piece(item_id)
        if piece is None:
            raise HTTPException(404)
        lang = web.lang_of(request)
        ranked = [c for c in piece.state.get("candidates", []) if campaign.case(c.get("case", ""))]
        others = [{"case": c.code, "score": None, "evidence": []} for c in campaign.cases
                  if c.code not in {r["case"] for r in ranked}]
        choices = [{**c, "person": campaign.case(c["case"]).person} for c in ranked + others]
        kind = piece.item.kind if piece.item.kind in CASE_KINDS else Kind.LETTER.value
        codes = [e for e in piece.state.get("evidence", []) if e.get("code")]
        return web.page(request, "review.html", piece=piece, item=piece.item, choices=choices,
                    ranked=len(ranked), kind=kind, codes=codes, everywhere=everywhere,
                    reasons=[(r, reason_text(r, lang)) for r in piece.state.get("reasons", [])],
                    settled=piece.item.status != Status.REVIEW.value,
                    card=web.card(piece.item, lang))

    @app.post("/review/{item_id}/decide")
    async def decide(request: Request, person: MayReview, item_id: int):
        form = await web.form_of(request)
        lang = web.lang_of(request)
        try:
            verdict = Verdict(form.get("verdict") or "case")
            kind = Kind(form.get("kind") or "letter")
            signatures = form.get("signatures")
            choice = Choice(verdict, case=form.get("case") or None, kind=kind,
                            signatures=int(signatures) if signatures not in (None, "") else None)
            seen = int(form.get("seen", 0)) or None
            item = store.decide(item_id, choice, campaign, actor=person.name, station=station.name,
                                seen_seq=seen)
        except (ReviewError, ValueError) as exc:
            web.flash(request, str(exc), "error")
            return back(f"/review/{item_id}")
        what = (f"{item.case_code} ({kind_label(item.kind, lang)}), {web.describe(item.destination, lang)}"
                if item.case_code else reason_text(reasons_of(item)[0], lang))
        tray = web.tray_of(item) or "—"
        web.flash(request, text("review.decided", lang, ref=item_ref(item.id), what=what, tray=tray),
              tray=tray)
        suffix = "&everywhere=1" if form.get("everywhere") else ""
        return back(f"/review?after={item_id}{suffix}")

    @app.post("/review/undo")
    async def undo(request: Request, person: MayReview):
        await web.form_of(request)
        lang = web.lang_of(request)
        try:
            undone = store.undo_last(actor=person.name, station=station.name)
        except ReviewError as exc:
            web.flash(request, str(exc), "error")
            return back("/review")
        if undone is None:
            web.flash(request, text("review.nothing_to_undo", lang), "error")
            return back("/review")
        web.flash(request, text("review.undone", lang, ref=item_ref(undone.item_id),
                            status=text(f"status.{undone.status}", lang)))
        return back(f"/review/{undone.item_id}")
