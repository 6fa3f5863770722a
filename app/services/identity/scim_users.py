"""SCIM ``Users``: the HR system or identity provider creates, changes and ends employee accounts.

WISP §V: access ends at termination. ``active: false`` (PUT or PATCH, including Entra ID's
string ``"False"``) and DELETE terminate the employee through ``staff.terminate_employee``: every
session ends now and ``app.deps`` refuses them on the next request. The record stays for the
audit trail; DELETE also takes it out of SCIM (later reads answer 404, and a POST of the same
person again is a rehire of that record). ``active: true`` on a terminated employee is a rehire:
a new period of employment, with a new password chosen from the welcome email. A suspension is
a privacy administrator's decision and is not lifted by HR.

Every call writes one audit event with the client, the operation and the employee's id, and for
changes the names of the attributes changed — never the values.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError
from scim2_models import (
    Context,
    NotFoundException,
    PatchOp,
    PreconditionFailedException,
    SCIMException,
    UniquenessException,
)
from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from app import clock
from app.actors import Actor
from app.models import Employee, EmployeeStatus, Role
from app.services.identity import staff as staff_service
from app.services.identity.privacy_roles import PRIVACY_ROLES
from app.services.identity.scim_filter import user_condition
from app.services.identity.scim_resources import (
    POLICY,
    UserResource,
    fields_of,
    invalid_value,
    parse_user,
    to_resource,
    version,
)
from app.services.platform import audit

OBJECT = "employee"
MAX_COUNT = 200
# Employee field → the SCIM attribute named in audit details.
ATTRIBUTES = {
    "user_name": "userName",
    "email": "emails",
    "email_type": "emails",
    "email_primary": "emails",
    "name": "displayName",
    "given_name": "name.givenName",
    "family_name": "name.familyName",
    "title": "title",
    "department": "department",
    "hr_employee_id": "employeeNumber",
    "external_id": "externalId",
    "employee_type": "userType",
}


def _record(session: Session, actor: Actor, action: str, employee_id: Any, **details: Any) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type=OBJECT,
        object_id=employee_id,
        details=details or None,
    )


def _find(session: Session, user_id: str) -> Employee:
    try:
        employee = session.get(Employee, uuid.UUID(user_id))
    except ValueError:
        employee = None
    if employee is None or employee.scim_deleted_at is not None:
        raise NotFoundException(detail="There is no such user.")
    return employee


def get_user(session: Session, *, actor: Actor, user_id: str) -> Employee:
    employee = _find(session, user_id)
    _record(session, actor, "scim.user.read", employee.id)
    return employee


def search_users(
    session: Session, *, actor: Actor, filter: str | None, start_index: int | None, count: int | None
) -> tuple[list[Employee], int, int]:
    """A page of users matching ``filter`` (oldest first); returns rows, total, start index."""
    condition = and_(user_condition(filter), col(Employee.scim_deleted_at).is_(None))
    start = max(start_index or 1, 1)
    size = MAX_COUNT if count is None else min(max(count, 0), MAX_COUNT)
    total = session.exec(select(func.count()).select_from(Employee).where(condition)).one()
    rows: list[Employee] = []
    if size:
        rows = list(
            session.exec(
                select(Employee)
                .where(condition)
                .order_by(col(Employee.created_at), col(Employee.id))
                .offset(start - 1)
                .limit(size)
            ).all()
        )
    audit.record(
        session,
        actor=actor,
        action="scim.user.search",
        details={"filtered": bool(filter and filter.strip()), "results": len(rows), "total": total},
    )
    return rows, total, start


def _check_version(employee: Employee, if_match: str | None) -> None:
    if if_match is None:
        return
    current = version(employee)
    tags = {t.strip() for t in if_match.split(",")}
    if "*" not in tags and current not in tags and current.removeprefix("W/") not in tags:
        raise PreconditionFailedException(detail="The user has changed since that version; fetch it again.")


def _check_unique(session: Session, fields: dict[str, Any], employee_id: uuid.UUID | None) -> None:
    others = col(Employee.id) != employee_id if employee_id else None
    checks = {
        "userName": or_(
            func.lower(func.coalesce(col(Employee.user_name), col(Employee.email))) == fields["user_name"],
            col(Employee.user_name) == fields["user_name"],
        ),
        "emails": func.lower(col(Employee.email)) == fields["email"],
    }
    if fields["hr_employee_id"]:
        checks["employeeNumber"] = col(Employee.hr_employee_id) == fields["hr_employee_id"]
    for attribute, condition in checks.items():
        query = select(Employee.id).where(condition)
        if others is not None:
            query = query.where(others)
        if session.exec(query.limit(1)).first() is not None:
            raise UniquenessException(detail=f"Another user already has this {attribute}.")


def create_user(session: Session, *, actor: Actor, payload: Any) -> Employee:
    """A new active employee with the ``staff`` role; the welcome email asks them to choose a
    password and enrol MFA (HR never sends passwords)."""
    fields = fields_of(parse_user(payload, Context.RESOURCE_CREATION_REQUEST))
    deleted = session.exec(
        select(Employee).where(
            col(Employee.scim_deleted_at).is_not(None),
            or_(col(Employee.user_name) == fields["user_name"], col(Employee.email) == fields["email"]),
        )
    ).first()
    if deleted is not None:  # the same person again after a DELETE: a rehire of that record
        deleted.scim_deleted_at = None
        _apply(session, actor=actor, employee=deleted, fields=fields, action="scim.user.create")
        return deleted
    _check_unique(session, fields, None)
    active = fields.pop("active")
    now = clock.now()
    employee = Employee(**fields, roles=[Role.staff.value], created_at=now, updated_at=now)
    session.add(employee)
    session.flush()
    _record(
        session, actor, "scim.user.create", employee.id, attributes=sorted({ATTRIBUTES[f] for f in fields})
    )
    staff_service.queue_welcome(session, employee=employee)
    if not active:
        _set_active(session, actor=actor, employee=employee, active=False)
    return employee


def _apply(
    session: Session, *, actor: Actor, employee: Employee, fields: dict[str, Any], action: str
) -> None:
    active = fields.pop("active")
    _check_unique(session, fields, employee.id)
    changed = sorted({ATTRIBUTES[f] for f, value in fields.items() if getattr(employee, f) != value})
    if changed:
        for field, value in fields.items():
            setattr(employee, field, value)
        employee.updated_at = clock.now()
        session.add(employee)
        session.flush()
    status_changes = (active and employee.status == EmployeeStatus.terminated) or (
        not active and employee.status != EmployeeStatus.terminated
    )
    _record(session, actor, action, employee.id, attributes=changed + (["active"] if status_changes else []))
    _set_active(session, actor=actor, employee=employee, active=active)


def _set_active(session: Session, *, actor: Actor, employee: Employee, active: bool) -> None:
    if not active and employee.status != EmployeeStatus.terminated:
        staff_service.terminate_employee(session, actor=actor, employee_id=employee.id, reason="HR (SCIM)")
    elif active and employee.status == EmployeeStatus.terminated:
        rehire(session, actor=actor, employee=employee)


def rehire(session: Session, *, actor: Actor, employee: Employee) -> None:
    """A new period of employment: active again, a new password from the welcome email. The
    privacy roles of the earlier period are not given back: a privacy administrator grants them
    again if the new job needs them (an API client never does)."""
    dropped = sorted(set(employee.roles) & PRIVACY_ROLES)
    employee.roles = [r for r in employee.roles if r not in PRIVACY_ROLES] or [Role.staff.value]
    employee.status = EmployeeStatus.active
    employee.password_hash = None
    employee.password_changed_at = None
    employee.updated_at = clock.now()
    session.add(employee)
    session.flush()
    _record(
        session,
        actor,
        "employee.rehire",
        employee.id,
        **{"from": "terminated", "to": "active", "privacy_roles_dropped": dropped},
    )
    staff_service.queue_welcome(session, employee=employee)


def replace_user(
    session: Session, *, actor: Actor, user_id: str, payload: Any, if_match: str | None
) -> Employee:
    employee = _find(session, user_id)
    _check_version(employee, if_match)
    fields = fields_of(parse_user(payload, Context.RESOURCE_REPLACEMENT_REQUEST))
    _apply(session, actor=actor, employee=employee, fields=fields, action="scim.user.replace")
    return employee


def patch_user(
    session: Session, *, actor: Actor, user_id: str, payload: Any, if_match: str | None
) -> Employee:
    """RFC 7644 §3.5.2 add/replace/remove, applied by scim2-models to the user as Steward sees it,
    then stored like a replace (so a path-less ``replace`` and ``"False"`` strings work)."""
    employee = _find(session, user_id)
    _check_version(employee, if_match)
    resource = to_resource(employee)
    try:
        patch = PatchOp[UserResource].model_validate(
            payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY
        )
        patch.patch(resource, scim_policy=POLICY)
    except SCIMException:
        raise
    except ValidationError as exc:
        raise invalid_value(exc) from exc
    _apply(session, actor=actor, employee=employee, fields=fields_of(resource), action="scim.user.patch")
    return employee


def delete_user(session: Session, *, actor: Actor, user_id: str, if_match: str | None) -> None:
    """DELETE ends the account as a termination; the record stays for the audit trail, but SCIM
    answers 404 for it from now on."""
    employee = _find(session, user_id)
    _check_version(employee, if_match)
    _record(session, actor, "scim.user.delete", employee.id)
    _set_active(session, actor=actor, employee=employee, active=False)
    employee.scim_deleted_at = clock.now()
    session.add(employee)
    session.flush()
