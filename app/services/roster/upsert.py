"""Write a validated roster batch: set-based, idempotent, in the caller's transaction.

Existing rows are loaded by SIS id in bulk (chunks of ``CHUNK``), compared in memory, and only
the differences are written with one executemany per kind: new rows inserted, changed rows
updated by primary key, unchanged rows left alone (so a replay writes nothing but its audit
event). Students are never deleted: ``full`` marks every enrolled student missing from the
batch ``unenrolled``. When a batch's links are complete (a full sync, any OneRoster file: a
user row lists all its agents), a sent student's guardianships become exactly the ones it
lists; otherwise (a JSON delta) links are added and changed, and removed only when marked.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlmodel import Session

from app.db import is_postgres
from app.models import EnrollmentStatus, Guardian, Guardianship, Student
from app.services.roster.records import Problems, RosterBatch, RosterRefused

CHUNK = 5000
_ROSTER_LOCK = 7_202_612  # an arbitrary constant naming the roster-writer advisory lock
STUDENT = Student.__table__  # type: ignore[attr-defined]
GUARDIAN = Guardian.__table__  # type: ignore[attr-defined]
LINK = Guardianship.__table__  # type: ignore[attr-defined]
STUDENT_FIELDS = ("first_name", "last_name", "school", "grade", "enrollment_status")
GUARDIAN_FIELDS = ("first_name", "last_name", "email", "preferred_language")
ENROLLED = EnrollmentStatus.enrolled.value
UNENROLLED = EnrollmentStatus.unenrolled.value


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unenrolled: int = 0
    removed: int = 0

    def as_dict(self, *keys: str) -> dict[str, int]:
        return {k: getattr(self, k) for k in keys}


@dataclass
class RosterResult:
    students: Counts = field(default_factory=Counts)
    guardians: Counts = field(default_factory=Counts)
    guardianships: Counts = field(default_factory=Counts)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            "students": self.students.as_dict("created", "updated", "unchanged", "unenrolled"),
            "guardians": self.guardians.as_dict("created", "updated", "unchanged"),
            "guardianships": self.guardianships.as_dict("created", "updated", "unchanged", "removed"),
        }

    @property
    def changed(self) -> bool:
        return any(
            c.created or c.updated or c.unenrolled or c.removed
            for c in (self.students, self.guardians, self.guardianships)
        )


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def _load_by_sis(
    session: Session, table: Any, fields: tuple[str, ...], sis_ids: Iterable[str]
) -> dict[str, Any]:
    """Existing rows keyed by SIS id: one query per ``CHUNK`` ids, never one per row."""
    columns = [table.c.id, table.c.sis_id, *(table.c[f] for f in fields)]
    found: dict[str, Any] = {}
    for chunk in _chunks(sorted(set(sis_ids))):
        for row in session.execute(select(*columns).where(table.c.sis_id.in_(chunk))):
            found[row.sis_id] = row
    return found


def _check_links(
    batch: RosterBatch, students: dict[str, Any], guardians: dict[str, Any], problems: Problems
) -> None:
    """Every guardianship names a student and a guardian in the batch or already on the roster."""
    sent_students = {s.sis_id for s in batch.students if not s.status_only}
    sent_guardians = {g.sis_id for g in batch.guardians}
    for link in batch.links:
        file, line = link.where
        if link.student_sis_id not in sent_students and link.student_sis_id not in students:
            problems.add(
                file,
                line,
                "student",
                f"Student {link.student_sis_id!r} is neither in this roster nor on file.",
            )
        if link.guardian_sis_id not in sent_guardians and link.guardian_sis_id not in guardians:
            problems.add(
                file,
                line,
                "guardian",
                f"Guardian {link.guardian_sis_id!r} is neither in this roster nor on file.",
            )


class _Pending:
    """Rows to insert and to update by id, written every ``CHUNK`` rows so memory stays flat."""

    def __init__(self, session: Session, table: Any, fields: tuple[str, ...]) -> None:
        self.session = session
        self.table = table
        self.update_stmt = (
            update(table).where(table.c.id == bindparam("_id")).values({f: bindparam(f) for f in fields})
        )
        self.new: list[dict[str, Any]] = []
        self.changed: list[dict[str, Any]] = []

    def insert(self, row: dict[str, Any]) -> None:
        self.new.append(row)
        if len(self.new) >= CHUNK:
            self.flush()

    def update(self, row: dict[str, Any]) -> None:
        self.changed.append(row)
        if len(self.changed) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.new:
            self.session.execute(insert(self.table), self.new)
            self.new = []
        if self.changed:
            self.session.connection().execute(self.update_stmt, self.changed)
            self.changed = []


def _students(
    session: Session, batch: RosterBatch, existing: dict[str, Any], now: datetime, counts: Counts
) -> dict[str, uuid.UUID]:
    ids = {sis: row.id for sis, row in existing.items()}
    pending = _Pending(session, STUDENT, (*STUDENT_FIELDS, "updated_at"))
    for rec in batch.students:
        row = existing.get(rec.sis_id)
        if rec.status_only:
            if row is not None and row.enrollment_status == ENROLLED:
                values = {f: getattr(row, f) for f in STUDENT_FIELDS} | {"enrollment_status": UNENROLLED}
                pending.update({"_id": row.id, **values, "updated_at": now})
                counts.unenrolled += 1
            else:
                counts.unchanged += 1
            continue
        values = {
            "first_name": rec.first_name,
            "last_name": rec.last_name,
            "school": rec.school,
            "grade": rec.grade,
            "enrollment_status": ENROLLED if rec.enrolled else UNENROLLED,
        }
        if row is None:
            new_id = uuid.uuid4()
            ids[rec.sis_id] = new_id
            pending.insert(
                {"id": new_id, "sis_id": rec.sis_id, **values, "created_at": now, "updated_at": now}
            )
            counts.created += 1
        elif tuple(values.values()) != tuple(getattr(row, f) for f in STUDENT_FIELDS):
            pending.update({"_id": row.id, **values, "updated_at": now})
            if row.enrollment_status == ENROLLED and not rec.enrolled:
                counts.unenrolled += 1
            else:
                counts.updated += 1
        else:
            counts.unchanged += 1
    pending.flush()
    return ids


def _unenrol_missing(session: Session, batch: RosterBatch, now: datetime, counts: Counts) -> None:
    """``full``: every enrolled student the SIS no longer lists is marked unenrolled (kept)."""
    sent = {s.sis_id for s in batch.students}
    enrolled = session.execute(
        select(STUDENT.c.sis_id).where(STUDENT.c.enrollment_status == ENROLLED)
    ).scalars()
    missing = sorted(sis for sis in enrolled if sis not in sent)
    for chunk in _chunks(missing):
        session.execute(
            update(STUDENT)
            .where(STUDENT.c.sis_id.in_(chunk), STUDENT.c.enrollment_status == ENROLLED)
            .values(enrollment_status=UNENROLLED, updated_at=now)
        )
    counts.unenrolled += len(missing)


def _guardians(
    session: Session, batch: RosterBatch, existing: dict[str, Any], now: datetime, counts: Counts
) -> dict[str, uuid.UUID]:
    ids = {sis: row.id for sis, row in existing.items()}
    pending = _Pending(session, GUARDIAN, (*GUARDIAN_FIELDS, "updated_at"))
    for rec in batch.guardians:
        row = existing.get(rec.sis_id)
        values = {
            "first_name": rec.first_name,
            "last_name": rec.last_name,
            "email": rec.email or None,
            "preferred_language": rec.preferred_language,
        }
        if row is None:
            new_id = uuid.uuid4()
            ids[rec.sis_id] = new_id
            pending.insert(
                {"id": new_id, "sis_id": rec.sis_id, **values, "created_at": now, "updated_at": now}
            )
            counts.created += 1
        elif tuple(values.values()) != tuple(getattr(row, f) for f in GUARDIAN_FIELDS):
            pending.update({"_id": row.id, **values, "updated_at": now})
            counts.updated += 1
        else:
            counts.unchanged += 1
    pending.flush()
    return ids


def write_links(
    session: Session,
    batch: RosterBatch,
    student_ids: dict[str, uuid.UUID],
    guardian_ids: dict[str, uuid.UUID],
    counts: Counts,
) -> None:
    wanted: dict[tuple[uuid.UUID, uuid.UUID], tuple[str | None, bool, bool]] = {}
    for link in batch.links:
        key = (student_ids[link.student_sis_id], guardian_ids[link.guardian_sis_id])
        wanted[key] = (link.relationship, link.has_educational_rights, link.remove)
    detached = {guardian_ids[g] for g in batch.detached_guardians if g in guardian_ids}
    # The links of every student and guardian this batch speaks about, in bulk.
    in_scope = {s for s, _ in wanted} | (
        {student_ids[s.sis_id] for s in batch.students if s.sis_id in student_ids and not s.status_only}
        if batch.complete_links
        else set()
    )
    scope_students = sorted(in_scope)
    existing: dict[tuple[uuid.UUID, uuid.UUID], Any] = {}
    cols = (
        LINK.c.id,
        LINK.c.student_id,
        LINK.c.guardian_id,
        LINK.c.relationship,
        LINK.c.has_educational_rights,
    )
    for chunk in _chunks(scope_students):
        for row in session.execute(select(*cols).where(LINK.c.student_id.in_(chunk))):
            existing[(row.student_id, row.guardian_id)] = row
    for chunk in _chunks(sorted(detached)):
        for row in session.execute(select(*cols).where(LINK.c.guardian_id.in_(chunk))):
            existing[(row.student_id, row.guardian_id)] = row
    pending = _Pending(session, LINK, ("relationship", "has_educational_rights"))
    removed: list[uuid.UUID] = []
    for key, (relationship, rights, remove) in wanted.items():
        found = existing.get(key)
        if remove or key[1] in detached:
            if found is not None:
                removed.append(found.id)
            continue
        if relationship is None:  # as on file; a new link to an agent not described here
            if found is not None:
                counts.unchanged += 1
                continue
            relationship = "guardian"
        if found is None:
            pending.insert(
                {
                    "id": uuid.uuid4(),
                    "student_id": key[0],
                    "guardian_id": key[1],
                    "relationship": relationship,
                    "has_educational_rights": rights,
                }
            )
            counts.created += 1
        elif (found.relationship, found.has_educational_rights) != (relationship, rights):
            pending.update({"_id": found.id, "relationship": relationship, "has_educational_rights": rights})
            counts.updated += 1
        else:
            counts.unchanged += 1
    for key, row in existing.items():
        if key in wanted:
            continue
        if key[1] in detached or (batch.complete_links and key[0] in in_scope):
            removed.append(row.id)
    pending.flush()
    removed = sorted(set(removed))
    for chunk in _chunks(removed):
        session.execute(delete(LINK).where(LINK.c.id.in_(chunk)))
    counts.removed += len(removed)


def apply_roster(
    session: Session, *, batch: RosterBatch, now: datetime, problems: Problems | None = None
) -> RosterResult:
    """Write ``batch`` (already checked field by field) in the caller's transaction.

    Raises ``RosterRefused`` before writing anything if ``problems`` (the field checks') holds
    any, or a guardianship names a student or a guardian neither in the batch nor on file:
    every problem at once.
    """
    problems = problems if problems is not None else Problems()
    if batch.full and not any(not s.status_only for s in batch.students):
        problems.add(
            "students", 0, "", "A full roster with no students would unenrol everyone; nothing was written."
        )
    result = RosterResult()
    if is_postgres(session):
        # One roster writer at a time (SQLite's BEGIN IMMEDIATE already serializes): the bulk
        # loads below then see everything an earlier sync or import committed.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ROSTER_LOCK})
    link_students = {link.student_sis_id for link in batch.links}
    link_guardians = {link.guardian_sis_id for link in batch.links} | set(batch.detached_guardians)
    students = _load_by_sis(
        session, STUDENT, STUDENT_FIELDS, [s.sis_id for s in batch.students] + list(link_students)
    )
    guardians = _load_by_sis(
        session, GUARDIAN, GUARDIAN_FIELDS, [g.sis_id for g in batch.guardians] + list(link_guardians)
    )
    _check_links(batch, students, guardians, problems)
    if problems:
        raise RosterRefused(problems)
    student_ids = _students(session, batch, students, now, result.students)
    if batch.full:
        _unenrol_missing(session, batch, now, result.students)
    guardian_ids = _guardians(session, batch, guardians, now, result.guardians)
    write_links(session, batch, student_ids, guardian_ids, result.guardianships)
    return result
