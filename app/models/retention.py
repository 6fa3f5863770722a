"""Retention (WISP §V, DPP §III): legal holds, purge runs and their tombstones, vendors'
certificates of disposal, and the register of the district's own retention duties."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, str_enum, uuid_pk


class HoldSubject(StrEnum):
    dispute = "dispute"
    incident = "incident"
    student = "student"


ACTIVE_HOLD = sa.text("released_at IS NULL")


class RetentionHold(SQLModel, table=True):
    """A legal hold: while active (not released, ``until`` not past), every purge skips the subject."""

    __tablename__ = "retention_hold"
    __table_args__ = (
        sa.Index(
            "ix_retention_hold_active",
            "subject_type",
            "subject_id",
            sqlite_where=ACTIVE_HOLD,
            postgresql_where=ACTIVE_HOLD,
        ),
    )

    id: uuid.UUID = uuid_pk()
    subject_type: HoldSubject = Field(sa_type=str_enum(HoldSubject, 16))
    subject_id: uuid.UUID
    subject_label: str = Field(max_length=200)  # a reference or a name, for the list
    reason: str = Field(max_length=1000)
    until: date | None = None  # the last day it holds; None: until released
    placed_by_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    placed_at: datetime = created_at_field()
    released_at: datetime | None = None
    released_by_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")


class RunStatus(StrEnum):
    running = "running"
    finished = "finished"
    failed = "failed"


class RetentionRun(SQLModel, table=True):
    """One purge run. ``progress`` holds, per record type, what was due, purged and held and
    whether the type is done, and is committed with every batch: a killed run resumes from it."""

    __tablename__ = "retention_run"
    __table_args__ = (sa.Index(None, "status", "started_at"),)

    id: uuid.UUID = uuid_pk()
    started_at: datetime = created_at_field()
    finished_at: datetime | None = None
    heartbeat_at: datetime = created_at_field()
    status: RunStatus = Field(default=RunStatus.running, sa_type=str_enum(RunStatus, 16))
    dry_run: bool = False
    trigger: str = Field(default="job", max_length=16)  # job or cli
    today: date  # the district day the periods were counted to
    progress: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    error: str | None = Field(default=None, max_length=1000)


class RetentionTombstone(SQLModel, table=True):
    """What is left of a purged dispute or incident: reference, dates and outcome, no personal data."""

    __tablename__ = "retention_tombstone"
    __table_args__ = (sa.UniqueConstraint("record_type", "reference"), sa.Index(None, "purged_at"))

    id: uuid.UUID = uuid_pk()
    record_type: str = Field(max_length=32)
    reference: str = Field(max_length=40)
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = Field(default=None, max_length=60)
    purged_at: datetime
    run_id: uuid.UUID | None = Field(default=None, foreign_key="retention_run.id", ondelete="SET NULL")


class DisposalState(StrEnum):
    awaiting = "awaiting"  # asked; no certificate yet
    certified = "certified"  # a certificate of disposal was uploaded
    returned = "returned"  # the vendor declared the data returned to the district


AWAITING_DISPOSAL = sa.text("state = 'awaiting'")


class DisposalRequest(SQLModel, table=True):
    """The district's request for proof of disposal when an agreement ends (one per agreement)."""

    __tablename__ = "disposal_request"
    __table_args__ = (
        sa.Index(
            "ix_disposal_request_awaiting_due",
            "due_on",
            sqlite_where=AWAITING_DISPOSAL,
            postgresql_where=AWAITING_DISPOSAL,
        ),
        sa.Index(None, "vendor_id"),
    )

    id: uuid.UUID = uuid_pk()
    dpa_id: uuid.UUID = Field(foreign_key="dpa.id", unique=True, ondelete="CASCADE")
    vendor_id: uuid.UUID = Field(foreign_key="vendor.id", ondelete="CASCADE")
    ended_on: date  # the district day the agreement expired or was terminated
    due_on: date  # the last day of the disposition window
    state: DisposalState = Field(default=DisposalState.awaiting, sa_type=str_enum(DisposalState, 16))
    created_at: datetime = created_at_field()
    requested_at: datetime | None = None  # the request email (claimed once)
    reminded_at: datetime | None = None  # the one reminder before the window closes
    escalated_at: datetime | None = None  # the one escalation to the team after it closed
    certificate_document_id: uuid.UUID | None = Field(
        default=None, foreign_key="document.id", ondelete="SET NULL"
    )
    answered_at: datetime | None = None
    answered_by: str | None = Field(default=None, max_length=254)  # the contact's name and email
    note: str | None = Field(default=None, max_length=1000)


class DisposalMethod(StrEnum):
    """How a record was destroyed (WISP §VII, M.G.L. c. 93I §2)."""

    shred = "shred"
    wipe = "wipe"
    overwrite = "overwrite"
    burn = "burn"
    pulverize = "pulverize"
    redact = "redact"


class RetentionDuty(SQLModel, table=True):
    """A retention duty the district carries out in its own systems (DPP §III): Steward keeps the proof."""

    __tablename__ = "retention_duty"
    __table_args__ = (sa.Index(None, "next_due_on"),)

    id: uuid.UUID = uuid_pk()
    name: str = Field(max_length=200, unique=True)
    records: str = Field(max_length=500)  # what is purged
    period_days: int  # how long records are kept; an attestation is due this often
    owner: str = Field(max_length=200)  # who does it (a role or a person)
    basis: str = Field(max_length=300)  # the policy or rule it follows
    next_due_on: date  # when the next attestation is due
    reminded_due_on: date | None = None  # the due date the one reminder was sent for
    created_at: datetime = created_at_field()


class DutyAttestation(SQLModel, table=True):
    """One periodic purge done elsewhere, attested: who did it, when, and how."""

    __tablename__ = "duty_attestation"
    __table_args__ = (sa.Index(None, "duty_id", "performed_on"),)

    id: uuid.UUID = uuid_pk()
    duty_id: uuid.UUID = Field(foreign_key="retention_duty.id", ondelete="CASCADE")
    performed_on: date
    performed_by: str = Field(max_length=200)
    method: DisposalMethod = Field(sa_type=str_enum(DisposalMethod, 16))
    note: str | None = Field(default=None, max_length=1000)
    recorded_by_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    recorded_at: datetime = created_at_field()


# Days each record type is kept past the date its clock starts (see services.retention.schedule
# and README "Retention"); settings may change them (``STEWARD_RETENTION_DAYS``), never below
# the minimum.
SEVEN_YEARS = 2557  # 7 * 365 + 2 leap days: never a day short of seven calendar years
RETENTION_DEFAULT_DAYS: dict[str, int] = {
    "dispute": 3 * 365 + 1,
    "incident": SEVEN_YEARS,
    "consent_response": SEVEN_YEARS,
    "disclosure": SEVEN_YEARS,
    "outbox_body": 90,
    "email_link": 1,
    "user_session": 90,
    "agreement_document": SEVEN_YEARS,
    "audit_event": SEVEN_YEARS,
}
RETENTION_MINIMUM_DAYS: dict[str, int] = {key: 1 for key in RETENTION_DEFAULT_DAYS} | {
    "disclosure": SEVEN_YEARS,  # 603 CMR 23.07(1) with 23.06(3)
    "audit_event": SEVEN_YEARS,  # the access log and 93H evidence it holds
    "outbox_body": 7,  # a delivery problem is looked into within a week
}
