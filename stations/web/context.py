"""What every page of the station app needs: who is asking, in which language, the CSRF
check, the page rendering, and how pieces and destinations are shown (who may call which
route is in `access`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import SQLAlchemyError

from models.sides import side_of
from models.store import item_ref
from models.store.people import PersonView
from models.store.sessions import SessionView
from models.store.sorting import reasons_of
from scanpipe.domain.routing import Status
from scanpipe.domain.trays import ENVELOPES, REVIEW, SET_ASIDE, tray_key
from stations.station import Station
from stations.web.auth import Permission, SignInThrottle, may, new_token, same_token
from stations.web.text import LANGUAGES, reason_text, text

HERE = Path(__file__).parent

SESSION_HOURS = 12   # a session lasts a working day at most…
IDLE_MINUTES = 60    # …and ends after an hour without a request (the live screen polls)
SESSION_KEY = "sid"  # the session token's key in the signed cookie
_UNREAD = object()


def back(path: str) -> RedirectResponse:
    """See-other to a page of this site (after a form post)."""
    return RedirectResponse(path, status_code=303)


def safe_next(target: str) -> str:
    """Only a path of this site: never another host (an open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class Web:
    """The station app's shared state and helpers; the route modules receive one."""

    def __init__(self, station: Station, *, language: str, throttle: SignInThrottle,
                 session_hours: float = SESSION_HOURS, idle_minutes: float = IDLE_MINUTES):
        self.station = station
        self.store = station.store
        self.campaign = station.campaign
        self.language = language
        self.throttle = throttle
        self.session_hours = session_hours
        self.idle = timedelta(minutes=idle_minutes)
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self._plan: dict[str, str] | None = None

    # ----------------------------------------------------------- the asker

    def lang_of(self, request: Request) -> str:
        chosen = request.session.get("lang")
        return chosen if chosen in LANGUAGES else self.language

    def session_of(self, request: Request) -> tuple[SessionView, PersonView] | None:
        """The request's live server-side session and its person, read afresh (once per
        request): the signed cookie holds only the session's random token, so a cookie forged
        with the cookie key, or replayed after sign-out, a PIN, role or access change, expiry
        or idling, finds no live session and signs nobody in."""
        cached = getattr(request.state, "session", _UNREAD)
        if cached is not _UNREAD:
            return cached  # type: ignore[no-any-return]
        token = request.session.get(SESSION_KEY)
        found = (self.store.session_person(token, idle=self.idle)
                 if isinstance(token, str) and token else None)
        request.state.session = found
        return found

    def person_of(self, request: Request) -> PersonView | None:
        """The signed-in person, read afresh: a role change or removed access counts at once."""
        found = self.session_of(request)
        return None if found is None else found[1]

    def begin_session(self, request: Request, person: PersonView) -> None:
        """After a right PIN: a new server-side session, in a fresh cookie (nothing carried over
        from before sign-in but the language)."""
        token = self.store.open_session(person.id, station=self.station.name,
                                        hours=self.session_hours)
        lang = request.session.get("lang")
        request.session.clear()
        request.session.update({SESSION_KEY: token, "csrf": new_token(),
                                **({"lang": lang} if lang else {})})
        request.state.session = _UNREAD  # read again from the table

    def end_session(self, request: Request) -> None:
        """Sign-out: the session is revoked in the table (its cookie, replayed, opens nothing);
        if its person runs the hot folder, the station has no operator any more."""
        found = self.session_of(request)
        token = request.session.get(SESSION_KEY)
        self.store.end_session(token if isinstance(token, str) else None)
        if found is not None:
            self.station.release(found[1].id)
        request.session.clear()
        request.state.session = _UNREAD

    def operate(self, request: Request, *, only_if_free: bool) -> bool:
        """Make the request's person the station's operator (the hot folder's pieces are then
        recorded in her name) for as long as this session holds and she may sort; with
        `only_if_free`, only when the station has no operator. Returns whether she is now."""
        found = self.session_of(request)
        if found is None or not may(found[1].role, Permission.SORT):
            return False
        session_id, person = found[0].id, found[1]

        def still_valid() -> bool:
            try:
                live = self.store.session_person(session_id=session_id, idle=self.idle,
                                                 touch=False)
            except SQLAlchemyError:  # the ledger is away: recording fails anyway, files wait
                return True
            return live is not None and may(live[1].role, Permission.SORT)

        return self.station.set_operator(person.name, person_id=person.id,
                                         still_valid=still_valid, only_if_free=only_if_free)

    def csrf_of(self, request: Request) -> str:
        if "csrf" not in request.session:
            request.session["csrf"] = new_token()
        return request.session["csrf"]

    async def form_of(self, request: Request):
        """The posted form, once its CSRF token matches the session's."""
        form = await request.form()
        if not same_token(request.session.get("csrf"), form.get("csrf")):
            raise HTTPException(403, "csrf")
        return form

    # ------------------------------------------------------------- answers

    def flash(self, request: Request, message: str, level: str = "info",
              tray: str | None = None) -> None:
        request.session["flash"] = {"message": message, "level": level, "tray": tray}

    def page(self, request: Request, template: str, status_code: int = 200,
             **context) -> HTMLResponse:
        lang = self.lang_of(request)
        person = self.person_of(request)
        context.update(
            request=request, lang=lang, t=lambda key, **kw: text(key, lang, **kw),
            reason=lambda code: reason_text(code, lang), person=person,
            may=(lambda p: person is not None and may(person.role, Permission(p))),
            csrf=self.csrf_of(request), flash=request.session.pop("flash", None),
            station=self.station.name, campaign=self.campaign, ref=item_ref)
        return self.templates.TemplateResponse(request, template, context, status_code=status_code)

    # ------------------------------------------------------ pieces on screen

    def plan(self) -> dict[str, str]:
        if self._plan is None:
            self._plan = self.store.tray_plan(self.campaign)
        return self._plan

    def forget_plan(self) -> None:
        self._plan = None

    def describe(self, destination: str | None, lang: str) -> str:
        """A destination as people name it: the embassy's name, the person, their relatives."""
        if not destination:
            return "—"
        kind, _, code = destination.partition(":")
        campaign = self.campaign
        if kind == "embassy" and campaign.embassy(code):
            return campaign.embassy(code).name
        if kind == "partner" and campaign.partner(code):
            return campaign.partner(code).name
        if kind in ("person", "relatives") and campaign.case(code):
            person = campaign.case(code).person
            return person if kind == "person" else text("destination.relatives", lang, person=person)
        return {REVIEW: text("trays.review", lang), SET_ASIDE: text("trays.set_aside", lang),
                ENVELOPES: text("trays.envelopes", lang)}.get(destination, destination)

    def tray_of(self, item, reasons: list[str] | None = None) -> str | None:
        """The tray label a piece goes into (`reasons`: the item's, when already read)."""
        reasons = reasons_of(item) if reasons is None else reasons
        key = tray_key(item.kind, item.status, item.destination, reasons)
        return self.plan().get(key) if key else None

    def card(self, item, lang: str, *, duplicate: bool = False, seq: int = 0) -> dict:
        """One piece as the live screen shows it (JSON-ready; the script sets it as text)."""
        reasons = reasons_of(item)
        case = self.campaign.case(item.case_code) if item.case_code else None
        # A blank back or a picture side is shown as what it is, not as a rejected piece.
        side = side_of(item.status, reasons)
        status = side.value if side is not None else item.status
        return {"id": item.id, "ref": item_ref(item.id), "seq": seq,
                "kind": kind_label(item.kind, lang),
                "status": status, "status_label": text(f"status.{status}", lang),
                "case": item.case_code, "person": case.person if case else None,
                "destination": self.describe(item.destination, lang),
                "tray": self.tray_of(item, reasons),
                "reasons": [reason_text(r, lang) for r in reasons if item.status != "routed"],
                "duplicate": duplicate, "source": item.source_name, "page": item.page,
                "image": f"/items/{item.id}/image?w=240",
                "review": f"/review/{item.id}" if item.status == Status.REVIEW.value else None}

    def live_state(self, lang: str) -> dict:
        """The open batch, the running counts, the review queue, the files waiting."""
        store, name = self.store, self.station.name
        batch = store.current_batch(name)
        counts = store.counts(name, batch_id=batch.id if batch else None, since=since_midnight())
        label = None
        if batch is not None:
            label = (text("live.batch_kit", lang, batch=batch.id, kit=batch.kit_serial)
                     if batch.kit_serial else text("live.batch_anonymous", lang, batch=batch.id))
        return {"batch": None if batch is None else {"id": batch.id, "kit": batch.kit_serial,
                                                     "label": label},
                "counts": {"batch": counts.batch, "today": counts.today},
                "review": store.review_count(station=name),
                "waiting": len(self.station.waiting()),
                "operator": self.station.operator}


def kind_label(kind: str, lang: str) -> str:
    try:
        return text(f"kind.{kind}", lang)
    except KeyError:
        return kind


def since_midnight() -> datetime:
    """The start of today, local time (the station's day), in UTC."""
    now = datetime.now().astimezone()
    return now.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
