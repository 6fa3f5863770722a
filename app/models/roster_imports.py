"""Roster imports: one row per OneRoster upload, its progress while it runs and its outcome.

The uploaded rows themselves are never stored here: only counts and the problem report
(file, line, column, message), which names SIS ids at most, never a name or an email.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, str_enum, uuid_pk


class ImportStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class ImportSource(StrEnum):
    api = "api"
    page = "page"
    cli = "cli"


class RosterImport(SQLModel, table=True):
    __tablename__ = "roster_import"
    __table_args__ = (sa.Index(None, "created_at"), sa.Index(None, "status", "heartbeat_at"))

    id: uuid.UUID = uuid_pk()
    source: ImportSource = Field(sa_type=str_enum(ImportSource, 8))
    file_name: str = Field(max_length=255)
    status: ImportStatus = Field(default=ImportStatus.queued, sa_type=str_enum(ImportStatus, 16))
    phase: str = Field(default="waiting", max_length=32)  # waiting, reading, writing, done
    rows_total: int = 0
    rows_done: int = 0
    # 1 while queued or running, NULL once finished: the unique index allows one import at a time.
    running_slot: int | None = Field(default=None, sa_column_kwargs={"unique": True})
    summary: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    problems: list[dict[str, Any]] | None = Field(default=None, sa_type=sa.JSON)
    problem_count: int = 0
    error: str | None = Field(default=None, max_length=500)
    created_by_type: str = Field(max_length=16)
    created_by_id: str | None = Field(default=None, max_length=64)
    created_by_label: str | None = Field(default=None, max_length=254)
    created_at: datetime = created_at_field()
    started_at: datetime | None = None
    heartbeat_at: datetime | None = None
    finished_at: datetime | None = None
