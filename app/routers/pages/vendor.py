"""Vendor contact pages: sign in by emailed link (no passwords) and the vendor's home page.

As for families, the emailed link opens a page with a "Continue" button that POSTs: mail
scanners fetch links with GET and must not use up a single-use link (GET never changes state).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from app.deps import CurrentVendor, SessionDep, request_actor
from app.errors import ValidationFailed
from app.routers.pages.vendor_forms import labels
from app.security.sessions import set_session_cookie
from app.services import email_links, vendor_auth
from app.services.dpa_queries import list_vendor_dpas
from app.templating import render

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}


@router.get("/vendor/sign-in")
def sign_in_page(request: Request) -> Response:
    return render(request, "vendor/sign_in.html", {"errors": {}, "email": ""})


@router.post("/vendor/sign-in")
def sign_in(request: Request, session: SessionDep, email: Annotated[str, Form()] = "") -> Response:
    try:
        vendor_auth.request_vendor_link(session, email=email, actor=request_actor(request))
    except ValidationFailed as exc:
        session.rollback()
        errors = {e["field"]: e["message"] for e in exc.errors or []}
        return render(
            request, "vendor/sign_in.html", {"errors": errors, "email": email[:254]}, status_code=422
        )
    session.commit()
    # The same page whether or not the email belongs to an active contact.
    return render(request, "vendor/check_email.html", {"email": email.strip().lower()[:254]})


@router.get("/vendor/link/{token}")
def link_page(request: Request, session: SessionDep, token: str) -> Response:
    valid = email_links.check_link(session, token=token, purposes=vendor_auth.VENDOR_PURPOSES)
    return render(
        request,
        "vendor/link.html",
        {"valid": valid, "token": token},
        status_code=200 if valid else 400,
        headers=NO_STORE,
    )


@router.post("/vendor/link/{token}")
def redeem_link(request: Request, session: SessionDep, token: str) -> Response:
    try:
        signed_in = vendor_auth.redeem_vendor_link(
            session, token=token, request=request, actor=request_actor(request)
        )
    except email_links.LinkRejected:
        session.commit()  # the audit trace of the refusal
        return render(
            request, "vendor/link.html", {"valid": False, "token": ""}, status_code=400, headers=NO_STORE
        )
    session.commit()
    response = RedirectResponse(signed_in.next_url, status_code=303)
    set_session_cookie(response, signed_in.token)
    return response


@router.get("/vendor")
def home(request: Request, session: SessionDep, viewer: CurrentVendor) -> Response:
    assert viewer.vendor_contact is not None  # CurrentVendor guarantees it
    data = vendor_auth.vendor_home(session, contact_id=viewer.vendor_contact.id)
    dpas = list_vendor_dpas(session, vendor_id=data.vendor.id)
    return render(
        request,
        "vendor/home.html",
        {**labels(), "vendor": data.vendor, "contact": data.contact, "dpas": dpas},
        headers=NO_STORE,
    )
