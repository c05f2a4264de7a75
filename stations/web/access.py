"""Who may call each route: FastAPI dependencies a route declares in its signature.

`person: MaySort` lets in anyone whose role holds `Permission.SORT` and hands the route
that person; nobody signed in raises `SignInNeeded` (the app answers with the sign-in
page, or 401 under /api/), a role without the permission a 403. The public routes
(sign-in, sign-out, language, static files) declare none.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from models.store.people import PersonView
from stations.web.auth import Permission, may
from stations.web.context import Web


class SignInNeeded(Exception):
    """Raised by a gate when nobody is signed in; the app answers with the sign-in page."""


class Gate:
    """A route's permission dependency: the signed-in person, who must hold `permission`
    (None: anyone signed in). The app's `Web` is read from `app.state.web`."""

    def __init__(self, permission: Permission | None = None) -> None:
        self.permission = permission

    def __call__(self, request: Request) -> PersonView:
        web: Web = request.app.state.web
        person = web.person_of(request)
        if person is None:
            raise SignInNeeded()
        if self.permission is not None and not may(person.role, self.permission):
            raise HTTPException(403, "forbidden")
        return person


SignedIn = Annotated[PersonView, Depends(Gate())]
MaySort = Annotated[PersonView, Depends(Gate(Permission.SORT))]
MayReview = Annotated[PersonView, Depends(Gate(Permission.REVIEW))]
MaySeeTrays = Annotated[PersonView, Depends(Gate(Permission.SEE_TRAYS))]
MaySetTrays = Annotated[PersonView, Depends(Gate(Permission.SET_TRAYS))]
MaySeeProgress = Annotated[PersonView, Depends(Gate(Permission.PROGRESS))]
MaySeeImages = Annotated[PersonView, Depends(Gate(Permission.SEE_IMAGES))]
MayManagePeople = Annotated[PersonView, Depends(Gate(Permission.PEOPLE))]
MayHandleBundles = Annotated[PersonView, Depends(Gate(Permission.BUNDLES))]
