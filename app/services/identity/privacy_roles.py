"""Who may grant or remove the privacy roles (issue 21, item 18; DESIGN §4 for SCIM).

``privacy_team`` and ``privacy_admin`` give access to every student record Steward knows of, so
no API scope may grant or remove them (a compromised HR integration must not be an
administrator): only a privacy administrator signed in with MFA, and every such change is
audited and emailed to every privacy administrator.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.actors import Actor
from app.config import get_settings
from app.emails import render_email
from app.errors import Forbidden
from app.models import Employee, EmployeeStatus, Role
from app.services.platform import audit
from app.services.platform.outbox import queue_email

PRIVACY_ROLES = frozenset({Role.privacy_team.value, Role.privacy_admin.value})


def guard_privacy_roles(
    session: Session, *, actor: Actor, employee: Employee, before: set[str], after: set[str]
) -> None:
    """Only a privacy administrator signed in (staff sessions have passed MFA) may grant or remove
    ``privacy_team`` or ``privacy_admin``; the change is audited and emailed to every privacy
    administrator. The operator at the server's console (``steward`` commands act as the system,
    e.g. to make the first administrator) is audited only. Any other actor (an API client,
    whatever its scopes) gets 403."""
    granted = sorted((after - before) & PRIVACY_ROLES)
    removed = sorted((before - after) & PRIVACY_ROLES)
    if not granted and not removed:
        return
    admin = actor.type == "staff" and Role.privacy_admin.value in actor.roles
    if not admin and actor.type != "system":
        raise Forbidden(
            "Only a privacy administrator signed in with MFA can grant or remove the privacy team "
            "and privacy administrator roles."
        )
    audit.record(
        session,
        actor=actor,
        action="employee.privacy_roles",
        object_type="employee",
        object_id=employee.id,
        details={"granted": granted, "removed": removed},
    )
    if not admin:
        return  # the console operator bootstrapping the first administrators: audited only
    admins = session.exec(
        select(Employee.email, Employee.roles).where(col(Employee.status) == EmployeeStatus.active)
    ).all()
    recipients = {email for email, roles in admins if Role.privacy_admin.value in (roles or [])}
    if Role.privacy_admin.value in granted:
        recipients.add(employee.email)
    subject, body, lang = render_email(
        "privacy_roles_changed",
        "en",
        employee_name=employee.name,
        employee_email=employee.email,
        granted=", ".join(granted) or "none",
        removed=", ".join(removed) or "none",
        changed_by=actor.label or "a privacy administrator",
        staff_url=get_settings().base_url.rstrip("/") + f"/staff/employees/{employee.id}",
    )
    for to in sorted(recipients):
        queue_email(session, to=to, subject=subject, body_text=body, language=lang)
