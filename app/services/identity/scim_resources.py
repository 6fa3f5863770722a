"""Employees as SCIM 2.0 ``User`` resources (RFC 7643 §4.1 with the enterprise extension, §4.3).

The shapes come from scim2-models; this module only says which Steward field each attribute is.
Only what Steward stores is published (see ``scim_discovery``), so a client reading the schema
knows what round-trips:

- ``userName`` → the account name the identity provider uses (lower-cased; unique);
- ``emails`` → the sign-in email (one, ``work``, primary): the ``work``/primary value sent, else
  ``userName`` when it is an address;
- ``name.givenName`` / ``name.familyName`` and ``displayName`` → the name parts and the name shown;
- ``title``, ``userType`` (the kind of person: staff, substitute, coach, contractor,
  committee_member), ``externalId``, ``active``;
- enterprise ``employeeNumber`` (the HR employee id) and ``department``;
- ``groups`` (read-only): Steward's roles.

HR never sends passwords: a body with ``password`` is refused.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from pydantic import ValidationError
from scim2_models import (
    Context,
    Email,
    EnterpriseUser,
    GroupMembership,
    InvalidSyntaxException,
    InvalidValueException,
    Meta,
    Name,
    SCIMException,
    ScimPolicy,
    User,
)

from app.config import get_settings
from app.models import Employee, EmployeeStatus, EmployeeType, Role

UserResource = User[EnterpriseUser]
# Microsoft Entra ID removes a group member with the member in ``value`` (not in a path filter),
# and replaces ``emails[type eq "work"].value`` on a user that has no work email yet.
POLICY = ScimPolicy(
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)
SCIM_PATH = "/scim/v2"
ROLE_NAMES = {
    Role.staff: "Staff",
    Role.privacy_team: "Data Privacy Team",
    Role.privacy_admin: "Privacy administrators",
    Role.auditor: "Auditors",
}
LIMITS = {
    "user_name": 254,
    "name": 200,
    "given_name": 100,
    "family_name": 100,
    "title": 200,
    "department": 200,
    "hr_employee_id": 64,
    "external_id": 200,
    "email_type": 20,
}


def base_url() -> str:
    return get_settings().base_url.rstrip("/") + SCIM_PATH


def version(employee: Employee) -> str:
    """The weak ETag of an employee: every change moves ``updated_at``."""
    at = employee.updated_at if employee.updated_at.tzinfo else employee.updated_at.replace(tzinfo=UTC)
    return f'W/"{int(at.timestamp() * 1_000_000)}"'


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def to_resource(employee: Employee) -> UserResource:
    user = UserResource(
        id=str(employee.id),
        external_id=employee.external_id,
        user_name=employee.user_name or employee.email,
        display_name=employee.name,
        name=Name(
            given_name=employee.given_name,
            family_name=employee.family_name,
        ),
        title=employee.title,
        user_type=employee.employee_type.value,
        active=employee.status == EmployeeStatus.active,
        emails=[Email(value=employee.email, type=employee.email_type, primary=employee.email_primary)],
        groups=[
            GroupMembership(
                value=role, display=ROLE_NAMES.get(Role(role), role), ref=f"{base_url()}/Groups/{role}"
            )
            for role in employee.roles
            if role in Role.__members__
        ],
        meta=Meta(
            resource_type="User",
            created=_aware(employee.created_at),
            last_modified=_aware(employee.updated_at),
            location=f"{base_url()}/Users/{employee.id}",
            version=version(employee),
        ),
    )
    user[EnterpriseUser] = EnterpriseUser(
        employee_number=employee.hr_employee_id, department=employee.department
    )
    return user


def parse_user(payload: Any, context: Context) -> UserResource:
    """Validate a request body (create or replace) into a ``User``; SCIM errors otherwise."""
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="The body must be a JSON object.")
    try:
        return UserResource.model_validate(payload, scim_ctx=context, scim_policy=POLICY)
    except SCIMException:
        raise
    except ValidationError as exc:
        raise invalid_value(exc) from exc


def invalid_value(exc: ValidationError) -> SCIMException:
    """A pydantic error as a SCIM error naming the attributes (never echoing the values)."""
    scim_type = "invalidValue"
    names: list[str] = []
    for err in exc.errors():
        ctx = err.get("ctx") or {}
        if isinstance(ctx.get("scim_type"), str) and ctx["scim_type"]:
            scim_type = ctx["scim_type"]
        names.append(".".join(str(p) for p in err.get("loc", ()) if not isinstance(p, int)) or "body")
    detail = "Invalid value for: " + ", ".join(dict.fromkeys(names))
    error = InvalidValueException(detail=detail)
    error.scim_type = scim_type
    return error


def _single_line(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if any(unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029" for ch in value):
        raise InvalidValueException(detail=f"{field} must be a single line without control characters.")
    if len(value) > LIMITS.get(field, 200):
        raise InvalidValueException(detail=f"{field} is too long.")
    return value or None


def _email(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def employee_type(value: str | None) -> EmployeeType:
    if value is None or not value.strip():
        return EmployeeType.staff
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return EmployeeType(key)
    except ValueError:
        kinds = ", ".join(t.value for t in EmployeeType)
        raise InvalidValueException(detail=f"userType must be one of: {kinds}.") from None


def fields_of(user: UserResource) -> dict[str, Any]:
    """The employee fields a ``User`` resource sets; every attribute we publish, absent = cleared."""
    if user.password is not None:
        raise InvalidValueException(
            detail="Steward does not accept passwords: the employee chooses one from the welcome email."
        )
    user_name = _single_line("user_name", user.user_name)
    if not user_name:
        raise InvalidValueException(detail="userName is required.")
    emails = user.emails or []
    chosen = next((e for e in emails if e.primary), None) or next(
        (e for e in emails if e.type == Email.Type.work), None
    )
    chosen = chosen or (emails[0] if emails else None)
    email = _email(str(chosen.value) if chosen and chosen.value else None)
    email_type = _single_line("email_type", getattr(chosen.type, "value", chosen.type)) if chosen else None
    email_primary = chosen.primary if chosen else None
    if email is None:
        email, email_type, email_primary = _email(user_name), "work", True
    if email is None:
        raise InvalidValueException(detail="A work email is required (emails, or userName as an address).")
    name = user.name or Name()
    given = _single_line("given_name", name.given_name)
    family = _single_line("family_name", name.family_name)
    display = _single_line("name", user.display_name) or _single_line("name", name.formatted)
    display = display or " ".join(p for p in (given, family) if p) or user_name
    enterprise = user[EnterpriseUser] or EnterpriseUser()
    return {
        "user_name": user_name.lower(),
        "email": email,
        "email_type": email_type,
        "email_primary": email_primary,
        "name": display,
        "given_name": given,
        "family_name": family,
        "title": _single_line("title", user.title),
        "department": _single_line("department", enterprise.department),
        "hr_employee_id": _single_line("hr_employee_id", enterprise.employee_number),
        "external_id": _single_line("external_id", user.external_id),
        "employee_type": employee_type(user.user_type),
        "active": True if user.active is None else bool(user.active),
    }
