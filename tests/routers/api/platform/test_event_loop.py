"""No handler runs synchronous database work on the event loop.

FastAPI runs a plain ``def`` endpoint (and a plain ``def`` dependency) in its threadpool, but an
``async def`` one on the event loop: if it takes the synchronous session, a slow query or a wait
for SQLite's write lock stalls every other request, the health check included.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from app.api_contract import api_routes
from app.db import get_session
from app.deps import SessionDep


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def _uses_session(dependant: Dependant) -> bool:
    return any(d.call is get_session for d in _walk(dependant))


def _is_async(call: object) -> bool:
    method = type(call).__call__ if not inspect.isfunction(call) else None  # a class-based dependency
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(method)


def async_database_routes(app: FastAPI) -> list[str]:
    """Every async endpoint, or async dependency, that takes (directly or not) the session."""
    offenders = []
    for route in api_routes(app):
        for dependant in _walk(route.dependant):
            # get_session itself is async: it only makes the Session (no I/O) and closes it in the
            # threadpool; what takes the session from it must not be.
            if dependant.call is get_session:
                continue
            if dependant.call is not None and _is_async(dependant.call) and _uses_session(dependant):
                name = getattr(dependant.call, "__qualname__", repr(dependant.call))
                offenders.append(f"{sorted(route.methods)} {route.path}: {name}")
    return offenders


def test_no_async_endpoint_or_dependency_takes_the_synchronous_session(app: FastAPI) -> None:
    assert len(api_routes(app)) > 100  # the walk reaches every included router (pages and API)
    assert async_database_routes(app) == []


def test_the_check_finds_an_async_handler_that_takes_the_session(app: FastAPI) -> None:
    async def stalls(session: SessionDep) -> None:  # the pattern the check exists to catch
        return None

    app.add_api_route("/test-only/stalls", stalls, methods=["POST"])
    assert async_database_routes(app) == ["['POST'] /test-only/stalls: " + stalls.__qualname__]
