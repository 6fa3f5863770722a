"""WISP reminders (WISP §V), each exactly once per person per version (or campaign):

* to the person 7 days before the due date and on the due date, then an escalation to the team
  when overdue — for signing the current WISP and for certifying each opened training campaign;
* first, the rows owed are added in bulk for people hired since the version or campaign began.

Exactly once with any number of workers, as ``workforce_offboarding`` does it: unsigned, due rows
are read through the partial index on ``due_on``; each is claimed by a conditional UPDATE
(``SET reminded_at = now WHERE id = … AND reminded_at IS NULL AND signed_at IS NULL``) whose
RETURNING tells the one worker that won; the email carries an outbox dedupe key written in the
claim's transaction. A row first seen late gets only the most urgent step.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.actors import SYSTEM
from app.config import get_settings
from app.emails import render_email
from app.jobs.claiming import claim_and_notify, claim_step
from app.jobs.registry import JobContext, job
from app.models import (
    Employee,
    EmployeeStatus,
    TrainingCampaign,
    TrainingCertification,
    WispAcknowledgment,
    WispVersion,
)
from app.services.platform.audit import record
from app.services.platform.outbox import queue_email
from app.services.workforce import acknowledgments, training
from app.services.workforce.signatures import local_today

log = logging.getLogger(__name__)

BATCH = 200
EARLY_DAYS = 7


@dataclass(frozen=True)
class Step:
    name: str
    column: str
    days_before: int  # the step is due when due_on <= today + days_before
    to_team: bool
    supersedes: tuple[str, ...] = ()


ESCALATION = Step("escalation", "escalated_at", -1, True, ("reminded_at", "due_reminded_at"))
DUE = Step("due", "due_reminded_at", 0, False, ("reminded_at",))
EARLY = Step("early", "reminded_at", EARLY_DAYS, False)
STEPS = (ESCALATION, DUE, EARLY)  # most urgent first


def _due(model: type[Any], step: Step, today: date) -> Any:
    return col(model.due_on) <= today + timedelta(days=step.days_before)


def _owed(model: type[Any], today: date) -> list[Any]:
    """Which rows still matter: the current version's, or an opened campaign's."""
    if model is WispAcknowledgment:
        current = _current_version_id(today)
        return [col(WispAcknowledgment.version_id) == current]
    opened = select(TrainingCampaign.id).where(col(TrainingCampaign.opens_on) <= today)
    return [col(TrainingCertification.campaign_id).in_(opened)]


def _current_version_id(today: date) -> Any:
    return (
        select(WispVersion.id)
        .where(col(WispVersion.effective_on) <= today)
        .order_by(col(WispVersion.effective_on).desc(), col(WispVersion.created_at).desc())
        .limit(1)
        .scalar_subquery()
    )


def _candidates_for(model: type[Any]) -> Any:
    def candidates(session: Session, step: Step, now: datetime) -> list[uuid.UUID]:
        today = local_today(now)
        rows = session.exec(
            select(model.id)
            .join(Employee, col(Employee.id) == col(model.employee_id))
            .where(
                col(model.signed_at).is_(None),
                _due(model, step, today),
                col(getattr(model, step.column)).is_(None),
                col(Employee.status) == EmployeeStatus.active,
                *_owed(model, today),
            )
            .order_by(col(model.due_on))
            .limit(BATCH)
        ).all()
        session.commit()
        return list(rows)

    return candidates


def _claim_for(model: type[Any]) -> Any:
    def claim(session: Session, step: Step, row_id: uuid.UUID, now: datetime) -> bool:
        return claim_step(
            session,
            model,
            row_id,
            column=step.column,
            supersedes=step.supersedes,
            now=now,
            still_due=[col(model.signed_at).is_(None), _due(model, step, local_today(now))],
        )

    return claim


def _what(session: Session, row: Any) -> tuple[str, str, str]:
    """(kind, what is owed in words, the page) of a row."""
    if isinstance(row, WispAcknowledgment):
        version = session.get(WispVersion, row.version_id)
        label = version.label if version else "the current version"
        return "ack", f"sign the district's Written Information Security Program ({label})", "/staff/wisp"
    campaign = session.get(TrainingCampaign, row.campaign_id)
    title = campaign.title if campaign else "this year's training"
    return "training", f"certify your attendance at the WISP training “{title}”", "/staff/wisp"


def _notify(session: Session, step: Step, row: Any, now: datetime) -> int:
    employee = session.get(Employee, row.employee_id)
    if employee is None:
        return 0
    kind, what, page = _what(session, row)
    base = get_settings().base_url.rstrip("/")
    due = row.due_on.strftime("%B %-d, %Y")
    if step.to_team:
        to = get_settings().privacy_team_email.lower()
        subject, body, lang = render_email(
            "wisp_duty_overdue",
            "en",
            employee_name=employee.name,
            what=what.replace("your ", "their "),
            due=due,
            staff_url=base + "/staff/compliance",
        )
    else:
        to = employee.email.lower()
        subject, body, lang = render_email(
            "wisp_duty_reminder",
            "en",
            name=employee.name,
            what=what,
            due=due,
            today=step is DUE,
            staff_url=base + page,
        )
    digest = hashlib.sha256(to.encode()).hexdigest()[:16]
    key = f"wisp:{kind}:{row.id}:{step.name}:{digest}"
    queued = int(queue_email(session, to=to, subject=subject, body_text=body, language=lang, dedupe_key=key))
    record(
        session,
        actor=SYSTEM,
        action=f"wisp.{kind}_{step.name}",
        object_type=type(row).__tablename__,
        object_id=row.id,
        details={"employee_id": str(employee.id)},
        at=now,
    )
    return queued


def assign_owed(engine: Engine, *, now: datetime) -> int:
    """Rows for people hired since the current version or an opened campaign began (bulk)."""
    today = local_today(now)
    added = 0
    with Session(engine) as session:
        version = acknowledgments.current_version(session, today=today)
        if version is not None:
            added += acknowledgments.assign_missing(session, version=version, now=now)
        campaigns = session.exec(
            select(TrainingCampaign).where(
                col(TrainingCampaign.opens_on) <= today,
                col(TrainingCampaign.due_on) >= today - timedelta(days=365),
            )
        ).all()
        for campaign in campaigns:
            added += training.assign_missing(session, campaign=campaign)
        session.commit()
    return added


def send_wisp_reminders(engine: Engine, *, now: datetime) -> int:
    """Add what is owed, then claim and notify every due step; returns how many emails were queued."""
    assign_owed(engine, now=now)
    queued = 0
    for model in (WispAcknowledgment, TrainingCertification):
        queued += claim_and_notify(
            engine,
            model=model,
            steps=STEPS,
            candidates=_candidates_for(model),
            claim=_claim_for(model),
            notify=_notify,
            now=now,
            batch=BATCH,
        )
    if queued:
        log.info("WISP reminders: %d emails queued", queued)
    return queued


@job("wisp_reminders", every=timedelta(minutes=15))
def wisp_reminders(ctx: JobContext) -> int:
    """Remind people to sign the WISP and certify training, and tell the team who is overdue, once each."""
    return send_wisp_reminders(ctx.engine, now=ctx.now)
