"""The OAuth 2.0 token endpoint for machine clients (client credentials, RFC 6749 §4.4).

This is the one place in the API that does NOT answer errors as problem+json: RFC 6749 §5.2
requires ``{"error": ..., "error_description": ...}`` bodies with its own error codes, and OAuth
client libraries parse exactly that. Keep it that way.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse

from app.deps import SessionDep, request_actor
from app.http_headers import rate_limit_headers
from app.models.schemas.identity.api_clients import OAuthErrorBody, TokenResponse
from app.services.identity.api_clients import OAuthError, grant_client_credentials

router = APIRouter(tags=["oauth"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _oauth_error(exc: OAuthError) -> JSONResponse:
    headers = dict(NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="steward", charset="UTF-8"'
    if exc.status == 429 and exc.retry_after is not None:
        headers.update(rate_limit_headers(exc.retry_after, limit=exc.limit))
    body = OAuthErrorBody(error=exc.error, error_description=exc.description)
    return JSONResponse(body.model_dump(), status_code=exc.status, headers=headers)


def _basic_credentials(header: str) -> tuple[str, str] | None:
    """RFC 6749 §2.3.1: base64 of form-urlencoded ``client_id:client_secret``; None if malformed."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


async def _read_form(request: Request) -> dict[str, str] | OAuthError:
    """The token request's parameters (parsed on the event loop, no database), or the RFC 6749
    error to answer; the endpoint itself is a plain ``def`` (argon2 runs in the threadpool)."""
    try:
        return await _form(request)
    except OAuthError as exc:
        return exc


async def _form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "Send the request as application/x-www-form-urlencoded.")
    try:
        form = await request.form()
    except Exception as exc:  # malformed bodies
        raise OAuthError("invalid_request", "The request body could not be parsed.") from exc
    values: dict[str, str] = {}
    for key, value in form.multi_items():
        if not isinstance(value, str):
            raise OAuthError("invalid_request", "Files are not accepted here.")
        if key in values:  # RFC 6749 §3.2: parameters MUST NOT be repeated
            raise OAuthError("invalid_request", f"The parameter {key[:40]!r} is repeated.")
        values[key] = value
    return values


@router.post(
    "/oauth/token",
    response_model=TokenResponse,
    responses={
        400: {"model": OAuthErrorBody, "description": "RFC 6749 §5.2 error"},
        401: {
            "model": OAuthErrorBody,
            "description": "invalid_client (HTTP Basic was used or no credentials)",
        },
        429: {"model": OAuthErrorBody, "description": "too many failed client authentications"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]},
                            "scope": {"type": "string", "description": "space-separated scopes"},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string"},
                        },
                    }
                }
            },
        }
    },
)
def token(
    request: Request, session: SessionDep, parsed: Annotated[dict[str, str] | OAuthError, Depends(_read_form)]
) -> Any:
    """Client credentials grant: authenticate with HTTP Basic or ``client_id``/``client_secret`` in
    the form body (not both) and get a bearer token for the requested scopes (default: all of the
    client's). Errors are RFC 6749 §5.2 JSON, not problem+json."""
    auth_header = request.headers.get("authorization")
    basic = auth_header is not None
    try:
        if isinstance(parsed, OAuthError):
            raise parsed
        form = parsed
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type is required.")
        if grant_type != "client_credentials":
            raise OAuthError("unsupported_grant_type", "Only grant_type=client_credentials is supported.")
        in_body = "client_id" in form or "client_secret" in form
        if basic and in_body:
            raise OAuthError("invalid_request", "Authenticate with HTTP Basic or the form body, not both.")
        if basic:
            creds = _basic_credentials(auth_header or "")
            if creds is None:
                raise OAuthError("invalid_client", "Malformed HTTP Basic credentials.", status=401)
        elif in_body:
            creds = (form.get("client_id", ""), form.get("client_secret", ""))
        else:
            raise OAuthError("invalid_client", "Client authentication is required.", status=401)
        grant = grant_client_credentials(
            session,
            actor=request_actor(request),
            client_id=creds[0],
            secret=creds[1],
            scope=form.get("scope"),
            basic=basic,
        )
    except OAuthError as exc:
        session.commit()  # keep the audit event and the throttle count
        return _oauth_error(exc)
    session.commit()
    body = TokenResponse(access_token=grant.token, expires_in=grant.expires_in, scope=" ".join(grant.scopes))
    return JSONResponse(body.model_dump(), headers=NO_STORE)
