"""Staff sign-in pages: password, second factor, enrolment, password reset; sign-out for everyone."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from app import clock
from app.deps import OptionalViewer, PendingStaff, SessionDep, Viewer, request_actor
from app.errors import Conflict, ValidationFailed
from app.flash import redirect_with_flash
from app.i18n import N_
from app.models import Employee
from app.routers.pages.redirects import DEFAULT_NEXT, safe_next
from app.security import csrf, device_cookie, webauthn_keys
from app.security.sessions import Browser, clear_session_cookie, set_session_cookie
from app.services.identity import mfa, mfa_challenge, password_reset, staff_auth
from app.services.identity.throttle import AttemptFailed
from app.templating import render

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}
FormStr = Annotated[str, Form()]


def _with_next(path: str, next_url: str) -> str:
    return path if next_url == DEFAULT_NEXT else path + "?" + urlencode({"next": next_url})


def employee_of(viewer: Viewer) -> Employee:
    assert viewer.employee is not None  # PendingStaff and CurrentStaff guarantee it
    return viewer.employee


def signed_in_redirect(url: str, token: str | None) -> Response:
    response = RedirectResponse(url, status_code=303)
    if token:
        set_session_cookie(response, token)
    return response


# -- password -------------------------------------------------------------------------------------


@router.get("/staff/sign-in")
def sign_in_form(request: Request, next: str | None = None) -> Response:
    return render(request, "identity/staff_auth/sign_in.html", {"next": safe_next(next), "email": ""})


@router.post("/staff/sign-in")
def sign_in(
    request: Request, session: SessionDep, email: FormStr = "", password: FormStr = "", next: FormStr = ""
) -> Response:
    target = safe_next(next)
    try:
        result = staff_auth.sign_in(
            session, email=email, password=password, browser=Browser.of(request), actor=request_actor(request)
        )
    except AttemptFailed as exc:
        session.commit()  # the failure, its audit event and any lock are kept
        return render(
            request,
            "identity/staff_auth/sign_in.html",
            {"next": target, "email": email[:254], "error": exc.detail},
            status_code=exc.status,
        )
    session.commit()
    return signed_in_redirect(_with_next(result.next_step, target), result.token)


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, viewer: OptionalViewer) -> Response:
    actor = viewer.actor(request) if viewer else request_actor(request)
    staff_auth.sign_out(session, user_session=viewer.session if viewer else None, actor=actor)
    session.commit()
    response = redirect_with_flash("/", N_("You are signed out."), "success")
    clear_session_cookie(response)
    return response


@router.post("/session/keepalive")
def keepalive(viewer: OptionalViewer) -> Response:
    """Loading the viewer touched the session; nothing else to do."""
    return Response(status_code=204 if viewer else 401)


# -- second factor --------------------------------------------------------------------------------


@router.get("/staff/mfa")
def mfa_form(
    request: Request, session: SessionDep, viewer: PendingStaff, next: str | None = None
) -> Response:
    target = safe_next(next)
    if viewer.session.mfa_passed:
        return RedirectResponse(target, status_code=303)
    factors = mfa.factors(session, employee=employee_of(viewer))
    if factors.count == 0:
        return RedirectResponse(_with_next("/staff/mfa/enroll", target), status_code=303)
    return render(request, "identity/staff_auth/mfa.html", {"next": target, "factors": factors})


@router.post("/staff/mfa")
def mfa_check(
    request: Request, session: SessionDep, viewer: PendingStaff, code: FormStr = "", next: FormStr = ""
) -> Response:
    target = safe_next(next)
    employee = employee_of(viewer)
    try:
        token = mfa_challenge.verify_code(
            session,
            employee=employee,
            user_session=viewer.session,
            code=code,
            actor=viewer.actor(request),
            device_cookie=device_cookie.from_request(request),
        )
    except AttemptFailed as exc:
        session.commit()
        factors = mfa.factors(session, employee=employee)
        return render(
            request,
            "identity/staff_auth/mfa.html",
            {"next": target, "factors": factors, "error": exc.detail},
            status_code=exc.status,
        )
    session.commit()
    return device_cookie.remember(signed_in_redirect(target, token), employee.id, clock.now())


def _challenge(request: Request, viewer: Viewer, ceremony: webauthn_keys.Ceremony) -> bytes | None:
    return webauthn_keys.read_challenge(
        request.cookies.get(webauthn_keys.COOKIE),
        ceremony=ceremony,
        session_id=viewer.session.id,
        now=clock.now(),
    )


def _options_response(
    viewer: Viewer, options: webauthn_keys.Options, ceremony: webauthn_keys.Ceremony
) -> Response:
    response = Response(options.json, media_type="application/json", headers=NO_STORE)
    webauthn_keys.set_challenge_cookie(
        response,
        webauthn_keys.sign_challenge(
            options.challenge, ceremony=ceremony, session_id=viewer.session.id, now=clock.now()
        ),
    )
    return response


@router.post("/staff/mfa/key/options")
def mfa_key_options(session: SessionDep, viewer: PendingStaff) -> Response:
    options = mfa_challenge.webauthn_login_options(session, employee=employee_of(viewer))
    return _options_response(viewer, options, "authenticate")


@router.post("/staff/mfa/key")
def mfa_key_check(
    request: Request, session: SessionDep, viewer: PendingStaff, credential: FormStr = "", next: FormStr = ""
) -> Response:
    target = safe_next(next)
    employee = employee_of(viewer)
    try:
        token = mfa_challenge.verify_key(
            session,
            employee=employee,
            user_session=viewer.session,
            response_json=credential,
            challenge=_challenge(request, viewer, "authenticate"),
            actor=viewer.actor(request),
            device_cookie=device_cookie.from_request(request),
        )
    except AttemptFailed as exc:
        session.commit()
        factors = mfa.factors(session, employee=employee)
        response = render(
            request,
            "identity/staff_auth/mfa.html",
            {"next": target, "factors": factors, "error": exc.detail},
            status_code=exc.status,
        )
        webauthn_keys.clear_challenge_cookie(response)
        return response
    session.commit()
    response = device_cookie.remember(signed_in_redirect(target, token), employee.id, clock.now())
    webauthn_keys.clear_challenge_cookie(response)
    return response


# -- enrolment ------------------------------------------------------------------------------------


def _enrol_page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    target: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    try:
        state = mfa.enrolment_state(session, employee=employee_of(viewer), user_session=viewer.session)
    except mfa.ReauthRequired as exc:
        return redirect_with_flash("/staff/account#sign-in-methods", exc.detail, "error")
    return render(
        request,
        "identity/staff_auth/enroll.html",
        {"next": target, "state": state, "error": error, "first": not viewer.session.mfa_passed},
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get("/staff/mfa/enroll")
def enroll_page(
    request: Request, session: SessionDep, viewer: PendingStaff, next: str | None = None
) -> Response:
    return _enrol_page(request, session, viewer, safe_next(next))


@router.post("/staff/mfa/enroll/totp")
def enroll_totp_start(
    request: Request, session: SessionDep, viewer: PendingStaff, next: FormStr = ""
) -> Response:
    target = safe_next(next)
    try:
        mfa.start_totp(
            session, employee=employee_of(viewer), user_session=viewer.session, actor=viewer.actor(request)
        )
    except (mfa.ReauthRequired, Conflict) as exc:
        return redirect_with_flash("/staff/account#sign-in-methods", exc.detail, "error")
    session.commit()
    return RedirectResponse(_with_next("/staff/mfa/enroll", target) + "#set-up-app", status_code=303)


def _enrolled(request: Request, viewer: Viewer, enrolled: mfa.Enrolled, target: str, what: str) -> Response:
    if enrolled.token:
        csrf.after_sign_in(request, enrolled.token)
    if enrolled.recovery_codes is None:
        return signed_in_redirect_flash("/staff/account#sign-in-methods", f"{what} added.", enrolled.token)
    response = render(
        request,
        "identity/staff_auth/recovery_codes.html",
        {"codes": enrolled.recovery_codes, "next": target, "what": what},
        headers=NO_STORE,
    )
    if enrolled.token:  # the first factor: this sign-in is now complete
        set_session_cookie(response, enrolled.token)
        device_cookie.remember(response, employee_of(viewer).id, clock.now())
    return response


def signed_in_redirect_flash(url: str, message: str, token: str | None) -> Response:
    response = redirect_with_flash(url, message, "success")
    if token:
        set_session_cookie(response, token)
    return response


@router.post("/staff/mfa/enroll/totp/confirm")
def enroll_totp_confirm(
    request: Request, session: SessionDep, viewer: PendingStaff, code: FormStr = "", next: FormStr = ""
) -> Response:
    target = safe_next(next)
    try:
        enrolled = mfa.confirm_totp(
            session,
            employee=employee_of(viewer),
            user_session=viewer.session,
            code=code,
            actor=viewer.actor(request),
        )
    except ValidationFailed as exc:
        return _enrol_page(request, session, viewer, target, error=exc.detail, status_code=422)
    except (mfa.ReauthRequired, Conflict) as exc:
        return redirect_with_flash("/staff/mfa/enroll", exc.detail, "error")
    session.commit()
    return _enrolled(request, viewer, enrolled, target, "Authenticator app")


@router.post("/staff/mfa/enroll/key/options")
def enroll_key_options(session: SessionDep, viewer: PendingStaff) -> Response:
    options = mfa.key_registration_options(session, employee=employee_of(viewer), user_session=viewer.session)
    return _options_response(viewer, options, "register")


@router.post("/staff/mfa/enroll/key")
def enroll_key(
    request: Request,
    session: SessionDep,
    viewer: PendingStaff,
    credential: FormStr = "",
    name: FormStr = "",
    next: FormStr = "",
) -> Response:
    target = safe_next(next)
    try:
        enrolled = mfa.add_key(
            session,
            employee=employee_of(viewer),
            user_session=viewer.session,
            response_json=credential,
            challenge=_challenge(request, viewer, "register"),
            name=name,
            actor=viewer.actor(request),
        )
    except (ValidationFailed, Conflict) as exc:
        response = _enrol_page(request, session, viewer, target, error=exc.detail, status_code=422)
    else:
        session.commit()
        response = _enrolled(request, viewer, enrolled, target, "Security key")
    webauthn_keys.clear_challenge_cookie(response)
    return response


# -- password reset -------------------------------------------------------------------------------


@router.get("/staff/password-reset")
def reset_request_form(request: Request) -> Response:
    return render(request, "identity/staff_auth/reset_request.html", {"email": ""})


@router.post("/staff/password-reset")
def reset_request(request: Request, session: SessionDep, email: FormStr = "") -> Response:
    try:
        password_reset.request_reset(session, email=email, actor=request_actor(request))
    except AttemptFailed as exc:
        session.commit()
        return render(
            request,
            "identity/staff_auth/reset_request.html",
            {"email": email[:254], "error": exc.detail},
            status_code=exc.status,
        )
    session.commit()
    return render(request, "identity/staff_auth/reset_sent.html", {"email": email[:254]})


@router.get("/staff/password-reset/{token}")
def reset_form(request: Request, session: SessionDep, token: str) -> Response:
    link = password_reset.find_link(session, token=token)
    if link is None:
        return render(request, "identity/staff_auth/reset_invalid.html", status_code=400, headers=NO_STORE)
    return render(request, "identity/staff_auth/reset_form.html", {"token": token}, headers=NO_STORE)


@router.post("/staff/password-reset/{token}")
def reset_complete(
    request: Request, session: SessionDep, token: str, password: FormStr = "", password_confirm: FormStr = ""
) -> Response:
    errors: list[dict[str, str]] = []
    if password != password_confirm:
        errors = [{"field": "password_confirm", "message": "The two passwords are not the same."}]
    else:
        try:
            password_reset.complete_reset(
                session, token=token, password=password, actor=request_actor(request)
            )
        except AttemptFailed:
            session.commit()
            return render(
                request, "identity/staff_auth/reset_invalid.html", status_code=400, headers=NO_STORE
            )
        except ValidationFailed as exc:
            errors = exc.errors or [{"field": "password", "message": exc.detail}]
    if errors:
        return render(
            request,
            "identity/staff_auth/reset_form.html",
            {"token": token, "errors": errors},
            status_code=422,
            headers=NO_STORE,
        )
    session.commit()
    return redirect_with_flash(
        "/staff/sign-in",
        "Your password is changed. Sign in with it and your second factor.",
        "success",
    )
