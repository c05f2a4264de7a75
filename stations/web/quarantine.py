"""The quarantine screen and the station's alarms.

A file the hot folder could not take goes to quarantine/ (`Station.quarantined()` lists them);
it stays an alarm on every screen of the station — a count in the header linking to
/quarantine, a banner on the live screen — until someone acknowledges it here (who and when, in
the `alarm_ack` table: `models.store.alarms`). "Take again" moves a file back into the inbox
(`Station.retake`). A fault of the station itself (`Station.fault`: the image store or the
ledger cannot be written…) is a banner on every screen while it lasts.

Who: anyone who may sort or review (operators, coordinators, admins).
"""

from __future__ import annotations

import logging
import time
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse

from models.store.alarms import acknowledge, acknowledged
from models.store.people import PersonView
from stations.hotfolder import FAULT_CODES, Fault, QuarantinedFile
from stations.web.access import SignedIn
from stations.web.auth import Permission, may
from stations.web.context import Web, back, safe_next
from stations.web.text import plural, text, text_or

log = logging.getLogger(__name__)


def _may_see_alarms(person: SignedIn) -> PersonView:
    if not (may(person.role, Permission.SORT) or may(person.role, Permission.REVIEW)):
        raise HTTPException(403, "forbidden")
    return person


MaySeeAlarms = Annotated[PersonView, Depends(_may_see_alarms)]


@dataclass(frozen=True)
class Listed:
    """One quarantined file as the screen shows it."""

    name: str
    original: str
    code: str
    reason: str     # in the station's language, from the code
    detail: str     # the English detail, shown small (escaped like every text)
    at: str
    when: str       # `at`, local and short
    size: str
    seen_by: str | None
    seen_at: str | None


def quarantined_files(web: Web) -> list[QuarantinedFile]:
    try:
        return web.station.quarantined()
    except OSError:  # the folder cannot be read now: every screen still opens
        log.warning("the quarantine folder cannot be listed", exc_info=True)
        return []


def station_fault(web: Web) -> Fault | None:
    return web.station.fault


def reason_of(code: str | None, lang: str) -> str:
    return text_or(f"quarantine.code.{code}", "quarantine.code.other", lang)


def short_time(iso: str | None) -> str:
    """An ISO time as the station's clock shows it: day and minute, local."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso[:16]


def size_text(size: int | None) -> str:
    if size is None:
        return "—"
    for unit in ("o", "Ko", "Mo", "Go"):
        if size < 1024 or unit == "Go":
            return f"{size} {unit}" if unit == "o" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return "—"


def listing(web: Web, lang: str) -> list[Listed]:
    files = quarantined_files(web)
    seen = acknowledged(web.store, station=web.station.name, names=[f.name for f in files])
    rows = []
    for f in files:
        ack = seen.get((f.name, str(f.at)))
        rows.append(Listed(name=f.name, original=f.original, code=f.code,
                           reason=reason_of(f.code, lang), detail=f.reason or "", at=str(f.at),
                           when=short_time(str(f.at)), size=size_text(f.size),
                           seen_by=ack.acked_by if ack else None,
                           seen_at=short_time(ack.acked_at) if ack else None))
    return rows


def alarms(web: Web, lang: str) -> dict[str, Any]:
    """What every screen shows: the quarantined files nobody acknowledged yet, and the fault."""
    return {**_unseen(web, lang), "fault": _fault_view(web, lang)}


def _unseen(web: Web, lang: str) -> dict[str, Any]:
    unseen = [row for row in listing(web, lang) if row.seen_by is None]
    return {"unseen": len(unseen), "unseen_text": plural("unseen_quarantined", len(unseen), lang),
            "files": [{"name": r.name, "at": r.at, "reason": r.reason,
                       "message": text("alarm.new", lang, name=r.name, reason=r.reason)}
                      for r in unseen]}


def _fault_view(web: Web, lang: str) -> dict[str, Any] | None:
    fault = station_fault(web)
    if fault is None:
        return None
    code = fault.code if fault.code in FAULT_CODES else "other"
    return {"code": fault.code,
            "message": text("fault.banner", lang, since=short_time(fault.since),
                            what=text(f"fault.{code}", lang)),
            "detail": text("fault.detail", lang, detail=fault.detail)}


# The live screen asks for the alarms four times a second, and every page's header shows them:
# both are answered from what was read at most this long ago (the quarantine screen, an
# acknowledgement or a re-take always read afresh).
FEED_SECONDS = 1.0
_fed: weakref.WeakKeyDictionary[Web, dict[str, tuple[float, dict[str, Any]]]] = \
    weakref.WeakKeyDictionary()


def feed_alarms(web: Web, lang: str) -> dict[str, Any]:
    """`alarms` for the live feed and every page's header: the quarantine folder read at most
    once a second; the station's fault (in memory) as it is now."""
    kept = _fed.setdefault(web, {})
    now = time.monotonic()
    if lang not in kept or now - kept[lang][0] >= FEED_SECONDS:
        kept[lang] = (now, _unseen(web, lang))
    return {**kept[lang][1], "fault": _fault_view(web, lang)}


def forget_alarms(web: Web) -> None:
    _fed.pop(web, None)


def add_routes(app: FastAPI, web: Web) -> None:
    # Every page's header asks for the alarms of the one who looks (see base.html).
    def header_alarms(request: Request) -> dict[str, Any] | None:
        person = web.person_of(request)
        if person is None or not (may(person.role, Permission.SORT)
                                  or may(person.role, Permission.REVIEW)):
            return None
        return feed_alarms(web, web.lang_of(request))

    web.templates.env.globals["station_alarms"] = header_alarms

    @app.get("/quarantine", response_class=HTMLResponse)
    def quarantine(request: Request, _: MaySeeAlarms):
        lang = web.lang_of(request)
        forget_alarms(web)  # its header counts what its list shows
        return web.page(request, "quarantine.html", rows=listing(web, lang))

    @app.get("/api/alarms")
    def api_alarms(request: Request, _: MaySeeAlarms):
        return alarms(web, web.lang_of(request))

    @app.post("/quarantine/retake")
    async def retake(request: Request, person: MaySeeAlarms):
        form = await web.form_of(request)
        lang = web.lang_of(request)
        name = str(form.get("name", ""))[:1000]
        try:
            inbox_name = web.station.retake(name)
        except (ValueError, FileNotFoundError, OSError):
            web.flash(request, text("quarantine.retake_failed", lang, name=name), "error")
            return back("/quarantine")
        forget_alarms(web)
        web.flash(request, text("quarantine.retaken", lang, name=name, inbox=inbox_name))
        return back("/quarantine")

    @app.post("/quarantine/ack")
    async def ack(request: Request, person: MaySeeAlarms):
        form = await web.form_of(request)
        lang = web.lang_of(request)
        name, at = str(form.get("name", ""))[:1000], str(form.get("at", ""))[:40]
        if not any(f.name == name and str(f.at) == at for f in quarantined_files(web)):
            web.flash(request, text("quarantine.unknown", lang), "error")
            return back("/quarantine")
        acknowledge(web.store, station=web.station.name, name=name, quarantined_at=at,
                    actor=person.name)
        forget_alarms(web)
        web.flash(request, text("quarantine.acknowledged", lang, name=name))
        return back(safe_next(str(form.get("next", "/quarantine"))))
