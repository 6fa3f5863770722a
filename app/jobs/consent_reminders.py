"""Consent reminders: guardians who have not answered hear 7 and 2 days before the answer date."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.jobs.registry import JobContext, job
from app.services.consent.reminders import send_reminders
from app.services.vendors.rules import local_today


def run_consent_reminders(ctx: JobContext) -> int:
    with Session(ctx.engine, expire_on_commit=False) as session:
        queued = send_reminders(session, today=local_today(ctx.now))
        session.commit()
    return queued


@job("consent_reminders", every=timedelta(hours=1))
def consent_reminders(ctx: JobContext) -> int:
    """Remind guardians who have not answered a consent request, 7 and 2 days before it is due."""
    return run_consent_reminders(ctx)
