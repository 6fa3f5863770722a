"""POST /api/v1/oauth/token: RFC 6749 §4.4 client credentials, §5.2 errors, throttling, audit."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import quote_plus

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actors import Actor
from app.deps import Allow
from app.models import ApiClient, AuditEvent, AuthFailure
from app.security.tokens import verify_access_token
from app.services.identity import api_clients as service
from tests.support.factories import make_api_client

TOKEN_URL = "/api/v1/oauth/token"


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


@pytest.fixture
def sis(db: Session) -> tuple[ApiClient, str]:
    return make_api_client(
        db, scopes=["roster:write", "sharing:read"], secret="a:secret with spaces&symbols="
    )


def _last(db: Session, action: str) -> AuditEvent | None:
    return db.exec(
        select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.seq).desc())
    ).first()


def _token(client: TestClient, api_client: ApiClient, secret: str, **form: str) -> str:
    r = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", **form},
        headers=basic(api_client.client_id, secret),
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def test_token_with_secret_in_the_body(client: TestClient, db: Session, sis: tuple[ApiClient, str]) -> None:
    api_client, secret = sis
    r = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_id": api_client.client_id, "client_secret": secret},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["scope"] == "roster:write sharing:read"
    assert 0 < body["expires_in"] <= 3600
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert r.headers["cache-control"] == "no-store" and r.headers["pragma"] == "no-cache"
    assert verify_access_token(body["access_token"]).client_id == api_client.client_id
    event = _last(db, "api_client.token")
    assert event is not None and event.actor_type == "api_client" and event.object_id == str(api_client.id)
    assert body["access_token"] not in str(event.details)


def test_token_with_http_basic_and_a_narrower_scope(client: TestClient, sis: tuple[ApiClient, str]) -> None:
    api_client, secret = sis
    r = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "scope": "sharing:read"},
        headers=basic(api_client.client_id, secret),
    )
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "sharing:read"
    whoami = client.get("/api/v1/whoami", headers={"Authorization": "Bearer " + r.json()["access_token"]})
    assert whoami.status_code == 200 and whoami.json()["scopes"] == ["sharing:read"]
    assert whoami.json()["type"] == "api_client" and whoami.json()["label"] == api_client.name


def _assert_oauth_error(r, status: int, error: str) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"] == error and r.json()["error_description"]
    assert r.headers["cache-control"] == "no-store"


def test_wrong_secret_in_body_is_invalid_client_400(
    client: TestClient, db: Session, sis: tuple[ApiClient, str]
) -> None:
    api_client, _ = sis
    r = client.post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": api_client.client_id,
            "client_secret": "wrong",
        },
    )
    _assert_oauth_error(r, 400, "invalid_client")
    event = _last(db, "api_client.token_failed")
    assert event is not None and event.details["client_id"] == api_client.client_id
    assert "wrong" not in str(event.details)
    assert db.exec(select(AuthFailure)).first() is not None


def test_wrong_secret_with_basic_is_401_with_challenge(
    client: TestClient, sis: tuple[ApiClient, str]
) -> None:
    api_client, _ = sis
    r = client.post(
        TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic(api_client.client_id, "x")
    )
    _assert_oauth_error(r, 401, "invalid_client")
    assert r.headers["www-authenticate"].startswith("Basic")


def test_unknown_client(client: TestClient) -> None:
    r = client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic("stw_nobody", "x"))
    _assert_oauth_error(r, 401, "invalid_client")


def test_revoked_client_gets_no_token(client: TestClient, db: Session, sis: tuple[ApiClient, str]) -> None:
    api_client, secret = sis
    service.revoke_client(db, actor=Actor(type="system"), client_id=api_client.id)
    r = client.post(
        TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic(api_client.client_id, secret)
    )
    _assert_oauth_error(r, 401, "invalid_client")


def test_no_credentials(client: TestClient) -> None:
    r = client.post(TOKEN_URL, data={"grant_type": "client_credentials"})
    _assert_oauth_error(r, 401, "invalid_client")
    assert "www-authenticate" in r.headers


@pytest.mark.parametrize(
    "header", ["Basic !!!notbase64", "Basic " + base64.b64encode(b"no-colon").decode(), "Bearer x"]
)
def test_malformed_authorization(client: TestClient, header: str) -> None:
    r = client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers={"Authorization": header})
    _assert_oauth_error(r, 401, "invalid_client")


def test_both_authentication_methods_is_invalid_request(
    client: TestClient, sis: tuple[ApiClient, str]
) -> None:
    api_client, secret = sis
    r = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_id": api_client.client_id, "client_secret": secret},
        headers=basic(api_client.client_id, secret),
    )
    _assert_oauth_error(r, 400, "invalid_request")


def test_scope_superset_is_invalid_scope(client: TestClient, db: Session, sis: tuple[ApiClient, str]) -> None:
    api_client, secret = sis
    r = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "scope": "roster:write scim"},
        headers=basic(api_client.client_id, secret),
    )
    _assert_oauth_error(r, 400, "invalid_scope")
    event = _last(db, "api_client.token_failed")
    assert event is not None and event.details["error"] == "invalid_scope"


def test_unknown_scope_is_invalid_scope(client: TestClient, sis: tuple[ApiClient, str]) -> None:
    api_client, secret = sis
    r = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "scope": "root"},
        headers=basic(api_client.client_id, secret),
    )
    _assert_oauth_error(r, 400, "invalid_scope")


@pytest.mark.parametrize("grant", ["password", "authorization_code", "refresh_token", "CLIENT_CREDENTIALS"])
def test_unsupported_grant(client: TestClient, sis: tuple[ApiClient, str], grant: str) -> None:
    api_client, secret = sis
    r = client.post(TOKEN_URL, data={"grant_type": grant}, headers=basic(api_client.client_id, secret))
    _assert_oauth_error(r, 400, "unsupported_grant_type")


def test_missing_grant_type(client: TestClient, sis: tuple[ApiClient, str]) -> None:
    api_client, secret = sis
    r = client.post(TOKEN_URL, data={"scope": "roster:write"}, headers=basic(api_client.client_id, secret))
    _assert_oauth_error(r, 400, "invalid_request")


def test_json_body_is_invalid_request(client: TestClient, sis: tuple[ApiClient, str]) -> None:
    api_client, secret = sis
    r = client.post(
        TOKEN_URL, json={"grant_type": "client_credentials"}, headers=basic(api_client.client_id, secret)
    )
    _assert_oauth_error(r, 400, "invalid_request")


def test_repeated_parameter_is_invalid_request(client: TestClient, sis: tuple[ApiClient, str]) -> None:
    api_client, secret = sis
    r = client.post(
        TOKEN_URL,
        content=b"grant_type=client_credentials&grant_type=client_credentials",
        headers={"content-type": "application/x-www-form-urlencoded", **basic(api_client.client_id, secret)},
    )
    _assert_oauth_error(r, 400, "invalid_request")


def test_failed_authentications_are_throttled_per_client_and_address(
    client: TestClient, db: Session, sis: tuple[ApiClient, str]
) -> None:
    api_client, secret = sis
    misconfigured, _ = make_api_client(db, scopes=["vendors:read"], secret="the right one")
    for _ in range(service.MAX_FAILURES_PER_CLIENT_AND_ADDRESS):
        r = client.post(
            TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic(misconfigured.client_id, "no")
        )
        assert r.status_code == 401
    # Another client behind the same address (the SIS) is not punished for it.
    assert _token(client, api_client, secret)
    for _ in range(service.MAX_FAILURES_PER_CLIENT_AND_ADDRESS):
        r = client.post(
            TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic(api_client.client_id, "no")
        )
        assert r.status_code == 401
    r = client.post(
        TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic(api_client.client_id, secret)
    )
    assert r.status_code == 429 and r.headers["retry-after"] == "900"
    limit = service.MAX_FAILURES_PER_CLIENT_AND_ADDRESS
    assert r.headers["ratelimit-policy"] == f'"token-failures";q={limit};w=900'
    assert r.headers["ratelimit"] == '"token-failures";r=0;t=900'
    assert r.json()["error"] == "invalid_request"


def test_rotation_invalidates_outstanding_tokens_on_the_next_request(
    client: TestClient, db: Session, sis: tuple[ApiClient, str]
) -> None:
    api_client, secret = sis
    token = _token(client, api_client, secret)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/whoami", headers=auth).status_code == 200
    rotated = service.rotate_secret(db, actor=Actor(type="system"), client_id=api_client.id)
    db.commit()
    assert client.get("/api/v1/whoami", headers=auth).status_code == 401
    event = _last(db, "auth.token_rejected")
    assert event is not None and event.details["reason"] == "client secret rotated"
    new_token = _token(client, api_client, rotated.secret)
    assert client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {new_token}"}).status_code == 200


def test_revocation_invalidates_outstanding_tokens_on_the_next_request(
    client: TestClient, db: Session, sis: tuple[ApiClient, str]
) -> None:
    api_client, secret = sis
    token = _token(client, api_client, secret)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/whoami", headers=auth).status_code == 200
    service.revoke_client(db, actor=Actor(type="system"), client_id=api_client.id)
    db.commit()
    assert client.get("/api/v1/whoami", headers=auth).status_code == 401
    event = _last(db, "auth.token_rejected")
    assert event is not None and event.details["reason"] == "client revoked"


@pytest.fixture
def scoped_app(app: FastAPI) -> Iterator[TestClient]:
    """A test-only route guarded by a scope, the way SIS routes will be."""

    @app.post("/api/v1/probe/roster")
    def push_roster(actor: Actor = Depends(Allow("roster.write"))) -> dict[str, str]:
        return {"ok": actor.label or ""}

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_wrong_scope_gets_403_and_is_audited(scoped_app: TestClient, db: Session) -> None:
    reader, secret = make_api_client(db, scopes=["sharing:read"])
    token = _token(scoped_app, reader, secret)
    r = scoped_app.post("/api/v1/probe/roster", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    event = _last(db, "access.denied")
    assert (
        event is not None
        and event.actor_id == str(reader.id)
        and event.details["permission"] == "roster.write"
    )


def test_right_scope_passes_and_a_narrowed_token_does_not(scoped_app: TestClient, db: Session) -> None:
    writer, secret = make_api_client(db, scopes=["roster:write", "sharing:read"])
    token = _token(scoped_app, writer, secret)
    assert (
        scoped_app.post("/api/v1/probe/roster", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    narrow = _token(scoped_app, writer, secret, scope="sharing:read")
    r = scoped_app.post("/api/v1/probe/roster", headers={"Authorization": f"Bearer {narrow}"})
    assert r.status_code == 403


def test_no_token_on_a_scoped_route_is_401(scoped_app: TestClient) -> None:
    r = scoped_app.post("/api/v1/probe/roster")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
