"""Employee accounts: create, change, suspend, reactivate, terminate, and the admin's list.

Every change writes its audit event in the caller's transaction; suspending or terminating ends
all of the employee's sessions at once (``app.deps`` also refuses a non-active employee on the
next request). Nothing here commits: the caller does, after the service returns.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, exists, or_
from sqlmodel import Session, col, func, select

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.emails import render_email
from app.errors import Conflict, InvalidTransition, NotFound
from app.models import (
    Audience,
    AuditEvent,
    Employee,
    EmployeeStatus,
    Role,
    TotpFactor,
    UserSession,
    WebAuthnCredential,
)
from app.models.schemas.identity.staff import EmployeeCreate, EmployeeFilter, EmployeeSort, EmployeeUpdate
from app.security.passwords import hash_password
from app.security.sessions import end_all_sessions, idle_limit
from app.services.disputes import calendar as calendar_feeds
from app.services.identity.privacy_roles import guard_privacy_roles
from app.services.platform import audit
from app.services.platform.ordering import in_declared_order, sort_order
from app.services.platform.outbox import queue_email
from app.services.workforce import offboarding

OBJECT = "employee"


def _is_self(actor: Actor, employee: Employee) -> bool:
    return actor.type == "staff" and actor.id == str(employee.id)


def get_employee(session: Session, *, employee_id: uuid.UUID | None) -> Employee:
    employee = session.get(Employee, employee_id) if employee_id is not None else None
    if employee is None:
        raise NotFound("There is no such employee.")
    return employee


def create_employee(
    session: Session,
    *,
    actor: Actor,
    data: EmployeeCreate,
    password: str | None = None,
    send_welcome: bool = True,
) -> Employee:
    """A new active employee. Without ``password`` they choose one through the password-reset
    page, which the welcome email links to (an admin never knows or sets anyone's password)."""
    email = str(data.email).lower()
    if session.exec(select(Employee.id).where(func.lower(Employee.email) == email)).first():
        raise Conflict(
            "An employee with this email already exists.",
            errors=[{"field": "email", "message": "An employee with this email already exists."}],
        )
    if (
        data.hr_employee_id
        and session.exec(select(Employee.id).where(Employee.hr_employee_id == data.hr_employee_id)).first()
    ):
        raise Conflict(
            "An employee with this HR employee id already exists.",
            errors=[{"field": "hr_employee_id", "message": "This HR employee id is already in use."}],
        )
    now = clock.now()
    employee = Employee(
        email=email,
        hr_employee_id=data.hr_employee_id,
        name=data.name,
        title=data.title,
        department=data.department,
        roles=[r.value for r in data.roles],
        status=EmployeeStatus.active,
        password_hash=hash_password(password) if password else None,
        password_changed_at=now if password else None,
        created_at=now,
        updated_at=now,
    )
    guard_privacy_roles(session, actor=actor, employee=employee, before=set(), after=set(employee.roles))
    session.add(employee)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="employee.create",
        object_type=OBJECT,
        object_id=employee.id,
        details={
            "email": email,
            "roles": employee.roles,
            "password_set": password is not None,
            "welcome_email": send_welcome,
        },
    )
    if send_welcome:
        queue_welcome(session, employee=employee)
    return employee


def queue_welcome(session: Session, *, employee: Employee) -> None:
    """The welcome email: choose a password (through the reset page) and enrol MFA, via the outbox."""
    subject, body, lang = render_email(
        "staff_welcome",
        "en",
        employee_name=employee.name,
        email=employee.email,
        roles=", ".join(employee.roles),
        reset_url=get_settings().base_url.rstrip("/") + "/staff/password-reset",
    )
    queue_email(session, to=employee.email, subject=subject, body_text=body, language=lang)


