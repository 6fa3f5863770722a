"""Certificates of disposal: open a request for each ended agreement, then — each exactly once,
however many workers run — email the vendor's contacts the request, remind them
``disposal_reminder_days`` before the window closes, and escalate to the team after it closed.

Rows are claimed as ``workforce_offboarding`` claims them: a conditional UPDATE that only one
worker wins, committed with the emails (which carry outbox dedupe keys). A request first seen
after its window gets the request and the escalation, not the reminder.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.actors import SYSTEM
from app.config import get_settings
from app.emails import email_date, render_email
from app.jobs.claiming import claim_and_notify, claim_step
from app.jobs.registry import JobContext, job
from app.models import DisposalRequest, DisposalState, Dpa, Vendor, VendorContact
from app.services.platform.audit import record
from app.services.platform.outbox import queue_email
from app.services.retention.disposal import open_requests
from app.services.retention.schedule import district_today

log = logging.getLogger(__name__)

BATCH = 200


@dataclass(frozen=True)
class Step:
    name: str
    column: str
    template: str
    to_team: bool
    supersedes: tuple[str, ...] = ()


REQUEST = Step("request", "requested_at", "disposal_request", False)
ESCALATION = Step("escalation", "escalated_at", "disposal_overdue", True, ("reminded_at",))
REMINDER = Step("reminder", "reminded_at", "disposal_reminder", False)
STEPS = (REQUEST, ESCALATION, REMINDER)


def _due(step: Step, now: datetime) -> Any:
    today = district_today(now)
    awaiting = col(DisposalRequest.state) == DisposalState.awaiting
    if step is REQUEST:
        return awaiting
    if step is ESCALATION:
        return sa.and_(
            awaiting, col(DisposalRequest.due_on) < today, col(DisposalRequest.requested_at).is_not(None)
        )
    reminder_from = today + timedelta(days=get_settings().disposal_reminder_days)
    return sa.and_(
        awaiting,
        col(DisposalRequest.due_on) <= reminder_from,
        col(DisposalRequest.due_on) >= today,
        col(DisposalRequest.requested_at) <= now - timedelta(days=1),  # not the day it was asked
    )


def _candidates(session: Session, step: Step, now: datetime) -> list[uuid.UUID]:
    rows = session.exec(
        select(DisposalRequest.id)
        .where(_due(step, now), col(getattr(DisposalRequest, step.column)).is_(None))
        .order_by(col(DisposalRequest.due_on))
        .limit(BATCH)
    ).all()
    session.commit()
    return list(rows)


def _claim(session: Session, step: Step, request_id: uuid.UUID, now: datetime) -> bool:
    return claim_step(
        session,
        DisposalRequest,
        request_id,
        column=step.column,
        supersedes=step.supersedes,
        now=now,
        still_due=[_due(step, now)],
    )


# The words for "the agreement" when it names no products, in each contact's language.
AN_AGREEMENT = {
    "en": "data privacy agreement",
    "es": "acuerdo de privacidad de datos",
    "pt": "acordo de privacidade de dados",
}


def _day(value: date | datetime | None, language: str = "en") -> str:
    if isinstance(value, datetime):
        value = value.astimezone(get_settings().zone).date()
    return email_date(value, language) if value else "an unknown day"


def _notify(session: Session, step: Step, request: DisposalRequest, now: datetime) -> int:
    dpa, vendor = session.get(Dpa, request.dpa_id), session.get(Vendor, request.vendor_id)
    base = get_settings().base_url.rstrip("/")
    context = {
        "vendor_name": vendor.name if vendor else "A vendor",
        "portal_url": f"{base}/vendor/disposal/{request.id}",
        "staff_url": f"{base}/staff/retention/disposals",
    }
    if step.to_team:
        recipients = [(get_settings().privacy_team_email.lower(), "", "en")]
    else:  # each contact in their own language (English until they choose one)
        contacts = session.exec(
            select(VendorContact.email, VendorContact.name, VendorContact.preferred_language).where(
                col(VendorContact.vendor_id) == request.vendor_id, col(VendorContact.active).is_(True)
            )
        ).all()
        recipients = sorted({(email.lower(), name, language or "en") for email, name, language in contacts})
    queued = 0
    for to, name, language in recipients:
        lang = language if language in AN_AGREEMENT else "en"
        dated = {
            "agreement": dpa.products if dpa and dpa.products else AN_AGREEMENT[lang],
            "ended_on": _day(request.ended_on, lang),
            "due_on": _day(request.due_on, lang),
            "requested_on": _day(request.requested_at, lang),
        }
        subject, body, lang = render_email(step.template, lang, contact_name=name, **context, **dated)
        digest = hashlib.sha256(to.encode()).hexdigest()[:16]
        key = f"disposal:{request.id}:{step.name}:{digest}"
        if queue_email(session, to=to, subject=subject, body_text=body, language=lang, dedupe_key=key):
            queued += 1
    record(
        session,
        actor=SYSTEM,
        action=f"disposal.{step.name}",
        object_type="disposal_request",
        object_id=request.id,
        details={"recipients": len(recipients), "dpa_id": str(request.dpa_id)},
        at=now,
    )
    return queued


def send_disposal_requests(engine: Engine, *, now: datetime) -> int:
    """Open the missing requests, then claim and notify every due step; returns emails queued."""
    with Session(engine) as session:
        open_requests(session, now=now)
        session.commit()
    queued = claim_and_notify(
        engine,
        model=DisposalRequest,
        steps=STEPS,
        candidates=_candidates,
        claim=_claim,
        notify=_notify,
        now=now,
        batch=BATCH,
    )
    if queued:
        log.info("disposal certificates: %d emails queued", queued)
    return queued


@job("disposal_certificates", every=timedelta(hours=1))
def disposal_certificates(ctx: JobContext) -> int:
    """Ask vendors of ended agreements for a certificate of disposal; remind once, escalate once."""
    return send_disposal_requests(ctx.engine, now=ctx.now)
