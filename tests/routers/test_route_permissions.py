"""Every route in the app's route table is protected, or on the explicit public list below.

The route table is read from the app itself, so a new route is checked the moment it exists:
a route with no sign-in or permission dependency that is not on ``PUBLIC`` fails this test.
A route's protection is read from its dependencies: ``Allow(permission)`` (a role or API scope),
the staff session dependencies, and the family and vendor ones. For each protected route:

- without credentials, an ``/api/`` route answers 401 problem+json, and a page redirects to the
  sign-in page of its audience;
- a staff member without the role (or an API client without the scope) gets 403, audited;
- a session of another audience, or a staff session still finishing MFA, is not let through;
- a cookie-authenticated unsafe request without the CSRF token gets 403 and changes nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app import deps
from app.main import create_app
from app.models import AuditEvent, Employee, Role
from app.routers.pages.identity import account
from app.security.crypto import keyed_hash
from app.security.permissions import PERMISSIONS, SCOPES
from app.security.sessions import cookie_name
from app.security.tokens import issue_access_token
from tests.support.auth import sign_in_as, sign_in_family
from tests.support.factories import make_api_client, make_employee, make_guardian, make_vendor_contact
from tests.support.links import sign_in_client

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# Routes anyone may call without signing in, and why. Keep this list short and explained.
PUBLIC: dict[tuple[str, str], str] = {
    ("GET", "/"): "home page",
    ("GET", "/healthz"): "liveness probe",
    ("GET", "/readyz"): "readiness probe",
    ("GET", "/docs"): "API documentation page",
    ("GET", "/openapi.json"): "API description",
    ("POST", "/api/v1/oauth/token"): "the OAuth token endpoint: the client's secret is the credential",
    ("GET", "/registry"): "the public DPA registry",
    ("GET", "/api/v1/registry/dpas"): "the public DPA registry (DPP §VI), no personal data",
    ("GET", "/api/v1/registry/dpas.csv"): "the public DPA registry as CSV",
    (
        "GET",
        "/api/v1/registry/dpas/{dpa_id}/signed-agreement",
    ): "a listed agreement's signed copy, unless withheld",
    ("GET", "/registry/dpas/{dpa_id}/signed-agreement"): "a listed agreement's signed copy, unless withheld",
    ("GET", "/registry/vendors/{vendor_id}"): "a vendor with a listed agreement (DPP §VI)",
    ("GET", "/disputes/new"): "explains how to raise a concern; the form itself needs a verified email",
    ("GET", "/calendar/{token}.ics"): "calendar feed: the secret token in the URL is the credential",
    ("GET", "/dev/outbox"): "development only: the router is not mounted in production",
    # sign-in doors
    ("GET", "/staff/sign-in"): "staff sign-in",
    ("POST", "/staff/sign-in"): "staff sign-in",
    ("GET", "/staff/password-reset"): "password reset request",
    ("POST", "/staff/password-reset"): "password reset request",
    ("GET", "/staff/password-reset/{token}"): "password reset: the emailed token is the credential",
    ("POST", "/staff/password-reset/{token}"): "password reset: the emailed token is the credential",
    ("GET", "/family/sign-in"): "family sign-in",
    ("POST", "/family/sign-in"): "family sign-in",
    ("GET", "/family/link/{token}"): "emailed family link: the token is the credential",
    ("POST", "/family/link/{token}"): "emailed family link: the token is the credential",
    ("GET", "/vendor/sign-in"): "vendor sign-in",
    ("POST", "/vendor/sign-in"): "vendor sign-in",
    ("GET", "/vendor/link/{token}"): "emailed vendor link: the token is the credential",
    ("POST", "/vendor/link/{token}"): "emailed vendor link: the token is the credential",
    ("POST", "/sign-out"): "ends whatever session the browser has; nothing without one",
    ("POST", "/language"): "the language selector: sets a cookie (CSRF-checked), returns to a local path",
    ("POST", "/session/keepalive"): "answers 401 without a session (tested below)",
}

# Permissions every employee holds: no role can be refused them (any new one must be added here).
EVERY_EMPLOYEE = {"vendors.request", "incidents.report", "wisp.sign"}

STAFF_DEPS: dict[Callable[..., Any], str] = {
    deps.get_staff: "staff",
    deps.get_staff_pending: "staff_pending",
    account.signed_in_staff: "staff_signed_in",
    deps.get_actor: "staff_or_api",
}
OTHER_DEPS: dict[Callable[..., Any], str] = {
    deps.get_guardian: "guardian",
    deps.get_family: "family",
    deps.get_vendor: "vendor",
}
SIGN_IN_PAGE = {
    "staff": "/staff/sign-in",
    "staff_pending": "/staff/sign-in",
    "staff_signed_in": "/staff/sign-in",
    "staff_or_api": "/staff/sign-in",
    "permission": "/staff/sign-in",
    "guardian": "/family/sign-in",
    "family": "/family/sign-in",
    "vendor": "/vendor/sign-in",
}


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str
    guard: str | None  # a key of SIGN_IN_PAGE, or None for a public route
    permission: str | None = None
    api_clients_too: bool = False

    @property
    def api(self) -> bool:
        return self.path.startswith(("/api/", "/scim/"))

    @property
    def error_type(self) -> str:
        """SCIM answers errors as SCIM errors (RFC 7644 §3.12); the rest of the API as problems."""
        return "application/scim+json" if self.path.startswith("/scim/") else "application/problem+json"

    @property
    def url(self) -> str:
        return _fill(self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _walk(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _walk(sub)


def _guard_of(dependant: Dependant) -> tuple[str | None, str | None, bool]:
    calls = list(_walk(dependant))
    allows = [c for c in calls if isinstance(c, deps.Allow)]
    if allows:
        return "permission", allows[0].permission, allows[0].api
    for call, name in {**STAFF_DEPS, **OTHER_DEPS}.items():
        if call in calls:
            return name, None, name == "staff_or_api"
    return None, None, False


def route_cases(app: FastAPI) -> list[RouteCase]:
    cases = []
    for route in iter_route_contexts(app.routes):
        methods = sorted((route.methods or set()) - {"HEAD"})
        dependant = getattr(route, "dependant", None)
        for method in methods:
            if dependant is None:
                cases.append(RouteCase(method, str(route.path), None))
                continue
            guard, permission, api_clients_too = _guard_of(dependant)
            cases.append(RouteCase(method, str(route.path), guard, permission, api_clients_too))
    return cases


_PLACEHOLDER = re.compile(r"\{(\w+)(?::\w+)?\}")
_SAMPLES = {"kind": "totp", "action": "suspend", "reference": "D-2026-0001", "token": "not-a-real-token"}


def _fill(path: str) -> str:
    def sample(match: re.Match[str]) -> str:
        name = match.group(1)
        return _SAMPLES.get(name, str(uuid.UUID(int=0x5EED)) if name.endswith("id") else "sample")

    return _PLACEHOLDER.sub(sample, path)


CASES = route_cases(create_app())
PROTECTED = [c for c in CASES if c.guard is not None]
ROLE_PROTECTED = [c for c in PROTECTED if c.permission is not None and c.permission not in EVERY_EMPLOYEE]
STAFF_SESSION = [
    c for c in PROTECTED if c.guard in ("staff", "staff_signed_in", "permission", "staff_or_api")
]
FAMILY_OR_VENDOR = [c for c in PROTECTED if c.guard in OTHER_DEPS.values()]
UNSAFE_CASES = [c for c in CASES if c.method in UNSAFE]


def _ids(cases: list[RouteCase]) -> list[str]:
    return [str(c) for c in cases]


def _anonymous_with_csrf(client: TestClient) -> None:
    """No session, but a valid anonymous CSRF cookie and token: only the sign-in check can refuse."""
    client.cookies.set("steward_anon", "anonymous-browser-cookie")
    client.headers["X-CSRF-Token"] = keyed_hash("csrf", "anonymous-browser-cookie")


def _call(client: TestClient, case: RouteCase, **kwargs: Any) -> Any:
    return client.request(case.method, case.url, follow_redirects=False, **kwargs)


def _audit_count(db: Session) -> int:
    return db.exec(select(func.count()).select_from(AuditEvent)).one()


# -- the table itself -----------------------------------------------------------------------------


def test_every_route_is_protected_or_listed_as_public() -> None:
    unprotected = {(c.method, c.path) for c in CASES if c.guard is None}
    unlisted = sorted(unprotected - set(PUBLIC))
    assert not unlisted, f"routes without a sign-in or permission dependency: {unlisted}"
    stale = sorted(set(PUBLIC) - unprotected)
    assert not stale, f"PUBLIC lists routes that are gone or now protected: {stale}"


def test_the_table_is_big_enough_to_mean_something() -> None:
    assert len(PROTECTED) > 60 and len(ROLE_PROTECTED) > 40 and len(FAMILY_OR_VENDOR) >= 5
    assert {c.permission for c in ROLE_PROTECTED} >= {"audit.read", "staff.manage", "api_clients.manage"}


def test_every_permission_used_by_a_route_is_defined_and_scopes_are_known() -> None:
    for case in PROTECTED:
        if case.permission is not None:
            assert case.permission in PERMISSIONS, case
    for rule in PERMISSIONS.values():
        assert rule.scopes <= set(SCOPES)


# -- no credentials -------------------------------------------------------------------------------
# Each check below loops over its routes in one test (one app, one database transaction) and
# reports every route that fails, with what it answered.


def _check(cases: list[RouteCase], check: Callable[[RouteCase], str | None]) -> None:
    failures = [f"{case}: {problem}" for case in cases if (problem := check(case)) is not None]
    assert not failures, "\n".join(failures)


def _answer(r: Any) -> str:
    return f"{r.status_code} {r.headers.get('location') or r.headers.get('content-type')}"


def test_without_credentials_api_is_401_and_pages_go_to_sign_in(client: TestClient) -> None:
    _anonymous_with_csrf(client)

    def check(case: RouteCase) -> str | None:
        r = _call(client, case)
        if case.api:
            ok = (
                r.status_code == 401
                and r.headers["content-type"] == case.error_type
                and int(r.json()["status"]) == 401
                and r.headers.get("www-authenticate") == "Bearer"
            )
        else:
            expected = SIGN_IN_PAGE[case.guard or ""] + "?next="
            ok = r.status_code == 303 and r.headers["location"].startswith(expected)
        return None if ok else _answer(r)

    _check(PROTECTED, check)


def test_keepalive_without_a_session_is_401(client: TestClient) -> None:
    _anonymous_with_csrf(client)
    assert client.post("/session/keepalive").status_code == 401


def test_public_pages_answer_without_credentials(client: TestClient) -> None:
    for method, path in PUBLIC:
        if method == "GET" and "{" not in path and path != "/readyz":  # readyz probes the real engine
            assert client.get(path, follow_redirects=False).status_code == 200, path


# -- the wrong role or scope ----------------------------------------------------------------------


def _role_without(permission: str) -> Role:
    return next(role for role in Role if role not in PERMISSIONS[permission].roles)


def test_staff_without_the_role_get_403_and_an_audit_event(client: TestClient, db: Session) -> None:
    staff = {role: make_employee(db, roles=[role], password=None) for role in Role}
    tokens = {role: sign_in_as(client, db, employee) for role, employee in staff.items()}

    def check(case: RouteCase) -> str | None:
        assert case.permission is not None
        role = _role_without(case.permission)
        client.cookies.set(cookie_name(), tokens[role])
        client.headers["X-CSRF-Token"] = keyed_hash("csrf", tokens[role])
        before = _denials(db, staff[role])
        r = _call(client, case)
        kind = case.error_type if case.api else "text/html"
        if r.status_code != 403 or not r.headers["content-type"].startswith(kind):
            return f"as {role.value}: {_answer(r)}"
        if _denials(db, staff[role]) != [*before, case.permission]:
            return "no access.denied audit event"
        return None

    _check(ROLE_PROTECTED, check)


def _denials(db: Session, employee: Employee) -> list[str]:
    rows = db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "access.denied", AuditEvent.actor_id == str(employee.id))
        .order_by(col(AuditEvent.seq))
    ).all()
    return [row.details["permission"] for row in rows]


def test_api_clients_without_the_scope_get_403(client: TestClient, db: Session) -> None:
    cases = [c for c in ROLE_PROTECTED if c.api and c.api_clients_too]
    assert cases

    def check(case: RouteCase) -> str | None:
        assert case.permission is not None
        other_scopes = sorted(set(SCOPES) - PERMISSIONS[case.permission].scopes)[:1]
        api_client, _ = make_api_client(db, scopes=other_scopes)
        token, _ = issue_access_token(
            client_id=api_client.client_id, scopes=other_scopes, secret_version=api_client.secret_version
        )
        r = _call(client, case, headers={"Authorization": f"Bearer {token}"})
        ok = r.status_code == 403 and r.headers["content-type"] == case.error_type
        return None if ok else _answer(r)

    _check(cases, check)


# -- another audience, or a sign-in not finished --------------------------------------------------


def test_staff_routes_refuse_family_sessions(client: TestClient, db: Session) -> None:
    sign_in_family(client, db, guardian=make_guardian(db))

    def check(case: RouteCase) -> str | None:
        r = _call(client, case)
        if case.api:
            ok = r.status_code == 401
        else:
            ok = r.status_code == 303 and r.headers["location"].startswith("/staff/sign-in?next=")
        return None if ok else _answer(r)

    _check(STAFF_SESSION, check)


def test_staff_routes_refuse_a_sign_in_still_waiting_for_its_second_factor(
    client: TestClient, db: Session
) -> None:
    sign_in_as(client, db, make_employee(db, roles=list(Role), password=None), mfa_passed=False)

    def check(case: RouteCase) -> str | None:
        r = _call(client, case)
        if case.api:
            ok = r.status_code == 403 and r.headers["content-type"] == case.error_type
        else:
            ok = r.status_code == 303 and r.headers["location"] == "/staff/mfa"
        return None if ok else _answer(r)

    _check(STAFF_SESSION, check)


def test_family_and_vendor_routes_refuse_staff_and_each_other(client: TestClient, db: Session) -> None:
    staff = lambda: sign_in_as(client, db, make_employee(db, roles=list(Role), password=None))  # noqa: E731
    guardian = lambda: sign_in_family(client, db, guardian=make_guardian(db))  # noqa: E731
    requester = lambda: sign_in_family(client, db, email="requester@example.net")  # noqa: E731
    vendor = lambda: sign_in_client(client, db, contact=make_vendor_contact(db))  # noqa: E731
    others: dict[str, list[Callable[[], object]]] = {
        "guardian": [staff, requester, vendor],
        "family": [staff, vendor],
        "vendor": [staff, guardian, requester],
    }

    def check(case: RouteCase) -> str | None:
        door = SIGN_IN_PAGE[case.guard or ""] + "?next="
        for start in others[case.guard or ""]:
            start()
            r = _call(client, case)
            if not (r.status_code == 303 and r.headers["location"].startswith(door)):
                return _answer(r)
        return None

    _check(FAMILY_OR_VENDOR, check)


# -- CSRF -----------------------------------------------------------------------------------------


def test_cookie_authenticated_unsafe_requests_without_csrf_token_are_403(
    client: TestClient, db: Session
) -> None:
    sign_in_as(client, db, make_employee(db, roles=list(Role), password=None))
    del client.headers["X-CSRF-Token"]
    before = _audit_count(db)

    def check(case: RouteCase) -> str | None:
        for headers, data in (({}, None), ({}, {"csrf_token": "forged"}), ({"X-CSRF-Token": "forged"}, None)):
            r = _call(client, case, headers=headers, data=data)
            kind = case.error_type if case.api else "text/html"
            if r.status_code != 403 or not r.headers["content-type"].startswith(kind):
                return _answer(r)
            if not case.api and "was not sent from Steward" not in r.text:
                return "not the CSRF refusal"
        return None

    _check(UNSAFE_CASES, check)
    assert _audit_count(db) == before  # refused before anything ran


def test_unsafe_page_requests_without_any_cookie_are_403(client: TestClient) -> None:
    def check(case: RouteCase) -> str | None:
        r = _call(client, case)
        return None if r.status_code == 403 and "was not sent from Steward" in r.text else _answer(r)

    _check([c for c in UNSAFE_CASES if not c.api], check)
