"""Who may call each route of the station app: every route but a few public ones declares a
permission dependency, and each route lets in exactly the roles it always did — nobody
signed in is sent to sign in (401 under /api/), any other role refused with a 403."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route
from station_app import sign_in

from models.store.people import Role
from stations.web.access import Gate
from stations.web.text import text

# The routes anyone may call: signing in and out, the language, the static files.
PUBLIC = {("GET", "/signin"), ("POST", "/signin"), ("POST", "/signout"), ("POST", "/lang"),
          ("MOUNT", "/static")}

EVERYONE = frozenset(Role)
DESK = frozenset({Role.OPERATOR, Role.COORDINATOR, Role.ADMIN})      # sorting and review
OFFICE = frozenset({Role.COORDINATOR, Role.AUDITOR, Role.ADMIN})     # progress, bundles to read
COORDINATORS = frozenset({Role.COORDINATOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})

# Every other route, with the roles it lets in.
WHO_MAY: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/"): EVERYONE,
    ("GET", "/live"): DESK,
    ("GET", "/api/feed"): DESK,
    ("POST", "/operator"): DESK,
    ("POST", "/batch/open"): DESK,
    ("POST", "/batch/anonymous"): DESK,
    ("POST", "/batch/close"): DESK,
    ("GET", "/batch/{batch_id}"): DESK,
    ("GET", "/items/{item_id}/image"): EVERYONE,
    ("GET", "/review"): DESK,
    ("GET", "/review/{item_id}"): DESK,
    ("POST", "/review/{item_id}/decide"): DESK,
    ("POST", "/review/undo"): DESK,
    ("GET", "/trays"): EVERYONE,
    ("GET", "/trays/edit"): COORDINATORS,
    ("POST", "/trays"): COORDINATORS,
    ("GET", "/progress"): OFFICE,
    ("GET", "/people"): ADMINS,
    ("POST", "/people"): ADMINS,
    ("GET", "/bundles"): OFFICE,
    ("POST", "/bundles/close"): COORDINATORS,
    ("GET", "/bundles/{bundle_id}"): OFFICE,
    ("POST", "/bundles/{bundle_id}/papers"): COORDINATORS,
    ("POST", "/bundles/{bundle_id}/step"): COORDINATORS,
    ("GET", "/quarantine"): DESK,
    ("GET", "/api/alarms"): DESK,
    ("POST", "/quarantine/retake"): DESK,
    ("POST", "/quarantine/ack"): DESK,
}

NAMES = {Role.OPERATOR: "Alice", Role.COORDINATOR: "Chloé", Role.AUDITOR: "Audrey",
         Role.ADMIN: "Adam"}


def gates_of(dependant: Dependant) -> Iterator[Gate]:
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, Gate):
            yield dependency.call
        yield from gates_of(dependency)


def routes_of(app: FastAPI) -> dict[tuple[str, str], list[Gate]]:
    """(method, path) of every route, with the gates it declares (a mount: "MOUNT", none)."""
    found: dict[tuple[str, str], list[Gate]] = {}
    for route in app.routes:
        if isinstance(route, Mount):
            found[("MOUNT", route.path)] = []
        else:
            assert isinstance(route, Route), route
            gates = list(gates_of(route.dependant)) if isinstance(route, APIRoute) else []
            found |= {(method, route.path): gates for method in route.methods or ()}
    return found


def test_every_route_but_the_public_ones_declares_who_may_call_it(setup):
    _, _, _, client = setup
    routes = routes_of(client.app)
    assert routes.keys() >= PUBLIC, "a public route is gone: take it off the list"
    ungated = sorted(key for key, gates in routes.items() if not gates and key not in PUBLIC)
    assert ungated == [], "these routes declare no permission dependency (access.May…)"
    assert [key for key in PUBLIC if routes[key]] == []
    assert all(len(gates) == 1 for gates in routes.values() if gates)


def test_each_route_lets_in_exactly_its_roles(setup):
    _, _, _, client = setup
    gated = {key for key, gates in routes_of(client.app).items() if gates}
    assert gated == WHO_MAY.keys(), "give each gated route its row in WHO_MAY"
    signed_in = {}
    for role, name in NAMES.items():
        signed_in[role] = TestClient(client.app)
        assert sign_in(signed_in[role], name).status_code == 303
    forbidden, csrf = text("error.forbidden", "fr"), text("error.csrf", "fr")
    wrong = []
    for (method, path), roles in WHO_MAY.items():
        url = re.sub(r"\{\w+\}", "1", path)
        # No CSRF token is sent: the permission is checked first, the token after it.
        answer = client.request(method, url, data={}, follow_redirects=False)
        if url.startswith("/api/"):
            if (answer.status_code, answer.json()) != (401, {"error": "sign in first"}):
                wrong.append(f"anonymous {method} {url}: {answer.status_code}")
        elif (answer.status_code, answer.headers.get("location")) != \
                (303, "/signin?next=" + quote(url, safe="/")):
            wrong.append(f"anonymous {method} {url}: {answer.status_code}")
        for role, person in signed_in.items():
            answer = person.request(method, url, data={}, follow_redirects=False)
            refused = answer.status_code == 403 and forbidden in answer.text
            if role not in roles:
                if not refused or "default-src 'self'" not in answer.headers["content-security-policy"]:
                    wrong.append(f"{role} {method} {url} not refused: {answer.status_code}")
            elif method == "POST" and not (answer.status_code == 403 and csrf in answer.text):
                wrong.append(f"{role} {method} {url} did not reach the CSRF check: {answer.status_code}")
            elif method == "GET" and (answer.status_code not in (200, 303, 404) or
                                      answer.headers.get("location", "").startswith("/signin")):
                wrong.append(f"{role} {method} {url} not let in: {answer.status_code}")
    assert wrong == []


def test_a_person_whose_access_was_removed_is_sent_to_sign_in_at_once(setup):
    store, _, _, client = setup
    sign_in(client, "Chloé")
    assert client.get("/progress").status_code == 200
    store.change_person("Chloé", actor="Adam", station="office", role=Role.OPERATOR)
    answer = client.get("/progress", follow_redirects=False)  # a role change ends her sessions
    assert (answer.status_code, answer.headers["location"]) == (303, "/signin?next=/progress")
    sign_in(client, "Chloé")
    assert client.get("/progress").status_code == 403  # her new role does not see progress
    store.change_person("Chloé", actor="Adam", station="office", active=False)
    answer = client.get("/progress", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/signin?next=/progress")
