"""Every email Steward sends is first a row here, written with the change that causes it."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, str_enum, uuid_pk


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"  # claimed by a worker; never re-sent automatically
    sent = "sent"
    failed = "failed"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    # The delivery job's query: pending rows whose next attempt is due.
    __table_args__ = (sa.Index(None, "status", "next_attempt_at"), sa.Index(None, "sent_at"))

    id: uuid.UUID = uuid_pk()
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_type=sa.Text)
    body_html: str | None = Field(default=None, sa_type=sa.Text)
    language: str = Field(default="en", max_length=16)
    status: OutboxStatus = Field(default=OutboxStatus.pending, sa_type=str_enum(OutboxStatus, 16))
    attempts: int = 0
    interruptions: int = 0  # times a worker died while sending it (retried once, then failed)
    next_attempt_at: datetime = created_at_field()
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=1000)
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = created_at_field()
