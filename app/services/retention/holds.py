"""Legal holds: a dispute, incident or student the team must keep whatever the schedule says.

A hold is active from when it is placed until it is released or its ``until`` day has passed (in
the district's time zone). Every purge skips what an active hold covers: a held dispute or
incident, and for a held student, their disputes, consent answers, disclosures and the incidents
that name them as a recipient.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.actors import Actor
from app.errors import InvalidTransition, NotFound, field_error
from app.models import Dispute, Incident, RetentionHold, Student
from app.models.retention import HoldSubject
from app.models.schemas.retention import HoldCreate
from app.services.platform import audit
from app.services.retention.schedule import district_today

OBJECT = "retention_hold"


def active_condition(today: date) -> Any:
    return sa.and_(
        col(RetentionHold.released_at).is_(None),
        sa.or_(col(RetentionHold.until).is_(None), col(RetentionHold.until) >= today),
    )


def held_ids(subject: HoldSubject, today: date) -> Any:
    """A subquery of the ids an active hold covers, for ``NOT IN`` in a purge query."""
    return select(RetentionHold.subject_id).where(
        col(RetentionHold.subject_type) == subject, active_condition(today)
    )


def _resolve(session: Session, data: HoldCreate) -> tuple[uuid.UUID, str]:
    target = data.subject.strip()
    row: Any
    if data.subject_type == HoldSubject.dispute:
        row = session.exec(select(Dispute).where(col(Dispute.reference) == target.upper())).first()
        found = (row.id, row.reference) if row else None
    elif data.subject_type == HoldSubject.incident:
        row = session.exec(select(Incident).where(col(Incident.reference) == target.upper())).first()
        found = (row.id, row.reference) if row else None
    else:
        row = session.exec(select(Student).where(col(Student.sis_id) == target)).first()
        found = (row.id, f"{row.first_name} {row.last_name} ({row.sis_id})") if row else None
    if found is None:
        kind = {"dispute": "dispute reference", "incident": "incident reference"}.get(
            data.subject_type.value, "student SIS id"
        )
        raise field_error("subject", f"There is no {kind} {target!r}.")
    return found


def place_hold(session: Session, *, actor: Actor, data: HoldCreate, now: datetime) -> RetentionHold:
    today = district_today(now)
    if data.until is not None and data.until < today:
        raise field_error("until", "The hold would already be over: choose today or a later day.")
    subject_id, label = _resolve(session, data)
    hold = RetentionHold(
        subject_type=data.subject_type,
        subject_id=subject_id,
        subject_label=label[:200],
        reason=data.reason,
        until=data.until,
        placed_by_id=actor.employee_id,
        placed_at=now,
    )
    session.add(hold)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="retention.hold_placed",
        object_type=data.subject_type.value,
        object_id=subject_id,
        details={"hold_id": str(hold.id), "until": data.until.isoformat() if data.until else None},
        at=now,
    )
    return hold


def release_hold(
    session: Session, *, actor: Actor, hold_id: uuid.UUID | None, now: datetime
) -> RetentionHold:
    hold = session.get(RetentionHold, hold_id) if hold_id else None
    if hold is None:
        raise NotFound("There is no such hold.")
    if hold.released_at is not None:
        raise InvalidTransition("This hold was already released.")
    hold.released_at = now
    hold.released_by_id = actor.employee_id
    session.add(hold)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="retention.hold_released",
        object_type=hold.subject_type.value,
        object_id=hold.subject_id,
        details={"hold_id": str(hold.id)},
        at=now,
    )
    return hold


def list_holds(session: Session, *, today: date, limit: int = 200) -> list[RetentionHold]:
    """Active holds first (newest first), then those released or past, newest first."""
    return list(
        session.exec(
            select(RetentionHold)
            .order_by(col(RetentionHold.released_at).is_not(None), col(RetentionHold.placed_at).desc())
            .limit(limit)
        ).all()
    )


def is_active(hold: RetentionHold, today: date) -> bool:
    return hold.released_at is None and (hold.until is None or hold.until >= today)
