"""Certificates of disposal: a request when an agreement ends, one reminder before the window
closes, one escalation to the team after — exactly once each, with two workers at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.jobs.registry import JOBS
from app.jobs.retention_disposal import send_disposal_requests
from app.models import DisposalRequest, DisposalState, DpaStatus, OutboxMessage
from app.services.retention.disposal import overdue_disposal_certificates
from tests.support.vendors import make_dpa, make_vendor

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in the district
TEAM = "privacy@riverbend.example.org"


def _ended(
    session: Session, *, at: datetime, days: int = 30, contact: str | None = "val@vendor.example.com"
) -> None:
    vendor = make_vendor(session, contact_email=contact)
    make_dpa(session, vendor, status=DpaStatus.terminated, terminated_at=at, disposition_days=days)


def _kinds(engine: Engine) -> Counter[str]:
    with Session(engine) as s:
        keys = s.exec(select(OutboxMessage.dedupe_key).order_by(col(OutboxMessage.created_at))).all()
    return Counter(k.split(":")[2] for k in keys if k and k.startswith("disposal:"))


def test_jobs_are_registered() -> None:
    assert {"disposal_certificates", "retention_purge", "retention_attestations"} <= set(JOBS)


def test_request_then_reminder_then_escalation_once_each(committed: Engine) -> None:
    with Session(committed) as s:
        _ended(s, at=NOW, days=30)
        s.commit()
    assert send_disposal_requests(committed, now=NOW) == 1
    assert send_disposal_requests(committed, now=NOW + timedelta(hours=1)) == 0
    with Session(committed) as s:
        request = s.exec(select(DisposalRequest)).one()
        assert request.due_on.isoformat() == "2026-04-01" and request.state == DisposalState.awaiting
        email = s.exec(select(OutboxMessage)).one()
        assert email.recipient == "val@vendor.example.com" and "1 April 2026" in email.body_text
        assert f"/vendor/disposal/{request.id}" in email.body_text
    assert send_disposal_requests(committed, now=NOW + timedelta(days=22)) == 0  # 8 days before: not yet
    assert send_disposal_requests(committed, now=NOW + timedelta(days=23)) == 1
    assert send_disposal_requests(committed, now=NOW + timedelta(days=30)) == 0  # the last day: not late
    with Session(committed) as s:
        assert overdue_disposal_certificates(s, today=(NOW + timedelta(days=30)).date()) == 0
        assert overdue_disposal_certificates(s, today=(NOW + timedelta(days=31)).date()) == 1
    assert send_disposal_requests(committed, now=NOW + timedelta(days=31)) == 1
    assert send_disposal_requests(committed, now=NOW + timedelta(days=60)) == 0
    assert _kinds(committed) == Counter({"request": 1, "reminder": 1, "escalation": 1})
    with Session(committed) as s:
        escalation = s.exec(
            select(OutboxMessage).where(col(OutboxMessage.dedupe_key).contains(":escalation:"))
        ).one()
        assert escalation.recipient == TEAM


def test_an_agreement_first_seen_after_its_window_gets_the_request_and_the_escalation(
    committed: Engine,
) -> None:
    with Session(committed) as s:
        _ended(s, at=NOW - timedelta(days=90), days=30)
        s.commit()
    send_disposal_requests(committed, now=NOW)
    send_disposal_requests(committed, now=NOW + timedelta(days=2))
    assert _kinds(committed) == Counter({"request": 1, "escalation": 1})


def test_two_concurrent_workers_send_each_once(committed: Engine) -> None:
    with Session(committed) as s:
        for i in range(8):
            _ended(s, at=NOW - timedelta(days=(10, 90)[i % 2]), days=30, contact=f"c{i}@vendor.example.com")
        s.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(3):
                send_disposal_requests(committed, now=NOW)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with Session(committed) as s:
        assert len(s.exec(select(DisposalRequest)).all()) == 8
    assert _kinds(committed) == Counter({"request": 8, "escalation": 4})
