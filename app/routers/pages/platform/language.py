"""The language selector in the header: remembers the choice in a cookie and goes back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.responses import RedirectResponse, Response

from app import i18n
from app.config import get_settings
from app.routers.pages.redirects import safe_next

router = APIRouter(include_in_schema=False)


@router.post("/language")
def choose_language(lang: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "") -> Response:
    """Unknown languages are ignored; ``next`` is a local path only (else the home page)."""
    response = RedirectResponse(safe_next(next, default="/"), status_code=303)
    if lang in i18n.LANGUAGES:
        remember_language(response, lang)
    return response


def remember_language(response: Response, lang: str) -> None:
    """The pages that follow are in ``lang`` (the selector's cookie)."""
    response.set_cookie(
        i18n.COOKIE,
        lang,
        max_age=i18n.COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=get_settings().is_production,
        path="/",
    )
