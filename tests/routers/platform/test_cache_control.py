"""Issue 21 item 9: every response is ``Cache-Control: no-store`` unless it opted in to caching.

The route table is walked from the app itself, so a route added tomorrow is checked too: every
method of every route, called anonymously (no CSRF token, so nothing changes), and every GET
called again as a privacy administrator, a guardian, a vendor contact and an API client holding
every scope, so the personal pages and answers themselves (not only their refusals) are seen.
"""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from app.security.permissions import SCOPES
from app.security.tokens import issue_access_token
from tests.support.auth import sign_in_as, sign_in_family
from tests.support.factories import make_api_client, make_employee, make_guardian, make_student

# The only answers that may be cached, and by whom.
CACHEABLE = {
    "/": "private, max-age=300",  # the home page: no personal data, but this browser's CSRF token
    "/registry": "private, max-age=300",
    "/api/v1/registry/dpas": "public, max-age=300",  # the public registry: no personal data
    "/api/v1/registry/dpas.csv": "public, max-age=300",
}


def _routes(app: FastAPI) -> list[tuple[str, str, str]]:
    out = []
    for route in iter_route_contexts(app.routes):
        template = str(route.path)
        if not route.methods or template.startswith("/static"):
            continue
        path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), template)
        out.extend((method, template, path) for method in sorted(route.methods - {"HEAD"}))
    return out


def _check(response, template: str, method: str, who: str) -> str | None:
    got = response.headers.get("cache-control")
    expected = CACHEABLE.get(template) if method == "GET" and response.status_code == 200 else None
    if expected is not None:
        return None if got == expected else f"{who} {method} {template} -> {got!r}, expected {expected!r}"
    return None if got is not None and "no-store" in got else f"{who} {method} {template} -> {got!r}"


def test_every_route_answers_no_store_unless_it_is_public(app: FastAPI, db: Session) -> None:
    routes = _routes(app)
    assert len(routes) > 50
    problems: list[str] = []
    with TestClient(app, raise_server_exceptions=False) as anonymous:
        for method, template, path in routes:
            problems.append(_check(anonymous.request(method, path), template, method, "anonymous"))

    gets = [(t, p) for m, t, p in routes if m == "GET"]
    admin = make_employee(db, roles=[Role.privacy_admin, Role.privacy_team])
    guardian = make_guardian(db, children=[make_student(db)])
    api_client, _ = make_api_client(db, scopes=sorted(SCOPES))
    token, _ = issue_access_token(
        client_id=api_client.client_id, scopes=sorted(SCOPES), secret_version=api_client.secret_version
    )
    personal_pages = 0
    for who in ("staff", "guardian", "api"):
        with TestClient(app, raise_server_exceptions=False) as client:
            if who == "staff":
                sign_in_as(client, db, admin)
            elif who == "guardian":
                sign_in_family(client, db, guardian)
            else:
                client.headers["Authorization"] = f"Bearer {token}"
            for template, path in gets:
                response = client.get(path, follow_redirects=False)
                personal_pages += response.status_code == 200 and template not in CACHEABLE
                problems.append(_check(response, template, "GET", who))
    assert [p for p in problems if p] == []
    # The walk reached the pages the issue names, not only their refusals.
    assert personal_pages > 20


def test_the_named_personal_pages_and_answers_are_no_store(client: TestClient, db: Session) -> None:
    admin = make_employee(db, roles=[Role.privacy_admin, Role.privacy_team])
    sign_in_as(client, db, admin)
    for path in (
        "/staff",
        "/staff/disputes",
        "/staff/employees",
        "/staff/audit",
        "/staff/api-clients",
        "/staff/vendors",
        "/staff/account",
        "/api/v1/disputes",
        "/api/v1/employees",
        "/api/v1/audit-events",
        "/api/v1/whoami",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path


def test_static_files_and_unknown_paths(client: TestClient) -> None:
    static = client.get("/static/vendor/htmx.min.js")
    assert static.status_code == 200 and static.headers["cache-control"] == "public, max-age=3600"
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-store"
