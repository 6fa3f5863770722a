from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.actors import Actor
from app.models import Role
from app.security.tokens import issue_access_token
from app.services.platform.audit import record
from tests.support.auth import sign_in_as
from tests.support.factories import make_api_client, make_employee


def _seed(db: Session) -> None:
    amy = Actor(type="staff", id="amy-id", label="amy@riverbend.example.org")
    record(db, actor=amy, action="auth.sign_in", at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    record(
        db,
        actor=amy,
        action="employee.update",
        object_type="employee",
        object_id="e-1",
        at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
    )


def test_needs_credentials(client: TestClient) -> None:
    r = client.get("/api/v1/audit-events")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", [Role.staff])
def test_wrong_role_is_forbidden(client: TestClient, db: Session, role: Role) -> None:
    sign_in_as(client, db, make_employee(db, roles=[role]))
    assert client.get("/api/v1/audit-events").status_code == 403


def test_a_token_has_no_audit_scope(client: TestClient, db: Session) -> None:
    api_client, _ = make_api_client(db, scopes=["scim", "roster:write"])
    token, _ = issue_access_token(
        client_id=api_client.client_id, scopes=["scim", "roster:write"], secret_version=1
    )
    r = client.get("/api/v1/audit-events", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403


@pytest.mark.parametrize("role", [Role.privacy_team, Role.privacy_admin, Role.auditor])
def test_readers_search_the_log(client: TestClient, db: Session, role: Role) -> None:
    _seed(db)
    sign_in_as(client, db, make_employee(db, roles=[role]))
    r = client.get("/api/v1/audit-events", params={"actor": "amy", "limit": 1})
    body = r.json()
    assert r.status_code == 200 and body["count"] == 2 and len(body["data"]) == 1
    first = body["data"][0]
    assert first["action"] == "employee.update" and first["object_id"] == "e-1" and len(first["hash"]) == 64
    r = client.get(
        "/api/v1/audit-events", params={"date_from": "2026-03-01", "date_to": "2026-03-01", "action": "auth."}
    )
    assert [e["action"] for e in r.json()["data"]] == ["auth.sign_in"]
    r = client.get("/api/v1/audit-events", params={"object_type": "employee", "object_id": "e-1"})
    assert r.json()["count"] == 1


def test_bad_filters_are_422_problems(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    for params in (
        {"date_from": "not-a-date"},
        {"date_from": "2026-03-05", "date_to": "2026-03-01"},
        {"limit": 0},
        {"offset": -1},
    ):
        r = client.get("/api/v1/audit-events", params=params)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", params
