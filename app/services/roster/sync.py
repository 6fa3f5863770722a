"""``POST /api/v1/roster/sync``: the SIS pushes students, guardians and guardianships as JSON.

Everything is checked before anything is written (field rules, duplicate SIS ids, links to
unknown people), then written in the caller's transaction with one audit event carrying the
counts, never the rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.actors import Actor
from app.models import EnrollmentStatus
from app.models.schemas.roster import LinkStatus, RosterSync, SyncMode
from app.services.platform.audit import record
from app.services.roster.records import (
    GuardianRecord,
    LinkRecord,
    Problems,
    RosterBatch,
    RosterRefused,
    StudentRecord,
    check_duplicates,
    check_guardian,
    check_link,
    check_student,
)
from app.services.roster.upsert import RosterResult, apply_roster


def batch_from_body(body: RosterSync, *, mode: SyncMode) -> RosterBatch:
    """The body as records, each remembering where it was (``students``, index) for the report."""
    batch = RosterBatch(full=mode == SyncMode.full, complete_links=mode == SyncMode.full)
    for i, s in enumerate(body.students):
        batch.students.append(
            StudentRecord(
                s.sis_id,
                s.first_name,
                s.last_name,
                s.school,
                s.grade,
                enrolled=s.enrollment_status == EnrollmentStatus.enrolled,
                where=("students", i),
            )
        )
    for i, g in enumerate(body.guardians):
        batch.guardians.append(
            GuardianRecord(
                g.sis_id,
                g.first_name,
                g.last_name,
                g.email or None,
                g.preferred_language,
                where=("guardians", i),
            )
        )
    for i, link in enumerate(body.guardianships):
        batch.links.append(
            LinkRecord(
                link.student_sis_id,
                link.guardian_sis_id,
                link.relationship.lower(),
                link.has_educational_rights,
                remove=link.status == LinkStatus.tobedeleted,
                where=("guardianships", i),
            )
        )
    return batch


def check_batch(batch: RosterBatch) -> Problems:
    """Every field rule and duplicate check at once (the links are checked against the database
    by ``apply_roster``, which refuses with all of them together)."""
    problems = Problems()
    for student in batch.students:
        check_student(student, problems)
    for guardian in batch.guardians:
        check_guardian(guardian, problems)
    for link in batch.links:
        check_link(link, problems)
    check_duplicates(batch.students, problems, "student")
    check_duplicates(batch.guardians, problems, "guardian")
    return problems


def record_refused_sync(
    session: Session, *, refused: RosterRefused, mode: SyncMode, actor: Actor, now: datetime
) -> None:
    """A refused sync changed nothing, but it leaves a trace: who, and how many problems."""
    record(
        session,
        actor=actor,
        action="roster.sync_refused",
        object_type="roster",
        details={"source": "api", "mode": mode.value, "problems": refused.problems.count},
        at=now,
    )


def sync_roster(
    session: Session, *, body: RosterSync, mode: SyncMode, actor: Actor, now: datetime
) -> RosterResult:
    """Validate the whole body, then upsert it and record one ``roster.sync`` audit event."""
    batch = batch_from_body(body, mode=mode)
    result = apply_roster(session, batch=batch, now=now, problems=check_batch(batch))
    record(
        session,
        actor=actor,
        action="roster.sync",
        object_type="roster",
        details={"source": "api", "mode": mode.value, "changed": result.changed, **result.as_dict()},
        at=now,
    )
    return result
