"""``Cache-Control: no-store`` on every response unless the route opted in to caching (DESIGN §7).

Pages and API answers carry personal data far more often than not, and a forgotten header is
invisible; so the default is the safe one, set here for every response without a
``Cache-Control`` of its own. A route that may be cached says so explicitly with one of the
values below; static files (the project's CSS, JS and vendored assets) are public.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE = "no-store"
# Public data for anyone (the registry as JSON or CSV): shared caches may keep it briefly.
PUBLIC = {"Cache-Control": "public, max-age=300"}
# A public page rendered with the browser's own CSRF token: that browser may keep it, no proxy.
BROWSER_ONLY = {"Cache-Control": "private, max-age=300"}
STATIC = b"public, max-age=3600"
STATIC_PREFIX = "/static/"


class CacheControlMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        default = STATIC if scope["path"].startswith(STATIC_PREFIX) else NO_STORE.encode()

        async def send_with_default(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", default))
            await send(message)

        await self.app(scope, receive, send_with_default)
