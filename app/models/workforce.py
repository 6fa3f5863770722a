"""The offboarding checklist a termination opens for the Data Privacy Team (WISP §V)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import str_enum, uuid_pk


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
