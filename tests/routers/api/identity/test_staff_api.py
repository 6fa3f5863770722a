from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, EmployeeStatus, OutboxMessage, Role
from app.security.tokens import issue_access_token
from tests.support.auth import sign_in_as
from tests.support.factories import make_api_client, make_employee


def _bearer(db: Session, scopes: list[str]) -> dict[str, str]:
    api_client, _ = make_api_client(db, scopes=scopes)
    token, _ = issue_access_token(
        client_id=api_client.client_id, scopes=scopes, secret_version=api_client.secret_version
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def as_admin(client: TestClient, db: Session) -> TestClient:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]))
    return client


NEW = {"email": "Hire@Riverbend.example.org", "name": "Hire Person", "roles": ["staff"]}


def test_every_route_needs_credentials(client: TestClient, db: Session) -> None:
    someone = make_employee(db)
    calls = [
        ("GET", "/api/v1/employees", None),
        ("GET", f"/api/v1/employees/{someone.id}", None),
        ("POST", "/api/v1/employees", NEW),
        ("PATCH", f"/api/v1/employees/{someone.id}", {"name": "x"}),
        ("POST", f"/api/v1/employees/{someone.id}/terminate", None),
    ]
    for method, url, body in calls:
        r = client.request(method, url, json=body)
        assert r.status_code == 401, (method, url)
        assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", [Role.staff, Role.privacy_team])
def test_wrong_role_is_forbidden(client: TestClient, db: Session, role: Role) -> None:
    someone = make_employee(db)
    sign_in_as(client, db, make_employee(db, roles=[role]))
    assert client.get("/api/v1/employees").status_code == 403
    assert client.get(f"/api/v1/employees/{someone.id}").status_code == 403
    assert client.post("/api/v1/employees", json=NEW).status_code == 403
    assert client.patch(f"/api/v1/employees/{someone.id}", json={"name": "x"}).status_code == 403
    assert client.post(f"/api/v1/employees/{someone.id}/suspend").status_code == 403


def test_an_auditor_reads_but_does_not_manage(client: TestClient, db: Session) -> None:
    someone = make_employee(db, name="Read Me")
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    r = client.get("/api/v1/employees", params={"q": "read me"})
    assert r.status_code == 200 and r.json()["count"] == 1
    assert client.get(f"/api/v1/employees/{someone.id}").json()["name"] == "Read Me"
    assert client.post(f"/api/v1/employees/{someone.id}/terminate").status_code == 403


def test_a_token_without_the_scim_scope_is_forbidden(client: TestClient, db: Session) -> None:
    headers = _bearer(db, ["roster:write"])
    assert client.get("/api/v1/employees", headers=headers).status_code == 403
    assert client.post("/api/v1/employees", json=NEW, headers=headers).status_code == 403


