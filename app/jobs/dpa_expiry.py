"""Agreements past their expiry date become ``expired``; owners are reminded 90 and 30 days ahead."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.jobs.registry import JobContext, job
from app.services.vendors.expiry import expire_due, send_expiry_reminders
from app.services.vendors.rules import local_today


def run_dpa_expiry(ctx: JobContext) -> int:
    """Expire what is due, then send the due reminders; each in its own transaction."""
    today = local_today(ctx.now)
    with Session(ctx.engine, expire_on_commit=False) as session:
        expired = expire_due(session, today=today, now=ctx.now)
        session.commit()
        reminded = send_expiry_reminders(session, today=today, now=ctx.now)
        session.commit()
    return expired + reminded


@job("dpa_expiry", every=timedelta(hours=1))
def dpa_expiry(ctx: JobContext) -> int:
    """Expire data privacy agreements past their date; remind owners 90 and 30 days before."""
    return run_dpa_expiry(ctx)
