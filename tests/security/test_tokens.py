"""Access tokens: forged, altered and expired JWTs are refused (unit and through /api/v1/whoami)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from jose import jwt
from sqlmodel import Session, col, select

from app import clock
from app.config import get_settings
from app.models import ApiClient, AuditEvent
from app.security.tokens import (
    AUDIENCE,
    MAX_TOKEN_BYTES,
    TokenInvalid,
    issue_access_token,
    issuer,
    verify_access_token,
)
from tests.support.factories import make_api_client

KEY = get_settings().token_secret.get_secret_value()


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims_for(client_id: str = "stw_test", **overrides: Any) -> dict[str, Any]:
    now = int(clock.now().timestamp())
    claims: dict[str, Any] = {
        "iss": issuer(),
        "aud": AUDIENCE,
        "sub": client_id,
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        "scope": "roster:write",
        "sv": 1,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sign(claims: dict[str, Any], *, key: str = KEY, algorithm: str = "HS256", **headers: Any) -> str:
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers or None)


def _rsa_pem() -> str:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _without(name: str) -> Callable[[ApiClient], str]:
    return lambda c: sign(claims_for(c.client_id, **{name: None}))


def _alg_none(c: ApiClient) -> str:
    return _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims_for(c.client_id)) + "."


def _alg_none_with_signature(c: ApiClient) -> str:
    good = sign(claims_for(c.client_id))
    return _b64({"alg": "none", "typ": "JWT"}) + "." + good.split(".", 1)[1]


def _tampered(c: ApiClient) -> str:
    header, _, signature = sign(claims_for(c.client_id)).split(".")
    return ".".join([header, _b64(claims_for(c.client_id, scope="roster:write scim")), signature])


# Each builder makes a token for a real, active client that must nevertheless be refused.
FORGED: dict[str, Callable[[ApiClient], str]] = {
    "alg none": _alg_none,
    "alg none, signature kept": _alg_none_with_signature,
    "HS512": lambda c: sign(claims_for(c.client_id), algorithm="HS512"),
    "HS384": lambda c: sign(claims_for(c.client_id), algorithm="HS384"),
    "RS256": lambda c: sign(claims_for(c.client_id), key=_rsa_pem(), algorithm="RS256"),
    "wrong key": lambda c: sign(claims_for(c.client_id), key="not-the-server-key-" * 3),
    "tampered payload": _tampered,
    "wrong audience": lambda c: sign(claims_for(c.client_id, aud="someone-else")),
    "wrong issuer": lambda c: sign(claims_for(c.client_id, iss="https://evil.example")),
    "expired": lambda c: sign(
        claims_for(
            c.client_id, iat=int(clock.now().timestamp()) - 7200, exp=int(clock.now().timestamp()) - 3600
        )
    ),
    "expires now": lambda c: sign(claims_for(c.client_id, exp=int(clock.now().timestamp()))),
    "lifetime over an hour": lambda c: sign(claims_for(c.client_id, exp=int(clock.now().timestamp()) + 7200)),
    "issued in the future": lambda c: sign(
        claims_for(
            c.client_id, iat=int(clock.now().timestamp()) + 3000, exp=int(clock.now().timestamp()) + 3500
        )
    ),
    "not yet valid": lambda c: sign(claims_for(c.client_id, nbf=int(clock.now().timestamp()) + 600)),
    "missing exp": _without("exp"),
    "missing iat": _without("iat"),
    "missing jti": _without("jti"),
    "missing sub": _without("sub"),
    "missing iss": _without("iss"),
    "missing aud": _without("aud"),
    "missing sv": _without("sv"),
    "exp as string": lambda c: sign(claims_for(c.client_id, exp=str(int(clock.now().timestamp()) + 600))),
    "iat as list": lambda c: sign(claims_for(c.client_id, iat=[1])),
    "sub as number": lambda c: sign(claims_for(c.client_id, sub=42)),
    "scope as list": lambda c: sign(claims_for(c.client_id, scope=["roster:write"])),
    "sv as bool": lambda c: sign(claims_for(c.client_id, sv=True)),
    "oversized": lambda c: sign(claims_for(c.client_id, pad="x" * MAX_TOKEN_BYTES)),
    "crit header": lambda c: sign(claims_for(c.client_id), crit=["exp"]),
    "jku header": lambda c: sign(claims_for(c.client_id), jku="https://evil.example/jwks.json"),
    "x5u header": lambda c: sign(claims_for(c.client_id), x5u="https://evil.example/cert.pem"),
    "x5c header": lambda c: sign(claims_for(c.client_id), x5c=["MIIB"]),
    "jwk header": lambda c: sign(claims_for(c.client_id), jwk={"kty": "oct", "k": "AAAA"}),
    "unknown client": lambda c: sign(claims_for("stw_nobody")),
    "old secret version": lambda c: sign(claims_for(c.client_id, sv=0)),
    "garbage": lambda c: "not.a.jwt",
    "two parts": lambda c: "abc.def",
    "bad base64 header": lambda c: "%%%." + sign(claims_for(c.client_id)).split(".", 1)[1],
    "header not an object": lambda c: _b64([1, 2]) + "." + sign(claims_for(c.client_id)).split(".", 1)[1],  # type: ignore[arg-type]
}


def test_issued_tokens_verify() -> None:
    token, lifetime = issue_access_token(client_id="stw_x", scopes=["scim", "roster:write"], secret_version=3)
    claims = verify_access_token(token)
    assert claims.client_id == "stw_x" and claims.scopes == {"scim", "roster:write"}
    assert claims.secret_version == 3 and lifetime <= 3600 and claims.token_id
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
    raw = jwt.get_unverified_claims(token)
    assert {"iss", "aud", "sub", "exp", "iat", "jti", "scope"} <= raw.keys()
    assert raw["exp"] - raw["iat"] <= 3600


def test_tokens_follow_the_app_clock(frozen_clock: Any) -> None:
    """Times are checked against app.clock: a token made under a frozen clock verifies under it."""
    token, lifetime = issue_access_token(client_id="stw_x", scopes=["scim"], secret_version=1)
    assert verify_access_token(token).client_id == "stw_x"
    clock.advance(timedelta(seconds=lifetime - 1))
    verify_access_token(token)
    clock.advance(timedelta(seconds=1))
    with pytest.raises(TokenInvalid, match="expired"):
        verify_access_token(token)


@pytest.mark.parametrize("name", sorted(set(FORGED) - {"unknown client", "old secret version"}))
def test_forged_tokens_are_refused(name: str) -> None:
    fake = ApiClient(client_id="stw_test", name="x", kind="sis", secret_hash="x")  # type: ignore[arg-type]
    with pytest.raises(TokenInvalid):
        verify_access_token(FORGED[name](fake))


def test_oversized_token_is_refused_before_parsing() -> None:
    with pytest.raises(TokenInvalid, match="too large"):
        verify_access_token("a" * (MAX_TOKEN_BYTES + 1))


def test_verification_is_quick_for_garbage() -> None:
    started = time.perf_counter()
    for _ in range(200):
        with pytest.raises(TokenInvalid):
            verify_access_token("x" * 4000)
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("name", sorted(FORGED))
def test_forged_token_gets_401_on_whoami_and_is_audited(name: str, client: TestClient, db: Session) -> None:
    api_client, _ = make_api_client(db, scopes=["roster:write", "scim"])
    token = FORGED[name](api_client)
    r = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"] == "Bearer"
    assert "roster" not in r.text and token not in r.text
    event = db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "auth.token_rejected")
        .order_by(col(AuditEvent.seq).desc())
    ).first()
    assert event is not None and event.details["reason"]
    assert token not in json.dumps(event.details)


def test_a_good_token_passes_whoami(client: TestClient, db: Session) -> None:
    api_client, _ = make_api_client(db, scopes=["roster:write", "scim"])
    token = sign(claims_for(api_client.client_id, scope="scim"))
    r = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "type": "api_client",
        "id": str(api_client.id),
        "label": api_client.name,
        "roles": [],
        "scopes": ["scim"],
    }


def test_token_scopes_are_capped_by_the_clients_current_scopes(client: TestClient, db: Session) -> None:
    api_client, _ = make_api_client(db, scopes=["roster:write"])
    token = sign(claims_for(api_client.client_id, scope="roster:write scim"))
    r = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert r.json()["scopes"] == ["roster:write"]
