"""Acknowledging the WISP (WISP §V): every person receives it and electronically signs it.

Each person owes one acknowledgment per version, due ``STEWARD_WISP_ACKNOWLEDGE_DAYS`` (30) after
the later of their hire and the version taking effect. The owed rows are added in bulk when a
version takes effect and, for new hires, by the reminder job; signing records the version and
its sha256, the typed name, the time, the address and the browser session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_
from sqlmodel import Session, col, select

from app.actors import Actor
from app.config import get_settings
from app.errors import Conflict, NotFound
from app.models import Employee, EmployeeStatus, WispAcknowledgment, WispVersion
from app.services.platform import audit
from app.services.workforce.signatures import (
    Signature,
    check_signature,
    due_for,
    hire_date,
    insert_missing,
    local_today,
)


def current_version(session: Session, *, today: date) -> WispVersion | None:
    """The latest version in effect on ``today`` (one taking effect later waits its day)."""
    return session.exec(
        select(WispVersion)
        .where(col(WispVersion.effective_on) <= today)
        .order_by(col(WispVersion.effective_on).desc(), col(WispVersion.created_at).desc())
        .limit(1)
    ).first()


def due_on(version: WispVersion, hired_at: datetime) -> date:
    return due_for(
        hired=hire_date(hired_at), starts=version.effective_on, days=get_settings().wisp_acknowledge_days
    )


def assign_missing(session: Session, *, version: WispVersion, now: datetime) -> int:
    """Every active employee without a row for ``version`` gets one (one read, bulk inserts)."""
    owed = session.exec(
        select(Employee.id, Employee.created_at)
        .outerjoin(
            WispAcknowledgment,
            and_(
                col(WispAcknowledgment.employee_id) == col(Employee.id),
                col(WispAcknowledgment.version_id) == version.id,
            ),
        )
        .where(col(Employee.status) == EmployeeStatus.active, col(WispAcknowledgment.id).is_(None))
    ).all()
    return insert_missing(
        session,
        WispAcknowledgment,
        (
            {"id": uuid.uuid4(), "version_id": version.id, "employee_id": e, "due_on": due_on(version, hired)}
            for e, hired in owed
        ),
    )


@dataclass(frozen=True)
class Pending:
    """The banner's facts: the version to sign and by when."""

    version_id: uuid.UUID
    label: str
    due_on: date
    overdue: bool


def pending_for(session: Session, *, employee: Employee, now: datetime) -> Pending | None:
    """The current version if this employee has not signed it; one indexed query."""
    today = local_today(now)
    row = session.exec(
        select(WispVersion, col(WispAcknowledgment.signed_at), col(WispAcknowledgment.due_on))
        .outerjoin(
            WispAcknowledgment,
            and_(
                col(WispAcknowledgment.version_id) == col(WispVersion.id),
                col(WispAcknowledgment.employee_id) == employee.id,
            ),
        )
        .where(col(WispVersion.effective_on) <= today)
        .order_by(col(WispVersion.effective_on).desc(), col(WispVersion.created_at).desc())
        .limit(1)
    ).first()
    if row is None or row[1] is not None:
        return None
    version, _signed, due = row
    due = due or due_on(version, employee.created_at)
    return Pending(version.id, version.label, due, today > due)


def history(session: Session, *, employee_id: uuid.UUID) -> list[tuple[WispAcknowledgment, WispVersion]]:
    """An employee's signatures, newest first."""
    rows = session.exec(
        select(WispAcknowledgment, WispVersion)
        .join(WispVersion, col(WispVersion.id) == col(WispAcknowledgment.version_id))
        .where(
            col(WispAcknowledgment.employee_id) == employee_id, col(WispAcknowledgment.signed_at).is_not(None)
        )
        .order_by(col(WispAcknowledgment.signed_at).desc())
    ).all()
    return [(a, v) for a, v in rows]


def sign(
    session: Session,
    *,
    actor: Actor,
    version_id: uuid.UUID | None,
    signature: Signature,
    now: datetime,
) -> WispAcknowledgment:
    """The signed-in employee signs the current version (an older one is refused)."""
    employee = session.get(Employee, actor.employee_id)
    version = session.get(WispVersion, version_id) if version_id else None
    if employee is None or version is None:
        raise NotFound("There is no such version of the WISP.")
    current = current_version(session, today=local_today(now))
    if current is None or current.id != version.id:
        raise Conflict("A newer version of the WISP is in effect; read and sign that one.")
    typed = check_signature(signature, account_name=employee.name)
    row = session.exec(
        select(WispAcknowledgment).where(
            col(WispAcknowledgment.version_id) == version.id,
            col(WispAcknowledgment.employee_id) == employee.id,
        )
    ).first()
    if row is not None and row.signed_at is not None:
        raise Conflict("You have already signed this version of the WISP.")
    if row is None:
        row = WispAcknowledgment(
            version_id=version.id, employee_id=employee.id, due_on=due_on(version, employee.created_at)
        )
    row.signed_at, row.typed_name, row.sha256 = now, typed, version.sha256
    row.client_address, row.session_id = signature.client_address, signature.session_id
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="wisp.acknowledged",
        object_type="wisp_acknowledgment",
        object_id=row.id,
        details={
            "version_id": str(version.id),
            "sha256": version.sha256,
            "late": local_today(now) > row.due_on,
        },
        at=now,
    )
    return row
