"""Reminders to guardians who have not answered: 7 days and 2 days before the answer date.

Only open requests whose reminder day has come are read (the (status, due_on) index). Each email
carries the outbox dedupe key (request, reminder, guardian), so a guardian hears each reminder
once however many workers run the job, and a request opened after a reminder's day skips it. At
the answer date nothing changes by itself: pending stays pending (silence is never consent).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.actors import SYSTEM
from app.models.consent import ConsentRequest, ConsentRequestStatus
from app.services.consent.emails import email_guardians
from app.services.platform.audit import record
from app.services.vendors.rules import local_today

REMINDERS = (("reminder_2d", 2), ("reminder_7d", 7))  # most urgent first


def due_reminder(request: ConsentRequest, today: date) -> str | None:
    """The one reminder due for a request today, if any (only the most urgent when both are)."""
    if request.status != ConsentRequestStatus.open or today >= request.due_on:
        return None
    opened_on = local_today(request.opened_at) if request.opened_at else today
    for kind, days in REMINDERS:
        day = request.due_on - timedelta(days=days)
        if today >= day and opened_on < day:
            return kind
    return None


def send_reminders(session: Session, *, today: date) -> int:
    """Queue every due reminder; returns how many emails were queued (the caller commits)."""
    requests = session.exec(
        select(ConsentRequest).where(
            col(ConsentRequest.status) == ConsentRequestStatus.open,
            col(ConsentRequest.due_on) > today,
            col(ConsentRequest.due_on) <= today + timedelta(days=7),
        )
    ).all()
    queued = 0
    for request in requests:
        kind = due_reminder(request, today)
        if kind is None:
            continue
        sent = email_guardians(session, request=request, kind=kind)
        if sent:
            record(
                session,
                actor=SYSTEM,
                action="consent.reminder",
                object_type="consent_request",
                object_id=request.id,
                details={"reference": request.reference, "reminder": kind, "guardians": sent},
            )
        queued += sent
    return queued
