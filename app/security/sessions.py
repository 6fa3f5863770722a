"""Server-side sessions: a random cookie, stored hashed, idle and absolute limits, rotation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import update
from sqlmodel import Session, col, select
from starlette.responses import Response

from app import clock
from app.config import Settings, get_settings
from app.models import Audience, UserSession
from app.security.crypto import new_token, token_hash

TOUCH_EVERY = timedelta(seconds=30)  # last_seen_at is written at most this often


def cookie_name(settings: Settings | None = None) -> str:
    s = settings or get_settings()
    return "__Host-steward_session" if s.is_production else "steward_session"


def idle_limit(audience: Audience, settings: Settings | None = None) -> timedelta:
    s = settings or get_settings()
    minutes = s.staff_idle_minutes if audience == Audience.staff else s.family_idle_minutes
    return timedelta(minutes=minutes)


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


@dataclass(frozen=True)
class Browser:
    """What the services need to know of the browser behind a request, without the request itself."""

    session_token: str | None
    address: str | None
    user_agent: str | None
    device_token: str | None = None  # the signed known-device cookie (security.device_cookie)

    @classmethod
    def of(cls, request: Request) -> Browser:
        from app.security import device_cookie

        return cls(
            session_token=request.cookies.get(cookie_name()),
            device_token=request.cookies.get(device_cookie.cookie_name()),
            address=client_address(request),
            user_agent=(request.headers.get("user-agent") or "")[:300] or None,
        )


@dataclass
class NewSession:
    row: UserSession
    token: str  # the cookie value; only its hash is stored


def start_session(
    session: Session,
    *,
    audience: Audience,
    principal_id: uuid.UUID | None,
    browser: Browser,
    email: str | None = None,
    mfa_passed: bool = False,
) -> NewSession:
    """A brand-new session with a fresh token (any earlier cookie is never reused: no fixation)."""
    now = clock.now()
    token = new_token()
    row = UserSession(
        token_hash=token_hash(token),
        audience=audience,
        principal_id=principal_id,
        email=email,
        mfa_passed=mfa_passed,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=get_settings().session_absolute_hours),
        client_address=browser.address,
        user_agent=browser.user_agent,
    )
    session.add(row)
    session.flush()
    return NewSession(row, token)


def rotate(session: Session, row: UserSession) -> str:
    """Give a session a new token (on privilege change, e.g. MFA passed); returns the new cookie."""
    token = new_token()
    row.token_hash = token_hash(token)
    session.add(row)
    session.flush()
    return token


def find_session(session: Session, token: str | None, now: datetime | None = None) -> UserSession | None:
    """The live session for a cookie value, or None if unknown, ended, idle too long or too old."""
    if not token or len(token) > 200:
        return None
    row = session.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).first()
    if row is None or row.ended_at is not None:
        return None
    now = now or clock.now()
    if now >= row.expires_at:
        end_session(session, row, "expired")
        return None
    if now - row.last_seen_at >= idle_limit(row.audience):
        end_session(session, row, "idle")
        return None
    return row


def touch(session: Session, row: UserSession, now: datetime | None = None) -> None:
    now = now or clock.now()
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)


def end_session(session: Session, row: UserSession, reason: str) -> None:
    row.ended_at = clock.now()
    row.ended_reason = reason
    session.add(row)
    session.flush()


def end_all_sessions(session: Session, *, audience: Audience, principal_id: uuid.UUID, reason: str) -> int:
    result = session.execute(
        update(UserSession)
        .where(
            col(UserSession.audience) == audience,
            col(UserSession.principal_id) == principal_id,
            col(UserSession.ended_at).is_(None),
        )
        .values(ended_at=clock.now(), ended_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def set_session_cookie(response: Response, token: str) -> None:
    s = get_settings()
    response.set_cookie(
        cookie_name(s),
        token,
        httponly=True,
        samesite="lax",
        secure=s.is_production,
        path="/",
        max_age=s.session_absolute_hours * 3600,
    )


def clear_session_cookie(response: Response) -> None:
    s = get_settings()
    response.delete_cookie(cookie_name(s), path="/", secure=s.is_production, httponly=True, samesite="lax")
