"""Offboarding reminders: one reminder to the team when a checklist is overdue, and one
escalation to every privacy administrator when it is still open ``offboarding_days`` later.

Exactly once with any number of workers, as ``dispute_reminders`` does it: only open, due rows
are read through the partial index on ``due_at``; each is claimed by a conditional UPDATE
(``SET reminded_at = now WHERE id = … AND reminded_at IS NULL AND closed_at IS NULL``) whose
RETURNING tells the one worker that won; the emails carry outbox dedupe keys written in the
claim's transaction. A checklist first seen past the escalation point gets only the escalation.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.actors import SYSTEM
from app.config import get_settings
from app.emails import render_email
from app.formatting import local_time
from app.jobs.claiming import claim_and_notify, claim_step
from app.jobs.registry import JobContext, job
from app.models import Employee, EmployeeStatus, OffboardingChecklist, OffboardingItem, Role
from app.services.platform.audit import record
from app.services.platform.outbox import queue_email

log = logging.getLogger(__name__)

BATCH = 200


@dataclass(frozen=True)
class Step:
    name: str
    column: str
    late_by: int  # multiples of offboarding_days past due
    template: str
    supersedes: tuple[str, ...] = ()


ESCALATION = Step("escalation", "escalated_at", 1, "offboarding_escalation", ("reminded_at",))
REMINDER = Step("reminder", "reminded_at", 0, "offboarding_overdue")
STEPS = (ESCALATION, REMINDER)  # most urgent first


def _due(step: Step, now: datetime) -> Any:
    days = get_settings().offboarding_days
    return col(OffboardingChecklist.due_at) <= now - timedelta(days=days * step.late_by)


def _candidates(session: Session, step: Step, now: datetime) -> list[uuid.UUID]:
    rows = session.exec(
        select(OffboardingChecklist.id)
        .where(
            col(OffboardingChecklist.closed_at).is_(None),
            _due(step, now),
            col(getattr(OffboardingChecklist, step.column)).is_(None),
        )
        .order_by(col(OffboardingChecklist.due_at))
        .limit(BATCH)
    ).all()
    session.commit()
    return list(rows)


def _claim(session: Session, step: Step, checklist_id: uuid.UUID, now: datetime) -> bool:
    return claim_step(
        session,
        OffboardingChecklist,
        checklist_id,
        column=step.column,
        supersedes=step.supersedes,
        now=now,
        still_due=[col(OffboardingChecklist.closed_at).is_(None), _due(step, now)],
    )


def _recipients(session: Session, step: Step) -> list[str]:
    if step is REMINDER:
        return [get_settings().privacy_team_email.lower()]
    rows = session.exec(
        select(Employee.email, Employee.roles).where(col(Employee.status) == EmployeeStatus.active)
    ).all()
    return sorted({email.lower() for email, roles in rows if Role.privacy_admin.value in (roles or [])})


def _notify(session: Session, step: Step, checklist: OffboardingChecklist, now: datetime) -> int:
    employee = session.get(Employee, checklist.employee_id)
    items = session.exec(
        select(OffboardingItem.done_at).where(col(OffboardingItem.checklist_id) == checklist.id)
    ).all()
    subject, body, lang = render_email(
        step.template,
        "en",
        employee_name=employee.name if employee else "a former employee",
        due=local_time(checklist.due_at),
        left=sum(1 for done in items if done is None),
        total=len(items),
        staff_url=get_settings().base_url.rstrip("/") + f"/staff/offboarding/{checklist.id}",
    )
    recipients = _recipients(session, step)
    queued = 0
    for to in recipients:
        digest = hashlib.sha256(to.encode()).hexdigest()[:16]
        key = f"offboarding:{checklist.id}:{step.name}:{digest}"
        if queue_email(session, to=to, subject=subject, body_text=body, language=lang, dedupe_key=key):
            queued += 1
    record(
        session,
        actor=SYSTEM,
        action=f"offboarding.{step.name}",
        object_type="offboarding_checklist",
        object_id=checklist.id,
        details={"recipients": len(recipients)},
        at=now,
    )
    return queued


def send_offboarding_reminders(engine: Engine, *, now: datetime) -> int:
    """Claim and notify every due step; returns how many emails were queued."""
    queued = claim_and_notify(
        engine,
        model=OffboardingChecklist,
        steps=STEPS,
        candidates=_candidates,
        claim=_claim,
        notify=_notify,
        now=now,
        batch=BATCH,
    )
    if queued:
        log.info("offboarding reminders: %d emails queued", queued)
    return queued


@job("offboarding_reminders", every=timedelta(minutes=15))
def offboarding_reminders(ctx: JobContext) -> int:
    """Remind the team of overdue offboarding checklists and escalate to administrators, once each."""
    return send_offboarding_reminders(ctx.engine, now=ctx.now)
