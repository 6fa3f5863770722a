"""The WISP review clock (WISP §V: reviewed at least annually): the team hears once 30 days before
the next review is due (12 months after the last one held) and once when it is overdue.

Only the latest review counts: recording a new review starts a new clock (a new row). Each step is
claimed by a conditional UPDATE on the review row, as in ``workforce_offboarding``.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.actors import SYSTEM
from app.config import get_settings
from app.emails import render_email
from app.jobs.claiming import claim_and_notify, claim_step
from app.jobs.registry import JobContext, job
from app.models import WispReview
from app.services.platform.audit import record
from app.services.platform.outbox import queue_email
from app.services.workforce.reviews import REMIND_DAYS_BEFORE
from app.services.workforce.signatures import local_today


@dataclass(frozen=True)
class Step:
    name: str
    column: str
    days_before: int
    supersedes: tuple[str, ...] = ()


OVERDUE = Step("overdue", "overdue_at", -1, ("reminded_at",))
REMINDER = Step("reminder", "reminded_at", REMIND_DAYS_BEFORE)
STEPS = (OVERDUE, REMINDER)


def _conditions(step: Step, now: datetime) -> list[Any]:
    newer = aliased(WispReview)
    later = select(newer.id).where(
        (newer.held_on > WispReview.held_on)
        | ((newer.held_on == WispReview.held_on) & (newer.created_at > WispReview.created_at))
    )
    return [
        col(getattr(WispReview, step.column)).is_(None),
        col(WispReview.next_due_on) <= local_today(now) + timedelta(days=step.days_before),
        ~later.exists(),
    ]


def _candidates(session: Session, step: Step, now: datetime) -> list[uuid.UUID]:
    rows = session.exec(select(WispReview.id).where(*_conditions(step, now)).limit(10)).all()
    session.commit()
    return list(rows)


def _claim(session: Session, step: Step, review_id: uuid.UUID, now: datetime) -> bool:
    return claim_step(
        session,
        WispReview,
        review_id,
        column=step.column,
        supersedes=step.supersedes,
        now=now,
        still_due=_conditions(step, now),
    )


def _notify(session: Session, step: Step, review: WispReview, now: datetime) -> int:
    to = get_settings().privacy_team_email.lower()
    subject, body, lang = render_email(
        "wisp_review_due",
        "en",
        overdue=step is OVERDUE,
        due=review.next_due_on.strftime("%B %-d, %Y"),
        last=review.held_on.strftime("%B %-d, %Y"),
        staff_url=get_settings().base_url.rstrip("/") + "/staff/wisp/reviews",
    )
    key = f"wisp:review:{review.id}:{step.name}:{hashlib.sha256(to.encode()).hexdigest()[:16]}"
    queued = int(queue_email(session, to=to, subject=subject, body_text=body, language=lang, dedupe_key=key))
    record(
        session,
        actor=SYSTEM,
        action=f"wisp.review_{step.name}",
        object_type="wisp_review",
        object_id=review.id,
        details={"next_due_on": review.next_due_on.isoformat()},
        at=now,
    )
    return queued


def send_review_reminders(engine: Engine, *, now: datetime) -> int:
    return claim_and_notify(
        engine,
        model=WispReview,
        steps=STEPS,
        candidates=_candidates,
        claim=_claim,
        notify=_notify,
        now=now,
        batch=10,
    )


@job("wisp_review_reminders", every=timedelta(hours=1))
def wisp_review_reminders(ctx: JobContext) -> int:
    """Tell the team 30 days before the annual WISP review is due, and when it is overdue, once each."""
    return send_review_reminders(ctx.engine, now=ctx.now)
