"""``Idempotency-Key`` on the API's POSTs: a retried create replays the first answer.

ASGI middleware (innermost, so the request id and security headers still apply): for a POST under
``/api/`` that carries the header and credentials, it reserves (caller, key) before the handler
runs, keeps the answer afterwards, and replays it for the same request within 24 hours. The
caller is the API client (from its token) or the browser session, so two clients never share keys.
Database work runs in the threadpool, never on the event loop.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Generator
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import clock
from app.db import get_session, request_session
from app.problems import problem_response
from app.security.sessions import cookie_name
from app.security.tokens import TokenInvalid, verify_access_token
from app.services.platform import idempotency

HEADER = "idempotency-key"
KEY_PATTERN = re.compile(r"^[!-~]{1,200}$")  # visible ASCII, as the OpenAPI document says
EXCLUDED = ("/api/v1/oauth/token",)


def _principal(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        try:
            return "client:" + verify_access_token(token.strip()).client_id
        except TokenInvalid:
            return None  # the route answers 401; nothing to remember
    cookie = request.cookies.get(cookie_name())
    return "session:" + hashlib.sha256(cookie.encode()).hexdigest()[:64] if cookie else None


def _session_provider(scope: Scope) -> Callable[[], Generator[Session]]:
    """A write session like the routes' (so a test's override of ``get_session`` applies here too)."""
    app = scope.get("app")
    override: Callable[[], Any] | None = getattr(app, "dependency_overrides", {}).get(get_session)

    def session_scope() -> Generator[Session]:
        if override is None:
            with request_session("POST") as session:
                yield session
            return
        made = override()
        if isinstance(made, Session):
            yield made
        else:
            yield from made

    return session_scope


def _run(scope: Scope, fn: Callable[[Session], Any]) -> Any:
    sessions = _session_provider(scope)()
    try:
        return fn(next(sessions))
    finally:
        sessions.close()


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        key = request.headers.get(HEADER)
        principal = _principal(request) if key is not None else None
        if key is None or principal is None or scope["path"] in EXCLUDED:
            await self.app(scope, receive, send)
            return
        if not KEY_PATTERN.match(key):
            detail = "Idempotency-Key must be 1 to 200 visible ASCII characters."
            await problem_response(request, status=422, detail=detail)(scope, receive, send)
            return
        body = await request.body()
        digest = hashlib.sha256()
        for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1")):
            digest.update(part.encode() + b"\0")
        digest.update(request.headers.get("content-type", "").encode() + b"\0" + body)
        now = clock.now()
        found = await run_in_threadpool(
            _run,
            scope,
            lambda s: idempotency.claim(
                s, principal=principal, key=key, request_hash=digest.hexdigest(), now=now
            ),
        )
        if found.outcome == "other_request":
            detail = "This Idempotency-Key was already used with a different request; use a new key."
            await problem_response(request, status=422, title="Idempotency key reused", detail=detail)(
                scope, receive, send
            )
            return
        if found.outcome == "in_progress":
            detail = "A request with this Idempotency-Key is still being handled; retry in a moment."
            response = problem_response(request, status=409, detail=detail, headers={"Retry-After": "1"})
            await response(scope, receive, send)
            return
        if found.outcome == "replay":
            await self._replay(found.record, send)
            return
        await self._first(scope, body, found.record.id, send)

    async def _replay(self, record: Any, send: Send) -> None:
        headers = [(k.encode(), v.encode()) for k, v in record.headers().items()]
        headers.append((b"idempotent-replayed", b"true"))
        await send({"type": "http.response.start", "status": record.status, "headers": headers})
        await send({"type": "http.response.body", "body": record.body or b""})

    async def _first(self, scope: Scope, body: bytes, record_id: Any, send: Send) -> None:
        sent_body = False

        async def replay_receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        except Exception:
            await run_in_threadpool(_run, scope, lambda s: idempotency.release(s, record_id=record_id))
            raise
        headers = {k.decode().lower(): v.decode() for k, v in start.get("headers", [])}
        await run_in_threadpool(
            _run,
            scope,
            lambda s: idempotency.complete(
                s,
                record_id=record_id,
                status=int(start.get("status", 500)),
                content_type=headers.get("content-type"),
                location=headers.get("location"),
                body=b"".join(chunks),
            ),
        )
