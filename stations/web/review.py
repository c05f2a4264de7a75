"""Review: one piece at a time, one key per decision, and undo — each a ledger event.

Every review screen lists the reviewer's latest decisions (the piece, what it became, its tray),
each with its own undo while it still stands. Why a decision cannot be made is said in the
screen's language (`ReviewError.code`), never as the store's English message.
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse

from models.store import item_ref
from models.store.review import CASE_KINDS, Choice, MyDecision, ReviewError, Verdict
from models.store.sorting import reasons_of
from scanpipe.domain.routing import Kind, Status
from scanpipe.domain.trays import tray_key
from stations.web.access import MayReview
from stations.web.context import Web, back, kind_label, safe_next
from stations.web.text import plural, reason_text, refusal_text, text


def error_text(exc: ReviewError, lang: str) -> str:
    """A ReviewError in the screen's language."""
    item = exc.values.get("item")
    return refusal_text("review", exc, lang,
                        **({"ref": item_ref(item)} if isinstance(item, int) else {}))


def add_routes(app: FastAPI, web: Web) -> None:
    store, station, campaign = web.store, web.station, web.campaign

    def what(kind: str, case: str | None, destination: str | None, reasons: list[str],
             signatures: int | None, lang: str) -> str:
        """What a decision made of a piece, in words."""
        if case:
            words = f"{case} ({kind_label(kind, lang)}), {web.describe(destination, lang)}"
            if kind == Kind.PETITION.value and signatures is not None:
                words += " — " + plural("signature", signatures, lang)
            return words
        return reason_text(reasons[0], lang) if reasons else "—"

    def listed(decision: MyDecision, lang: str) -> dict:
        key = tray_key(decision.kind, decision.status, decision.destination, decision.reasons)
        return {"seq": decision.seq, "item": decision.item_id, "ref": item_ref(decision.item_id),
                "what": what(decision.kind, decision.case, decision.destination, decision.reasons,
                             decision.signatures, lang),
                "tray": (web.plan().get(key) if key else None) or "—",
                "undone": decision.undone, "undoable": decision.undoable}

    def mine(request: Request, name: str) -> list[dict]:
        lang = web.lang_of(request)
        return [listed(d, lang) for d in store.my_decisions(actor=name, station=station.name)]

    # ---------------------------------------------------------- review

    @app.get("/review", response_class=HTMLResponse)
    def review_next(request: Request, person: MayReview, after: int = 0, everywhere: bool = False):
        where = None if everywhere else station.name
        found = store.next_review(station=where, after=after)
        if found is None and after:
            found = store.next_review(station=where, after=0)  # wrap around after a skip
        if found is None:
            return web.page(request, "review_none.html", mine=mine(request, person.name))
        return back(f"/review/{found}" + ("?everywhere=1" if everywhere else ""))

    @app.get("/review/{item_id}", response_class=HTMLResponse)
    def review_piece(request: Request, person: MayReview, item_id: int, everywhere: bool = False):
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
                    card=web.card(piece.item, lang), mine=mine(request, person.name))

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
        except ReviewError as exc:
            web.flash(request, error_text(exc, lang), "error")
            return back(f"/review/{item_id}")
        except ValueError:  # a form no screen of ours sends (a kind, a verdict, a count)
            web.flash(request, text("review.error.invalid", lang), "error")
            return back(f"/review/{item_id}")
        reasons = reasons_of(item)
        words = what(item.kind, item.case_code, item.destination, reasons, item.signatures, lang)
        tray = web.tray_of(item, reasons) or "—"
        web.flash(request, text("review.decided", lang, ref=item_ref(item.id), what=words, tray=tray),
              tray=tray)
        suffix = "&everywhere=1" if form.get("everywhere") else ""
        return back(f"/review?after={item_id}{suffix}")

    @app.post("/review/undo")
    async def undo(request: Request, person: MayReview):
        """Undo my last decision that still stands, or the one named by `decision` (its event's
        sequence number, from the list of my decisions)."""
        form = await web.form_of(request)
        lang = web.lang_of(request)
        chosen = str(form.get("decision") or "")
        try:
            if chosen:
                if not chosen.isdigit() or len(chosen) > 18:
                    raise ReviewError("no such decision", "not_yours")
                undone = store.undo(int(chosen), actor=person.name, station=station.name)
            else:
                undone = store.undo_last(actor=person.name, station=station.name)
        except ReviewError as exc:
            web.flash(request, error_text(exc, lang), "error")
            return back(safe_next(str(form.get("next") or "/review")))
        if undone is None:
            web.flash(request, text("review.nothing_to_undo", lang), "error")
            return back("/review")
        web.flash(request, text("review.undone", lang, ref=item_ref(undone.item_id),
                            status=text(f"status.{undone.status}", lang)))
        return back(f"/review/{undone.item_id}")
