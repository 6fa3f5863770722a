"""The OpenAPI document as the contract: operation ids, security, and every error response.

``install_contract(app)`` replaces FastAPI's generator with one that, for every API operation:
- uses the handler's name as its ``operationId`` (``list_vendors``), stable across path changes;
- declares its security from the ``Allow(permission)`` dependency it uses: the OAuth 2.0
  client-credentials scheme with the permission's scopes, and/or the staff browser session;
- documents the errors it can answer, each as ``application/problem+json`` with the shared
  ``Problem`` schema (401/403 when secured, 404 with path ids, 409/413/415 with bodies,
  412 with ``If-Match``, 422 with input, 500 and 503 always);
- declares the headers of the shared mechanisms: ``Idempotency-Key`` on POSTs, ``Location`` on
  the 201 of ``create_*``/``request_*`` operations (set with ``routers.api.created.located``),
  ``ETag`` on single resources (GET), ``If-Match`` on PATCH/PUT, ``If-None-Match`` and 304 on GETs.

New routers need nothing more than ``Allow(...)`` and their own ``responses=`` for codes this
cannot infer; ``problem_responses(...)`` builds those entries.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from app.deps import Allow, get_actor
from app.models.schemas import NON_BLANK, TEXT_PATTERNS
from app.security.permissions import PERMISSIONS, SCOPES
from app.security.sessions import cookie_name

TOKEN_URL = "/api/v1/oauth/token"  # noqa: S105 (a path, not a secret)
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; ``errors`` lists field problems on 422.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "description": "A field's problem (``field``), or a roster row's (``file``, ``line``, "
                "``column``: the upload's file or the sync body's list, the line or index).",
                "required": ["message"],
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "type": {"type": ["string", "null"]},
                    "file": {"type": "string"},
                    "line": {"type": "integer"},
                    "column": {"type": "string"},
                },
            },
        },
    },
}
ERROR_TEXT = {
    400: "The request could not be read (a malformed form or multipart body).",
    401: "No credentials, or a token that is invalid, expired or revoked.",
    403: "The caller lacks the role or scope (or the CSRF token with a browser session).",
    404: "No such object, or not one the caller may see.",
    409: "The object is not in a state that allows this, or it would duplicate another.",
    412: "``If-Match`` does not match the object's current ``ETag``: reload and retry.",
    428: "``If-Match`` is missing, and this client opted in to sending it with every edit.",
    413: "The body is larger than the server accepts.",
    415: "The body is not sent as the content type this operation takes.",
    422: "The input is malformed or breaks a rule; ``errors`` names the fields.",
    429: "Too many requests; see ``Retry-After``.",
    500: "A fault on our side; it was logged with the request id.",
    503: "The database is busy or unreachable; retry after a moment.",
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these error codes, each a problem+json ``Problem``."""
    return {
        code: {
            "description": ERROR_TEXT.get(code, "Error"),
            "content": {"application/problem+json": {"schema": PROBLEM_REF}},
        }
        for code in codes
    }


def api_routes(app: FastAPI) -> list[RouteContext]:
    """Every FastAPI route of the app with its full path (included routers flattened)."""
    return [
        rc
        for rc in iter_route_contexts(app.routes)
        if isinstance(rc.original_route, APIRoute) and rc.path is not None
    ]


def _walk(dependant: Dependant) -> list[Dependant]:
    found = [dependant]
    for sub in dependant.dependencies:
        found.extend(_walk(sub))
    return found


def _security(route: Any) -> list[dict[str, list[str]]] | None:
    """The requirement the route's ``Allow`` (or plain authentication) dependency enforces."""
    for dep in _walk(route.dependant):
        if isinstance(dep.call, Allow):
            rule = PERMISSIONS[dep.call.permission]
            options: list[dict[str, list[str]]] = []
            if dep.call.api and rule.scopes:
                options.append({"oauth2": sorted(rule.scopes)})
            if dep.call.staff and rule.roles:
                options.append({"staffSession": []})
            return options
        if dep.call is get_actor:
            return [{"oauth2": []}, {"staffSession": []}]
    return None


def _has_json_body(route: Any) -> bool:
    return route.body_field is not None and not _has_form_body(route)


def _has_form_body(route: Any) -> bool:
    from fastapi import params

    return any(isinstance(f.field_info, params.Form) for f in route.dependant.body_params)


