"""Incident schemas: a report, the team's work on it, and what the API returns.

Single-line fields refuse control characters (CR, LF, U+2028/2029); text is stored as given and
escaped where it is shown.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, EmailStr, Field

from app.models.incidents import (
    Element,
    EventKind,
    IncidentSeverity,
    IncidentStatus,
    NoticeKind,
    NoticeMethod,
    ReporterType,
)
from app.models.schemas import LINE_TEXT, PARAGRAPH_TEXT, required_text, single_line, text_block

TEXT_MAX = 10_000


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _empty_is_none(value: Any) -> Any:
    value = _strip(value)
    return value if value not in ("", None) else None


def _one_line(value: str | None) -> str | None:
    return single_line(value)


def _text(value: str | None) -> str | None:
    return text_block(value)


Line = Annotated[
    str,
    BeforeValidator(_strip),
    LINE_TEXT,
    Field(min_length=1, max_length=200),
    required_text(200),
    AfterValidator(_one_line),
]
OptionalLine = Annotated[
    Annotated[str, LINE_TEXT, Field(max_length=500)] | None,
    BeforeValidator(_empty_is_none),
    AfterValidator(_one_line),
]
Text = Annotated[
    str,
    BeforeValidator(_strip),
    PARAGRAPH_TEXT,
    Field(min_length=1, max_length=TEXT_MAX),
    required_text(TEXT_MAX),
    AfterValidator(_text),
]
OptionalText = Annotated[
    Annotated[str, PARAGRAPH_TEXT, Field(max_length=TEXT_MAX)] | None,
    BeforeValidator(_empty_is_none),
    AfterValidator(_text),
]


class IncidentReport(BaseModel):
    """What anyone reporting says: what happened, when it was found, what it touched."""

    title: Line
    description: Text
    discovered_at: datetime
    systems: OptionalLine = None
    student_data: bool = False
    staff_data: bool = False
    contact_email: EmailStr | None = None  # API reports: who to acknowledge


class IncidentTransition(BaseModel):
    to: IncidentStatus
    reason: OptionalText = None


class IncidentAssign(BaseModel):
    owner_id: uuid.UUID | None = None
    severity: IncidentSeverity | None = None


class NoteCreate(BaseModel):
    body: Text


class AssessmentIn(BaseModel):
    elements: list[Element] = Field(default_factory=list, max_length=3)
    name_involved: bool = False
    acquired_or_used: bool = True
    encrypted: bool = False
    key_compromised: bool = False
    people_affected: int = Field(default=0, ge=0, le=100_000_000)
    ma_residents_affected: int = Field(default=0, ge=0, le=100_000_000)
    law_enforcement_engaged: bool = False
    law_enforcement_delay_until: date | None = None


class DecisionIn(BaseModel):
    """Confirm the rules' answer, or override it; an override needs a reason."""

    notice_required: bool
    reason: OptionalText = None


class RegulatorNoticeIn(BaseModel):
    nature: OptionalText = None
    ma_residents_affected: int | None = Field(default=None, ge=0, le=100_000_000)
    steps_taken: OptionalText = None
    steps_planned: OptionalText = None
    law_enforcement: OptionalText = None
    entity_name: OptionalLine = None
    entity_address: OptionalLine = None
    entity_type: OptionalLine = None
    reporter_name: OptionalLine = None
    reporter_title: OptionalLine = None
    reporter_relationship: OptionalLine = None
    responsible_person: OptionalLine = None
    wisp_maintained: bool | None = None


class ResidentNoticeIn(BaseModel):
    parent_organization: OptionalLine = None
    contact: OptionalLine = None
    credit_monitoring_months: int | None = Field(default=None, ge=0, le=120)
    credit_monitoring_provider: OptionalLine = None
    credit_monitoring_enrollment: OptionalText = None
    additional_text: OptionalText = None


class NoticeSentIn(BaseModel):
    sent_on: date
    method: NoticeMethod


class ReviewAction(BaseModel):
    action: Line
    owner: Line
    due_on: date


class ReviewIn(BaseModel):
    held_on: date | None = None
    attendees: OptionalText = None
    findings: OptionalText = None
    changes: OptionalText = None
    actions: list[ReviewAction] = Field(default_factory=list, max_length=50)


class StudentRecipientsIn(BaseModel):
    sis_ids: list[
        Annotated[str, BeforeValidator(single_line), LINE_TEXT, Field(min_length=1, max_length=64)]
    ] = Field(min_length=1, max_length=50_000)


class StaffRecipientsIn(BaseModel):
    emails: list[Annotated[EmailStr, BeforeValidator(single_line)]] = Field(min_length=1, max_length=50_000)


class RecipientsAdded(BaseModel):
    added: int
    total_by_language: dict[str, int]


class EmailRunResult(BaseModel):
    queued: int


class IncidentSort(StrEnum):
    """By when it was discovered (the default: newest first), severity or status; ``-`` reverses."""

    discovered = "discovered"
    discovered_desc = "-discovered"
    severity = "severity"
    severity_desc = "-severity"
    status = "status"
    status_desc = "-status"


class IncidentFilter(BaseModel):
    sort: Annotated[IncidentSort | None, BeforeValidator(_empty_is_none)] = None
    status: IncidentStatus | None = None
    severity: IncidentSeverity | None = None
    open: bool | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    kind: EventKind
    text: str
    internal: bool
    actor_label: str | None


class NoticePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: NoticeKind
    content: dict[str, Any]
    missing: list[str] = Field(default_factory=list)
    generated_at: datetime | None
    sent_on: date | None
    sent_method: NoticeMethod | None


class AssessmentPublic(BaseModel):
    facts: dict[str, Any] | None
    rules_say_notice: bool | None
    reasons: list[str]
    notice_required: bool | None
    decision_reason: str | None
    decided_at: datetime | None


class IncidentPublic(BaseModel):
    id: uuid.UUID
    reference: str
    title: str
    description: str
    systems: str | None
    student_data: bool
    staff_data: bool
    status: IncidentStatus
    severity: IncidentSeverity | None
    owner_id: uuid.UUID | None
    reporter_type: ReporterType
    reporter_label: str
    vendor_id: uuid.UUID | None
    discovered_at: datetime
    reported_at: datetime
    closed_at: datetime | None
    notice_due_at: datetime
    notice_clock: str
    vendor_report: str | None = None
    assessment: AssessmentPublic
    events: list[EventPublic] | None = None
    notices: list[NoticePublic] | None = None

    def notice(self, kind: NoticeKind) -> NoticePublic:
        return next(n for n in self.notices or [] if n.kind == kind)


class IncidentsPublic(BaseModel):
    data: list[IncidentPublic]
    count: int


class IncidentFilePublic(BaseModel):
    """A file of an incident (evidence, a vendor's report); its bytes are a separate download."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class IncidentFilesPublic(BaseModel):
    data: list[IncidentFilePublic]
    count: int
