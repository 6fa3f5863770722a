"""A client that opted in to conditional edits: every PUT or PATCH without If-Match is refused
with 428 and changes nothing; admins turn it on and off (API and page), audited."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, Role
from app.security.tokens import issue_access_token
from tests.support.auth import sign_in_as
from tests.support.factories import make_api_client, make_employee
from tests.support.vendors import make_vendor

SCOPES = ["vendors:write"]


def _bearer(db: Session, *, require_if_match: bool) -> dict[str, str]:
    api_client, _ = make_api_client(db, scopes=SCOPES)
    api_client.require_if_match = require_if_match
    db.add(api_client)
    db.flush()
    token, _ = issue_access_token(client_id=api_client.client_id, scopes=SCOPES, secret_version=1)
    return {"Authorization": f"Bearer {token}"}


def test_an_opted_in_client_must_send_if_match(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name="Careful Co")
    url = f"/api/v1/vendors/{vendor.id}"
    careful = _bearer(db, require_if_match=True)
    blind = client.patch(url, json={"products": "Maths"}, headers=careful)
    assert blind.status_code == 428, blind.text
    assert blind.headers["content-type"] == "application/problem+json"
    assert "If-Match" in blind.json()["detail"]
    db.refresh(vendor)
    assert vendor.products != "Maths"
    # Reads are untouched; an edit with the tag it read goes through.
    tag = client.get(url, headers=careful).headers["etag"]
    assert (
        client.patch(url, json={"products": "Maths"}, headers={**careful, "If-Match": tag}).status_code == 200
    )
    # A sub-resource edit (PUT) is held to the same rule.
    policy = client.put(
        f"{url}/privacy-policy", data={"privacy_policy_url": "https://p.example.org"}, headers=careful
    )
    assert policy.status_code == 428


def test_other_clients_may_still_edit_without_if_match(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name="Casual Co")
    casual = _bearer(db, require_if_match=False)
    r = client.patch(f"/api/v1/vendors/{vendor.id}", json={"products": "Art"}, headers=casual)
    assert r.status_code == 200, r.text


def test_admins_turn_it_on_and_off_through_the_api_and_the_page(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]))
    made = client.post(
        "/api/v1/api-clients", json={"name": "SIS", "kind": "sis", "scopes": SCOPES, "require_if_match": True}
    )
    assert made.status_code == 201 and made.json()["require_if_match"] is True
    client_id = made.json()["id"]
    off = client.patch(f"/api/v1/api-clients/{client_id}", json={"require_if_match": False})
    assert off.status_code == 200 and off.json()["require_if_match"] is False
    page = client.get(f"/staff/api-clients/{client_id}")
    assert (
        'name="require_if_match"' in page.text
        and "checked" not in page.text.split('id="require-if-match"')[1][:120]
    )
    on = client.post(
        f"/staff/api-clients/{client_id}", data={"name": "SIS", "scopes": SCOPES, "require_if_match": "yes"}
    )
    assert on.status_code == 200
    assert client.get(f"/api/v1/api-clients/{client_id}").json()["require_if_match"] is True
    changes = db.exec(
        select(AuditEvent.details)
        .where(AuditEvent.action == "api_client.update")
        .order_by(col(AuditEvent.seq))
    ).all()
    assert [c["require_if_match"] for c in changes] == [
        {"from": True, "to": False},
        {"from": False, "to": True},
    ]
