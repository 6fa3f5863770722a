"""Disputes for tests: filed through the real service, at a chosen time before the frozen now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session

from app import clock
from app.actors import Actor
from app.models import Dispute, DisputeCategory, Employee, Guardian
from app.models.schemas.disputes import DisputeCreate
from app.services.disputes import filing as dispute_filing
from app.services.roster.family import children_of
from tests.support.factories import make_guardian, make_student


def staff_actor(employee: Employee) -> Actor:
    return Actor(type="staff", id=str(employee.id), label=employee.email, roles=frozenset(employee.roles))


def guardian_actor(guardian: Guardian) -> Actor:
    """Each guardian at a home address of their own (online filing is throttled per address)."""
    h = guardian.id.hex
    address = f"2001:db8::{h[:4]}:{h[4:8]}:{h[8:12]}:{h[12:16]}"
    return Actor(type="guardian", id=str(guardian.id), label=guardian.email, client_address=address)


def file_dispute(
    db: Session, *, days_ago: float = 0, guardian: Guardian | None = None, **overrides: Any
) -> Dispute:
    """A dispute a guardian filed online ``days_ago`` days before now (about one of their children)."""
    was_frozen = clock.is_frozen()
    now = clock.now()
    if guardian is None:
        guardian = make_guardian(db, children=[make_student(db)])
    child = children_of(db, guardian_id=guardian.id)[0]
    fields: dict[str, Any] = {
        "category": DisputeCategory.inaccurate_record,
        "description": "The grade in the record is wrong.",
        "requester_name": "Grace Hopper",
        "student_id": child.id,
    }
    fields.update(overrides)
    clock.freeze(now - timedelta(days=days_ago))
    try:
        dispute = dispute_filing.file_dispute(
            db,
            data=DisputeCreate.model_validate(fields),
            actor=guardian_actor(guardian),
            requester_email=guardian.email or "",
            guardian_id=guardian.id,
        )
    finally:
        if was_frozen:
            clock.freeze(now)
        else:
            clock.unfreeze()
    db.flush()
    return dispute
