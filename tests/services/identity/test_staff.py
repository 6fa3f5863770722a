from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from pydantic import ValidationError
from sqlalchemy import event
from sqlmodel import Session, col, select

from app import clock
from app.actors import SYSTEM, Actor
from app.errors import Conflict, InvalidTransition, NotFound
from app.models import (
    AuditEvent,
    Employee,
    EmployeeStatus,
    OutboxMessage,
    Role,
    TotpFactor,
    UserSession,
    WebAuthnCredential,
)
from app.models.schemas.identity.staff import EmployeeCreate, EmployeeFilter, EmployeeUpdate
from app.security.sessions import Browser
from app.services.identity import staff
from tests.support.auth import _request
from tests.support.factories import make_employee


def _admin_actor(employee: Employee) -> Actor:
    return Actor(type="staff", id=str(employee.id), label=employee.email, roles=frozenset(employee.roles))


def _events(db: Session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.seq))
    return list(db.exec(query).all())


def _new(email: str = "New.Person@Riverbend.example.org", **kw: object) -> EmployeeCreate:
    data = {"email": email, "name": "New Person", "roles": ["staff"], **kw}
    return EmployeeCreate.model_validate(data)


@contextmanager
def count_queries(db: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = db.get_bind().engine

    def _on(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", _on)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _on)


def test_create_lowercases_email_audits_and_queues_a_welcome_email(db: Session) -> None:
    employee = staff.create_employee(db, actor=SYSTEM, data=_new(title="Nurse", department="  "))
    assert employee.email == "new.person@riverbend.example.org"
    assert employee.status == EmployeeStatus.active and employee.roles == ["staff"]
    assert employee.password_hash is None and employee.title == "Nurse" and employee.department is None
    (created,) = _events(db, "employee.create")
    assert created.object_id == str(employee.id) and created.details["roles"] == ["staff"]
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == employee.email)).one()
    assert "/staff/password-reset" in mail.body_text and "New Person" in mail.body_text
    assert "password" not in created.details or created.details.get("password_set") is False


def test_create_with_a_password_hashes_it_and_sends_nothing(db: Session) -> None:
    from app.security.passwords import verify_password

    employee = staff.create_employee(
        db, actor=SYSTEM, data=_new(), password="a long enough passphrase", send_welcome=False
    )
    assert verify_password("a long enough passphrase", employee.password_hash)
    assert employee.password_changed_at is not None
    assert db.exec(select(OutboxMessage).where(OutboxMessage.recipient == employee.email)).first() is None


def test_duplicate_email_is_a_conflict_whatever_the_case(db: Session) -> None:
    make_employee(db, email="dup@riverbend.example.org")
    with pytest.raises(Conflict) as caught:
        staff.create_employee(db, actor=SYSTEM, data=_new("DUP@riverbend.example.org"))
    assert caught.value.status == 409
    assert caught.value.errors and caught.value.errors[0]["field"] == "email"


def test_duplicate_hr_id_is_a_conflict(db: Session) -> None:
    make_employee(db, hr_employee_id="HR-1")
    with pytest.raises(Conflict) as caught:
        staff.create_employee(db, actor=SYSTEM, data=_new(hr_employee_id="HR-1"))
    assert caught.value.errors and caught.value.errors[0]["field"] == "hr_employee_id"


