"""RFC 9457 problem details for every API error, and HTML error pages for the site."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import DomainError, ServiceUnavailable
from app.i18n import N_
from app.templating import is_htmx

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://steward.example.org/problems/"
_API_PREFIXES = ("/api/", "/scim/", "/healthz", "/readyz", "/openapi.json")
DATABASE_AWAY = "Steward cannot reach its database just now; please try again in a few seconds."
DATABASE_RETRY_AFTER = 5
_TITLES = {
    400: N_("Bad request"),
    401: N_("Authentication required"),
    403: N_("Forbidden"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    406: N_("Not acceptable"),
    409: N_("Conflict"),
    413: N_("Request too large"),
    415: N_("Unsupported media type"),
    422: N_("Invalid input"),
    429: N_("Too many requests"),
    500: N_("Internal server error"),
    503: N_("Service unavailable"),
}


def problem_body(
    *,
    status: int,
    title: str | None = None,
    detail: str | None = None,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    request_id: str | None = None,
) -> bytes:
    title = title or _TITLES.get(status, "Error")
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + title.lower().replace(" ", "-"),
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    if request_id:
        body["request_id"] = request_id
    return json.dumps(body).encode()


def _request_id(request: Request) -> str | None:
    value = request.scope.get("state", {}).get("request_id")
    return str(value) if value else None


def allowed_methods(request: Request) -> list[str]:
    """Every method the path's routes answer (Starlette's 405 names only the first route's).

    When a literal path (``/vendors/requests``) and a templated one (``/vendors/{id}``) both
    match, the one with the fewest parameters is the resource meant."""
    from fastapi.routing import iter_route_contexts

    by_params: dict[int, set[str]] = {}
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if route.methods and regex is not None and regex.match(request.url.path):
            by_params.setdefault((route.path or "").count("{"), set()).update(route.methods)
    return sorted(by_params[min(by_params)]) if by_params else []


def problem_response(
    request: Request,
    *,
    status: int,
    title: str | None = None,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = problem_body(
        status=status,
        title=title,
        detail=detail,
        instance=request.url.path,
        errors=errors,
        request_id=_request_id(request),
    )
    return Response(
        body,
        status_code=status,
        media_type="application/problem+json",
        headers=headers,
    )


SCIM_MEDIA_TYPE = "application/scim+json"
_SCIM_TYPES = {409: "uniqueness"}


def is_scim(request: Request) -> bool:
    return request.url.path.startswith("/scim/")


def scim_error_response(
    status: int, detail: str | None, scim_type: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """RFC 7644 §3.12: ``urn:ietf:params:scim:api:messages:2.0:Error`` with the SCIM content type."""
    from scim2_models import Error

    body = Error(status=status, scim_type=scim_type or _SCIM_TYPES.get(status), detail=detail)
    return Response(
        json.dumps(body.model_dump()).encode(),
        status_code=status,
        media_type=SCIM_MEDIA_TYPE,
        headers=headers,
    )


def wants_problem_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(_API_PREFIXES) or path in ("/healthz", "/readyz")


def _local_next(request: Request) -> str:
    """Where to come back to after signing in: this path, never another site.

    For an htmx request that is the page it came from (``HX-Current-URL``), not the fragment."""
    current = urlsplit(request.headers.get("HX-Current-URL", "")) if is_htmx(request) else None
    if current is not None and current.path.startswith("/") and not current.path.startswith("//"):
        return current.path + (f"?{current.query}" if current.query else "")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return target if request.method == "GET" else request.url.path


def _navigate(request: Request, target: str) -> Response:
    """Send the browser to ``target``; an htmx request is told to load the whole page there, so
    a sign-in page never lands inside a fragment (an expired session during a live refresh)."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _error_page(
    request: Request, status: int, title: str, detail: str | None, headers: dict[str, str] | None
) -> Response:
    from app.templating import render

    return render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "detail": detail},
        status_code=status,
        headers=headers,
    )


def _respond(
    request: Request,
    status: int,
    title: str | None,
    detail: str | None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if is_scim(request):
        scim_type = None
        if status == 400 and errors:
            scim_type = (
                "invalidSyntax" if any(e.get("type") == "json_invalid" for e in errors) else "invalidValue"
            )
        return scim_error_response(status, detail, scim_type, headers)
    if wants_problem_json(request):
        return problem_response(
            request, status=status, title=title, detail=detail, errors=errors, headers=headers
        )
    return _error_page(request, status, title or _TITLES.get(status, N_("Error")), detail, headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        errors.append({"field": ".".join(loc), "message": err.get("msg", ""), "type": err.get("type")})
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        from app.deps import SIGN_IN_URLS, SignInRequired
        from app.errors import StepRequired

        if not wants_problem_json(request):
            if isinstance(exc, SignInRequired):
                target = SIGN_IN_URLS[exc.audience] + "?" + urlencode({"next": _local_next(request)})
                return _navigate(request, target)
            if isinstance(exc, StepRequired):
                return _navigate(request, exc.next_url)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if isinstance(exc, ServiceUnavailable):
            headers = {"Retry-After": str(exc.retry_after)}
        return _respond(request, exc.status, exc.title, exc.detail, exc.errors, headers=headers)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _database_away(request: Request, exc: Exception) -> Response:
        """The database refused, stalled, timed out or is locked: not our bug, and soon over."""
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200] if str(exc) else ""
        log.warning(
            "database unavailable on %s %s: %s %s",
            request.method,
            request.url.path,
            type(exc).__name__,
            reason,
        )
        return _respond(
            request,
            503,
            "Service unavailable",
            DATABASE_AWAY,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is nothing at this address."
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
        return _respond(request, exc.status_code, None, detail, headers=headers)

    from scim2_models import SCIMException

    @app.exception_handler(SCIMException)
    async def _scim(request: Request, exc: SCIMException) -> Response:
        error = exc.to_error()
        return scim_error_response(error.status or exc.status, error.detail, error.scim_type)

    @app.exception_handler(IntegrityError)
    def _integrity(request: Request, exc: IntegrityError) -> Response:
        """A uniqueness (or other) constraint the database enforced: someone got there first."""
        log.info("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
        detail = "This conflicts with an existing record (for example, one with the same name)."
        return _respond(request, 409, "Conflict", detail)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = _field_errors(exc)
        if is_scim(request):
            names = ", ".join(dict.fromkeys(e["field"] for e in errors))
            return _respond(request, 400, None, f"The request is not valid ({names}).", errors)
        malformed = any(e["type"] == "json_invalid" for e in errors)
        detail = (
            "The request body is not valid JSON."
            if malformed
            else "Some fields are missing or invalid; see errors."
        )
        return _respond(request, 422, "Invalid input", detail, errors)


class UnhandledErrorMiddleware:
    """Turn an unexpected exception into a 500 problem or page, inside the request-id and
    security-header middleware (Starlette's own handler sits outside them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            request = Request(scope)
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            if started:
                raise
            response = _respond(
                request,
                500,
                "Internal server error",
                "Something went wrong on our side. It has been logged with the request id "
                + str(scope.get("state", {}).get("request_id", "")),
            )
            await response(scope, receive, send)
