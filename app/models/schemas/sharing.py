"""Sharing check and disclosure log shapes: what the SIS asks and logs, what the API answers."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from app.models.schemas import SingleLine, required_text
from app.models.schemas.vendors.vendors import DataElements
from app.models.sharing import DisclosureBasis, SharingReason

MAX_ANSWERS = 10_000
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _split_commas(value: Any) -> Any:
    """``data_elements=a,b`` in a query string, or a list (of which any item may hold commas)."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        return value
    out: list[Any] = []
    for item in items:
        out.extend(p.strip() for p in item.split(",") if p.strip()) if isinstance(item, str) else out.append(
            item
        )
    return out


def _single_line(label: str, maximum: int) -> AfterValidator:
    def check(value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("missing_text", "{label} is required.", {"label": label})
        if len(value) > maximum or CONTROL.search(value):
            raise PydanticCustomError(
                "bad_text",
                "{label}: one line, at most {maximum} characters.",
                {"label": label, "maximum": maximum},
            )
        return value

    return AfterValidator(check)


def _plausible(value: datetime) -> datetime:
    """A release time within the record-keeping era (also keeps time-zone arithmetic in range)."""
    if not datetime(1990, 1, 1) <= value.replace(tzinfo=None) <= datetime(2200, 1, 1):
        raise PydanticCustomError("released_at", "Enter the date and time the data was sent.")
    return value


Elements = Annotated[DataElements, BeforeValidator(_split_commas)]
ReleasedAt = AwareDatetime  # the era is checked by the service (a field error, not a union mismatch)
LocalReleasedAt = Annotated[datetime, AfterValidator(_plausible)]
SisId = Annotated[SingleLine, required_text(64), _single_line("The student's SIS id", 64)]
ReleasedBy = Annotated[SingleLine, required_text(200), _single_line("Released by", 200)]
DisclosurePurpose = Annotated[SingleLine, required_text(500), _single_line("The purpose", 500)]


class SharingQuestion(BaseModel):
    """One question: may this vendor receive these elements of this student's record?"""

    model_config = ConfigDict(extra="forbid")

    vendor_id: uuid.UUID
    student_sis_id: SisId
    data_elements: Elements = Field(default_factory=list)


class OneVendorBatch(BaseModel):
    """One vendor, many students, the same elements."""

    model_config = ConfigDict(extra="forbid")

    vendor_id: uuid.UUID
    student_sis_ids: Annotated[list[SisId], Field(min_length=1, max_length=MAX_ANSWERS)]
    data_elements: Elements = Field(default_factory=list)


class PairsBatch(BaseModel):
    """Any (vendor, student, elements) questions."""

    model_config = ConfigDict(extra="forbid")

    checks: Annotated[list[SharingQuestion], Field(min_length=1, max_length=MAX_ANSWERS)]


class SharingAnswer(BaseModel):
    vendor_id: uuid.UUID
    student_sis_id: str
    allowed: bool
    basis: DisclosureBasis | None
    reason: SharingReason
    dpa_id: uuid.UUID | None = None
    consent_request_id: uuid.UUID | None = None
    valid_until: date | None = None
    missing_elements: list[str] = Field(default_factory=list)


class SharingAnswers(BaseModel):
    data: list[SharingAnswer]
    count: int


class DisclosureCreate(BaseModel):
    """One release of a student's data, as the system that released it reports it."""

    model_config = ConfigDict(extra="forbid")

    student_sis_id: SisId
    vendor_id: uuid.UUID
    data_elements: Annotated[Elements, Field(min_length=1)]
    purpose: DisclosurePurpose
    released_at: ReleasedAt
    released_by: ReleasedBy
    unauthorized: bool = False


class DisclosureBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disclosures: Annotated[list[DisclosureCreate], Field(min_length=1, max_length=MAX_ANSWERS)]


class DisclosurePublic(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    vendor_id: uuid.UUID
    data_elements: list[str]
    purpose: str
    basis: DisclosureBasis | None
    reason: str
    dpa_id: uuid.UUID | None
    consent_request_id: uuid.UUID | None
    released_at: datetime
    released_by: str
    unauthorized: bool
    recorded_by: str
    created_at: datetime


class DisclosuresPublic(BaseModel):
    data: list[DisclosurePublic]
    count: int


class ManualDisclosure(BaseModel):
    """A release a staff member logs from the student's page; the time as the district's clock read."""

    model_config = ConfigDict(extra="forbid")

    vendor_id: uuid.UUID
    data_elements: Annotated[Elements, Field(min_length=1)]
    purpose: DisclosurePurpose
    released_at: LocalReleasedAt  # local wall time (datetime-local); made aware in the district's zone
    released_by: ReleasedBy
    unauthorized: bool = False
