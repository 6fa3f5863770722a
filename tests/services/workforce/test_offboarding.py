"""The offboarding checklist: opened by every termination, ticked or N/A with a reason, closed
when done; a rehire keeps it and a later termination opens a new one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from app.actors import SYSTEM, Actor
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.models import AuditEvent, OffboardingChecklist, OffboardingItem, OffboardingTask, Role
from app.services.identity import staff
from app.services.identity.scim_users import rehire
from app.services.workforce import offboarding
from tests.support.factories import make_employee

NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def _team(db: Session) -> Actor:
    member = make_employee(db, roles=[Role.privacy_team])
    return Actor(type="staff", id=str(member.id), label=member.email, roles=frozenset(member.roles))


def _checklists(db: Session, employee_id: object) -> list[OffboardingChecklist]:
    return list(
        db.exec(
            select(OffboardingChecklist)
            .where(OffboardingChecklist.employee_id == employee_id)
            .order_by(col(OffboardingChecklist.opened_at))
        ).all()
    )


def test_termination_opens_a_checklist_due_after_the_setting(db: Session, frozen_clock: datetime) -> None:
    leaver = make_employee(db)
    staff.terminate_employee(db, actor=SYSTEM, employee_id=leaver.id)
    (checklist,) = _checklists(db, leaver.id)
    assert checklist.due_at - checklist.opened_at == timedelta(days=3)
    items = db.exec(select(OffboardingItem).where(OffboardingItem.checklist_id == checklist.id)).all()
    assert {i.task for i in items} == set(OffboardingTask)
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "offboarding.open")).one()


def test_items_are_ticked_with_who_and_when_or_na_with_a_reason_and_the_checklist_closes(db: Session) -> None:
    leaver = make_employee(db)
    staff.terminate_employee(db, actor=SYSTEM, employee_id=leaver.id)
    (checklist,) = _checklists(db, leaver.id)
    team = _team(db)
    with pytest.raises(ValidationFailed):
        offboarding.mark_not_applicable(
            db, actor=team, checklist_id=checklist.id, task="devices_surrendered", reason="  ", now=NOW
        )
    with pytest.raises(ValidationFailed):
        offboarding.mark_not_applicable(
            db, actor=team, checklist_id=checklist.id, task="devices_surrendered", reason="a\nb", now=NOW
        )
    offboarding.mark_not_applicable(
        db, actor=team, checklist_id=checklist.id, task="devices_surrendered", reason="Had no device", now=NOW
    )
    offboarding.tick_item(db, actor=team, checklist_id=checklist.id, task="records_returned", now=NOW)
    with pytest.raises(InvalidTransition):
        offboarding.tick_item(db, actor=team, checklist_id=checklist.id, task="records_returned", now=NOW)
    view = offboarding.checklist_view(db, checklist_id=checklist.id)
    done = {i.task: i for i in view.items if i.done_at}
    assert done[OffboardingTask.records_returned].done_by == team.uuid
    assert done[OffboardingTask.devices_surrendered].not_applicable_reason == "Had no device"
    assert checklist.closed_at is None
    for task in ("keys_surrendered", "remote_access_disabled", "email_disabled"):
        offboarding.tick_item(db, actor=team, checklist_id=checklist.id, task=task, now=NOW)
    assert checklist.closed_at == NOW
    with pytest.raises(NotFound):
        offboarding.tick_item(db, actor=team, checklist_id=checklist.id, task="nonsense", now=NOW)


def test_a_rehire_keeps_the_checklist_and_a_new_termination_opens_another(db: Session) -> None:
    leaver = make_employee(db)
    staff.terminate_employee(db, actor=SYSTEM, employee_id=leaver.id)
    rehire(db, actor=SYSTEM, employee=leaver)
    staff.terminate_employee(db, actor=SYSTEM, employee_id=leaver.id)
    # the first is still open: no second one while it is
    assert len(_checklists(db, leaver.id)) == 1
    first = _checklists(db, leaver.id)[0]
    team = _team(db)
    for task in OffboardingTask:
        offboarding.tick_item(db, actor=team, checklist_id=first.id, task=task.value, now=NOW)
    rehire(db, actor=SYSTEM, employee=leaver)
    staff.terminate_employee(db, actor=SYSTEM, employee_id=leaver.id)
    assert len(_checklists(db, leaver.id)) == 2


def test_listing_shows_open_checklists_with_items_left(db: Session) -> None:
    leaver = make_employee(db, name="Lee Leaver")
    staff.terminate_employee(db, actor=SYSTEM, employee_id=leaver.id)
    ((_checklist, employee, left),) = offboarding.list_checklists(db, open_only=True)
    assert employee.name == "Lee Leaver" and left == len(OffboardingTask)
