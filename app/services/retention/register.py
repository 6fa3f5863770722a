"""The register of the district's own retention duties (DPP §III): web filter logs overwritten
every 7 days, video every 30, the email archive of students who left purged each summer, paper
shredded. Steward deletes none of these; it keeps the proof. Each duty has a period and an
owner; each purge done is attested (who, when, how: WISP §VII), which moves the next due date
one period past it. The job ``app.jobs.retention_register`` reminds the team once per due date.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.actors import Actor
from app.errors import NotFound, field_error
from app.models import DutyAttestation, RetentionDuty
from app.models.schemas.retention import AttestationCreate, DutyCreate
from app.services.platform import audit
from app.services.retention.schedule import district_today

OBJECT = "retention_duty"
METHOD_LABELS = {
    "shred": "Shredded",
    "wipe": "Wiped (erased so it cannot be read or reconstructed)",
    "overwrite": "Overwritten",
    "burn": "Burned",
    "pulverize": "Pulverized",
    "redact": "Redacted",
}


def add_duty(session: Session, *, actor: Actor, data: DutyCreate, now: datetime) -> RetentionDuty:
    duty = RetentionDuty(
        name=data.name,
        records=data.records,
        period_days=data.period_days,
        owner=data.owner,
        basis=data.basis,
        next_due_on=district_today(now) + timedelta(days=data.period_days),
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(duty)
            session.flush()
    except IntegrityError as exc:
        raise field_error("name", "The register already has a duty with this name.") from exc
    audit.record(
        session,
        actor=actor,
        action="retention.duty_added",
        object_type=OBJECT,
        object_id=duty.id,
        details={"name": duty.name, "period_days": duty.period_days},
        at=now,
    )
    return duty


def attest(
    session: Session, *, actor: Actor, duty_id: uuid.UUID | None, data: AttestationCreate, now: datetime
) -> DutyAttestation:
    duty = session.get(RetentionDuty, duty_id) if duty_id else None
    if duty is None:
        raise NotFound("There is no such duty.")
    today = district_today(now)
    if data.performed_on > today:
        raise field_error(
            "performed_on", "The purge cannot be attested before it is done: choose a past day."
        )
    if data.performed_on < today - timedelta(days=366):
        raise field_error("performed_on", "Choose a day within the last year.")
    attestation = DutyAttestation(
        duty_id=duty.id,
        performed_on=data.performed_on,
        performed_by=data.performed_by,
        method=data.method,
        note=data.note or None,
        recorded_by_id=actor.employee_id,
        recorded_at=now,
    )
    session.add(attestation)
    duty.next_due_on = max(duty.next_due_on, data.performed_on + timedelta(days=duty.period_days))
    session.add(duty)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="retention.attested",
        object_type=OBJECT,
        object_id=duty.id,
        details={"performed_on": data.performed_on.isoformat(), "method": data.method.value},
        at=now,
    )
    return attestation


@dataclass
class DutyRow:
    duty: RetentionDuty
    last: DutyAttestation | None

    def overdue(self, today: date) -> bool:
        return self.duty.next_due_on < today


def list_duties(session: Session) -> list[DutyRow]:
    """Every duty with its latest attestation (two queries, however many duties)."""
    duties = list(session.exec(select(RetentionDuty).order_by(col(RetentionDuty.next_due_on))).all())
    latest: dict[uuid.UUID, DutyAttestation] = {}
    if duties:
        rows = session.exec(
            select(DutyAttestation)
            .where(col(DutyAttestation.duty_id).in_([d.id for d in duties]))
            .order_by(col(DutyAttestation.performed_on).desc(), col(DutyAttestation.recorded_at).desc())
        ).all()
        for row in rows:
            latest.setdefault(row.duty_id, row)
    return [DutyRow(d, latest.get(d.id)) for d in duties]


def duty_history(
    session: Session, *, duty_id: uuid.UUID | None, limit: int = 50
) -> tuple[RetentionDuty, list[DutyAttestation]]:
    duty = session.get(RetentionDuty, duty_id) if duty_id else None
    if duty is None:
        raise NotFound("There is no such duty.")
    rows = session.exec(
        select(DutyAttestation)
        .where(col(DutyAttestation.duty_id) == duty.id)
        .order_by(col(DutyAttestation.performed_on).desc())
        .limit(limit)
    ).all()
    return duty, list(rows)
