"""The station web app: sign-in, live sorting, batches, one-key review, trays, progress, people.

Server-rendered pages (Jinja2, escaped by default) and one small script for the
live feed and the review keys; every asset is served from this package. HTTP
statuses are decided in one place (`_error_page`); every form carries a CSRF
token; the session cookie is signed, httpOnly and SameSite=strict.
"""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from models.people import PeopleError, PersonView, Role
from models.review import CASE_KINDS, Choice, ReviewError, Verdict
from models.sorting import reasons_of
from models.store import item_ref
from scanpipe.payload import Payload, PayloadKind, parse_payload
from scanpipe.preview import preview_jpeg
from scanpipe.routing import Kind, Status
from scanpipe.trays import ENVELOPES, REVIEW, SET_ASIDE, TrayPlanError, destinations, tray_key
from stations.handscanner import readings
from stations.station import Station
from stations.web.auth import Permission, SignInThrottle, may, new_token, same_token
from stations.web.text import LANGUAGES, reason_text, text

HERE = Path(__file__).parent
SESSION_HOURS = 12


class _SignInNeeded(Exception):
    pass


def create_app(station: Station, *, secret: str, language: str = "fr",
               throttle: SignInThrottle | None = None, run_hot_folder: bool = True) -> FastAPI:
    """The app for one station; `secret` signs the session cookies."""
    store, campaign = station.store, station.campaign
    throttle = throttle or SignInThrottle()
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    @asynccontextmanager
    async def lifespan(_app):
        if run_hot_folder:
            station.start()
        try:
            yield
        finally:
            if run_hot_folder:
                station.stop()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    # ------------------------------------------------------------ plumbing

    @app.middleware("http")
    async def headers(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

    # Added last, so it runs first: the session exists for everything above.
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="scanpipe_session",
                       max_age=SESSION_HOURS * 3600, same_site="strict", https_only=False)

    def lang_of(request: Request) -> str:
        chosen = request.session.get("lang")
        return chosen if chosen in LANGUAGES else language

    def person_of(request: Request) -> PersonView | None:
        person_id = request.session.get("person")
        person = store.person(person_id) if isinstance(person_id, int) else None
        if person is None or not person.active:
            return None
        return person

    def csrf_of(request: Request) -> str:
        if "csrf" not in request.session:
            request.session["csrf"] = new_token()
        return request.session["csrf"]

    def need(request: Request, permission: Permission | None = None) -> PersonView:
        person = person_of(request)
        if person is None:
            raise _SignInNeeded()
        if permission is not None and not may(person.role, permission):
            raise HTTPException(403, "forbidden")
        return person

    async def form_of(request: Request) -> dict:
        form = await request.form()
        if not same_token(request.session.get("csrf"), form.get("csrf")):
            raise HTTPException(403, "csrf")
        return form

    def flash(request: Request, message: str, level: str = "info", tray: str | None = None) -> None:
        request.session["flash"] = {"message": message, "level": level, "tray": tray}

    def page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
        lang = lang_of(request)
        person = person_of(request)
        context.update(
            request=request, lang=lang, t=lambda key, **kw: text(key, lang, **kw),
            reason=lambda code: reason_text(code, lang), person=person,
            may=(lambda p: person is not None and may(person.role, Permission(p))),
            csrf=csrf_of(request), flash=request.session.pop("flash", None),
            station=station.name, campaign=campaign, ref=item_ref)
        return templates.TemplateResponse(request, template, context, status_code=status_code)

    def back(path: str) -> RedirectResponse:
        return RedirectResponse(path, status_code=303)

    @app.exception_handler(_SignInNeeded)
    async def _sign_in(request: Request, _exc):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        return back("/signin?next=" + quote(request.url.path, safe="/"))

    @app.exception_handler(HTTPException)
    async def _error_page(request: Request, exc: HTTPException):
        key = {403: "error.csrf" if exc.detail == "csrf" else "error.forbidden",
               404: "error.not_found"}.get(exc.status_code, "error.not_found")
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": text(key, lang_of(request))}, status_code=exc.status_code)
        return page(request, "error.html", status_code=exc.status_code, message_key=key)

    # ------------------------------------------------------------- helpers

    plan_cache: dict = {}

    def plan() -> dict[str, str]:
        if "plan" not in plan_cache:
            plan_cache["plan"] = store.tray_plan(campaign)
        return plan_cache["plan"]

    def describe(destination: str | None, lang: str) -> str:
        if not destination:
            return "—"
        kind, _, code = destination.partition(":")
        if kind == "embassy" and campaign.embassy(code):
            return campaign.embassy(code).name
        if kind == "partner" and campaign.partner(code):
            return campaign.partner(code).name
        if kind in ("person", "relatives") and campaign.case(code):
            person = campaign.case(code).person
            return person if kind == "person" else {"fr": f"Proches de {person}"}.get(
                lang, f"Relatives of {person}")
        return {REVIEW: text("trays.review", lang), SET_ASIDE: text("trays.set_aside", lang),
                ENVELOPES: text("trays.envelopes", lang)}.get(destination, destination)

    def card(item, lang: str, *, duplicate: bool = False, seq: int = 0) -> dict:
        reasons = reasons_of(item)
        key = tray_key(item.kind, item.status, item.destination, reasons)
        case = campaign.case(item.case_code) if item.case_code else None
        return {"id": item.id, "ref": item_ref(item.id), "seq": seq,
                "kind": kind_label(item.kind, lang),
                "status": item.status, "status_label": text(f"status.{item.status}", lang),
                "case": item.case_code, "person": case.person if case else None,
                "destination": describe(item.destination, lang),
                "tray": plan().get(key) if key else None,
                "reasons": [reason_text(r, lang) for r in reasons if item.status != "routed"],
                "duplicate": duplicate, "source": item.source_name, "page": item.page,
                "image": f"/items/{item.id}/image?w=240",
                "review": f"/review/{item.id}" if item.status == Status.REVIEW.value else None}

    def kind_label(kind: str, lang: str) -> str:
        try:
            return text(f"kind.{kind}", lang)
        except KeyError:
            return kind

    def since_midnight() -> datetime:
        now = datetime.now().astimezone()
        return now.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)

    def live_state(lang: str) -> dict:
        batch = store.current_batch(station.name)
        counts = store.counts(station.name, batch_id=batch.id if batch else None,
                              since=since_midnight())
        return {"batch": None if batch is None else {
                    "id": batch.id, "kit": batch.kit_serial,
                    "label": text("live.batch_kit", lang, batch=batch.id, kit=batch.kit_serial)
                    if batch.kit_serial else text("live.batch_anonymous", lang, batch=batch.id)},
                "counts": {"batch": counts.batch, "today": counts.today},
                "review": store.review_count(station=station.name),
                "waiting": len(station.waiting()),
                "operator": station.operator}

    # -------------------------------------------------------------- sign-in

    @app.get("/signin", response_class=HTMLResponse)
    def signin_form(request: Request, next: str = "/"):
        return page(request, "signin.html", next=_safe_next(next), nobody=not store.people())

    @app.post("/signin")
    async def signin(request: Request):
        form = await form_of(request)
        name, secret = str(form.get("name", ""))[:80], str(form.get("secret", ""))[:300]
        target = _safe_next(str(form.get("next", "/")))
        address = request.client.host if request.client else "?"
        keys = (f"name:{name.strip().casefold()}", f"addr:{address}")
        wait = throttle.wait_seconds(*keys)
        if wait:
            return page(request, "signin.html", status_code=429, next=target, name=name,
                        error=text("signin.throttled", lang_of(request), seconds=wait))
        person = store.check_sign_in(name, secret)
        if person is None:
            throttle.failed(*keys)
            return page(request, "signin.html", status_code=401, next=target, name=name,
                        error=text("signin.failed", lang_of(request)))
        throttle.succeeded(keys[0])
        lang = request.session.get("lang")
        request.session.clear()  # a fresh session: nothing carried over from before sign-in
        request.session.update(person=person.id, csrf=new_token(), **({"lang": lang} if lang else {}))
        if may(person.role, Permission.SORT):
            station.sign_in(person.name)
        return back(target)

    @app.post("/signout")
    async def signout(request: Request):
        await form_of(request)
        person = person_of(request)
        if person is not None:
            station.sign_out(person.name)
        request.session.clear()
        return back("/signin")

    @app.post("/lang")
    async def switch_language(request: Request):
        form = await form_of(request)
        if form.get("lang") in LANGUAGES:
            request.session["lang"] = form["lang"]
        return back(_safe_next(str(form.get("next", "/"))))

    @app.get("/")
    def home(request: Request):
        person = need(request)
        for permission, path in ((Permission.SORT, "/live"), (Permission.PROGRESS, "/progress")):
            if may(person.role, permission):
                return back(path)
        return back("/trays")

    # ------------------------------------------------------------- live

    @app.get("/live", response_class=HTMLResponse)
    def live(request: Request):
        person = need(request, Permission.SORT)
        station.sign_in(person.name)  # whoever watches the live screen is at the scanner
        lang = lang_of(request)
        head = store.head_seq()
        cards = [card(item, lang) for item in store.recent_items(station.name, 12)]
        return page(request, "live.html", cards=cards, head=head, notice_head=station.notice_head,
                    state=live_state(lang), inbox=str(station.inbox))

    @app.get("/api/feed")
    def feed(request: Request, after: int = 0, notices: int = 0):
        person = need(request, Permission.SORT)
        if station.operator is None:  # the station restarted under a signed-in screen
            station.sign_in(person.name)
        lang = lang_of(request)
        events, head = store.feed(station.name, after)
        pieces = []
        for event in events:
            if event.item is not None:
                pieces.append(card(event.item, lang, duplicate=event.type == "item.duplicate",
                                   seq=event.seq))
        alarms = [{"number": n.number, "kind": n.kind,
                   "message": text("live.quarantined" if n.kind == "quarantined" else "live.file_waits",
                                   lang, name=n.name, reason=n.reason or "")}
                  for n in station.notices(notices)]
        return {"after": head, "pieces": pieces, "alarms": alarms,
                "notices": station.notice_head, **live_state(lang)}

    @app.post("/batch/open")
    async def open_batch(request: Request):
        person = need(request, Permission.SORT)
        form = await form_of(request)
        lang = lang_of(request)
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
            flash(request, text("live.not_kit", lang, text=typed, why=why), "error")
            return back("/live")
        store.open_batch(station=station.name, operator=person.name, kit_serial=parsed.serial)
        flash(request, text("live.opened", lang, kit=parsed.serial))
        return back("/live")

    @app.post("/batch/anonymous")
    async def open_anonymous(request: Request):
        person = need(request, Permission.SORT)
        await form_of(request)
        store.open_batch(station=station.name, operator=person.name, kit_serial=None)
        flash(request, text("live.opened_anonymous", lang_of(request)))
        return back("/live")

    @app.post("/batch/close")
    async def close_batch(request: Request):
        person = need(request, Permission.SORT)
        await form_of(request)
        closed = store.close_batch(station=station.name, operator=person.name)
        if closed is None:
            return back("/live")
        flash(request, text("batch.closed", lang_of(request)))
        return back(f"/batch/{closed}")

    @app.get("/batch/{batch_id}", response_class=HTMLResponse)
    def batch_summary(request: Request, batch_id: int):
        need(request, Permission.SORT)
        summary = store.batch_summary(batch_id)
        if summary is None:
            raise HTTPException(404)
        return page(request, "batch.html", summary=summary)

    # ---------------------------------------------------------- images

    @lru_cache(maxsize=256)
    def rendered(sha256: str, page_number: int, width: int) -> bytes:
        return preview_jpeg(store.images.get(sha256), page_number, width)

    @app.get("/items/{item_id}/image")
    def item_image(request: Request, item_id: int, w: int = 240):
        need(request, Permission.SEE_IMAGES)
        item = store.item(item_id)
        if item is None:
            raise HTTPException(404)
        width = min(max(w, 80), 2400)
        try:
            body = rendered(item.image_sha256, item.page, width)
        except Exception:  # an unreadable file has no picture: say so in a picture
            return Response((HERE / "static" / "unreadable.svg").read_bytes(),
                            media_type="image/svg+xml")
        return Response(body, media_type="image/jpeg",
                        headers={"Cache-Control": "private, max-age=86400"})

    # ---------------------------------------------------------- review

    @app.get("/review", response_class=HTMLResponse)
    def review_next(request: Request, after: int = 0, everywhere: bool = False):
        need(request, Permission.REVIEW)
        where = None if everywhere else station.name
        found = store.next_review(station=where, after=after)
        if found is None and after:
            found = store.next_review(station=where, after=0)  # wrap around after a skip
        if found is None:
            return page(request, "review_none.html")
        return back(f"/review/{found}" + ("?everywhere=1" if everywhere else ""))

    @app.get("/review/{item_id}", response_class=HTMLResponse)
    def review_piece(request: Request, item_id: int, everywhere: bool = False):
        need(request, Permission.REVIEW)
        piece = store.review_piece(item_id)
        if piece is None:
            raise HTTPException(404)
        lang = lang_of(request)
        ranked = [c for c in piece.state.get("candidates", []) if campaign.case(c.get("case", ""))]
        others = [{"case": c.code, "score": None, "evidence": []} for c in campaign.cases
                  if c.code not in {r["case"] for r in ranked}]
        choices = [{**c, "person": campaign.case(c["case"]).person} for c in ranked + others]
        kind = piece.item.kind if piece.item.kind in CASE_KINDS else Kind.LETTER.value
        codes = [e for e in piece.state.get("evidence", []) if e.get("code")]
        return page(request, "review.html", piece=piece, item=piece.item, choices=choices,
                    ranked=len(ranked), kind=kind, codes=codes, everywhere=everywhere,
                    reasons=[(r, reason_text(r, lang)) for r in piece.state.get("reasons", [])],
                    settled=piece.item.status != Status.REVIEW.value,
                    card=card(piece.item, lang))

    @app.post("/review/{item_id}/decide")
    async def decide(request: Request, item_id: int):
        person = need(request, Permission.REVIEW)
        form = await form_of(request)
        lang = lang_of(request)
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
            flash(request, str(exc), "error")
            return back(f"/review/{item_id}")
        key = tray_key(item.kind, item.status, item.destination, reasons_of(item))
        what = (f"{item.case_code} ({kind_label(item.kind, lang)}), {describe(item.destination, lang)}"
                if item.case_code else reason_text(reasons_of(item)[0], lang))
        tray = plan().get(key) if key else "—"
        flash(request, text("review.decided", lang, ref=item_ref(item.id), what=what, tray=tray),
              tray=tray)
        suffix = "&everywhere=1" if form.get("everywhere") else ""
        return back(f"/review?after={item_id}{suffix}")

    @app.post("/review/undo")
    async def undo(request: Request):
        person = need(request, Permission.REVIEW)
        await form_of(request)
        lang = lang_of(request)
        undone = store.undo_last(actor=person.name, station=station.name)
        if undone is None:
            flash(request, text("review.nothing_to_undo", lang), "error")
            return back("/review")
        flash(request, text("review.undone", lang, ref=item_ref(undone.item_id),
                            status=text(f"status.{undone.status}", lang)))
        return back(f"/review/{undone.item_id}")

    # ----------------------------------------------------------- trays

    def tray_rows(lang: str) -> list[dict]:
        current = plan()
        rows = []
        for key in [*destinations(campaign), REVIEW, SET_ASIDE, ENVELOPES]:
            cases = [c.code for c in campaign.cases
                     if key in (f"embassy:{c.embassy}",) or key.endswith(":" + c.code)
                     or (key.startswith("partner:") and c.postcards.partner == key.split(":")[1])]
            rows.append({"key": key, "label": current[key], "name": describe(key, lang),
                         "cases": cases})
        return rows

    @app.get("/trays", response_class=HTMLResponse)
    def trays(request: Request):
        need(request, Permission.SEE_TRAYS)
        return page(request, "trays.html", rows=tray_rows(lang_of(request)), editing=False)

    @app.get("/trays/edit", response_class=HTMLResponse)
    def trays_edit(request: Request):
        need(request, Permission.SET_TRAYS)
        return page(request, "trays.html", rows=tray_rows(lang_of(request)), editing=True)

    @app.post("/trays")
    async def trays_save(request: Request):
        person = need(request, Permission.SET_TRAYS)
        form = await form_of(request)
        wanted = {key: str(form.get(f"tray:{key}", "")).strip() for key in plan()}
        try:
            store.set_trays(wanted, campaign, actor=person.name, station=station.name)
        except TrayPlanError as exc:
            flash(request, str(exc), "error")
            return back("/trays/edit")
        plan_cache.clear()
        flash(request, text("trays.saved", lang_of(request)))
        return back("/trays")

    # --------------------------------------------------------- progress

    @app.get("/progress", response_class=HTMLResponse)
    def progress(request: Request):
        need(request, Permission.PROGRESS)
        per_case: dict[str, dict] = {c.code: {"case": c, "letter": 0, "postcard": 0, "petition": 0,
                                             "signatures": 0} for c in campaign.cases}
        others: dict[tuple[str, str], int] = {}
        for row in store.routing_summary():
            if row.status == "routed" and row.case in per_case and row.kind in per_case[row.case]:
                per_case[row.case][row.kind] += row.count
                if row.kind == "petition":
                    per_case[row.case]["signatures"] += row.signatures or 0
            else:
                others[(row.status, row.kind)] = others.get((row.status, row.kind), 0) + row.count
        return page(request, "progress.html", rows=list(per_case.values()),
                    others=sorted(others.items()))

    # ----------------------------------------------------------- people

    @app.get("/people", response_class=HTMLResponse)
    def people(request: Request):
        need(request, Permission.PEOPLE)
        return page(request, "people.html", people=store.people(), roles=list(Role))

    @app.post("/people")
    async def people_save(request: Request):
        person = need(request, Permission.PEOPLE)
        form = await form_of(request)
        name = str(form.get("name", ""))
        try:
            role = Role(form.get("role")) if form.get("role") else None
            if form.get("action") == "add":
                store.add_person(name, role or Role.OPERATOR, str(form.get("secret", "")),
                                 actor=person.name, station=station.name)
            else:
                active = None
                if form.get("action") == "deactivate":
                    active = False
                elif form.get("action") == "activate":
                    active = True
                secret = str(form.get("secret") or "")
                store.change_person(name, actor=person.name, station=station.name, role=role,
                                    active=active, secret=secret or None)
        except (PeopleError, ValueError) as exc:
            flash(request, str(exc), "error")
            return back("/people")
        flash(request, text("people.saved", lang_of(request), name=name))
        return back("/people")

    return app


def _safe_next(target: str) -> str:
    """Only a path of this site: never another host (an open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target

