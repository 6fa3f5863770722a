"""The compliance summary over the API (``GET /api/v1/compliance/summary``)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field


class SharePublic(BaseModel):
    label: str
    total: int = Field(description="People counted")
    done: int = Field(description="Of whom signed (or certified)")
    percent: int = Field(ge=0, le=100)


class BreakdownPublic(BaseModel):
    overall: SharePublic
    by_department: list[SharePublic]
    by_employee_type: list[SharePublic]


class WispVersionPublic(BaseModel):
    id: uuid.UUID
    label: str
    effective_on: date
    sha256: str


class OverduePublic(BaseModel):
    employee_id: uuid.UUID
    name: str
    email: str
    department: str
    employee_type: str
    duty: str
    due_on: date
    days_overdue: int


class ReviewClockPublic(BaseModel):
    last_held_on: date | None
    next_due_on: date | None
    days_left: int | None = Field(description="Negative when overdue; null when no review was ever held")
    overdue: bool


class FigurePublic(BaseModel):
    key: str
    label: str
    value: int


class ComplianceSummary(BaseModel):
    as_of: date
    school_year: str = Field(examples=["2026-27"])
    wisp_version: WispVersionPublic | None
    acknowledged: BreakdownPublic | None = Field(description="Null when no WISP version is in effect")
    trained: BreakdownPublic
    overdue: list[OverduePublic]
    review: ReviewClockPublic
    figures: list[FigurePublic]
