"""Disputes about a child's data, answered against the district's three-week clock (DPP §VII)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, col

from app.models.base import Timestamped, created_at_field, str_enum, uuid_pk


class DisputeStatus(StrEnum):
    received = "received"
    in_review = "in_review"
    responded = "responded"
    closed = "closed"
    withdrawn = "withdrawn"


OPEN_DISPUTE_STATUSES = (DisputeStatus.received, DisputeStatus.in_review)
OPEN_STATUSES_SQL = "status IN ('received', 'in_review')"  # the queue index's condition


class DisputeCategory(StrEnum):
    inaccurate_record = "inaccurate_record"
    unauthorized_disclosure = "unauthorized_disclosure"
    vendor_use = "vendor_use"
    consent = "consent"
    access_to_record = "access_to_record"
    deletion = "deletion"
    other = "other"


class ClockState(StrEnum):
    """Where a dispute stands against its clock (computed by ``services.disputes.clock``)."""

    on_track = "on_track"
    due_7d = "due_7d"  # due within 7 days
    due_2d = "due_2d"  # due within 2 days
    overdue = "overdue"
    stopped = "stopped"  # answered, closed or withdrawn


# The longest clock each category may run, in days (DPP §VII: three weeks; 603 CMR 23.07(2): a
# request to see the record within 10 days). Settings may shorten a clock, never lengthen it.
CLOCK_CEILING_DAYS: dict[str, int] = {category.value: 21 for category in DisputeCategory} | {
    DisputeCategory.access_to_record.value: 10
}


class WaitingOn(StrEnum):
    """Whose move it is on a dispute: the team after a filing or a requester's reply, the
    requester after a message to them, nobody once it is answered, closed or withdrawn."""

    team = "team"
    requester = "requester"
    nobody = "nobody"


class MessageKind(StrEnum):
    to_requester = "to_requester"
    from_requester = "from_requester"
    internal_note = "internal_note"


class Dispute(Timestamped, table=True):
    __tablename__ = "dispute"
    __table_args__ = (
        # Open disputes in due order: the queue reads a page without sorting them all, the
        # reminder job and the dashboard read only open rows. Queries must name the open
        # statuses literally (``open_dispute``) for a planner to match the condition.
        sa.Index(
            "ix_dispute_open_due",
            "due_at",
            "reference",
            sqlite_where=sa.text(OPEN_STATUSES_SQL),
            postgresql_where=sa.text(OPEN_STATUSES_SQL),
        ),
        sa.Index(None, "assignee_id", "status"),
        sa.Index(None, "requester_email"),
        sa.Index(None, "received_at"),
        # Retention: closed and withdrawn disputes by date (no status prefix, so the queue's
        # planner keeps to the open-dispute index).
        sa.Index(None, "closed_at"),
        sa.Index(None, "withdrawn_at"),
        # The views: "Waiting on us" and the last-activity sort read open disputes only.
        sa.Index(
            "ix_dispute_open_waiting",
            "waiting_on",
            "last_activity_at",
            sqlite_where=sa.text(OPEN_STATUSES_SQL),
            postgresql_where=sa.text(OPEN_STATUSES_SQL),
        ),
        sa.Index(
            "ix_dispute_open_activity",
            "last_activity_at",
            sqlite_where=sa.text(OPEN_STATUSES_SQL),
            postgresql_where=sa.text(OPEN_STATUSES_SQL),
        ),
    )

    id: uuid.UUID = uuid_pk()
    reference: str = Field(max_length=20, unique=True)  # D-2026-0042
    requester_name: str = Field(max_length=200)
    requester_email: str = Field(max_length=254)  # verified by an emailed link, or entered by staff
    requester_relation: str = Field(max_length=60)
    guardian_id: uuid.UUID | None = Field(default=None, foreign_key="guardian.id", ondelete="SET NULL")
    student_id: uuid.UUID | None = Field(default=None, foreign_key="student.id", ondelete="SET NULL")
    student_description: str | None = Field(default=None, max_length=200)  # free text (non-guardians)
    category: DisputeCategory = Field(sa_type=str_enum(DisputeCategory, 32))
    description: str = Field(sa_type=sa.Text)
    language: str = Field(default="en", max_length=16)
    channel: str = Field(default="online", max_length=16)  # online, paper, email, phone, in_person
    received_at: datetime
    due_at: datetime
    status: DisputeStatus = Field(default=DisputeStatus.received, sa_type=str_enum(DisputeStatus, 16))
    assignee_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    response_text: str | None = Field(default=None, sa_type=sa.Text)
    decision: str | None = Field(default=None, max_length=40)
    responded_at: datetime | None = None
    sla_met: bool | None = None
    closed_at: datetime | None = None
    withdrawn_at: datetime | None = None
    attachment_id: uuid.UUID | None = Field(default=None, foreign_key="document.id", ondelete="SET NULL")
    # Reminder thresholds already handled (set by a conditional UPDATE: exactly once each).
    reminded_7d_at: datetime | None = None
    reminded_2d_at: datetime | None = None
    overdue_notified_at: datetime | None = None
    # The workspace: the last thing that happened, whose move it is, and when the current burst
    # of requester replies was emailed to the team (cleared when the team answers: once per burst).
    last_activity_at: datetime | None = None
    waiting_on: WaitingOn = Field(default=WaitingOn.team, sa_type=str_enum(WaitingOn, 16))
    reply_notified_at: datetime | None = None


def open_dispute() -> sa.ColumnElement[bool]:
    """``dispute.status IN ('received', 'in_review')`` with the values written into the SQL, not
    bound: a planner matches the partial index ``ix_dispute_open_due`` only against literals."""
    values = [status.value for status in OPEN_DISPUTE_STATUSES]
    literal_values: sa.BindParameter[list[str]] = sa.bindparam(
        "open_statuses", values, expanding=True, literal_execute=True
    )
    return col(Dispute.status).in_(literal_values)


class DisputeMessage(SQLModel, table=True):
    __tablename__ = "dispute_message"
    __table_args__ = (sa.Index(None, "dispute_id", "created_at"),)

    id: uuid.UUID = uuid_pk()
    dispute_id: uuid.UUID = Field(foreign_key="dispute.id", ondelete="CASCADE")
    kind: MessageKind = Field(sa_type=str_enum(MessageKind, 16))
    body: str = Field(sa_type=sa.Text)
    author_type: str = Field(max_length=16)
    author_id: str | None = Field(default=None, max_length=64)
    author_label: str | None = Field(default=None, max_length=254)
    created_at: datetime = created_at_field()


class DisputeResponseDocument(SQLModel, table=True):
    """A document the team attached to its answer (e.g. the record a parent asked to see, 603 CMR
    23.07(2)); the requester downloads it from their concern page."""

    __tablename__ = "dispute_response_document"
    __table_args__ = (sa.Index(None, "dispute_id", "created_at"),)

    id: uuid.UUID = uuid_pk()
    dispute_id: uuid.UUID = Field(foreign_key="dispute.id", ondelete="CASCADE")
    document_id: uuid.UUID = Field(foreign_key="document.id", unique=True, ondelete="CASCADE")
    created_at: datetime = created_at_field()


class ReferenceCounter(SQLModel, table=True):
    """Per-prefix, per-year counters for public references (D-2026-0042, INC-2026-0007)."""

    __tablename__ = "reference_counter"

    prefix: str = Field(primary_key=True, max_length=8)
    year: int = Field(primary_key=True)
    last_value: int = 0


class CalendarFeed(SQLModel, table=True):
    """A team member's private iCalendar feed of open disputes; the URL holds a secret token."""

    __tablename__ = "calendar_feed"

    id: uuid.UUID = uuid_pk()
    employee_id: uuid.UUID = Field(foreign_key="employee.id", unique=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()


class SavedReply(Timestamped, table=True):
    """A snippet the team inserts into a message or an answer: per category (or any) and language."""

    __tablename__ = "saved_reply"
    __table_args__ = (sa.Index(None, "language", "category", "title"),)

    id: uuid.UUID = uuid_pk()
    title: str = Field(max_length=120)
    body: str = Field(sa_type=sa.Text)
    category: DisputeCategory | None = Field(default=None, sa_type=str_enum(DisputeCategory, 32))
    language: str = Field(default="en", max_length=16)
    created_by: str | None = Field(default=None, max_length=254)
