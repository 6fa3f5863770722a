"""415 for a body sent as the wrong media type (app-wide dependency, API routes only).

Without it a text/plain body on a JSON route reaches validation and answers a puzzling 422."""

from __future__ import annotations

from fastapi import Request, params
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return (length is not None and length.strip() not in ("", "0")) or "transfer-encoding" in request.headers


async def require_media_type(request: Request) -> None:
    """``async``: it only reads headers, so it runs on the event loop, not in a threadpool hop."""
    route = request.scope.get("route")
    if request.method not in ("POST", "PUT", "PATCH") or not isinstance(route, APIRoute):
        return
    if route.body_field is None or not request.url.path.startswith("/api/") or not _has_body(request):
        return
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    takes_form = any(isinstance(f.field_info, params.Form) for f in route.dependant.body_params)
    accepted = media_type in FORM_TYPES if takes_form else _is_json(media_type)
    if not accepted:
        wanted = "multipart/form-data" if takes_form else "application/json"
        raise HTTPException(415, f"Send the body as {wanted}.")
