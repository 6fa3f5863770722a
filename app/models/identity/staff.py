"""Employees (staff users) and their credentials: password history, TOTP, security keys, recovery codes."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import Timestamped, created_at_field, str_enum, uuid_pk


class Role(StrEnum):
    staff = "staff"
    privacy_team = "privacy_team"
    privacy_admin = "privacy_admin"
    auditor = "auditor"


class EmployeeStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    terminated = "terminated"


class EmployeeType(StrEnum):
    """The kind of person (WISP §IV trains all of them); from HR, shown on the staff pages."""

    staff = "staff"
    substitute = "substitute"
    coach = "coach"
    contractor = "contractor"
    committee_member = "committee_member"


class Employee(Timestamped, table=True):
    __tablename__ = "employee"

    id: uuid.UUID = uuid_pk()
    hr_employee_id: str | None = Field(default=None, max_length=64, unique=True)
    email: str = Field(max_length=254, unique=True)  # stored lower-case: the login id
    name: str = Field(max_length=200)
    title: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=200)
    employee_type: EmployeeType = Field(
        default=EmployeeType.staff,
        sa_type=str_enum(EmployeeType, 24),
        sa_column_kwargs={"server_default": "staff"},
    )
    # SCIM (HR or identity provider): the IdP's own id, the account name it uses, the name parts.
    external_id: str | None = Field(default=None, max_length=200, index=True)
    user_name: str | None = Field(default=None, max_length=254, unique=True)  # stored lower-case
    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    # The sign-in email as the identity provider labels it (answered back as sent).
    email_type: str | None = Field(default="work", max_length=20, sa_column_kwargs={"server_default": "work"})
    email_primary: bool | None = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    scim_deleted_at: datetime | None = None  # DELETEd over SCIM: terminated, gone from SCIM, kept here
    roles: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    status: EmployeeStatus = Field(default=EmployeeStatus.active, sa_type=str_enum(EmployeeStatus, 16))
    password_hash: str | None = Field(default=None, max_length=255)
    password_changed_at: datetime | None = None
    failed_attempts: int = 0  # consecutive, since the last success or lockout
    lockouts: int = 0  # how many times locked; the lock grows with each
    locked_until: datetime | None = None
    last_sign_in_at: datetime | None = None


class PasswordHistory(SQLModel, table=True):
    """Hashes of earlier passwords: a password may not be reused from the last five."""

    __tablename__ = "password_history"

    id: uuid.UUID = uuid_pk()
    employee_id: uuid.UUID = Field(foreign_key="employee.id", index=True, ondelete="CASCADE")
    password_hash: str = Field(max_length=255)
    created_at: datetime = created_at_field()


class TotpFactor(SQLModel, table=True):
    __tablename__ = "totp_factor"

    id: uuid.UUID = uuid_pk()
    employee_id: uuid.UUID = Field(foreign_key="employee.id", unique=True, ondelete="CASCADE")
    secret_encrypted: str = Field(sa_type=sa.Text)  # Fernet token under the data key
    last_used_step: int | None = None  # a code at or before this step is refused (no replay)
    confirmed_at: datetime | None = None  # enrolment finishes when the first code checks out
    created_at: datetime = created_at_field()


class WebAuthnCredential(SQLModel, table=True):
    __tablename__ = "webauthn_credential"

    id: uuid.UUID = uuid_pk()
    employee_id: uuid.UUID = Field(foreign_key="employee.id", index=True, ondelete="CASCADE")
    credential_id: str = Field(max_length=1024, unique=True)  # base64url
    public_key: bytes = Field(sa_type=sa.LargeBinary)
    sign_count: int = 0
    name: str = Field(default="Security key", max_length=100)
    created_at: datetime = created_at_field()
    last_used_at: datetime | None = None


class RecoveryCode(SQLModel, table=True):
    __tablename__ = "recovery_code"

    id: uuid.UUID = uuid_pk()
    employee_id: uuid.UUID = Field(foreign_key="employee.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=255)
    used_at: datetime | None = None
    created_at: datetime = created_at_field()


class AuthFailure(SQLModel, table=True):
    """One failed password or code attempt, for throttling per account and per client address."""

    __tablename__ = "auth_failure"
    __table_args__ = (sa.Index(None, "subject", "at"),)

    id: uuid.UUID = uuid_pk()
    subject: str = Field(max_length=300)  # "account:<email>" or "address:<ip>" or "link:<ip>"
    at: datetime = created_at_field()
