"""Client secrets are stored as HMAC-SHA-256; one stored the old way (argon2id) still works, once
checked the old way and then re-stored, so no client has to rotate."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import ApiClient, AuditEvent
from app.security.client_secrets import SCHEME, hash_client_secret, verify_client_secret
from app.security.passwords import hash_password
from tests.support.factories import make_api_client

TOKEN_URL = "/api/v1/oauth/token"


def _ask(client: TestClient, api_client: ApiClient, secret: str) -> int:
    r = client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_id": api_client.client_id, "client_secret": secret},
    )
    return r.status_code


def _restored(db: Session, api_client: ApiClient) -> list[AuditEvent]:
    return list(
        db.exec(
            select(AuditEvent).where(
                col(AuditEvent.action) == "api_client.secret_restored",
                col(AuditEvent.object_id) == str(api_client.id),
            )
        ).all()
    )


def test_a_secret_stored_the_old_way_is_accepted_once_and_restored(client: TestClient, db: Session) -> None:
    api_client, secret = make_api_client(db, scopes=["sharing:read"], secret="old-" + "x" * 40)
    api_client.secret_hash = hash_password(secret)  # as every client was stored before
    db.add(api_client)
    db.flush()

    assert _ask(client, api_client, "wrong-" + secret) == 400
    db.refresh(api_client)
    assert api_client.secret_hash.startswith("$argon2")  # a wrong secret changes nothing

    assert _ask(client, api_client, secret) == 200
    db.refresh(api_client)
    assert api_client.secret_hash == hash_client_secret(secret) and api_client.secret_hash.startswith(SCHEME)
    assert len(_restored(db, api_client)) == 1
    assert secret not in str(_restored(db, api_client)[0].details)

    assert _ask(client, api_client, secret) == 200  # from now on by HMAC, and restored only once
    assert len(_restored(db, api_client)) == 1


def test_new_secrets_are_keyed_hashes_compared_exactly(db: Session) -> None:
    api_client, secret = make_api_client(db, scopes=["sharing:read"], secret="s" * 43)
    assert api_client.secret_hash.startswith(SCHEME) and secret not in api_client.secret_hash
    assert verify_client_secret(secret, api_client.secret_hash).ok
    assert not verify_client_secret(secret[:-1] + "t", api_client.secret_hash).ok
    assert not verify_client_secret(secret, None).ok
    assert not verify_client_secret("", SCHEME).ok
