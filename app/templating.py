"""Jinja2 environment and the ``render`` helper every page router uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from app import i18n
from app.config import get_settings
from app.flash import COOKIE as FLASH_COOKIE
from app.flash import read_flashes
from app.formatting import time_ago
from app.security.csrf import csrf_token, set_anon_cookie

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)
# Checking every template file's modification time on each render is work per request for
# nothing in production (templates change only with a deploy, which restarts the process).
templates.env.auto_reload = not get_settings().is_production


templates.env.add_extension("jinja2.ext.i18n")
templates.env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks: whitespace as in the catalogue
# The callables read the language from a context variable set around each render: thread-safe.
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext, npgettext=i18n.npgettext
)
templates.env.filters["local_time"] = i18n.local_time
templates.env.filters["local_date"] = i18n.local_date
templates.env.filters["long_date"] = i18n.long_date
templates.env.filters["number"] = i18n.number
templates.env.filters["month_year"] = i18n.month_year
templates.env.filters["t"] = i18n.translate
templates.env.filters["ago"] = time_ago
templates.env.globals["site_languages"] = i18n.LANGUAGES
templates.env.globals["settings"] = get_settings


_VARY_LANGUAGE = "HX-Request, Accept-Language, Cookie"


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
    follows = i18n.follows_visitor(request, template)
    lang = i18n.negotiate(request) if follows else i18n.DEFAULT
    ctx = {
        "lang": lang,
        "language_switch": follows,  # the selector, on pages that exist in every language
        "request": request,
        "flashes": flashes,
        "csrf_token": csrf_token(request),
        "viewer": getattr(request.state, "viewer", None),
        **(context or {}),
    }
    with i18n.use(lang):  # the template renders here, in this thread
        response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if headers:
        response.headers.update(headers)
    # A page for families follows the language cookie and the browser's languages too.
    response.headers["Vary"] = _VARY_LANGUAGE if follows else "HX-Request"
    if flashes:
        response.delete_cookie(FLASH_COOKIE, path="/")
        response.headers["Cache-Control"] = "no-store"  # a message shown once is never replayed
    set_anon_cookie(request, response)
    return response