def update_employee(
    session: Session, *, actor: Actor, employee_id: uuid.UUID | None, data: EmployeeUpdate
) -> Employee:
    employee = get_employee(session, employee_id=employee_id)
    if employee.status == EmployeeStatus.terminated:
        raise InvalidTransition("A terminated employee's account cannot be changed.")
    sent = data.model_dump(exclude_unset=True)
    if "name" in sent and sent["name"] is None:
        sent.pop("name")  # the name is required; null means "leave it"
    if "roles" in sent:
        if sent["roles"] is None:
            sent.pop("roles")
        else:
            sent["roles"] = [Role(r).value for r in sent["roles"]]
    if (
        _is_self(actor, employee)
        and "roles" in sent
        and Role.privacy_admin in employee.roles
        and Role.privacy_admin not in sent["roles"]
    ):
        raise Conflict(
            "You cannot remove your own privacy administrator role; ask another administrator.",
            errors=[{"field": "roles", "message": "You cannot remove your own administrator role."}],
        )
    if "roles" in sent:
        guard_privacy_roles(
            session, actor=actor, employee=employee, before=set(employee.roles), after=set(sent["roles"])
        )
    changes: dict[str, Any] = {}
    for field, value in sent.items():
        before = getattr(employee, field)
        if before != value:
            changes[field] = {"from": before, "to": value}
            setattr(employee, field, value)
    if not changes:
        return employee
    employee.updated_at = clock.now()
    session.add(employee)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="employee.update",
        object_type=OBJECT,
        object_id=employee.id,
        details={"changes": changes},
    )
    return employee


def _transition(
    session: Session,
    *,
    actor: Actor,
    employee_id: uuid.UUID | None,
    allowed_from: set[EmployeeStatus],
    to: EmployeeStatus,
    action: str,
    end_sessions: bool,
    reason: str | None = None,
) -> Employee:
    employee = get_employee(session, employee_id=employee_id)
    if employee.status not in allowed_from:
        raise InvalidTransition(f"A {employee.status.value} employee cannot be {to.value}.")
    if _is_self(actor, employee) and to != EmployeeStatus.active:
        raise Conflict(f"You cannot {action.split('.')[-1]} your own account; ask another administrator.")
    before = employee.status
    employee.status = to
    employee.updated_at = clock.now()
    session.add(employee)
    session.flush()
    ended = (
        end_all_sessions(session, audience=Audience.staff, principal_id=employee.id, reason=to.value)
        if end_sessions
        else 0
    )
    details: dict[str, Any] = {"from": before.value, "to": to.value, "sessions_ended": ended}
    if reason:
        details["reason"] = reason[:500]
    audit.record(
        session, actor=actor, action=action, object_type=OBJECT, object_id=employee.id, details=details
    )
    return employee


def suspend_employee(
    session: Session, *, actor: Actor, employee_id: uuid.UUID | None, reason: str | None = None
) -> Employee:
    return _transition(
        session,
        actor=actor,
        employee_id=employee_id,
        allowed_from={EmployeeStatus.active},
        to=EmployeeStatus.suspended,
        action="employee.suspend",
        end_sessions=True,
        reason=reason,
    )


def reactivate_employee(
    session: Session, *, actor: Actor, employee_id: uuid.UUID | None, reason: str | None = None
) -> Employee:
    """Only a suspended account comes back; termination is final."""
    return _transition(
        session,
        actor=actor,
        employee_id=employee_id,
        allowed_from={EmployeeStatus.suspended},
        to=EmployeeStatus.active,
        action="employee.reactivate",
        end_sessions=False,
        reason=reason,
    )


def terminate_employee(
    session: Session, *, actor: Actor, employee_id: uuid.UUID | None, reason: str | None = None
) -> Employee:
    """WISP §V: access ends now (sessions ended, the calendar feed's token deleted, so a rehire
    cannot revive it), and the team's offboarding checklist opens."""
    employee = _transition(
        session,
        actor=actor,
        employee_id=employee_id,
        allowed_from={EmployeeStatus.active, EmployeeStatus.suspended},
        to=EmployeeStatus.terminated,
        action="employee.terminate",
        end_sessions=True,
        reason=reason,
    )
    calendar_feeds.remove_feed(session, employee_id=employee.id, actor=actor)
    offboarding.open_checklist(session, actor=actor, employee=employee)
    return employee


