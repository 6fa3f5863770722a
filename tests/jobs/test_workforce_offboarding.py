"""Offboarding reminders: one reminder to the team when overdue, one escalation to every privacy
administrator later — each exactly once, across repeated runs and two concurrent workers."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.actors import SYSTEM
from app.jobs.registry import JOBS
from app.jobs.workforce_offboarding import send_offboarding_reminders
from app.models import OffboardingChecklist, OutboxMessage, Role
from app.services.identity import staff
from app.services.workforce import offboarding
from tests.support.factories import make_employee

NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
TEAM = "privacy@riverbend.example.org"


def _terminated(session: Session, *, at: datetime) -> OffboardingChecklist:
    leaver = make_employee(session)
    staff.terminate_employee(session, actor=SYSTEM, employee_id=leaver.id)
    checklist = session.exec(
        select(OffboardingChecklist).where(OffboardingChecklist.employee_id == leaver.id)
    ).one()
    checklist.opened_at, checklist.due_at = at, at + timedelta(days=3)
    session.add(checklist)
    session.flush()
    return checklist


def _emails(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return [
            m
            for m in s.exec(select(OutboxMessage).order_by(col(OutboxMessage.created_at))).all()
            if (m.dedupe_key or "").startswith("offboarding:")
        ]


def _kinds(engine: Engine) -> Counter[str]:
    return Counter((m.dedupe_key or "").split(":")[2] for m in _emails(engine))


def test_job_is_registered() -> None:
    assert "offboarding_reminders" in JOBS


def test_reminder_then_escalation_once_each(committed: Engine) -> None:
    with Session(committed) as s:
        make_employee(s, roles=[Role.privacy_admin], email="admin1@riverbend.example.org")
        make_employee(s, roles=[Role.privacy_admin], email="admin2@riverbend.example.org")
        _terminated(s, at=NOW)
        s.commit()
    assert send_offboarding_reminders(committed, now=NOW + timedelta(days=2)) == 0  # not due yet
    assert send_offboarding_reminders(committed, now=NOW + timedelta(days=3)) == 1
    assert [m.recipient for m in _emails(committed)] == [TEAM]
    assert "overdue" in _emails(committed)[0].subject.lower()
    assert send_offboarding_reminders(committed, now=NOW + timedelta(days=4)) == 0
    assert send_offboarding_reminders(committed, now=NOW + timedelta(days=6)) == 2
    assert _kinds(committed) == Counter({"reminder": 1, "escalation": 2})
    assert send_offboarding_reminders(committed, now=NOW + timedelta(days=30)) == 0


def test_a_finished_checklist_gets_nothing_and_one_first_seen_late_only_the_escalation(
    committed: Engine,
) -> None:
    with Session(committed) as s:
        admin = make_employee(s, roles=[Role.privacy_admin])
        done = _terminated(s, at=NOW)
        late = _terminated(s, at=NOW - timedelta(days=10))
        team = SYSTEM.__class__(type="staff", id=str(admin.id), roles=frozenset(admin.roles))
        for task in offboarding.TASK_LABELS:
            offboarding.tick_item(s, actor=team, checklist_id=done.id, task=task.value, now=NOW)
        s.commit()
        late_id = late.id
    send_offboarding_reminders(committed, now=NOW + timedelta(days=4))
    send_offboarding_reminders(committed, now=NOW + timedelta(days=4, minutes=15))
    emails = _emails(committed)
    assert {m.dedupe_key.split(":")[1] for m in emails if m.dedupe_key} == {str(late_id)}
    assert _kinds(committed) == Counter({"escalation": 1})


def test_two_concurrent_workers_send_each_once(committed: Engine) -> None:
    with Session(committed) as s:
        make_employee(s, roles=[Role.privacy_admin])
        for i in range(10):
            _terminated(s, at=NOW - timedelta(days=(4, 8)[i % 2]))  # 5 reminders due, 5 escalations due
        s.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(3):
                results.append(send_offboarding_reminders(committed, now=NOW))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    keys = [m.dedupe_key for m in _emails(committed)]
    assert len(keys) == len(set(keys))
    assert _kinds(committed) == Counter({"reminder": 5, "escalation": 5})
    assert sum(results) == 10
