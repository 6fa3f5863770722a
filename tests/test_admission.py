"""Admission: requests past the slots wait in the event loop, then answer 503; probes never wait."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import anyio
import pytest
from starlette.requests import Request

from app.admission import Admission, request_slots
from app.config import get_settings
from app.errors import ServiceUnavailable

T = TypeVar("T")


def _run(scenario: Callable[[], Awaitable[T]]) -> T:
    """anyio.run in a thread of its own: a session-scoped browser fixture may hold this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as runner:
        return runner.submit(anyio.run, scenario).result()


def _request(path: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""})


def test_a_request_past_the_slots_waits_its_turn_then_answers_503() -> None:
    admission = Admission(slots=1, deadline_seconds=0.2)

    async def scenario() -> list[str]:
        seen: list[str] = []
        first = admission(_request("/api/v1/vendors"))
        await first.__anext__()  # holds the only slot
        with pytest.raises(ServiceUnavailable) as refused:
            await admission(_request("/api/v1/disputes")).__anext__()
        assert refused.value.retry_after >= 1
        seen.append("refused while held")
        async with anyio.create_task_group() as tasks:

            async def waiter() -> None:
                await admission(_request("/api/v1/disputes")).__anext__()
                seen.append("admitted after release")

            tasks.start_soon(waiter)
            await anyio.sleep(0.05)
            await first.aclose()  # releases the slot: the waiter goes in
        return seen

    assert _run(scenario) == ["refused while held", "admitted after release"]


def test_health_probes_never_wait_for_a_slot() -> None:
    admission = Admission(slots=1, deadline_seconds=0.1)

    async def scenario() -> None:
        held = admission(_request("/api/v1/vendors"))
        await held.__anext__()
        for path in ("/healthz", "/readyz"):
            await admission(_request(path)).__anext__()
        await held.aclose()

    _run(scenario)


def test_slots_default_to_a_few_per_cpu_within_the_pool_capacity() -> None:
    settings = get_settings()
    pg = settings.model_copy(
        update={
            "database_url": "postgresql://x@localhost/db",
            "database_pool_size": 7,
            "database_max_overflow": 3,
        }
    )
    assert request_slots(pg, cpus=2) == 6
    assert request_slots(pg, cpus=8) == 10  # never more than the pool's connections
    sqlite = settings.model_copy(update={"database_url": "sqlite:///x.db", "threadpool_size": 12})
    assert request_slots(sqlite, cpus=2) == 3
    assert request_slots(sqlite, cpus=32) == 12
    assert request_slots(sqlite.model_copy(update={"request_slots": 5})) == 5
