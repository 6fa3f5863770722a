"""The offboarding checklist a termination opens for the Data Privacy Team (WISP §V)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, str_enum, uuid_pk


class OffboardingTask(StrEnum):
    records_returned = "records_returned"
    devices_surrendered = "devices_surrendered"
    keys_surrendered = "keys_surrendered"
    remote_access_disabled = "remote_access_disabled"
    email_disabled = "email_disabled"


OPEN_CHECKLIST = sa.text("closed_at IS NULL")


class OffboardingChecklist(SQLModel, table=True):
    """One per termination: a rehire followed by another termination opens a new one."""

    __tablename__ = "offboarding_checklist"
    __table_args__ = (
        sa.Index(
            "ix_offboarding_checklist_open_due",
            "due_at",
            sqlite_where=OPEN_CHECKLIST,
            postgresql_where=OPEN_CHECKLIST,
        ),
    )

    id: uuid.UUID = uuid_pk()
    employee_id: uuid.UUID = Field(foreign_key="employee.id", index=True)
    opened_at: datetime
    due_at: datetime
    closed_at: datetime | None = None
    reminded_at: datetime | None = None  # the one reminder to the team, when overdue
    escalated_at: datetime | None = None  # the one escalation to every privacy administrator


class OffboardingItem(SQLModel, table=True):
    __tablename__ = "offboarding_item"
    __table_args__ = (sa.UniqueConstraint("checklist_id", "task"),)

    id: uuid.UUID = uuid_pk()
    checklist_id: uuid.UUID = Field(foreign_key="offboarding_checklist.id", index=True, ondelete="CASCADE")
    task: OffboardingTask = Field(sa_type=str_enum(OffboardingTask, 32))
    done_at: datetime | None = None  # ticked, or marked not applicable
    done_by: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    not_applicable_reason: str | None = Field(default=None, max_length=500)


# --- The WISP's yearly duties (WISP §V): acknowledgment, training, the annual review ---------


class ReviewTrigger(StrEnum):
    annual = "annual"
    material_change = "material_change"


class WispVersion(SQLModel, table=True):
    """One version of the WISP as a PDF; the current one is the latest in effect today."""

    __tablename__ = "wisp_version"
    __table_args__ = (sa.Index(None, "effective_on", "created_at"),)

    id: uuid.UUID = uuid_pk()
    label: str = Field(max_length=100)
    effective_on: date
    document_id: uuid.UUID = Field(foreign_key="document.id", ondelete="RESTRICT")
    sha256: str = Field(max_length=64)  # of the PDF everyone signs for
    created_by: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class Duty(SQLModel):
    """What a person owes (an acknowledgment, a certification): due, signed, reminded once each."""

    due_on: date
    signed_at: datetime | None = None
    typed_name: str | None = Field(default=None, max_length=200)  # the electronic signature
    client_address: str | None = Field(default=None, max_length=64)
    session_id: uuid.UUID | None = None  # the browser session that signed
    reminded_at: datetime | None = None  # 7 days before due, to the person
    due_reminded_at: datetime | None = None  # on the due date, to the person
    escalated_at: datetime | None = None  # overdue, to the team


UNSIGNED = sa.text("signed_at IS NULL")


class WispAcknowledgment(Duty, table=True):
    """One per person per version: owed from a new version or a hire, signed on /staff/wisp."""

    __tablename__ = "wisp_acknowledgment"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "employee_id"),
        sa.Index(None, "employee_id", "signed_at"),
        sa.Index(
            "ix_wisp_acknowledgment_unsigned_due",
            "version_id",
            "due_on",
            sqlite_where=UNSIGNED,
            postgresql_where=UNSIGNED,
        ),
    )

    id: uuid.UUID = uuid_pk()
    version_id: uuid.UUID = Field(foreign_key="wisp_version.id", ondelete="CASCADE")
    employee_id: uuid.UUID = Field(foreign_key="employee.id", ondelete="CASCADE")
    sha256: str | None = Field(default=None, max_length=64)  # of the version signed for


class TrainingCampaign(SQLModel, table=True):
    """The annual training of one school year (``2026-27``) and who must attend it."""

    __tablename__ = "training_campaign"
    __table_args__ = (sa.Index(None, "school_year", "opens_on"),)

    id: uuid.UUID = uuid_pk()
    school_year: str = Field(max_length=7)
    title: str = Field(max_length=200)
    materials_url: str | None = Field(default=None, max_length=500)
    document_id: uuid.UUID | None = Field(default=None, foreign_key="document.id", ondelete="RESTRICT")
    opens_on: date
    due_on: date
    employee_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # empty: every type
    departments: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # empty: every department
    created_by: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class TrainingSession(SQLModel, table=True):
    """A session held in person, recorded by the team for many people with the sign-in sheet."""

    __tablename__ = "training_session"

    id: uuid.UUID = uuid_pk()
    campaign_id: uuid.UUID = Field(foreign_key="training_campaign.id", index=True, ondelete="CASCADE")
    held_on: date
    document_id: uuid.UUID = Field(foreign_key="document.id", ondelete="RESTRICT")
    recorded_by: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class TrainingCertification(Duty, table=True):
    """One per person per campaign: attendance and familiarity certified (or recorded in person)."""

    __tablename__ = "training_certification"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "employee_id"),
        sa.Index(None, "employee_id", "signed_at"),
        sa.Index(
            "ix_training_certification_unsigned_due",
            "due_on",
            sqlite_where=UNSIGNED,
            postgresql_where=UNSIGNED,
        ),
    )

    id: uuid.UUID = uuid_pk()
    campaign_id: uuid.UUID = Field(foreign_key="training_campaign.id", ondelete="CASCADE")
    employee_id: uuid.UUID = Field(foreign_key="employee.id", ondelete="CASCADE")
    in_person_session_id: uuid.UUID | None = Field(
        default=None, foreign_key="training_session.id", index=True, ondelete="SET NULL"
    )


class WispReview(SQLModel, table=True):
    """A review of the WISP (at least annually, and whenever practice changes materially)."""

    __tablename__ = "wisp_review"
    __table_args__ = (sa.Index(None, "held_on"),)

    id: uuid.UUID = uuid_pk()
    held_on: date
    reviewers: str = Field(max_length=1000)
    trigger: ReviewTrigger = Field(sa_type=str_enum(ReviewTrigger, 24))
    what_changed: str | None = Field(default=None, max_length=4000)  # for a material change
    findings: str = Field(max_length=8000)
    presented_on: date | None = None  # to the School Committee
    next_due_on: date  # 12 months after it is held
    reminded_at: datetime | None = None  # 30 days before the next review is due
    overdue_at: datetime | None = None  # the next review is overdue
    created_by: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class WispRecommendation(SQLModel, table=True):
    __tablename__ = "wisp_recommendation"

    id: uuid.UUID = uuid_pk()
    review_id: uuid.UUID = Field(foreign_key="wisp_review.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=2000)
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    due_on: date | None = None
