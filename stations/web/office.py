"""The coordinators' and admins' pages: the tray plan, progress per case, people."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from models.events import PIECE_KINDS
from models.sides import Side
from models.store.people import PeopleError, Role, login_of
from scanpipe.domain.trays import ENVELOPES, REVIEW, SET_ASIDE, TrayPlanError, destinations
from stations.web.access import MayManagePeople, MaySeeProgress, MaySeeTrays, MaySetTrays
from stations.web.context import Web, back
from stations.web.text import refusal_text, text


def add_routes(app: FastAPI, web: Web) -> None:
    store, station, campaign = web.store, web.station, web.campaign

    # ----------------------------------------------------------- trays

    def tray_rows(lang: str) -> list[dict]:
        current = web.plan()
        rows = []
        for key in [*destinations(campaign), REVIEW, SET_ASIDE, ENVELOPES]:
            cases = [c.code for c in campaign.cases
                     if key in (f"embassy:{c.embassy}",) or key.endswith(":" + c.code)
                     or (key.startswith("partner:") and c.postcards.partner == key.split(":")[1])]
            rows.append({"key": key, "label": current[key], "name": web.describe(key, lang),
                         "cases": cases})
        return rows

    @app.get("/trays", response_class=HTMLResponse)
    def trays(request: Request, _: MaySeeTrays):
        return web.page(request, "trays.html", rows=tray_rows(web.lang_of(request)), editing=False)

    @app.get("/trays/edit", response_class=HTMLResponse)
    def trays_edit(request: Request, _: MaySetTrays):
        return web.page(request, "trays.html", rows=tray_rows(web.lang_of(request)), editing=True)

    @app.post("/trays")
    async def trays_save(request: Request, person: MaySetTrays):
        form = await web.form_of(request)
        wanted = {key: str(form.get(f"tray:{key}", "")).strip() for key in web.plan()}
        try:
            store.set_trays(wanted, campaign, actor=person.name, station=station.name)
        except TrayPlanError as exc:
            web.flash(request, refusal_text("trays", exc, web.lang_of(request)), "error")
            return back("/trays/edit")
        web.forget_plan()
        web.flash(request, text("trays.saved", web.lang_of(request)))
        return back("/trays")

    # --------------------------------------------------------- progress

    @app.get("/progress", response_class=HTMLResponse)
    def progress(request: Request, _: MaySeeProgress):
        per_case: dict[str, dict] = {c.code: {"case": c, **dict.fromkeys(PIECE_KINDS, 0),
                                             "signatures": 0} for c in campaign.cases}
        others: dict[tuple[str, str | None], int] = {}
        for row in store.routing_summary():
            if row.status == "routed" and row.case in per_case and row.kind in per_case[row.case]:
                per_case[row.case][row.kind] += row.count
                if row.kind == "petition":
                    per_case[row.case]["signatures"] += row.signatures or 0
            elif row.status != "rejected":  # rejected pages: counted below, sides apart
                others[(row.status, row.kind)] = others.get((row.status, row.kind), 0) + row.count
        for what, count in store.rejected_counts().items():
            # set_aside and unreadable are both "set aside" at the station; sides by name.
            status = what if what in {s.value for s in Side} else "rejected"
            others[(status, None)] = others.get((status, None), 0) + count
        lang = web.lang_of(request)
        delivery = [{"row": row, "name": web.describe(row.destination, lang)}
                    for row in store.delivery_progress()]
        return web.page(request, "progress.html", rows=list(per_case.values()),
                        others=sorted(others.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")),
                        delivery=delivery)

    # ----------------------------------------------------------- people

    @app.get("/people", response_class=HTMLResponse)
    def people(request: Request, _: MayManagePeople):
        return web.page(request, "people.html", people=store.people(), roles=list(Role))

    @app.post("/people")
    async def people_save(request: Request, person: MayManagePeople):
        form = await web.form_of(request)
        name = str(form.get("name", ""))
        try:
            role = Role(form.get("role")) if form.get("role") else None
            found = web.session_of(request)
            own = found is not None and login_of(name) == person.login
            if form.get("action") == "add":
                store.add_person(name, role or Role.OPERATOR, str(form.get("secret", "")),
                                 actor=person.name, station=station.name)
            elif form.get("action") == "end_sessions":  # "sign out everywhere" (but here)
                store.end_sessions_of(name, keep_session=found[0].id if own and found else None)
            else:
                active = None
                if form.get("action") == "deactivate":
                    active = False
                elif form.get("action") == "activate":
                    active = True
                secret = str(form.get("secret") or "")
                # Changing one's own PIN keeps the session it is done from (every other
                # session of hers ends); any other change ends all of that person's sessions.
                store.change_person(name, actor=person.name, station=station.name, role=role,
                                    active=active, secret=secret or None,
                                    keep_session=found[0].id if own and found else None,
                                    keep_an_admin=True)
        except PeopleError as exc:  # LastAdmin too
            web.flash(request, refusal_text("people", exc, web.lang_of(request)), "error")
            return back("/people")
        except ValueError:  # a role that does not exist
            web.flash(request, text("people.error.invalid", web.lang_of(request)), "error")
            return back("/people")
        web.flash(request, text("people.saved", web.lang_of(request), name=name))
        return back("/people")
