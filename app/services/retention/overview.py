"""What the team's retention page shows: the schedule with what is due today, the last runs, the
holds, and how many vendors' certificates of disposal are overdue."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.models import Employee, RetentionHold, RetentionRun
from app.services.retention import purge_audit, purge_types
from app.services.retention.disposal import overdue_disposal_certificates
from app.services.retention.holds import list_holds
from app.services.retention.schedule import SCHEDULE, RecordType, cutoff


@dataclass
class ScheduleRow:
    record: RecordType
    due: int  # past their period and not held
    held: int  # past their period but kept by a hold


@dataclass
class Overview:
    today: date
    schedule: list[ScheduleRow]
    runs: list[RetentionRun]
    holds: list[RetentionHold]
    overdue_certificates: int
    people: dict[uuid.UUID, str]  # who placed or released a hold


def due_now(session: Session, today: date) -> list[ScheduleRow]:
    """Each record type with how many rows a run today would purge (one count query per type)."""
    rows = []
    for record in SCHEDULE:
        limit = cutoff(record, today)
        if record.key == "audit_event":
            due, held = purge_audit.count_due(session, limit, today)
        else:
            due, held = purge_types.count_due(session, purge_types.KINDS[record.key], limit, today)
        rows.append(ScheduleRow(record, due, held))
    return rows


def overview(session: Session, *, today: date) -> Overview:
    runs = list(
        session.exec(select(RetentionRun).order_by(col(RetentionRun.started_at).desc()).limit(10)).all()
    )
    holds = list_holds(session, today=today)
    ids = {i for h in holds for i in (h.placed_by_id, h.released_by_id) if i}
    people = (
        dict(session.exec(select(Employee.id, Employee.name).where(col(Employee.id).in_(ids))).all())
        if ids
        else {}
    )
    return Overview(
        today=today,
        schedule=due_now(session, today),
        runs=runs,
        holds=holds,
        overdue_certificates=overdue_disposal_certificates(session, today=today),
        people=people,
    )
