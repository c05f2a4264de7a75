"""The coordinators' bundle pages: what waits for a bundle, closing one, its papers, its delivery.

Auditors see every page (read-only); coordinators and admins close bundles, print
their papers and record each step, which the store writes as ledger events.
"""

from __future__ import annotations

import json
from datetime import date

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from models.events import BundleState, next_steps
from models.store.bundles import BundleError, DispatchMethod, clean_text
from scanpipe.domain.campaign import Campaign
from scanpipe.domain.season import DayProblem, DayUse, day_problem
from stations.delivery import (
    Document,
    deadline_passed_at,
    issue,
    paper_of,
    papers_language,
    recipient,
    sheet_document,
)
from stations.web.access import MayHandleBundles, MaySeeProgress
from stations.web.context import Web, back
from stations.web.text import LANGUAGES, refusal_text, text

# The store's refusals (English, for the command line), said in the station's language.
_WHAT = {"the tracking number": "bundles.tracking", "the name of who received it": "bundles.received_by",
         "the reason": "bundles.reason", "the name of who hands it over": "bundles.handed_by"}


def error_text(exc: Exception, lang: str) -> str:
    """A refused bundle step in the station's language (never the store's English)."""
    if not isinstance(exc, BundleError):
        return text("bundles.error.invalid", lang)
    shown: dict[str, object] = {}
    what = exc.values.get("what")
    if isinstance(what, str):
        shown["what"] = text(_WHAT[what], lang) if what in _WHAT else "—"
    for name in ("state", "to"):
        if isinstance(exc.values.get(name), str):
            shown[name] = text(f"state.{exc.values[name]}", lang)
    return refusal_text("bundles", exc, lang, **shown)


def day_refusal(day: date, campaign: Campaign, today: date, lang: str, *,
                outside_season: bool) -> str | None:
    """Why a typed delivery day is refused, in the station's language; None: it is not."""
    problem = day_problem(day, campaign, today, DayUse.DELIVERY, outside_season=outside_season)
    if problem is None:
        return None
    values = {"day": day.isoformat(), "today": today.isoformat(), "campaign": campaign.id,
              "start": campaign.season.start.isoformat(), "end": campaign.season.end.isoformat()}
    match problem:
        case DayProblem.FUTURE:
            return text("bundles.error.day_future", lang, **values)
        case DayProblem.AFTER_SEASON:
            return text("bundles.error.day_after_season", lang, **values)
        case DayProblem.BEFORE_SEASON | DayProblem.TOO_EARLY:
            return text("bundles.error.day_before_season", lang, **values)


