"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Annotated

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


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=ReadinessPublic,
    responses={503: {"content": {"application/problem+json": {}}}},
)
def readyz(request: Request, engine: Annotated[Engine, Depends(get_engine)]) -> Response:
    """The database is reachable and at the latest migration; 503 otherwise."""
    readiness = check_readiness(engine)
    if not readiness.ready:
        return problem_response(
            request,
            status=503,
            title="Service unavailable",
            detail=f"database {readiness.database} (at {readiness.revision}, head {readiness.head})",
        )
    return JSONResponse(
        ReadinessPublic(
            status="ok",
            database=readiness.database,
            revision=readiness.revision,
            head=readiness.head,
        ).model_dump()
    )
