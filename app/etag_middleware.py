"""``ETag`` on the API's single resources, ``If-None-Match`` on reads and ``If-Match`` on edits.

The tag is the SHA-256 of the resource's JSON as a GET returns it (a strong validator: equal
bytes, equal tag), so it needs no version column and works for every resource. For a PATCH or
PUT that sends ``If-Match``, the middleware reads the resource's current tag first (an internal
GET of the same path with the same credentials, or of its parent path for a sub-resource such as
``/vendors/{id}/privacy-policy``) and answers 412 when it differs. That read runs before the
edit's own session opens: on SQLite every transaction holds the write lock, so a read nested in a
request that has one would wait on itself; for the same reason the answer to an edit carries no
tag (read the resource again for it). Lists (``{"data", "count"}``) and files get no tag.

Limit: the check and the write are two steps, so two edits landing in the same instant can
both pass; SQLite serializes writers, and the window on PostgreSQL is one request.
"""

from __future__ import annotations

import hashlib
import json
import re

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.problems import problem_response

DROPPED = {b"content-type", b"content-length", b"if-match", b"if-none-match", b"idempotency-key"}


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# A list as the API answers it ({"data": [...], ..., "count": n}, keys in the models' order): known
# without parsing the whole page. In valid JSON, a member just before the closing brace belongs to
# the outermost object, so this never mistakes a single resource for a list.
_LIST_END = re.compile(rb',"count":\d+}\Z')


def is_single_resource(content_type: str, body: bytes) -> bool:
    if not content_type.startswith("application/json"):
        return False
    if body.startswith(b'{"data":') and _LIST_END.search(body[-32:]):
        return False
    try:
        value = json.loads(body)
    except ValueError:
        return False
    return isinstance(value, dict) and not {"data", "count"} <= value.keys()


def _tags(header: str) -> set[str]:
    return {t.strip() for t in header.split(",") if t.strip()}


class ETagMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET":
            await self._read(scope, receive, send)
        elif scope["method"] in ("PATCH", "PUT"):
            await self._edit(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _capture(self, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        return start, b"".join(chunks)

    async def _current_tag(self, scope: Scope, path: str) -> tuple[int, str | None]:
        """The resource's status and tag now, read as its owner would (same credentials)."""
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in DROPPED]
        get_scope = {**scope, "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b""}
        get_scope["headers"] = headers

        async def empty() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        start, body = await self._capture(get_scope, empty)
        status = int(start.get("status", 500))
        content_type = dict(start.get("headers", [])).get(b"content-type", b"").decode()
        tag = etag_of(body) if status == 200 and is_single_resource(content_type, body) else None
        return status, tag

    async def _resource_tag(self, scope: Scope) -> tuple[int, str | None, str]:
        path = scope["path"]
        status, tag = await self._current_tag(scope, path)
        if status == 405:  # a sub-resource without a GET: its parent is the resource it changes
            path = path.rsplit("/", 1)[0]
            status, tag = await self._current_tag(scope, path)
        return status, tag, path

    async def _read(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message = {}
        chunks: list[bytes] = []
        buffering = True

        async def tagging_send(message: Message) -> None:
            nonlocal start, buffering
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"").decode()
                buffering = message["status"] == 200 and content_type.startswith("application/json")
                if buffering:
                    start = message
                    return
            elif message["type"] == "http.response.body" and buffering:
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                await self._send_tagged(scope, start, b"".join(chunks), send)
                return
            await send(message)

        await self.app(scope, receive, tagging_send)

    async def _send_tagged(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        headers = list(start.get("headers", []))
        content_type = dict(headers).get(b"content-type", b"").decode()
        if not is_single_resource(content_type, body):
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        tag = etag_of(body)
        headers.append((b"etag", tag.encode()))
        if tag in _tags(Request(scope).headers.get("if-none-match", "")):
            kept = [(k, v) for k, v in headers if k.lower() not in (b"content-type", b"content-length")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _edit(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        if_match = request.headers.get("if-match")
        if if_match is not None:
            status, tag, _ = await self._resource_tag(scope)
            wanted = _tags(if_match)
            if status == 200 and tag is not None and "*" not in wanted and tag not in wanted:
                detail = "The resource changed since you read it (If-Match does not match its ETag)."
                headers = {"ETag": tag}
                await problem_response(
                    request, status=412, title="Precondition failed", detail=detail, headers=headers
                )(scope, receive, send)
                return
        await self.app(scope, receive, send)
