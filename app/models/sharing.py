"""The disclosure log: every release of a student's data to a vendor (603 CMR 23.07(1): who
released what to whom, when and why). Rows are written once and never edited or deleted through
the product; a release the sharing check refused is kept only when the caller declares it
``unauthorized`` (then it is flagged, because it may be an incident)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, str_enum, uuid_pk


class SharingReason(StrEnum):
    """Why the answer is what it is (stable codes: integrations branch on them)."""

    allowed_dpa = "allowed_dpa"
    allowed_consent = "allowed_consent"
    unknown_vendor = "unknown_vendor"
    unknown_student = "unknown_student"
    student_unenrolled = "student_unenrolled"
    vendor_not_approved = "vendor_not_approved"
    no_executed_dpa = "no_executed_dpa"
    dpa_expired = "dpa_expired"
    elements_not_covered = "elements_not_covered"
    outside_scope = "outside_scope"
    consent_pending = "consent_pending"
    consent_refused = "consent_refused"
    consent_revoked = "consent_revoked"


class DisclosureBasis(StrEnum):
    dpa = "dpa"
    consent = "consent"


class Disclosure(SQLModel, table=True):
    __tablename__ = "disclosure"
    __table_args__ = (
        sa.Index(None, "student_id", "released_at"),  # a child's log, newest first
        sa.Index(None, "vendor_id", "released_at"),  # the per-vendor report
        sa.Index(None, "unauthorized", "released_at"),  # the flagged releases
    )

    id: uuid.UUID = uuid_pk()
    student_id: uuid.UUID = Field(foreign_key="student.id", ondelete="RESTRICT")
    vendor_id: uuid.UUID = Field(foreign_key="vendor.id", ondelete="RESTRICT")
    data_elements: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    purpose: str = Field(max_length=500)
    basis: DisclosureBasis | None = Field(default=None, sa_type=str_enum(DisclosureBasis, 16))
    reason: str = Field(max_length=32)  # the sharing check's reason code at released_at
    dpa_id: uuid.UUID | None = Field(default=None, foreign_key="dpa.id", ondelete="SET NULL")
    consent_request_id: uuid.UUID | None = Field(
        default=None, foreign_key="consent_request.id", ondelete="SET NULL"
    )
    released_at: datetime
    released_by: str = Field(max_length=200)  # the person or system that released it
    unauthorized: bool = False
    recorded_by: str = Field(max_length=200)  # who logged it in Steward (actor label)
    created_at: datetime = created_at_field()
