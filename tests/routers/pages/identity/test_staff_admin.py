from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actors import SYSTEM
from app.models import AuditEvent, Employee, EmployeeStatus, OutboxMessage, Role
from app.services.identity import staff as staff_service
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee

XSS = '<script>alert("x")</script>'


@pytest.fixture
def admin(db: Session) -> Employee:
    return make_employee(db, name="Amy Admin", roles=[Role.privacy_admin])


@pytest.fixture
def as_admin(client: TestClient, db: Session, admin: Employee) -> TestClient:
    sign_in_as(client, db, admin)
    return client


def _no_redirect(client: TestClient, method: str, url: str, **kw: object):  # type: ignore[no-untyped-def]
    return client.request(method, url, follow_redirects=False, **kw)  # type: ignore[arg-type]


def test_pages_send_visitors_without_a_session_to_sign_in(client: TestClient, db: Session) -> None:
    someone = make_employee(db)
    for path in ("/staff/employees", "/staff/employees/new", f"/staff/employees/{someone.id}"):
        r = _no_redirect(client, "GET", path)
        assert r.status_code == 303 and r.headers["location"].startswith("/staff/sign-in?next=")


def test_posts_without_a_session_are_refused(client: TestClient, db: Session) -> None:
    someone = make_employee(db)
    for path in ("/staff/employees/new", f"/staff/employees/{someone.id}/terminate"):
        r = _no_redirect(client, "POST", path, data={"name": "x"})
        assert r.status_code in (303, 401, 403)
    db.refresh(someone)
    assert someone.status == EmployeeStatus.active


def test_a_session_still_finishing_mfa_is_sent_to_the_challenge(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]), mfa_passed=False)
    r = _no_redirect(client, "GET", "/staff/employees")
    assert r.status_code == 303 and r.headers["location"] == "/staff/mfa"


@pytest.mark.parametrize("role", [Role.staff, Role.privacy_team])
def test_other_roles_are_forbidden_and_the_denial_is_audited(
    client: TestClient, db: Session, role: Role
) -> None:
    someone = make_employee(db)
    sign_in_as(client, db, make_employee(db, roles=[role]))
    for path in ("/staff/employees", "/staff/employees/new", f"/staff/employees/{someone.id}"):
        assert client.get(path).status_code == 403
    assert _no_redirect(client, "POST", f"/staff/employees/{someone.id}/suspend").status_code == 403
    denied = db.exec(
        select(AuditEvent).where(AuditEvent.action == "access.denied").order_by(col(AuditEvent.seq))
    ).all()
    assert len(denied) == 4 and denied[0].details["permission"] == "staff.read"


def test_an_auditor_may_look_but_not_change(client: TestClient, db: Session) -> None:
    someone = make_employee(db, name="Sam Someone")
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    listing = client.get("/staff/employees")
    assert listing.status_code == 200 and "Sam Someone" in listing.text
    assert "Add an employee" not in listing.text
    detail = client.get(f"/staff/employees/{someone.id}")
    assert detail.status_code == 200 and "Save changes" not in detail.text and "Terminate" not in detail.text
    assert client.get("/staff/employees/new").status_code == 403
    r = _no_redirect(client, "POST", f"/staff/employees/{someone.id}", data={"name": "Hacked"})
    assert r.status_code == 403
    r = _no_redirect(client, "POST", f"/staff/employees/{someone.id}/terminate")
    assert r.status_code == 403
    db.refresh(someone)
    assert someone.name == "Sam Someone" and someone.status == EmployeeStatus.active


def test_unknown_or_malformed_ids_are_not_found(as_admin: TestClient) -> None:
    for ident in (str(uuid.uuid4()), "not-a-uuid"):
        assert as_admin.get(f"/staff/employees/{ident}").status_code == 404
        assert (
            _no_redirect(
                as_admin, "POST", f"/staff/employees/{ident}", data={"name": "x", "roles": "staff"}
            ).status_code
            == 404
        )
        assert _no_redirect(as_admin, "POST", f"/staff/employees/{ident}/suspend").status_code == 404


