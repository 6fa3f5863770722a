"""Demo retention: the schedule's defaults (settings, nothing stored), a legal hold on a dispute,
yesterday's purge run, requests for certificates of disposal for the demo's ended agreements, and
the district's own retention register with its attestations (one of them late)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.models import (
    DisposalMethod,
    Dispute,
    DutyAttestation,
    Employee,
    HoldSubject,
    RetentionDuty,
    RetentionRun,
    RunStatus,
)
from app.models.schemas.retention import HoldCreate
from app.services.retention import holds
from app.services.retention.disposal import open_requests
from app.services.retention.schedule import SCHEDULE, district_today

# (name, records, period in days, owner, basis, days since the last attested purge and how; None: never)
DUTIES: list[tuple[str, str, int, str, str, tuple[int, DisposalMethod] | None]] = [
    (
        "Web filter logs",
        "Students' web searches and sites visited, kept by the content filter",
        7,
        "Technology Office",
        "DPP §III: the content filter overwrites this information every 7 days",
        (3, DisposalMethod.overwrite),
    ),
    (
        "Video surveillance",
        "Camera footage in and around the schools",
        30,
        "Facilities and building principals",
        "DPP §III: retained up to 30 days, then overwritten unless held for an investigation",
        (12, DisposalMethod.overwrite),
    ),
    (
        "Email archive of students who left",
        "The archived school email of students no longer enrolled",
        365,
        "Technology Office",
        "DPP §III: purged annually, over the summer",
        (120, DisposalMethod.wipe),
    ),
    (
        "Paper records with personal information",
        "Paper files past their retention in the school offices",
        180,
        "Main office of each school",
        "WISP §VII and M.G.L. c. 93I §2: shredded so they cannot be read or reconstructed",
        None,
    ),
]


def _register(session: Session, today: date, admin: Employee | None) -> int:
    now = clock.now()
    for name, records, period, owner, basis, last in DUTIES:
        duty = RetentionDuty(
            name=name,
            records=records,
            period_days=period,
            owner=owner,
            basis=basis,
            next_due_on=today - timedelta(days=10),  # no attestation yet: late
            created_at=now - timedelta(days=400),
        )
        session.add(duty)
        session.flush()
        if last is not None:
            days_ago, method = last
            for n in range(3):  # the last three purges, a period apart
                performed = today - timedelta(days=days_ago + n * period)
                session.add(
                    DutyAttestation(
                        duty_id=duty.id,
                        performed_on=performed,
                        performed_by=owner,
                        method=method,
                        recorded_by_id=admin.id if admin else None,
                        recorded_at=now - timedelta(days=days_ago + n * period),
                    )
                )
            duty.next_due_on = today - timedelta(days=days_ago) + timedelta(days=period)
            session.add(duty)
    session.flush()
    return len(DUTIES)


def load_retention(session: Session) -> dict[str, int]:
    if session.exec(select(RetentionDuty.id).limit(1)).first() is not None:
        return {"demo retention duties": 0}
    now = clock.now()
    today = district_today(now)
    admin = session.exec(select(Employee).where(col(Employee.email) == "admin@riverbend.example.org")).first()
    placed = 0
    dispute = session.exec(select(Dispute).order_by(col(Dispute.received_at)).limit(1)).first()
    if admin is not None and dispute is not None:
        team = Actor(type="staff", id=str(admin.id), label=admin.email, roles=frozenset(admin.roles))
        reason = "The family's attorney asked the district to preserve the records of this concern."
        holds.place_hold(
            session,
            actor=team,
            data=HoldCreate(subject_type=HoldSubject.dispute, subject=dispute.reference, reason=reason),
            now=now - timedelta(days=2),
        )
        placed = 1
    yesterday = now - timedelta(days=1)
    purged = {"email_link": 14, "user_session": 6, "outbox_body": 31}
    session.add(
        RetentionRun(
            started_at=yesterday,
            heartbeat_at=yesterday + timedelta(seconds=4),
            finished_at=yesterday + timedelta(seconds=4),
            status=RunStatus.finished,
            trigger="job",
            today=today - timedelta(days=1),
            progress={
                r.key: {"due": purged.get(r.key, 0), "purged": purged.get(r.key, 0), "held": 0, "done": True}
                for r in SCHEDULE
            },
        )
    )
    requests = open_requests(session, now=now)
    duties = _register(session, today, admin)
    session.flush()
    return {
        "demo retention holds": placed,
        "demo retention runs": 1,
        "demo disposal requests": requests,
        "demo retention duties": duties,
    }
