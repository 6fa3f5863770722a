"""The staff roster directory: find students and guardians, open a student with their guardians."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models import Guardian, Guardianship, Student


@dataclass
class GuardianLink:
    guardian: Guardian
    relationship: str
    has_educational_rights: bool


@dataclass
class StudentRecordView:
    student: Student
    guardians: list[GuardianLink]


def _like(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(model: type[Student] | type[Guardian], q: str) -> ColumnElement[bool]:
    """Name (first, last, or "first last") or the exact SIS id, case-insensitively."""
    pattern = _like(q)
    full = func.lower(col(model.first_name) + " " + col(model.last_name))
    return or_(
        col(model.sis_id) == q,
        func.lower(col(model.last_name)).like(pattern, escape="\\"),
        full.like(pattern, escape="\\"),
    )


def search(session: Session, *, q: str, limit: int) -> tuple[list[Student], list[Guardian]]:
    """Students and guardians matching ``q``, each list by last then first name, at most ``limit``."""
    q = q.strip()
    if not q:
        return [], []
    students = session.exec(
        select(Student)
        .where(_matches(Student, q))
        .order_by(col(Student.last_name), col(Student.first_name), col(Student.id))
        .limit(limit)
    ).all()
    guardians = session.exec(
        select(Guardian)
        .where(_matches(Guardian, q))
        .order_by(col(Guardian.last_name), col(Guardian.first_name), col(Guardian.id))
        .limit(limit)
    ).all()
    return list(students), list(guardians)


def student_record(session: Session, *, student_id: uuid.UUID | None) -> StudentRecordView:
    """A student with every guardian and their rights (two queries)."""
    student = session.get(Student, student_id) if student_id else None
    if student is None:
        raise NotFound("There is no such student.")
    rows = session.exec(
        select(Guardian, Guardianship)
        .join(Guardianship, col(Guardianship.guardian_id) == Guardian.id)
        .where(col(Guardianship.student_id) == student.id)
        .order_by(col(Guardian.last_name), col(Guardian.first_name))
    ).all()
    return StudentRecordView(
        student, [GuardianLink(g, link.relationship, link.has_educational_rights) for g, link in rows]
    )


def roster_totals(session: Session) -> dict[str, int]:
    """How many students are enrolled and unenrolled, and how many guardians there are."""
    by_status = dict(
        session.exec(
            select(Student.enrollment_status, func.count()).group_by(col(Student.enrollment_status))
        ).all()
    )
    guardians = session.exec(select(func.count()).select_from(Guardian)).one()
    return {
        "enrolled": int(by_status.get("enrolled", 0)),
        "unenrolled": int(by_status.get("unenrolled", 0)),
        "guardians": int(guardians),
    }
