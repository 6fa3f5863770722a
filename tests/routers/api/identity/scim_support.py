"""Helpers for the SCIM tests: a bearer token with the ``scim`` scope and request bodies."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.security.tokens import issue_access_token
from tests.support.factories import make_api_client

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_JSON = "application/scim+json"


def bearer(db: Session, scopes: list[str] | None = None) -> dict[str, str]:
    scopes = ["scim"] if scopes is None else scopes
    api_client, _ = make_api_client(db, scopes=scopes)
    token, _ = issue_access_token(
        client_id=api_client.client_id, scopes=scopes, secret_version=api_client.secret_version
    )
    return {"Authorization": f"Bearer {token}", "Content-Type": SCIM_JSON}


def user_body(user_name: str = "jdoe@riverbend.example.org", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": [USER, ENTERPRISE],
        "userName": user_name,
        "externalId": "ext-" + user_name.split("@")[0],
        "name": {"givenName": "Jane", "familyName": "Doe"},
        "displayName": "Jane Doe",
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "title": "Teacher",
        "userType": "substitute",
        "active": True,
        ENTERPRISE: {"employeeNumber": "E-" + user_name.split("@")[0], "department": "Science"},
    }
    body.update(extra)
    return body


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH], "Operations": list(operations)}
