"""The staff dashboard and an employee's own account: password, sign-in methods, sessions."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from app import clock
from app.deps import CurrentStaff, PendingStaff, SessionDep, StepRequired, Viewer, password_expired
from app.errors import Conflict, ValidationFailed
from app.flash import redirect_with_flash
from app.routers.pages.identity.staff_auth import NO_STORE, employee_of
from app.security.permissions import allowed
from app.security.sessions import clear_session_cookie, set_session_cookie
from app.services.disputes import reports as dispute_reports
from app.services.identity import mfa, staff_auth
from app.services.identity.throttle import AttemptFailed
from app.services.incidents import queries as incident_queries
from app.templating import render

router = APIRouter(include_in_schema=False)

FormStr = Annotated[str, Form()]
METHODS = "/staff/account#sign-in-methods"


def signed_in_staff(viewer: PendingStaff) -> Viewer:
    """Second factor passed; an expired password is allowed (this is where it gets changed)."""
    if not viewer.session.mfa_passed:
        raise StepRequired("Finish signing in with your second factor.", next_url="/staff/mfa")
    return viewer


SignedInStaff = Annotated[Viewer, Depends(signed_in_staff)]


@router.get("/staff")
def dashboard(request: Request, session: SessionDep, viewer: CurrentStaff) -> Response:
    """The staff home; the dispute clock at a glance for those who may read disputes."""
    figures = (
        dispute_reports.dashboard_figures(session, now=clock.now())
        if allowed(viewer.actor(request), "disputes.read")
        else None
    )
    incident_figures = (
        incident_queries.figures(session, now=clock.now())
        if allowed(viewer.actor(request), "incidents.read")
        else None
    )
    return render(
        request,
        "identity/account/dashboard.html",
        {"employee": employee_of(viewer), "dispute_figures": figures, "incident_figures": incident_figures},
    )


@router.get("/staff/account")
def account(request: Request, session: SessionDep, viewer: CurrentStaff) -> Response:
    overview = staff_auth.account_overview(session, employee=employee_of(viewer), user_session=viewer.session)
    return render(
        request,
        "identity/account/account.html",
        {"employee": employee_of(viewer), "overview": overview, "current_session_id": viewer.session.id},
    )


@router.post("/staff/account/confirm-password")
def confirm_password(
    request: Request, session: SessionDep, viewer: CurrentStaff, password: FormStr = ""
) -> Response:
    try:
        staff_auth.reauthenticate(
            session,
            user_session=viewer.session,
            employee=employee_of(viewer),
            password=password,
            actor=viewer.actor(request),
        )
    except AttemptFailed as exc:
        session.commit()
        return redirect_with_flash(METHODS, exc.detail, "error")
    session.commit()
    return redirect_with_flash(
        METHODS, "Password confirmed. You can change your sign-in methods for 5 minutes.", "success"
    )


@router.get("/staff/account/password")
def password_form(request: Request, viewer: SignedInStaff) -> Response:
    return render(
        request, "identity/account/password.html", {"expired": password_expired(employee_of(viewer))}
    )


@router.post("/staff/account/password")
def change_password(
    request: Request,
    session: SessionDep,
    viewer: SignedInStaff,
    current_password: FormStr = "",
    new_password: FormStr = "",
    new_password_confirm: FormStr = "",
) -> Response:
    employee = employee_of(viewer)
    expired = password_expired(employee)
    errors: list[dict[str, str]] = []
    status = 422
    new_token = ""
    if new_password != new_password_confirm:
        errors = [{"field": "new_password_confirm", "message": "The two new passwords are not the same."}]
    else:
        try:
            new_token = staff_auth.change_password(
                session,
                employee=employee,
                user_session=viewer.session,
                current_password=current_password,
                new_password=new_password,
                actor=viewer.actor(request),
            )
        except AttemptFailed as exc:
            session.commit()
            errors = exc.errors or [{"field": "current_password", "message": exc.detail}]
            status = exc.status if exc.status == 429 else status
        except ValidationFailed as exc:
            errors = exc.errors or [{"field": "new_password", "message": exc.detail}]
    if errors:
        return render(
            request,
            "identity/account/password.html",
            {"expired": expired, "errors": errors},
            status_code=status,
        )
    session.commit()
    response = redirect_with_flash(
        "/staff" if expired else "/staff/account", "Your password is changed.", "success"
    )
    set_session_cookie(response, new_token)
    return response


@router.post("/staff/account/factors/{kind}/{factor_id}/remove")
def remove_factor(
    request: Request,
    session: SessionDep,
    viewer: CurrentStaff,
    kind: Literal["totp", "key"],
    factor_id: uuid.UUID,
) -> Response:
    try:
        mfa.remove_factor(
            session,
            employee=employee_of(viewer),
            user_session=viewer.session,
            kind=kind,
            factor_id=factor_id,
            actor=viewer.actor(request),
        )
    except (mfa.ReauthRequired, Conflict) as exc:
        return redirect_with_flash(METHODS, exc.detail, "error")
    session.commit()
    return redirect_with_flash(METHODS, "Sign-in method removed.", "success")


@router.post("/staff/account/recovery-codes")
def regenerate_codes(request: Request, session: SessionDep, viewer: CurrentStaff) -> Response:
    try:
        codes = mfa.regenerate_recovery_codes(
            session, employee=employee_of(viewer), user_session=viewer.session, actor=viewer.actor(request)
        )
    except mfa.ReauthRequired as exc:
        return redirect_with_flash(METHODS, exc.detail, "error")
    session.commit()
    return render(
        request,
        "identity/staff_auth/recovery_codes.html",
        {"codes": codes, "next": "/staff/account", "what": None},
        headers=NO_STORE,
    )


@router.post("/staff/account/sessions/{session_id}/end")
def end_session(
    request: Request, session: SessionDep, viewer: CurrentStaff, session_id: uuid.UUID
) -> Response:
    staff_auth.end_own_session(
        session, employee=employee_of(viewer), session_id=session_id, actor=viewer.actor(request)
    )
    session.commit()
    if session_id == viewer.session.id:
        response: Response = RedirectResponse("/staff/sign-in", status_code=303)
        clear_session_cookie(response)
        return response
    return redirect_with_flash("/staff/account#sessions", "That session has ended.", "success")
