"""SCIM provisioning tokens: one long-lived token per HR client, for SCIM only, that stops working
when withdrawn, replaced, rotated, revoked or stripped of the scim scope; issued by admins (API
and page), shown once, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from jose import jwt
from sqlmodel import Session, col, select

from app import clock
from app.config import get_settings
from app.models import ApiClient, AuditEvent, Role
from app.security.tokens import PROVISIONING_AUDIENCE, TokenInvalid, issuer, verify_access_token
from tests.support.auth import sign_in_as
from tests.support.factories import make_api_client, make_employee


@pytest.fixture
def admin(client: TestClient, db: Session) -> TestClient:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]))
    return client


def _machine(admin: TestClient, token: str) -> TestClient:
    machine = TestClient(admin.app)  # no staff cookie: only the bearer token speaks
    machine.headers["Authorization"] = f"Bearer {token}"
    return machine


def _issue(admin: TestClient, api_client: ApiClient) -> str:
    r = admin.post(f"/api/v1/api-clients/{api_client.id}/provisioning-token")
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["scope"] == "scim" and body["scim_base_url"].endswith("/scim/v2")
    return str(body["token"])


def test_a_provisioning_token_works_for_scim_only_and_for_a_year(admin: TestClient, db: Session) -> None:
    hr, _ = make_api_client(db, scopes=["scim", "vendors:read"])
    token = _issue(admin, hr)
    machine = _machine(admin, token)
    assert machine.get("/scim/v2/Users").status_code == 200
    assert machine.get("/api/v1/vendors").status_code == 401  # not an API access token
    claims = verify_access_token(token, provisioning=True)
    assert claims.provisioning and claims.scopes == {"scim"}
    assert (
        claims.issued_at + timedelta(days=get_settings().provisioning_token_days)
        == hr.provisioning_token_expires_at
    )
    shown = admin.get(f"/api/v1/api-clients/{hr.id}").json()
    assert shown["provisioning_token_expires_at"] is not None and "token" not in shown


def test_it_stops_working_when_replaced_withdrawn_rotated_revoked_or_unscoped(
    admin: TestClient, db: Session
) -> None:
    hr, _ = make_api_client(db, scopes=["scim"])
    first = _issue(admin, hr)
    second = _issue(admin, hr)
    assert _machine(admin, first).get("/scim/v2/Users").status_code == 401
    assert _machine(admin, second).get("/scim/v2/Users").status_code == 200
    assert admin.delete(f"/api/v1/api-clients/{hr.id}/provisioning-token").status_code == 204
    assert _machine(admin, second).get("/scim/v2/Users").status_code == 401

    third = _issue(admin, hr)
    assert admin.post(f"/api/v1/api-clients/{hr.id}/rotate").status_code == 200
    assert _machine(admin, third).get("/scim/v2/Users").status_code == 401

    fourth = _issue(admin, hr)
    assert admin.patch(f"/api/v1/api-clients/{hr.id}", json={"scopes": ["vendors:read"]}).status_code == 200
    assert _machine(admin, fourth).get("/scim/v2/Users").status_code == 403

    assert admin.patch(f"/api/v1/api-clients/{hr.id}", json={"scopes": ["scim"]}).status_code == 200
    fifth = _issue(admin, hr)
    assert admin.post(f"/api/v1/api-clients/{hr.id}/revoke").status_code == 200
    assert _machine(admin, fifth).get("/scim/v2/Users").status_code == 401
    actions = db.exec(
        select(AuditEvent.action)
        .where(col(AuditEvent.action).startswith("api_client.provisioning_token"))
        .order_by(col(AuditEvent.seq))
    ).all()
    assert actions.count("api_client.provisioning_token_issue") == 5
    assert actions.count("api_client.provisioning_token_withdraw") == 1


def test_only_a_client_with_the_scim_scope_gets_one(admin: TestClient, db: Session) -> None:
    sis, _ = make_api_client(db, scopes=["roster:write"])
    r = admin.post(f"/api/v1/api-clients/{sis.id}/provisioning-token")
    assert r.status_code == 409 and "scim" in r.json()["detail"]
    assert sis.provisioning_token_id is None


def test_forged_provisioning_tokens_are_refused() -> None:
    key = get_settings().token_secret.get_secret_value()
    now = int(clock.now().timestamp())
    base = {"iss": issuer(), "aud": PROVISIONING_AUDIENCE, "sub": "cl_x", "iat": now, "jti": "j", "sv": 1}
    too_long = {**base, "scope": "scim", "exp": now + (get_settings().provisioning_token_days + 1) * 86400}
    other_scope = {**base, "scope": "scim vendors:write", "exp": now + 3600}
    for claims in (too_long, other_scope):
        with pytest.raises(TokenInvalid):
            verify_access_token(jwt.encode(claims, key, algorithm="HS256"), provisioning=True)
    fine = {**base, "scope": "scim", "exp": now + 3600}
    with pytest.raises(TokenInvalid):  # outside /scim/v2 the audience is not accepted
        verify_access_token(jwt.encode(fine, key, algorithm="HS256"))


def test_the_page_issues_it_once_and_withdraws_it(admin: TestClient, db: Session) -> None:
    hr, _ = make_api_client(db, scopes=["scim"])
    page = admin.get(f"/staff/api-clients/{hr.id}")
    assert "Issue a provisioning token" in page.text
    shown = admin.post(f"/staff/api-clients/{hr.id}/provisioning-token")
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert "/scim/v2" in shown.text and "Copy the token now" in shown.text
    page = admin.get(f"/staff/api-clients/{hr.id}")
    assert "is in force until" in page.text and "Replace the provisioning token" in page.text
    unconfirmed = admin.post(f"/staff/api-clients/{hr.id}/provisioning-token", follow_redirects=True)
    assert "Tick the box" in unconfirmed.text
    gone = admin.post(f"/staff/api-clients/{hr.id}/provisioning-token/withdraw", follow_redirects=True)
    assert "withdrawn" in gone.text and hr.provisioning_token_id is None
    sis, _ = make_api_client(db, scopes=["roster:write"])
    assert "provisioning token" not in admin.get(f"/staff/api-clients/{sis.id}").text
