"""API clients: secrets shown once and stored hashed, rotation, revocation, scopes, audit."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, col, select

from app.actors import Actor
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.models import ApiClient, ApiClientKind, AuditEvent, AuthFailure, Role
from app.models.schemas.identity.api_clients import ApiClientCreate, ApiClientUpdate
from app.security.client_secrets import verify_client_secret
from app.security.tokens import verify_access_token
from app.services.identity import api_clients as service
from app.services.platform.audit import verify_chain
from tests.support.factories import make_employee


@pytest.fixture
def admin(db: Session) -> Actor:
    employee = make_employee(db, roles=[Role.privacy_admin])
    return Actor(type="staff", id=str(employee.id), label=employee.email, roles=frozenset(employee.roles))


ANON = Actor(type="anonymous", client_address="10.0.0.9")


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.seq))))


def _create(db: Session, admin: Actor, scopes: list[str] | None = None) -> service.IssuedSecret:
    data = ApiClientCreate(
        name="  District   SIS ", kind=ApiClientKind.sis, scopes=scopes or ["roster:write"]
    )
    return service.create_client(db, actor=admin, data=data)


def test_create_shows_the_secret_once_and_stores_a_hash(db: Session, admin: Actor) -> None:
    issued = _create(db, admin, ["sharing:read", "roster:write", "roster:write"])
    client = issued.client
    assert client.name == "District SIS"
    assert client.client_id.startswith("stw_") and len(client.client_id) > 20
    assert client.scopes == ["roster:write", "sharing:read"]
    assert client.secret_hash != issued.secret and client.secret_hash.startswith("hmac-sha256$")
    assert verify_client_secret(issued.secret, client.secret_hash).ok
    assert len(issued.secret) >= 40
    assert str(client.created_by) == admin.id
    [event] = _events(db, "api_client.create")
    assert event.object_id == str(client.id) and event.actor_id == admin.id
    assert issued.secret not in json.dumps(event.details) and client.secret_hash not in json.dumps(
        event.details
    )
    assert verify_chain(db).ok


def test_client_ids_and_secrets_are_unique(db: Session, admin: Actor) -> None:
    a, b = _create(db, admin), _create(db, admin)
    assert a.client.client_id != b.client.client_id and a.secret != b.secret


@pytest.mark.parametrize(
    ("scopes", "field"),
    [(["roster:write", "admin:everything"], "scopes"), (["ROSTER:WRITE"], "scopes")],
)
def test_unknown_scopes_are_refused(db: Session, admin: Actor, scopes: list[str], field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        _create(db, admin, scopes)
    assert info.value.errors and info.value.errors[0]["field"] == field
    assert db.exec(select(ApiClient)).first() is None


def test_blank_name_is_refused(db: Session, admin: Actor) -> None:
    with pytest.raises(ValidationFailed):
        service.create_client(db, actor=admin, data=ApiClientCreate(name="   ", scopes=["scim"]))


def test_list_and_get(db: Session, admin: Actor) -> None:
    first = _create(db, admin).client
    second = _create(db, admin).client
    service.revoke_client(db, actor=admin, client_id=first.id)
    rows, count = service.list_clients(db, limit=10, offset=0)
    assert count == 2 and rows[0].id == second.id  # active first
    rows, count = service.list_clients(db, limit=1, offset=1)
    assert count == 2 and [r.id for r in rows] == [first.id]
    assert service.get_client(db, client_id=first.id) is first
    with pytest.raises(NotFound):
        service.get_client(db, client_id=None)


def test_rotate_makes_a_new_secret_and_bumps_the_version(db: Session, admin: Actor) -> None:
    issued = _create(db, admin)
    old_secret = issued.secret
    rotated = service.rotate_secret(db, actor=admin, client_id=issued.client.id)
    assert rotated.secret != old_secret and rotated.client.secret_version == 2
    assert service.authenticate_client(db, client_id=issued.client.client_id, secret=old_secret) is None
    assert service.authenticate_client(db, client_id=issued.client.client_id, secret=rotated.secret)
    [event] = _events(db, "api_client.rotate")
    assert rotated.secret not in json.dumps(event.details) and event.details["version"] == 2


def test_revoke_is_final(db: Session, admin: Actor) -> None:
    issued = _create(db, admin)
    client = service.revoke_client(db, actor=admin, client_id=issued.client.id)
    assert client.active is False and client.revoked_at is not None
    assert service.authenticate_client(db, client_id=client.client_id, secret=issued.secret) is None
    with pytest.raises(InvalidTransition):
        service.revoke_client(db, actor=admin, client_id=client.id)
    with pytest.raises(InvalidTransition):
        service.rotate_secret(db, actor=admin, client_id=client.id)
    with pytest.raises(InvalidTransition):
        service.update_client(db, actor=admin, client_id=client.id, data=ApiClientUpdate(name="x"))
    assert len(_events(db, "api_client.revoke")) == 1


def test_update_name_and_scopes_is_audited_once(db: Session, admin: Actor) -> None:
    issued = _create(db, admin)
    data = ApiClientUpdate(name="Renamed", scopes=["scim", "roster:write"])
    client = service.update_client(db, actor=admin, client_id=issued.client.id, data=data)
    assert client.name == "Renamed" and client.scopes == ["roster:write", "scim"]
    [event] = _events(db, "api_client.update")
    assert event.details["scopes"] == {"from": ["roster:write"], "to": ["roster:write", "scim"]}
    service.update_client(db, actor=admin, client_id=client.id, data=data)  # no change, no event
    assert len(_events(db, "api_client.update")) == 1


def test_bad_update_changes_nothing(db: Session, admin: Actor) -> None:
    issued = _create(db, admin)
    with pytest.raises(ValidationFailed):
        service.update_client(
            db, actor=admin, client_id=issued.client.id, data=ApiClientUpdate(name="New", scopes=["nope"])
        )
    assert issued.client.name == "District SIS"


def test_authenticate_unknown_and_absurd_input(db: Session) -> None:
    assert service.authenticate_client(db, client_id="stw_nobody", secret="x") is None
    assert service.authenticate_client(db, client_id="", secret="") is None
    assert service.authenticate_client(db, client_id="x" * 10_000, secret="y" * 10_000) is None


def test_grant_issues_a_token_for_the_requested_scopes(db: Session, admin: Actor) -> None:
    issued = _create(db, admin, ["roster:write", "sharing:read"])
    grant = service.grant_client_credentials(
        db,
        actor=ANON,
        client_id=issued.client.client_id,
        secret=issued.secret,
        scope="sharing:read",
        basic=False,
    )
    claims = verify_access_token(grant.token)
    assert claims.scopes == {"sharing:read"} and grant.scopes == ["sharing:read"]
    assert claims.client_id == issued.client.client_id and claims.secret_version == 1
    [event] = _events(db, "api_client.token")
    assert event.actor_type == "api_client" and event.client_address == "10.0.0.9"
    assert grant.token not in json.dumps(event.details)


def test_grant_defaults_to_all_scopes(db: Session, admin: Actor) -> None:
    issued = _create(db, admin, ["roster:write", "sharing:read"])
    grant = service.grant_client_credentials(
        db, actor=ANON, client_id=issued.client.client_id, secret=issued.secret, scope=None, basic=False
    )
    assert grant.scopes == ["roster:write", "sharing:read"]


def test_grant_refuses_a_scope_superset(db: Session, admin: Actor) -> None:
    issued = _create(db, admin, ["roster:write"])
    with pytest.raises(service.OAuthError) as info:
        service.grant_client_credentials(
            db,
            actor=ANON,
            client_id=issued.client.client_id,
            secret=issued.secret,
            scope="roster:write scim",
            basic=False,
        )
    assert info.value.error == "invalid_scope"
    assert _events(db, "api_client.token_failed")[0].details["reason"] == "scope not granted"


def test_failed_authentications_are_counted_and_throttled(db: Session, admin: Actor) -> None:
    issued = _create(db, admin)
    for _ in range(service.MAX_FAILURES_PER_CLIENT_AND_ADDRESS):
        with pytest.raises(service.OAuthError) as info:
            service.grant_client_credentials(
                db, actor=ANON, client_id=issued.client.client_id, secret="wrong", scope=None, basic=True
            )
        assert info.value.error == "invalid_client" and info.value.status == 401
    subjects = db.exec(select(AuthFailure.subject)).all()
    subject = f"client:{issued.client.client_id}@10.0.0.9"
    assert subjects == [subject] * service.MAX_FAILURES_PER_CLIENT_AND_ADDRESS
    with pytest.raises(service.OAuthError) as info:  # even the right secret, now
        service.grant_client_credentials(
            db, actor=ANON, client_id=issued.client.client_id, secret=issued.secret, scope=None, basic=False
        )
    assert info.value.status == 429 and info.value.retry_after == 900
    other = Actor(type="anonymous", client_address="10.0.0.10")
    assert service.grant_client_credentials(
        db, actor=other, client_id=issued.client.client_id, secret=issued.secret, scope=None, basic=False
    )
