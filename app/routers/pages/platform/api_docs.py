"""The API's documentation: ``/openapi.json`` and the Swagger page at ``/docs``.

Who may read them is the setting ``api_docs``: anyone (development), signed-in employees (the
production default) or nobody (not mounted). The page runs Swagger UI from ``/static/vendor`` and
starts it from a static file, so it needs no inline script and keeps the site's CSP.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse, Response

from app.config import ApiDocs
from app.deps import get_staff
from app.templating import render


def api_docs_router(access: ApiDocs) -> APIRouter | None:
    """The docs routes for this access setting (None when the docs are off)."""
    if access == ApiDocs.off:
        return None
    dependencies: list[Any] = [Depends(get_staff)] if access == ApiDocs.staff else []
    router = APIRouter(include_in_schema=False, dependencies=dependencies)

    @router.get("/openapi.json")
    def openapi(request: Request) -> JSONResponse:
        return JSONResponse(request.app.openapi())

    @router.get("/docs")
    def docs(request: Request) -> Response:
        return render(request, "platform/api_docs.html", {"openapi_url": "/openapi.json"})

    return router
