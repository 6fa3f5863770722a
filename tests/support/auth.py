"""Sign a TestClient in as an employee (MFA passed), with the CSRF header set for unsafe requests."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.requests import Request

from app.models import Audience, Employee, Guardian
from app.security.crypto import keyed_hash
from app.security.sessions import Browser, cookie_name, start_session


def _request() -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "headers": [(b"user-agent", b"pytest")],
            "client": ("testclient", 50000),
            "query_string": b"",
        }
    )


def sign_in_as(client: TestClient, db: Session, employee: Employee, *, mfa_passed: bool = True) -> str:
    """Start a staff session for ``employee`` and give its cookie to ``client``; returns the token."""
    new = start_session(
        db,
        audience=Audience.staff,
        principal_id=employee.id,
        browser=Browser.of(_request()),
        mfa_passed=mfa_passed,
    )
    client.cookies.set(cookie_name(), new.token)
    client.headers["X-CSRF-Token"] = keyed_hash("csrf", new.token)
    return new.token


def sign_in_family(
    client: TestClient, db: Session, guardian: Guardian | None = None, email: str | None = None
) -> str:
    """A family session: a roster guardian (``guardian``) or a requester with a verified ``email``."""
    if guardian is not None:
        new = start_session(
            db,
            audience=Audience.guardian,
            principal_id=guardian.id,
            browser=Browser.of(_request()),
            mfa_passed=True,
        )
    else:
        new = start_session(
            db,
            audience=Audience.requester,
            principal_id=None,
            email=email,
            browser=Browser.of(_request()),
            mfa_passed=True,
        )
    client.cookies.set(cookie_name(), new.token)
    client.headers["X-CSRF-Token"] = keyed_hash("csrf", new.token)
    return new.token
