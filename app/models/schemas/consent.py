"""Consent request schemas: what the team sends, what a guardian answers, what the API returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from app.models.consent import AnswerRoute, ConsentRequestStatus, ConsentStatus
from app.models.schemas import LINE_TEXT, SingleLine, documented, required_text, single_line
from app.models.schemas.vendors.vendors import DataElements, Note, Purpose, empty_is_none


def _one_or_many(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return value


def _scope_values(label: str) -> AfterValidator:
    def check(values: list[str]) -> list[str]:
        cleaned = [v.strip() for v in values if v and v.strip()]
        if not cleaned:
            raise PydanticCustomError("empty_scope", "Choose at least one {label}.", {"label": label})
        return list(dict.fromkeys(cleaned))

    return AfterValidator(check)


Schools = Annotated[
    list[Annotated[str, BeforeValidator(single_line), LINE_TEXT, Field(max_length=120), required_text(120)]],
    documented(minItems=1),
    BeforeValidator(_one_or_many),
    _scope_values("school"),
]
Grades = Annotated[
    list[Annotated[str, BeforeValidator(single_line), LINE_TEXT, Field(max_length=8), required_text(8)]],
    documented(minItems=1),
    BeforeValidator(_one_or_many),
    _scope_values("grade"),
]


def _at_least_one(values: list[str]) -> list[str]:
    if not values:
        raise PydanticCustomError(
            "no_elements", "Choose at least one kind of data the company would receive."
        )
    return values


class ConsentRequestCreate(BaseModel):
    """The team drafts a request for a vendor on the consent path."""

    model_config = ConfigDict(extra="forbid")

    vendor_id: uuid.UUID
    purpose: Purpose
    data_elements: Annotated[DataElements, documented(minItems=1), AfterValidator(_at_least_one)]
    schools: Schools
    grades: Grades
    due_on: date
    follows_id: uuid.UUID | None = None


Answer = Literal["granted", "refused", "revoked"]


class GuardianAnswer(BaseModel):
    """A guardian's own answer online."""

    model_config = ConfigDict(extra="forbid")

    answer: Answer


class RecordedAnswer(BaseModel):
    """An answer the team received on paper, by phone or in person."""

    model_config = ConfigDict(extra="forbid")

    guardian_id: uuid.UUID
    answer: Answer
    route: Literal["paper", "phone", "in_person"]
    received_on: date
    note: Note = None


class ConsentCounts(BaseModel):
    pending: int = 0
    granted: int = 0
    refused: int = 0
    revoked: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.granted + self.refused + self.revoked

    @property
    def answered(self) -> int:
        return self.total - self.pending


class ConsentRequestPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reference: str
    vendor_id: uuid.UUID
    vendor_name: str = ""
    purpose: str
    data_elements: list[str]
    schools: list[str]
    grades: list[str]
    status: ConsentRequestStatus
    due_on: date
    opened_at: datetime | None
    closed_at: datetime | None
    policy_sha256: str | None
    policy_changed: bool = False
    follows_id: uuid.UUID | None
    counts: ConsentCounts = Field(default_factory=ConsentCounts)


class ConsentRequestsPublic(BaseModel):
    data: list[ConsentRequestPublic]
    count: int


class ConsentResponsePublic(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    student_sis_id: str
    student_name: str
    school: str
    grade: str
    status: ConsentStatus
    decided_at: datetime | None


class ConsentResponsesPublic(BaseModel):
    data: list[ConsentResponsePublic]
    count: int


class ResponseFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ConsentStatus | None = None
    school: Annotated[Annotated[SingleLine, Field(max_length=120)] | None, BeforeValidator(empty_is_none)] = (
        None
    )
    grade: Annotated[Annotated[SingleLine, Field(max_length=8)] | None, BeforeValidator(empty_is_none)] = None
    q: Annotated[Annotated[SingleLine, Field(max_length=100)] | None, BeforeValidator(empty_is_none)] = None
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=1_000_000)


__all__ = [
    "AnswerRoute",
    "ConsentCounts",
    "ConsentRequestCreate",
    "ConsentRequestPublic",
    "ConsentRequestsPublic",
    "ConsentResponsePublic",
    "ConsentResponsesPublic",
    "GuardianAnswer",
    "RecordedAnswer",
    "ResponseFilter",
]
