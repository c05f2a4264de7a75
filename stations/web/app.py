"""The station web app: sign-in, live sorting, batches, one-key review, trays, progress, people.

Server-rendered pages (Jinja2, escaped by default) and one small script for the
live feed and the review keys; every asset is served from this package. HTTP
statuses are decided in one place (the exception handlers below); every form
carries a CSRF token; the session cookie is signed, httpOnly and SameSite=strict.
The routes live in `sorting`, `review`, `office` and `bundles`; what they share in
`context`; who may call each, declared in its signature, in `access`.
"""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from stations.station import Station
from stations.web import bundles, office, quarantine, review, sorting
from stations.web.access import SignedIn, SignInNeeded
from stations.web.auth import Permission, SignInThrottle, may, new_token
from stations.web.context import HERE, Web, back, safe_next
from stations.web.text import LANGUAGES, text

SESSION_HOURS = 12


def create_app(station: Station, *, secret: str, language: str = "fr",
               throttle: SignInThrottle | None = None, run_hot_folder: bool = True) -> FastAPI:
    """The app for one station; `secret` signs the session cookies."""
    web = Web(station, language=language, throttle=throttle or SignInThrottle())
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
        keys = (f"name:{name.strip().casefold()}", f"addr:{address}")
        wait = web.throttle.wait_seconds(*keys)
        if wait:
            return web.page(request, "signin.html", status_code=429, next=target, name=name,
                        error=text("signin.throttled", web.lang_of(request), seconds=wait))
        person = store.check_sign_in(name, secret)
        if person is None:
            web.throttle.failed(*keys)
            return web.page(request, "signin.html", status_code=401, next=target, name=name,
                        error=text("signin.failed", web.lang_of(request)))
        web.throttle.succeeded(keys[0])
        lang = request.session.get("lang")
        request.session.clear()  # a fresh session: nothing carried over from before sign-in
        request.session.update(person=person.id, csrf=new_token(), **({"lang": lang} if lang else {}))
        if may(person.role, Permission.SORT):
            station.sign_in(person.name)
        return back(target)

    @app.post("/signout")
    async def signout(request: Request):
        await web.form_of(request)
        person = web.person_of(request)
        if person is not None:
            station.sign_out(person.name)
        request.session.clear()
        return back("/signin")

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
