"""Demo incidents: every state, one vendor-reported 93H breach with both notices sent and its review."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.demo import load_demo
from app.models import Incident, IncidentNotice, IncidentStatus, OutboxMessage, OutboxStatus, ReporterType
from app.services.incidents.review import review_missing
from app.services.platform.audit import verify_chain


def test_every_state_and_the_vendor_breach(db: Session, frozen_clock: datetime) -> None:
    summary = load_demo(db)
    incidents = list(db.exec(select(Incident)).all())
    assert summary["demo incidents"] == len(incidents) >= 8
    assert {i.status for i in incidents} == set(IncidentStatus)
    vendor_breach = [
        i
        for i in incidents
        if i.reporter_type is ReporterType.vendor and i.status is IncidentStatus.closed and i.notice_required
    ]
    assert len(vendor_breach) == 1
    breach = vendor_breach[0]
    sent = db.exec(select(IncidentNotice).where(IncidentNotice.incident_id == breach.id)).all()
    assert len(sent) == 2 and all(n.sent_on for n in sent)
    assert review_missing(db, breach) == []
    # history: nothing waits to be sent (the consent demo's opening emails are marked sent)
    assert db.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.pending)).first() is None
    assert verify_chain(db).ok
    # Thresholds already passed are handled: the job has no stale burst to send on first run.
    soon = frozen_clock + timedelta(days=7)
    for i in incidents:
        if i.notice_clock_stopped_at is None and i.notice_due_at <= soon:
            assert i.notice_reminded_at is not None
        if i.notice_clock_stopped_at is None and i.notice_due_at < frozen_clock:
            assert i.notice_escalated_at is not None
    states = {i.status: i for i in incidents}
    assert states[IncidentStatus.notifying].notice_clock_stopped_at is None
