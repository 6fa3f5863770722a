"""Audit log schemas: the search filter (pages, API, CSV) and the events as the API returns them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.models.schemas import MAX_OFFSET, SingleLine


class AuditFilter(BaseModel):
    """Search the audit log; empty values mean "any". Dates are days in the district's time zone."""

    actor: SingleLine | None = Field(
        default=None, max_length=254, description="Actor id (exact) or a part of the actor's label."
    )
    action: SingleLine | None = Field(default=None, max_length=64, description="Actions starting with this.")
    object_type: SingleLine | None = Field(default=None, max_length=40)
    object_id: SingleLine | None = Field(default=None, max_length=64)
    date_from: date | None = Field(default=None, description="From the start of this day (inclusive).")
    date_to: date | None = Field(default=None, description="To the end of this day (inclusive).")
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)

    @field_validator("actor", "action", "object_type", "object_id", "date_from", "date_to", mode="before")
    @classmethod
    def _empty_is_any(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    @model_validator(mode="after")
    def _ordered(self) -> AuditFilter:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        return self

    def query_args(self) -> dict[str, str]:
        """The filter (without paging) as query-string arguments, for links and the CSV export."""
        fields = ("actor", "action", "object_type", "object_id", "date_from", "date_to")
        return {f: str(getattr(self, f)) for f in fields if getattr(self, f) is not None}


class AuditEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor_type: str
    actor_id: str | None
    actor_label: str | None
    action: str
    object_type: SingleLine | None
    object_id: SingleLine | None
    client_address: str | None
    request_id: str | None
    details: dict[str, Any]
    hash: str


class AuditEventsPublic(BaseModel):
    data: list[AuditEventPublic]
    count: int
