"""The offboarding checklist (WISP §V): when an employee is terminated, the team confirms that
records containing personal information were returned, devices, keys, keycards and badges
surrendered, and remote access, email and voicemail disabled in other systems.

Each item is ticked (who, when) or marked not applicable with a reason; when every item is done
the checklist closes. It is due ``settings.offboarding_days`` (default 3) after the termination;
the reminder and escalation job (``app.jobs.workforce_offboarding``) acts on overdue ones. A
rehire keeps the old checklist; a later termination opens a new one.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.models import Employee, OffboardingChecklist, OffboardingItem, OffboardingTask
from app.services.platform import audit

OBJECT = "offboarding_checklist"
TASK_LABELS = {
    OffboardingTask.records_returned: "Records containing personal information returned",
    OffboardingTask.devices_surrendered: "Devices surrendered (laptop, phone, storage)",
    OffboardingTask.keys_surrendered: "Keys, keycards and badges surrendered",
    OffboardingTask.remote_access_disabled: "Remote access disabled in other systems",
    OffboardingTask.email_disabled: "Email and voicemail disabled",
}


def open_checklist(
    session: Session, *, actor: Actor, employee: Employee, now: datetime | None = None
) -> None:
    """Open a checklist for a termination, unless one is already open for this employee."""
    now = now or clock.now()
    already = session.exec(
        select(OffboardingChecklist.id).where(
            col(OffboardingChecklist.employee_id) == employee.id,
            col(OffboardingChecklist.closed_at).is_(None),
        )
    ).first()
    if already is not None:
        return
    checklist = OffboardingChecklist(
        employee_id=employee.id, opened_at=now, due_at=now + timedelta(days=get_settings().offboarding_days)
    )
    session.add(checklist)
    session.flush()
    session.add_all([OffboardingItem(checklist_id=checklist.id, task=task) for task in OffboardingTask])
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="offboarding.open",
        object_type=OBJECT,
        object_id=checklist.id,
        details={"employee_id": str(employee.id)},
        at=now,
    )


@dataclass
class ChecklistView:
    checklist: OffboardingChecklist
    employee: Employee
    items: list[OffboardingItem]
    done_by: dict[uuid.UUID, str]  # employee id → name, for the people who ticked items

    def overdue(self, now: datetime) -> bool:
        return self.checklist.closed_at is None and now >= self.checklist.due_at


def list_checklists(
    session: Session, *, open_only: bool, limit: int = 100
) -> list[tuple[OffboardingChecklist, Employee, int]]:
    """Checklists (open first, oldest due first) with their employee and items still to do."""
    remaining = (
        select(func.count())
        .select_from(OffboardingItem)
        .where(
            col(OffboardingItem.checklist_id) == OffboardingChecklist.id,
            col(OffboardingItem.done_at).is_(None),
        )
        .scalar_subquery()
    )
    query = select(OffboardingChecklist, Employee, remaining).join(
        Employee, col(Employee.id) == col(OffboardingChecklist.employee_id)
    )
    if open_only:
        query = query.where(col(OffboardingChecklist.closed_at).is_(None))
    rows = session.exec(
        query.order_by(
            col(OffboardingChecklist.closed_at).is_not(None), col(OffboardingChecklist.due_at)
        ).limit(limit)
    ).all()
    return [(c, e, int(n)) for c, e, n in rows]


def checklist_view(session: Session, *, checklist_id: uuid.UUID | None) -> ChecklistView:
    checklist = session.get(OffboardingChecklist, checklist_id) if checklist_id else None
    if checklist is None:
        raise NotFound("There is no such checklist.")
    employee = session.get(Employee, checklist.employee_id)
    if employee is None:  # cannot happen: a foreign key
        raise NotFound("There is no such checklist.")
    items = list(
        session.exec(select(OffboardingItem).where(col(OffboardingItem.checklist_id) == checklist.id)).all()
    )
    order = list(OffboardingTask)
    items.sort(key=lambda i: order.index(i.task))
    people = {i.done_by for i in items if i.done_by}
    names = (
        dict(session.exec(select(Employee.id, Employee.name).where(col(Employee.id).in_(people))).all())
        if people
        else {}
    )
    return ChecklistView(checklist, employee, items, names)


def _item(
    session: Session, checklist_id: uuid.UUID | None, task: str
) -> tuple[OffboardingChecklist, OffboardingItem]:
    view = checklist_view(session, checklist_id=checklist_id)
    item = next((i for i in view.items if i.task.value == task), None)
    if item is None:
        raise NotFound("There is no such item.")
    if item.done_at is not None:
        raise InvalidTransition("This item is already done.")
    return view.checklist, item


def _finish(
    session: Session,
    actor: Actor,
    checklist: OffboardingChecklist,
    item: OffboardingItem,
    now: datetime,
    action: str,
) -> None:
    item.done_at = now
    item.done_by = actor.employee_id
    session.add(item)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type=OBJECT,
        object_id=checklist.id,
        details={"task": item.task.value},
        at=now,
    )
    left = session.exec(
        select(func.count())
        .select_from(OffboardingItem)
        .where(col(OffboardingItem.checklist_id) == checklist.id, col(OffboardingItem.done_at).is_(None))
    ).one()
    if left == 0:
        checklist.closed_at = now
        session.add(checklist)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="offboarding.close",
            object_type=OBJECT,
            object_id=checklist.id,
            at=now,
        )


def tick_item(
    session: Session, *, actor: Actor, checklist_id: uuid.UUID | None, task: str, now: datetime
) -> OffboardingChecklist:
    checklist, item = _item(session, checklist_id, task)
    _finish(session, actor, checklist, item, now, "offboarding.tick")
    return checklist


def mark_not_applicable(
    session: Session, *, actor: Actor, checklist_id: uuid.UUID | None, task: str, reason: str, now: datetime
) -> OffboardingChecklist:
    reason = reason.strip()
    problem = None
    if not reason:
        problem = "Say why this item does not apply."
    elif len(reason) > 500:
        problem = "Keep the reason under 500 characters."
    elif any(unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029" for ch in reason):
        problem = "Write the reason on one line."
    if problem:
        raise ValidationFailed(problem, errors=[{"field": "reason", "message": problem}])
    checklist, item = _item(session, checklist_id, task)
    item.not_applicable_reason = reason
    _finish(session, actor, checklist, item, now, "offboarding.not_applicable")
    return checklist
