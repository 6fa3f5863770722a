"""Whatever a client sends to /scim/v2, the answer is a SCIM error, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.routers.api.identity.scim_support import ERROR, SCIM_JSON, bearer, patch, user_body

ODD: list[Any] = [
    None,
    [],
    "text",
    42,
    {"Operations": "replace"},
    {"Operations": [None]},
    {"Operations": [{"op": "replace", "path": 7, "value": "x"}]},
    {"Operations": [{"op": "replace", "path": "name[", "value": "x"}]},
    {"Operations": [{"op": "add", "path": "groups", "value": [{"value": "privacy_admin"}]}]},
    {"Operations": [{"op": "replace", "path": "id", "value": "other"}]},
    {"Operations": [{"op": "replace", "path": "meta.version", "value": "x"}]},
    {"Operations": [{"op": "replace", "path": "userName", "value": None}]},
    {"Operations": [{"op": "replace", "path": "userName", "value": ["a", "b"]}]},
    {"Operations": [{"op": "replace", "path": "emails", "value": "not-a-list"}]},
    {"Operations": [{"op": "replace", "value": "not-an-object"}]},
    {"Operations": [{"op": "replace", "path": "unknownAttr", "value": "x"}]},
    patch({"op": "replace", "path": "userName", "value": "x" * 300}),
    patch({"op": "replace", "path": "displayName", "value": "Jane\u2028Bcc: x"}),
]


@pytest.mark.parametrize("body", ODD)
def test_odd_patch_bodies_are_scim_errors(client: TestClient, db: Session, body: Any) -> None:
    hr = bearer(db)
    made = client.post("/scim/v2/Users", headers=hr, json=user_body()).json()
    for url in (f"/scim/v2/Users/{made['id']}", "/scim/v2/Groups/auditor"):
        response = client.patch(url, headers=hr, json=body)
        assert 400 <= response.status_code < 500, (url, response.status_code, response.text)
        assert response.headers["content-type"].startswith(SCIM_JSON)
        assert response.json()["schemas"] == [ERROR]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"userName": {"nested": True}},
        {"userName": "a@riverbend.example.org", "emails": [{"value": 5}]},
        {"userName": "a@riverbend.example.org", "name": "flat"},
        {
            "userName": "a@riverbend.example.org",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": 3,
        },
        {"userName": "a@riverbend.example.org", "groups": [{"value": "privacy_admin"}]},
        {"userName": "a@riverbend.example.org", "id": "chosen-by-client", "meta": {"version": "x"}},
        {"userName": "<script>alert(1)</script>"},
        {"userName": "a@riverbend.example.org", "schemas": ["urn:nope"]},
    ],
)
def test_odd_create_bodies_are_scim_errors_or_safe(client: TestClient, db: Session, body: Any) -> None:
    response = client.post("/scim/v2/Users", headers=bearer(db), json=body)
    assert response.status_code in (201, 400, 409), response.text
    assert response.headers["content-type"].startswith(SCIM_JSON)
    if response.status_code == 201:
        made = response.json()
        assert made["groups"] == [{"value": "staff", "$ref": made["groups"][0]["$ref"], "display": "Staff"}]
        assert made["id"] != "chosen-by-client"


@pytest.mark.parametrize(
    "params",
    [
        {"filter": 'userName eq "\u0000"'},
        {"filter": "((((((((((userName pr))))))))))"},
        {"filter": 'userName eq "a" and ' * 40 + "userName pr"},
        {"filter": 'emails[value eq "a@b.org"]'},
        {"filter": 'userName gt "a"'},
        {"startIndex": "1e9"},
        {"attributes": "name[", "count": "1"},
        {"excludedAttributes": "urn:nope:attr"},
    ],
)
def test_odd_queries_never_fail_the_server(client: TestClient, db: Session, params: dict[str, str]) -> None:
    response = client.get("/scim/v2/Users", headers=bearer(db), params=params)
    assert response.status_code in (200, 400), response.text
    assert response.headers["content-type"].startswith(SCIM_JSON)
