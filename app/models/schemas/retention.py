"""Forms of the retention pages: a legal hold, a duty of the district's register, an attestation,
and a vendor's declaration that the district's data was returned."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.models.retention import DisposalMethod, HoldSubject
from app.models.schemas import SingleLine, TextBlock


class _Form(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class HoldCreate(_Form):
    subject_type: HoldSubject
    # A dispute's or incident's reference (D-2026-0042, INC-2026-0007), or a student's SIS id.
    subject: SingleLine = Field(min_length=1, max_length=64)
    reason: TextBlock = Field(min_length=1, max_length=1000)
    until: date | None = None


class DutyCreate(_Form):
    name: SingleLine = Field(min_length=1, max_length=200)
    records: SingleLine = Field(min_length=1, max_length=500)
    period_days: int = Field(ge=1, le=3660)
    owner: SingleLine = Field(min_length=1, max_length=200)
    basis: SingleLine = Field(min_length=1, max_length=300)


class AttestationCreate(_Form):
    performed_on: date
    performed_by: SingleLine = Field(min_length=1, max_length=200)
    method: DisposalMethod
    note: TextBlock | None = Field(default=None, max_length=1000)


class DataReturned(_Form):
    note: TextBlock = Field(min_length=1, max_length=1000)
