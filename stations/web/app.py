"""The station web app: sign-in, live sorting, batches, one-key review, trays, progress, people.

Server-rendered pages (Jinja2, escaped by default) and one small script for the
live feed and the review keys; every asset is served from this package. HTTP
statuses are decided in one place (the exception handlers below); every form
carries a CSRF token; the session cookie is signed, httpOnly and SameSite=strict, and holds
only a random token of a server-side session (`models.store.sessions`): who is asking comes
from that session's row, so a cookie replayed after sign-out, or forged with a leaked
`station-secret`, signs nobody in. Every answer, a crash's included, carries the security
headers; an id too big for the database is a plain 404.
The routes live in `sorting`, `review`, `office` and `bundles`; what they share in
`context`; who may call each, declared in its signature, in `access`.
"""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from html import escape
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from stations.station import Station
from stations.web import bundles, office, quarantine, review, sorting
from stations.web.access import MaySort, SignedIn, SignInNeeded
from stations.web.auth import Permission, SignInThrottle, may
from stations.web.context import (
    HERE,
    IDLE_MINUTES,
    SESSION_HOURS,
    Web,
    back,
    safe_next,
)
from stations.web.text import LANGUAGES, text

log = logging.getLogger(__name__)

BIGGEST_ID = 2**63 - 1  # the largest id a database column holds; any bigger one names nothing

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _too_big(value: str) -> bool:
    digits = value.lstrip("+-")
    return digits.isascii() and digits.isdigit() and (len(digits) > 19 or int(digits) > BIGGEST_ID)


def _out_of_range(request: Request) -> bool:
    """Whether the path or the query holds a whole number no database id can be: such a URL
    names nothing (404), and never reaches a query that the database would refuse."""
    return any(_too_big(v) for v in (*request.url.path.split("/"),
                                      *request.query_params.values()))


def create_app(station: Station, *, secret: str, language: str = "fr",
               throttle: SignInThrottle | None = None, run_hot_folder: bool = True,
               session_hours: float = SESSION_HOURS,
               idle_minutes: float = IDLE_MINUTES) -> FastAPI:
    """The app for one station; `secret` signs the session cookies (which hold only the token of
    a server-side session: `session_hours` long at most, ended after `idle_minutes` unused)."""
    web = Web(station, language=language, throttle=throttle or SignInThrottle(),
              session_hours=session_hours, idle_minutes=idle_minutes)
    store = web.store

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
    app.state.web = web  # for the routes' permission dependencies (`access`)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    # ------------------------------------------------------------ plumbing

    @app.middleware("http")
    async def headers(request: Request, call_next):
        started = time.perf_counter()
        if _out_of_range(request):
            response: Response = await _error_page(request, StarletteHTTPException(404))
        else:
            response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        response.headers.update(SECURITY_HEADERS)
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

    # Added last, so it runs first: the session exists for everything above.
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="scanpipe_session",
                       max_age=int(session_hours * 3600), same_site="strict", https_only=False)

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, _exc):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        return back("/signin?next=" + quote(request.url.path, safe="/"))

    @app.exception_handler(StarletteHTTPException)  # also the router's own 404 and 405
    async def _error_page(request: Request, exc: StarletteHTTPException):
        key = {403: "error.csrf" if exc.detail == "csrf" else "error.forbidden",
               404: "error.not_found"}.get(exc.status_code, "error.not_found")
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": text(key, web.lang_of(request))}, status_code=exc.status_code)
        return web.page(request, "error.html", status_code=exc.status_code, message_key=key)

    @app.exception_handler(OverflowError)  # an id too big for SQLite's integers
    @app.exception_handler(DataError)      # … or for PostgreSQL's
    async def _no_such_row(request: Request, _exc: Exception):
        return await _error_page(request, StarletteHTTPException(404))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        """Anything unexpected: logged here, a plain page there (never a traceback), with the
        security headers (this answer is made outside the middleware that adds them)."""
        log.error("station app: %s %s failed", request.method, request.url.path, exc_info=exc)
        lang = request.session.get("lang") if "session" in request.scope else None
        message = text("error.server", lang if lang in LANGUAGES else web.language)
        headers = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=500, headers=headers)
        return HTMLResponse(f"<!doctype html><meta charset=utf-8><title>500</title>"
                            f"<p>{escape(message)}</p><p><a href=\"/\">↩</a></p>",
                            status_code=500, headers=headers)

    # -------------------------------------------------------------- sign-in

    @app.get("/signin", response_class=HTMLResponse)
    def signin_form(request: Request, next: str = "/"):
        return web.page(request, "signin.html", next=safe_next(next), nobody=not store.people())

    @app.post("/signin")
    async def signin(request: Request):
        form = await web.form_of(request)
        name, secret = str(form.get("name", ""))[:80], str(form.get("secret", ""))[:300]
        target = safe_next(str(form.get("next", "/")))
        address = request.client.host if request.client else "?"
        wait = web.throttle.wait_seconds(name, address)
        if wait:
            return web.page(request, "signin.html", status_code=429, next=target, name=name,
                        error=text("signin.throttled", web.lang_of(request), seconds=wait))
        person = store.check_sign_in(name, secret)
        if person is None:
            web.throttle.failed(name, address)
            return web.page(request, "signin.html", status_code=401, next=target, name=name,
                        error=text("signin.failed", web.lang_of(request)))
        web.throttle.succeeded(name, address)
        # A new server-side session, nothing else: who scans at this station is not changed
        # by a sign-in (see `/operator` and the live screen).
        web.begin_session(request, person)
        return back(target)

    @app.post("/signout")
    async def signout(request: Request):
        """Ends the session for good (revoked in the table, the cookie emptied); if its person
        was the station's operator, the station has none and files wait in the inbox."""
        await web.form_of(request)
        web.end_session(request)
        return back("/signin")

    @app.post("/operator")
    async def operate(request: Request, person: MaySort):
        """"Scan in my name": the hot folder's pieces are recorded under the signed-in person
        from now on, for as long as this session holds and she may sort.

        Form fields: `csrf` (the session's token; a missing or wrong one is a 403), optional
        `next` (a path of this site; default and fallback /live). Answers 303 to `next`, with
        a flash saying who scans now. Anyone without SORT gets a 403, nobody signed in the
        sign-in page."""
        form = await web.form_of(request)
        web.operate(request, only_if_free=False)
        web.flash(request, text("operator.set", web.lang_of(request), name=person.name))
        return back(safe_next(str(form.get("next") or "/live")))

    @app.post("/lang")
    async def switch_language(request: Request):
        form = await web.form_of(request)
        if form.get("lang") in LANGUAGES:
            request.session["lang"] = form["lang"]
        return back(safe_next(str(form.get("next", "/"))))

    @app.get("/")
    def home(person: SignedIn):
        for permission, path in ((Permission.SORT, "/live"), (Permission.PROGRESS, "/progress")):
            if may(person.role, permission):
                return back(path)
        return back("/trays")

    sorting.add_routes(app, web)
    review.add_routes(app, web)
    office.add_routes(app, web)
    bundles.add_routes(app, web)
    quarantine.add_routes(app, web)
    return app
