"""/api/v1/api-clients and /api/v1/whoami: admins only, secrets once, 401/403/404."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import ApiClient, AuditEvent, Role
from tests.support.auth import sign_in_as
from tests.support.factories import make_api_client, make_employee

PROBLEM = "application/problem+json"


@pytest.fixture
def admin_client(client: TestClient, db: Session) -> TestClient:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]))
    return client


def _create(c: TestClient, **overrides: object) -> dict:  # type: ignore[type-arg]
    body = {"name": "District SIS", "kind": "sis", "scopes": ["roster:write", "sharing:read"], **overrides}
    r = c.post("/api/v1/api-clients", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_create_returns_the_secret_once(admin_client: TestClient, db: Session) -> None:
    body = _create(admin_client)
    assert body["client_id"].startswith("stw_") and body["client_secret"]
    assert body["token_endpoint"] == "/api/v1/oauth/token"
    assert "secret_hash" not in body
    shown = admin_client.get(f"/api/v1/api-clients/{body['id']}")
    assert (
        shown.status_code == 200 and "client_secret" not in shown.json() and "secret_hash" not in shown.json()
    )
    # The secret works at the token endpoint (no cookies there: machine clients have none).
    machine = TestClient(admin_client.app)
    r = machine.post(
        "/api/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": body["client_id"],
            "client_secret": body["client_secret"],
        },
    )
    assert r.status_code == 200, r.text


def test_create_response_is_not_cached(admin_client: TestClient) -> None:
    r = admin_client.post("/api/v1/api-clients", json={"name": "HR", "kind": "hr", "scopes": ["scim"]})
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "kind": "sis", "scopes": ["god:mode"]},
        {"name": "x", "kind": "sis", "scopes": []},
        {"name": "", "kind": "sis", "scopes": ["scim"]},
        {"name": "x", "kind": "mainframe", "scopes": ["scim"]},
        {"name": "x", "kind": "sis", "scopes": ["scim"], "secret_hash": "mine"},
        {"name": "x" * 201, "kind": "sis", "scopes": ["scim"]},
    ],
)
def test_bad_input_is_422_and_writes_nothing(admin_client: TestClient, db: Session, body: dict) -> None:  # type: ignore[type-arg]
    r = admin_client.post("/api/v1/api-clients", json=body)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert r.json()["errors"]
    assert db.exec(select(ApiClient)).first() is None


def test_list_with_limit_and_offset(admin_client: TestClient) -> None:
    for name in ("A", "B", "C"):
        _create(admin_client, name=name)
    r = admin_client.get("/api/v1/api-clients", params={"limit": 2, "offset": 1})
    assert r.status_code == 200
    assert r.json()["count"] == 3 and [c["name"] for c in r.json()["data"]] == ["B", "C"]
    assert all("client_secret" not in c and "secret_hash" not in c for c in r.json()["data"])
    assert admin_client.get("/api/v1/api-clients", params={"limit": 0}).status_code == 422
    assert admin_client.get("/api/v1/api-clients", params={"limit": 1000}).status_code == 422


def test_rotate_and_revoke(admin_client: TestClient, db: Session) -> None:
    body = _create(admin_client)
    r = admin_client.post(f"/api/v1/api-clients/{body['id']}/rotate")
    assert r.status_code == 200 and r.json()["client_secret"] != body["client_secret"]
    assert r.json()["secret_version"] == 2 and r.headers["cache-control"] == "no-store"
    r = admin_client.post(f"/api/v1/api-clients/{body['id']}/revoke")
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["revoked_at"]
    again = admin_client.post(f"/api/v1/api-clients/{body['id']}/revoke")
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    assert admin_client.post(f"/api/v1/api-clients/{body['id']}/rotate").status_code == 409
    actions = db.exec(
        select(AuditEvent.action).where(AuditEvent.object_id == body["id"]).order_by(col(AuditEvent.seq))
    ).all()
    assert actions == ["api_client.create", "api_client.rotate", "api_client.revoke"]


def test_update(admin_client: TestClient) -> None:
    body = _create(admin_client)
    r = admin_client.patch(f"/api/v1/api-clients/{body['id']}", json={"scopes": ["sharing:read"]})
    assert (
        r.status_code == 200 and r.json()["scopes"] == ["sharing:read"] and r.json()["name"] == "District SIS"
    )
    bad = admin_client.patch(f"/api/v1/api-clients/{body['id']}", json={"scopes": ["nope"]})
    assert bad.status_code == 422


ROUTES = [
    ("get", "/api/v1/api-clients"),
    ("post", "/api/v1/api-clients"),
    ("get", "/api/v1/api-clients/{id}"),
    ("patch", "/api/v1/api-clients/{id}"),
    ("post", "/api/v1/api-clients/{id}/rotate"),
    ("post", "/api/v1/api-clients/{id}/revoke"),
]
VALID_BODY = {"name": "x", "kind": "sis", "scopes": ["scim"]}


def _call(c: TestClient, method: str, path: str, ident: str, **kwargs: object):  # type: ignore[no-untyped-def]
    url = path.format(id=ident)
    if (method in ("post", "patch") and "{id}" not in path) or method == "patch":
        kwargs.setdefault("json", VALID_BODY if method == "post" else {"name": "y"})
    return getattr(c, method)(url, **kwargs)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_no_credentials_is_401(client: TestClient, db: Session, method: str, path: str) -> None:
    target, _ = make_api_client(db, scopes=["scim"])
    r = _call(client, method, path, str(target.id))
    assert r.status_code == 401 and r.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("role", [Role.staff, Role.privacy_team, Role.auditor])
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_wrong_role_is_403_and_audited(
    client: TestClient, db: Session, method: str, path: str, role: Role
) -> None:
    target, _ = make_api_client(db, scopes=["scim"])
    employee = make_employee(db, roles=[role])
    sign_in_as(client, db, employee)
    r = _call(client, method, path, str(target.id))
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
    denied = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert [e.actor_id for e in denied] == [str(employee.id)]
    assert target.active and target.secret_version == 1


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_token_cannot_manage_clients(client: TestClient, db: Session, method: str, path: str) -> None:
    """Even a client holding every scope: managing clients needs an admin's session."""
    from app.security.permissions import SCOPES
    from app.security.tokens import issue_access_token

    target, _ = make_api_client(db, scopes=list(SCOPES))
    token, _ = issue_access_token(client_id=target.client_id, scopes=list(SCOPES), secret_version=1)
    r = _call(client, method, path, str(target.id), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if "{id}" in r[1]])
