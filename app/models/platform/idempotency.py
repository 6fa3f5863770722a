"""Platform tables: remembered answers to requests sent with an ``Idempotency-Key``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from app.models.base import SQLModel, created_at_field, uuid_pk


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to (caller, key): replayed for the same request within its lifetime.

    ``status`` is None while the first request is still being handled."""

    __tablename__ = "idempotency_record"
    __table_args__ = (
        sa.UniqueConstraint("principal", "key"),
        sa.Index(None, "expires_at"),
    )

    id: uuid.UUID = uuid_pk()
    principal: str = Field(max_length=120)  # "client:<client_id>" or "session:<hash>"
    key: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)  # sha256 of method, path, query and body
    status: int | None = None
    content_type: str | None = Field(default=None, max_length=100)
    location: str | None = Field(default=None, max_length=500)
    body: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    created_at: datetime = created_at_field()
    expires_at: datetime

    def headers(self) -> dict[str, Any]:
        found = {"content-type": self.content_type, "location": self.location}
        return {k: v for k, v in found.items() if v}