def test_unknown_action_is_not_found(as_admin: TestClient, db: Session) -> None:
    someone = make_employee(db)
    assert _no_redirect(as_admin, "POST", f"/staff/employees/{someone.id}/promote").status_code == 404


def test_list_filters_and_the_live_filter_returns_only_the_table(as_admin: TestClient, db: Session) -> None:
    make_employee(db, name="Zara Nurse", email="zara@riverbend.example.org", roles=[Role.staff])
    make_employee(db, name="Yuri Auditor", roles=[Role.auditor])
    page = as_admin.get("/staff/employees")
    assert page.status_code == 200 and page.headers["vary"] == "HX-Request"
    assert "<html" in page.text and 'hx-trigger="input changed delay:300ms, submit"' in page.text
    assert "Zara Nurse" in page.text and "Yuri Auditor" in page.text

    fragment = as_admin.get("/staff/employees?q=zara&status=&role=", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.headers["vary"] == "HX-Request"
    assert "<html" not in fragment.text and 'id="employee-table"' in fragment.text
    assert "Zara Nurse" in fragment.text and "Yuri Auditor" not in fragment.text

    by_role = as_admin.get("/staff/employees?role=auditor")
    assert "Yuri Auditor" in by_role.text and "Zara Nurse" not in by_role.text
    # Nonsense filters fall back to the whole list rather than failing.
    assert as_admin.get("/staff/employees?status=bogus&page=x").status_code == 200


def test_list_pages(as_admin: TestClient, db: Session) -> None:
    for i in range(30):
        make_employee(db, name=f"Person {i:02d}", roles=[Role.staff], password=None)
    first = as_admin.get("/staff/employees?role=staff")
    assert "Page 1 of 2" in first.text and "role=staff&amp;page=2" in first.text
    second = as_admin.get("/staff/employees?role=staff&page=2")
    assert "Person 29" in second.text and "Person 00" not in second.text


def test_create_form_makes_the_account_and_sends_the_welcome(as_admin: TestClient, db: Session) -> None:
    form = as_admin.get("/staff/employees/new")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    r = _no_redirect(
        as_admin,
        "POST",
        "/staff/employees/new",
        data={
            "email": "New.Hire@Riverbend.example.org",
            "name": "New Hire",
            "title": "Counselor",
            "department": "",
            "roles": ["staff", "privacy_team"],
        },
    )
    assert r.status_code == 303
    hire = db.exec(select(Employee).where(Employee.email == "new.hire@riverbend.example.org")).one()
    assert r.headers["location"] == f"/staff/employees/{hire.id}"
    assert hire.roles == ["staff", "privacy_team"] and hire.password_hash is None
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == hire.email)).one()
    assert "/staff/password-reset" in mail.body_text
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "employee.create")).one()
    assert event.actor_type == "staff" and event.object_id == str(hire.id)


def test_create_form_shows_errors_and_keeps_the_values(as_admin: TestClient, db: Session) -> None:
    r = as_admin.post("/staff/employees/new", data={"email": "nope", "name": XSS, "title": "T"})
    assert r.status_code == 422
    assert "Choose at least one role." in r.text
    assert 'aria-invalid="true"' in r.text and XSS not in r.text and "&lt;script&gt;" in r.text
    make_employee(db, email="taken@riverbend.example.org")
    r = as_admin.post(
        "/staff/employees/new", data={"email": "TAKEN@riverbend.example.org", "name": "X", "roles": "staff"}
    )
    assert r.status_code == 409 and "already exists" in r.text


def test_names_with_markup_are_shown_escaped(as_admin: TestClient, db: Session) -> None:
    evil = make_employee(db, name=XSS, title=XSS)
    for path in ("/staff/employees", f"/staff/employees/{evil.id}"):
        html = as_admin.get(path).text
        assert XSS not in html and "&lt;script&gt;" in html


