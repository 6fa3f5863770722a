"""Helpers for staff sign-in tests: a fake request, an enrolled TOTP factor, a signed-in client."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.requests import Request

from app import clock
from app.actors import Actor
from app.models import AuditEvent, Employee, TotpFactor
from app.security import totp
from app.security.crypto import keyed_hash
from app.security.sessions import cookie_name

ADDRESS = "203.0.113.7"


def fake_request(cookies: dict[str, str] | None = None, address: str = ADDRESS) -> Request:
    cookie = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
    headers = [(b"user-agent", b"pytest")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return Request(
        {
            "type": "http",
            "method": "POST",
            "path": "/staff/sign-in",
            "headers": headers,
            "client": (address, 50000),
            "query_string": b"",
        }
    )


def anonymous(address: str = ADDRESS) -> Actor:
    return Actor(type="anonymous", client_address=address)


def staff_actor(employee: Employee, address: str = ADDRESS) -> Actor:
    return Actor(type="staff", id=str(employee.id), label=employee.email, client_address=address)


def enroll_totp(db: Session, employee: Employee) -> str:
    """A confirmed authenticator app for ``employee``; returns its secret."""
    secret = totp.new_secret()
    db.add(
        TotpFactor(
            employee_id=employee.id,
            secret_encrypted=totp.encrypt_secret(secret),
            confirmed_at=clock.now(),
        )
    )
    db.flush()
    return secret


def code(secret: str, offset_steps: int = 0) -> str:
    return totp.code_at(secret, clock.now() + totp_offset(offset_steps))


def totp_offset(steps: int) -> Any:
    from datetime import timedelta

    return timedelta(seconds=totp.STEP_SECONDS * steps)


def actions(db: Session, prefix: str = "") -> list[str]:
    rows = db.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()  # type: ignore[arg-type]
    return [r.action for r in rows if r.action.startswith(prefix)]


def csrf(client: TestClient) -> str:
    """The CSRF token the server expects from this client now (it follows the session cookie)."""
    base = client.cookies.get(cookie_name()) or client.cookies.get("steward_anon")
    if base is None:
        client.get("/staff/sign-in")
        base = client.cookies.get("steward_anon")
    assert base is not None
    return keyed_hash("csrf", base)


def post(client: TestClient, url: str, data: dict[str, str] | None = None, **kwargs: Any) -> Any:
    """A form POST with the right CSRF token, redirects not followed."""
    form = {"csrf_token": csrf(client), **(data or {})}
    return client.post(url, data=form, follow_redirects=False, **kwargs)


def sign_in(client: TestClient, email: str, password: str, next_url: str | None = None) -> Any:
    data = {"email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return post(client, "/staff/sign-in", data)


def sign_in_fully(client: TestClient, employee: Employee, secret: str, password: str) -> None:
    r = sign_in(client, employee.email, password)
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/mfa"), r.text[:500]
    r = post(client, "/staff/mfa", {"code": code(secret)})
    assert r.status_code == 303, r.text[:500]


def form_value(html: str, name: str) -> str | None:
    m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    return m.group(1) if m else None
