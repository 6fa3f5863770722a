"""Dispute schemas: what a requester files, what staff send, and what the API returns.

Every text field is stripped and length-checked with a message a person can act on. Text is
stored exactly as given (an XSS string included) and escaped where it is shown.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, EmailStr, Field
from pydantic_core import PydanticCustomError

from app.models import DisputeCategory, DisputeStatus, MessageKind, WaitingOn
from app.models.disputes import ClockState
from app.models.schemas import MAX_OFFSET, SingleLine, TextBlock, documented, required_text, single_line

DESCRIPTION_MAX = 10_000
MESSAGE_MAX = 10_000
RESPONSE_MAX = 20_000
LANGUAGES = ("en", "es", "pt")
DECISIONS = ("upheld", "partly_upheld", "not_upheld", "information")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _empty_is_none(value: Any) -> Any:
    value = _strip(value)
    return value or None


def _limit(label: str, maximum: int, *, required: bool = True) -> AfterValidator:
    def check(value: str | None) -> str | None:
        if value is None or value == "":
            if required:
                raise PydanticCustomError("missing_text", "{label} is required.", {"label": label})
            return None
        if len(value) > maximum:
            raise PydanticCustomError(
                "too_long",
                "{label} is too long: at most {maximum} characters (this one has {length}).",
                {"label": label, "maximum": f"{maximum:,}", "length": f"{len(value):,}"},
            )
        return value

    return AfterValidator(check)


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise PydanticCustomError("language", "Choose English (en), Spanish (es) or Portuguese (pt).")
    return value


Description = Annotated[
    TextBlock,
    required_text(DESCRIPTION_MAX),
    BeforeValidator(_strip),
    _limit("The description", DESCRIPTION_MAX),
]
RequesterName = Annotated[SingleLine, required_text(200), BeforeValidator(_strip), _limit("Your name", 200)]
Relation = Annotated[
    SingleLine, required_text(60), BeforeValidator(_strip), _limit("Your relation to the student", 60)
]
StudentText = Annotated[
    SingleLine | None, BeforeValidator(_empty_is_none), _limit("The student", 200, required=False)
]


def _decision(value: str) -> str:
    if value and value not in DECISIONS:
        raise PydanticCustomError(
            "decision", "Choose a decision: {choices}.", {"choices": ", ".join(DECISIONS)}
        )
    return value


Language = Annotated[
    SingleLine, documented(enum=list(LANGUAGES)), BeforeValidator(_strip), AfterValidator(_language)
]
MessageBody = Annotated[
    TextBlock, required_text(MESSAGE_MAX), BeforeValidator(_strip), _limit("The message", MESSAGE_MAX)
]
ResponseText = Annotated[
    TextBlock, required_text(RESPONSE_MAX), BeforeValidator(_strip), _limit("The response", RESPONSE_MAX)
]
Decision = Annotated[
    SingleLine,
    documented(enum=list(DECISIONS)),
    BeforeValidator(_strip),
    _limit("The decision", 40),
    AfterValidator(_decision),
]


class DisputeCreate(BaseModel):
    """A dispute filed online by a guardian (``student_id`` one of their children) or a requester."""

    category: DisputeCategory
    student_id: uuid.UUID | None = None
    student_description: StudentText = None
    description: Description
    language: Language = "en"
    requester_name: RequesterName
    requester_relation: Relation = "parent"


class StaffDisputeCreate(DisputeCreate):
    """Filed by staff on behalf of a requester (paper, phone, email): the real date of receipt."""

    requester_email: Annotated[EmailStr, BeforeValidator(_strip), AfterValidator(single_line)]
    received_at: datetime | None = Field(
        default=None, description="When the district received it; now if omitted; never in the future."
    )
    channel: Annotated[SingleLine, BeforeValidator(_strip)] = Field(
        default="paper", pattern="^(online|paper|email|phone|in_person)$"
    )


class DisputeMessageCreate(BaseModel):
    body: MessageBody
    internal: bool = Field(default=False, description="An internal note, never shown to the requester.")


class DisputeRespond(BaseModel):
    response_text: ResponseText
    decision: Decision


class DisputeAssign(BaseModel):
    assignee_id: uuid.UUID | None = Field(default=None, description="An employee; null unassigns.")


class DisputeView(StrEnum):
    """The queue's saved views (tabs with counts); each is open disputes only."""

    mine = "mine"
    unassigned = "unassigned"
    waiting = "waiting"  # waiting on the team
    overdue = "overdue"
    week = "week"  # due within the next 7 days
    open = "open"


class DisputeSort(StrEnum):
    due = "due"
    due_desc = "-due"
    received = "received"
    received_desc = "-received"
    activity = "activity"
    activity_desc = "-activity"


class DisputeFilter(BaseModel):
    """The queue's filters; empty values mean "any". Without a status, open disputes only.
    ``view=mine`` means the caller's own disputes (an API client that is no employee gets none)."""

    view: DisputeView | None = None
    sort: DisputeSort | None = None
    language: Literal["en", "es", "pt"] | None = None
    waiting_on: WaitingOn | None = None
    status: DisputeStatus | None = None
    category: DisputeCategory | None = None
    assignee_id: uuid.UUID | None = None
    clock_state: ClockState | None = None
    q: Annotated[SingleLine | None, BeforeValidator(_empty_is_none)] = Field(default=None, max_length=254)
    limit: int = Field(default=25, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class DisputeExportRange(BaseModel):
    """Received from ``start`` to ``end``; both empty means every dispute (the full export)."""

    start: date | None = None
    end: date | None = None


class DisputeMessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: MessageKind
    body: str
    author_type: str
    author_label: str | None
    created_at: datetime


class DisputePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reference: str
    status: DisputeStatus
    category: DisputeCategory
    requester_name: str
    requester_email: str
    requester_relation: str
    guardian_id: uuid.UUID | None
    student_id: uuid.UUID | None
    student_description: str | None
    description: str
    language: str
    channel: str
    received_at: datetime
    due_at: datetime
    assignee_id: uuid.UUID | None
    assignee_name: str | None = None
    response_text: str | None
    decision: str | None
    responded_at: datetime | None
    sla_met: bool | None
    closed_at: datetime | None
    withdrawn_at: datetime | None
    clock_state: ClockState | None = None
    waiting_on: WaitingOn
    last_activity_at: datetime | None
    messages: list[DisputeMessagePublic] | None = None


class DisputesPublic(BaseModel):
    data: list[DisputePublic]
    count: int


SAVED_REPLY_MAX = 10_000
SavedReplyTitle = Annotated[SingleLine, required_text(120), BeforeValidator(_strip), _limit("The title", 120)]
SavedReplyBody = Annotated[
    TextBlock, required_text(SAVED_REPLY_MAX), BeforeValidator(_strip), _limit("The text", SAVED_REPLY_MAX)
]


class SavedReplyForm(BaseModel):
    """A saved reply: a title, the text, its language, and a category (none: any category).
    ``{requester}`` and ``{reference}`` in the text are filled in when it is inserted."""

    title: SavedReplyTitle
    body: SavedReplyBody
    language: Language = "en"
    category: Annotated[DisputeCategory | None, BeforeValidator(_empty_is_none)] = None
