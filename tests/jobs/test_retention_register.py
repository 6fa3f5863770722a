"""The district's retention register: one reminder per due date that passes unattested; an
attestation moves the next due date a period past the purge it records."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.errors import ValidationFailed
from app.jobs.retention_register import send_attestation_reminders
from app.models import DisposalMethod, OutboxMessage, RetentionDuty, Role
from app.models.schemas.retention import AttestationCreate, DutyCreate
from app.services.retention import register
from tests.support.disputes import staff_actor
from tests.support.factories import make_employee

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _reminders(engine: Engine) -> list[str]:
    with Session(engine) as s:
        keys = s.exec(select(OutboxMessage.dedupe_key).order_by(col(OutboxMessage.created_at))).all()
    return [k for k in keys if k and k.startswith("retention-duty:")]


def test_a_reminder_once_per_due_date_and_an_attestation_moves_it(committed: Engine) -> None:
    with Session(committed, expire_on_commit=False) as s:
        team = staff_actor(make_employee(s, roles=[Role.privacy_team]))
        duty = register.add_duty(
            s,
            actor=team,
            data=DutyCreate(
                name="Video", records="Camera footage", period_days=30, owner="Facilities", basis="DPP §III"
            ),
            now=NOW,
        )
        s.commit()
    assert duty.next_due_on == date(2026, 4, 1)
    assert send_attestation_reminders(committed, now=NOW + timedelta(days=30)) == 0  # due today: not late
    assert send_attestation_reminders(committed, now=NOW + timedelta(days=31)) == 1
    assert send_attestation_reminders(committed, now=NOW + timedelta(days=40)) == 0
    with Session(committed) as s:
        register.attest(
            s,
            actor=team,
            duty_id=duty.id,
            data=AttestationCreate(
                performed_on=date(2026, 4, 10), performed_by="J. Smith", method=DisposalMethod.overwrite
            ),
            now=NOW + timedelta(days=40),
        )
        s.commit()
        assert s.get(RetentionDuty, duty.id).next_due_on == date(2026, 5, 10)  # type: ignore[union-attr]
    assert send_attestation_reminders(committed, now=NOW + timedelta(days=70)) == 1
    assert len(_reminders(committed)) == 2


def test_an_attestation_cannot_be_in_the_future(db: Session) -> None:
    team = staff_actor(make_employee(db, roles=[Role.privacy_team]))
    duty = register.add_duty(
        db,
        actor=team,
        data=DutyCreate(name="Paper", records="Files", period_days=365, owner="Office", basis="WISP §VII"),
        now=NOW,
    )
    with pytest.raises(ValidationFailed):
        register.attest(
            db,
            actor=team,
            duty_id=duty.id,
            data=AttestationCreate(
                performed_on=date(2026, 3, 3), performed_by="A", method=DisposalMethod.shred
            ),
            now=NOW,
        )
    with pytest.raises(ValidationFailed):
        register.add_duty(
            db,
            actor=team,
            data=DutyCreate(name="Paper", records="x", period_days=1, owner="y", basis="z"),
            now=NOW,
        )


def test_two_workers_remind_once(committed: Engine) -> None:
    with Session(committed) as s:
        for i in range(6):
            s.add(
                RetentionDuty(
                    name=f"Duty {i}",
                    records="r",
                    period_days=7,
                    owner="o",
                    basis="b",
                    next_due_on=date(2026, 2, 1),
                )
            )
        s.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            send_attestation_reminders(committed, now=NOW)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    keys = _reminders(committed)
    assert len(keys) == 6 == len(set(keys))
