"""93H notice clock: a reminder to the owner as the target nears, an escalation when it passes.

Each exactly once, however often and by however many workers the job runs (the pattern of
``dispute_reminders``): only rows whose clock runs are read, through the partial index
``ix_incident_notice_due``; each incident and threshold is claimed by a conditional UPDATE with
RETURNING (a second worker's UPDATE matches nothing); the emails carry outbox dedupe keys written
in the claim's transaction. An incident first seen already overdue gets only the escalation.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from app.actors import SYSTEM
from app.config import get_settings
from app.emails import render_email
from app.formatting import local_time
from app.jobs.claiming import claim_and_notify
from app.jobs.registry import JobContext, job
from app.models import Employee, EmployeeStatus, Incident, Role
from app.services.platform.audit import record
from app.services.platform.outbox import queue_email

log = logging.getLogger(__name__)
BATCH = 200
REMIND, ESCALATE = "remind", "escalate"
COLUMN = {REMIND: "notice_reminded_at", ESCALATE: "notice_escalated_at"}


def _due(kind: str, now: datetime) -> Any:
    due = col(Incident.notice_due_at)
    if kind == ESCALATE:
        return due < now
    return due <= now + timedelta(days=get_settings().incident_notice_reminder_days)


def _candidates(session: Session, kind: str, now: datetime) -> list[uuid.UUID]:
    rows = session.exec(
        select(Incident.id)
        .where(
            col(Incident.notice_clock_stopped_at).is_(None),
            _due(kind, now),
            col(getattr(Incident, COLUMN[kind])).is_(None),
        )
        .order_by(col(Incident.notice_due_at))
        .limit(BATCH)
    ).all()
    session.commit()
    return list(rows)


def _claim(session: Session, kind: str, incident_id: uuid.UUID, now: datetime) -> bool:
    values: dict[str, Any] = {COLUMN[kind]: now}
    if kind == ESCALATE:
        values[COLUMN[REMIND]] = func.coalesce(Incident.notice_reminded_at, now)
    result = session.execute(
        update(Incident)
        .where(
            col(Incident.id) == incident_id,
            col(getattr(Incident, COLUMN[kind])).is_(None),
            col(Incident.notice_clock_stopped_at).is_(None),
            _due(kind, now),
        )
        .values(**values)
        .returning(col(Incident.id))
    )
    return result.first() is not None


def _admins(session: Session) -> list[str]:
    rows = session.exec(
        select(Employee.email, Employee.roles).where(col(Employee.status) == EmployeeStatus.active)
    ).all()
    return sorted(email for email, roles in rows if Role.privacy_admin.value in (roles or []))


def _notify(session: Session, kind: str, incident: Incident, now: datetime) -> int:
    team = get_settings().privacy_team_email
    owner = session.get(Employee, incident.owner_id) if incident.owner_id else None
    active = owner if owner is not None and owner.status == EmployeeStatus.active else None
    recipients = [active.email if active else team]
    if kind == ESCALATE:
        recipients = list(dict.fromkeys(a.lower() for a in [team, *_admins(session), *recipients]))
    subject, body, lang = render_email(
        "incident_notice_reminder" if kind == REMIND else "incident_notice_overdue",
        "en",
        reference=incident.reference,
        title=incident.title,
        status=incident.status.value,
        due=local_time(incident.notice_due_at),
        owner=f"{active.name} <{active.email}>" if active else "nobody (unassigned)",
        url=f"{get_settings().base_url.rstrip('/')}/staff/incidents/{incident.id}",
    )
    queued = 0
    for to in recipients:
        key = f"incident:{incident.id}:{kind}:{hashlib.sha256(to.encode()).hexdigest()[:16]}"
        queued += queue_email(session, to=to, subject=subject, body_text=body, language=lang, dedupe_key=key)
    record(
        session,
        actor=SYSTEM,
        action=f"incident.notice_{kind}",
        object_type="incident",
        object_id=incident.id,
        details={"reference": incident.reference, "recipients": len(recipients)},
        at=now,
    )
    return queued


def run_notice_clock(engine: Engine, *, now: datetime) -> int:
    """Claim and notify every due escalation, then every due reminder; returns emails queued."""
    queued = claim_and_notify(
        engine,
        model=Incident,
        steps=(ESCALATE, REMIND),
        candidates=_candidates,
        claim=_claim,
        notify=_notify,
        now=now,
        batch=BATCH,
    )
    if queued:
        log.info("incident notice clock: %d emails queued", queued)
    return queued


@job("incident_notice_clock", every=timedelta(minutes=15))
def incident_notice_clock(ctx: JobContext) -> int:
    """Remind the owner as a 93H notice target nears and escalate to privacy admins when it passes."""
    return run_notice_clock(ctx.engine, now=ctx.now)