def add_routes(app: FastAPI, web: Web) -> None:
    store, station, campaign = web.store, web.station, web.campaign

    def load(bundle_id: int):
        try:
            return store.bundle(bundle_id)
        except BundleError:
            raise HTTPException(404, "no such bundle") from None

    @app.get("/bundles", response_class=HTMLResponse)
    def bundles(request: Request, _: MaySeeProgress):
        lang = web.lang_of(request)
        waiting = [{"row": row, "name": web.describe(row.destination, lang)}
                   for row in store.pending(late_after=deadline_passed_at(campaign))]
        listed = [{"row": row, "name": web.describe(row.destination, lang)}
                  for row in reversed(store.bundles())]
        return web.page(request, "bundles.html", waiting=waiting, listed=listed)

    @app.post("/bundles/close")
    async def close(request: Request, person: MayHandleBundles):
        form = await web.form_of(request)
        destination = str(form.get("destination", ""))
        lang = web.lang_of(request)
        try:
            view = store.close_bundle(destination, actor=person.name, station=station.name,
                                      late_after=deadline_passed_at(campaign))
        except BundleError as exc:
            web.flash(request, error_text(exc, lang), "error")
            return back("/bundles")
        web.flash(request, text("bundles.closed", lang, id=view.id, pieces=len(view.item_ids),
                                who=web.describe(destination, lang)))
        return back(f"/bundles/{view.id}")

    @app.get("/bundles/{bundle_id}", response_class=HTMLResponse)
    def show(request: Request, _: MaySeeProgress, bundle_id: int):
        lang = web.lang_of(request)
        view = load(bundle_id)
        history = [{"event": e, "payload": json.loads(e.payload)}
                   for e in store.bundle_events(bundle_id)]
        return web.page(request, "bundle.html", view=view, history=history,
                        name=web.describe(view.bundle.destination, lang),
                        address=recipient(campaign, view.bundle.destination).address,
                        paper=paper_of(campaign, view.bundle.destination).value,
                        papers_lang=papers_language(campaign, view.bundle.destination),
                        state=view.state.value, today=date.today().isoformat(),
                        can={s.value for s in next_steps(view.state)})

    @app.post("/bundles/{bundle_id}/papers")
    async def papers(request: Request, person: MayHandleBundles, bundle_id: int):
        """The recipient's sheet, the office copy or the label as a PDF, written now and
        recorded as issued: the first and the last in the recipient's language unless another
        is chosen, the office copy in the station's."""
        form = await web.form_of(request)
        view = load(bundle_id)
        if view.state is BundleState.VOID:
            raise HTTPException(409, "void bundle")
        chosen = {"sheet": sheet_document(view), "office_copy": Document.OFFICE_COPY,
                  "label": Document.LABEL}.get(str(form.get("document", "")))
        if chosen is None:
            raise HTTPException(400, "unknown document")
        lang = str(form.get("lang") or "")
        if lang not in LANGUAGES:
            lang = (web.lang_of(request) if chosen is Document.OFFICE_COPY
                    else papers_language(campaign, view.bundle.destination))
        try:
            handed_by = clean_text(str(form.get("handed_by") or ""),
                                   "the name of who hands it over", required=False)
        except BundleError as exc:
            web.flash(request, error_text(exc, web.lang_of(request)), "error")
            return back(f"/bundles/{bundle_id}")
        pdf = issue(store, view, campaign, chosen, issued_on=date.today(), lang=lang,
                    actor=person.name, station=station.name, handed_by=handed_by)
        name = f"bundle-{bundle_id:04d}-{chosen.value.replace('_', '-')}.pdf"
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}"'})

    @app.post("/bundles/{bundle_id}/step")
    async def step(request: Request, person: MayHandleBundles, bundle_id: int):
        form = await web.form_of(request)
        lang = web.lang_of(request)
        action = str(form.get("action", ""))
        who = {"actor": person.name, "station": station.name}
        reason = str(form.get("reason", ""))
        try:
            if action == "dispatch":
                method = DispatchMethod(str(form.get("method", "")))
                row = store.dispatch_bundle(bundle_id, method=method,
                                            tracking=str(form.get("tracking", "")), **who)
            elif action == "deliver":
                today = store.today()
                typed = str(form.get("received_on") or "")
                on = date.fromisoformat(typed) if typed else today
                late = bool(form.get("outside_season"))
                refused = day_refusal(on, campaign, today, lang, outside_season=late)
                if refused:
                    web.flash(request, refused, "error")
                    return back(f"/bundles/{bundle_id}")
                row = store.deliver_bundle(bundle_id, received_by=str(form.get("received_by", "")),
                                           received_on=on, outside_season=late and on > campaign.season.end,
                                           **who)
            elif action == "refuse":
                row = store.refuse_bundle(bundle_id, reason=reason, **who)
            elif action == "return":
                row = store.return_bundle(bundle_id, reason=reason, **who)
            elif action == "void":
                row = store.void_bundle(bundle_id, reason=reason, **who)
            else:
                raise HTTPException(400, "unknown step")
        except (BundleError, ValueError) as exc:
            web.flash(request, error_text(exc, lang), "error")
            return back(f"/bundles/{bundle_id}")
        web.flash(request, text("bundles.saved", lang, id=row.id, state=text(f"state.{row.state}", lang)))
        return back(f"/bundles/{bundle_id}")