@pytest.mark.parametrize(
    "bad",
    [
        {"roles": []},
        {"roles": ["superuser"]},
        {"name": "   "},
        {"email": "not-an-email"},
        {"password_hash": "x"},
    ],
)
def test_create_schema_refuses_bad_input(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        EmployeeCreate.model_validate({"email": "a@b.example.org", "name": "A", "roles": ["staff"], **bad})


def test_update_changes_fields_and_audits_only_real_changes(db: Session) -> None:
    employee = make_employee(db, name="Old Name")
    staff.update_employee(
        db,
        actor=SYSTEM,
        employee_id=employee.id,
        data=EmployeeUpdate(name="New Name", roles=[Role.privacy_team, Role.staff]),
    )
    assert employee.name == "New Name" and employee.roles == ["privacy_team", "staff"]
    (changed,) = _events(db, "employee.update")
    assert changed.details["changes"]["name"] == {"from": "Old Name", "to": "New Name"}
    staff.update_employee(db, actor=SYSTEM, employee_id=employee.id, data=EmployeeUpdate(name="New Name"))
    assert len(_events(db, "employee.update")) == 1


def test_an_admin_cannot_demote_themselves_but_can_demote_another(db: Session) -> None:
    me = make_employee(db, roles=[Role.privacy_admin])
    other = make_employee(db, roles=[Role.privacy_admin])
    with pytest.raises(Conflict, match="own"):
        staff.update_employee(
            db, actor=_admin_actor(me), employee_id=me.id, data=EmployeeUpdate(roles=[Role.staff])
        )
    assert me.roles == ["privacy_admin"]
    staff.update_employee(
        db, actor=_admin_actor(me), employee_id=other.id, data=EmployeeUpdate(roles=[Role.staff])
    )
    assert other.roles == ["staff"]
    # Changing one's own name is fine.
    staff.update_employee(db, actor=_admin_actor(me), employee_id=me.id, data=EmployeeUpdate(name="Me"))


def test_suspend_ends_every_session_at_once_and_reactivate_restores(db: Session) -> None:
    from app.models import Audience
    from app.security.sessions import start_session

    employee = make_employee(db)
    for _ in range(2):
        start_session(db, audience=Audience.staff, principal_id=employee.id, browser=Browser.of(_request()))
    staff.suspend_employee(db, actor=SYSTEM, employee_id=employee.id, reason="on leave")
    rows = db.exec(select(UserSession).where(UserSession.principal_id == employee.id)).all()
    db.refresh(rows[0])
    db.refresh(rows[1])
    assert all(r.ended_at is not None and r.ended_reason == "suspended" for r in rows)
    (ev,) = _events(db, "employee.suspend")
    assert ev.details["sessions_ended"] == 2 and ev.details["reason"] == "on leave"
    with pytest.raises(InvalidTransition):
        staff.suspend_employee(db, actor=SYSTEM, employee_id=employee.id)
    staff.reactivate_employee(db, actor=SYSTEM, employee_id=employee.id)
    assert employee.status == EmployeeStatus.active and _events(db, "employee.reactivate")


def test_terminate_is_final(db: Session) -> None:
    employee = make_employee(db)
    staff.change_status(db, actor=SYSTEM, employee_id=employee.id, action="suspend")
    staff.change_status(db, actor=SYSTEM, employee_id=employee.id, action="terminate")
    assert employee.status == EmployeeStatus.terminated and _events(db, "employee.terminate")
    for action in ("reactivate", "suspend", "terminate"):
        with pytest.raises(InvalidTransition):
            staff.change_status(db, actor=SYSTEM, employee_id=employee.id, action=action)
    with pytest.raises(InvalidTransition):
        staff.update_employee(db, actor=SYSTEM, employee_id=employee.id, data=EmployeeUpdate(name="X"))


def test_an_admin_cannot_suspend_or_terminate_themselves(db: Session) -> None:
    me = make_employee(db, roles=[Role.privacy_admin])
    for action in ("suspend", "terminate"):
        with pytest.raises(Conflict, match="your own account"):
            staff.change_status(db, actor=_admin_actor(me), employee_id=me.id, action=action)
    assert me.status == EmployeeStatus.active


def test_unknown_employee_or_action_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound):
        staff.get_employee(db, employee_id=uuid.uuid4())
    with pytest.raises(NotFound):
        staff.get_employee(db, employee_id=None)
    employee = make_employee(db)
    with pytest.raises(NotFound):
        staff.change_status(db, actor=SYSTEM, employee_id=employee.id, action="promote")


