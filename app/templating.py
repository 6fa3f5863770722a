"""Jinja2 environment and the ``render`` helper every page router uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from app.config import get_settings
from app.flash import COOKIE as FLASH_COOKIE
from app.flash import read_flashes
from app.formatting import local_date, local_time
from app.security.csrf import csrf_token, set_anon_cookie

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)
# Checking every template file's modification time on each render is work per request for
# nothing in production (templates change only with a deploy, which restarts the process).
templates.env.auto_reload = not get_settings().is_production


templates.env.filters["local_time"] = local_time
templates.env.filters["local_date"] = local_date
templates.env.globals["settings"] = get_settings


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    fragment: str | None = None,
) -> Response:
    """Render a page, or ``fragment`` alone for an htmx request; always ``Vary: HX-Request``."""
    name = fragment if (fragment and is_htmx(request)) else template
    flashes = read_flashes(request)
    ctx = {
        "request": request,
        "flashes": flashes,
        "csrf_token": csrf_token(request),
        "viewer": getattr(request.state, "viewer", None),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if headers:
        response.headers.update(headers)
    response.headers["Vary"] = "HX-Request"
    if flashes:
        response.delete_cookie(FLASH_COOKIE, path="/")
        response.headers["Cache-Control"] = "no-store"  # a message shown once is never replayed
    set_anon_cookie(request, response)
    return response
