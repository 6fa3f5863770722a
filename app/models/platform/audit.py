"""The append-only, hash-chained audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index(None, "object_type", "object_id"),
        sa.Index(None, "actor_id"),
        sa.Index(None, "action"),
        sa.Index(None, "at"),
    )

    seq: int | None = Field(default=None, primary_key=True)  # the chain's order
    at: datetime = created_at_field()
    actor_type: str = Field(
        max_length=16
    )  # staff, guardian, requester, vendor, api_client, system, anonymous
    actor_id: str | None = Field(default=None, max_length=64)
    actor_label: str | None = Field(default=None, max_length=254)
    action: str = Field(max_length=64)  # e.g. "auth.sign_in", "dpa.execute"
    object_type: str | None = Field(default=None, max_length=40)
    object_id: str | None = Field(default=None, max_length=64)
    client_address: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    # The audit key that signed ``hash`` (HMAC-SHA-256); None only for events written before the
    # chain was keyed (plain SHA-256), which a keyed marker event seals (migration 0006).
    key_id: str | None = Field(default=None, max_length=16)


class AuditAnchor(SQLModel, table=True):
    """A signed checkpoint written before the events up to ``seq`` were purged (retention): the
    chain's verification starts from the newest anchor at the event before the oldest one left."""

    __tablename__ = "audit_anchor"

    seq: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))  # newest purged
    head: str = Field(max_length=64)  # that event's hash
    at: str = Field(max_length=40)  # ISO 8601, UTC, as signed
    key_id: str = Field(max_length=16)
    mac: str = Field(max_length=64)
    purged: int = 0  # how many events the purge removed
