"""Fifty readers and fifty writers at once through a real uvicorn server: no request answers 5xx,
every acknowledged filing is stored once, and /healthz keeps answering promptly."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.models import Dispute
from app.security.tokens import issue_access_token
from tests.support.factories import make_api_client
from tests.support.server import served

READERS = 50
WRITERS = 50
ROUNDS = 3


def _token(engine: Engine) -> str:
    with Session(engine) as db:
        client, _ = make_api_client(db, scopes=["disputes:write", "vendors:read"])
        db.commit()
        token, _ = issue_access_token(
            client_id=client.client_id, scopes=list(client.scopes), secret_version=1
        )
    return token


async def _load(base: str, token: str) -> dict[str, Any]:
    statuses: list[int] = []
    created: list[str] = []
    health: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=READERS + WRITERS + 5)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as http:

        async def reader(i: int) -> None:
            for r in range(ROUNDS):
                path = "/api/v1/disputes?limit=20" if (i + r) % 2 else "/api/v1/vendors?limit=20"
                statuses.append((await http.get(path)).status_code)

        async def writer(i: int) -> None:
            for r in range(ROUNDS):
                response = await http.post(
                    "/api/v1/disputes",
                    json={
                        "category": "inaccurate_record",
                        "description": f"Load test filing {i}-{r}: the record lists the wrong grade.",
                        "requester_name": f"Parent {i}",
                        "requester_email": f"parent{i}@example.org",
                        "student_description": "A child in grade 4",
                    },
                )
                statuses.append(response.status_code)
                if response.status_code == 201:
                    created.append(uuid.UUID(response.json()["id"]))

        async def probe(stop: asyncio.Event) -> None:
            while not stop.is_set():
                started = time.monotonic()
                response = await http.get("/healthz")
                health.append(time.monotonic() - started)
                assert response.status_code == 200
                await asyncio.sleep(0.05)

        stop = asyncio.Event()
        prober = asyncio.create_task(probe(stop))
        await asyncio.gather(*(reader(i) for i in range(READERS)), *(writer(i) for i in range(WRITERS)))
        stop.set()
        await prober
    return {"statuses": statuses, "created": created, "health": health}


def test_fifty_readers_and_fifty_writers_get_no_5xx(committed: Engine) -> None:
    token = _token(committed)
    # PostgreSQL here is shared by other test runs (max_connections 100): a small pool, which
    # requests queue for, as they would in production behind a pooler. A queue (for the pool, or
    # for SQLite's write lock) may last longer than the default 10 s here, where 8 test workers
    # share 2 cores: past it a request answers 503 by design. That is load shedding, not the
    # failure this test looks for, so the wait allowed here is close to the client's timeout.
    patient = {"STEWARD_WRITE_QUEUE_SECONDS": "55", "STEWARD_DATABASE_POOL_TIMEOUT": "55"}
    small_pool = {**patient, "STEWARD_DATABASE_POOL_SIZE": "5", "STEWARD_DATABASE_MAX_OVERFLOW": "0"}
    # The client loop runs in a thread of its own: a session-scoped browser fixture may hold this
    # thread's event loop.
    with (
        served(small_pool if committed.dialect.name == "postgresql" else patient) as base,
        ThreadPoolExecutor(max_workers=1) as runner,
    ):
        result = runner.submit(lambda: asyncio.run(_load(base, token))).result()
    statuses = result["statuses"]
    assert len(statuses) == (READERS + WRITERS) * ROUNDS
    assert [s for s in statuses if s >= 500] == []
    assert set(statuses) <= {200, 201}, sorted(set(statuses))
    created = result["created"]
    assert len(created) == WRITERS * ROUNDS
    with Session(committed) as db:
        stored = db.exec(select(func.count()).select_from(Dispute).where(col(Dispute.id).in_(created))).one()
    assert stored == len(created)
    health = sorted(result["health"])
    p95 = health[int(len(health) * 0.95) - 1] if len(health) > 1 else health[0]
    # Not a speed measurement (those are in bench/): a guard against the stall this load used to
    # cause, when /healthz waited behind the threadpool for up to 15 s. How fast it answers on a
    # busy 2-core machine varies; never answering for seconds on end is the fault.
    print(f"/healthz under load: median {statistics.median(health) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    assert max(health) < 8.0, f"/healthz stalled {max(health):.1f}s (p95 {p95:.3f}s)"


async def _readers(base: str, token: str, count: int) -> list[int]:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=count + 5)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as http:

        async def read(i: int) -> int:
            path = "/api/v1/disputes?limit=5" if i % 2 else "/api/v1/vendors?limit=5"
            return (await http.get(path)).status_code

        return list(await asyncio.gather(*(read(i) for i in range(count))))


def test_more_requests_than_connections_and_threads_wait_their_turn(committed: Engine) -> None:
    # Four threads and four connections, forty requests at once. Without admission, requests
    # holding a connection waited for a thread while every thread waited for a connection, until
    # the pool timeout (3 s here) answered 503.
    token = _token(committed)
    tight = {
        "STEWARD_THREADPOOL_SIZE": "4",
        "STEWARD_DATABASE_POOL_SIZE": "4",
        "STEWARD_DATABASE_MAX_OVERFLOW": "0",
        "STEWARD_DATABASE_POOL_TIMEOUT": "3",
    }
    with served(tight) as base, ThreadPoolExecutor(max_workers=1) as runner:
        for _ in range(3):
            statuses = runner.submit(lambda: asyncio.run(_readers(base, token, 40))).result()
            assert statuses == [200] * 40, sorted(set(statuses))
