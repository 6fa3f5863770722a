"""Helpers for the emailed-link tests: a bare request, an anonymous actor, links from the outbox."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from starlette.requests import Request

from app.actors import Actor
from app.models import Audience, Guardian, OutboxMessage, VendorContact
from app.security.crypto import keyed_hash
from app.security.sessions import Browser, cookie_name, start_session

# The link's path, and the page to return to after signing in when the link carries one.
LINK_RE = re.compile(r"https?://[^\s/]+(/(?:family|vendor)/link/[A-Za-z0-9_-]+(?:\?next=[^\s]+)?)")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def fake_request(cookies: dict[str, str] | None = None, address: str = "203.0.113.9") -> Request:
    cookie = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
    headers = [(b"user-agent", b"pytest")] + ([(b"cookie", cookie.encode())] if cookie else [])
    return Request(
        {
            "type": "http",
            "method": "POST",
            "path": "/",
            "headers": headers,
            "client": (address, 50000),
            "query_string": b"",
        }
    )


def anon(address: str = "203.0.113.9") -> Actor:
    return Actor(type="anonymous", client_address=address, request_id="test")


def messages_to(db: Session, email: str) -> list[OutboxMessage]:
    """The outbox's messages to ``email`` by when they were written. Under the frozen clock,
    messages written in the same instant come in no set order (PostgreSQL moves updated rows):
    move the clock between them, or pick one by its subject."""
    return list(
        db.exec(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == email)
            .order_by(col(OutboxMessage.created_at))
        ).all()
    )


def link_path(body: str) -> str:
    """The path (``/family/link/<token>``, with ``?next=`` when it has one) of the link in an email body."""
    match = LINK_RE.search(body)
    assert match, "no sign-in link in the email"
    return match.group(1)


def token_of(body: str) -> str:
    return link_path(body).split("?", 1)[0].rsplit("/", 1)[1]


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in_client(
    client: TestClient, db: Session, *, guardian: Guardian | None = None, contact: VendorContact | None = None
) -> str:
    """Give ``client`` a live guardian or vendor session cookie (and the CSRF header)."""
    if guardian is not None:
        new = start_session(
            db,
            audience=Audience.guardian,
            principal_id=guardian.id,
            browser=Browser.of(fake_request()),
            email=guardian.email,
            mfa_passed=True,
        )
    else:
        assert contact is not None
        new = start_session(
            db,
            audience=Audience.vendor,
            principal_id=contact.id,
            browser=Browser.of(fake_request()),
            email=contact.email,
            mfa_passed=True,
        )
    client.cookies.set(cookie_name(), new.token)
    client.headers["X-CSRF-Token"] = keyed_hash("csrf", new.token)
    return new.token
