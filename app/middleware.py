"""Pure ASGI middleware: request ids and the global request-size limit."""

from __future__ import annotations

import contextlib
import random
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.log import request_id_var
from app.problems import problem_body

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _new_request_id() -> str:
    """16 hex digits. A request id correlates log lines; it guards nothing, so it need not be
    unpredictable, and unlike ``secrets`` this makes no system call on the event loop (each one
    hands the GIL to a worker thread and waits to get it back)."""
    return f"{random.getrandbits(64):016x}"


class RequestIdMiddleware:
    """Take a well-formed ``X-Request-ID`` from the caller or make one; echo it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else _new_request_id()
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"].append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


class BodyTooLarge(Exception):
    pass


class RequestSizeLimitMiddleware:
    """Refuse bodies over the limit with 413, by Content-Length or while streaming.

    ``path_limits`` raises (or lowers) the limit under a path prefix, e.g. the roster intake."""

    def __init__(self, app: ASGIApp, max_bytes: int, path_limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = path_limits or {}

    def _limit(self, path: str) -> int:
        for prefix, limit in self.path_limits.items():
            if path.startswith(prefix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit)
            return
        received = 0
        response_started = False
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if too_large and not response_started:
                return  # the app turned the aborted body into its own error (a form parser's 400)
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, limited_receive, tracking_send)
        if too_large and not response_started:
            await self._refuse(scope, send, limit)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        body = problem_body(
            status=413,
            title="Request too large",
            detail=f"The request body is larger than the limit of {limit} bytes.",
            instance=scope.get("path"),
        )
        headers: list[Any] = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
