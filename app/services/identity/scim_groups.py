"""SCIM ``Groups``: Steward's roles, with their members (every employee not terminated).

An identity provider may add and remove members of ``staff`` and ``auditor`` by PATCH. It may
never grant or remove ``privacy_team`` or ``privacy_admin`` (403): those stay with a privacy
administrator signed in with MFA, so a compromised HR integration is not an administrator.
Groups are fixed: they are not created, replaced or deleted over SCIM.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from pydantic import ValidationError
from scim2_models import (
    Context,
    ForbiddenException,
    Group,
    GroupMember,
    InvalidFilterException,
    InvalidValueException,
    Meta,
    NotFoundException,
    PatchOp,
    PreconditionFailedException,
    SCIMException,
    ScimFilter,
)
from scim2_models.path import Comparison
from scim2_models.path.expressions import CompareOperator
from sqlalchemy import String, cast
from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.models import Employee, EmployeeStatus, Role
from app.services.identity.privacy_roles import PRIVACY_ROLES
from app.services.identity.scim_resources import POLICY, ROLE_NAMES, base_url, invalid_value
from app.services.platform import audit


def _role(group_id: str) -> Role:
    try:
        return Role(group_id)
    except ValueError:
        raise NotFoundException(detail="There is no such group.") from None


def _members(session: Session, role: Role) -> list[tuple[uuid.UUID, str]]:
    rows = session.exec(
        select(Employee.id, Employee.name)
        .where(
            col(Employee.status) != EmployeeStatus.terminated,
            cast(Employee.roles, String).contains(f'"{role.value}"', autoescape=True),
        )
        .order_by(col(Employee.created_at), col(Employee.id))
    ).all()
    return [(row[0], row[1]) for row in rows]


def _version(members: list[tuple[uuid.UUID, str]]) -> str:
    digest = hashlib.sha256(",".join(sorted(str(m) for m, _ in members)).encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def to_group(session: Session, role: Role) -> Group:
    members = _members(session, role)
    return Group(
        id=role.value,
        display_name=ROLE_NAMES[role],
        members=[
            GroupMember(value=str(mid), display=name, type="User", ref=f"{base_url()}/Users/{mid}")
            for mid, name in members
        ]
        or None,
        meta=Meta(
            resource_type="Group", location=f"{base_url()}/Groups/{role.value}", version=_version(members)
        ),
    )


def get_group(session: Session, *, actor: Actor, group_id: str) -> Group:
    role = _role(group_id)
    audit.record(session, actor=actor, action="scim.group.read", object_type="role", object_id=role.value)
    return to_group(session, role)


def _matches(expression: str | None) -> list[Role]:
    if expression is None or not expression.strip():
        return list(Role)
    try:
        node = ScimFilter[Group](expression).ast
    except (ValueError, TypeError) as exc:
        raise InvalidFilterException(detail="The filter is not valid.") from exc
    if not isinstance(node, Comparison) or node.op != CompareOperator.eq or not isinstance(node.value, str):
        raise InvalidFilterException(detail="Groups take only displayName eq or id eq.")
    attr = node.attr_path.attr.lower()
    if attr == "displayname":
        return [
            r for r in Role if ROLE_NAMES[r].lower() == node.value.lower() or r.value == node.value.lower()
        ]
    if attr == "id":
        return [r for r in Role if r.value == node.value]
    raise InvalidFilterException(detail="Groups take only displayName eq or id eq.")


def search_groups(
    session: Session, *, actor: Actor, filter: str | None, start_index: int | None, count: int | None
) -> tuple[list[Group], int, int]:
    roles = _matches(filter)
    start = max(start_index or 1, 1)
    size = len(roles) if count is None else max(count, 0)
    page = roles[start - 1 : start - 1 + size]
    audit.record(session, actor=actor, action="scim.group.search", details={"results": len(page)})
    return [to_group(session, r) for r in page], len(roles), start


def patch_group(
    session: Session, *, actor: Actor, group_id: str, payload: Any, if_match: str | None
) -> Group:
    role = _role(group_id)
    if role.value in PRIVACY_ROLES:
        raise ForbiddenException(
            detail="Only a privacy administrator signed in with MFA can change who holds this role."
        )
    group = to_group(session, role)
    current = {m.value for m in group.members or []}
    if (
        if_match is not None
        and "*" not in if_match
        and (group.meta and group.meta.version) not in {t.strip() for t in if_match.split(",")}
    ):
        raise PreconditionFailedException(detail="The group has changed since that version; fetch it again.")
    try:
        PatchOp[Group].model_validate(
            payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY
        ).patch(group, scim_policy=POLICY)
    except SCIMException:
        raise
    except ValidationError as exc:
        raise invalid_value(exc) from exc
    if group.display_name != ROLE_NAMES[role]:
        raise InvalidValueException(detail="A role's displayName cannot be changed.")
    wanted = {m.value for m in group.members or []}
    added, removed = wanted - current, current - wanted
    _change(session, role, added, removed)
    audit.record(
        session,
        actor=actor,
        action="scim.group.patch",
        object_type="role",
        object_id=role.value,
        details={"added": sorted(str(a) for a in added), "removed": sorted(str(r) for r in removed)},
    )
    return to_group(session, role)


def _change(session: Session, role: Role, added: set[Any], removed: set[Any]) -> None:
    ids: dict[uuid.UUID, bool] = {}
    for value, add in [(v, True) for v in added] + [(v, False) for v in removed]:
        try:
            ids[uuid.UUID(str(value))] = add
        except ValueError:
            raise InvalidValueException(detail="A member value is not a user id.") from None
    employees = session.exec(select(Employee).where(col(Employee.id).in_(list(ids)))).all() if ids else []
    found = {
        e.id: e for e in employees if e.status != EmployeeStatus.terminated and e.scim_deleted_at is None
    }
    if set(ids) - set(found):
        raise InvalidValueException(detail="A member is not an active or suspended user.")
    now = clock.now()
    for employee_id, add in ids.items():
        employee = found[employee_id]
        roles = [r for r in employee.roles if r != role.value] + ([role.value] if add else [])
        if not roles:
            raise InvalidValueException(detail="An employee keeps at least one role.")
        employee.roles = roles
        employee.updated_at = now
        session.add(employee)
    session.flush()
