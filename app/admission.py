"""Admission: at most a few requests per CPU use the database at once, never more than the pool
has connections.

Sync routes hop between threads (each sync dependency, then the handler), and a request's session
keeps its connection between hops. Without a limit, requests that hold connections can wait for a
free thread while every thread waits for a free connection: nothing moves until the pool timeout
answers 503. Here the excess requests wait in the event loop instead — cheaply, up to the pool
timeout — before any thread or connection is taken, so the pool never runs dry under a thread.
Fewer threads running at once also means less contention for the GIL.

Health probes are exempt: they must answer while the application is busy.
"""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator

import anyio
from starlette.requests import Request

from app.config import Settings
from app.errors import ServiceUnavailable

EXEMPT_PATHS = frozenset({"/healthz", "/readyz"})


def request_slots(settings: Settings, cpus: int | None = None) -> int:
    """How many requests may use the database at once: the setting, else a few per CPU, within
    the pool's capacity.

    More threads than that do not serve more requests: Python runs one thread at a time, and every
    database call hands that turn to another thread and waits to get it back. Measured on 2 CPUs
    at 50 clients (bench/), 3 slots served the SQLite lists 40-50 % faster than 12 and 100, with a
    fifth of the context switches; PostgreSQL, whose queries also wait on the server's own CPUs,
    did best at 6."""
    if settings.request_slots is not None:
        return settings.request_slots
    cpus = cpus or os.cpu_count() or 1
    if settings.database_url.startswith("sqlite"):
        return min(cpus + 1, settings.threadpool_size)
    return min(2 * cpus + 2, settings.database_pool_size + settings.database_max_overflow)


class Admission:
    """A FastAPI dependency (with yield) that holds one slot for the whole request."""

    def __init__(self, slots: int, deadline_seconds: float) -> None:
        self.slots = slots
        self.deadline_seconds = deadline_seconds
        self._semaphore: anyio.Semaphore | None = None  # made in the event loop, on first use

    async def __call__(self, request: Request) -> AsyncGenerator[None, None]:
        if request.url.path in EXEMPT_PATHS:
            yield
            return
        if self._semaphore is None:
            self._semaphore = anyio.Semaphore(self.slots)
        semaphore = self._semaphore
        admitted = False
        with anyio.move_on_after(self.deadline_seconds):
            await semaphore.acquire()
            admitted = True
        if not admitted:
            raise ServiceUnavailable(
                "Steward is busy with other requests; please try again in a moment.",
                retry_after=max(1, round(self.deadline_seconds / 2)),
            )
        try:
            yield
        finally:
            semaphore.release()