TRANSITIONS = {
    "suspend": suspend_employee,
    "reactivate": reactivate_employee,
    "terminate": terminate_employee,
}


def change_status(
    session: Session, *, actor: Actor, employee_id: uuid.UUID | None, action: str, reason: str | None = None
) -> Employee:
    """``action`` is suspend, reactivate or terminate (the API's and the pages' one entry point)."""
    try:
        transition = TRANSITIONS[action]
    except KeyError:
        raise NotFound("There is no such action.") from None
    return transition(session, actor=actor, employee_id=employee_id, reason=reason)


SORTS = {
    "name": func.lower(Employee.name),
    "email": col(Employee.email),
    "status": in_declared_order(col(Employee.status), EmployeeStatus),
}


def list_employees(session: Session, *, filters: EmployeeFilter) -> tuple[list[Employee], int]:
    """One page of employees (by name unless sorted) and the total matching: two queries."""
    conditions: list[Any] = []
    if filters.q:
        term = filters.q.lower()
        conditions.append(
            or_(
                func.lower(Employee.name).contains(term, autoescape=True),
                func.lower(Employee.email).contains(term, autoescape=True),
            )
        )
    if filters.status is not None:
        conditions.append(col(Employee.status) == filters.status)
    if filters.role is not None:
        # roles is a JSON list of enum values: match the quoted value in its text form (both databases).
        conditions.append(cast(Employee.roles, String).contains(f'"{filters.role.value}"', autoescape=True))
    count = session.exec(select(func.count()).select_from(Employee).where(*conditions)).one()
    rows = session.exec(
        select(Employee)
        .where(*conditions)
        .order_by(*sort_order(filters.sort, SORTS, default=EmployeeSort.name, unique=col(Employee.email)))
        .limit(filters.limit)
        .offset(filters.offset)
    ).all()
    return list(rows), count


@dataclass
class EmployeeDetail:
    employee: Employee
    mfa_enrolled: bool
    active_sessions: int
    recent_events: list[AuditEvent]


def employee_detail(session: Session, *, employee_id: uuid.UUID | None, events: int = 20) -> EmployeeDetail:
    """The admin's view of one employee: factors enrolled?, live sessions, latest audit events."""
    employee = get_employee(session, employee_id=employee_id)
    now = clock.now()
    mfa = session.exec(
        select(
            or_(
                exists().where(
                    and_(
                        col(TotpFactor.employee_id) == employee.id,
                        col(TotpFactor.confirmed_at).is_not(None),
                    )
                ),
                exists().where(col(WebAuthnCredential.employee_id) == employee.id),
            )
        )
    ).one()
    sessions = session.exec(
        select(func.count())
        .select_from(UserSession)
        .where(
            col(UserSession.audience) == Audience.staff,
            col(UserSession.principal_id) == employee.id,
            col(UserSession.ended_at).is_(None),
            col(UserSession.expires_at) > now,
            col(UserSession.last_seen_at) > now - idle_limit(Audience.staff),
        )
    ).one()
    recent = session.exec(
        select(AuditEvent)
        .where(
            or_(
                and_(col(AuditEvent.object_type) == OBJECT, col(AuditEvent.object_id) == str(employee.id)),
                col(AuditEvent.actor_id) == str(employee.id),
            )
        )
        .order_by(col(AuditEvent.seq).desc())
        .limit(events)
    ).all()
    return EmployeeDetail(employee, bool(mfa), sessions, list(recent))


def list_team_members(session: Session) -> list[Employee]:
    """Active members of the Data Privacy Team (who a dispute can be assigned to)."""
    roles = cast(Employee.roles, String)
    return list(
        session.exec(
            select(Employee)
            .where(
                col(Employee.status) == EmployeeStatus.active,
                or_(
                    roles.contains(f'"{Role.privacy_team.value}"', autoescape=True),
                    roles.contains(f'"{Role.privacy_admin.value}"', autoescape=True),
                ),
            )
            .order_by(col(Employee.name))
        ).all()
    )
