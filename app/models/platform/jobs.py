"""State of the periodic jobs the worker runs."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import created_at_field


class JobState(SQLModel, table=True):
    """When each periodic job last ran and is next due; a row is claimed by a conditional UPDATE."""

    __tablename__ = "job_state"

    name: str = Field(primary_key=True, max_length=64)
    next_run_at: datetime = created_at_field()
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=1000)
