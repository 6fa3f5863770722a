"""/staff/api-clients pages: list, create (secret shown once), detail, rotate, revoke, permissions."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import ApiClient, AuditEvent, Role
from app.security.client_secrets import verify_client_secret
from app.security.crypto import keyed_hash
from tests.support.auth import sign_in_as
from tests.support.factories import make_api_client, make_employee


@pytest.fixture
def admin_client(client: TestClient, db: Session) -> TestClient:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]))
    return client


def _secret_from(html: str) -> str:
    match = re.search(r'id="client-secret"[^>]*value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_list_page(admin_client: TestClient, db: Session) -> None:
    existing, _ = make_api_client(db, scopes=["roster:write"])
    r = admin_client.get("/staff/api-clients")
    assert r.status_code == 200 and r.headers["vary"] == "HX-Request"
    assert existing.name in r.text and existing.client_id in r.text and "New API client" in r.text
    assert "secret_hash" not in r.text and existing.secret_hash not in r.text


def test_new_form_lists_scopes_with_descriptions(admin_client: TestClient) -> None:
    r = admin_client.get("/staff/api-clients/new")
    assert r.status_code == 200
    assert 'name="scopes" value="roster:write"' in r.text and "push the roster" in r.text
    assert 'name="csrf_token"' in r.text and 'type="checkbox"' in r.text


def test_create_shows_the_secret_once(admin_client: TestClient, db: Session) -> None:
    r = admin_client.post(
        "/staff/api-clients",
        data={"name": "District SIS", "kind": "sis", "scopes": ["roster:write", "sharing:read"]},
    )
    assert r.status_code == 200, r.text
    assert "it will not be shown again" in r.text
    assert r.headers["cache-control"] == "no-store"
    client_row = db.exec(select(ApiClient).where(ApiClient.name == "District SIS")).one()
    secret = _secret_from(r.text)
    assert verify_client_secret(secret, client_row.secret_hash).ok
    assert client_row.scopes == ["roster:write", "sharing:read"]
    detail = admin_client.get(f"/staff/api-clients/{client_row.id}")
    assert detail.status_code == 200 and secret not in detail.text and client_row.client_id in detail.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "kind": "sis", "scopes": ["scim"]}, "Enter a name"),
        ({"name": "X", "kind": "sis"}, "Choose at least one scope"),
        ({"name": "X", "kind": "mainframe", "scopes": ["scim"]}, "Choose what kind"),
        ({"name": "X", "kind": "sis", "scopes": ["root"]}, "Choose scopes from the list"),
        ({"name": "   ", "kind": "sis", "scopes": ["scim"]}, "Enter a name"),
    ],
)
def test_bad_create_re_renders_the_form(
    admin_client: TestClient,
    db: Session,
    form: dict,
    message: str,  # type: ignore[type-arg]
) -> None:
    r = admin_client.post("/staff/api-clients", data=form)
    assert r.status_code == 422 and message in r.text
    assert 'aria-invalid="true"' in r.text and "<form" in r.text
    assert db.exec(select(ApiClient)).first() is None


def test_create_escapes_markup(admin_client: TestClient, db: Session) -> None:
    r = admin_client.post(
        "/staff/api-clients", data={"name": "<script>alert(1)</script>", "kind": "other", "scopes": ["scim"]}
    )
    assert r.status_code == 200 and "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;" in r.text
    listing = admin_client.get("/staff/api-clients")
    assert "<script>alert(1)</script>" not in listing.text


def test_rotate_needs_confirmation_then_shows_the_new_secret(admin_client: TestClient, db: Session) -> None:
    target, old_secret = make_api_client(db, scopes=["scim"])
    r = admin_client.post(f"/staff/api-clients/{target.id}/rotate")
    assert r.status_code == 422 and "Tick the box to confirm" in r.text and target.secret_version == 1
    r = admin_client.post(f"/staff/api-clients/{target.id}/rotate", data={"confirm": "yes"})
    assert r.status_code == 200 and "it will not be shown again" in r.text
    assert target.secret_version == 2
    assert verify_client_secret(_secret_from(r.text), target.secret_hash).ok
    assert not verify_client_secret(old_secret, target.secret_hash).ok


def test_revoke_needs_confirmation(admin_client: TestClient, db: Session) -> None:
    target, _ = make_api_client(db, scopes=["scim"])
    r = admin_client.post(f"/staff/api-clients/{target.id}/revoke", data={"confirm": "no"})
    assert r.status_code == 422 and target.active
    r = admin_client.post(
        f"/staff/api-clients/{target.id}/revoke", data={"confirm": "yes"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == f"/staff/api-clients/{target.id}"
    assert not target.active
    page = admin_client.get(r.headers["location"])
    assert "is revoked" in page.text and "Rotate the secret" not in page.text
    again = admin_client.post(f"/staff/api-clients/{target.id}/revoke", data={"confirm": "yes"})
    assert "has been revoked" in again.text
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "api_client.revoke")).all()) == 1


def test_edit_name_and_scopes(admin_client: TestClient, db: Session) -> None:
    target, _ = make_api_client(db, scopes=["scim"])
    r = admin_client.post(
        f"/staff/api-clients/{target.id}", data={"name": "HR system", "scopes": ["scim", "vendors:read"]}
    )
    assert r.status_code == 200 and "Saved." in r.text  # followed the redirect
    assert target.name == "HR system" and target.scopes == ["scim", "vendors:read"]
    bad = admin_client.post(f"/staff/api-clients/{target.id}", data={"name": "HR system"})
    assert bad.status_code == 422 and "Choose at least one scope" in bad.text
    assert target.scopes == ["scim", "vendors:read"]


def test_forms_without_csrf_are_refused(admin_client: TestClient, db: Session) -> None:
    del admin_client.headers["X-CSRF-Token"]
    r = admin_client.post("/staff/api-clients", data={"name": "X", "kind": "sis", "scopes": ["scim"]})
    assert r.status_code == 403
    assert db.exec(select(ApiClient)).first() is None


PAGES = [
    ("get", "/staff/api-clients"),
    ("get", "/staff/api-clients/new"),
    ("post", "/staff/api-clients"),
    ("get", "/staff/api-clients/{id}"),
    ("post", "/staff/api-clients/{id}"),
    ("post", "/staff/api-clients/{id}/rotate"),
    ("post", "/staff/api-clients/{id}/revoke"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_signed_out_goes_to_sign_in(client: TestClient, db: Session, method: str, path: str) -> None:
    target, _ = make_api_client(db, scopes=["scim"])
    client.get("/")  # an anonymous cookie and its CSRF token, as a browser would have
    client.headers["X-CSRF-Token"] = keyed_hash("csrf", client.cookies["steward_anon"])
    r = getattr(client, method)(path.format(id=target.id), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/sign-in?next=")
    assert target.active and target.secret_version == 1


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_wrong_role_is_403(client: TestClient, db: Session, method: str, path: str) -> None:
    target, _ = make_api_client(db, scopes=["scim"])
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    data = {"confirm": "yes", "name": "x", "kind": "sis", "scopes": ["scim"]} if method == "post" else None
    r = getattr(client, method)(path.format(id=target.id), **({"data": data} if data else {}))
    assert r.status_code == 403 and "<main" in r.text
    assert target.active and target.secret_version == 1
    assert db.exec(select(ApiClient)).all() == [target]


@pytest.mark.parametrize(("method", "path"), [p for p in PAGES if "{id}" in p[1]])
@pytest.mark.parametrize("ident", [str(uuid.uuid4()), "nope"], ids=["unknown-uuid", "not-a-uuid"])
def test_unknown_id_is_404(admin_client: TestClient, method: str, path: str, ident: str) -> None:
    data = {"confirm": "yes", "name": "x", "scopes": ["scim"]} if method == "post" else None
    r = getattr(admin_client, method)(path.format(id=ident), **({"data": data} if data else {}))
    assert r.status_code == 404 and "<main" in r.text
