"""Public pages: the home page, and the doors to the registry and the dispute form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.security.cache_control import BROWSER_ONLY
from app.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "platform/public/home.html", headers=BROWSER_ONLY)
