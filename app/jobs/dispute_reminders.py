"""Dispute reminders and escalation: 7 days left, 2 days left, overdue — each exactly once.

Who hears: at 7 and 2 days left, the assignee (the team address when nobody is assigned or the
assignee is no longer active); when overdue, the team address, every active privacy
administrator, and the assignee.

Exactly once, however often and by however many workers the job runs:
1. Only due rows are read, through the (status, due_at) index:
   ``status IN open AND due_at <= now + 7 days AND reminded_7d_at IS NULL`` (and the same for the
   other thresholds).
2. Each dispute and threshold is claimed by a conditional UPDATE
   (``SET reminded_7d_at = now WHERE id = … AND reminded_7d_at IS NULL AND status IN open``,
   with RETURNING): the second worker's UPDATE matches no row.
3. The emails carry outbox dedupe keys (``dispute:<id>:7d``), written in the same transaction
   as the claim, so even a claim replayed by hand cannot queue a second copy.

A dispute answered (or withdrawn) before a threshold is no longer open: it matches nothing.
A dispute first seen when it is already past a later threshold (filed on paper weeks late, or
the worker was down) gets only the most urgent reminder: the thresholds are handled most
urgent first, and claiming one also marks the less urgent ones as done.
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
from app.models import Dispute, Employee, EmployeeStatus, Role, open_dispute
from app.services.platform.audit import record
from app.services.platform.outbox import queue_email

log = logging.getLogger(__name__)

BATCH = 200


@dataclass(frozen=True)
class Threshold:
    name: str  # in dedupe keys and audit details: 7d, 2d, overdue
    column: str
    left: timedelta  # due within this much; overdue: due before now
    template: str
    # Less urgent thresholds this one makes pointless.
    supersedes: tuple[str, ...] = ()


OVERDUE = Threshold(
    "overdue", "overdue_notified_at", timedelta(0), "dispute_overdue", ("reminded_2d_at", "reminded_7d_at")
)
DUE_2D = Threshold("2d", "reminded_2d_at", timedelta(days=2), "dispute_reminder", ("reminded_7d_at",))
DUE_7D = Threshold("7d", "reminded_7d_at", timedelta(days=7), "dispute_reminder")
THRESHOLDS = (OVERDUE, DUE_2D, DUE_7D)  # most urgent first


def _due_condition(threshold: Threshold, now: datetime) -> Any:
    due = col(Dispute.due_at)
    return due < now if threshold is OVERDUE else due <= now + threshold.left


def _candidates(session: Session, threshold: Threshold, now: datetime) -> list[uuid.UUID]:
    column = getattr(Dispute, threshold.column)
    rows = session.exec(
        select(Dispute.id)
        .where(
            open_dispute(),
            _due_condition(threshold, now),
            col(column).is_(None),
        )
        .order_by(col(Dispute.due_at))
        .limit(BATCH)
    ).all()
    session.commit()  # end the read: each claim below is its own short transaction
    return list(rows)


def _claim(session: Session, threshold: Threshold, dispute_id: uuid.UUID, now: datetime) -> bool:
    return claim_step(
        session,
        Dispute,
        dispute_id,
        column=threshold.column,
        supersedes=threshold.supersedes,
        now=now,
        still_due=[open_dispute(), _due_condition(threshold, now)],
    )


def _admins(session: Session) -> list[str]:
    """Active privacy administrators (roles are a JSON list: a small table, filtered here)."""
    rows = session.exec(
        select(Employee.email, Employee.roles).where(col(Employee.status) == EmployeeStatus.active)
    ).all()
    return sorted(email for email, roles in rows if Role.privacy_admin.value in (roles or []))


def _recipients(session: Session, threshold: Threshold, dispute: Dispute) -> tuple[list[str], str]:
    team = get_settings().privacy_team_email
    assignee = session.get(Employee, dispute.assignee_id) if dispute.assignee_id else None
    active = assignee if assignee is not None and assignee.status == EmployeeStatus.active else None
    label = f"{active.name} <{active.email}>" if active else "nobody (unassigned)"
    if threshold is OVERDUE:
        people = [team, *_admins(session)] + ([active.email] if active else [])
        return list(dict.fromkeys(a.lower() for a in people)), label
    return [active.email if active else team], label


def _dedupe_key(dispute_id: uuid.UUID, threshold: Threshold, recipient: str, many: bool) -> str:
    if not many:
        return f"dispute:{dispute_id}:{threshold.name}"
    digest = hashlib.sha256(recipient.encode()).hexdigest()[:16]
    return f"dispute:{dispute_id}:{threshold.name}:{digest}"


def notify(session: Session, threshold: Threshold, dispute: Dispute, now: datetime) -> int:
    """Queue the reminder of ``threshold`` for one dispute to its recipients; returns how many."""
    recipients, assignee_label = _recipients(session, threshold, dispute)
    base = get_settings().base_url.rstrip("/")
    subject, body, lang = render_email(
        threshold.template,
        "en",
        reference=dispute.reference,
        category=dispute.category.value.replace("_", " ").capitalize(),
        due=local_time(dispute.due_at),
        left="7 days" if threshold is DUE_7D else "2 days",
        status=dispute.status.value.replace("_", " "),
        assignee=assignee_label,
        staff_url=f"{base}/staff/disputes/{dispute.id}",
    )
    queued = 0
    for to in recipients:
        key = _dedupe_key(dispute.id, threshold, to, threshold is OVERDUE)
        if queue_email(session, to=to, subject=subject, body_text=body, language=lang, dedupe_key=key):
            queued += 1
    record(
        session,
        actor=SYSTEM,
        action="dispute.reminder" if threshold is not OVERDUE else "dispute.escalate",
        object_type="dispute",
        object_id=dispute.id,
        details={"reference": dispute.reference, "threshold": threshold.name, "recipients": len(recipients)},
        at=now,
    )
    return queued


def send_reminders(engine: Engine, *, now: datetime) -> int:
    """Claim and notify every due threshold; returns how many emails were queued."""
    queued = claim_and_notify(
        engine,
        model=Dispute,
        steps=THRESHOLDS,
        candidates=_candidates,
        claim=_claim,
        notify=notify,
        now=now,
        batch=BATCH,
    )
    if queued:
        log.info("dispute reminders: %d emails queued", queued)
    return queued


@job("dispute_reminders", every=timedelta(minutes=15))
def dispute_reminders(ctx: JobContext) -> int:
    """Email dispute reminders at 7 and 2 days left and escalate overdue disputes, once each."""
    return send_reminders(ctx.engine, now=ctx.now)
