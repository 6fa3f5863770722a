"""Annotated dependencies: the database session, who is asking, and what they may do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlmodel import Session, col

from app import clock
from app.actors import Actor
from app.db import get_session
from app.errors import Forbidden, PreconditionRequired, StepRequired, Unauthorized
from app.models import (
    ApiClient,
    Audience,
    Employee,
    EmployeeStatus,
    Guardian,
    UserSession,
    VendorContact,
)
from app.security.permissions import allowed
from app.security.sessions import client_address, cookie_name, end_all_sessions, find_session, touch
from app.security.tokens import TokenInvalid, verify_access_token

if TYPE_CHECKING:
    from app.services.workforce.acknowledgments import Pending

SessionDep = Annotated[Session, Depends(get_session)]


class SignInRequired(Unauthorized):
    """Not signed in (or no longer): pages redirect to ``sign_in_url``; the API answers 401."""

    def __init__(self, detail: str, *, audience: Audience = Audience.staff) -> None:
        super().__init__(detail)
        self.audience = audience


SIGN_IN_URLS = {
    Audience.staff: "/staff/sign-in",
    Audience.guardian: "/family/sign-in",
    Audience.requester: "/family/sign-in",
    Audience.vendor: "/vendor/sign-in",
}


@dataclass
class Viewer:
    """The person behind a browser session."""

    session: UserSession
    employee: Employee | None = None
    guardian: Guardian | None = None
    vendor_contact: VendorContact | None = None
    # The WISP version this employee has yet to sign (the banner on every staff page), if any.
    wisp_pending: Pending | None = None

    @property
    def audience(self) -> Audience:
        return self.session.audience

    def actor(self, request: Request) -> Actor:
        common: dict[str, Any] = {
            "client_address": client_address(request),
            "request_id": getattr(request.state, "request_id", None),
        }
        if self.employee is not None:
            return Actor(
                type="staff",
                id=str(self.employee.id),
                label=self.employee.email,
                roles=frozenset(self.employee.roles),
                **common,
            )
        if self.guardian is not None:
            return Actor(type="guardian", id=str(self.guardian.id), label=self.guardian.email, **common)
        if self.vendor_contact is not None:
            return Actor(
                type="vendor", id=str(self.vendor_contact.id), label=self.vendor_contact.email, **common
            )
        return Actor(type="requester", id=str(self.session.id), label=self.session.email, **common)


def request_actor(request: Request) -> Actor:
    """Someone not signed in (sign-in pages, public forms)."""
    return Actor(
        type="anonymous",
        client_address=client_address(request),
        request_id=getattr(request.state, "request_id", None),
    )


def _load_viewer(request: Request, session: Session) -> Viewer | None:
    row = find_session(session, request.cookies.get(cookie_name()))
    if row is None:
        return None
    viewer = Viewer(session=row)
    if row.audience == Audience.staff:
        employee = session.get(Employee, row.principal_id) if row.principal_id else None
        if employee is None or employee.status != EmployeeStatus.active:
            # Suspension or termination ends every session on the very next request.
            if employee is not None:
                end_all_sessions(
                    session, audience=Audience.staff, principal_id=employee.id, reason=employee.status.value
                )
            session.commit()
            return None
        viewer.employee = employee
        if row.mfa_passed:
            from app.services.workforce.acknowledgments import pending_for

            viewer.wisp_pending = pending_for(session, employee=employee, now=clock.now())
    elif row.audience == Audience.guardian:
        viewer.guardian = session.get(Guardian, row.principal_id) if row.principal_id else None
        if viewer.guardian is None:
            return None
    elif row.audience == Audience.vendor:
        contact = session.get(VendorContact, row.principal_id) if row.principal_id else None
        if contact is None or not contact.active:
            return None
        viewer.vendor_contact = contact
    touch(session, row)
    session.commit()
    return viewer


def get_viewer(request: Request, session: SessionDep) -> Viewer | None:
    """The signed-in person, if any (cached per request)."""
    if not hasattr(request.state, "viewer"):
        request.state.viewer = _load_viewer(request, session)
    viewer: Viewer | None = request.state.viewer
    return viewer


OptionalViewer = Annotated[Viewer | None, Depends(get_viewer)]


def _staff_viewer(request: Request, viewer: OptionalViewer, *, allow_pending: bool) -> Viewer:
    if viewer is None or viewer.employee is None:
        raise SignInRequired("Sign in to continue.", audience=Audience.staff)
    if allow_pending:
        return viewer
    if not viewer.session.mfa_passed:
        raise StepRequired("Finish signing in with your second factor.", next_url="/staff/mfa")
    if password_expired(viewer.employee):
        raise StepRequired("Your password has expired; choose a new one.", next_url="/staff/account/password")
    return viewer


def password_expired(employee: Employee) -> bool:
    from app.config import get_settings

    days = get_settings().password_max_age_days
    if days == 0 or employee.password_changed_at is None:
        return False
    return (clock.now() - employee.password_changed_at).days >= days


def get_staff(request: Request, viewer: OptionalViewer) -> Viewer:
    return _staff_viewer(request, viewer, allow_pending=False)


def get_staff_pending(request: Request, viewer: OptionalViewer) -> Viewer:
    """A staff session that may still be finishing MFA (enrolment and challenge pages only)."""
    return _staff_viewer(request, viewer, allow_pending=True)


CurrentStaff = Annotated[Viewer, Depends(get_staff)]
PendingStaff = Annotated[Viewer, Depends(get_staff_pending)]


def get_guardian(viewer: OptionalViewer) -> Viewer:
    if viewer is None or viewer.guardian is None:
        raise SignInRequired("Sign in with your email to continue.", audience=Audience.guardian)
    return viewer


def get_family(viewer: OptionalViewer) -> Viewer:
    """A guardian or a verified requester (dispute pages)."""
    if viewer is None or viewer.audience not in (Audience.guardian, Audience.requester):
        raise SignInRequired("Verify your email to continue.", audience=Audience.requester)
    return viewer


def get_vendor(viewer: OptionalViewer) -> Viewer:
    if viewer is None or viewer.vendor_contact is None:
        raise SignInRequired("Sign in with your email to continue.", audience=Audience.vendor)
    return viewer


CurrentGuardian = Annotated[Viewer, Depends(get_guardian)]
CurrentFamily = Annotated[Viewer, Depends(get_family)]
CurrentVendor = Annotated[Viewer, Depends(get_vendor)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _token_rejected(
    request: Request, session: Session, reason: str, client_id: uuid.UUID | None = None
) -> None:
    """One audit row per refused bearer token (the reason only, never the token), committed now."""
    from app.services.platform.audit import record

    actor = request_actor(request)
    record(
        session,
        actor=actor,
        action="auth.token_rejected",
        object_type="api_client" if client_id is not None else None,
        object_id=client_id,
        details={"reason": reason, "path": request.url.path},
    )
    session.commit()


def api_client_actor(request: Request, session: Session, token: str) -> Actor:
    """Verify a bearer token and that its client is still active at its current secret."""
    try:
        claims = verify_access_token(token, provisioning=request.url.path.startswith("/scim/"))
    except TokenInvalid as exc:
        _token_rejected(request, session, str(exc))
        raise Unauthorized("The access token is invalid or expired.") from exc
    # Only what the check needs (not the secret's hash, not the whole row): this runs on every call.
    client = session.execute(
        sa.select(
            col(ApiClient.id),
            col(ApiClient.name),
            col(ApiClient.active),
            col(ApiClient.secret_version),
            col(ApiClient.scopes),
            col(ApiClient.require_if_match),
            col(ApiClient.provisioning_token_id),
        ).where(col(ApiClient.client_id) == claims.client_id)
    ).first()
    if client is None or not client.active or client.secret_version != claims.secret_version:
        reason = (
            "unknown client"
            if client is None
            else "client revoked"
            if not client.active
            else "client secret rotated"
        )
        _token_rejected(request, session, reason, client.id if client is not None else None)
        raise Unauthorized("The access token is no longer valid.")
    if claims.provisioning and client.provisioning_token_id != claims.token_id:
        _token_rejected(request, session, "provisioning token replaced or withdrawn", client.id)
        raise Unauthorized("This provisioning token has been replaced or withdrawn.")
    if client.require_if_match and request.method in ("PUT", "PATCH") and "if-match" not in request.headers:
        raise PreconditionRequired(
            "This client sends its edits with If-Match: read the resource first and send its ETag."
        )
    scopes = claims.scopes & frozenset(client.scopes)
    return Actor(
        type="api_client",
        id=str(client.id),
        label=client.name,
        scopes=frozenset(scopes),
        client_address=client_address(request),
        request_id=getattr(request.state, "request_id", None),
    )


def authenticate(request: Request, session: Session, *, api: bool = True, staff: bool = True) -> Actor:
    """The caller: an API client by its bearer token, else a staff member by their session."""
    token = _bearer(request)
    if token is not None and api:
        return api_client_actor(request, session, token)
    if staff:
        viewer = get_viewer(request, session)
        return _staff_viewer(request, viewer, allow_pending=False).actor(request)
    raise Unauthorized("An API access token is required.")


def get_actor(request: Request, session: SessionDep) -> Actor:
    return authenticate(request, session)


# An API client (bearer token) or a staff member who finished signing in; no permission check.
CurrentActor = Annotated[Actor, Depends(get_actor)]


class Allow:
    """Dependency: the actor (staff session or API client) holding ``permission``.

    ``Depends(Allow("audit.read"))`` gives 401 without credentials and 403 without the role or
    scope; the denial is written to the audit log.
    """

    def __init__(self, permission: str, *, api: bool = True, staff: bool = True) -> None:
        self.permission = permission
        self.api = api
        self.staff = staff

    def __call__(self, request: Request, session: SessionDep) -> Actor:
        actor = authenticate(request, session, api=self.api, staff=self.staff)
        if not allowed(actor, self.permission):
            from app.services.platform.audit import record

            record(
                session,
                actor=actor,
                action="access.denied",
                details={"permission": self.permission, "path": request.url.path},
            )
            session.commit()
            raise Forbidden("You do not have permission to do this.")
        request.state.actor = actor
        return actor


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
