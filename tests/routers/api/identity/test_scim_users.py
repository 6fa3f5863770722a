"""SCIM Users over HTTP: create, read, filter, page, replace, patch, delete, ETags and errors."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, Employee, EmployeeStatus, EmployeeType, OutboxMessage, Role
from tests.routers.api.identity.scim_support import (
    ENTERPRISE,
    ERROR,
    SCIM_JSON,
    bearer,
    patch,
    user_body,
)
from tests.support.factories import make_employee


@pytest.fixture
def hr(db: Session) -> dict[str, str]:
    return bearer(db)


def _create(
    client: TestClient, hr: dict[str, str], name: str = "jdoe@riverbend.example.org", **extra: object
) -> dict:
    response = client.post("/scim/v2/Users", headers=hr, json=user_body(name, **extra))
    assert response.status_code == 201, response.text
    return response.json()


def _error(response, status: int, scim_type: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(SCIM_JSON)
    body = response.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status)
    if scim_type:
        assert body["scimType"] == scim_type
    return body


def test_create_makes_an_employee_sends_the_welcome_and_answers_with_the_resource(
    client: TestClient, db: Session, hr: dict[str, str]
) -> None:
    response = client.post("/scim/v2/Users", headers=hr, json=user_body())
    assert response.status_code == 201
    assert response.headers["content-type"].startswith(SCIM_JSON)
    body = response.json()
    assert response.headers["location"].endswith(f"/scim/v2/Users/{body['id']}")
    assert response.headers["etag"] == body["meta"]["version"]
    assert response.headers["cache-control"] == "no-store"
    assert body["meta"]["resourceType"] == "User" and body["meta"]["created"]
    assert body["userName"] == "jdoe@riverbend.example.org"
    assert body["userType"] == "substitute" and body["active"] is True
    assert body[ENTERPRISE] == {"employeeNumber": "E-jdoe", "department": "Science"}
    assert body["groups"][0]["value"] == "staff"
    employee = db.get(Employee, __import__("uuid").UUID(body["id"]))
    assert employee is not None
    assert employee.employee_type == EmployeeType.substitute and employee.roles == [Role.staff.value]
    assert employee.password_hash is None
    welcome = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == employee.email)).all()
    assert len(welcome) == 1 and "password-reset" in welcome[0].body_text
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "scim.user.create")).one()
    assert event.actor_type == "api_client" and event.object_id == body["id"]
    assert "jdoe" not in json.dumps(event.details) and "Jane" not in json.dumps(event.details)
    assert "userName" in event.details["attributes"]


def test_a_body_with_a_password_is_refused(client: TestClient, db: Session, hr: dict[str, str]) -> None:
    body = _error(client.post("/scim/v2/Users", headers=hr, json=user_body(password="Secret123!x")), 400)
    assert body["scimType"] == "invalidValue" and "password" in body["detail"]
    assert db.exec(select(Employee)).first() is None


def test_duplicates_are_refused_with_uniqueness(client: TestClient, hr: dict[str, str]) -> None:
    _create(client, hr)
    _error(client.post("/scim/v2/Users", headers=hr, json=user_body()), 409, "uniqueness")
    other = user_body("other@riverbend.example.org")
    other[ENTERPRISE]["employeeNumber"] = "E-jdoe"
    _error(client.post("/scim/v2/Users", headers=hr, json=other), 409, "uniqueness")


@pytest.mark.parametrize(
    "body",
    [
        user_body(userType="janitor-in-chief"),
        user_body(userName=""),
        user_body(userName="no-address", emails=[]),
        user_body(title="Teacher\r\nBcc: x@evil.example"),
        user_body(active="perhaps"),
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]},
        ["not", "an", "object"],
    ],
)
def test_invalid_bodies_are_400_with_a_scim_error(
    client: TestClient, hr: dict[str, str], body: object
) -> None:
    _error(client.post("/scim/v2/Users", headers=hr, json=body), 400)


def test_malformed_json_is_invalid_syntax(client: TestClient, hr: dict[str, str]) -> None:
    _error(client.post("/scim/v2/Users", headers=hr, content=b'{"userName": '), 400, "invalidSyntax")


def test_get_answers_404_for_unknown_and_malformed_ids(client: TestClient, hr: dict[str, str]) -> None:
    _error(client.get("/scim/v2/Users/not-a-uuid", headers=hr), 404)
    _error(client.get("/scim/v2/Users/00000000-0000-0000-0000-000000000000", headers=hr), 404)
    _error(client.get("/scim/v2/Nope", headers=hr), 404)


def test_credentials_and_scope_are_required(client: TestClient, db: Session) -> None:
    _error(client.get("/scim/v2/Users"), 401)
    _error(client.get("/scim/v2/Users", headers=bearer(db, ["roster:write"])), 403)
    _error(client.get("/scim/v2/Users", headers={"Authorization": "Bearer nonsense"}), 401)


def test_filters(client: TestClient, db: Session, hr: dict[str, str]) -> None:
    first = _create(client, hr, "ann@riverbend.example.org")
    second = _create(client, hr, "bob@riverbend.example.org")
    client.patch(
        f"/scim/v2/Users/{second['id']}",
        headers=hr,
        json=patch({"op": "replace", "path": "active", "value": False}),
    )

    def ids(expression: str) -> list[str]:
        response = client.get("/scim/v2/Users", headers=hr, params={"filter": expression})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["totalResults"] == len(body.get("Resources", []))
        return [r["id"] for r in body.get("Resources", [])]

    assert ids('userName eq "ANN@riverbend.example.org"') == [first["id"]]
    assert ids('externalId eq "ext-bob"') == [second["id"]]
    assert ids('externalId eq "EXT-BOB"') == []  # externalId is case exact
    assert ids('emails.value eq "bob@riverbend.example.org"') == [second["id"]]
    assert ids('emails eq "ann@riverbend.example.org"') == [first["id"]]
    assert ids("active eq true") == [first["id"]]
    assert ids("active eq false") == [second["id"]]
    assert ids('userName sw "b" and active eq false') == [second["id"]]
    assert ids('userName eq "ann@riverbend.example.org" and active eq false') == []
    assert ids('userName eq "ann@riverbend.example.org" or externalId eq "ext-bob"') == [
        first["id"],
        second["id"],
    ]
    assert ids(f'{ENTERPRISE}:employeeNumber eq "E-ann"') == [first["id"]]
    assert ids('userName eq "x\' OR 1=1 --@riverbend.example.org"') == []


@pytest.mark.parametrize(
    "expression",
    [
        "userName eq",
        'nickName eq "x"',
        'active eq "yes"',
        'meta.created gt "2020-01-01T00:00:00Z"',
        "x" * 1200,
    ],
)
def test_bad_filters_are_invalid_filter(client: TestClient, hr: dict[str, str], expression: str) -> None:
    _error(client.get("/scim/v2/Users", headers=hr, params={"filter": expression}), 400, "invalidFilter")


def test_paging_with_start_index_and_count(client: TestClient, hr: dict[str, str]) -> None:
    made = [_create(client, hr, f"p{i}@riverbend.example.org")["id"] for i in range(5)]
    page = client.get("/scim/v2/Users", headers=hr, params={"startIndex": 2, "count": 2}).json()
    assert page["totalResults"] == 5 and page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert [r["id"] for r in page["Resources"]] == made[1:3]
    assert client.get("/scim/v2/Users", headers=hr, params={"count": 0}).json()["totalResults"] == 5
    clamped = client.get("/scim/v2/Users", headers=hr, params={"startIndex": -4, "count": -1}).json()
    assert clamped["startIndex"] == 1 and clamped["itemsPerPage"] == 0
    _error(client.get("/scim/v2/Users", headers=hr, params={"count": "many"}), 400)


def test_attributes_and_excluded_attributes(client: TestClient, hr: dict[str, str]) -> None:
    made = _create(client, hr)
    only = client.get(f"/scim/v2/Users/{made['id']}", headers=hr, params={"attributes": "userName"}).json()
    assert set(only) == {"schemas", "id", "userName"}
    without = client.get("/scim/v2/Users", headers=hr, params={"excludedAttributes": "emails,title"}).json()
    assert "emails" not in without["Resources"][0] and "title" not in without["Resources"][0]
    assert "userName" in without["Resources"][0]
    _error(
        client.get(
            "/scim/v2/Users", headers=hr, params={"attributes": "userName", "excludedAttributes": "title"}
        ),
        400,
    )


def test_replace_changes_fields_and_etags_guard_against_stale_writes(
    client: TestClient, db: Session, hr: dict[str, str]
) -> None:
    made = _create(client, hr)
    etag = made["meta"]["version"]
    changed = user_body(title="Head of Science", userType="coach")
    response = client.put(f"/scim/v2/Users/{made['id']}", headers={**hr, "If-Match": etag}, json=changed)
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Head of Science" and response.json()["userType"] == "coach"
    assert response.headers["etag"] != etag
    stale = client.put(f"/scim/v2/Users/{made['id']}", headers={**hr, "If-Match": etag}, json=user_body())
    _error(stale, 412)
    _error(client.delete(f"/scim/v2/Users/{made['id']}", headers={**hr, "If-Match": etag}), 412)
    fresh = client.get(f"/scim/v2/Users/{made['id']}", headers=hr).headers["etag"]
    assert (
        client.patch(
            f"/scim/v2/Users/{made['id']}",
            headers={**hr, "If-Match": fresh},
            json=patch({"op": "replace", "path": "title", "value": "Teacher"}),
        ).status_code
        == 200
    )
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "scim.user.replace")).one()
    assert event.details["attributes"] == ["title", "userType"]


def test_patch_as_entra_and_okta_send_it(client: TestClient, db: Session, hr: dict[str, str]) -> None:
    made = _create(client, hr)
    url = f"/scim/v2/Users/{made['id']}"
    # Entra ID: "Replace" capitalised, no path, values keyed by attribute (and the extension URN).
    entra = patch(
        {
            "op": "Replace",
            "value": {
                "title": "Coach",
                f"{ENTERPRISE}:department": "Athletics",
                "name.familyName": "Smith",
            },
        }
    )
    body = client.patch(url, headers=hr, json=entra).json()
    assert body["title"] == "Coach" and body[ENTERPRISE]["department"] == "Athletics"
    assert body["name"]["familyName"] == "Smith"
    # Okta: add and remove with paths.
    body = client.patch(url, headers=hr, json=patch({"op": "remove", "path": "title"})).json()
    assert "title" not in body
    body = client.patch(
        url, headers=hr, json=patch({"op": "add", "path": "userType", "value": "contractor"})
    ).json()
    assert body["userType"] == "contractor"
    _error(
        client.patch(url, headers=hr, json=patch({"op": "replace", "path": "password", "value": "x"})), 400
    )
    _error(client.patch(url, headers=hr, json=patch({"op": "jump", "path": "title", "value": "x"})), 400)
    _error(client.patch(url, headers=hr, json={"schemas": [], "Operations": []}), 400)


@pytest.mark.parametrize("value", ["False", False, {"active": "False"}])
def test_patch_active_false_terminates_including_entra_string(
    client: TestClient, db: Session, hr: dict[str, str], value: object
) -> None:
    made = _create(client, hr)
    op = (
        {"op": "Replace", "value": value}
        if isinstance(value, dict)
        else {"op": "Replace", "path": "active", "value": value}
    )
    response = client.patch(f"/scim/v2/Users/{made['id']}", headers=hr, json=patch(op))
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    employee = db.exec(select(Employee).where(col(Employee.user_name) == "jdoe@riverbend.example.org")).one()
    assert employee.status == EmployeeStatus.terminated
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "employee.terminate")).one()


def test_delete_terminates_keeps_the_record_and_a_new_post_is_a_rehire(
    client: TestClient, db: Session, hr: dict[str, str]
) -> None:
    made = _create(client, hr)
    assert client.delete(f"/scim/v2/Users/{made['id']}", headers=hr).status_code == 204
    _error(client.get(f"/scim/v2/Users/{made['id']}", headers=hr), 404)
    _error(client.delete(f"/scim/v2/Users/{made['id']}", headers=hr), 404)
    employee = db.exec(select(Employee).where(col(Employee.user_name) == "jdoe@riverbend.example.org")).one()
    assert employee.status == EmployeeStatus.terminated and employee.scim_deleted_at is not None
    assert client.get("/scim/v2/Users", headers=hr).json()["totalResults"] == 0
    again = _create(client, hr)
    assert again["id"] == made["id"] and again["active"] is True
    assert employee.status == EmployeeStatus.active and employee.scim_deleted_at is None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "employee.rehire")).one()
    welcomes = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == employee.email)).all()
    assert len(welcomes) == 2


def test_active_true_on_a_terminated_employee_is_a_rehire_without_the_old_password(
    client: TestClient, db: Session, hr: dict[str, str]
) -> None:
    made = _create(client, hr)
    url = f"/scim/v2/Users/{made['id']}"
    client.patch(url, headers=hr, json=patch({"op": "replace", "path": "active", "value": False}))
    employee = db.exec(select(Employee).where(col(Employee.user_name) == "jdoe@riverbend.example.org")).one()
    employee.password_hash = "old"
    body = client.patch(
        url, headers=hr, json=patch({"op": "replace", "path": "active", "value": "True"})
    ).json()
    assert body["active"] is True and employee.password_hash is None


def test_a_suspension_is_not_lifted_by_hr(client: TestClient, db: Session, hr: dict[str, str]) -> None:
    suspended = make_employee(db, status=EmployeeStatus.suspended)
    body = client.put(
        f"/scim/v2/Users/{suspended.id}", headers=hr, json=user_body(suspended.email, active=True)
    ).json()
    assert body["active"] is False and suspended.status == EmployeeStatus.suspended


def test_existing_accounts_show_with_their_email_as_user_name(
    client: TestClient, db: Session, hr: dict[str, str]
) -> None:
    old = make_employee(db, email="pat@riverbend.example.org")
    found = client.get(
        "/scim/v2/Users", headers=hr, params={"filter": 'userName eq "pat@riverbend.example.org"'}
    )
    assert [r["id"] for r in found.json()["Resources"]] == [str(old.id)]


def test_every_call_is_audited_with_the_client(client: TestClient, db: Session, hr: dict[str, str]) -> None:
    made = _create(client, hr)
    client.get(f"/scim/v2/Users/{made['id']}", headers=hr)
    client.get("/scim/v2/Users", headers=hr, params={"filter": 'userName eq "jdoe@riverbend.example.org"'})
    actions = [e.action for e in db.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all()]
    assert actions[-3:] == ["scim.user.create", "scim.user.read", "scim.user.search"]
    search = db.exec(select(AuditEvent).where(AuditEvent.action == "scim.user.search")).one()
    assert "jdoe" not in json.dumps(search.details)


def test_more_of_what_entra_and_okta_send(client: TestClient, db: Session, hr: dict[str, str]) -> None:
    # Entra ID checks for the user first (an empty list, not 404), with operators in any case.
    empty = client.get(
        "/scim/v2/Users", headers=hr, params={"filter": 'userName Eq "new@riverbend.example.org"'}
    )
    assert empty.status_code == 200 and empty.json()["totalResults"] == 0
    made = _create(client, hr, "new@riverbend.example.org")
    url = f"/scim/v2/Users/{made['id']}"
    # Entra ID: the work email through a value filter in the path.
    moved = client.patch(
        url,
        headers=hr,
        json=patch(
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "moved@riverbend.example.org"}
        ),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["emails"][0]["value"] == "moved@riverbend.example.org"
    assert db.exec(select(Employee).where(col(Employee.email) == "moved@riverbend.example.org")).one()
    # Okta: deactivation as a path-less replace with a real boolean; then reactivation.
    off = client.patch(url, headers=hr, json=patch({"op": "replace", "value": {"active": False}}))
    assert off.json()["active"] is False
    on = client.patch(url, headers=hr, json=patch({"op": "replace", "value": {"active": True}}))
    assert on.json()["active"] is True
    # Okta's profile updates are a PUT of the whole user, with the id in the body.
    body = user_body("new@riverbend.example.org", id=made["id"], title="Librarian")
    body["emails"] = [{"value": "moved@riverbend.example.org", "type": "work", "primary": True}]
    assert client.put(url, headers=hr, json=body).json()["title"] == "Librarian"
    # POST /Users/.search answers like GET; a search across every resource type is 501.
    found = client.post(
        "/scim/v2/Users/.search",
        headers=hr,
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'externalId eq "ext-new"',
            "attributes": ["userName"],
        },
    )
    assert found.status_code == 200, found.text
    assert [set(r) for r in found.json()["Resources"]] == [{"schemas", "id", "userName"}]
    _error(client.post("/scim/v2/.search", headers=hr, json={}), 501)


def test_a_rehire_does_not_give_back_the_privacy_roles(
    client: TestClient, db: Session, hr: dict[str, str]
) -> None:
    former_admin = make_employee(
        db, roles=[Role.privacy_admin, Role.auditor], status=EmployeeStatus.terminated
    )
    url = f"/scim/v2/Users/{former_admin.id}"
    body = client.patch(
        url, headers=hr, json=patch({"op": "replace", "path": "active", "value": True})
    ).json()
    assert body["active"] is True and former_admin.roles == ["auditor"]
    assert [g["value"] for g in body["groups"]] == ["auditor"]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "employee.rehire")).one()
    assert event.details["privacy_roles_dropped"] == ["privacy_admin"]
