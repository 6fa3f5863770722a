"""Security incidents and Massachusetts breach notices (WISP §VIII, M.G.L. c. 93H)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import Timestamped, created_at_field, str_enum, uuid_pk


class Element(StrEnum):
    """The M.G.L. c. 93H §1 data elements that, with a resident's name, are personal information."""

    ssn = "ssn"
    license_or_state_id = "license_or_state_id"
    financial_account = "financial_account"


class IncidentStatus(StrEnum):
    reported = "reported"
    triage = "triage"
    investigating = "investigating"
    contained = "contained"
    notifying = "notifying"
    review = "review"
    closed = "closed"


class IncidentSeverity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class ReporterType(StrEnum):
    staff = "staff"
    vendor = "vendor"
    api_client = "api_client"


class EventKind(StrEnum):
    reported = "reported"
    status = "status"
    note = "note"
    severity = "severity"
    owner = "owner"
    attachment = "attachment"
    assessment = "assessment"
    decision = "decision"
    notice = "notice"
    review = "review"
    clock = "clock"


class NoticeKind(StrEnum):
    regulator = "regulator"  # the Attorney General and OCABR, M.G.L. c. 93H §3(b)
    resident = "resident"  # each affected Massachusetts resident


class NoticeMethod(StrEnum):
    mail = "mail"
    email = "email"
    portal = "portal"  # the OCABR online form
    hand = "hand"


# The notice clock is running while this holds (the reminder job's index condition).
CLOCK_RUNNING_SQL = "notice_clock_stopped_at IS NULL"


class Incident(Timestamped, table=True):
    __tablename__ = "incident"
    __table_args__ = (
        sa.Index(
            "ix_incident_notice_due",
            "notice_due_at",
            sqlite_where=sa.text(CLOCK_RUNNING_SQL),
            postgresql_where=sa.text(CLOCK_RUNNING_SQL),
        ),
        sa.Index(None, "status", "discovered_at"),
        sa.Index(None, "reporter_type", "reporter_id"),
        sa.Index(None, "owner_id"),
        sa.Index(None, "vendor_id"),
        sa.Index(None, "closed_at"),  # retention
    )

    id: uuid.UUID = uuid_pk()
    reference: str = Field(max_length=20, unique=True)  # INC-2026-0007
    title: str = Field(max_length=200)
    description: str = Field(sa_type=sa.Text)
    systems: str | None = Field(default=None, max_length=500)
    student_data: bool = False
    staff_data: bool = False
    discovered_at: datetime
    reported_at: datetime
    reporter_type: ReporterType = Field(sa_type=str_enum(ReporterType, 16))
    reporter_id: str | None = Field(default=None, max_length=64)
    reporter_label: str = Field(max_length=254)
    reporter_email: str | None = Field(default=None, max_length=254)
    vendor_id: uuid.UUID | None = Field(default=None, foreign_key="vendor.id", ondelete="SET NULL")
    dpa_id: uuid.UUID | None = Field(default=None, foreign_key="dpa.id", ondelete="SET NULL")
    status: IncidentStatus = Field(default=IncidentStatus.reported, sa_type=str_enum(IncidentStatus, 16))
    severity: IncidentSeverity | None = Field(default=None, sa_type=str_enum(IncidentSeverity, 16))
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    closed_at: datetime | None = None
    close_reason: str | None = Field(default=None, sa_type=sa.Text)
    # The 93H assessment: the facts (JSON, see services.incidents.breach_rules.Facts), what the
    # rules said, and what the team decided (None until it confirms or overrides).
    assessment: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    assessed_at: datetime | None = None
    rules_say_notice: bool | None = None
    notice_required: bool | None = None
    decision_reason: str | None = Field(default=None, sa_type=sa.Text)
    decided_at: datetime | None = None
    decided_by_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    # The notice clock ("as soon as practicable and without unreasonable delay", 93H §3).
    notice_due_at: datetime
    law_enforcement_delay_until: date | None = None
    notice_clock_stopped_at: datetime | None = None
    notice_reminded_at: datetime | None = None
    notice_escalated_at: datetime | None = None