def _error_codes(route: Any, method: str, security: list[Any] | None) -> list[int]:
    codes = [500, 503]
    if security:
        codes += [401, 403]
    if route.dependant.path_params or route.body_field is not None:
        codes.append(404)  # the object in the path, or one the body refers to
    if route.dependant.query_params or route.dependant.path_params or route.body_field is not None:
        codes.append(422)
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        codes += [409, 413]
        if route.body_field is not None:
            codes += [400, 415]
    if method in ("PATCH", "PUT") and route.dependant.path_params:
        codes.append(412)
    if method in ("PATCH", "PUT") and security and any("oauth2" in option for option in security):
        codes.append(428)  # a client that opted in to If-Match and left it out
    return sorted(set(codes))


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send a new random key with each create; a retry with the same key and body "
    "within 24 hours replays the first answer (``Idempotent-Replayed: true``). The same key with "
    "another body is 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The ``ETag`` you read: the change is refused with 412 if the resource changed since "
    "(and with 428 if it is missing and the client opted in to sending it with every edit).",
    "schema": {"type": "string", "maxLength": 200},
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ``ETag`` you hold: 304 without a body when it is still current.",
    "schema": {"type": "string", "maxLength": 200},
}
ETAG_HEADER = {
    "ETag": {"description": "The representation's tag, for If-Match.", "schema": {"type": "string"}}
}
LOCATION_HEADER = {"Location": {"description": "The new resource.", "schema": {"type": "string"}}}


def _document_headers(op: dict[str, Any], route: Any, method: str) -> None:
    params = op.setdefault("parameters", [])
    ok = op["responses"].get("200")
    single = bool(route.dependant.path_params)
    if method == "POST" and op.get("security"):
        params.append(IDEMPOTENCY_KEY)
    if method == "POST" and "201" in op["responses"] and route.name.startswith(("create_", "request_")):
        op["responses"]["201"]["headers"] = LOCATION_HEADER
    if method in ("PATCH", "PUT") and single:
        params.append(IF_MATCH)
    if method == "GET" and single and ok and "application/json" in ok.get("content", {}):
        ok["headers"] = ETAG_HEADER
        params.append(IF_NONE_MATCH)
        op["responses"]["304"] = {
            "description": "Not modified: the ETag sent is current.",
            "headers": ETAG_HEADER,
        }
    if not params:
        op.pop("parameters")


def _document_operation(op: dict[str, Any], route: Any, method: str) -> None:
    security = _security(route)
    if security is not None:
        op["security"] = security
    responses = op.setdefault("responses", {})
    for code, entry in problem_responses(*_error_codes(route, method, security)).items():
        existing = responses.get(str(code))
        if existing is None or str(code) == "422":
            responses[str(code)] = entry
    if not op.get("description"):
        op["description"] = op.get("summary", route.name) + "."
    _document_headers(op, route, method)


def _text_patterns(node: Any) -> None:
    """Turn each ``x-text`` marker (SingleLine, TextBlock) into the pattern the server applies,
    keeping a non-blank rule (``NON_BLANK``) where the field also has one. A field with a pattern
    of its own (a closed list of words) keeps it: it already admits no control character."""
    if isinstance(node, dict):
        kind = node.get("x-text")
        if kind in TEXT_PATTERNS:
            any_text, non_blank = TEXT_PATTERNS[kind]
            own = node.get("pattern")
            if own in (None, NON_BLANK):
                node["pattern"] = non_blank if own == NON_BLANK else any_text
        for value in node.values():
            _text_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _text_patterns(value)


def _document(schema: dict[str, Any], app: FastAPI) -> None:
    _text_patterns(schema)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    components["securitySchemes"] = {
        "oauth2": {
            "type": "oauth2",
            "description": "OAuth 2.0 client credentials (RFC 6749 §4.4) for machine clients.",
            "flows": {"clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": dict(SCOPES)}},
        },
        "clientBasic": {
            "type": "http",
            "scheme": "basic",
            "description": "The token endpoint only: client id and secret (RFC 6749 §2.3.1); or send "
            "them as client_id and client_secret in the form body.",
        },
        "staffSession": {
            "type": "apiKey",
            "in": "cookie",
            "name": cookie_name(),
            "description": "A signed-in staff member's browser session (unsafe methods also need CSRF).",
        },
    }
    token = schema["paths"].get(TOKEN_URL, {}).get("post")
    if token is not None:
        token["security"] = [{"clientBasic": []}, {}]  # {}: the credentials in the form body
        token["responses"].update({str(c): e for c, e in problem_responses(500, 503).items()})
    for route in api_routes(app):
        path = route.path or ""
        if not route.include_in_schema or not path.startswith("/api/") or path == TOKEN_URL:
            continue
        for method in route.methods or ():
            op = schema["paths"].get(route.path, {}).get(method.lower())
            if op is not None:
                _document_operation(op, route, method)


def operation_id(route: APIRoute) -> str:
    """The handler's name: ``list_vendors``, ``create_dispute`` (unique; a test checks)."""
    return route.name


def install_contract(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
            )
            _document(schema, app)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
