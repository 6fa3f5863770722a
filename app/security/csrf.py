"""CSRF protection for every cookie-authenticated unsafe request.

The token is an HMAC of the browser's session cookie (or, before sign-in, of an anonymous
cookie), so it changes whenever the session is rotated and needs no storage. Forms send it as
``csrf_token``; htmx sends it as ``X-CSRF-Token`` from ``hx-headers`` on ``<body>``.
"""

from __future__ import annotations

import hmac

from fastapi import Request
from starlette.responses import Response

from app.config import get_settings
from app.errors import Forbidden
from app.security.crypto import keyed_hash, new_token
from app.security.sessions import cookie_name

ANON_COOKIE = "steward_anon"
HEADER = "x-csrf-token"
FIELD = "csrf_token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _anon_cookie_name() -> str:
    return "__Host-" + ANON_COOKIE if get_settings().is_production else ANON_COOKIE


def _base(request: Request) -> str | None:
    return request.cookies.get(cookie_name()) or request.cookies.get(_anon_cookie_name())


def csrf_token(request: Request) -> str:
    """The token for forms on this page; makes an anonymous cookie on first visit."""
    base = getattr(request.state, "csrf_base", None) or _base(request)
    if base is None:
        base = new_token(16)
        request.state.new_anon_cookie = base
    request.state.csrf_base = base
    return keyed_hash("csrf", base)


def after_sign_in(request: Request, new_session_token: str) -> None:
    """Later forms on the response page must use the new session's token."""
    request.state.csrf_base = new_session_token


def set_anon_cookie(request: Request, response: Response) -> None:
    value = getattr(request.state, "new_anon_cookie", None)
    if value:
        response.set_cookie(
            _anon_cookie_name(),
            value,
            httponly=True,
            samesite="lax",
            secure=get_settings().is_production,
            path="/",
        )


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: unsafe requests that carry our cookies must carry the token."""
    if request.method not in UNSAFE:
        return
    base = _base(request)
    if base is None:
        if request.url.path.startswith(("/api/", "/scim/")):
            return  # no cookie, so no ambient authority to abuse: machine clients use tokens
        raise Forbidden("This form has expired or was not sent from Steward. Reload the page and try again.")
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, keyed_hash("csrf", base)):
        raise Forbidden("This form has expired or was not sent from Steward. Reload the page and try again.")