def test_list_searches_filters_and_pages_in_two_queries(db: Session) -> None:
    make_employee(db, name="Zed Auditor", email="zed@riverbend.example.org", roles=[Role.auditor])
    make_employee(db, name="Amy Admin", email="amy@riverbend.example.org", roles=[Role.privacy_admin])
    make_employee(db, name="Bob Team", email="bob@riverbend.example.org", roles=[Role.privacy_team])
    gone = make_employee(db, name="Cat Gone", email="cat@riverbend.example.org")
    gone.status = EmployeeStatus.terminated
    db.flush()
    with count_queries(db) as queries:
        rows, count = staff.list_employees(db, filters=EmployeeFilter(limit=2))
    assert len(queries) == 2
    assert count == 4 and [r.name for r in rows] == ["Amy Admin", "Bob Team"]
    rows, count = staff.list_employees(db, filters=EmployeeFilter(limit=2, offset=2))
    assert [r.name for r in rows] == ["Cat Gone", "Zed Auditor"] and count == 4
    assert [r.name for r in staff.list_employees(db, filters=EmployeeFilter(q="BOB@"))[0]] == ["Bob Team"]
    assert [r.name for r in staff.list_employees(db, filters=EmployeeFilter(q="zed aud"))[0]] == [
        "Zed Auditor"
    ]
    by_status = staff.list_employees(db, filters=EmployeeFilter(status=EmployeeStatus.terminated))
    assert [r.name for r in by_status[0]] == ["Cat Gone"] and by_status[1] == 1
    by_role = staff.list_employees(db, filters=EmployeeFilter(role=Role.privacy_admin))
    assert [r.name for r in by_role[0]] == ["Amy Admin"]
    staff_role = staff.list_employees(db, filters=EmployeeFilter(role=Role.staff))
    assert [r.name for r in staff_role[0]] == ["Cat Gone"]
    # LIKE wildcards in the search are literal.
    assert staff.list_employees(db, filters=EmployeeFilter(q="%"))[1] == 0


def test_filter_treats_empty_values_as_any() -> None:
    f = EmployeeFilter.model_validate({"q": " ", "status": "", "role": ""})
    assert f.q is None and f.status is None and f.role is None


def test_detail_reports_mfa_sessions_and_recent_events(db: Session, frozen_clock) -> None:
    from app.models import Audience
    from app.security.sessions import start_session

    employee = make_employee(db)
    detail = staff.employee_detail(db, employee_id=employee.id)
    assert not detail.mfa_enrolled and detail.active_sessions == 0
    db.add(TotpFactor(employee_id=employee.id, secret_encrypted="x"))  # not confirmed yet
    db.flush()
    assert not staff.employee_detail(db, employee_id=employee.id).mfa_enrolled
    factor = db.exec(select(TotpFactor).where(TotpFactor.employee_id == employee.id)).one()
    factor.confirmed_at = clock.now()
    db.flush()
    assert staff.employee_detail(db, employee_id=employee.id).mfa_enrolled

    other = make_employee(db)
    db.add(WebAuthnCredential(employee_id=other.id, credential_id="abc", public_key=b"k"))
    db.flush()
    assert staff.employee_detail(db, employee_id=other.id).mfa_enrolled

    live = start_session(
        db, audience=Audience.staff, principal_id=employee.id, browser=Browser.of(_request())
    )
    ended = start_session(
        db, audience=Audience.staff, principal_id=employee.id, browser=Browser.of(_request())
    )
    ended.row.ended_at = clock.now()
    db.flush()
    staff.update_employee(db, actor=SYSTEM, employee_id=employee.id, data=EmployeeUpdate(title="Nurse"))
    detail = staff.employee_detail(db, employee_id=employee.id)
    assert detail.active_sessions == 1 and live.row.ended_at is None
    assert [e.action for e in detail.recent_events] == ["employee.update"]
