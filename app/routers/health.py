"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine
from starlette.responses import Response

from app.db import get_engine
from app.problems import problem_response
from app.services.platform.health import check_readiness

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class ReadinessPublic(BaseModel):
    status: str
    database: str
    revision: str | None
    head: str | None


READY_WITHIN_SECONDS = 1.5


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is alive. On the event loop (no database, no thread): it answers even when
    every worker thread is busy."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=ReadinessPublic,
    responses={503: {"content": {"application/problem+json": {}}}},
)
async def readyz(request: Request, engine: Annotated[Engine, Depends(get_engine)]) -> Response:
    """The database is reachable and at the latest migration; 503 otherwise, within 2 seconds
    even when the database stalls (the check runs in a thread; we stop waiting for it)."""
    readiness = None
    with anyio.move_on_after(READY_WITHIN_SECONDS):
        readiness = await anyio.to_thread.run_sync(check_readiness, engine, abandon_on_cancel=True)
    if readiness is None:
        return problem_response(
            request,
            status=503,
            title="Service unavailable",
            detail=f"database did not answer within {READY_WITHIN_SECONDS} s",
            headers={"Retry-After": "5"},
        )
    if not readiness.ready:
        return problem_response(
            request,
            status=503,
            title="Service unavailable",
            detail=f"database {readiness.database} (at {readiness.revision}, head {readiness.head})",
            headers={"Retry-After": "5"},
        )
    return JSONResponse(
        ReadinessPublic(
            status="ok",
            database=readiness.database,
            revision=readiness.revision,
            head=readiness.head,
        ).model_dump()
    )
