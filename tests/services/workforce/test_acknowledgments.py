"""Acknowledging the WISP: who owes it, when it is due, signing, and a new version asking again."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from app.errors import Conflict, ValidationFailed
from app.models import AuditEvent, EmployeeStatus, WispAcknowledgment
from app.services.workforce import acknowledgments
from tests.support.wisp import NOW, TODAY, actor_of, hired, signature, team, version


def _row(db: Session, version_id: object, employee_id: object) -> WispAcknowledgment:
    return db.exec(
        select(WispAcknowledgment).where(
            WispAcknowledgment.version_id == version_id, WispAcknowledgment.employee_id == employee_id
        )
    ).one()


def test_a_version_in_effect_is_owed_by_every_active_employee_due_30_days_later(db: Session) -> None:
    old_hand = hired(db, date(2019, 5, 1), name="Olga Old")
    new_hire = hired(db, date(2026, 10, 10), name="Nina New")
    gone = hired(db, date(2019, 5, 1), status=EmployeeStatus.terminated)
    v = version(db, team(db), effective_on=date(2026, 10, 1))
    assert _row(db, v.id, old_hand.id).due_on == date(2026, 10, 31)
    assert _row(db, v.id, new_hire.id).due_on == date(2026, 11, 9)  # 30 days after the hire
    assert (
        db.exec(select(WispAcknowledgment).where(WispAcknowledgment.employee_id == gone.id)).first() is None
    )
    assert acknowledgments.assign_missing(db, version=v, now=NOW) == 0  # idempotent


def test_a_version_taking_effect_later_is_not_yet_owed(db: Session) -> None:
    hired(db, date(2019, 5, 1))
    v = version(db, team(db), effective_on=TODAY + timedelta(days=10))
    assert db.exec(select(WispAcknowledgment).where(WispAcknowledgment.version_id == v.id)).first() is None
    assert acknowledgments.current_version(db, today=TODAY) is None


def test_signing_records_the_version_hash_name_time_address_and_is_audited(db: Session) -> None:
    person = hired(db, date(2019, 5, 1), name="José Álvarez")
    v = version(db, team(db), effective_on=date(2026, 10, 1))
    assert acknowledgments.pending_for(db, employee=person, now=NOW) is not None
    row = acknowledgments.sign(
        db, actor=actor_of(person), version_id=v.id, signature=signature("jose  ALVAREZ"), now=NOW
    )
    assert (row.signed_at, row.typed_name, row.sha256, row.client_address) == (
        NOW,
        "jose ALVAREZ",
        v.sha256,
        "198.51.100.7",
    )
    assert acknowledgments.pending_for(db, employee=person, now=NOW) is None
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "wisp.acknowledged")).one()
    assert event.object_id == str(row.id) and event.details["sha256"] == v.sha256
    with pytest.raises(Conflict):
        acknowledgments.sign(
            db, actor=actor_of(person), version_id=v.id, signature=signature("José Álvarez"), now=NOW
        )


def test_a_wrong_name_is_refused_and_nothing_is_written(db: Session) -> None:
    person = hired(db, date(2019, 5, 1), name="José Álvarez")
    v = version(db, team(db), effective_on=date(2026, 10, 1))
    with pytest.raises(ValidationFailed):
        acknowledgments.sign(
            db, actor=actor_of(person), version_id=v.id, signature=signature("Jose Alvares"), now=NOW
        )
    assert _row(db, v.id, person.id).signed_at is None


def test_a_new_version_asks_everyone_again_and_the_old_one_cannot_be_signed(db: Session) -> None:
    person = hired(db, date(2019, 5, 1), name="Ann Able")
    actor = team(db)
    first = version(db, actor, effective_on=date(2025, 10, 1), label="2025")
    acknowledgments.sign(
        db, actor=actor_of(person), version_id=first.id, signature=signature("Ann Able"), now=NOW
    )
    assert acknowledgments.pending_for(db, employee=person, now=NOW) is None
    second = version(db, actor, effective_on=date(2026, 10, 14), label="2026")
    pending = acknowledgments.pending_for(db, employee=person, now=NOW)
    assert pending is not None and pending.version_id == second.id and pending.due_on == date(2026, 11, 13)
    assert not pending.overdue
    with pytest.raises(Conflict):
        acknowledgments.sign(
            db, actor=actor_of(person), version_id=first.id, signature=signature("Ann Able"), now=NOW
        )
    history = acknowledgments.history(db, employee_id=person.id)
    assert [v.label for _, v in history] == ["2025"]


def test_pending_is_overdue_after_the_due_date(db: Session) -> None:
    person = hired(db, date(2019, 5, 1))
    version(db, team(db), effective_on=date(2026, 9, 1))
    pending = acknowledgments.pending_for(db, employee=person, now=NOW)
    assert pending is not None and pending.due_on == date(2026, 10, 1) and pending.overdue


def test_an_upload_that_is_not_a_pdf_is_refused(db: Session) -> None:
    from app.services.workforce import wisp_versions

    with pytest.raises(ValidationFailed) as caught:
        wisp_versions.upload_version(
            db,
            actor=team(db),
            label="x",
            effective_on=TODAY,
            data=b"<html>no</html>",
            file_name="w.pdf",
            now=NOW,
        )
    assert caught.value.errors and caught.value.errors[0]["field"] == "file"
    assert (
        db.exec(select(AuditEvent).where(col(AuditEvent.action) == "wisp.version_uploaded")).first() is None
    )
