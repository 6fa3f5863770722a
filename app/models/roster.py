"""Students, guardians and who is whose, as the SIS knows them.

Data minimization (WISP §V, §VII.A): only the fields below. No dates of birth, no SSNs, ever.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import Timestamped, str_enum, uuid_pk


class EnrollmentStatus(StrEnum):
    enrolled = "enrolled"
    unenrolled = "unenrolled"


class Student(Timestamped, table=True):
    __tablename__ = "student"
    __table_args__ = (
        sa.Index(None, "school", "grade"),
        sa.Index(None, "last_name", "first_name"),
        sa.Index(None, "enrollment_status", "updated_at"),  # retention: who left, and when
    )

    id: uuid.UUID = uuid_pk()
    sis_id: str = Field(max_length=64, unique=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    school: str = Field(max_length=120)
    grade: str = Field(max_length=8)
    enrollment_status: EnrollmentStatus = Field(
        default=EnrollmentStatus.enrolled, sa_type=str_enum(EnrollmentStatus, 16)
    )


class Guardian(Timestamped, table=True):
    __tablename__ = "guardian"
    __table_args__ = (sa.Index(None, "last_name", "first_name"),)

    id: uuid.UUID = uuid_pk()
    sis_id: str = Field(max_length=64, unique=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254, index=True)
    preferred_language: str = Field(default="en", max_length=16)


class Guardianship(SQLModel, table=True):
    __tablename__ = "guardianship"
    __table_args__ = (sa.UniqueConstraint("student_id", "guardian_id"),)

    id: uuid.UUID = uuid_pk()
    student_id: uuid.UUID = Field(foreign_key="student.id", ondelete="CASCADE")
    guardian_id: uuid.UUID = Field(foreign_key="guardian.id", index=True, ondelete="CASCADE")
    relationship: str = Field(default="parent", max_length=32)
    has_educational_rights: bool = True