def test_detail_shows_roles_status_mfa_sessions_and_activity(as_admin: TestClient, db: Session) -> None:
    someone = make_employee(db, name="Dana Detail", roles=[Role.privacy_team])
    staff_service.update_employee(
        db, actor=SYSTEM, employee_id=someone.id, data=staff_service.EmployeeUpdate(title="Analyst")
    )
    html = as_admin.get(f"/staff/employees/{someone.id}").text
    assert "Data Privacy Team" in html and "Active" in html and "Not enrolled yet" in html
    assert "employee.update" in html and 'data-confirm="Terminate Dana Detail?' in html


def test_edit_form_saves_and_refuses_self_demotion(
    as_admin: TestClient, db: Session, admin: Employee
) -> None:
    someone = make_employee(db, roles=[Role.staff])
    r = _no_redirect(
        as_admin,
        "POST",
        f"/staff/employees/{someone.id}",
        data={"name": "Renamed", "title": "", "department": "Library", "roles": ["staff", "auditor"]},
    )
    assert r.status_code == 303
    db.refresh(someone)
    assert (
        someone.name == "Renamed"
        and someone.roles == ["staff", "auditor"]
        and someone.department == "Library"
    )
    r = as_admin.post(f"/staff/employees/{admin.id}", data={"name": "Amy", "roles": ["staff"]})
    assert r.status_code == 409 and "your own administrator role" in r.text
    r = as_admin.post(f"/staff/employees/{someone.id}", data={"name": "", "roles": []})
    assert r.status_code == 422
    db.refresh(admin)
    assert admin.roles == ["privacy_admin"]


def test_suspend_reactivate_terminate_from_the_page(as_admin: TestClient, db: Session) -> None:
    someone = make_employee(db, name="Terry Temp")
    r = _no_redirect(as_admin, "POST", f"/staff/employees/{someone.id}/suspend")
    assert r.status_code == 303 and r.headers["location"] == f"/staff/employees/{someone.id}"
    db.refresh(someone)
    assert someone.status == EmployeeStatus.suspended
    assert "was suspended" in as_admin.get(r.headers["location"]).text
    _no_redirect(as_admin, "POST", f"/staff/employees/{someone.id}/reactivate")
    db.refresh(someone)
    assert someone.status == EmployeeStatus.active
    _no_redirect(as_admin, "POST", f"/staff/employees/{someone.id}/terminate")
    db.refresh(someone)
    assert someone.status == EmployeeStatus.terminated
    # Terminated is final: the page says so instead of failing.
    r = as_admin.post(f"/staff/employees/{someone.id}/reactivate")
    assert r.status_code == 200 and "cannot be active" in r.text
    db.refresh(someone)
    assert someone.status == EmployeeStatus.terminated


def test_an_admin_cannot_terminate_themselves_from_the_page(
    as_admin: TestClient, db: Session, admin: Employee
) -> None:
    r = as_admin.post(f"/staff/employees/{admin.id}/terminate")
    assert r.status_code == 200 and "your own account" in r.text
    db.refresh(admin)
    assert admin.status == EmployeeStatus.active


def test_post_without_csrf_token_is_refused(as_admin: TestClient, db: Session) -> None:
    someone = make_employee(db)
    del as_admin.headers["X-CSRF-Token"]
    r = _no_redirect(as_admin, "POST", f"/staff/employees/{someone.id}/terminate")
    assert r.status_code == 403
    db.refresh(someone)
    assert someone.status == EmployeeStatus.active


def test_a_terminated_employees_session_is_refused_on_the_next_request(
    client: TestClient, db: Session
) -> None:
    admin = make_employee(db, roles=[Role.privacy_admin])
    sign_in_as(client, db, admin)
    assert client.get("/staff/employees").status_code == 200
    staff_service.terminate_employee(db, actor=SYSTEM, employee_id=admin.id)
    r = _no_redirect(client, "GET", "/staff/employees")
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/sign-in")


def test_a_suspended_employees_live_session_ends_even_if_only_the_status_changed(
    client: TestClient, db: Session
) -> None:
    admin = make_employee(db, roles=[Role.privacy_admin])
    sign_in_as(client, db, admin)
    admin.status = EmployeeStatus.suspended  # as if changed elsewhere, without ending sessions
    db.flush()
    r = _no_redirect(client, "GET", "/staff/employees")
    assert r.status_code == 303
