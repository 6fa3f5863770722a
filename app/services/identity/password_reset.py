"""Password reset by an emailed single-use link (15 minutes by default), through the outbox.

The answer to a request is the same whether or not the email belongs to an employee. Following
the link sets a new password (the policy applies) and ends every session of the employee; it
never signs anyone in, so the second factor is still needed afterwards.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.emails import render_email
from app.models import Audience, EmailLink, Employee, EmployeeStatus, LinkPurpose
from app.models.identity.staff import AuthFailure
from app.security.crypto import new_token, token_hash
from app.security.sessions import end_all_sessions
from app.services.identity.staff_auth import find_employee, normalize_email, set_password
from app.services.identity.throttle import AttemptFailed, failures_since
from app.services.platform import audit
from app.services.platform.outbox import queue_email

WINDOW = timedelta(minutes=15)
PER_EMAIL = 3  # emails sent per address and window; more requests are answered but send nothing
PER_ADDRESS = 20  # requests per client address and window; more get 429
MAX_TOKEN_CHARS = 200
LINK_INVALID = "This link has expired or was already used. Ask for a new one."


def request_reset(session: Session, *, email: str, actor: Actor) -> None:
    """Email a reset link if ``email`` is an active employee's; the caller says the same either way."""
    now = clock.now()
    email = normalize_email(email)
    address = "reset-address:" + (actor.client_address or "unknown")
    if failures_since(session, address, now - WINDOW) >= PER_ADDRESS:
        audit.record(
            session,
            actor=actor,
            action="auth.password_reset_requested",
            details={"email": email, "outcome": "address_throttled"},
        )
        raise AttemptFailed("Too many requests from your network. Wait 15 minutes and try again.", status=429)
    session.add(AuthFailure(subject=address, at=now))
    subject = "reset:" + email[:280]
    throttled = failures_since(session, subject, now - WINDOW) >= PER_EMAIL
    session.add(AuthFailure(subject=subject, at=now))
    employee = find_employee(session, email) if email else None
    usable = employee is not None and employee.status == EmployeeStatus.active
    outcome = "throttled" if throttled else ("sent" if usable else "no_account")
    if usable and not throttled and employee is not None:
        token = new_token()
        minutes = get_settings().email_link_minutes
        session.add(
            EmailLink(
                token_hash=token_hash(token),
                purpose=LinkPurpose.password_reset,
                email=employee.email,
                principal_id=employee.id,
                created_at=now,
                expires_at=now + timedelta(minutes=minutes),
            )
        )
        link = get_settings().base_url.rstrip("/") + "/staff/password-reset/" + token
        subject_line, body, lang = render_email(
            "password_reset", "en", name=employee.name, link=link, minutes=minutes
        )
        queue_email(session, to=employee.email, subject=subject_line, body_text=body, language=lang)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="auth.password_reset_requested",
        object_type="employee" if employee else None,
        object_id=employee.id if employee else None,
        details={"email": email, "outcome": outcome},
    )


def find_link(session: Session, *, token: str) -> EmailLink | None:
    """The live reset link for ``token`` (unused, unexpired), or None."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    link = session.exec(
        select(EmailLink).where(
            EmailLink.token_hash == token_hash(token), EmailLink.purpose == LinkPurpose.password_reset
        )
    ).first()
    if link is None or link.used_at is not None or link.expires_at <= clock.now():
        return None
    return link


def complete_reset(session: Session, *, token: str, password: str, actor: Actor) -> Employee:
    """Set the new password from a live link; the link dies and every session ends. No sign-in."""
    now = clock.now()
    link = find_link(session, token=token)
    employee = session.get(Employee, link.principal_id) if link and link.principal_id else None
    if link is None or employee is None or employee.status != EmployeeStatus.active:
        audit.record(
            session,
            actor=actor,
            action="auth.password_reset_failed",
            details={"reason": "link_invalid"},
        )
        raise AttemptFailed(LINK_INVALID, status=400)
    set_password(session, employee=employee, password=password)  # ValidationFailed: link stays usable
    # Atomic single use: of two requests racing with one link, only one gets here.
    result = session.execute(
        update(EmailLink)
        .where(col(EmailLink.id) == link.id, col(EmailLink.used_at).is_(None))
        .values(used_at=now)
    )
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        raise AttemptFailed(LINK_INVALID, status=400)
    # Any other reset link for this employee dies too.
    session.execute(
        update(EmailLink)
        .where(
            col(EmailLink.principal_id) == employee.id,
            col(EmailLink.purpose) == LinkPurpose.password_reset,
            col(EmailLink.used_at).is_(None),
        )
        .values(used_at=now)
    )
    ended = end_all_sessions(
        session, audience=Audience.staff, principal_id=employee.id, reason="password_reset"
    )
    audit.record(
        session,
        actor=actor,
        action="auth.password_reset",
        object_type="employee",
        object_id=employee.id,
        details={"sessions_ended": ended},
    )
    return employee
