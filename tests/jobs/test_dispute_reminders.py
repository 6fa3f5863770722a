"""Dispute reminders: each threshold exactly once, across repeated runs and concurrent workers."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.jobs.dispute_reminders import send_reminders
from app.jobs.registry import JOBS
from app.models import Dispute, DisputeCategory, DisputeStatus, Employee, EmployeeStatus, OutboxMessage, Role
from tests.support.factories import make_employee

NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
TEAM = "privacy@riverbend.example.org"


def _dispute(
    session: Session, *, due_in: timedelta, assignee: Employee | None = None, **fields: object
) -> Dispute:
    dispute = Dispute(
        reference=f"D-2026-{uuid.uuid4().hex[:6]}",
        requester_name="Requester",
        requester_email="requester@example.net",
        requester_relation="parent",
        category=DisputeCategory.other,
        description="x",
        received_at=NOW + due_in - timedelta(days=21),
        due_at=NOW + due_in,
        assignee_id=assignee.id if assignee else None,
        **fields,
    )
    session.add(dispute)
    session.flush()
    return dispute


def _emails(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(col(OutboxMessage.created_at))).all())


def _kinds(engine: Engine) -> Counter[str]:
    return Counter((m.dedupe_key or "").split(":")[2] for m in _emails(engine))


def test_job_is_registered() -> None:
    assert JOBS["dispute_reminders"].every == timedelta(minutes=15)


def test_each_threshold_once_across_repeated_runs(committed: Engine) -> None:
    with Session(committed) as s:
        assignee = make_employee(s, roles=[Role.privacy_team])
        admin = make_employee(s, roles=[Role.privacy_admin])
        make_employee(s, roles=[Role.privacy_admin], status=EmployeeStatus.suspended)
        dispute = _dispute(s, due_in=timedelta(days=10), assignee=assignee)
        s.commit()
        assignee_email, admin_email, dispute_id = assignee.email, admin.email, dispute.id

    assert send_reminders(committed, now=NOW) == 0  # 10 days left: nothing yet
    at_7d = NOW + timedelta(days=3, minutes=1)
    for _ in range(3):
        send_reminders(committed, now=at_7d)
    emails = _emails(committed)
    assert [(m.recipient, m.dedupe_key) for m in emails] == [(assignee_email, f"dispute:{dispute_id}:7d")]
    assert "due in 7 days" in emails[0].subject

    at_2d = NOW + timedelta(days=8, hours=1)
    for _ in range(3):
        send_reminders(committed, now=at_2d)
    assert _kinds(committed) == Counter({"7d": 1, "2d": 1})

    overdue = NOW + timedelta(days=10, minutes=1)
    for _ in range(3):
        send_reminders(committed, now=overdue)
    escalations = [m for m in _emails(committed) if ":overdue" in (m.dedupe_key or "")]
    assert sorted(m.recipient for m in escalations) == sorted([TEAM, admin_email, assignee_email])
    assert all(m.subject.startswith("OVERDUE") for m in escalations)
    assert send_reminders(committed, now=overdue + timedelta(days=5)) == 0
    with Session(committed) as s:
        stored = s.get(Dispute, dispute_id)
        assert stored is not None
        assert (stored.reminded_7d_at, stored.reminded_2d_at, stored.overdue_notified_at) == (
            at_7d,
            at_2d,
            overdue,
        )


def test_unassigned_goes_to_the_team_address(committed: Engine) -> None:
    with Session(committed) as s:
        _dispute(s, due_in=timedelta(days=6))
        s.commit()
    send_reminders(committed, now=NOW)
    assert [m.recipient for m in _emails(committed)] == [TEAM]


def test_first_seen_late_gets_only_the_most_urgent(committed: Engine) -> None:
    with Session(committed) as s:
        within_2d = _dispute(s, due_in=timedelta(days=1))
        late = _dispute(s, due_in=-timedelta(days=3))
        s.commit()
        ids = {within_2d.id: "2d", late.id: "overdue"}
    send_reminders(committed, now=NOW)
    send_reminders(committed, now=NOW + timedelta(minutes=15))
    by_dispute = Counter(
        ((m.dedupe_key or "").split(":")[1], (m.dedupe_key or "").split(":")[2]) for m in _emails(committed)
    )
    assert set(by_dispute) == {(str(i), kind) for i, kind in ids.items()}
    assert by_dispute[(str(within_2d.id), "2d")] == 1


def test_answered_or_withdrawn_before_a_threshold_gets_nothing(committed: Engine) -> None:
    with Session(committed) as s:
        _dispute(s, due_in=timedelta(days=5), status=DisputeStatus.responded, responded_at=NOW, sla_met=True)
        _dispute(s, due_in=-timedelta(days=1), status=DisputeStatus.withdrawn, withdrawn_at=NOW)
        _dispute(s, due_in=-timedelta(days=1), status=DisputeStatus.closed)
        s.commit()
    assert send_reminders(committed, now=NOW + timedelta(days=10)) == 0
    assert _emails(committed) == []


def test_two_concurrent_workers_send_each_reminder_once(committed: Engine) -> None:
    with Session(committed) as s:
        make_employee(s, roles=[Role.privacy_admin])
        for i in range(12):
            _dispute(s, due_in=timedelta(days=(-1, 1, 5)[i % 3]))  # overdue, 2d, 7d
        s.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(3):
                results.append(send_reminders(committed, now=NOW))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    emails = _emails(committed)
    keys = [m.dedupe_key for m in emails]
    assert len(keys) == len(set(keys))
    # 4 overdue x (team + 1 admin) + 4 at 2 days + 4 at 7 days, split however between the workers.
    assert _kinds(committed) == Counter({"overdue": 8, "2d": 4, "7d": 4})
    assert sum(results) == 16
