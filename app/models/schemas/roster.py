"""The roster over the API: the JSON sync body, its answer, and the import jobs."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.dataclasses import dataclass

from app.models import EnrollmentStatus, ImportSource, ImportStatus, RosterImport
from app.models.schemas import documented

MAX_STUDENTS = 50_000
# Keys or columns that would carry what the district never holds (compared lowercased, letters only).
FORBIDDEN_FIELDS = frozenset(
    {
        "dob",
        "dateofbirth",
        "birthdate",
        "birthday",
        "birthdt",
        "ssn",
        "socialsecuritynumber",
        "socialsecurityno",
        "socialsecurity",
    }
)


def forbidden_name(name: str) -> bool:
    """Whether a key or column would carry a date of birth or an SSN (``metadata.birthDate`` too)."""
    last = name.rsplit(".", 1)[-1]
    return re.sub(r"[^a-z]", "", last.lower()) in FORBIDDEN_FIELDS


class SyncMode(StrEnum):
    delta = "delta"  # touch only what is sent
    full = "full"  # the body is the whole roster: enrolled students missing from it are unenrolled


class LinkStatus(StrEnum):
    active = "active"
    tobedeleted = "tobedeleted"  # OneRoster's word: remove this guardianship


class _Strict(BaseModel):
    """Fields beyond these are refused: Steward holds only what it needs (WISP §V)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# The items are slotted dataclasses, not models: a 50,000-student body takes a third less memory.
_ITEM = ConfigDict(extra="forbid", str_strip_whitespace=True)


# The document states the checks the roster applies to each value (``services.roster.records``),
# so a client sees them: no control character, a name that does not start like a spreadsheet
# formula, a OneRoster grade code, an email address, a relationship word.
_C = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
NAME = documented(pattern=rf"^[^{_C}\s=+\-@][^{_C}]*$")
GRADE = documented(
    pattern=r"^(?:[Kk][Gg]?|[Oo][Tt][Hh][Ee][Rr]|[Ii][Tt]|[Pp][RrKkSs]|[Tt][Kk]|[Uu][Gg]|0?[1-9]|1[0-3])$"
)
EMAIL = documented(pattern=rf"^(?:[^@\s{_C}]{{1,64}}@[^@\s{_C}]+\.[^@\s{_C}]+)?$")
LANGUAGE = documented(pattern=rf"^[^{_C}]*$")
RELATIONSHIP = documented(pattern=r"^[A-Za-z][A-Za-z_ ]{0,31}$")


@dataclass(config=_ITEM, slots=True)
class StudentIn:
    sis_id: Annotated[str, NAME] = Field(min_length=1, max_length=64)
    first_name: Annotated[str, NAME] = Field(min_length=1, max_length=100)
    last_name: Annotated[str, NAME] = Field(min_length=1, max_length=100)
    school: Annotated[str, NAME] = Field(min_length=1, max_length=120)
    grade: Annotated[str, GRADE] = Field(
        min_length=1, max_length=8, description="OneRoster grade code (KG, 01 … 12) or K, 1 … 12"
    )
    enrollment_status: EnrollmentStatus = EnrollmentStatus.enrolled


@dataclass(config=_ITEM, slots=True)
class GuardianIn:
    sis_id: Annotated[str, NAME] = Field(min_length=1, max_length=64)
    first_name: Annotated[str, NAME] = Field(min_length=1, max_length=100)
    last_name: Annotated[str, NAME] = Field(min_length=1, max_length=100)
    email: Annotated[str, EMAIL] | None = Field(default=None, max_length=254)
    preferred_language: Annotated[str, LANGUAGE] = Field(
        default="en", max_length=35, description="a BCP 47 tag such as en, es, pt-BR"
    )


@dataclass(config=_ITEM, slots=True)
class GuardianshipIn:
    student_sis_id: Annotated[str, NAME] = Field(min_length=1, max_length=64)
    guardian_sis_id: Annotated[str, NAME] = Field(min_length=1, max_length=64)
    relationship: Annotated[str, RELATIONSHIP] = Field(default="parent", min_length=1, max_length=32)
    has_educational_rights: bool = True
    status: LinkStatus = LinkStatus.active


def _forbidden_keys(body: Any) -> list[str]:
    found: list[str] = []
    if not isinstance(body, dict):
        return found
    found += [k for k in body if isinstance(k, str) and forbidden_name(k)]
    for kind in ("students", "guardians", "guardianships"):
        items = body.get(kind)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    found += [f"{kind}[{i}].{k}" for k in item if isinstance(k, str) and forbidden_name(k)]
    return found


class RosterSync(_Strict):
    """Students, guardians and guardianships keyed by SIS ids. No dates of birth, no SSNs."""

    students: list[StudentIn] = Field(default_factory=list, max_length=MAX_STUDENTS)
    guardians: list[GuardianIn] = Field(default_factory=list, max_length=3 * MAX_STUDENTS)
    guardianships: list[GuardianshipIn] = Field(default_factory=list, max_length=6 * MAX_STUDENTS)

    @model_validator(mode="before")
    @classmethod
    def _no_forbidden_fields(cls, data: Any) -> Any:
        found = _forbidden_keys(data)
        if found:
            shown = ", ".join(found[:20]) + (f" and {len(found) - 20} more" if len(found) > 20 else "")
            raise ValueError(
                f"Steward never holds dates of birth or social security numbers; remove {shown}."
            )
        return data


class KindCounts(BaseModel):
    created: int
    updated: int
    unchanged: int
    unenrolled: int | None = None
    removed: int | None = None


class RosterCounts(BaseModel):
    students: KindCounts
    guardians: KindCounts
    guardianships: KindCounts


class SyncResult(BaseModel):
    mode: SyncMode
    changed: bool
    counts: RosterCounts


class ImportProblem(BaseModel):
    file: str
    line: int
    column: str
    message: str


class RosterImportPublic(BaseModel):
    id: uuid.UUID
    source: ImportSource
    file_name: str
    status: ImportStatus
    phase: str
    rows_total: int
    rows_done: int
    summary: dict[str, Any] | None
    problem_count: int
    problems: list[ImportProblem]
    error: str | None
    created_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def from_row(cls, row: RosterImport, *, with_problems: bool = True) -> RosterImportPublic:
        return cls(
            id=row.id,
            source=row.source,
            file_name=row.file_name,
            status=row.status,
            phase=row.phase,
            rows_total=row.rows_total,
            rows_done=row.rows_done,
            summary=row.summary,
            problem_count=row.problem_count,
            problems=[ImportProblem(**p) for p in (row.problems or [])] if with_problems else [],
            error=row.error,
            created_by=row.created_by_label,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )


class RosterImportsPublic(BaseModel):
    data: list[RosterImportPublic]
    count: int
