"""One reminder to the team for each due date of a duty in the district's retention register
that has passed without an attestation. Claimed by a conditional UPDATE
(``reminded_due_on = next_due_on`` where it was not already) so that two workers send it once.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from app.actors import SYSTEM
from app.config import get_settings
from app.emails import render_email
from app.jobs.claiming import claim_and_notify
from app.jobs.registry import JobContext, job
from app.models import RetentionDuty
from app.services.platform.audit import record
from app.services.platform.outbox import queue_email
from app.services.retention.schedule import district_today

BATCH = 200
STEPS = ("attestation_due",)


def _due(now: datetime) -> Any:
    return sa.and_(
        col(RetentionDuty.next_due_on) < district_today(now),
        sa.or_(
            col(RetentionDuty.reminded_due_on).is_(None),
            col(RetentionDuty.reminded_due_on) != col(RetentionDuty.next_due_on),
        ),
    )


def _candidates(session: Session, step: str, now: datetime) -> list[uuid.UUID]:
    rows = session.exec(
        select(RetentionDuty.id).where(_due(now)).order_by(col(RetentionDuty.next_due_on)).limit(BATCH)
    ).all()
    session.commit()
    return list(rows)


def _claim(session: Session, step: str, duty_id: uuid.UUID, now: datetime) -> bool:
    result = session.execute(
        update(RetentionDuty)
        .where(col(RetentionDuty.id) == duty_id, _due(now))
        .values(reminded_due_on=RetentionDuty.next_due_on)
        .returning(col(RetentionDuty.id))
    )
    return result.first() is not None


def _notify(session: Session, step: str, duty: RetentionDuty, now: datetime) -> int:
    team = get_settings().privacy_team_email.lower()
    subject, body, lang = render_email(
        "retention_attestation_due",
        "en",
        duty_name=duty.name,
        records=duty.records,
        owner=duty.owner,
        basis=duty.basis,
        due_on=f"{duty.next_due_on:%-d %B %Y}",
        staff_url=get_settings().base_url.rstrip("/") + "/staff/retention/register",
    )
    digest = hashlib.sha256(team.encode()).hexdigest()[:16]
    key = f"retention-duty:{duty.id}:{duty.next_due_on.isoformat()}:{digest}"
    queued = int(
        queue_email(session, to=team, subject=subject, body_text=body, language=lang, dedupe_key=key)
    )
    record(
        session,
        actor=SYSTEM,
        action="retention.attestation_due",
        object_type="retention_duty",
        object_id=duty.id,
        details={"due_on": duty.next_due_on.isoformat()},
        at=now,
    )
    return queued


def send_attestation_reminders(engine: Engine, *, now: datetime) -> int:
    return claim_and_notify(
        engine,
        model=RetentionDuty,
        steps=STEPS,
        candidates=_candidates,
        claim=_claim,
        notify=_notify,
        now=now,
        batch=BATCH,
    )


@job("retention_attestations", every=timedelta(hours=6))
def retention_attestations(ctx: JobContext) -> int:
    """Remind the team once when a duty of the district's retention register is past due unattested."""
    return send_attestation_reminders(ctx.engine, now=ctx.now)
