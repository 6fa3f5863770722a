"""Consent requests: when a vendor will not sign a DPA, guardians decide (DPP §V and §VI).

A request names one vendor, a purpose, data elements and the privacy-policy version it asks
about, and a scope of schools and grades. Opening it gives every enrolled student in scope one
``ConsentResponse`` (``pending``); each guardian's answer is a ``ConsentAnswer`` row, never
edited, and the response's status is recomputed from the latest answer of every guardian with
educational rights: any refusal or revocation blocks, whatever came before.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import Timestamped, created_at_field, str_enum, uuid_pk


class ConsentRequestStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class ConsentStatus(StrEnum):
    """A student's consent for one request, and each guardian's answer."""

    pending = "pending"
    granted = "granted"
    refused = "refused"
    revoked = "revoked"


class AnswerRoute(StrEnum):
    online = "online"
    paper = "paper"
    phone = "phone"
    in_person = "in_person"


class ConsentRequest(Timestamped, table=True):
    __tablename__ = "consent_request"
    __table_args__ = (sa.Index(None, "status", "due_on"), sa.Index(None, "vendor_id"))

    id: uuid.UUID = uuid_pk()
    reference: str = Field(max_length=20, unique=True)  # C-2026-0003
    vendor_id: uuid.UUID = Field(foreign_key="vendor.id", ondelete="RESTRICT")
    purpose: str = Field(sa_type=sa.Text)  # in plain words, as the email says it
    data_elements: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    schools: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    grades: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    policy_document_id: uuid.UUID | None = Field(default=None, foreign_key="document.id", ondelete="SET NULL")
    policy_sha256: str | None = Field(default=None, max_length=64)  # the version parents were given
    policy_url: str | None = Field(default=None, max_length=500)
    status: ConsentRequestStatus = Field(
        default=ConsentRequestStatus.draft, sa_type=str_enum(ConsentRequestStatus, 16)
    )
    opens_on: date | None = None
    due_on: date
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    follows_id: uuid.UUID | None = Field(default=None, foreign_key="consent_request.id", ondelete="SET NULL")
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")


class ConsentResponse(SQLModel, table=True):
    """One student's consent for one request: the aggregate of their guardians' answers."""

    __tablename__ = "consent_response"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "student_id"),
        sa.Index(None, "request_id", "status"),
        sa.Index(None, "student_id"),
    )

    id: uuid.UUID = uuid_pk()
    request_id: uuid.UUID = Field(foreign_key="consent_request.id", ondelete="CASCADE")
    student_id: uuid.UUID = Field(foreign_key="student.id", ondelete="CASCADE")
    status: ConsentStatus = Field(default=ConsentStatus.pending, sa_type=str_enum(ConsentStatus, 16))
    decided_at: datetime | None = None  # when the status last changed
    created_at: datetime = created_at_field()


class ConsentAnswer(SQLModel, table=True):
    """One guardian's answer for one student, as given (append-only)."""

    __tablename__ = "consent_answer"
    __table_args__ = (sa.Index(None, "response_id", "guardian_id", "answered_at"),)

    id: uuid.UUID = uuid_pk()
    response_id: uuid.UUID = Field(foreign_key="consent_response.id", ondelete="CASCADE")
    guardian_id: uuid.UUID = Field(foreign_key="guardian.id", ondelete="CASCADE")
    answer: ConsentStatus = Field(sa_type=str_enum(ConsentStatus, 16))  # granted, refused or revoked
    route: AnswerRoute = Field(sa_type=str_enum(AnswerRoute, 16))
    received_on: date | None = None  # paper, phone, in person: the day the district got it
    recorded_by_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    document_id: uuid.UUID | None = Field(default=None, foreign_key="document.id", ondelete="SET NULL")
    policy_sha256: str | None = Field(default=None, max_length=64)  # the policy version given
    note: str | None = Field(default=None, max_length=1000)
    answered_at: datetime = created_at_field()
