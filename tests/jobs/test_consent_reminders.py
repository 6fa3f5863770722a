"""Consent reminders through the job: two workers at once send each guardian each reminder once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app import clock
from app.config import get_settings
from app.jobs.consent_reminders import run_consent_reminders
from app.jobs.registry import JobContext
from app.mail import make_transport
from app.models import OutboxMessage
from tests.support.consent import consent_vendor, family, open_request, team_member


def _context(engine: Engine, now: datetime) -> JobContext:
    settings = get_settings()
    return JobContext(engine, settings, make_transport(settings), now)


def test_two_concurrent_workers_send_each_reminder_once(committed: Engine) -> None:
    with Session(committed) as s:
        _, team = team_member(s)
        vendor = consent_vendor(s, team)
        families = [family(s, languages=("en", "es")) for _ in range(3)]
        request = open_request(s, vendor, team, due_in=20)
        guardians = {g.email for f in families for g in f.guardians}
        request_id, due_on = request.id, request.due_on
        s.commit()
    # the day of the 7-day reminder, at noon in the district
    day = datetime.combine(due_on - timedelta(days=7), datetime.min.time(), tzinfo=get_settings().zone)
    now = (day + timedelta(hours=12)).astimezone(clock.now().tzinfo)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(3):
                results.append(run_consent_reminders(_context(committed, now)))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with Session(committed) as s:
        reminders = s.exec(
            select(OutboxMessage).where(
                col(OutboxMessage.dedupe_key).like(f"consent:{request_id}:reminder_7d:%")
            )
        ).all()
    assert sorted(m.recipient for m in reminders) == sorted(guardians)  # each once
    assert sum(results) == len(guardians)