def test_the_hr_system_manages_accounts_with_the_scim_scope(client: TestClient, db: Session) -> None:
    headers = _bearer(db, ["scim"])
    r = client.post("/api/v1/employees", json={**NEW, "hr_employee_id": "HR-77"}, headers=headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["email"] == "hire@riverbend.example.org" and body["status"] == "active"
    assert "password_hash" not in body and "password" not in r.text.replace("password_changed_at", "")
    employee_id = body["id"]
    r = client.patch(f"/api/v1/employees/{employee_id}", json={"title": "Coach"}, headers=headers)
    assert r.status_code == 200 and r.json()["title"] == "Coach"
    r = client.post(f"/api/v1/employees/{employee_id}/terminate", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == EmployeeStatus.terminated
    actions = db.exec(
        select(AuditEvent.action, AuditEvent.actor_type)
        .where(AuditEvent.object_id == employee_id)
        .order_by(col(AuditEvent.seq))
    ).all()
    assert [a for a, _ in actions] == ["employee.create", "employee.update", "employee.terminate"]
    assert {t for _, t in actions} == {"api_client"}
    assert db.exec(select(OutboxMessage).where(OutboxMessage.recipient == body["email"])).one()


def test_list_filters_and_pages(as_admin: TestClient, db: Session) -> None:
    for i in range(3):
        make_employee(db, name=f"Aud {i}", roles=[Role.auditor], password=None)
    r = as_admin.get("/api/v1/employees", params={"role": "auditor", "limit": 2})
    body = r.json()
    assert r.status_code == 200 and body["count"] == 3 and len(body["data"]) == 2
    assert all("password_hash" not in e for e in body["data"])
    r = as_admin.get("/api/v1/employees", params={"role": "auditor", "limit": 2, "offset": 2})
    assert [e["name"] for e in r.json()["data"]] == ["Aud 2"]
    assert as_admin.get("/api/v1/employees", params={"status": "suspended"}).json()["count"] == 0
    bad = as_admin.get("/api/v1/employees", params={"role": "king", "limit": 9999})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    backwards = as_admin.get("/api/v1/employees", params={"role": "auditor", "sort": "-name"})
    assert [e["name"] for e in backwards.json()["data"]] == ["Aud 2", "Aud 1", "Aud 0"]
    unknown = as_admin.get("/api/v1/employees", params={"sort": "salary"})
    assert unknown.status_code == 422 and unknown.headers["content-type"] == "application/problem+json"


def test_detail_has_mfa_and_sessions(as_admin: TestClient, db: Session) -> None:
    someone = make_employee(db)
    body = as_admin.get(f"/api/v1/employees/{someone.id}").json()
    assert body["mfa_enrolled"] is False and body["active_sessions"] == 0
    assert "password_hash" not in body


def test_unknown_ids_are_404(as_admin: TestClient) -> None:
    for ident in (str(uuid.uuid4()), "nope"):
        assert as_admin.get(f"/api/v1/employees/{ident}").status_code == 404
        assert as_admin.patch(f"/api/v1/employees/{ident}", json={"name": "x"}).status_code == 404
        assert as_admin.post(f"/api/v1/employees/{ident}/suspend").status_code == 404


def test_bad_input_and_conflicts(as_admin: TestClient, db: Session) -> None:
    someone = make_employee(db, email="taken@riverbend.example.org")
    r = as_admin.post("/api/v1/employees", json={**NEW, "email": "TAKEN@riverbend.example.org"})
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "email"
    r = as_admin.post("/api/v1/employees", json={**NEW, "roles": []})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert as_admin.post("/api/v1/employees", json={**NEW, "roles": ["god"]}).status_code == 422
    assert as_admin.post("/api/v1/employees", json={**NEW, "password_hash": "x"}).status_code == 422
    assert (
        as_admin.post(
            "/api/v1/employees", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )
    assert as_admin.patch(f"/api/v1/employees/{someone.id}", json={"status": "active"}).status_code == 422
    assert as_admin.post(f"/api/v1/employees/{someone.id}/promote").status_code == 404  # no such action
    as_admin.post(f"/api/v1/employees/{someone.id}/terminate")
    r = as_admin.post(f"/api/v1/employees/{someone.id}/reactivate")
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"


def test_admins_cannot_terminate_or_demote_themselves(client: TestClient, db: Session) -> None:
    me = make_employee(db, roles=[Role.privacy_admin])
    sign_in_as(client, db, me)
    r = client.post(f"/api/v1/employees/{me.id}/terminate")
    assert r.status_code == 409 and "own account" in r.json()["detail"]
    r = client.patch(f"/api/v1/employees/{me.id}", json={"roles": ["auditor"]})
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "roles"


def test_a_terminated_employees_session_stops_working_at_once(client: TestClient, db: Session) -> None:
    victim = make_employee(db, roles=[Role.privacy_admin])
    sign_in_as(client, db, victim)
    assert client.get("/api/v1/employees").status_code == 200
    scim = _bearer(db, ["scim"])
    cookies = dict(client.cookies)
    client.cookies.clear()
    assert client.post(f"/api/v1/employees/{victim.id}/terminate", headers=scim).status_code == 200
    for name, value in cookies.items():
        client.cookies.set(name, value)
    assert client.get("/api/v1/employees").status_code == 401
