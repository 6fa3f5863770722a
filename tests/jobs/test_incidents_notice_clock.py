"""The 93H notice clock: the target, the reminder and the escalation, each exactly once."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.jobs.incidents_notice_clock import run_notice_clock
from app.jobs.registry import JOBS
from app.models import Employee, Incident, OutboxMessage, ReporterType, Role
from app.services.incidents.clocks import ClockState, notice_clock, notice_due_at
from tests.support.factories import make_employee

NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
TEAM = "privacy@riverbend.example.org"


def _incident(
    session: Session, *, due_in: timedelta, owner: Employee | None = None, **fields: object
) -> Incident:
    incident = Incident(
        reference=f"INC-2026-{uuid.uuid4().hex[:6]}",
        title="t",
        description="d",
        discovered_at=NOW + due_in - timedelta(days=30),
        reported_at=NOW + due_in - timedelta(days=30),
        reporter_type=ReporterType.staff,
        reporter_label="Someone",
        notice_due_at=NOW + due_in,
        owner_id=owner.id if owner else None,
        **fields,
    )
    session.add(incident)
    session.flush()
    return incident


def _kinds(engine: Engine) -> Counter[str]:
    with Session(engine) as s:
        keys = s.exec(
            select(OutboxMessage.dedupe_key).where(col(OutboxMessage.dedupe_key).like("incident:%"))
        ).all()
    return Counter((k or "").split(":")[2] for k in keys)


def test_job_is_registered() -> None:
    assert "incident_notice_clock" in JOBS


def test_target_is_30_days_from_discovery_or_the_end_of_a_law_enforcement_delay() -> None:
    discovered = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
    assert notice_due_at(discovered) == discovered + timedelta(days=30)
    assert notice_due_at(discovered, date(2026, 3, 10)) == discovered + timedelta(
        days=30
    )  # earlier: no effect
    # Until the end of April 20 in Riverbend (EDT, UTC-4).
    assert notice_due_at(discovered, date(2026, 4, 20)) == datetime(2026, 4, 21, 4, 0, tzinfo=UTC)


def test_clock_states_with_a_frozen_now() -> None:
    due = NOW + timedelta(days=10)
    assert notice_clock(due, None, now=NOW) is ClockState.running
    assert notice_clock(due, None, now=NOW + timedelta(days=3)) is ClockState.due_soon
    assert notice_clock(due, None, now=due + timedelta(seconds=1)) is ClockState.overdue
    assert notice_clock(due, NOW, now=due + timedelta(days=5)) is ClockState.stopped


def test_reminder_then_escalation_each_once(committed: Engine) -> None:
    with Session(committed) as s:
        owner = make_employee(s, roles=[Role.privacy_team])
        admin = make_employee(s, roles=[Role.privacy_admin])
        owner_email, admin_email = owner.email, admin.email
        _incident(s, due_in=timedelta(days=10), owner=owner)
        s.commit()
    assert run_notice_clock(committed, now=NOW) == 0
    for _ in range(3):
        run_notice_clock(committed, now=NOW + timedelta(days=4))
    assert _kinds(committed) == Counter({"remind": 1})
    for _ in range(3):
        run_notice_clock(committed, now=NOW + timedelta(days=11))
    assert _kinds(committed) == Counter({"remind": 1, "escalate": 3})
    with Session(committed) as s:
        escalated = {
            m.recipient for m in s.exec(select(OutboxMessage)).all() if ":escalate:" in (m.dedupe_key or "")
        }
    assert escalated == {TEAM, admin_email, owner_email}


def test_a_stopped_clock_sends_nothing(committed: Engine) -> None:
    with Session(committed) as s:
        _incident(s, due_in=timedelta(days=-1), notice_clock_stopped_at=NOW)
        s.commit()
    assert run_notice_clock(committed, now=NOW) == 0


def test_first_seen_overdue_gets_only_the_escalation(committed: Engine) -> None:
    with Session(committed) as s:
        _incident(s, due_in=timedelta(days=-2))
        s.commit()
    run_notice_clock(committed, now=NOW)
    run_notice_clock(committed, now=NOW + timedelta(minutes=15))
    assert _kinds(committed) == Counter({"escalate": 1})  # the team address, no admins here


def test_two_concurrent_workers_act_once(committed: Engine) -> None:
    with Session(committed) as s:
        make_employee(s, roles=[Role.privacy_admin])
        for i in range(10):
            _incident(s, due_in=timedelta(days=(-1, 3)[i % 2]))
        s.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(3):
                results.append(run_notice_clock(committed, now=NOW))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    # 5 overdue x (team + 1 admin) + 5 reminders to the team address.
    assert _kinds(committed) == Counter({"escalate": 10, "remind": 5})
    assert sum(results) == 15
