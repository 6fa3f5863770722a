"""A signed "known device" cookie for staff sign-in (OWASP, Slow Down Online Guessing Attacks
with Device Cookies).

After a complete sign-in (password and second factor) the browser gets a cookie naming the
employee and a random device id, signed with the session secret. Later, a sign-in for that
employee that carries the cookie is not held by the account lock or the address limit, which are
there for guessing from unknown clients: a student behind the school's NAT who fails 50 times,
or someone who guesses a teacher's email ten times, does not lock the teacher out of the
computer they always use. Failures with the cookie count against that device alone and, past a
limit, the device is treated as unknown again (``auth_throttle.known_device``).
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from app.config import get_settings
from app.security.crypto import keyed_hash

LIFETIME = timedelta(days=180)
_PURPOSE = "device-cookie"


def cookie_name() -> str:
    return "__Host-steward_device" if get_settings().is_production else "steward_device"


def issue(employee_id: uuid.UUID, now: datetime) -> str:
    """A new cookie value: ``<employee>.<device id>.<issued at>.<signature>``."""
    payload = f"{employee_id.hex}.{secrets.token_urlsafe(16)}.{int(now.timestamp())}"
    return f"{payload}.{keyed_hash(_PURPOSE, payload)}"


def read(value: str | None, *, employee_id: uuid.UUID, now: datetime) -> str | None:
    """The device id when ``value`` is a genuine, unexpired cookie of THIS employee, else None."""
    if not value or len(value) > 200 or value.count(".") != 3:
        return None
    payload, _, signature = value.rpartition(".")
    if not hmac.compare_digest(signature, keyed_hash(_PURPOSE, payload)):
        return None
    owner, device, issued = payload.split(".")
    if owner != employee_id.hex or not issued.isdigit():
        return None
    if not now - LIFETIME <= datetime.fromtimestamp(int(issued), now.tzinfo) <= now + timedelta(minutes=5):
        return None
    return device


def set_device_cookie(response: Response, value: str) -> None:
    production = get_settings().is_production
    response.set_cookie(
        cookie_name(),
        value,
        max_age=int(LIFETIME.total_seconds()),
        path="/",
        secure=production,
        httponly=True,
        samesite="lax",
    )


def remember(response: Response, employee_id: uuid.UUID, now: datetime) -> Response:
    """After a complete sign-in: this browser is now a known device for this account."""
    set_device_cookie(response, issue(employee_id, now))
    return response


def from_request(request: Request) -> str | None:
    return request.cookies.get(cookie_name())
