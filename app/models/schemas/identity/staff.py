"""Employee account schemas: what an admin (or the HR system) sends, and what the API returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator

from app.models import EmployeeStatus, EmployeeType, Role
from app.models.schemas import MAX_OFFSET, SingleLine, single_line


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _unique_roles(value: list[Role] | None) -> list[Role] | None:
    if value is None:
        return None
    if not value:
        raise ValueError("choose at least one role")
    return list(dict.fromkeys(value))  # keep order, drop repeats


class _EmployeeFieldRules(BaseModel):
    """The clean-up shared by create and update: names trimmed, blanks dropped, roles once each."""

    @field_validator("name", mode="before", check_fields=False)
    @classmethod
    def _strip_name(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("title", "department", mode="before", check_fields=False)
    @classmethod
    def _optional_text(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("roles", mode="after", check_fields=False)
    @classmethod
    def _roles(cls, value: list[Role] | None) -> list[Role] | None:
        return _unique_roles(value)


class EmployeeBase(_EmployeeFieldRules):
    name: SingleLine = Field(min_length=1, max_length=200)
    title: SingleLine | None = Field(default=None, max_length=200)
    department: SingleLine | None = Field(default=None, max_length=200)
    roles: list[Role] = Field(min_length=1, max_length=len(Role), description="At least one role.")


class EmployeeCreate(EmployeeBase):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[EmailStr, AfterValidator(single_line)] = Field(max_length=254)
    hr_employee_id: SingleLine | None = Field(default=None, max_length=64)

    @field_validator("email", mode="before")
    @classmethod
    def _lower_email(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("hr_employee_id", mode="before")
    @classmethod
    def _optional_hr_id(cls, value: Any) -> Any:
        return _blank_to_none(value)


class EmployeeUpdate(_EmployeeFieldRules):
    """Only the fields sent are changed. Email, status and credentials are not changed here."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    title: SingleLine | None = Field(default=None, max_length=200)
    department: SingleLine | None = Field(default=None, max_length=200)
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=len(Role))


class EmployeePublic(BaseModel):
    """An employee as the API shows it: never a password hash or a factor secret."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    hr_employee_id: str | None
    email: str
    name: str
    title: str | None
    department: str | None
    roles: list[str]
    status: EmployeeStatus
    employee_type: EmployeeType
    created_at: datetime
    updated_at: datetime
    last_sign_in_at: datetime | None
    password_changed_at: datetime | None


class EmployeeDetailPublic(EmployeePublic):
    mfa_enrolled: bool
    active_sessions: int


class EmployeesPublic(BaseModel):
    data: list[EmployeePublic]
    count: int


class EmployeeAction(StrEnum):
    suspend = "suspend"
    reactivate = "reactivate"
    terminate = "terminate"


class EmployeeSort(StrEnum):
    """By name (the default), email or status; ``-`` reverses."""

    name = "name"
    name_desc = "-name"
    email = "email"
    email_desc = "-email"
    status = "status"
    status_desc = "-status"


class EmployeeFilter(BaseModel):
    """Filters for the staff list (query string); empty values mean "any"."""

    sort: EmployeeSort | None = None
    q: SingleLine | None = Field(default=None, max_length=200, description="Name or email contains this.")
    status: EmployeeStatus | None = None
    role: Role | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)

    @field_validator("sort", "q", "status", "role", mode="before")
    @classmethod
    def _empty_is_any(cls, value: Any) -> Any:
        return _blank_to_none(value)
