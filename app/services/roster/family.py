"""What a signed-in guardian may see: their own children, and nothing of anyone else's.

Object-level scope lives here (WISP §V, §VII.B): every lookup goes through the guardian's
``Guardianship`` rows; a student who is not theirs is ``NotFound`` (404), exactly like one that
does not exist, so ids reveal nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models import Guardian, Guardianship, Student

NOT_YOURS = "There is no such child on your account."


@dataclass
class Child:
    student: Student
    relationship: str
    has_educational_rights: bool


def children_of(session: Session, *, guardian_id: uuid.UUID) -> list[Student]:
    """The guardian's students, by last then first name."""
    rows = session.exec(
        select(Student)
        .join(Guardianship, col(Guardianship.student_id) == Student.id)
        .where(col(Guardianship.guardian_id) == guardian_id)
        .order_by(col(Student.last_name), col(Student.first_name), col(Student.id))
    ).all()
    return list(rows)


def _child(session: Session, guardian_id: uuid.UUID, student_id: uuid.UUID) -> Child:
    row = session.exec(
        select(Student, Guardianship)
        .join(Guardianship, col(Guardianship.student_id) == Student.id)
        .where(col(Guardianship.guardian_id) == guardian_id, col(Student.id) == student_id)
    ).first()
    if row is None:
        raise NotFound(NOT_YOURS)
    student, link = row
    return Child(student, link.relationship, link.has_educational_rights)


def get_child(session: Session, *, guardian_id: uuid.UUID, student_id: uuid.UUID | None) -> Student:
    """One of the guardian's students; ``NotFound`` if it is not theirs, does not exist, or the
    id is not an id at all (``None`` from a failed parse)."""
    if student_id is None:
        raise NotFound(NOT_YOURS)
    return _child(session, guardian_id, student_id).student


def child_details(session: Session, *, guardian_id: uuid.UUID, student_id: uuid.UUID | None) -> Child:
    """The child page: the student and how this guardian is linked to them (same scope)."""
    if student_id is None:
        raise NotFound(NOT_YOURS)
    return _child(session, guardian_id, student_id)


def guardian_name(session: Session, *, guardian_id: uuid.UUID) -> str:
    guardian = session.get(Guardian, guardian_id)
    return f"{guardian.first_name} {guardian.last_name}".strip() if guardian else ""
