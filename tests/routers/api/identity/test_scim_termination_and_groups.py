"""Termination over SCIM ends a live session at once; Groups are roles with a privacy-role guard;
discovery tells the truth; no API scope can grant or remove the privacy roles (issue 21, item 18)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actors import SYSTEM
from app.models import AuditEvent, EmployeeStatus, OutboxMessage, Role, UserSession
from app.services.disputes import calendar as calendar_feeds
from tests.routers.api.identity.scim_support import ERROR, bearer, patch, user_body
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee


@pytest.fixture
def hr(db: Session) -> dict[str, str]:
    return bearer(db)


@pytest.mark.parametrize("how", ["delete", "patch", "put"])
def test_termination_refuses_the_live_browser_session_on_its_next_request(
    app: FastAPI, client: TestClient, db: Session, hr: dict[str, str], how: str
) -> None:
    person = make_employee(db, email="leaver@riverbend.example.org", roles=[Role.privacy_team])
    with TestClient(app, base_url="http://testserver") as browser:
        sign_in_as(browser, db, person)
        assert browser.get("/staff", follow_redirects=False).status_code == 200
        assert browser.get("/api/v1/whoami").status_code == 200  # the session used on the API
        url = f"/scim/v2/Users/{person.id}"
        if how == "delete":
            assert client.delete(url, headers=hr).status_code == 204
        elif how == "patch":
            body = patch({"op": "Replace", "path": "active", "value": "False"})
            assert client.patch(url, headers=hr, json=body).status_code == 200
        else:
            body = user_body("leaver@riverbend.example.org", active=False)
            assert client.put(url, headers=hr, json=body).status_code == 200
        assert person.status == EmployeeStatus.terminated
        page = browser.get("/staff", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/staff/sign-in")
        assert browser.get("/api/v1/whoami").status_code == 401
    sessions = db.exec(select(UserSession).where(UserSession.principal_id == person.id)).all()
    assert sessions and all(s.ended_at is not None for s in sessions)


def test_termination_refuses_the_persons_calendar_feed_token_even_after_a_rehire(
    client: TestClient, db: Session, hr: dict[str, str]
) -> None:
    person = make_employee(db, roles=[Role.privacy_team])
    url = calendar_feeds.create_feed(db, employee_id=person.id, actor=SYSTEM)
    path = url[url.index("/calendar/") :]

    def feed() -> int:
        status = client.get(path).status_code
        client.cookies.clear()  # a calendar app, not a browser: no cookie rides along with HR's calls
        return status

    assert feed() == 200
    off = patch({"op": "replace", "path": "active", "value": False})
    assert client.patch(f"/scim/v2/Users/{person.id}", headers=hr, json=off).status_code == 200
    assert feed() == 404
    on = patch({"op": "replace", "path": "active", "value": True})
    back = client.patch(f"/scim/v2/Users/{person.id}", headers=hr, json=on)
    assert back.status_code == 200 and back.json()["active"] is True, back.text
    assert feed() == 404


def test_groups_are_the_roles_with_their_members(client: TestClient, db: Session, hr: dict[str, str]) -> None:
    auditor = make_employee(db, roles=[Role.auditor])
    make_employee(db, roles=[Role.staff], status=EmployeeStatus.terminated)
    listing = client.get("/scim/v2/Groups", headers=hr).json()
    assert [g["id"] for g in listing["Resources"]] == ["staff", "privacy_team", "privacy_admin", "auditor"]
    group = client.get("/scim/v2/Groups/auditor", headers=hr)
    assert group.headers["etag"] == group.json()["meta"]["version"]
    assert [m["value"] for m in group.json()["members"]] == [str(auditor.id)]
    found = client.get("/scim/v2/Groups", headers=hr, params={"filter": 'displayName eq "Auditors"'}).json()
    assert [g["id"] for g in found["Resources"]] == ["auditor"]
    bare = client.get("/scim/v2/Groups/auditor", headers=hr, params={"excludedAttributes": "members"}).json()
    assert "members" not in bare
    assert client.get("/scim/v2/Groups/nope", headers=hr).status_code == 404
    assert (
        client.get("/scim/v2/Groups", headers=hr, params={"filter": 'members.value eq "x"'}).status_code
        == 400
    )


def test_an_idp_adds_and_removes_members_of_staff_and_auditor(
    client: TestClient, db: Session, hr: dict[str, str]
) -> None:
    person = make_employee(db, roles=[Role.staff])
    added = client.patch(
        "/scim/v2/Groups/auditor",
        headers=hr,
        json=patch({"op": "add", "path": "members", "value": [{"value": str(person.id)}]}),
    )
    assert added.status_code == 200, added.text
    assert person.roles == ["staff", "auditor"]
    removed = client.patch(
        "/scim/v2/Groups/auditor",
        headers=hr,
        json=patch({"op": "remove", "path": f'members[value eq "{person.id}"]'}),
    )
    assert removed.status_code == 200, removed.text
    assert person.roles == ["staff"]
    last = client.patch(
        "/scim/v2/Groups/staff",
        headers=hr,
        json=patch({"op": "remove", "path": f'members[value eq "{person.id}"]'}),
    )
    assert last.status_code == 400 and person.roles == ["staff"]  # everyone keeps one role
    unknown = patch(
        {"op": "add", "path": "members", "value": [{"value": "00000000-0000-0000-0000-000000000001"}]}
    )
    assert client.patch("/scim/v2/Groups/auditor", headers=hr, json=unknown).status_code == 400
    events = db.exec(
        select(AuditEvent).where(AuditEvent.action == "scim.group.patch").order_by(col(AuditEvent.seq))
    ).all()
    assert len(events) == 2 and events[0].details == {"added": [str(person.id)], "removed": []}


@pytest.mark.parametrize("group", ["privacy_team", "privacy_admin"])
@pytest.mark.parametrize("op", ["add", "remove"])
def test_no_idp_may_grant_or_remove_privacy_roles(
    client: TestClient, db: Session, hr: dict[str, str], group: str, op: str
) -> None:
    person = make_employee(db, roles=[Role.staff, Role(group)] if op == "remove" else [Role.staff])
    before = list(person.roles)
    body = (
        patch({"op": "add", "path": "members", "value": [{"value": str(person.id)}]})
        if op == "add"
        else patch({"op": "remove", "path": f'members[value eq "{person.id}"]'})
    )
    response = client.patch(f"/scim/v2/Groups/{group}", headers=hr, json=body)
    assert response.status_code == 403
    assert response.json()["schemas"] == [ERROR]
    assert person.roles == before


def test_groups_cannot_be_created_replaced_or_deleted(client: TestClient, hr: dict[str, str]) -> None:
    assert client.post("/scim/v2/Groups", headers=hr, json={"displayName": "x"}).status_code == 405
    assert client.put("/scim/v2/Groups/staff", headers=hr, json={"displayName": "x"}).status_code == 405
    assert client.delete("/scim/v2/Groups/staff", headers=hr).status_code == 405


def test_discovery_tells_what_is_supported(client: TestClient, hr: dict[str, str]) -> None:
    config = client.get("/scim/v2/ServiceProviderConfig", headers=hr).json()
    assert config["patch"]["supported"] and config["filter"] == {"supported": True, "maxResults": 200}
    assert config["etag"]["supported"] and not config["bulk"]["supported"]
    assert not config["sort"]["supported"] and not config["changePassword"]["supported"]
    types = client.get("/scim/v2/ResourceTypes", headers=hr).json()
    assert [t["id"] for t in types["Resources"]] == ["User", "Group"]
    assert client.get("/scim/v2/ResourceTypes/User", headers=hr).json()["endpoint"] == "/Users"
    schemas = {s["id"]: s for s in client.get("/scim/v2/Schemas", headers=hr).json()["Resources"]}
    user = schemas["urn:ietf:params:scim:schemas:core:2.0:User"]
    assert "password" not in [a["name"] for a in user["attributes"]]
    assert "phoneNumbers" not in [a["name"] for a in user["attributes"]]
    enterprise = schemas["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
    assert [a["name"] for a in enterprise["attributes"]] == ["employeeNumber", "department"]
    assert client.get("/scim/v2/Schemas/urn:nope", headers=hr).status_code == 404


def test_the_scim_scope_cannot_make_or_promote_a_privacy_administrator_through_employees(
    client: TestClient, db: Session
) -> None:
    scim = {k: v for k, v in bearer(db).items() if k != "Content-Type"}
    new = {"email": "evil@riverbend.example.org", "name": "Evil", "roles": ["privacy_admin"]}
    assert client.post("/api/v1/employees", headers=scim, json=new).status_code == 403
    someone = make_employee(db, roles=[Role.staff])
    promote = client.patch(f"/api/v1/employees/{someone.id}", headers=scim, json={"roles": ["privacy_team"]})
    assert promote.status_code == 403 and someone.roles == ["staff"]
    admin = make_employee(db, roles=[Role.privacy_admin, Role.staff])
    demote = client.patch(f"/api/v1/employees/{admin.id}", headers=scim, json={"roles": ["staff"]})
    assert demote.status_code == 403 and "privacy_admin" in admin.roles
    ok = client.patch(f"/api/v1/employees/{someone.id}", headers=scim, json={"roles": ["staff", "auditor"]})
    assert ok.status_code == 200


def test_an_admin_change_of_privacy_roles_is_audited_and_emailed_to_every_admin(
    client: TestClient, db: Session
) -> None:
    me = make_employee(db, roles=[Role.privacy_admin], email="boss@riverbend.example.org")
    other = make_employee(db, roles=[Role.privacy_admin], email="boss2@riverbend.example.org")
    make_employee(
        db, roles=[Role.privacy_admin], status=EmployeeStatus.terminated, email="gone@riverbend.example.org"
    )
    someone = make_employee(db, roles=[Role.staff], email="someone@riverbend.example.org")
    sign_in_as(client, db, me)
    response = client.patch(f"/api/v1/employees/{someone.id}", json={"roles": ["staff", "privacy_team"]})
    assert response.status_code == 200
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "employee.privacy_roles")).one()
    assert event.details == {"granted": ["privacy_team"], "removed": []}
    mails = db.exec(select(OutboxMessage).where(OutboxMessage.subject.contains("Privacy role change"))).all()
    assert sorted(m.recipient for m in mails) == sorted([me.email, other.email])


def test_entra_group_membership_shapes(client: TestClient, db: Session, hr: dict[str, str]) -> None:
    person = make_employee(db, roles=[Role.staff])
    add = patch({"op": "Add", "path": "members", "value": [{"value": str(person.id)}]})
    assert client.patch("/scim/v2/Groups/auditor", headers=hr, json=add).status_code == 200
    assert person.roles == ["staff", "auditor"]
    remove = patch({"op": "Remove", "path": "members", "value": [{"value": str(person.id)}]})
    response = client.patch("/scim/v2/Groups/auditor", headers=hr, json=remove)
    assert response.status_code == 200, response.text
    assert person.roles == ["staff"]
