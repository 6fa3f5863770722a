"""What a signed-in guardian may see: their own children, and nothing of anyone else's.

Object-level scope lives here (WISP §V, §VII.B): every lookup goes through the guardian's
``Guardianship`` rows; a student who is not theirs is ``NotFound`` (404), exactly like one that
does not exist, so ids reveal nothing.

A guardian without educational rights to a child (M.G.L. c.71 §34H, 603 CMR 23.07(5)) sees the
child listed on their account but not the child's page: ``Forbidden`` (403), with the reason in
plain words. The child is already known to them (the roster links them), so a 404 would only
mislead; what they are refused is the record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.errors import Forbidden, NotFound
from app.models import EnrollmentStatus, Guardian, Guardianship, Student
from app.models.schemas.messages import N_

NOT_YOURS = N_("There is no such child on your account.")
NO_RIGHTS = N_(
    "The school's records do not list you as holding educational rights for this child, so Steward "
    "does not show the child's record or take requests to see or correct it from you. If that is "
    "wrong, contact the school office. You can still raise a general concern."
)


@dataclass
class Child:
    student: Student
    relationship: str
    has_educational_rights: bool


def children_of(session: Session, *, guardian_id: uuid.UUID) -> list[Student]:
    """The guardian's enrolled students, by last then first name.

    A student the SIS unenrolled keeps their history (consents, disclosures, disputes) but is
    no longer listed on the family pages."""
    rows = session.exec(
        select(Student)
        .join(Guardianship, col(Guardianship.student_id) == Student.id)
        .where(
            col(Guardianship.guardian_id) == guardian_id,
            col(Student.enrollment_status) == EnrollmentStatus.enrolled,
        )
        .order_by(col(Student.last_name), col(Student.first_name), col(Student.id))
    ).all()
    return list(rows)


def children_on_account(session: Session, *, guardian_id: uuid.UUID) -> list[Child]:
    """The guardian's enrolled students with how each is linked, by last then first name (one query)."""
    rows = session.exec(
        select(Student, Guardianship)
        .join(Guardianship, col(Guardianship.student_id) == Student.id)
        .where(
            col(Guardianship.guardian_id) == guardian_id,
            col(Student.enrollment_status) == EnrollmentStatus.enrolled,
        )
        .order_by(col(Student.last_name), col(Student.first_name), col(Student.id))
    ).all()
    return [Child(student, link.relationship, link.has_educational_rights) for student, link in rows]


def children_with_rights(session: Session, *, guardian_id: uuid.UUID) -> set[uuid.UUID]:
    """Ids of the guardian's students for whom they hold educational rights."""
    rows = session.exec(
        select(Guardianship.student_id).where(
            col(Guardianship.guardian_id) == guardian_id,
            col(Guardianship.has_educational_rights).is_(True),
        )
    ).all()
    return set(rows)


def _child(session: Session, guardian_id: uuid.UUID, student_id: uuid.UUID) -> Child:
    row = session.exec(
        select(Student, Guardianship)
        .join(Guardianship, col(Guardianship.student_id) == Student.id)
        .where(col(Guardianship.guardian_id) == guardian_id, col(Student.id) == student_id)
    ).first()
    if row is None:
        raise NotFound(NOT_YOURS)
    student, link = row
    if not link.has_educational_rights:
        raise Forbidden(NO_RIGHTS)
    return Child(student, link.relationship, link.has_educational_rights)


def get_child(session: Session, *, guardian_id: uuid.UUID, student_id: uuid.UUID | None) -> Student:
    """One of the guardian's students; ``NotFound`` if it is not theirs, does not exist, or the
    id is not an id at all (``None`` from a failed parse); ``Forbidden`` without educational
    rights."""
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
