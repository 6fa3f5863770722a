"""One-shot messages shown on the next page: a signed cookie, read and cleared by ``render``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Literal

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from app.config import get_settings

COOKIE = "steward_flash"
Kind = Literal["info", "success", "error"]


def _sign(payload: bytes) -> str:
    key = get_settings().session_secret.get_secret_value().encode()
    mac = hmac.new(key, b"flash:" + payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(payload).decode() + "." + base64.urlsafe_b64encode(mac).decode()


def _unsign(value: str) -> bytes | None:
    try:
        data, mac = value.split(".", 1)
        payload = base64.urlsafe_b64decode(data)
    except (ValueError, TypeError):
        return None
    return payload if hmac.compare_digest(_sign(payload).split(".", 1)[1], mac) else None


def add_flash(response: Response, message: str, kind: Kind = "info") -> None:
    payload = json.dumps([{"kind": kind, "message": message}]).encode()
    response.set_cookie(
        COOKIE,
        _sign(payload),
        max_age=60,
        httponly=True,
        samesite="lax",
        secure=get_settings().is_production,
        path="/",
    )


def redirect_with_flash(url: str, message: str, kind: Kind = "info") -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    add_flash(response, message, kind)
    return response


def read_flashes(request: Request) -> list[dict[str, str]]:
    raw = request.cookies.get(COOKIE)
    payload = _unsign(raw) if raw else None
    if payload is None:
        return []
    try:
        items = json.loads(payload)
    except ValueError:
        return []
    return [i for i in items if isinstance(i, dict) and {"kind", "message"} <= i.keys()]