class IncidentEvent(SQLModel, table=True):
    """One line of the timeline, in words. ``internal`` lines are never shown to the reporter."""

    __tablename__ = "incident_event"
    __table_args__ = (sa.Index(None, "incident_id", "at"),)

    id: uuid.UUID = uuid_pk()
    incident_id: uuid.UUID = Field(foreign_key="incident.id", ondelete="CASCADE")
    at: datetime = created_at_field()
    kind: EventKind = Field(sa_type=str_enum(EventKind, 16))
    text: str = Field(sa_type=sa.Text)
    internal: bool = True
    actor_label: str | None = Field(default=None, max_length=254)


class IncidentAttachment(SQLModel, table=True):
    __tablename__ = "incident_attachment"
    __table_args__ = (sa.Index(None, "incident_id"),)

    id: uuid.UUID = uuid_pk()
    incident_id: uuid.UUID = Field(foreign_key="incident.id", ondelete="CASCADE")
    document_id: uuid.UUID = Field(foreign_key="document.id", ondelete="CASCADE")
    created_at: datetime = created_at_field()


class IncidentNotice(Timestamped, table=True):
    """A notice's content (JSON, per kind), when its letter was generated and when it was sent."""

    __tablename__ = "incident_notice"
    __table_args__ = (sa.UniqueConstraint("incident_id", "kind"),)

    id: uuid.UUID = uuid_pk()
    incident_id: uuid.UUID = Field(foreign_key="incident.id", ondelete="CASCADE")
    kind: NoticeKind = Field(sa_type=str_enum(NoticeKind, 16))
    content: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    generated_at: datetime | None = None
    sent_on: date | None = None
    sent_method: NoticeMethod | None = Field(default=None, sa_type=str_enum(NoticeMethod, 16))
    sent_recorded_at: datetime | None = None


class IncidentReview(Timestamped, table=True):
    """The post-incident review WISP §IV requires of every incident that needed notice."""

    __tablename__ = "incident_review"

    id: uuid.UUID = uuid_pk()
    incident_id: uuid.UUID = Field(foreign_key="incident.id", unique=True, ondelete="CASCADE")
    held_on: date | None = None
    attendees: str | None = Field(default=None, sa_type=sa.Text)
    findings: str | None = Field(default=None, sa_type=sa.Text)
    changes: str | None = Field(default=None, sa_type=sa.Text)
    # [{"action": str, "owner": str, "due_on": "YYYY-MM-DD"}]
    actions: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)


class RecipientSource(StrEnum):
    student = "student"  # a guardian with educational rights of an affected student
    staff = "staff"
    csv = "csv"


class IncidentRecipient(SQLModel, table=True):
    """One addressee of the resident notice, in their language (guardians for students)."""

    __tablename__ = "incident_recipient"
    __table_args__ = (sa.UniqueConstraint("incident_id", "dedupe"), sa.Index(None, "incident_id", "name"))

    id: uuid.UUID = uuid_pk()
    incident_id: uuid.UUID = Field(foreign_key="incident.id", ondelete="CASCADE")
    source: RecipientSource = Field(sa_type=str_enum(RecipientSource, 16))
    student_id: uuid.UUID | None = Field(default=None, foreign_key="student.id", ondelete="SET NULL")
    guardian_id: uuid.UUID | None = Field(default=None, foreign_key="guardian.id", ondelete="SET NULL")
    employee_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    postal_address: str | None = Field(default=None, max_length=500)
    language: str = Field(default="en", max_length=16)
    dedupe: str = Field(max_length=300)  # who this is, so adding them twice adds one row
    emailed_at: datetime | None = None
    created_at: datetime = created_at_field()