@pytest.mark.parametrize(
    "ident", [str(uuid.uuid4()), "not-a-uuid", "1"], ids=["unknown-uuid", "not-a-uuid", "number"]
)
def test_unknown_id_is_404(admin_client: TestClient, method: str, path: str, ident: str) -> None:
    r = _call(admin_client, method, path, ident)
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM


def test_csrf_is_required_with_a_session(admin_client: TestClient, db: Session) -> None:
    del admin_client.headers["X-CSRF-Token"]
    r = admin_client.post("/api/v1/api-clients", json=VALID_BODY)
    assert r.status_code == 403
    assert db.exec(select(ApiClient)).first() is None


def test_whoami_without_credentials_is_401(client: TestClient) -> None:
    r = client.get("/api/v1/whoami")
    assert r.status_code == 401 and r.headers["content-type"] == PROBLEM


def test_whoami_for_a_staff_session(client: TestClient, db: Session) -> None:
    employee = make_employee(db, roles=[Role.privacy_team, Role.staff])
    sign_in_as(client, db, employee)
    r = client.get("/api/v1/whoami")
    assert r.status_code == 200
    assert r.json() == {
        "type": "staff",
        "id": str(employee.id),
        "label": employee.email,
        "roles": ["privacy_team", "staff"],
        "scopes": [],
    }


def test_whoami_before_mfa_is_refused(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db), mfa_passed=False)
    r = client.get("/api/v1/whoami")
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
