"""Family pages: sign in by emailed link (no passwords), my children, one child.

The emailed link opens a page with a "Continue" button instead of signing in on GET: mail
scanners and link previewers fetch links with GET, and would otherwise use up the single-use
link (and start a session nobody holds) before the person clicks it. GET never changes state;
the button POSTs (with the CSRF token) and that request redeems the link.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from app.deps import CurrentFamily, CurrentGuardian, SessionDep, parse_uuid, request_actor
from app.errors import ValidationFailed
from app.security.sessions import set_session_cookie
from app.services import email_links, family, family_auth
from app.templating import render

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}  # personal data and single-use links: never cached


@router.get("/family/sign-in")
def sign_in_page(request: Request) -> Response:
    return render(request, "family/sign_in.html", {"errors": {}, "email": ""})


@router.post("/family/sign-in")
def sign_in(request: Request, session: SessionDep, email: Annotated[str, Form()] = "") -> Response:
    try:
        family_auth.request_family_link(session, email=email, actor=request_actor(request))
    except ValidationFailed as exc:
        session.rollback()
        errors = {e["field"]: e["message"] for e in exc.errors or []}
        return render(
            request, "family/sign_in.html", {"errors": errors, "email": email[:254]}, status_code=422
        )
    session.commit()
    # The same page whether or not the email is on the roster (or the request was throttled).
    return render(request, "family/check_email.html", {"email": email.strip().lower()[:254]})


@router.get("/family/link/{token}")
def link_page(request: Request, session: SessionDep, token: str) -> Response:
    valid = email_links.check_link(session, token=token, purposes=family_auth.FAMILY_PURPOSES)
    return render(
        request,
        "family/link.html",
        {"valid": valid, "token": token},
        status_code=200 if valid else 400,
        headers=NO_STORE,
    )


@router.post("/family/link/{token}")
def redeem_link(request: Request, session: SessionDep, token: str) -> Response:
    try:
        signed_in = family_auth.redeem_family_link(
            session, token=token, request=request, actor=request_actor(request)
        )
    except email_links.LinkRejected:
        session.commit()  # the audit trace of the refusal
        return render(
            request, "family/link.html", {"valid": False, "token": ""}, status_code=400, headers=NO_STORE
        )
    session.commit()
    response = RedirectResponse(signed_in.next_url, status_code=303)
    set_session_cookie(response, signed_in.token)
    return response


@router.get("/family")
def home(request: Request, session: SessionDep, viewer: CurrentFamily) -> Response:
    if viewer.guardian is None:  # a verified requester: their own disputes only
        return render(request, "family/requester.html", {"email": viewer.session.email}, headers=NO_STORE)
    children = family.children_of(session, guardian_id=viewer.guardian.id)
    return render(
        request,
        "family/home.html",
        {"guardian": viewer.guardian, "children": children},
        headers=NO_STORE,
    )


@router.get("/family/children/{student_id}")
def child_page(request: Request, session: SessionDep, viewer: CurrentGuardian, student_id: str) -> Response:
    assert viewer.guardian is not None  # CurrentGuardian guarantees it
    child = family.child_details(session, guardian_id=viewer.guardian.id, student_id=parse_uuid(student_id))
    return render(request, "family/child.html", {"child": child}, headers=NO_STORE)
