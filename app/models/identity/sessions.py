"""Server-side sign-in sessions and single-use emailed links."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, str_enum, uuid_pk


class Audience(StrEnum):
    staff = "staff"
    guardian = "guardian"  # a guardian from the roster: their children only
    requester = "requester"  # a verified email not on the roster: their own disputes only
    vendor = "vendor"  # a vendor contact: that vendor only


class UserSession(SQLModel, table=True):
    __tablename__ = "user_session"
    __table_args__ = (sa.Index(None, "audience", "principal_id"), sa.Index(None, "expires_at"))

    id: uuid.UUID = uuid_pk()
    token_hash: str = Field(max_length=64, unique=True)  # sha256 of the cookie value
    audience: Audience = Field(sa_type=str_enum(Audience, 16))
    principal_id: uuid.UUID | None = None  # employee, guardian or vendor contact
    email: str | None = Field(default=None, max_length=254)  # the verified email (requesters)
    mfa_passed: bool = False  # staff: password checked but second factor pending until True
    created_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
    reauthenticated_at: datetime | None = None
    expires_at: datetime  # absolute lifetime
    ended_at: datetime | None = None
    ended_reason: str | None = Field(default=None, max_length=40)
    client_address: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)


class LinkPurpose(StrEnum):
    guardian_sign_in = "guardian_sign_in"
    requester_verify = "requester_verify"
    concern_sign_in = "concern_sign_in"  # the link in an email about a family's concern
    vendor_sign_in = "vendor_sign_in"
    password_reset = "password_reset"  # noqa: S105 - a purpose name, not a password


class EmailLink(SQLModel, table=True):
    __tablename__ = "email_link"
    __table_args__ = (sa.Index(None, "expires_at"),)  # retention

    id: uuid.UUID = uuid_pk()
    token_hash: str = Field(max_length=64, unique=True)
    purpose: LinkPurpose = Field(sa_type=str_enum(LinkPurpose, 24))
    email: str = Field(max_length=254)
    principal_id: uuid.UUID | None = None
    created_at: datetime = created_at_field()
    expires_at: datetime
    used_at: datetime | None = None
