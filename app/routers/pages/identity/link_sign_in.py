"""Signing in by emailed link (no passwords): the four pages families and vendor contacts share.

The emailed link opens a page with a "Continue" button instead of signing in on GET: mail
scanners and link previewers fetch links with GET, and would otherwise use up the single-use
link (and start a session nobody holds) before the person clicks it. GET never changes state;
the button POSTs (with the CSRF token) and that request redeems the link.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Form, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from app import i18n
from app.actors import Actor
from app.deps import SessionDep, request_actor
from app.errors import ValidationFailed
from app.models import LinkPurpose
from app.routers.pages.redirects import safe_next
from app.security.sessions import Browser, set_session_cookie
from app.services.identity import email_links
from app.templating import render

NO_STORE = {"Cache-Control": "no-store"}  # personal data and single-use links: never cached


class SignedIn(Protocol):
    token: str  # the new session cookie
    next_url: str


@dataclass(frozen=True)
class LinkSignIn:
    """One audience's flow: ``/<audience>/sign-in`` and ``/<audience>/link/<token>``."""

    audience: str  # "family" or "vendor": the path prefix
    templates: str  # the folder of its sign_in, check_email and link pages
    purposes: Sequence[LinkPurpose]
    request_link: Callable[..., str | None]  # (session, *, email, actor): None, or the limit that stopped it
    redeem: Callable[..., Any]  # (session, *, token, browser, actor) -> SignedIn; LinkRejected
    # The page the person was on when asked to sign in (a local path) rides along in the emailed
    # link, so the link brings them back there: request_link then takes ``next_url=``.
    keeps_next: bool = False
    # The language the person is using rides along too: request_link and redeem then take
    # ``language=`` (the page's) and ``language_chosen=`` (picked with the selector).
    passes_language: bool = False


def add_link_sign_in(router: APIRouter, flow: LinkSignIn) -> None:
    base, folder = f"/{flow.audience}", flow.templates

    @router.get(f"{base}/sign-in", name=f"{flow.audience}_sign_in_page")
    def sign_in_page(request: Request, next: str | None = None) -> Response:
        context = {"errors": {}, "email": "", "next": _next(flow, next)}
        return render(request, f"{folder}/sign_in.html", context)

    @router.post(f"{base}/sign-in", name=f"{flow.audience}_sign_in")
    def sign_in(
        request: Request,
        session: SessionDep,
        email: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "",
    ) -> Response:
        target = _next(flow, next)
        extra: dict[str, object] = {"next_url": target} if target else {}
        extra.update(_language(flow, request))
        try:
            limited = flow.request_link(session, email=email, actor=request_actor(request), **extra)
        except ValidationFailed as exc:
            session.rollback()
            errors = {e["field"]: e["message"] for e in exc.errors or []}
            context: dict[str, object] = {"errors": errors, "email": email[:254], "next": target}
            return render(request, f"{folder}/sign_in.html", context, status_code=422)
        session.commit()
        # The same page whether or not the email is known; a throttled request says so.
        context = {"email": email.strip().lower()[:254], "limited": limited}
        return render(request, f"{folder}/check_email.html", context, status_code=429 if limited else 200)

    @router.get(f"{base}/link/{{token}}", name=f"{flow.audience}_link_page")
    def link_page(request: Request, session: SessionDep, token: str, next: str | None = None) -> Response:
        valid = email_links.check_link(session, token=token, purposes=tuple(flow.purposes))
        return _link_page(request, folder, valid=valid, token=token, next_url=_next(flow, next))

    @router.post(f"{base}/link/{{token}}", name=f"{flow.audience}_redeem_link")
    def redeem_link(
        request: Request, session: SessionDep, token: str, next: Annotated[str, Form()] = ""
    ) -> Response:
        return _redeem(request, session, flow, token, request_actor(request), _next(flow, next))


def _language(flow: LinkSignIn, request: Request) -> dict[str, object]:
    if not flow.passes_language:
        return {}
    return {"language": i18n.negotiate(request), "language_chosen": i18n.chosen(request) is not None}


def _next(flow: LinkSignIn, value: str | None) -> str:
    """A local path to return to after signing in, or "" (none, unsafe, or not this flow's)."""
    return safe_next(value, default="") if flow.keeps_next else ""


def _link_page(request: Request, folder: str, *, valid: bool, token: str, next_url: str = "") -> Response:
    return render(
        request,
        f"{folder}/link.html",
        {"valid": valid, "token": token if valid else "", "next": next_url},
        status_code=200 if valid else 400,
        headers=NO_STORE,
    )


def _redeem(
    request: Request, session: Session, flow: LinkSignIn, token: str, actor: Actor, next_url: str
) -> Response:
    try:
        signed_in: SignedIn = flow.redeem(
            session, token=token, browser=Browser.of(request), actor=actor, **_language(flow, request)
        )
    except email_links.LinkRejected:
        session.commit()  # the audit trace of the refusal
        return _link_page(request, flow.templates, valid=False, token="", next_url=next_url)
    session.commit()
    response = RedirectResponse(next_url or signed_in.next_url, status_code=303)
    set_session_cookie(response, signed_in.token)
    return response
